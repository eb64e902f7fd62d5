"""The thread rule (cftui.train.threads): its choice for small and large steps, the user's flag
and environment winning over it, and every command that trains going through it."""

import dataclasses

import pytest
import torch
from test_sweep import write_spec

from cftui import cli
from cftui.sweep import backends, spec
from cftui.train import catalog, threads
from cftui.train.trainer import Trainer

from tui_helpers import drive, screen_text, until

POLYNOMIAL = catalog.resolve("polynomial")
# [1, 150, 150, 1]: 1*150+150 + 150*150+150 + 150*1+1 weights and biases; 80 training points
ARTICLE_WEIGHTS, ARTICLE_POINTS = 300 + 22_650 + 151, 80
QUIET = {}  # an environment that names no thread count


def test_a_steps_arithmetic_by_hand():
    assert threads.step_flops(POLYNOMIAL, 1) == 6 * ARTICLE_POINTS * ARTICLE_WEIGHTS
    batched = dataclasses.replace(POLYNOMIAL.train, batch_size=16)
    minibatch = dataclasses.replace(POLYNOMIAL, train=batched)
    assert threads.step_flops(minibatch, 64) == 6 * 64 * 16 * ARTICLE_WEIGHTS


@pytest.mark.parametrize(
    ("seeds", "cores", "count"),
    [
        (1, 2, 1),  # the article's run: 11 MFLOP a step
        (1, 64, 1),  # a small step on a big box stays on one thread
        (4096, 2, 1),  # two cores: one thread, however large the step (half the cores)
        (4096, 1, 1),  # one core
        (64, 16, 2),  # 710 MFLOP: two threads of 300 MFLOP
        (4096, 16, 8),  # a huge step: half the cores
    ],
)
def test_a_thread_per_300_mflop_at_most_half_the_cores(seeds, cores, count):
    chosen = threads.decide(POLYNOMIAL, seeds, cores=cores, environ=QUIET)
    assert chosen.count == count
    assert f"{cores} cores" in chosen.why


def test_the_cores_are_this_processs_not_the_machines(monkeypatch):
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})
    assert threads.usable_cores() == 6
    assert threads.decide(POLYNOMIAL, 4096, environ=QUIET).count == 3


def test_the_flag_wins_then_the_environment_then_the_rule():
    env = {"OMP_NUM_THREADS": "4"}
    assert threads.decide(POLYNOMIAL, 1, flag=3, environ=env) == threads.Threads(3, "--threads")
    assert threads.decide(POLYNOMIAL, 1, environ=env) == threads.Threads(4, "OMP_NUM_THREADS")
    mkl = {"MKL_NUM_THREADS": "5"}
    assert threads.decide(POLYNOMIAL, 1, environ=mkl) == threads.Threads(5, "MKL_NUM_THREADS")
    for unreadable in ("", "0", "two", "-1"):
        assert threads.decide(POLYNOMIAL, 1, environ={"OMP_NUM_THREADS": unreadable}).count == 1


def test_a_gpu_step_gets_one_host_thread():
    assert threads.decide(POLYNOMIAL, 4096, "cuda", cores=64, environ=QUIET).count == 1


@pytest.fixture
def built_under(monkeypatch):
    """The torch thread count in force as each Trainer is built; torch starts at a count
    no command would choose, so one that trains without the rule leaves it there."""
    seen = []
    build = Trainer.__init__

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        build(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "__init__", spy)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    torch.set_num_threads(3)
    return seen


SHORT = ("--preset", "polynomial", "--epochs", "2")


@pytest.mark.parametrize(
    ("argv", "trainers"),
    [
        (("run", *SHORT), 1),
        (("run", *SHORT, "--seeds", "3"), 1),
        (("compare", *SHORT, "--methods", "naive,ewc"), 2),
        (("figure", *SHORT, "--only", "loss"), 1),
    ],
)
def test_every_headless_command_trains_by_the_rule(built_under, argv, trainers, tmp_path, capsys):
    if argv[0] == "figure":
        pytest.importorskip("matplotlib")
        argv = (*argv, "-o", str(tmp_path / "f.svg"))
    assert cli.main(list(argv)) == 0
    assert built_under == [1] * trainers


def test_the_threads_flag_wins_and_the_device_line_says_it(built_under, capsys):
    assert cli.main(["run", *SHORT, "--threads", "2"]) == 0
    assert built_under == [2]
    assert "cpu, 2 threads" in capsys.readouterr().out
    assert cli.main(["run", *SHORT]) == 0
    assert "cpu, 1 thread " in capsys.readouterr().out


def test_a_sweep_job_trains_by_the_rule_on_its_one_core(built_under, tmp_path):
    (job,) = spec.jobs(spec.load(write_spec(tmp_path, "seeds = 2\n[grid.naive]\n")))
    assert not backends.train(job).error
    assert built_under == [1]


def test_the_app_trains_by_the_rule_and_its_status_line_says_it(built_under, tiny):
    async def script(app, pilot):
        await until(pilot, lambda snap: snap.step > 0)
        assert "cpu, 1 thread" in screen_text(app)

    drive(tiny, script)
    assert built_under == [1]


def test_the_apps_threads_flag_reaches_its_worker(built_under, tiny):
    async def script(app, pilot):
        await until(pilot, lambda snap: snap.step > 0)

    drive(tiny, script, threads=2)
    assert built_under == [2]


def test_the_tui_and_the_browser_view_pass_the_flag_on(monkeypatch):
    from cftui.commands import serve
    from cftui.tui.app import CftuiApp

    given = []
    monkeypatch.setattr(CftuiApp, "run", lambda app: given.append(app.threads))
    assert cli.main(["--threads", "2"]) == 0
    assert cli.main([]) == 0
    assert given == [2, None]  # None: the worker applies the rule to each run it builds
    args = cli.build_parser().parse_args(["serve", "--threads", "2"])
    assert serve.app_command(args).endswith("-m cftui --threads 2")
