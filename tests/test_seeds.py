"""Many seeds at once: seed s of a batched run is the single run of seed s, for every method."""

import dataclasses
import io
import json

import numpy as np
import pytest
import torch
from rich.console import Console

from cftui import cli
from cftui.commands.run import ProgressBars
from cftui.live.runner import Runner
from cftui.results.summary import summarize
from cftui.results.trials import seed_outcomes
from cftui.train import methods
from cftui.train.snapshot import State
from cftui.train.trainer import Trainer

from conftest import small

# the methods a regression runs: all but a classifier (iCaRL), which a regression refuses
REGRESSION_METHODS = [n for n in methods.names() if not methods.info(n).only_in]

SEEDS = (0, 1, 2)


def matrix(engine: Trainer, s: int = 0) -> np.ndarray:
    return np.array([row[s] for row in engine.now.loss_matrix])


@pytest.mark.parametrize("name", REGRESSION_METHODS)
def test_each_seed_of_a_batched_run_equals_its_single_run(tiny, name):
    """Three tasks and minibatches, so batch order, replay's and A-GEM's draws, and every
    method's per-task state all come into play; every entry within float32 rounding."""
    config = small(tiny.with_overrides(method=name), epochs=8, n_tasks=3, coefficients=())
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, batch_size=24))
    batched = Trainer(config, seeds=SEEDS)
    assert batched.run().state is State.FINISHED
    for s, seed in enumerate(SEEDS):
        single = Trainer(config.with_overrides(seed=seed))
        single.run()
        np.testing.assert_allclose(matrix(batched, s), matrix(single), rtol=1e-4, atol=1e-6)
    assert not np.allclose(matrix(batched, 0), matrix(batched, 1))  # the seeds do differ


def test_a_diverging_seed_does_not_spoil_the_others(tiny):
    engine = Trainer(tiny, seeds=SEEDS)
    with torch.no_grad():
        engine.now.model.regressor.bias[1] = float("nan")  # seed 1 breaks at its first step
    snap = engine.run()
    assert snap.state is State.FINISHED and "1 of 3 seeds diverged" in snap.message
    outcomes = seed_outcomes(engine)
    assert [o.state for o in outcomes] == ["finished", "diverged", "finished"]
    first = int(snap.steps[1])  # the first measurement after the first step
    assert outcomes[1].to_dict()["diverged"] == {
        "task": 0,
        "step": first,
        "message": f"the loss became nan at step {first} of task 1",
    }
    for s in (0, 2):
        single = Trainer(tiny.with_overrides(seed=SEEDS[s]))
        single.run()
        np.testing.assert_allclose(matrix(engine, s), matrix(single), rtol=1e-4, atol=1e-6)
    assert summarize(outcomes)["naive"]["failed"] == 1
    # what the snapshot shows is the median over the seeds still training
    expected = np.median([matrix(engine, 0)[-1], matrix(engine, 2)[-1]], axis=0)
    np.testing.assert_allclose(snap.loss_matrix[-1], expected)


def test_run_with_seeds_reports_every_seed_and_their_median(tmp_path, capsys):
    out = tmp_path / "r.json"
    flags = ["--epochs", "20", "--seed", "2", "--seeds", "3", "--json", str(out)]
    assert cli.main(["run", *flags]) == 0
    result = json.loads(out.read_text())
    assert [r["seed"] for r in result["runs"]] == [2, 3, 4]
    finals = [r["loss_matrix"][-1][0] for r in result["runs"]]
    assert result["summary"]["naive"]["final"][0]["median"] == pytest.approx(np.median(finals))
    printed = capsys.readouterr().out
    assert "seeds 2–4 at once" in printed and "median over 3 seeds" in printed


@pytest.mark.parametrize("count", ["0", "-3", "4097", "many"])
def test_a_bad_seed_count_is_one_line_and_exit_2(count, capsys):
    for command in ("run", "compare"):
        with pytest.raises(SystemExit) as caught:
            cli.main([command, "--seeds", count])
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--seeds" in err


def test_a_finished_task_shows_its_loss_at_the_end_of_the_task(tiny):
    """Not the last value measured while it trained (that was 1.04 against 0.0086)."""
    engine = Runner(tiny)
    bars = ProgressBars(Console(force_terminal=True, file=io.StringIO()), engine.trainers[0])
    with bars as publish:
        snap = engine.run(publish)
    shown = [bars.bar.tasks[i].fields["loss"] for i in bars.ids]
    assert shown == [f"{snap.loss_matrix[k][k]:.4g}" for k in range(2)]
