"""The README's "Measured effect" tables, generated: every method on every shipped preset
over many seeds (a method's seeds trained at once), one JSON per preset, then Markdown.

Run: python benchmarks/method_tables.py [--seeds 16] [--presets a,b] [--markdown-only]
The JSON files (benchmarks/methods/<preset>.json, the same shape as `cftui compare --json`)
keep every seed's loss matrix; --markdown-only prints the tables from them again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from cftui import catalog, compare, methods, results

HERE = Path(__file__).parent / "methods"
KEEPERS = {"joint": 0.8, "replay": 0.8}  # they keep all (or a sample of) the data: must cut
CUT = 0.3  # task 1's median final MSE, at least this much below naive's, for any other method
PLASTIC = 5.0  # and the last task's median final MSE within this many times naive's


def run(preset: str, seeds: int) -> None:
    config = catalog.resolve(preset)
    seed_range = range(0, seeds)
    outcomes = compare.run_all(
        config.with_overrides(seed=0),
        methods.names(),
        seed_range,
        torch.device("cpu"),
        lambda method: print(f"{preset}: {method}", flush=True),
    )
    summary = compare.summarize(outcomes)
    data = results.comparison(config, "cpu", seed_range, outcomes, summary)
    results.write_json(HERE / f"{preset}.json", data)


def verdicts(result: dict) -> dict[str, dict]:
    """Per method: task 1's cut against naive, the last task against naive, and ✓/✗, all on
    medians over seeds."""
    summary = result["summary"]
    naive = summary["naive"]["final"]
    out = {}
    for name, row in summary.items():
        final = row["final"]
        cut = 1 - final[0]["median"] / naive[0]["median"]
        plastic = final[-1]["median"] / naive[-1]["median"]
        good = cut >= KEEPERS.get(name, CUT) and (name in KEEPERS or plastic <= PLASTIC)
        out[name] = {"cut": cut, "plastic": plastic, "ok": name != "naive" and good}
    return out


def markdown(preset: str) -> str:
    result = json.loads((HERE / f"{preset}.json").read_text())
    summary, seeds = result["summary"], len(result["seeds"])
    naive_runs = [r for r in result["runs"] if r["method"] == "naive" and r["state"] == "finished"]
    after = np.median([r["loss_matrix"][0][0] for r in naive_runs])
    final = summary["naive"]["final"][0]["median"]
    growth = np.median([r["loss_matrix"][-1][0] / r["loss_matrix"][0][0] for r in naive_runs])
    n_tasks = len(naive_runs[0]["loss_matrix"])
    lines = [
        f"**`{preset}`** ({n_tasks} tasks): naive's task-1 test MSE goes from {after:.3g} right"
        f" after task 1 to {final:.3g} after the last task (medians over {seeds} seeds; the"
        f" median seed's growth is {growth:.0f}x).",
        "",
        "| method | task 1, final MSE: median (range) | cut vs naive | beats naive on "
        "| last task, final MSE | × naive | forgetting | BWT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, verdict in verdicts(result).items():
        row = summary[name]
        t1, last = row["final"][0], row["final"][-1]
        mark = "" if name == "naive" else " ✓" if verdict["ok"] else " ✗"
        wins = "" if name == "naive" else f"{row['wins']}/{row['versus']}"
        failed = f" ({row['failed']} diverged)" if row["failed"] else ""
        lines.append(
            f"| {name}{mark}{failed} | {t1['median']:.3g} ({t1['low']:.2g}–{t1['high']:.2g}) "
            f"| {verdict['cut']:+.0%} | {wins} | {last['median']:.3g} "
            f"| {verdict['plastic']:.2g} | {row['forgetting']['median']:.3g} "
            f"| {row['bwt']['median']:.3g} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--presets", default="polynomial,rbf,sigmoid,fourier,hypercl-toy")
    parser.add_argument("--markdown-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    presets = args.presets.split(",")
    if not args.markdown_only:
        for preset in presets:
            run(preset, args.seeds)
    print("\n".join(markdown(preset) for preset in presets))


if __name__ == "__main__":
    main()
