"""The zoo's tables, from the per-seed files benchmarks/zoo_run.py keeps: per method, how
often it beats naive on presets nobody tuned it on, and where it fails.

Run: python benchmarks/zoo_table.py [--dir benchmarks/zoo] [--json out.json]
Every number is over presets, each preset's value a median over its seeds; a diverged seed
counts as an infinite loss. Regression: the share of presets where the method's final
task-1 MSE is below naive's, the median cut (1 - method / naive), the share with a cut of at
least 80 %, the last task's MSE against naive's (median ratio, share <= 3x), and the presets
with the smallest cuts with what they share. Classification: the share above naive's
average accuracy and the median average accuracy, per scenario.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from cftui.results.atomic import write_json
from cftui.train.zoo_word import kind

HERE = Path(__file__).parent / "zoo"
HELD_OUT = Path(__file__).parent / "zoo_heldout"  # a second draw (zoo_run.py --zoo-seed 1),
# measured once every default was set; then CHOSE_ON_HELD_OUT's defaults were chosen with it in
# view, so a third draw (--zoo-seed 2), measured once after that choice, checks them alone
THIRD = Path(__file__).parent / "zoo_third"
CHOSE_ON_HELD_OUT = ("packnet", "hnet")  # packnet's head, biases and optimizer per task,
# hnet's width (RESULTS.md, the zoo's fourth and sixth looks)
PACKAGED = Path(__file__).parents[1] / "cftui" / "train" / "zoo.json"
SHIPPED = ("presets", "beats_naive", "median_cut", "cut_80", "last_within_3x")  # to the app
WORST = 4  # presets named as a method's worst


def load(folder: Path) -> tuple[list[dict], int]:
    """The kept presets' results and how many drawn presets were dropped."""
    results = [json.loads(p.read_text()) for p in sorted(folder.glob("zoo-*.json"))]
    return [r for r in results if not r["dropped"]], sum(bool(r["dropped"]) for r in results)


def medians(result: dict) -> dict[str, dict[str, float]]:
    """Per method: median over seeds of task 1's final loss, the last task's, and (classes)
    the final average accuracy."""
    by_method: dict[str, list[dict]] = {}
    for row in result["runs"]:
        by_method.setdefault(row["method"], []).append(row)
    out = {}
    for name, rows in by_method.items():
        final = np.array([r["loss_matrix"][-1] for r in rows], dtype=float)
        final[~np.isfinite(final)] = np.inf
        out[name] = {"first": float(np.median(final[:, 0])), "last": float(np.median(final[:, -1]))}
        if rows[0].get("accuracy_matrix"):
            out[name]["accuracy"] = float(
                np.median([np.mean(r["accuracy_matrix"][-1]) for r in rows])
            )
    return out


def traits(preset: dict) -> list[str]:
    """What a preset is, in words a table can count."""
    d, m, t = preset["data"], preset["model"], preset["train"]
    return [
        d["family"],
        f"{d['n_tasks']} tasks",
        m["activation"],
        f"width {m['layers'][1]}",
        f"depth {len(m['layers']) - 2}",
        "full batch" if not t["batch_size"] else "minibatch",
        "disjoint" if d.get("ranges") else "touching",
        "noise >= 0.05" if d["noise"] >= 0.05 else "noise < 0.05",
    ]


def regression_table(results: list[dict]) -> dict[str, dict]:
    rows: dict[str, list] = {}
    for result in results:
        m = medians(result)
        naive = m["naive"]
        for name, v in m.items():
            cut = 1 - v["first"] / naive["first"]
            rows.setdefault(name, []).append(
                (cut, v["last"] / naive["last"], result["preset"]["name"], result["preset"])
            )
    table = {}
    for name, values in rows.items():
        cuts = np.array([v[0] for v in values])
        last = np.array([v[1] for v in values])
        worst = sorted(values, key=lambda v: v[0])[:WORST]
        common = Counter(t for v in worst for t in traits(v[3]))
        table[name] = {
            "presets": len(values),
            "beats_naive": float(np.mean(cuts > 0)),
            "median_cut": float(np.median(cuts)),
            "cut_80": float(np.mean(cuts >= 0.8)),
            "last_vs_naive": float(np.median(last)),
            "last_within_3x": float(np.mean(last <= 3)),
            "worst": [f"{v[2]} ({v[0]:+.0%})" for v in worst],
            "worst_share": [t for t, n in common.most_common() if n == len(worst)],
        }
    return table


def classification_table(results: list[dict]) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for result in results:
        m, scenario = medians(result), result["preset"]["data"]["scenario"]
        for name, v in m.items():
            row = table.setdefault(name, {}).setdefault(scenario, {"above": [], "accuracy": []})
            row["above"].append(v["accuracy"] > m["naive"]["accuracy"])
            row["accuracy"].append(v["accuracy"])
    return {
        name: {
            s: {
                "presets": len(r["above"]),
                "above_naive": float(np.mean(r["above"])),
                "median_accuracy": float(np.median(r["accuracy"])),
                "accuracy_0.8": float(np.mean(np.array(r["accuracy"]) >= 0.8)),
            }
            for s, r in sorted(scenarios.items())
        }
        for name, scenarios in table.items()
    }


def tables(folder: Path) -> dict:
    results, dropped = load(folder)
    regression = [r for r in results if "scenario" not in r["preset"]["data"]]
    classes = [r for r in results if "scenario" in r["preset"]["data"]]
    dates = sorted({r["measured_on"] for r in results})
    return {
        "measured_on": dates[-1] if dates else None,
        "seeds": len(results[0]["seeds"]) if results else 0,
        "kept": {"regression": len(regression), "classification": len(classes)},
        "dropped": dropped,
        "regression": regression_table(regression),
        "classification": classification_table(classes),
    }


def alike(folders: tuple[Path, ...]) -> dict[str, dict[str, dict[str, int]]]:
    """Per method and kind of regression preset (cftui/train/zoo_word.py: its activation and
    noise), over every draw that trained the method: how many presets, on how many task 1
    ended below naive's, and on how many the last task within 3x naive's."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    for folder in folders:
        for result in load(folder)[0]:
            preset = result["preset"]
            what = kind(preset["model"]["activation"], preset["data"]["noise"])
            if "scenario" in preset["data"] or what is None:
                continue
            m = medians(result)
            for name, v in m.items():
                row = table.setdefault(name, {}).setdefault(
                    what, {"presets": 0, "beats_naive": 0, "last_within_3x": 0}
                )
                row["presets"] += 1
                row["beats_naive"] += v["first"] < m["naive"]["first"]
                row["last_within_3x"] += v["last"] <= 3 * m["naive"]["last"]
    return {name: dict(sorted(kinds.items())) for name, kinds in table.items()}


def packaged(data: dict, held_out: dict, third: dict) -> dict:
    """What the explain pane shows (an installed app has no benchmarks/): the zoo's tables,
    the held-out draw's regression rows beside them, and the third draw's for the methods
    whose defaults were chosen with the held-out draw in view; and, over all three, each
    method's counts on each kind of preset (``alike``)."""

    def shipped(table: dict) -> dict:
        return {name: {k: row[k] for k in SHIPPED} for name, row in table["regression"].items()}

    return {
        "about": "generated by benchmarks/zoo_table.py --packaged from benchmarks/zoo/*.json,"
        " benchmarks/zoo_heldout/*.json and benchmarks/zoo_third/*.json",
        **{k: data[k] for k in ("measured_on", "seeds", "kept", "dropped", "classification")},
        "regression": shipped(data),
        "held_out": {
            "measured_on": held_out["measured_on"],
            "regression": shipped(held_out),
            "chose": list(CHOSE_ON_HELD_OUT),
        },
        "third": {"measured_on": third["measured_on"], "regression": shipped(third)},
        "alike": alike((HERE, HELD_OUT, THIRD)),
    }


def markdown(data: dict) -> str:
    lines = [
        "| method | beats naive | median cut | cut ≥ 80 % | last task vs naive | last ≤ 3x |"
        " fails most on (what they share) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in data["regression"].items():
        if name == "naive":
            continue
        lines.append(
            f"| {name} | {r['beats_naive']:.0%} | {r['median_cut']:+.0%} | {r['cut_80']:.0%} |"
            f" {r['last_vs_naive']:.2f}x | {r['last_within_3x']:.0%} |"
            f" {', '.join(r['worst'])} ({', '.join(r['worst_share']) or 'nothing all share'}) |"
        )
    if not data["classification"]:  # a draw of regressions alone (the held-out one)
        return "\n".join(lines)
    lines += ["", "| method | scenario | above naive | median accuracy | accuracy ≥ 0.8 |"]
    lines.append("|---|---|---|---|---|")
    for name, scenarios in data["classification"].items():
        for s, r in scenarios.items():
            lines.append(
                f"| {name} | {s} ({r['presets']}) | {r['above_naive']:.0%} |"
                f" {r['median_accuracy']:.2f} | {r['accuracy_0.8']:.0%} |"
            )
    return "\n".join(lines)


def alike_markdown(table: dict[str, dict[str, dict[str, int]]]) -> str:
    """Per method, each kind of preset's counts: task 1 below naive's, the last task within
    3x naive's, of how many presets (all three draws that trained it)."""
    kinds = sorted({k for rows in table.values() for k in rows})
    lines = [
        "| method | " + " | ".join(kinds) + " |",
        "|---|" + "---|" * len(kinds),
    ]
    for name, rows in table.items():
        if name == "naive":
            continue
        cells = [
            f"{r['beats_naive']} · {r['last_within_3x']} of {r['presets']}" if r else ""
            for r in (rows.get(k) for k in kinds)
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE)
    parser.add_argument("--json", type=Path, help="also keep the tables as JSON here")
    parser.add_argument(
        "--packaged",
        action="store_true",
        help=f"write {PACKAGED.name} (with {HELD_OUT.name} and {THIRD.name})",
    )
    args = parser.parse_args()
    data = tables(args.dir)
    if args.json:
        write_json(args.json, data)
    if args.packaged:
        write_json(PACKAGED, packaged(data, tables(HELD_OUT), tables(THIRD)))
    print(markdown(data))
    if args.packaged:
        print("", alike_markdown(alike((HERE, HELD_OUT, THIRD))), sep="\n")


if __name__ == "__main__":
    main()
