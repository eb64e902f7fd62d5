"""Where a sweep's jobs train: a local process pool, or Ray (this machine or a cluster).

Both run the same function, :func:`train`, on one torch thread per worker: N workers use N
cores without fighting over them, and every backend gives the same numbers for a job. A
result comes back to the driver, which alone writes the database; a job that raises comes
back as a failed result, so one bad job never stops the sweep. Ray is imported only when
chosen. Pool workers start with ``spawn`` (no forked torch state) and leave when the
driver is gone, even after a ``kill -9``, so nothing trains on for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cftui.sweep.spec import Job
from cftui.validation import ConfigError

BACKENDS = ("local", "ray")
ORPHAN_CHECK_S = 1.0  # how often a pool worker checks that its driver is still there


@dataclass(frozen=True)
class Result:
    """What a worker sends back for a job: one compare.Outcome per seed, or why it failed."""

    job: Job
    outcomes: list = field(default_factory=list)  # compare.Outcome, one per seed, in order
    error: str = ""  # set when the job raised: every seed of it failed
    host: str = ""
    started: str = ""
    finished: str = ""
    seconds: float = 0.0  # wall time of the whole job in the worker


def train(job: Job) -> Result:
    """Train a job's seeds at once, as one batched model, on one thread of this CPU."""
    started, clock = _now(), time.perf_counter()
    try:
        import torch

        from cftui import compare, config
        from cftui.engine import Engine

        torch.set_num_threads(1)
        engine = Engine(config.from_dict(job.config, job.preset), "cpu", seeds=job.seeds)
        engine.run()
        outcomes, error = compare.seed_outcomes(engine), ""
    except Exception as err:  # reported in the job's rows; the sweep goes on
        outcomes, error = [], f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - clock
    return Result(job, outcomes, error, socket.gethostname(), started, _now(), seconds)


def failed(job: Job, err: BaseException) -> Result:
    """A job whose worker never answered (it died, or Ray lost it)."""
    return Result(job, error=f"{type(err).__name__}: {err}", host=socket.gethostname())


def start(backend: str, jobs: list[Job], workers: int, address: str | None) -> Iterator[Result]:
    """The results of ``jobs`` as they finish. A missing Ray is reported here, at once."""
    if backend == "ray":
        try:
            import ray
        except ImportError:
            message = "ray is not installed: pip install 'cftui[ray]'"
            raise ConfigError("--backend ray", "", message) from None
        return _on_ray(ray, jobs, workers, address)
    return _on_pool(jobs, workers)


def _on_pool(jobs: list[Job], workers: int) -> Iterator[Result]:
    if not jobs:
        return
    pool = ProcessPoolExecutor(
        min(workers, len(jobs)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )
    futures: dict[Future, Job] = {pool.submit(train, job): job for job in jobs}
    try:
        yield from _answers(as_completed(futures), futures, Future.result)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _worker_start(driver: int) -> None:
    """Each pool worker: torch loaded before the first job, and a watch on the driver."""
    import torch

    torch.set_num_threads(1)
    threading.Thread(target=_leave_with, args=(driver,), daemon=True).start()


def _leave_with(driver: int) -> None:
    """Exit once the driver is gone: a killed driver's pool would otherwise wait forever."""
    while os.getppid() == driver:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)


def _on_ray(ray, jobs: list[Job], workers: int, address: str | None) -> Iterator[Result]:
    if not jobs:
        return
    quiet = {"log_to_driver": False, "logging_level": "ERROR"}
    if address:
        ray.init(address=address, **quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, **quiet)
    remote = ray.remote(num_cpus=1, max_retries=0)(train)
    pending = {remote.remote(job): job for job in jobs}
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            yield from _answers(ready, pending, ray.get)
    finally:
        for ref in pending:
            ray.cancel(ref)
        ray.shutdown()


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
