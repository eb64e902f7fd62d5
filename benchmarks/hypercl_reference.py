"""cftui's `hypercl-hnet` against the reference code's own numbers (chrhenning/hypercl,
toy_example, run here over seeds 0-20: random seed = data seed; DESIGN.md).

Trains hnet on the preset over seeds 0..N-1 at once and prints the medians of the final
test MSE per task (noise-free grid test points, as the reference), per block of 21 seeds and
over all, with how many seeds end task 3 above 0.01. Medians of 21 seeds of this bimodal
spread move by about 2x from one block of seeds to the next: read the blocks together.
Run: python benchmarks/hypercl_reference.py [--seeds 63]
"""

from __future__ import annotations

import argparse

import numpy as np

from cftui.train import catalog, threads
from cftui.train.trainer import Trainer

REFERENCE = {  # hypercl's own medians over its seeds 0-20, and its README's single run
    "hypercl, medians over seeds 0-20": (0.0007, 0.0036, 0.0020),
    "hypercl README (one run)": (0.00419, 0.00239, 0.00607),
}
BLOCK = 21


def row(label: str, final: np.ndarray) -> str:
    medians = " | ".join(f"{m:.2g}" for m in np.median(final, 0))
    above = int((final[:, -1] > 0.01).sum())
    return f"| {label} | {medians} | {above}/{len(final)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3 * BLOCK)
    args = parser.parse_args()
    config = catalog.resolve("hypercl-hnet")
    threads.apply(config, args.seeds)
    engine = Trainer(config, seeds=range(args.seeds))
    engine.run()
    final = np.stack(engine.now.loss_matrix)[-1]  # [S, T]: after the last task
    print("| | task 1 | task 2 | task 3 | task 3 > 0.01 |")
    print("|---|---|---|---|---|")
    for label, numbers in REFERENCE.items():
        print(f"| {label} | " + " | ".join(f"{n:.2g}" for n in numbers) + " | |")
    for start in range(0, args.seeds - BLOCK + 1, BLOCK):
        print(row(f"cftui hnet, seeds {start}-{start + BLOCK - 1}", final[start : start + BLOCK]))
    print(row(f"cftui hnet, seeds 0-{args.seeds - 1}", final))


if __name__ == "__main__":
    main()
