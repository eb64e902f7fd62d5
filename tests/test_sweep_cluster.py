"""`cftui sweep --address` on a real Ray cluster: two nodes started with `ray start` on this
machine, token authentication on (tests/ray_cluster.py). Its rows equal the local pool's,
a node lost mid-sweep leaves a complete grid, and each way a sweep cannot start (no cluster,
no token, a wrong token, a node without cftui) is one line and exit 2, before any row."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from processes import alive
from ray_cluster import HEAD_IP, Cluster, free_port, hide_cftui
from test_sweep import CLI, rows, write_spec
from test_sweep_backends import SPEC, numbers

from cftui.sweep import driver, spec

pytest.importorskip("ray")

NODE_IP, BARE_NODE_IP = "127.0.0.3", "127.0.0.4"
SWEEP_S = 240  # a whole cluster sweep on two loaded cores; a failing one takes seconds
LONG_SPEC = "seeds = 2\n[grid.l2]\nlambda = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n"


@pytest.fixture(scope="module")
def cluster():
    """A head (1 CPU) and a second node (1 CPU), each its own `ray start` and raylet, in a
    short folder of /tmp (a Ray socket's path must fit in 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="cftui-ray-", dir="/tmp"))
    started = Cluster(folder)
    try:
        started.start_head(cpus=1)
        started.add_node(NODE_IP, cpus=1)
        yield started
    finally:
        started.stop()
        shutil.rmtree(folder, ignore_errors=True)
    assert started.processes() == []


def sweep(cluster: Cluster, spec_path, *argv: str, **env: str):
    """`cftui sweep SPEC ARGV` as a user on the head runs it: its HOME holds the token."""
    command = [sys.executable, "-c", CLI, "sweep", str(spec_path), *argv]
    return subprocess.run(
        command, env={**cluster.env, **env}, capture_output=True, text=True, timeout=SWEEP_S
    )


def node_of(row: dict) -> str:
    return row["host"].split()[-1]  # "hostname ADDRESS" on Ray


@pytest.mark.timeout(600)
@pytest.mark.parametrize("form", ["HOST:PORT", "ray://HOST:PORT"])
def test_a_two_node_sweep_gives_the_rows_of_the_local_pool(
    cluster, local_pool_numbers, tmp_path, form
):
    path, db = write_spec(tmp_path, SPEC), tmp_path / "cluster.db"
    port = cluster.port if form == "HOST:PORT" else cluster.client_port
    address = form.replace("HOST", HEAD_IP).replace("PORT", str(port))
    done = sweep(cluster, path, "--db", db, "--address", address)
    assert done.returncode == 0, done.stderr
    assert "(6 finished, 0 diverged, 0 failed)" in done.stdout
    assert numbers(db) == local_pool_numbers
    assert {node_of(row) for row in rows(db)} == {HEAD_IP, NODE_IP}


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("case", "env", "problem"),
    [
        ("no cluster", {}, "no Ray cluster answers at {address}: Connection refused"),
        ("no client server", {}, "no Ray cluster answers at {address}: Connection refused"),
        (
            "auth off here",
            {"RAY_AUTH_MODE": "disabled"},
            "the Ray cluster at {address} asks for a token and RAY_AUTH_MODE is 'disabled' here",
        ),
        (
            "wrong token",
            {"RAY_AUTH_TOKEN": "0" * 64},
            "the Ray cluster at {address} refused the token found here",
        ),
        ("no token", {"HOME": "{tmp}"}, "the Ray cluster at {address} asks for a token: give it"),
    ],
)
def test_a_sweep_that_cannot_start_is_one_line_and_exit_2(cluster, tmp_path, case, env, problem):
    path = write_spec(tmp_path, SPEC)
    address = {
        "no cluster": f"{HEAD_IP}:{free_port(HEAD_IP)}",
        "no client server": f"ray://{HEAD_IP}:{free_port(HEAD_IP)}",
    }.get(case, cluster.address)
    env = {key: value.format(tmp=tmp_path) for key, value in env.items()}
    done = sweep(cluster, path, "--address", address, **env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"cftui: error: --address: {problem.format(address=address)}")
    assert not driver.default_db(path).exists()  # created only once a cluster answers


@pytest.mark.timeout(600)
def test_a_node_lost_mid_sweep_leaves_a_complete_grid(cluster, tmp_path):
    """The second node's raylet is killed while it trains a job: that job trains again on
    the head, and the sweep ends complete."""
    path = write_spec(tmp_path, LONG_SPEC, epochs=1000, width=32)  # a job: ~2 s
    db, total = driver.default_db(path), 12
    running = subprocess.Popen(
        [sys.executable, "-c", CLI, "sweep", str(path), "--address", "auto"],
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert cluster.wait_running(NODE_IP, "train_on_node", SWEEP_S)
        before = {row["key"] for row in rows(db)} if db.exists() else set()
        raylet = cluster.raylet(NODE_IP)
        cluster.kill(raylet)
        out, err = running.communicate(timeout=SWEEP_S)
    finally:
        running.kill()
    assert running.returncode == 0, err
    assert f"{total} written" in out and "(12 finished, 0 diverged, 0 failed)" in out
    after = rows(db)
    expected = {run.key for job in spec.jobs(spec.load(path)) for run in job.runs}
    assert {row["key"] for row in after} == expected
    later = [node_of(row) for row in after if row["key"] not in before]
    assert later.count(HEAD_IP) >= len(later) - 2  # a job of 2 seeds may have been on its way
    assert later.count(HEAD_IP) >= 2  # the lost job, at least, trained again on the head
    assert not alive(raylet)


@pytest.mark.timeout(600)
def test_a_node_without_cftui_is_named_before_any_job_runs(cluster, tmp_path):
    cluster.add_node(BARE_NODE_IP, cpus=1, env=hide_cftui(tmp_path / "site"))
    path = write_spec(tmp_path, SPEC)
    done = sweep(cluster, path, "--address", cluster.address)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(
        f"cftui: error: --address: {cluster.address}: nodes without this cftui "
        f"({BARE_NODE_IP}: ModuleNotFoundError: No module named 'cftui'"
    ), done.stderr
    assert "install cftui[ray]==" in done.stderr
    assert not driver.default_db(path).exists()  # created only once a cluster answers
