"""The command palette (ctrl+p): every key's action by name, and every method and preset.

Typing "ewc" or "rbf" offers "method: ewc" or "preset: rbf"; choosing one restarts the run
with it, as the pickers do. The app's help and screenshot stand in for Textual's Keys panel
and its Screenshot (which saves to ~/Downloads).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.command import Hit, Hits, Provider

from cftui.train import catalog, methods, validation

if TYPE_CHECKING:
    from textual.screen import Screen

REPLACED = {"Keys", "Screenshot"}  # Textual's commands that the app's own stand in for


def system_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """Textual's own commands (theme, quit, maximize), then each key's action, titled by the
    action's name ("Next task"), run under the same rules as the key."""
    yield from (c for c in App.get_system_commands(app, screen) if c.title not in REPLACED)
    for binding in app.BINDINGS:
        if binding.action != "quit":
            yield SystemCommand(
                binding.action.replace("_", " ").capitalize(),
                f"key: {binding.key_display or binding.key}",
                partial(app.run_action, binding.action),
            )


class RunProvider(Provider):
    """'method: NAME' and 'preset: NAME', found by name, each restarting the run with it."""

    async def startup(self) -> None:
        """Gather the commands once per opening of the palette: listing the presets reads and
        checks every preset file, too much to do again on each key typed."""
        self.commands = self._commands()

    def _commands(self) -> list[tuple[str, str, object, str]]:
        """(name, title, what choosing it does, help) of every method and usable preset."""
        app = self.app
        if not app.ready:  # nothing to restart yet
            return []
        found = [
            (name, f"method: {name}", partial(app.use_method, name), methods.info(name).summary)
            for name in validation.fitting_methods(app.snapshot.scene.config)
        ]
        found += [
            (e.name, f"preset: {e.name}", partial(app.use_preset, e.config), e.config.description)
            for e in catalog.available()
            if e.config is not None
        ]
        return found

    async def search(self, query: str) -> Hits:
        """Fuzzy matches by title; a name typed in full comes first ("ewc" before
        "online_ewc")."""
        matcher = self.matcher(query)
        for name, title, run, help_text in self.commands:
            score = 1.0 if query.strip().lower() == name else matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)
