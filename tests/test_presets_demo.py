"""Each shipped teaching preset tells its story at its default seed: naive forgets (task 1's
test MSE grows at least 30x from right after task 1 to the end), and every method that works
on that preset ends task 1 lower than naive does.

Which methods work comes from the generated tables (benchmarks/method_tables.py: ✓ on the
medians over seeds 0-15, saved in benchmarks/methods/<preset>.json); each preset's default
seed was chosen from those tables' per-seed rows as the smallest seed that shows both. The
trainer is deterministic, so this test trains just that seed, each method's run alone.
"""

import pytest
import torch

from cftui.results.trials import run_all
from cftui.train import catalog
from cftui.train.config import load

# The ✓ methods of benchmarks/methods/<preset>.json (verdicts() in benchmarks/method_tables.py).
WORKS = {
    "polynomial": (
        *("joint", "replay", "ewc", "online_ewc", "si", "mas", "l2", "agem"),
        *("multihead", "packnet", "hnet"),
    ),
    "rbf": ("joint", "replay", "ewc", "online_ewc", "si", "mas", "agem", "packnet", "hnet"),
    "sigmoid": (
        *("joint", "replay", "ewc", "online_ewc", "si", "mas", "agem"),
        *("multihead", "packnet", "hnet"),
    ),
    "fourier": (
        *("joint", "replay", "ewc", "online_ewc", "si", "mas", "agem"),
        *("multihead", "packnet", "hnet"),
    ),
    "hypercl-toy": ("joint", "replay", "ewc", "online_ewc", "si", "mas", "agem", "packnet"),
    "fourier-thirds": (
        *("joint", "replay", "ewc", "online_ewc", "si", "mas", "agem"),
        *("multihead", "packnet", "hnet"),
    ),
    "hypercl-hnet": ("hnet",),  # the reference run's preset: its one method (README)
}
GROWTH = 30  # naive's task-1 test MSE after the last task, at least this many times its best


@pytest.mark.parametrize("name", WORKS)
def test_the_default_seed_shows_forgetting_and_each_fix(name):
    config = load(catalog.shipped_dir() / f"{name}.toml")  # not a user's preset of that name
    seed = config.data.seed
    outcomes = run_all(config, ["naive", *WORKS[name]], [seed], torch.device("cpu"))
    assert all(o.complete for o in outcomes), [o.failure for o in outcomes if o.failure]
    naive = outcomes[0].loss_matrix
    growth = naive[-1][0] / naive[0][0]
    assert growth >= GROWTH, f"{name} seed {seed}: naive forgets only {growth:.1f}x"
    losing = {o.method: o.final[0] for o in outcomes[1:] if o.final[0] >= naive[-1][0]}
    assert not losing, f"{name} seed {seed}: naive ends task 1 at {naive[-1][0]:.3g}; {losing}"
