"""Several methods side by side (a Runner of several trainers), headless: the same data,
initial weights and batch order for every run; they move on together; one diverging does not
stop the rest."""

import dataclasses
import threading

import numpy as np
import pytest
import torch
from threads import start as running
from threads import stop, wait_for

from cftui.live.runner import Runner
from cftui.train import catalog
from cftui.train.snapshot import Command, State
from cftui.train.trainer import Trainer

from conftest import small


def minibatch(config, batch_size=16):
    return dataclasses.replace(
        config, train=dataclasses.replace(config.train, batch_size=batch_size)
    )


def sgd(config, lr):
    return dataclasses.replace(
        config, train=dataclasses.replace(config.train, optimizer="sgd", lr=lr)
    )


def test_every_run_starts_from_the_same_data_and_weights(tiny):
    lockstep = Runner(tiny, methods=["naive", "l2", "ewc"])
    first = lockstep.trainers[0]
    for engine in lockstep.trainers[1:]:
        for a, b in zip(first.data.tasks[0], engine.data.tasks[0], strict=True):
            assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_train, b.y_train)
        weights = zip(first.now.model.parameters(), engine.now.model.parameters(), strict=True)
        assert all(torch.equal(a, b) for a, b in weights)


@pytest.mark.parametrize("methods", [("naive", "ewc"), ("joint", "naive", "replay")])
def test_a_run_side_by_side_equals_the_same_run_alone(tiny, methods):
    """Same data, weights and minibatch order, and no run disturbs another: each run's
    loss matrix is exactly what its method gives alone (joint's epochs have more batches:
    the others wait for it at each task's end)."""
    config = minibatch(tiny)
    together = Runner(config, methods=methods).run()
    assert together.state is State.FINISHED
    for name, snap in zip(methods, together.runs, strict=True):
        alone = Trainer(config.with_overrides(method=name)).run()
        assert snap.scene.config.method.name == name
        assert snap.loss_matrix == alone.loss_matrix and snap.step == alone.step


def test_runs_wait_for_each_other_and_n_moves_them_all(tiny):
    config = minibatch(tiny)  # joint trains task 2 on both tasks: more batches per epoch
    lockstep = Runner(config, methods=["naive", "joint"], auto_advance=False)
    thread = running(lockstep)
    try:
        snap = wait_for(lockstep, lambda c: c.state is State.TASK_DONE)
        assert [run.epoch for run in snap.runs] == [tiny.train.epochs] * 2
        assert all(run.state is State.TASK_DONE for run in snap.runs)
        lockstep.send(Command.NEXT_TASK)
        snap = wait_for(lockstep, lambda c: c.state is State.FINISHED)
        assert [run.task for run in snap.runs] == [1, 1]
        assert [len(run.loss_matrix) for run in snap.runs] == [2, 2]
        steps = [run.step for run in snap.runs]
        assert steps[1] > steps[0]  # joint trained more steps, and naive waited for it
    finally:
        stop(lockstep, thread)


def test_n_ends_every_runs_task_early_and_pause_and_one_epoch_act_on_all(tiny):
    config = tiny.with_overrides(epochs=100_000)
    lockstep = Runner(config, methods=["naive", "l2", "si"], pace=None)
    thread = running(lockstep)
    try:
        wait_for(lockstep, lambda c: all(run.step >= 5 for run in c.runs))
        lockstep.send(Command.TOGGLE_PAUSE)
        snap = wait_for(lockstep, lambda c: c.state is State.PAUSED)
        assert all(run.state is State.PAUSED for run in snap.runs)
        lockstep.send(Command.NEXT_TASK)  # the task ends early; paused, they stay paused
        snap = wait_for(lockstep, lambda c: all(run.task == 1 for run in c.runs))
        assert snap.state is State.PAUSED and all(run.state is State.PAUSED for run in snap.runs)
        assert all(len(run.loss_matrix) == 1 and run.epoch == 0 for run in snap.runs)
        steps = [run.step for run in snap.runs]
        assert len(set(steps)) == 1  # full batch: every run ended task 1 at the same step
        lockstep.send(Command.STEP_EPOCH)
        snap = wait_for(lockstep, lambda c: all(run.epoch == 1 for run in c.runs))
        assert [run.step for run in snap.runs] == [s + 1 for s in steps]
        assert snap.state is State.PAUSED
    finally:
        stop(lockstep, thread)


def test_a_diverging_run_is_marked_and_the_others_finish(tiny):
    """L2 with an absurd strength under SGD blows up in task 2; naive finishes as alone."""
    config = sgd(tiny, 0.1).with_overrides(settings={"l2": {"lambda": 1e30}})
    snap = Runner(config, methods=["naive", "l2"]).run()
    naive, l2 = snap.runs
    assert l2.state is State.DIVERGED and "of task 2" in l2.message
    assert naive.state is State.FINISHED and snap.state is State.FINISHED
    assert naive.loss_matrix == Trainer(config).run().loss_matrix
    assert snap.message.startswith("l2: the loss became")


def test_with_seeds_each_curve_is_the_median_inside_its_band(tiny):
    snap = Runner(tiny, methods=["naive", "ewc"], seeds=range(3)).run()
    for run in snap.runs:
        low, high = run.loss_band
        assert low.shape == high.shape == run.test_losses.shape
        assert np.all(low <= run.test_losses) and np.all(run.test_losses <= high)
        assert np.any(low < high)  # three data draws differ
    engine = Trainer(tiny, seeds=range(3))  # the band is the min and max over the seeds
    alone = engine.run()
    _, losses = engine.now.history.views()
    assert np.array_equal(alone.loss_band[0], losses.min(1))
    assert np.array_equal(alone.loss_band[1], losses.max(1))
    assert np.array_equal(alone.test_losses, np.median(losses, 1))
    assert Trainer(tiny).run().loss_band is None  # one seed: no band


def test_restart_reruns_every_method_with_the_new_config(tiny):
    lockstep = Runner(tiny, methods=["naive", "ewc"])
    thread = running(lockstep)
    try:
        wait_for(lockstep, lambda c: c.state is State.FINISHED)
        lockstep.send(Command.RESET, tiny.with_overrides(epochs=3))
        snap = wait_for(lockstep, lambda c: c.run == 1 and c.state is State.FINISHED)
    finally:
        stop(lockstep, thread)
    assert [run.scene.config.method.name for run in snap.runs] == ["naive", "ewc"]
    assert all(run.scene.config.train.epochs == 3 for run in snap.runs)
    assert [run.step for run in snap.runs] == [6, 6]


def test_a_run_waiting_at_its_tasks_end_stays_paused_when_n_moves_it_on():
    """Paused while joint still trains task 2 (naive, with fewer batches, waits at its end):
    n moves both to task 3, and both stay paused there."""
    config = minibatch(small(catalog.resolve("hypercl-toy"), epochs=4))
    lockstep = Runner(config, methods=["naive", "joint"], auto_advance=False, pace=2.0)
    thread = running(lockstep)
    try:
        lockstep.send(Command.SET_PACE, None)
        wait_for(lockstep, lambda c: c.state is State.TASK_DONE)
        lockstep.send(Command.SET_PACE, 2.0)  # joint's task 2 now takes 2 s, naive's 1 s
        lockstep.send(Command.NEXT_TASK)
        wait_for(lockstep, lambda c: [r.state for r in c.runs] == [State.TASK_DONE, State.RUNNING])
        lockstep.send(Command.TOGGLE_PAUSE)
        lockstep.send(Command.NEXT_TASK)
        snap = wait_for(lockstep, lambda c: all(run.task == 2 for run in c.runs))
        assert [run.state for run in snap.runs] == [State.PAUSED, State.PAUSED]
        assert snap.state is State.PAUSED
    finally:
        stop(lockstep, thread)


def test_mid_task_every_published_run_stands_at_the_same_step(tiny):
    """Full batch, one step per epoch each: whenever the comparison is published, every run
    is at the same step and has been measured at the same steps (not each at its own last
    publish)."""
    config = tiny.with_overrides(epochs=100_000)
    seen = []
    lockstep = Runner(config, methods=["naive", "ewc", "si", "replay"], pace=200.0)
    thread = threading.Thread(target=lockstep.run, args=(seen.append, False), daemon=True)
    thread.start()
    try:
        wait_for(lockstep, lambda c: c.runs[0].step >= 200)  # a second: 5 publishes
    finally:
        stop(lockstep, thread)
    training = [c for c in seen if c.state is State.RUNNING and c.runs[0].step > 0]
    assert len(training) >= 3
    for comparison in training:
        assert len({run.step for run in comparison.runs}) == 1
        assert len({len(run.steps) for run in comparison.runs}) == 1
        first = comparison.runs[0].test_losses[-1]  # task 1 in training: naive == ewc == si
        assert all(np.array_equal(run.test_losses[-1], first) for run in comparison.runs[:3])
