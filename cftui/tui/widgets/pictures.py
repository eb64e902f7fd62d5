"""The panel that draws each kind of problem's picture of the model (problem.Problem.picture):
the main view and every side-by-side panel hold one of each in a switcher and show the one
their run's problem names, so a preset of the other kind needs no new layout."""

from textual.app import ComposeResult
from textual.widgets import ContentSwitcher

from cftui.train import problem
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.digits import DigitsPlot
from cftui.tui.widgets.fit import FitPlot
from cftui.tui.widgets.regions import RegionsPlot

PICTURES = {"fit": FitPlot, "regions": RegionsPlot, "digits": DigitsPlot}


class Pictures(ContentSwitcher):
    """Every kind's picture panel, the one of the run shown on top."""

    DEFAULT_CSS = "Pictures { width: 1fr; height: 1fr; }"

    def __init__(self, picture: str, legend: bool = True, **kwargs) -> None:
        """``picture``: the one shown first; ``legend``: each draws its own."""
        super().__init__(initial=picture, **kwargs)
        self.panels = {
            name: panel(legend=legend, id=name, classes="picture")
            for name, panel in PICTURES.items()
        }

    def compose(self) -> ComposeResult:
        yield from self.panels.values()

    def show(self, snap: Snapshot) -> None:
        """Show the run's picture (a panel not yet sized draws when it gets its size)."""
        name = problem.of(snap.scene.config).picture
        if self.current != name and self.is_mounted:
            self.current = name
        self.panels[name].show(snap)
