"""The sweep's backends: a local process pool and Ray train a job to the same numbers as a
run in this process; a job that raises comes back failed and the others go on."""

import sys

import pytest
from test_sweep import main, rows, write_spec

from cftui.sweep import backends, cluster, driver, spec
from cftui.train.validation import ConfigError

SPEC = "seeds = 2\n[grid.naive]\n[grid.ewc]\nlambda = [100.0, 1e4]\n"
NUMBERS = ("key", "seed", "state", "loss_matrix", "task1_mse", "last_mse", "forgetting", "bwt")


def numbers(db) -> list[list]:
    return [[row[k] for k in NUMBERS] for row in rows(db)]


@pytest.mark.timeout(120)
def test_the_pool_trains_a_job_to_the_numbers_of_a_run_in_this_process(tmp_path):
    jobs = spec.jobs(spec.load(write_spec(tmp_path, SPEC)))
    here = [backends.train(job) for job in jobs]
    pooled = {r.job.settings.get("lambda"): r for r in backends.start("local", jobs, 2, None)}
    assert len(pooled) == 3
    for result in here:
        other = pooled[result.job.settings.get("lambda")]
        assert not result.error and not other.error
        assert [o.loss_matrix for o in other.outcomes] == [o.loss_matrix for o in result.outcomes]
        assert [o.seed for o in other.outcomes] == [0, 1]
    assert here[0].outcomes[0].loss_matrix != here[0].outcomes[1].loss_matrix  # seeds differ


@pytest.mark.timeout(120)
def test_a_job_that_raises_comes_back_failed_and_the_others_finish(tmp_path):
    good, *_ = spec.jobs(spec.load(write_spec(tmp_path, SPEC)))
    broken = spec.Job("tiny", "naive", {}, {**good.config, "train": {"lr": -1.0}}, good.runs)
    results = list(backends.start("local", [broken, good], 2, None))
    by_config = {r.job.config["train"].get("lr"): r for r in results}
    assert "ConfigError" in by_config[-1.0].error and "[train] lr" in by_config[-1.0].error
    assert by_config[-1.0].outcomes == []
    assert not by_config[0.01].error and len(by_config[0.01].outcomes) == 2


def test_a_missing_ray_is_one_line_and_exit_2_before_anything_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    path = write_spec(tmp_path, SPEC)
    with pytest.raises(ConfigError, match=r"pip install 'cftui\[ray\]'"):
        backends.start("ray", [], 2, None)
    assert main(monkeypatch, "sweep", path, "--backend", "ray") == 2
    assert capsys.readouterr().err == (
        "cftui: error: --backend ray: ray is not installed: pip install 'cftui[ray]'\n"
    )
    assert not driver.default_db(path).exists()  # nothing ran, and no file was left


@pytest.mark.timeout(300)
def test_ray_gives_the_numbers_of_the_local_pool(tmp_path, local_pool_numbers):
    pytest.importorskip("ray")
    on_ray = driver.run(write_spec(tmp_path, SPEC), tmp_path / "ray.db", "ray", 2)
    assert on_ray.finished == 6
    assert numbers(tmp_path / "ray.db") == local_pool_numbers


def test_a_job_whose_worker_died_is_a_failed_result_of_one_line(tmp_path):
    job, *_ = spec.jobs(spec.load(write_spec(tmp_path, SPEC)))

    def lost(handle):
        raise RuntimeError("Task failed: its node died.\n\nNode IP: 127.0.0.3\n  more detail")

    [result] = backends._answers(["handle"], {"handle": job}, lost)
    assert result.error == "RuntimeError: Task failed: its node died."
    assert (result.job, result.outcomes) == (job, [])


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("no-port", "'no-port' is not auto, HOST:PORT or ray://HOST:PORT"),
        ("127.0.0.2:notaport", "'127.0.0.2:notaport' is not auto, HOST:PORT or ray://HOST:PORT"),
    ],
)
def test_an_address_ray_cannot_read_is_one_line_and_exit_2(
    tmp_path, monkeypatch, capsys, address, problem
):
    pytest.importorskip("ray")
    path = write_spec(tmp_path, SPEC)
    assert main(monkeypatch, "sweep", path, "--address", address) == 2
    assert capsys.readouterr().err == f"cftui: error: --address: {problem}\n"
    assert not driver.default_db(path).exists()


class ClientServer:
    """``ray`` as a driver sees a Ray Client server whose process for this driver fails to
    start ``fails`` times (Ray's error: its header, then the server's traceback), then
    connects; any other ``error`` is raised every time."""

    def __init__(self, fails: int, error: Exception | None = None) -> None:
        self.fails, self.error, self.inits = fails, error, 0

    def init(self, address: str, **kwargs) -> None:
        self.inits += 1
        if self.error is not None:
            raise self.error
        if self.inits <= self.fails:
            raise ConnectionAbortedError(
                "Initialization failure from server:\nTraceback (most recent call last):\n"
                '  File "proxier.py", line 772, in Datapath\n'
                "RuntimeError: Proxy failed to Connect to backend!\n"
            )


@pytest.mark.parametrize("fails", [1, cluster.CLIENT_TRIES - 1])
def test_a_client_server_that_fails_to_serve_a_driver_is_asked_again(fails):
    server = ClientServer(fails)
    cluster._init(server, "ray://10.0.0.1:10001", "ray://10.0.0.1:10001")
    assert server.inits == fails + 1


def test_a_client_server_that_always_fails_is_one_line_with_the_server_s_reason():
    server = ClientServer(fails=cluster.CLIENT_TRIES)
    with pytest.raises(ConfigError) as raised:
        cluster._init(server, "ray://10.0.0.1:10001", "ray://10.0.0.1:10001")
    assert server.inits == cluster.CLIENT_TRIES
    assert str(raised.value) == (
        "--address: cannot connect to the Ray cluster at ray://10.0.0.1:10001: "
        "ConnectionAbortedError: Initialization failure from server: "
        "RuntimeError: Proxy failed to Connect to backend!" + cluster.CLIENT_HINT
    )


def test_any_other_failure_to_connect_is_said_at_once():
    server = ClientServer(fails=0, error=ConnectionError("ray client connection timeout"))
    with pytest.raises(ConfigError, match="ConnectionError: ray client connection timeout"):
        cluster._init(server, "ray://10.0.0.1:10001", "ray://10.0.0.1:10001")
    assert server.inits == 1
