"""The sweep's speed, measured side by side in one run on this machine: runs per second
(a run is one seed of one setting) with 1 and 2 local workers and with Ray on this
machine, and what the sweep machinery (process pool, scheduling, SQLite writes) costs per
run against the training itself.

The grid is L2 on `rbf` (24 strengths x 2 seeds, a job's 2 seeds trained at once),
shortened to --epochs per task. "bare" trains the same jobs one after another in this
process (one torch thread) with no pool and no database: the work itself. Targets (issue
14): 2 workers >= 1.7x one worker's runs/s; Ray >= 1.5x; machinery < 5 % of a run.
--cluster (issue 25) also starts a two-node Ray cluster here (two `ray start`, 1 CPU each, on
loopback, token auth on: tests/ray_cluster.py) and runs the same grid on it against the local
pool of 2 workers, each as a user runs it (`cftui sweep` in a process of its own).
Run: python benchmarks/sweep_bench.py [--epochs 200] [--jobs 24] [--cluster] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from cftui.sweep import backends, driver, spec
from cftui.sweep.store import Store

SPEC = """presets = ["rbf"]
seeds = 2
epochs = {epochs}
[grid.l2]
lambda = [{strengths}]
"""


def write_spec(folder: Path, epochs: int, jobs: int) -> Path:
    path = folder / f"bench-{epochs}-{jobs}.toml"
    strengths = ", ".join(f"{0.01 * (k + 1):.2f}" for k in range(jobs))
    path.write_text(SPEC.format(epochs=epochs, strengths=strengths))
    return path


def bare(path: Path) -> tuple[float, list[backends.Result]]:
    """The jobs trained here, one after another: (seconds, results); each job sets its
    threads as a sweep's worker does (backends.train)."""
    started = time.perf_counter()
    results = [backends.train(job) for job in spec.jobs(spec.load(path))]
    return time.perf_counter() - started, results


def swept(path: Path, folder: Path, backend: str, workers: int) -> tuple[float, int]:
    """A whole sweep into a fresh database, start-up included: (seconds, rows)."""
    folder.mkdir(exist_ok=True)
    db = folder / f"{backend}-{workers}.db"
    started = time.perf_counter()
    tally = driver.run(path, db, backend, workers, None, Console(quiet=True))
    return time.perf_counter() - started, tally.finished


CEILING_CODE = """
import time, torch
torch.set_num_threads(1)
a = torch.randn(300, 300)
started = time.perf_counter()
for _ in range(2000):
    a @ a
"""


def machine_ceiling() -> float:
    """What this machine gives two processes of pure torch work at once, against one: the
    most any two-worker sweep can gain here (a VM's two vCPUs are often less than 2x)."""

    def wall(processes: int) -> float:
        started = time.perf_counter()
        running = [subprocess.Popen([sys.executable, "-c", CEILING_CODE]) for _ in range(processes)]
        for process in running:
            process.wait(120)
        return time.perf_counter() - started

    return 2 * wall(1) / wall(2)


def db_writes(results: list[backends.Result], folder: Path) -> float:
    """Seconds to commit every job's rows, as the driver does."""
    store = Store(folder / "writes.db")
    started = time.perf_counter()
    for result in results:
        store.write(result)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def on_cluster(path: Path, empty: Path, folder: Path) -> dict:
    """Seconds to start the cluster, and each sweep's wall (local pool vs the cluster)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from ray_cluster import Cluster

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="cftui-ray-", dir="/tmp")))

    def sweep(spec_path: Path, name: str, *flags: str) -> float:
        started = time.perf_counter()
        command = [sys.executable, "-m", "cftui", "sweep", str(spec_path), "--db", name, *flags]
        subprocess.run(command, cwd=folder, env=cluster.env, check=True, capture_output=True)
        return time.perf_counter() - started

    try:
        started = time.perf_counter()
        cluster.start_head(cpus=1)
        head = time.perf_counter() - started
        cluster.add_node("127.0.0.3", cpus=1)
        nodes = time.perf_counter() - started
        on = ("--address", cluster.address)
        return {
            "head_start_seconds": head,
            "two_nodes_start_seconds": nodes,
            "empty_sweep_seconds": {
                "local": sweep(empty, "e-local.db", "--workers", "2"),
                "cluster": sweep(empty, "e-cluster.db", *on),
            },
            "grid_seconds": {
                "local": sweep(path, "local.db", "--workers", "2"),
                "cluster": sweep(path, "cluster.db", *on),
            },
        }
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


def measure(epochs: int, jobs: int, with_ray: bool, with_cluster: bool) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        path = write_spec(folder, epochs, jobs)
        work, results = bare(path)
        runs = sum(len(r.outcomes) for r in results)
        empty = write_spec(folder, 1, 1)  # one near-empty job: what starting a backend costs
        startup = {"local": swept(empty, folder / "empty", "local", 1)[0]}
        timings = {"local, 1 worker": ("local", *swept(path, folder, "local", 1))}
        timings["local, 2 workers"] = ("local", *swept(path, folder, "local", 2))
        if with_ray:
            startup["ray"] = swept(empty, folder / "empty", "ray", 2)[0]
            timings["ray, 2 CPUs (this machine)"] = ("ray", *swept(path, folder, "ray", 2))
        cluster = on_cluster(path, empty, folder) if with_cluster else None
        writes = db_writes(results, folder)
        ceiling = machine_ceiling()
    one = timings["local, 1 worker"][1]
    steady = one - startup["local"]  # one worker's sweep, once started
    return {
        "machine": f"{platform.node()} ({torch.get_num_threads()} torch threads here), "
        f"{platform.processor() or platform.machine()}",
        "runs": runs,
        "bare_seconds": work,
        "bare_runs_per_s": runs / work,
        "pool_startup_seconds": startup["local"],
        "ray_startup_seconds": startup.get("ray"),
        "two_processes_ceiling": ceiling,
        "db_write_ms_per_run": 1000 * writes / runs,
        "machinery_fraction": (steady - work) / work,
        "db_fraction": writes / work,
        "cluster": cluster,
        "backends": {
            name: {
                "seconds": s,
                "runs_per_s": n / s,
                "vs_one_worker": one / s,
                "vs_one_worker_after_startup": steady / (s - startup[backend]),
            }
            for name, (backend, s, n) in timings.items()
        },
    }


def report(found: dict) -> None:
    console = Console()
    table = Table(
        "backend",
        "seconds",
        "runs/s",
        "vs 1 worker",
        "start-up aside",
        title="sweep: runs per second",
    )
    table.title_justify = "left"
    table.add_row(
        "bare (no pool, no DB)",
        f"{found['bare_seconds']:.1f}",
        f"{found['bare_runs_per_s']:.2f}",
        "",
    )
    for name, row in found["backends"].items():
        table.add_row(
            name,
            f"{row['seconds']:.1f}",
            f"{row['runs_per_s']:.2f}",
            f"{row['vs_one_worker']:.2f}x",
            f"{row['vs_one_worker_after_startup']:.2f}x",
        )
    table.caption = (
        f"{found['runs']} runs; walls include start-up (a sweep of one near-empty job: "
        f"{found['pool_startup_seconds']:.1f} s local, "
        f"{found['ray_startup_seconds'] or 0:.1f} s Ray); 'start-up aside' takes each backend's "
        f"own away. Machinery per run, start-up aside: "
        f"{found['machinery_fraction']:+.1%} of the work; SQLite writes "
        f"{found['db_write_ms_per_run']:.2f} ms per run ({found['db_fraction']:.2%}). "
        f"This machine runs two processes of bare torch work at "
        f"{found['two_processes_ceiling']:.2f}x one: the most two workers can gain here."
    )
    table.caption_justify = "left"
    console.print(table)
    if found["cluster"]:
        report_cluster(found["cluster"], found["runs"])


def report_cluster(cluster: dict, runs: int) -> None:
    table = Table("cftui sweep", "empty sweep s", "grid s", "runs/s", "vs local")
    table.title = "two `ray start` nodes of 1 CPU each vs the local pool of 2 workers"
    local = cluster["grid_seconds"]["local"]
    for name, label in (("local", "--workers 2"), ("cluster", "--address (2 nodes)")):
        grid = cluster["grid_seconds"][name]
        empty = cluster["empty_sweep_seconds"][name]
        table.add_row(
            label, f"{empty:.1f}", f"{grid:.1f}", f"{runs / grid:.2f}", f"{local / grid:.2f}x"
        )
    table.caption = (
        f"{runs} runs. Starting the cluster: the head {cluster['head_start_seconds']:.1f} s, "
        f"both nodes {cluster['two_nodes_start_seconds']:.1f} s (`ray start`, before any sweep)."
    )
    table.caption_justify = table.title_justify = "left"
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="epochs per task")
    parser.add_argument("--jobs", type=int, default=24, help="settings (2 seeds each)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray backend")
    parser.add_argument("--cluster", action="store_true", help="also a two-node Ray cluster")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    found = measure(args.epochs, args.jobs, not args.no_ray, args.cluster)
    report(found)
    if args.json:
        args.json.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
