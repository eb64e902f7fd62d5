"""The headless tables as a reader meets them: every number and header whole at any width
from 80 columns up, and, over seeds, two forgetting figures that say which is which."""

import json
import statistics

import pytest
from rich.console import Console

from cftui import cli
from cftui.results import report
from cftui.results.summary import Stats
from cftui.train import catalog, methods, metrics


def _stats(value: float) -> Stats:
    return Stats(value, value * 0.3, value * 3.1, value * 1.2, value * 0.9, 4)


def all_methods_summary() -> dict[str, dict]:
    """Every method over 4 seeds, with numbers as long as real runs print (0.00312,
    -0.00531, ranges like 0.00094–0.0097), one of them with a diverged seed."""
    summary = {}
    for k, name in enumerate(methods.names()):
        value = 0.0031234 * (k + 1)
        summary[name] = {
            "final": [_stats(value * (j + 1)) for j in range(3)],
            "forgetting": _stats(value * 1.7),
            "bwt": Stats(-value * 1.7, -value * 5, -value, -value, value, 4),
            "seconds": 12.3,
            "wins": 3,
            "versus": 4,
            "failed": int(name == "si"),
        }
    return summary


@pytest.mark.parametrize("width", range(80, 201, 3))
def test_the_comparison_shows_whole_numbers_and_headers_at_every_width(width):
    summary = all_methods_summary()
    console = Console(width=width, record=True)
    console.print(report.fitted_comparison_table(summary, catalog.resolve("hypercl-toy"), 4, width))
    text = console.export_text()
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    for header in ("method", "task 1", "task 3", "vs naive", "wins", "forgetting"):
        assert header in text
    for row in summary.values():
        assert str(row["forgetting"]) in text and str(row["final"][0]) in text
    header = next(line for line in text.splitlines() if "method" in line)
    assert ("BWT" in header) == ("mean ± std" in header)  # the wide table whole, or narrow
    if width >= 130:  # where the wide one fits
        assert str(summary["naive"]["bwt"]) in text


def test_over_seeds_each_forgetting_figure_says_what_it_is(tmp_path, capsys):
    """The matrix's forgot row is of the median losses; the summary's forgetting is the
    median of each seed's own. They differ, and each is labelled, with its own number."""
    out = tmp_path / "r.json"
    flags = ["--preset", "rbf", "--method", "ewc", "--epochs", "20", "--seeds", "4"]
    assert cli.main(["run", *flags, "--json", str(out)]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    runs = json.loads(out.read_text())["runs"]
    matrices = [run["loss_matrix"] for run in runs]
    median = [[statistics.median(m[i][j] for m in matrices) for j in range(2)] for i in range(2)]
    of_median = metrics.forgetting(median)[0]
    per_seed = statistics.median(run["forgetting"][0] for run in runs)
    assert abs(of_median - per_seed) > 1e-4  # two figures, as the issue saw them
    assert f"forgot │ {of_median:+.4g}" in printed
    assert report.OF_MEDIANS in printed
    assert f"{per_seed:.3g}" in printed and report.PER_SEED in printed
