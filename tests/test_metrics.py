import pytest

from cftui.train import metrics

# After task 1: task 1 at 0.01. After task 2: task 1 at 0.5 (forgotten), task 2 at 0.02.
# After task 3: task 1 at 0.3, task 2 at 0.4, task 3 at 0.03.
L = [
    [0.01, 2.0, 3.0],
    [0.5, 0.02, 4.0],
    [0.3, 0.4, 0.03],
]


def test_forgetting_against_the_best_earlier_loss():
    # task 1: 0.3 - min(0.01, 0.5); task 2: 0.4 - min(0.02)
    assert metrics.forgetting(L) == pytest.approx([0.29, 0.38])


def test_backward_transfer():
    # mean of (0.01 - 0.3, 0.02 - 0.4)
    assert metrics.backward_transfer(L) == pytest.approx((-0.29 - 0.38) / 2)


def test_single_task_has_no_forgetting():
    assert metrics.forgetting([[0.1]]) == []
    assert metrics.backward_transfer([[0.1]]) is None
