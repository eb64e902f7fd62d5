"""Methods side by side: robust statistics over seeds, wins over naive, a table for 80 columns."""

import dataclasses

import pytest
from rich.console import Console

from cftui.results import report
from cftui.results.summary import Outcome, Stats, summarize


def outcome(method, seed, task1, last=0.01, state="finished"):
    return Outcome(method, seed, [[0.01, 2.0], [task1, last]], seconds=1.0, state=state)


def test_stats_are_the_median_range_mean_and_std_of_the_finite_values():
    stats = Stats.of([0.1, 0.3, 10.0, float("nan")])  # one bad seed, one failed
    assert (stats.median, stats.low, stats.high, stats.seeds) == (0.3, 0.1, 10.0, 3)
    assert stats.mean == pytest.approx(10.4 / 3)
    assert stats.std == pytest.approx(
        ((0.1 - 10.4 / 3) ** 2 + (0.3 - 10.4 / 3) ** 2 + (10 - 10.4 / 3) ** 2) ** 0.5 / 3**0.5
    )
    assert str(stats) == "0.3" and stats.range == "0.1–10"
    assert Stats.of([0.5]).range == ""  # one seed has no spread to show
    assert Stats.of([]).seeds == 0


def test_wins_count_the_seeds_where_task_1_ends_lower_than_naive_on_the_same_seed():
    outcomes = [
        outcome("naive", 0, 1.0), outcome("naive", 1, 0.2), outcome("naive", 2, 0.9),
        outcome("ewc", 0, 0.5), outcome("ewc", 1, 0.3), outcome("ewc", 2, 0.1),
        outcome("l2", 0, float("nan"), state="diverged"), outcome("l2", 1, 0.1),
    ]  # fmt: skip
    summary = summarize(outcomes)
    assert (summary["ewc"]["wins"], summary["ewc"]["versus"]) == (2, 3)  # seed 1: 0.3 > 0.2
    assert summary["ewc"]["final"][0].median == 0.3
    assert (summary["l2"]["wins"], summary["l2"]["versus"], summary["l2"]["failed"]) == (1, 1, 1)
    # mean forgetting of one run: L[1][0] - L[0][0]; BWT its negative for two tasks
    assert summary["naive"]["forgetting"].median == pytest.approx(0.89)
    assert summary["naive"]["bwt"].median == pytest.approx(-0.89)


def test_a_win_is_by_a_margin_not_a_hair():
    """Task 1 at least 10 % below naive's on the same seed; for classes, an average accuracy
    at least 2 points above (EWC's +0 points on blobs-class had counted as wins)."""
    outcomes = [
        outcome("naive", 0, 1.0), outcome("naive", 1, 1.0),
        outcome("ewc", 0, 0.95), outcome("ewc", 1, 0.9),  # a hair, then 10 % below
    ]  # fmt: skip
    assert summarize(outcomes)["ewc"]["wins"] == 1

    def accurate(method, seed, average):  # three tasks, the last row averaging ``average``
        return dataclasses.replace(
            outcome(method, seed, 1.0),
            accuracy_matrix=[[1.0, 0, 0], [0, 1.0, 0], [0, 0, 3 * average]],
        )

    classes = [accurate("naive", 0, 0.30), accurate("ewc", 0, 0.31), accurate("replay", 0, 0.33)]
    summary = summarize(classes)
    assert (summary["ewc"]["wins"], summary["replay"]["wins"]) == (0, 1)


@pytest.mark.parametrize("n_tasks", [2, 3, 12])
def test_the_comparison_table_fits_80_columns_without_cutting_a_number(tiny, n_tasks):
    config = dataclasses.replace(tiny, data=dataclasses.replace(tiny.data, n_tasks=n_tasks))
    outcomes = [
        Outcome(m, seed, [[0.0123456] * n_tasks] * n_tasks, 1.0, "finished")
        for m in ("naive", "online_ewc", "replay") for seed in range(5)
    ]  # fmt: skip
    console = Console(width=80, record=True)
    console.print(report.comparison_table(summarize(outcomes), config, n_seeds=5))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text and "online_ewc" in text and "0/5" in text
    assert "0.0123" in text and "0.012–0.012" in text  # the median, its range below
    wide = Console(width=130, record=True)
    wide.print(report.comparison_table(summarize(outcomes), config, 5, wide=True))
    wide_text = wide.export_text()
    assert "mean ± std" in wide_text and "0.012 ± 0" in wide_text
    assert "BWT" in wide_text and "BWT" not in text  # at 80 columns forgetting alone


def test_a_comparison_that_mixes_scenarios_says_so(tiny):
    def table_text(names):
        outcomes = [Outcome(m, 0, [[0.1, 1.0], [0.5, 0.1]], 1.0, "finished") for m in names]
        console = Console(width=80, record=True)
        console.print(report.comparison_table(summarize(outcomes), tiny, n_seeds=1))
        return console.export_text()

    mixed = table_text(["naive", "ewc", "packnet", "hnet"])
    words = " ".join(mixed.split())
    assert "mixed scenarios: packnet, hnet are told each input's task (task id given)" in words
    assert "a method's 1 seed(s) trained together in 1 s" in words
    lines = [line.strip() for line in mixed.splitlines()]
    below = {line.split()[0]: lines[i + 1] for i, line in enumerate(lines[:-1]) if line}
    assert below["packnet"].startswith("task id") and below["hnet"].startswith("task id")
    assert not below["ewc"].startswith("task id")
    assert "mixed scenarios" not in table_text(["naive", "ewc"])
    assert "mixed scenarios" not in table_text(["multihead", "packnet"])


def test_one_task_has_no_forgetting_to_report():
    outcomes = [Outcome("naive", s, [[0.5]], 1.0, "finished") for s in range(3)]
    row = summarize(outcomes)["naive"]
    assert row["forgetting"].seeds == 0 and row["bwt"].seeds == 0  # undefined, not 0
    assert row["final"][0].median == 0.5
