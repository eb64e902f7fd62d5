"""Where a sweep's jobs train: a local process pool, or Ray (this machine or a cluster).

Both run the same function, :func:`train`, on one torch thread per worker (threads.py's
rule on a worker's one core): N workers use N cores without fighting over them, and every
backend gives the same numbers for a job. A result comes back to the driver, which alone
writes the database; a job that raises comes back as a failed result, so one bad job never
stops the sweep. Ray is imported only when chosen (cluster.py connects to it); a Ray job
whose worker or node died trains again on another node, twice at most, then comes back
failed in one line. Pool workers start with ``spawn`` (no forked torch state) and leave
when the driver is gone, even after a ``kill -9``, so nothing trains on for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from cftui.sweep.cluster import one_line
from cftui.sweep.spec import Job
from cftui.train import methods
from cftui.train.validation import ConfigError

BACKENDS = ("local", "ray")
WORKER_CORES = 1  # the cores a job may use: the pool runs a worker per core (--workers),
# Ray a task per CPU it reserves; so threads.apply gives a job one thread
ORPHAN_CHECK_S = 1.0  # how often a pool worker checks that its driver is still there
NODE_LOST_RETRIES = 2  # a Ray job whose worker or node died trains again elsewhere (not one
# that raised: train() returns that as a failed result)


@dataclass(frozen=True)
class Result:
    """What a worker sends back for a job: one Outcome per seed, or why it failed."""

    job: Job
    outcomes: list = field(default_factory=list)  # Outcome, one per seed, in order
    error: str = ""  # set when the job raised: every seed of it failed
    host: str = ""
    started: str = ""
    finished: str = ""
    seconds: float = 0.0  # wall time of the whole job in the worker


def train(job: Job) -> Result:
    """Train a job's seeds at once, as one batched model, on one thread of this CPU."""
    started, clock = _now(), time.perf_counter()
    try:
        from cftui.results.trials import seed_outcomes
        from cftui.train import config, threads
        from cftui.train.trainer import Trainer

        preset = config.from_dict(job.config, job.preset)
        threads.apply(preset, len(job.seeds), "cpu", cores=WORKER_CORES)
        trainer = Trainer(preset, "cpu", seeds=job.seeds)
        trainer.run()
        outcomes, error = seed_outcomes(trainer), ""
    except Exception as err:  # reported in the job's rows; the sweep goes on
        outcomes, error = [], f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - clock
    return Result(job, outcomes, error, socket.gethostname(), started, _now(), seconds)


def failed(job: Job, err: BaseException) -> Result:
    """A job whose worker never answered (it died, or Ray lost it)."""
    return Result(job, error=one_line(err), host=socket.gethostname())


def start(backend: str, jobs: list[Job], workers: int, address: str | None) -> Iterator[Result]:
    """The results of ``jobs`` as they finish. A missing Ray, or a cluster that cannot take
    the jobs, is reported here, at once (cluster.py)."""
    if backend == "ray":
        if named := sorted({job.method for job in jobs} & set(methods.files())):
            path = methods.files()[named[0]]
            message = (
                f"{path} is a file on this machine, which Ray's nodes cannot load: install it "
                "on every node as a package offering it in entry-point group cftui.methods, "
                "or use --backend local"
            )
            raise ConfigError("--backend ray", "", message)
        try:
            import ray
        except ImportError:
            message = "ray is not installed: pip install 'cftui[ray]'"
            raise ConfigError("--backend ray", "", message) from None
        if not jobs:
            return iter(())
        from cftui.sweep import cluster

        cluster.connect(ray, address, workers)
        return _on_ray(ray, jobs)
    return _on_pool(jobs, workers)


def _on_pool(jobs: list[Job], workers: int) -> Iterator[Result]:
    if not jobs:
        return
    pool = ProcessPoolExecutor(
        min(workers, len(jobs)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(os.getpid(), methods.files()),
    )
    futures: dict[Future, Job] = {pool.submit(train, job): job for job in jobs}
    try:
        yield from _answers(as_completed(futures), futures, Future.result)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _worker_start(driver: int, files: dict[str, str]) -> None:
    """Each pool worker: torch loaded before the first job, the method files the user named
    loaded as in the driver, and a watch on the driver."""
    import torch  # noqa: F401

    for path in files.values():
        methods.use_file(path)
    threading.Thread(target=_leave_with, args=(driver,), daemon=True).start()


def _leave_with(driver: int) -> None:
    """Exit once the driver is gone: a killed driver's pool would otherwise wait forever."""
    while os.getppid() == driver:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)


def _on_ray(ray, jobs: list[Job]) -> Iterator[Result]:
    remote = ray.remote(num_cpus=1, max_retries=NODE_LOST_RETRIES)(train_on_node)
    pending = {remote.remote(job): job for job in jobs}
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            yield from _answers(ready, pending, ray.get)
    finally:
        for ref in pending:
            ray.cancel(ref)
        ray.shutdown()


def train_on_node(job: Job) -> Result:
    """:func:`train` as a Ray task: ``host`` also names the node (its address)."""
    import ray

    result = train(job)
    return replace(result, host=f"{result.host} {ray.util.get_node_ip_address()}")


def _answers(ready: Iterable, jobs: dict, get) -> Iterator[Result]:
    """Each finished handle's result, or a failed one for its job; handles leave ``jobs``."""
    for handle in ready:
        job = jobs.pop(handle)
        try:
            yield get(handle)
        except Exception as err:
            yield failed(job, err)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
