"""Rich tables of a run's loss matrix, shared by the headless CLI and the TUI.

A cell is coloured by how it compares with the diagonal (the loss on that task right after
training it): red where the task has been forgotten, green where it held or improved.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cftui.results.summary import WINS
from cftui.train import methods, metrics
from cftui.train.config import Config

FORGOT = 2.0  # a loss this many times its value right after training counts as forgotten
LOST_POINTS = 20  # an accuracy this many points below it counts as forgotten
# Over seeds, the forgetting of the median loss matrix and the median of each seed's own
# forgetting differ: each table says which it shows.
OF_MEDIANS = "forgot, BWT: of the median losses above; below: the median of each seed's own"
PER_SEED = "forgetting: each seed's own, then their median"


def loss_cell(value: float, reference: float | None) -> Text:
    """One MSE, coloured against ``reference`` (the diagonal), dim when not trained yet."""
    text = f"{value:.4g}"
    if reference is None:
        return Text(text, style="dim")
    ratio = value / reference if reference > 0 else 1.0
    style = "bold red" if ratio >= FORGOT else "yellow" if ratio > 1.1 else "green"
    return Text(f"{text} x{ratio:.3g}" if ratio > 1.1 else text, style=style)


def loss_matrix_table(
    matrix: Sequence[Sequence[float]], n_tasks: int, title: str | None = "test MSE"
) -> Table:
    """Rows: after training task i; columns: task j; then forgetting and BWT when complete."""

    def summary(table: Table) -> None:
        table.add_row("forgot", *(f"{f:+.4g}" for f in metrics.forgetting(matrix)), "")
        table.caption = f"BWT {metrics.backward_transfer(matrix):+.4g}"

    return _matrix_table(matrix, n_tasks, title, loss_cell, summary)


def accuracy_cell(value: float, reference: float | None) -> Text:
    """One accuracy in percent, coloured by how many points it lost against ``reference``
    (the diagonal); dim when not trained yet."""
    text = f"{100 * value:.1f}"
    if reference is None:
        return Text(text, style="dim")
    lost = 100 * (reference - value)
    style = "bold red" if lost >= LOST_POINTS else "yellow" if lost > 5 else "green"
    return Text(f"{text} {-lost:+.0f}" if lost > 5 else text, style=style)


def accuracy_matrix_table(
    matrix: Sequence[Sequence[float]], n_tasks: int, title: str | None = "test accuracy (%)"
) -> Table:
    """As loss_matrix_table, in accuracy percent; forgetting and BWT in accuracy points, and
    the average accuracy over the tasks at the end."""

    def summary(table: Table) -> None:
        forgot = metrics.accuracy_forgetting(matrix)
        table.add_row("forgot", *(f"{100 * f:+.1f}" for f in forgot), "")
        average, bwt = 100 * sum(matrix[-1]) / n_tasks, 100 * metrics.accuracy_bwt(matrix)
        table.caption = f"average {average:.1f}%\nBWT {bwt:+.1f} points"

    return _matrix_table(matrix, n_tasks, title, accuracy_cell, summary)


def _matrix_table(matrix, n_tasks: int, title: str | None, cell, summary) -> Table:
    """Rows: after training task i; columns: task j, each ``cell(value, diagonal)``; then
    ``summary`` adds forgetting and BWT when every task is done."""
    table = Table(title=title, title_justify="left", expand=False, padding=(0, 1))
    table.add_column("after", style="bold", no_wrap=True)
    for j in range(n_tasks):
        table.add_column(f"task {j + 1}", justify="right", no_wrap=True)
    for i, row in enumerate(matrix):
        cells = [
            cell(v, row[j] if j == i else matrix[j][j] if j < i else None)
            for j, v in enumerate(row)
        ]
        table.add_row(f"task {i + 1}", *cells)
    if len(matrix) == n_tasks and n_tasks > 1:
        table.add_section()
        summary(table)
        table.caption_justify = "left"
    return table


def comparison_table(
    summary: dict[str, dict], config: Config, n_seeds: int, wide: bool = False
) -> Table:
    """One row per method: task 1's and the last task's final test MSE as the median over
    seeds with its range below, task 1 against naive's, on how many seeds it beat naive,
    and the median of mean forgetting. ``wide`` adds the mean ± std and BWT (where they
    fit: fitted_comparison_table).

    Six narrow columns fit 80 columns with any number of tasks, even with ranges like
    0.0031–0.0078; every task's numbers are in the JSON."""
    n_tasks = config.data.n_tasks
    table = Table(
        title=f"{config.name}: final test MSE, median (range) over {n_seeds} seed(s)"
        + _scenarios(list(summary), config),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("method", style="bold", no_wrap=True)
    shown = [0, n_tasks - 1] if n_tasks > 1 else [0]
    for j in shown:
        table.add_column(f"task {j + 1}", justify="right", no_wrap=True)
        if wide:
            table.add_column("mean ± std", justify="right", no_wrap=True, style="dim")
    baseline = summary.get("naive", {}).get("final")
    numbers = (["vs naive", "wins"] if baseline else []) + ["forgetting"] + (["BWT"] * wide)
    for column in numbers:
        table.add_column(column, justify="right", no_wrap=True)
    for name, row in summary.items():
        final = row["final"]
        cells: list[Text | str] = []
        for j in shown:
            cells.append(_stats_cell(final[j]) if final else Text("failed", style="red"))
            if wide:
                cells.append(f"{final[j].mean:.2g} ± {final[j].std:.1g}" if final else "")
        if baseline and name == "naive":
            cells += ["", ""]
        elif baseline:
            cells += [_versus(final, baseline), f"{row['wins']}/{row['versus']}"]
        cells += [str(row["forgetting"])] + [str(row["bwt"])] * wide
        table.add_row(_method_cell(name, row), *cells)
    _caption(table, summary, n_seeds)
    return table


def accuracy_comparison_table(
    summary: dict[str, dict], config: Config, n_seeds: int, wide: bool = False
) -> Table:
    """A classification's comparison, in accuracy percent: one row per method, the average
    final accuracy over the tasks (the scenario papers' headline) and task 1's and the last
    task's, each the median over seeds with its range below; the average against naive's in
    points and on how many seeds it beat naive; forgetting in points (and BWT, ``wide``)."""
    n_tasks = config.data.n_tasks
    table = Table(
        title=f"{config.name} ({config.data.scenario}-incremental): final test accuracy %, "
        f"median (range) over {n_seeds} seed(s)" + _scenarios(list(summary), config),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("method", style="bold", no_wrap=True)
    shown = [0, n_tasks - 1] if n_tasks > 1 else [0]
    for column in ["average", *(f"task {j + 1}" for j in shown)]:
        table.add_column(column, justify="right", no_wrap=True)
    baseline = summary.get("naive", {}).get("average_accuracy")
    numbers = (["vs naive", "wins"] if baseline else []) + ["forgot"] + (["BWT"] * wide)
    for column in numbers:
        table.add_column(column, justify="right", no_wrap=True)
    for name, row in summary.items():
        done = row["average_accuracy"].seeds > 0
        cells: list[Text | str] = [
            _percent_cell(stats) if done else Text("failed", style="red")
            for stats in [row["average_accuracy"], *(row["accuracy"][j] for j in shown if done)]
        ]
        cells += [""] * (1 + len(shown) - len(cells))
        if baseline and name != "naive":
            gain = 100 * (row["average_accuracy"].median - baseline.median)
            cells += [points_versus(gain), f"{row['wins']}/{row['versus']}"]
        elif baseline:
            cells += ["", ""]
        cells.append(_points(row["accuracy_forgetting"]))
        cells += [_points(row["accuracy_bwt"])] * wide
        table.add_row(_method_cell(name, row), *cells)
    _caption(table, summary, n_seeds)
    return table


def _method_cell(name: str, row: dict) -> Text:
    aware = "task id" if methods.info(name).task_aware else ""  # the header says "given"
    notes = [aware, f"{row['failed']} diverged" if row["failed"] else ""]
    return Text.assemble(name, *(("\n" + n, "dim") for n in notes if n))


def _caption(table: Table, summary: dict[str, dict], n_seeds: int) -> None:
    low, high = (f"{f(row['seconds'] for row in summary.values()):.2g}" for f in (min, max))
    took = f"{low} s" if low == high else f"{low} to {high} s"
    table.caption = f"a method's {n_seeds} seed(s) trained together in {took}"
    if n_seeds > 1:
        classes = "accuracy" in next(iter(summary.values()), {})
        table.caption = f"{PER_SEED}; {WINS[classes]}\n{table.caption}"
    table.caption_justify = "left"


def _percent_cell(stats) -> Text:
    """A median accuracy in percent, its range over seeds dim below."""
    spread = f"{100 * stats.low:.0f}–{100 * stats.high:.0f}" if stats.seeds > 1 else ""
    return Text.assemble(f"{100 * stats.median:.1f}", *(("\n", (spread, "dim")) if spread else ()))


def _points(stats) -> str:
    return f"{100 * stats.median:+.1f}" if stats.seeds else "–"


def fitted_comparison_table(
    summary: dict[str, dict], config: Config, n_seeds: int, width: int
) -> Table:
    """The wide table where it fits ``width`` columns whole, else the narrow one: rich
    would squeeze the wide one's columns and cut numbers and headers with "…"."""
    classes = "accuracy" in next(iter(summary.values()), {})
    table = accuracy_comparison_table if classes else comparison_table
    wide = table(summary, config, n_seeds, wide=True)
    needed = Console(width=10_000).measure(wide).maximum
    return wide if needed <= width else table(summary, config, n_seeds)


def _scenarios(names: list[str], config: Config) -> str:
    """A header note when the methods compared do not all see the same inputs (a 2-D
    preset's scenario says what every method is told)."""
    aware = [name for name in names if methods.info(name).task_aware]
    if config.data.scenario or not aware or len(aware) == len(names):
        return ""
    return f"\nmixed scenarios: {', '.join(aware)} are told each input's task (task id given)"


def _stats_cell(stats) -> Text:
    """The median, and the range over seeds dim on the line below (when there are seeds)."""
    return Text.assemble(str(stats), *(("\n", (stats.range, "dim")) if stats.range else ()))


def _versus(final, baseline) -> Text:
    """How much lower task 1's median final MSE is than naive's."""
    return versus(final[0].median, baseline[0].median) if final else Text("")


def points_versus(gain: float) -> Text:
    """An accuracy's gain over naive's in points, green where it gains 10 or more."""
    style = "green" if gain >= 10 else "red" if gain < 0 else "yellow"
    return Text("±0 pts" if abs(gain) < 0.5 else f"{gain:+.0f} pts", style=style)


def versus(mse: float, naive_mse: float) -> Text:
    """``mse`` against naive's as a change in percent, green where it cuts a third or more."""
    cut = 1 - mse / naive_mse
    style = "green" if cut >= 0.3 else "red" if cut < 0 else "yellow"
    return Text("±0%" if abs(cut) < 0.005 else f"{-cut:+.0%}", style=style)
