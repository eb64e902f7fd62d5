"""The side-by-side view: small multiples of the same run under several methods.

Each method has a panel, titled with its name, holding its fit and its test-loss chart; every
chart has the same axes, so a height in one panel means what it means in the next. Below
them one legend for all, and a table that says where each method stands now: every task's
test loss (a classification's accuracy), against naive's, forgetting and BWT, the best of
each column in bold green.
The panels that do not fit the terminal's width wait on further pages (←/→); on a terminal
too short for a picture above a chart (80x24), each panel shows one of them, `v` the other.
"""

from __future__ import annotations

import math
import os

from rich import box
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from cftui.results import scores
from cftui.train import problem
from cftui.train.snapshot import Comparison, Snapshot, State
from cftui.tui.widgets.changed_rows import ChangedRows
from cftui.tui.widgets.confusion import ConfusionPlot
from cftui.tui.widgets.fit import legend_lines, shown_ghosts
from cftui.tui.widgets.loss_chart import LossChart, curve_legend, shared_limits
from cftui.tui.widgets.pictures import PICTURES, Pictures

FIT_NEEDS_ROWS = 20  # below this a panel shows its picture or its loss chart (v): both
# would be unreadable; the picture first, as the article shows it (80x24 has ~14 rows)
PANEL_WIDTH = 30  # the narrowest a panel may be: its plots keep ~22 columns
ALL_NEEDS = (160, 32)  # columns, rows for many methods: 5 panels a page, and a table row each
# below them (13 methods: 160x45)


def too_small_for_all(size: os.terminal_size, count: int) -> str:
    """Why ``count`` methods side by side do not fit a terminal of ``size``, or ""."""
    (columns, rows), (x, y) = (ALL_NEEDS[0], ALL_NEEDS[1] + count), size
    if x >= columns and y >= rows:
        return ""
    return (
        f"{count} methods need a terminal of at least {columns}x{rows} (this one is {x}x{y}); "
        "or name 2 to 6, e.g. --compare naive,ewc,replay"
    )


def per_page(width: int, methods: int) -> int:
    """How many panels sit side by side at ``width`` columns."""
    return max(1, min(methods, width // PANEL_WIDTH))


class MethodPanel(Vertical):
    """One method's picture (its fit, or its regions) above its loss chart."""

    def __init__(self, config) -> None:
        super().__init__()
        # drawn once they have a size; the view has one legend for every panel
        self.picture = Pictures(problem.of(config).picture, legend=False)
        self.confusion = ConfusionPlot()  # x: in the picture's place
        self.chart = LossChart(short=True)
        self.legend = ""

    def compose(self) -> ComposeResult:
        yield self.picture
        yield self.confusion
        yield self.chart

    def show(self, snap: Snapshot, limits, log_scale: bool) -> None:
        name = snap.scene.config.method.name
        diverged = snap.state is State.DIVERGED
        title = f"{name} — diverged" if diverged else name
        if title != self.border_title:  # setting it, even unchanged, repaints the panel
            self.border_title = title
            self.set_class(diverged, "-diverged")
        legend = curve_legend(len(snap.scene.tasks), self.size.width)  # on the bottom edge
        if legend != self.legend:  # not border_subtitle: it reads back as other markup
            self.border_subtitle = self.legend = legend
        self.picture.show(snap)
        self.confusion.show(snap)  # draws only while shown
        self.chart.show(snap, limits, log_scale)


class CompareView(Vertical):
    """The panels (a page of them) and the summary table."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.comparison: Comparison | None = None
        self.page = 0
        self.log_scale = True
        self.charts_when_short = False  # v: too short for both, the charts, not the pictures
        self.page_keys = "←/→"  # what turns a page (the tour takes ←/→ for its steps)

    def compose(self) -> ComposeResult:
        yield Horizontal(id="panels")
        yield SharedLegend()
        yield SummaryTable()

    @property
    def pages(self) -> int:
        if self.comparison is None:
            return 1
        n = len(self.comparison.runs)
        return math.ceil(n / per_page(self.size.width, n))

    def turn(self, pages: int) -> None:
        self.page = (self.page + pages) % self.pages
        self._layout()

    @property
    def short(self) -> bool:
        """Too few rows for a picture above a chart: a panel shows one of them."""
        return self.query_one("#panels").size.height < FIT_NEEDS_ROWS

    def toggle_short_view(self) -> None:
        self.charts_when_short = not self.charts_when_short
        self._draw()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self._draw()
        return self.log_scale

    def show(self, comparison: Comparison) -> None:
        first = self.comparison is None or comparison.methods != self.comparison.methods
        self.comparison = comparison
        if first:
            self.page = 0
            self._layout()
        else:
            self._draw()

    def on_resize(self) -> None:
        if self.comparison is not None:
            self.page = min(self.page, self.pages - 1)
            self._layout()

    def _on_page(self) -> tuple[Snapshot, ...]:
        """The runs whose panels this page shows."""
        runs = self.comparison.runs
        shown = per_page(self.size.width, len(runs))
        return runs[self.page * shown : (self.page + 1) * shown]

    def _layout(self) -> None:
        """One panel per method on this page, reusing the panels already mounted."""
        if self.comparison is None:
            return
        panels = self.query_one("#panels", Horizontal)
        want = len(self._on_page())
        have = list(panels.query(MethodPanel))
        for panel in have[want:]:
            panel.remove()
        if want > len(have):
            config = self.comparison.scene.config
            panels.mount_all([MethodPanel(config) for _ in range(want - len(have))])
        self._draw()

    def _draw(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        limits = shared_limits(comparison.runs, self.log_scale)
        for panel, snap in zip(self.query(MethodPanel), self._on_page(), strict=False):
            panel.show(snap, limits, self.log_scale)
        short, charts = self.short, self.charts_when_short
        self.set_class(short and charts, "-short-charts")
        self.set_class(short and not charts, "-short-pictures")
        self.query_one(SharedLegend).show(comparison.lead)
        pages = f" · page {self.page + 1}/{self.pages} ({self.page_keys})" if self.pages > 1 else ""
        pictures = PICTURES[problem.of(comparison.scene.config).picture].many
        if short:
            pages += f" · v: {pictures}" if charts else " · v: loss charts"
        self.query_one(SummaryTable).show(comparison, pages)


class SharedLegend(ChangedRows, Widget):
    """The fits' legend, once below every panel (in each panel it took 4 of its ~12 rows);
    hidden with the fits. The loss curves' legend is on each panel's bottom edge."""

    DEFAULT_CSS = "SharedLegend { height: 1; padding: 0 1; }"

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple = ()

    def show(self, snap: Snapshot) -> None:
        picture = PICTURES[problem.of(snap.scene.config).picture]
        key = (snap.run, picture, snap.task, len(shown_ghosts(snap)), self.size.width)
        if key == self._shown or not self.size.width:
            return
        self._shown = key
        lines = legend_lines(picture.legend_entries(snap), self.size.width, indent=0)
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)
        self.repaint(Text("\n").join(lines))


class SummaryTable(ChangedRows, Widget):
    """The table as rows of text: a new number sends the terminal its cells, not the table
    (a Static sent all of it, a fifth of the view's bytes)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple = ()

    def show(self, comparison: Comparison, note: str) -> None:
        """Render the table when a number in it may have changed (a measurement, a task's
        end, a state), not every frame: rich's table layout costs more than a fit panel."""
        key = (
            comparison.run,
            tuple((len(s.steps), len(s.loss_matrix), s.state, s.task) for s in comparison.runs),
            note,
            self.size.width,
        )
        if key == self._shown:
            return
        self._shown = key
        console = self.app.console
        options = console.options.update_width(self.size.width or 80)
        table = summary_table(comparison, note)
        wide = options.update_width(10 * options.max_width)  # measure unclamped
        if Measurement.get(console, wide, table).maximum > options.max_width:
            table = summary_table(comparison, note, short=True)  # rather than "task…" cut
        lines = console.render_lines(table, options)
        text = Text("\n").join(
            Text.assemble(*((segment.text, segment.style) for segment in line)) for line in lines
        )
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)
        self.repaint(text)


def summary_table(comparison: Comparison, note: str = "", short: bool = False) -> Table:
    """method | every task's test score now | against naive | forgetting | BWT: the test
    loss, or a classification's accuracy in percent (forgetting and BWT in points).
    ``short``: headers that fit five tasks in 80 columns (t1, avg vs naive, forgot)."""
    runs = comparison.runs
    n_tasks = len(runs[0].scene.tasks)
    score = scores.of(runs[0])
    now = [score.now(snap) for snap in runs]
    naive = next((row for snap, row in zip(runs, now, strict=True) if _name(snap) == "naive"), None)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), pad_edge=False)
    table.title = f"{score.title(runs[0])} now{note}"
    table.title_justify = "left"
    table.add_column("method", no_wrap=True)
    for j in range(n_tasks):
        table.add_column(f"t{j + 1}" if short else f"task {j + 1}", justify="right", no_wrap=True)
    versus = score.versus_short if short else score.versus_title
    forgetting = "forgot" if short else "forgetting"
    extra = ([versus] if naive is not None else []) + [forgetting, "BWT"]
    for column in extra:
        table.add_column(column, justify="right", no_wrap=True)
    columns = [[row[j] for row in now] for j in range(n_tasks)]
    standing = [score.standing(snap, row) for snap, row in zip(runs, now, strict=True)]
    best = [scores.best_of(column, score.best) for column in columns]
    best_forgetting = scores.best_of([s[0] for s in standing], min)
    best_bwt = scores.best_of([s[1] for s in standing], max)
    for i, (snap, row) in enumerate(zip(runs, now, strict=True)):
        name = Text(_name(snap), style="bold")
        if snap.state is State.DIVERGED:
            name.append(" diverged", style="red")
        cells = [_number(row[j], i == best[j]) for j in range(n_tasks)]
        if naive is not None:
            same = _name(snap) == "naive" or not math.isfinite(row[0])
            cells.append(Text("") if same else score.against_text(row, naive))
        forgetting, bwt = standing[i]
        cells += [_number(forgetting, i == best_forgetting), _number(bwt, i == best_bwt)]
        table.add_row(name, *cells)
    return table


def _name(snap: Snapshot) -> str:
    return snap.scene.config.method.name


def _number(value: float, best: bool) -> Text:
    if not math.isfinite(value):
        return Text("—", style="dim")
    return Text(f"{value:.3g}", style="bold green" if best else "")
