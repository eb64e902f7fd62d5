"""Rich tables of a run's loss matrix, shared by the headless CLI and the TUI.

A cell is coloured by how it compares with the diagonal (the loss on that task right after
training it): red where the task has been forgotten, green where it held or improved.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from cftui import metrics
from cftui.config import Config

FORGOT = 2.0  # a loss this many times its value right after training counts as forgotten


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
    table = Table(title=title, title_justify="left", expand=False, padding=(0, 1))
    table.add_column("after", style="bold", no_wrap=True)
    for j in range(n_tasks):
        table.add_column(f"task {j + 1}", justify="right", no_wrap=True)
    for i, row in enumerate(matrix):
        cells = [
            loss_cell(v, row[j] if j == i else matrix[j][j] if j < i else None)
            for j, v in enumerate(row)
        ]
        table.add_row(f"task {i + 1}", *cells)
    if len(matrix) == n_tasks and n_tasks > 1:
        forgetting = metrics.forgetting(matrix)
        table.add_section()
        table.add_row("forgot", *(f"{f:+.4g}" for f in forgetting), "")
        table.caption = f"BWT {metrics.backward_transfer(matrix):+.4g}"
        table.caption_justify = "left"
    return table


def comparison_table(summary: dict[str, dict], config: Config, n_seeds: int) -> Table:
    """One row per method: mean ± std over seeds, and task 1's final MSE against naive's."""
    n_tasks = config.data.n_tasks
    table = Table(
        title=f"{config.name}: test MSE after the last task, mean ± std over {n_seeds} seed(s)",
        title_justify="left",
    )
    table.add_column("method", style="bold", no_wrap=True)
    for j in range(n_tasks):
        table.add_column(f"task {j + 1}", justify="right")
    baseline = summary.get("naive")
    if baseline:
        table.add_column("task 1 vs naive", justify="right")
    for column in ("forgetting", "BWT", "seconds"):
        table.add_column(column, justify="right")
    for name, row in summary.items():
        cells = [str(s) for s in row["final"]] or ["failed"] * n_tasks
        if baseline:
            cut = (
                1 - row["final"][0].mean / baseline["final"][0].mean
                if row["final"]
                else float("nan")
            )
            style = "green" if cut >= 0.3 else "red" if cut < 0 else "yellow"
            cells.append(Text(f"{-cut:+.0%}", style=style))
        cells += [str(row["forgetting"]), str(row["bwt"]), f"{row['seconds'].mean:.2f}"]
        if row["failed"]:
            name = f"{name} ({row['failed']} diverged)"
        table.add_row(name, *cells)
    return table
