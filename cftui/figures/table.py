"""The side-by-side table as a figure, as the app's summary table: every task's test score
now, against naive's, mean forgetting and BWT, the best of each column in bold. A
regression's score is its test MSE (task 1 against naive's in percent); a classification's
its accuracy in percent (the average against naive's, forgetting and BWT in points), the
number the app puts first.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from cftui.figures.style import rc
from cftui.results import scores
from cftui.train.snapshot import Snapshot

TABLE_PT = 10  # the table's text, as matplotlib's default where every column fits


def summary(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """The side-by-side table: the best of each column in bold."""
    score, n_tasks = scores.of(runs[0]), len(runs[0].scene.tasks)
    unit = f" ({score.against_unit})" if score.against_unit == "pts" else ""  # accuracy's
    header = [*(f"task {j + 1}" for j in range(n_tasks)), f"forgetting{unit}", f"BWT{unit}"]
    best = [score.best] * n_tasks + [min, max]
    rows = [[*(now := score.now(snap)), *score.standing(snap, now)] for snap in runs]
    values = np.array(rows, dtype=float).reshape(len(runs), -1)
    names = [snap.scene.config.method.name for snap in runs]
    if "naive" in names:  # as the app's table
        naive = values[names.index("naive"), :n_tasks]
        versus = [
            math.nan if name == "naive" else score.against(row[:n_tasks], naive)
            for name, row in zip(names, values, strict=True)
        ]
        values = np.insert(values, n_tasks, versus, axis=1)
        header.insert(n_tasks, f"{score.versus_title} ({score.against_unit})")
        best.insert(n_tasks, score.best)
    ax = fig.add_subplot()
    ax.axis("off")
    cells = [[f"{v:.3g}" if math.isfinite(v) else "—" for v in row] for row in values]
    table = ax.table(
        cellText=cells, rowLabels=names, colLabels=header, loc="center", cellLoc="right"
    )
    table.auto_set_font_size(False)  # its shrink to fit goes down to 1 pt, which FreeType
    table.set_fontsize(TABLE_PT)  # refuses at a low dpi (5 tasks side by side at --dpi 30):
    table.auto_set_column_width(range(-1, len(header)))  # the columns fit the text instead
    table.scale(1, 1.6)
    for (row, col), cell in table.get_celld().items():
        cell.set_facecolor("none")
        cell.set_edgecolor(rc(style)["axes.edgecolor"])
        cell.get_text().set_color(rc(style)["text.color"])
        if row > 0 and col >= 0 and scores.best_of(list(values[:, col]), best[col]) == row - 1:
            cell.get_text().set_fontweight("bold")
    what = f"each task's {score.title(runs[0])} now, {score.versus_title}'s"
    ax.set_title(f"{what}, mean forgetting and BWT (bold: the best)", fontsize="medium")
