import dataclasses
import threading
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from threads import start, stop, wait_for

from cftui.live import runner
from cftui.live.pacing import Pace
from cftui.live.runner import PUBLISH_HZ, Runner
from cftui.train import model
from cftui.train.per_seed import stacked
from cftui.train.snapshot import Command, State
from cftui.train.tasks import make_tasks
from cftui.train.trainer import Trainer


def test_the_trainer_is_the_article_loop(polynomial):
    """Naive training through the trainer equals a bare torch loop, number for number (with
    the optimizer that model.optimizer builds: fused Adam on a CPU)."""
    config = dataclasses.replace(polynomial, train=dataclasses.replace(polynomial.train, epochs=15))
    engine = Trainer(config)
    engine.run()
    cpu = torch.device("cpu")
    net = model.build(config.model.layers, "sigmoid", [config.data.seed], cpu)
    adam = model.optimizer("adam", net.parameters(), lr=0.01)
    for task in make_tasks(config.data):
        x, y = stacked(task.x_train[None], cpu), stacked(task.y_train[None], cpu)
        for _ in range(15):
            adam.zero_grad()
            F.mse_loss(net(x), y).backward()
            adam.step()
    for ours, theirs in zip(engine.now.model.parameters(), net.parameters(), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_same_seed_same_numbers(tiny):
    a, b = Trainer(tiny).run(), Trainer(tiny).run()
    np.testing.assert_array_equal(a.test_losses, b.test_losses)
    assert a.loss_matrix == b.loss_matrix
    other = Trainer(tiny.with_overrides(seed=1)).run()
    assert other.loss_matrix != a.loss_matrix


def test_run_records_the_loss_matrix_and_boundaries(tiny):
    engine = Trainer(tiny)
    snap = engine.run()
    assert snap.state is State.FINISHED
    assert snap.step == 2 * tiny.train.epochs
    assert snap.boundaries == (tiny.train.epochs,)
    assert len(snap.loss_matrix) == 2 and len(snap.ghosts) == 2
    # row i is what the history said at the end of task i
    end_of_task_1 = list(snap.steps).index(tiny.train.epochs)
    np.testing.assert_array_equal(snap.loss_matrix[0], snap.test_losses[end_of_task_1])
    np.testing.assert_array_equal(snap.loss_matrix[1], snap.test_losses[-1])
    assert snap.steps[0] == 0  # the losses at initialisation come first
    assert snap.fit.shape == engine.measure.grid.shape
    # the reported test MSE is the mean squared error over each task's test points
    with torch.no_grad():
        for j, task in enumerate(engine.tasks):
            x, y = (
                stacked(task.x_test[None], engine.device),
                stacked(task.y_test[None], engine.device),
            )
            assert snap.loss_matrix[1][j] == pytest.approx(
                F.mse_loss(engine.now.model(x), y).item()
            )


def test_minibatches_make_several_steps_per_epoch(tiny):
    config = dataclasses.replace(tiny, train=dataclasses.replace(tiny.train, batch_size=32))
    engine = Trainer(config)
    assert engine.now.batches.per_epoch == 3  # 80 training points
    assert engine.run().step == 2 * 3 * config.train.epochs


def test_an_epoch_of_joint_training_covers_every_task_so_far(tiny):
    """Joint's task 2 trains on 160 points: 5 batches of 32 per epoch, not the task's 3."""
    config = dataclasses.replace(tiny, train=dataclasses.replace(tiny.train, batch_size=32))
    engine = Trainer(config.with_overrides(method="joint"))
    assert engine.run().step == (3 + 5) * config.train.epochs
    assert engine.now.batches.per_epoch == 5


def test_snapshots_are_immutable_and_stay_valid(tiny):
    """A snapshot's arrays, copied the moment it was published, are unchanged when the run
    has gone on to the end (the history it views is only ever appended to)."""
    seen, copies = [], []

    def publish(snap):
        seen.append(snap)
        copies.append((snap.test_losses.copy(), snap.steps.copy()))

    Runner(tiny).run(publish)
    first = seen[1]
    assert not first.test_losses.flags.writeable
    assert len(first.steps) < len(seen[-1].steps)
    for snap, (losses, steps) in zip(seen, copies, strict=True):
        np.testing.assert_array_equal(snap.test_losses, losses)
        np.testing.assert_array_equal(snap.steps, steps)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.step = 3


def test_task_done_waits_for_next_task(tiny):
    engine = Runner(tiny, auto_advance=False)
    thread = start(engine)
    snap = wait_for(engine, lambda s: s.state is State.TASK_DONE)
    assert snap.task == 0 and snap.step == tiny.train.epochs and len(snap.loss_matrix) == 1
    time.sleep(0.05)
    assert engine.snapshot.step == tiny.train.epochs  # it waits
    engine.send(Command.NEXT_TASK)
    snap = wait_for(engine, lambda s: s.state is State.FINISHED)
    assert snap.task == 1 and len(snap.loss_matrix) == 2
    stop(engine, thread)


def test_pause_step_epoch_and_early_switch(tiny):
    config = dataclasses.replace(tiny, train=dataclasses.replace(tiny.train, batch_size=32))
    engine = Runner(config, auto_advance=False, pace=20)
    engine.send(Command.TOGGLE_PAUSE)
    thread = start(engine)
    snap = wait_for(engine, lambda s: s.state is State.PAUSED)
    assert snap.step == 0
    engine.send(Command.STEP_EPOCH)
    snap = wait_for(engine, lambda s: s.epoch == 1)
    time.sleep(0.2)
    assert engine.snapshot.step == 3 and engine.snapshot.state is State.PAUSED
    engine.send(Command.NEXT_TASK)  # an early switch records the row where it stands
    snap = wait_for(engine, lambda s: s.task == 1)
    assert snap.boundaries == (3,) and len(snap.loss_matrix) == 1
    at_switch = np.flatnonzero(snap.steps == 3)[-1]
    assert snap.loss_matrix[0] == tuple(snap.test_losses[at_switch])
    stop(engine, thread)


def test_pace_limits_speed_and_full_pace_lifts_it(tiny):
    engine = Runner(tiny.with_overrides(epochs=10_000), pace=20)
    thread = start(engine)
    started = time.perf_counter()
    time.sleep(0.5)  # on a loaded machine, maybe longer: the bound is of the time it took
    assert engine.snapshot.step <= (time.perf_counter() - started) * 20 + 3
    assert engine.snapshot.pace == 20
    engine.send(Command.SET_PACE, None)
    wait_for(engine, lambda s: s.step > 100 and s.pace is None)
    stop(engine, thread)


def paced_snapshots(config, pace: float, seconds: float) -> tuple[list, float]:
    """What a paced runner published in about ``seconds``, and the seconds it really ran
    (a loaded machine oversleeps: bounds are of the time taken, not the time asked)."""
    seen = []
    engine = Runner(config.with_overrides(epochs=10_000), pace=pace)
    thread = threading.Thread(target=engine.run, args=(seen.append, False), daemon=True)
    started = time.perf_counter()
    thread.start()
    time.sleep(seconds)
    stop(engine, thread)
    return seen, time.perf_counter() - started


def test_a_fast_pace_publishes_a_few_snapshots_a_second(tiny):
    """At 200 epochs/s the runner sleeps after every step, but publishes (and the UI draws)
    at about PUBLISH_HZ, not at every step: 20 a second at the default pace sent 100 KB/s."""
    seen, seconds = paced_snapshots(tiny, pace=200, seconds=1.0)
    assert seen[-1].step > 50
    assert len(seen) <= 2 * PUBLISH_HZ * seconds


def test_a_slow_pace_shows_every_step_before_sleeping(tiny):
    seen, _ = paced_snapshots(tiny, pace=4, seconds=0.9)  # a step every 250 ms
    shown = {s.step for s in seen}
    assert seen[-1].step >= 2 and shown >= set(range(seen[-1].step + 1))


def test_every_task_is_published_as_it_begins(tiny):
    """At full pace a task takes less than a publish period, yet each change of task is
    published as it happens: the snapshot where task 2 begins, with task 1's row."""
    seen = []
    Runner(tiny).run(seen.append)
    begun = [s for s in seen if s.task == 1 and s.state is State.RUNNING]
    assert begun[0].step == tiny.train.epochs and len(begun[0].loss_matrix) == 1
    assert seen[-1].state is State.FINISHED and seen[-1].step == 2 * tiny.train.epochs


def test_a_faster_pace_applies_at_once_not_after_the_slow_step(tiny):
    """At 0.01 epochs/s the next step is 100 s away; raising the pace to 1000 epochs/s must
    not sleep out those 100 s first."""
    engine = Runner(tiny.with_overrides(epochs=100_000), pace=0.01)
    thread = start(engine)
    try:
        wait_for(engine, lambda s: s.step == 1)
        engine.send(Command.SET_PACE, 1000.0)
        wait_for(engine, lambda s: s.step >= 20 and s.pace == 1000.0, timeout=10.0)
    finally:
        stop(engine, thread)


def test_a_command_that_changes_nothing_buys_no_step(tiny):
    """At 0.5 epochs/s a full-batch step is due every 2 s; twenty `.` sent in a second while
    running (one epoch is for a paused run: ignored) leave that schedule alone."""
    engine = Runner(tiny.with_overrides(epochs=100_000), pace=0.5)  # full batch: 1 step/epoch
    thread = start(engine)
    try:
        wait_for(engine, lambda s: s.step == 1)
        for _ in range(20):
            engine.send(Command.STEP_EPOCH)
            time.sleep(0.05)
        assert engine.snapshot.step <= 2  # the step due 2 s after the first, at most
    finally:
        stop(engine, thread)


def test_reset_reruns_and_can_switch_config(tiny):
    engine = Runner(tiny, auto_advance=False)
    thread = start(engine)
    wait_for(engine, lambda s: s.state is State.TASK_DONE)
    first = engine.snapshot
    engine.send(Command.RESET)
    again = wait_for(engine, lambda s: s.run == 1 and s.state is State.TASK_DONE)
    np.testing.assert_array_equal(first.test_losses, again.test_losses)
    tasks = engine.trainers[0].tasks
    engine.send(Command.RESET, tiny.with_overrides(lr=0.05))
    other = wait_for(engine, lambda s: s.run == 2 and s.state is State.TASK_DONE)
    assert other.loss_matrix != first.loss_matrix
    assert engine.trainers[0].tasks is tasks  # same data: not drawn again
    engine.send(Command.RESET, tiny.with_overrides(seed=3))
    wait_for(engine, lambda s: s.run == 3)
    assert engine.trainers[0].tasks is not tasks
    stop(engine, thread)


@pytest.mark.parametrize("where", ["at a task's end", "pacing"])
def test_stop_wakes_a_runner_however_long_it_means_to_sleep(tiny, monkeypatch, where):
    """stop() wakes a runner at once, not at its next poll or publish: with both a minute
    away, it still ends within threads.stop's 5 s."""
    monkeypatch.setattr(runner, "IDLE_POLL_S", 60.0)
    monkeypatch.setattr(runner, "PUBLISH_HZ", 1 / 60)
    if where == "pacing":  # a step due in 100 s
        engine = Runner(tiny.with_overrides(epochs=100_000), pace=0.01)
        thread = start(engine)
        wait_for(engine, lambda s: s.step == 1)
    else:
        engine = Runner(tiny, auto_advance=False)
        thread = start(engine)
        wait_for(engine, lambda s: s.state is State.TASK_DONE)
    time.sleep(0.1)  # into its long sleep
    stop(engine, thread)


@pytest.mark.parametrize(("pace", "paused"), [(None, False), (0.01, False), (None, True)])
def test_stop_is_prompt_at_full_pace_pacing_and_paused(tiny, pace, paused):
    engine = Runner(tiny.with_overrides(epochs=100_000), pace=pace)
    thread = start(engine)
    wait_for(engine, lambda s: s.step >= 1)
    if paused:
        engine.send(Command.TOGGLE_PAUSE)
        wait_for(engine, lambda s: s.state is State.PAUSED)
    stop(engine, thread)


def test_divergence_stops_the_run_with_a_message(tiny):
    config = dataclasses.replace(
        tiny, train=dataclasses.replace(tiny.train, optimizer="sgd", lr=1000.0)
    )
    snap = Trainer(config).run()
    assert snap.state is State.DIVERGED
    assert snap.step < tiny.train.epochs  # it stops where it diverged, not at the task's end
    assert snap.steps[-1] == snap.step  # measured there, the last step it took
    assert snap.message == f"the loss became inf at step {snap.step} of task 1"
    assert snap.loss_matrix == ()


def test_auto_advance_command(tiny):
    engine = Runner(tiny, auto_advance=False)
    engine.send(Command.SET_AUTO_ADVANCE, True)
    assert engine.run().state is State.FINISHED


def test_auto_advance_at_a_finished_task_goes_on_at_once(tiny):
    """'a: auto-advance' is offered at "task 1 done" as a way on: it must not just set a flag."""
    engine = Runner(tiny, auto_advance=False)
    thread = start(engine)
    wait_for(engine, lambda s: s.state is State.TASK_DONE)
    engine.send(Command.SET_AUTO_ADVANCE, True)
    snap = wait_for(engine, lambda s: s.state is State.FINISHED)
    assert snap.auto_advance and len(snap.loss_matrix) == 2
    stop(engine, thread)


def test_a_reset_starts_a_fresh_run(tiny):
    """Everything a run accumulates (counters, rows, ghosts, the method's memory) goes."""
    engine = Runner(tiny.with_overrides(method="ewc"))
    engine.run()
    trained = engine.trainers[0].now
    assert trained.method.terms and trained.loss_matrix and trained.ghosts
    engine.send(Command.RESET)
    engine.apply_pending()
    fresh = engine.trainers[0].now
    assert fresh is not trained and fresh.model is not trained.model
    assert (fresh.step, fresh.task, fresh.epoch, fresh.state) == (0, 0, 0, State.RUNNING)
    assert not (fresh.method.terms or fresh.loss_matrix or fresh.ghosts or fresh.boundaries)
    assert engine.snapshot.run == 1 and len(engine.snapshot.steps) == 1
    initial = Trainer(tiny.with_overrides(method="ewc")).now.model.state_dict()
    for name, weight in fresh.model.state_dict().items():
        torch.testing.assert_close(weight, initial[name], rtol=0, atol=0)


def test_pace_counts_from_its_origin():
    pace = Pace(10.0)  # epochs per second
    pace.restart(step=4)
    origin = pace.due(4, steps_per_epoch=2)
    assert pace.due(24, steps_per_epoch=2) - origin == pytest.approx(1.0)  # 10 epochs
    assert pace.due(9, steps_per_epoch=1) - origin == pytest.approx(0.5)
    pace.rate = None
    assert pace.due(10_000, steps_per_epoch=1) == origin  # full pace: always due


@pytest.mark.parametrize("how", ["one epoch", "next task"])
def test_a_paused_run_stays_paused_on_the_next_task(tiny, how):
    """'.' on a task's last epoch (with auto-advance) or 'n' while paused moves on, paused."""
    engine = Runner(tiny.with_overrides(epochs=1), auto_advance=True)
    engine.send(Command.TOGGLE_PAUSE)
    thread = start(engine)
    wait_for(engine, lambda s: s.state is State.PAUSED and s.step == 0)
    engine.send(Command.STEP_EPOCH if how == "one epoch" else Command.NEXT_TASK)
    snap = wait_for(engine, lambda s: s.task == 1)
    time.sleep(0.1)
    assert engine.snapshot.state is State.PAUSED and engine.snapshot.step == snap.step
    stop(engine, thread)


def test_the_pace_counts_from_the_start_of_the_run_not_the_build(tiny):
    """A runner built a while before it runs (data drawn, a recorder opened) still trains
    at its pace: the time before run() is not a credit of steps to take at once."""
    engine = Runner(tiny.with_overrides(epochs=10), pace=40.0)  # 20 epochs at 40/s: 0.5 s
    time.sleep(0.5)
    started = time.perf_counter()
    assert engine.run().state is State.FINISHED
    assert time.perf_counter() - started >= 0.45
