"""The side-by-side table's scores (results/scores.py), shared by the app and the figure."""

import math

import pytest

from cftui.results import scores


@pytest.mark.parametrize(
    ("values", "pick", "best"),
    [
        ([1.0, 2.0, math.nan], max, 1),
        ([3.0, 1.0, 2.0], min, 1),
        ([0.0, 0.0, 0.0], max, None),  # after task 1, everyone's 0 % on task 2: no one is best
        ([3.0, 1.0, 1.0], min, None),  # a shared best is no one's
        ([math.nan, 1.0], min, None),  # one finite value: nothing to compare
        ([2.0, 2.0, 5.0], min, None),
        ([2.0, 2.0, 5.0], max, 2),
    ],
)
def test_the_best_of_a_column_is_one_finite_value_better_than_every_other(values, pick, best):
    assert scores.best_of(values, pick) == best
