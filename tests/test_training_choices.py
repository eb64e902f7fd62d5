"""How a run trains, where papers differ: the optimizer's lifetime, minibatches that never
wobble on a short tail, and what the test MSE is measured on."""

import dataclasses

import numpy as np
import pytest
import torch

from cftui.train import catalog, expr
from cftui.train.per_seed import draws
from cftui.train.run_state import Batches
from cftui.train.tasks import make_tasks
from cftui.train.trainer import Trainer

from conftest import small


def with_train(config, **train):
    return dataclasses.replace(config, train=dataclasses.replace(config.train, **train))


def until_task(trainer: Trainer, task: int) -> None:
    while trainer.now.task < task:
        next(trainer.loop)


@pytest.mark.parametrize(
    ("method", "lifetime", "resolved"),
    [
        ("naive", "method", "run"),  # the article: one Adam for the whole run
        ("hnet", "method", "task"),  # hypercl makes new optimizers at every task
        ("hnet", "run", "run"),  # the preset decides over the method
        ("naive", "task", "task"),
    ],
)
def test_the_optimizer_lifetime_is_the_presets_or_the_methods(tiny, method, lifetime, resolved):
    config = with_train(tiny.with_overrides(method=method), optimizer_lifetime=lifetime)
    assert config.optimizer_lifetime == resolved


def test_a_fresh_optimizer_is_empty_at_a_tasks_first_step_and_moves_each_weight_by_lr(tiny):
    fresh = Trainer(with_train(tiny, optimizer_lifetime="task"))
    kept = Trainer(with_train(tiny, optimizer_lifetime="run"))
    for engine in (fresh, kept):
        until_task(engine, 1)
    assert fresh.now.optimizer.state == {}  # nothing of task 1's moments
    assert len(kept.now.optimizer.state) == len(list(kept.now.model.parameters()))
    before = [p.detach().clone() for p in fresh.now.model.parameters()]
    next(fresh.loop)
    # Adam's first step is lr * g / (|g| + eps): lr for every weight with a real gradient
    moved = torch.cat(
        [
            (p.detach() - b).abs().flatten()
            for p, b in zip(fresh.now.model.parameters(), before, strict=True)
        ]
    )
    assert moved.max().item() == pytest.approx(0.01, rel=1e-4)
    assert torch.quantile(moved, 0.5).item() == pytest.approx(0.01, rel=1e-2)


def test_the_same_run_otherwise(tiny):
    """Task 1 trains the same either way: only what happens at a switch differs."""
    fresh = Trainer(with_train(tiny, optimizer_lifetime="task")).run()
    kept = Trainer(with_train(tiny, optimizer_lifetime="run")).run()
    assert fresh.loss_matrix[0] == kept.loss_matrix[0]
    assert fresh.loss_matrix[1] != kept.loss_matrix[1]


def index_batches(n: int, batch_size: int, seeds=(0, 1)) -> Batches:
    """Batches over points whose x is their own index, so a batch shows what it took."""
    x = torch.arange(n, dtype=torch.float32).expand(len(seeds), n).unsqueeze(-1)
    return Batches(x, x.clone(), batch_size, draws(seeds))


def test_every_minibatch_is_whole_and_the_stream_takes_every_point_before_repeating():
    batches = index_batches(100, 32)
    assert batches.per_epoch == 4  # ceil(100 / 32)
    taken, ends = [], []
    for _ in range(3 * batches.per_epoch):
        x, _ = batches.next()
        assert x.shape == (2, 32, 1)  # never the 4-point tail
        taken.append(x.squeeze(-1).long())
        ends.append(batches.epoch_done)
    assert ends == [False, False, False, True] * 3
    stream = torch.cat(taken, dim=1)  # [S, 384]
    for s in range(2):
        assert sorted(stream[s, :100].tolist()) == list(range(100))  # a whole permutation
        assert sorted(stream[s, 100:200].tolist()) == list(range(100))  # then another
    assert not torch.equal(stream[0], stream[1])  # each seed its own order


def test_rest_of_epoch_counts_down_to_a_whole_epoch():
    batches = index_batches(100, 32)
    rests = []
    for _ in range(5):
        rests.append(batches.rest_of_epoch)
        batches.next()
    assert rests == [4, 3, 2, 1, 4]


def test_a_full_batch_is_every_point_every_step():
    batches = index_batches(10, 0)
    for _ in range(3):
        x, _ = batches.next()
        assert x.shape == (2, 10, 1) and batches.epoch_done and batches.rest_of_epoch == 1


def test_grid_test_points_are_noise_free_evenly_spaced_and_the_training_points_the_same():
    data = small(catalog.resolve("hypercl-toy")).data
    held = make_tasks(data)
    grid = make_tasks(dataclasses.replace(data, test_points="grid"))
    for h, g, text in zip(held, grid, data.functions, strict=True):
        n_test = round(data.points_per_task * data.test_fraction)
        np.testing.assert_array_equal(g.x_test, np.linspace(*g.x_range, n_test))
        np.testing.assert_array_equal(g.y_test, expr.evaluate(text, g.x_test))  # no noise
        np.testing.assert_array_equal(g.x_train, h.x_train)
        np.testing.assert_array_equal(g.y_train, h.y_train)
        assert not np.allclose(h.y_test, expr.evaluate(text, h.x_test))  # these are noisy
