"""The explain pane: why the current method does what it does, and how the data are made.

Two tabs, the method and the data family, each a scrolling Markdown text written by
cftui.train.explain (the words from explain.toml, the numbers from measured.json). `i` or tab
switches, esc closes. It is opened with `i` from the app, and from the method picker for the
highlighted method.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, TabbedContent, TabPane

from cftui import __version__
from cftui.train import explain
from cftui.train.config import Config
from cftui.tui.widgets.dialog import head

TABS = ("method", "family")  # the ids of the two tabs, in order


class ExplainScreen(ModalScreen[None]):
    """``config``'s method (or ``method``, e.g. the one highlighted in the picker) and its
    data family, explained; the method's tab first."""

    DEFAULT_CSS = """
    ExplainScreen { align: center middle; }
    ExplainScreen .dialog { width: 90; height: 90%; }
    ExplainScreen TabbedContent, ExplainScreen TabPane { height: 1fr; }
    ExplainScreen TabPane { padding: 0; }
    """
    BINDINGS = [
        Binding("i,tab", "switch", "method/data", priority=True),
        Binding("escape,q", "dismiss(None)", "close"),
    ]

    def __init__(self, config: Config, method: str | None = None) -> None:
        super().__init__()
        self.config, self.method = config, method or config.method.name

    def compose(self) -> ComposeResult:
        family = self.config.data.family
        with Vertical(classes="dialog"):
            yield head(f"i or tab: method ⇄ data · ↑↓: scroll · esc: close · cftui {__version__}")
            with TabbedContent(initial=TABS[0]):
                with TabPane(f"method: {self.method}", id="method"), VerticalScroll():
                    yield Markdown(explain.method_markdown(self.config, self.method))
                with TabPane(f"data: {family}", id="family"), VerticalScroll():
                    yield Markdown(explain.family_markdown(self.config))

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_switch(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]  # focus follows

    def on_tabbed_content_tab_activated(self) -> None:
        self._focus_text()  # shown first, or clicked: its text scrolls with the arrows

    def _focus_text(self) -> None:
        self.query_one(f"#{self.tab} VerticalScroll").focus()
