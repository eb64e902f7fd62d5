"""The README's "Measured effect" tables, generated: every method on every shipped preset
over many seeds (a method's seeds trained at once), one JSON per preset, then Markdown, and
the compact summary the app ships (cftui/train/measured.json: an installed app has no benchmarks/).

Run: python benchmarks/method_tables.py [--seeds 16] [--presets a,b] [--methods a,b]
[--summary-only]
The JSON files (benchmarks/methods/<preset>.json, the same shape as `cftui compare --json`)
keep every seed's loss matrix; --summary-only trains nothing: it derives the tables and
cftui/train/measured.json from those files again (--markdown-only is its old name).
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from cftui.results.atomic import write_json
from cftui.results.summary import Outcome, comparison_result, summarize
from cftui.results.trials import run_all
from cftui.train import catalog, methods, threads, validation
from cftui.train.config import from_dict

HERE = Path(__file__).parent / "methods"
PACKAGED = Path(__file__).parents[1] / "cftui" / "train" / "measured.json"
KEEPERS = {"joint": 0.8, "replay": 0.8}  # they keep all (or a sample of) the data: must cut
CUT = 0.3  # task 1's median final MSE, at least this much below naive's, for any other method
PLASTIC = 5.0  # and the last task's median final MSE within this many times naive's


def run(preset: str, seeds: int, only: Sequence[str] = ()) -> None:
    """Every method over seeds 0..seeds-1; with ``only``, just those methods, their rows
    replacing theirs in the kept file (the others' rows are kept as they are, with the date
    and commit they were measured at)."""
    config = catalog.resolve(preset)
    seed_range = range(0, seeds)
    path = HERE / f"{preset}.json"
    kept, earlier = [], {}
    if only and path.exists():
        old = json.loads(path.read_text())
        if old["seeds"] != list(seed_range):
            raise SystemExit(f"{path}: kept seeds {old['seeds']} are not 0..{seeds - 1}")
        kept = [row for row in old["runs"] if row["method"] not in only]
        earlier = {"kept_rows_from": old.get("kept_rows_from") or _dated(old)}
    fresh = run_all(
        config.with_overrides(seed=0),
        [name for name in validation.fitting_methods(config) if not kept or name in only],
        seed_range,
        torch.device("cpu"),
        lambda method: print(f"{preset}: {method}", flush=True),
    )
    order = {name: i for i, name in enumerate(methods.names())}
    rows = sorted(kept + [o.to_dict() for o in fresh], key=lambda row: order[row["method"]])
    outcomes = [_outcome(row) for row in rows]
    data = comparison_result(config, "cpu", seed_range, outcomes, summarize(outcomes))
    data["runs"] = rows
    write_json(path, data | {"measured_on": _today(), "commit": _commit()} | earlier)


def _dated(result: dict) -> dict:
    return {"measured_on": result["measured_on"], "commit": result.get("commit")}


def _today() -> str:
    return datetime.date.today().isoformat()


def _outcome(row: dict) -> Outcome:
    return Outcome(row["method"], row["seed"], row["loss_matrix"], row["seconds"], row["state"])


def _commit() -> str | None:
    """The checkout's commit, kept with the numbers it produced; None outside a git tree."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def load(preset: str) -> tuple[dict, dict[str, dict]]:
    """A preset's kept JSON, and its summary derived again from the per-seed rows in it."""
    result = json.loads((HERE / f"{preset}.json").read_text())
    return result, summarize([_outcome(row) for row in result["runs"]])


def verdicts(summary: dict[str, dict]) -> dict[str, dict]:
    """Per method: task 1's cut against naive, the last task against naive, and ✓/✗, all on
    medians over seeds."""
    naive = summary["naive"]["final"]
    out = {}
    for name, row in summary.items():
        final = row["final"]
        cut = 1 - final[0].median / naive[0].median
        plastic = final[-1].median / naive[-1].median
        good = cut >= KEEPERS.get(name, CUT) and (name in KEEPERS or plastic <= PLASTIC)
        out[name] = {"cut": cut, "plastic": plastic, "ok": name != "naive" and good}
    return out


def naive_forgetting(result: dict) -> dict[str, float]:
    """Naive's task 1 right after task 1 (median over seeds) and the median seed's growth."""
    runs = [r for r in result["runs"] if r["method"] == "naive" and r["state"] == "finished"]
    return {
        "after_task1": float(np.median([r["loss_matrix"][0][0] for r in runs])),
        "growth": float(
            np.median([r["loss_matrix"][-1][0] / r["loss_matrix"][0][0] for r in runs])
        ),
    }


def markdown(preset: str) -> str:
    result, summary = load(preset)
    seeds, naive = len(result["seeds"]), naive_forgetting(result)
    lines = [
        f"**`{preset}`** ({len(summary['naive']['final'])} tasks): naive's task-1 test MSE goes"
        f" from {naive['after_task1']:.3g} right after task 1 to"
        f" {summary['naive']['final'][0].median:.3g} after the last task (medians over {seeds}"
        f" seeds; the median seed's growth is {naive['growth']:.0f}x).",
        "",
        "| method | task 1, final MSE: median (range) | cut vs naive | beats naive on "
        "| last task, final MSE | × naive | forgetting | BWT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, verdict in verdicts(summary).items():
        row = summary[name]
        t1, last = row["final"][0], row["final"][-1]
        mark = "" if name == "naive" else " ✓" if verdict["ok"] else " ✗"
        wins = "" if name == "naive" else f"{row['wins']}/{row['versus']}"
        failed = f" ({row['failed']} diverged)" if row["failed"] else ""
        lines.append(
            f"| {name}{mark}{failed} | {t1.median:.3g} ({t1.low:.2g}–{t1.high:.2g}) "
            f"| {verdict['cut']:+.0%} | {wins} | {last.median:.3g} "
            f"| {verdict['plastic']:.2g} | {row['forgetting'].median:.3g} "
            f"| {row['bwt'].median:.3g} |"
        )
    return "\n".join(lines) + "\n"


def packaged(preset: str) -> dict:
    """What the app shows of a preset: per method the medians, their ratio to naive's, the
    wins and the verdict, with the setup and settings they were measured with."""
    result, summary = load(preset)
    measured = from_dict(result["config"], str(HERE / f"{preset}.json"))
    setup = measured.to_dict()
    del setup["data"]["seed"]  # the seeds are listed: 0..N-1, whatever the preset's own
    rows = {}
    for name, verdict in verdicts(summary).items():
        row = summary[name]
        t1, last = row["final"][0], row["final"][-1]
        rows[name] = {
            "task1": t1.median,
            "task1_range": [t1.low, t1.high],
            "vs_naive": 1 - verdict["cut"],
            "wins": row["wins"],
            "versus": row["versus"],
            "last": last.median,
            "last_vs_naive": verdict["plastic"],
            "seeds": t1.seeds,
            "failed": row["failed"],
            "ok": verdict["ok"],
            "settings": dict(measured.method.of(name)),
        }
    return {
        "measured_on": result["measured_on"],  # in the data: a clone sets every mtime to now
        "commit": result.get("commit"),
        "version": result["version"],
        "seeds": result["seeds"],
        "tasks": len(summary["naive"]["final"]),
        "setup": {key: setup[key] for key in ("data", "model", "train")},
        "naive": naive_forgetting(result),
        "methods": rows,
    }


def write_packaged() -> None:
    """cftui/train/measured.json from every preset's kept JSON (not only those trained now)."""
    presets = sorted(path.stem for path in HERE.glob("*.json"))
    write_json(
        PACKAGED,
        {
            "about": "generated by benchmarks/method_tables.py from benchmarks/methods/*.json:"
            " medians over seeds of each preset's test MSE; do not edit",
            "presets": {preset: packaged(preset) for preset in presets},
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument(
        "--presets", default="polynomial,rbf,sigmoid,fourier,hypercl-toy,fourier-thirds"
    )
    parser.add_argument("--summary-only", "--markdown-only", action="store_true")
    parser.add_argument(
        "--methods",
        default="",
        help="A,B: train only these, keeping the other rows (a new preset trains every method)",
    )
    args = parser.parse_args()
    threads.apply(catalog.resolve("polynomial"), args.seeds)
    presets = args.presets.split(",")
    if not args.summary_only:
        for preset in presets:
            run(preset, args.seeds, [m for m in args.methods.split(",") if m])
    write_packaged()
    print("\n".join(markdown(preset) for preset in presets))


if __name__ == "__main__":
    main()
