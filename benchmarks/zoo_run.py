"""Every method at its defaults over the generated zoo (benchmarks/zoo.py), seeds batched.

Run: python benchmarks/zoo_run.py [--regression 40] [--classification 20] [--seeds 4]
[--methods a,b] [--only zoo-r03-fourier,...] [--epochs N] [--out benchmarks/zoo]
[--zoo-seed 1] [--set ewc.silent_floor=0.03]
Naive trains first on each drawn preset; a preset it does not learn, or on which it does
not forget (zoo.kept), is dropped and counted, and no other method trains on it. Each kept
preset's per-seed rows go to <out>/<preset>.json (the shape of `cftui compare --json`'s
runs); --methods retrains only those methods and keeps the other rows, so after a default
changes only its method is measured again. The tables come from those files:
benchmarks/zoo_table.py. --epochs caps epochs per task (a quick slice while developing).
--zoo-seed draws a zoo no default was chosen on (a held-out check of one that was); --set
trains the methods with a setting changed, as cftui's flag does.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
import zoo  # benchmarks/ is no package

from cftui.results.atomic import write_json
from cftui.results.trials import run_all, seed_outcomes
from cftui.train import methods, threads, validation
from cftui.train.config import Config, from_dict
from cftui.train.trainer import Trainer

OUT = Path(__file__).parent / "zoo"
REGRESSIONS, CLASSIFICATIONS = 64, 36  # candidates drawn: the zoo is those naive keeps
# (about 2 in 3 kept: 47 regressions and 25 classifications, 2026-12-07)


def naive_verdict(config: Config, seeds: Sequence[int]) -> tuple[str, list[dict]]:
    """Naive's per-seed rows and zoo.kept's verdict on them ('' = kept)."""
    trainer = Trainer(config.with_overrides(method="naive"), "cpu", seeds=seeds)
    trainer.run()
    rows = [o.to_dict() for o in seed_outcomes(trainer)]
    losses = [r["loss_matrix"] for r in rows]
    if "accuracy_matrix" in rows[0]:  # a plane's tasks hold points and classes, no curve
        return zoo.kept(losses, [r["accuracy_matrix"] for r in rows]), rows
    variances = [[float(np.var(t.curve_y)) for t in tasks] for tasks in trainer.data.tasks]
    why = zoo.kept(losses, None, variances, config.data.noise**2)
    return why, rows


def measure(
    raw: dict, seeds: Sequence[int], only: Sequence[str], out: Path, settings: dict | None = None
) -> str:
    """Train one preset's methods (naive first, as the gate) and write its file; returns
    '' when kept, else why it was dropped. ``settings``: methods' settings laid over their
    defaults ({method: {key: value}}, as --set gives them)."""
    config = from_dict(raw, raw["name"]).with_overrides(settings=settings)
    path = out / f"{raw['name']}.json"
    old = json.loads(path.read_text()) if path.exists() else None
    if old is not None and old["preset"] != raw:  # drawn anew since (the generator changed)
        old = None
    if old is not None and not only:  # measured already: a run that stopped goes on
        return old["dropped"]
    if old is not None and old["dropped"]:
        return old["dropped"]
    if old is not None and "naive" not in only:
        why, rows = old["dropped"], [r for r in old["runs"] if r["method"] not in only]
    else:
        why, rows = naive_verdict(config, seeds)
        rows += [r for r in (old or {}).get("runs", []) if r["method"] not in (*only, "naive")]
    if not why:
        fits = validation.fitting_methods(config)  # iCaRL classifies: not on a regression
        names = [n for n in fits if n != "naive" and (not only or n in only)]
        rows += [o.to_dict() for o in run_all(config, names, seeds, torch.device("cpu"))]
    order = {name: i for i, name in enumerate(methods.names())}
    rows.sort(key=lambda row: (order.get(row["method"], 99), row["seed"]))
    result = {"preset": raw, "seeds": list(seeds), "dropped": why, "runs": rows if not why else []}
    write_json(path, result | {"measured_on": datetime.date.today().isoformat()})
    return why


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regression", type=int, default=REGRESSIONS, help="candidates")
    parser.add_argument("--classification", type=int, default=CLASSIFICATIONS, help="candidates")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--methods", default="", help="retrain only these (comma-separated)")
    parser.add_argument("--only", default="", help="only these presets (comma-separated)")
    parser.add_argument("--epochs", type=int, default=0, help="cap epochs per task (a slice)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--part", default="0/1", help="i/n: every n-th candidate from the i-th")
    parser.add_argument(
        "--zoo-seed", type=int, default=0, help="draw another zoo (a held-out one: not 0)"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="METHOD.KEY=VALUE", help="as cftui's"
    )
    args = parser.parse_args()
    settings = validation.method_overrides(args.set) or None
    only = [m for m in args.methods.split(",") if m]
    picked = [p for p in args.only.split(",") if p]
    args.out.mkdir(parents=True, exist_ok=True)
    threads.apply(from_dict(next(zoo.regressions()), "zoo"), args.seeds)
    part, parts = map(int, args.part.split("/"))
    kept = dropped = 0
    for index, raw in enumerate(
        [
            *itertools.islice(zoo.regressions(args.zoo_seed), args.regression),
            *itertools.islice(zoo.classifications(args.zoo_seed), args.classification),
        ]
    ):
        if index % parts != part or (picked and raw["name"] not in picked):
            continue
        if args.epochs:
            raw["train"]["epochs"] = min(raw["train"]["epochs"], args.epochs)
        start, cpu = time.perf_counter(), time.process_time()
        why = measure(raw, range(args.seeds), only, args.out, settings)
        kept, dropped = kept + (not why), dropped + bool(why)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        # CPU seconds beside the wall's: on a shared machine the wall says more of the others
        print(f"{raw['name']}: {why or 'kept'} ({wall:.0f} s, {cpu:.0f} s of CPU)", flush=True)
    print(f"{kept} kept, {dropped} dropped", flush=True)


if __name__ == "__main__":
    main()
