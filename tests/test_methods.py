"""The math of each method, checked against a hand computation on tiny nets, seed by seed.

A run trains S seeds as one stacked model; every method must keep its math per seed: seed
s's importances, memory, draws and steps are what a run of seed s alone would have.
"""

import dataclasses
import itertools

import numpy as np
import pytest
import torch
from torch import nn

from cftui.train import methods, model
from cftui.train.methods.agem import project
from cftui.train.methods.ewc import fisher
from cftui.train.methods.replay import Reservoir
from cftui.train.per_seed import seed_losses
from cftui.train.seed_data import SeedData
from cftui.train.trainer import Trainer

from conftest import small

# the methods a regression runs: all but a classifier (iCaRL), which a regression refuses
REGRESSION_METHODS = [n for n in methods.names() if not methods.info(n).only_in]

CPU = torch.device("cpu")
SEEDS = (5, 2)  # not 0..S-1, so a seed's index and its value cannot be confused
THREE = (5, 2, 9)


def net(seeds=SEEDS, layers=(1, 3, 1)) -> model.MLP:
    return model.build(layers, "sigmoid", seeds, CPU)


def reference(seed: int, layers=(1, 3, 1)) -> nn.Sequential:
    """Seed ``seed``'s network as plain nn.Linear layers drawn after torch.manual_seed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        linears = [nn.Linear(a, b) for a, b in itertools.pairwise(layers)]
    parts = []
    for linear in linears[:-1]:
        parts += [linear, nn.Sigmoid()]
    return nn.Sequential(*parts, linears[-1])


def points(seeds, n: int = 6, task: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Different x and y for every seed (and task): ``[S, n, 1]`` each."""
    xs, ys = [], []
    for seed in seeds:
        g = torch.Generator().manual_seed(1000 * task + seed)
        x = torch.rand(n, 1, generator=g) * 2 - 1
        xs.append(x)
        ys.append(torch.sin(3 * x) + 0.1 * torch.randn(n, 1, generator=g))
    return torch.stack(xs), torch.stack(ys)


class FakeData:
    """What the hooks read: ``train(k)``, task k's ``[S, N, 1]`` points."""

    def __init__(self, *tasks):
        self.tasks = tasks
        self.n_tasks = len(tasks)

    def train(self, k):
        return self.tasks[k]

    def seed(self, s: int) -> "FakeData":
        """Seed index s alone, as a 1-seed run sees its data."""
        return FakeData(*[(x[s : s + 1], y[s : s + 1]) for x, y in self.tasks])


def fake_data(seeds, n_tasks: int = 1, n: int = 6) -> FakeData:
    return FakeData(*[points(seeds, n, task) for task in range(n_tasks)])


def method(name: str, seeds=SEEDS, **params):
    return methods.get(name)(params, seeds)


def flat(tensors, s: int | None = None) -> torch.Tensor:
    """Parameters end to end: all seeds, or seed index s alone."""
    return torch.cat([(t if s is None else t[s]).reshape(-1) for t in tensors])


def hand_per_sample_grads(seed: int, loss, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One row per sample: the gradient of ``loss`` on plain nn.Linear layers of ``seed``,
    laid out as one seed of the stacked model (weight [in, out], bias [1, out])."""
    ref = reference(seed)
    rows = []
    for xn, yn in zip(x, y, strict=True):
        ref.zero_grad()
        loss(ref(xn.unsqueeze(0)), yn.unsqueeze(0)).backward()
        grads = [p.grad.T if p.dim() == 2 else p.grad for p in ref.parameters()]
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def sgd_steps(m, net, x, y, steps: int = 5, lr: float = 0.1) -> None:
    """The trainer's step with plain SGD: summed seed losses, the method's hooks around it."""
    for _ in range(steps):
        bx, by = m.batch(x, y)
        net.zero_grad()
        loss = seed_losses(net(bx), by).sum()
        penalty = m.penalty(net, bx)
        (loss if penalty is None else loss + penalty).backward()
        m.after_backward(net)
        with torch.no_grad():
            for p in net.parameters():
                p -= lr * p.grad
        m.after_step(net)


def train(m, net, data, steps: int = 5) -> None:
    for k in range(data.n_tasks):
        m.before_task(net, data, k)
        sgd_steps(m, net, *m.training_set(data, k), steps=steps)
        m.after_task(net, data, k)


# -- importances by hand -------------------------------------------------------------------


def test_fisher_is_the_mean_of_squared_per_sample_gradients():
    m, (x, y) = net(), points(SEEDS)
    importance = fisher(method("ewc"), m, x, y, 0)
    for s, seed in enumerate(SEEDS):
        by_hand = hand_per_sample_grads(seed, lambda f, t: 0.5 * ((f - t) ** 2).sum(), x[s], y[s])
        torch.testing.assert_close(flat(importance, s), by_hand.pow(2).mean(0))
        assert flat(importance, s).abs().sum() > 0


def test_mas_importance_is_mean_abs_gradient_of_squared_output():
    m, data = net(), fake_data(SEEDS)
    mas = method("mas")
    mas.after_task(m, data, 0)
    x, y = data.train(0)
    for s, seed in enumerate(SEEDS):
        by_hand = hand_per_sample_grads(seed, lambda f, t: (f**2).sum(), x[s], y[s])
        torch.testing.assert_close(flat(mas.terms[0][0], s), by_hand.abs().mean(0))


@pytest.mark.parametrize(
    ("name", "settings"),
    [("ewc", {"lambda": 10.0}), ("online_ewc", {"lambda": 10.0}), ("mas", {}), ("si", {})],
)
def test_a_seeds_importances_are_those_of_its_own_run(name, settings):
    """Three seeds, each with its own data, trained two tasks as one stacked model: seed s's
    importances and anchors equal those of a 1-seed model of s trained on s's data alone."""
    layers, data = (1, 4, 4, 1), fake_data(THREE, n_tasks=2)
    stacked = method(name, THREE, **settings)
    train(stacked, net(THREE, layers), data)
    importances = [flat(w, 0) for w, _ in stacked.terms]
    assert not torch.allclose(importances[0], flat(stacked.terms[0][0], 1))  # seeds differ
    for s, seed in enumerate(THREE):
        alone = method(name, [seed], **settings)
        train(alone, net([seed], layers), data.seed(s))
        assert len(alone.terms) == len(stacked.terms)
        for (w, a), (w1, a1) in zip(stacked.terms, alone.terms, strict=True):
            assert flat(w1, 0).abs().sum() > 0
            torch.testing.assert_close(flat(w, s), flat(w1, 0))
            torch.testing.assert_close(flat(a, s), flat(a1, 0))


# -- a weight no point moves: the floor of silent units ---------------------------------------


def test_ewc_floors_a_silent_relu_units_fisher_at_a_share_of_its_layers_mean():
    """[1, 2, 1] relu by hand: unit 0 is z = x + 0.5 (active on x in [0, 1]), unit 1 is
    z = -x - 0.5 (silent there), the head 0.7 a0 + 0.3 a1 + 0.1. At x = 0, 0.5, 1 with
    y = 0, 1, 0 the residuals r = f - y are 0.45, -0.2, 1.15, and the per-sample gradients of
    r^2 / 2 are r 0.7 x (w0), r 0.7 (b0), r (x + 0.5) (v0), r (c); unit 1's are all zero, so
    its Fisher is 0, and a floor of 0.03 makes it 0.03 x its tensor's mean. The default, 0,
    is the paper's EWC: the zeros stay."""
    assert methods.info("ewc").defaults["silent_floor"] == 0
    m = model.build((1, 2, 1), "relu", [0], CPU)
    with torch.no_grad():
        m.linears[0].weight.copy_(torch.tensor([[[1.0, -1.0]]]))
        m.linears[0].bias.copy_(torch.tensor([[[0.5, -0.5]]]))
        m.linears[1].weight.copy_(torch.tensor([[[0.7], [0.3]]]))
        m.linears[1].bias.copy_(torch.tensor([[[0.1]]]))
    x, y = np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 0.0])
    r = 0.7 * (x + 0.5) + 0.1 - y
    np.testing.assert_allclose(r, [0.45, -0.2, 1.15], rtol=1e-12)
    w0, b0, v0, c = (np.mean(g**2) for g in (r * 0.7 * x, r * 0.7, r * (x + 0.5), r))
    data = FakeData(tuple(torch.tensor(a, dtype=torch.float32).view(1, 3, 1) for a in (x, y)))
    for share in (0.0, 0.03):
        ewc = method("ewc", [0], silent_floor=share)
        ewc.after_task(m, data, 0)
        importance, _ = ewc.terms[0]
        # the silent unit's entries: share x the mean of (its active neighbour's, 0)
        half = share / 2
        expected = [[w0, half * w0], [b0, half * b0], [v0, half * v0], [c]]
        for got, want in zip(importance, expected, strict=True):
            np.testing.assert_allclose(got.flatten().numpy(), want, rtol=1e-5)


@pytest.mark.parametrize("name", ["ewc", "online_ewc", "si", "mas"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_only_exact_zeros_are_floored_each_at_a_share_of_its_tensors_mean(name, activation):
    """One task trained as the run trains it, with ``silent_floor`` 0 (the paper's) and 0.3:
    every importance equal, except the exact zeros, which become 0.3 x their tensor's mean
    (per seed). A relu unit made silent on every point has them; a sigmoid net has none, so
    there the floor changes nothing at all."""
    layers, data = (1, 4, 4, 1), fake_data(SEEDS)
    runs = {}
    for share in (0.0, 0.3):
        m = model.build(layers, activation, SEEDS, CPU)
        with torch.no_grad():  # unit 2 of the first layer: z = 0.1 x - 2 < 0 on x in [-1, 1]
            m.linears[0].weight[:, :, 2] = 0.1
            m.linears[0].bias[:, :, 2] = -2.0
        runs[share] = method(name, silent_floor=share)
        train(runs[share], m, data)
    zeros = 0
    for plain, floored in zip(runs[0.0].terms[0][0], runs[0.3].terms[0][0], strict=True):
        mean = plain.flatten(1).mean(1).view(-1, *[1] * (plain.dim() - 1)).expand_as(plain)
        silent = plain == 0
        zeros += int(silent.sum())
        torch.testing.assert_close(floored[~silent], plain[~silent], rtol=0, atol=0)
        torch.testing.assert_close(floored[silent], 0.3 * mean[silent])
    if activation == "relu":  # the silent unit's weight and bias in, its 4 weights out
        assert zeros >= 2 * 6
    else:
        assert zeros == 0


# -- the penalties ---------------------------------------------------------------------------

PENALTIES = [
    # (method, settings, importance from the method's own state -> scale * sum(w d^2))
    ("ewc", {"lambda": 7.0}, 3.5),
    ("online_ewc", {"lambda": 7.0}, 3.5),
    ("mas", {"lambda": 2.0}, 2.0),
    ("l2", {"lambda": 0.5}, 0.5),
    ("si", {"c": 4.0}, 4.0),
]


@pytest.mark.parametrize(("name", "settings", "scale"), PENALTIES)
def test_penalty_is_zero_at_the_anchor_and_quadratic_around_it(name, settings, scale):
    m, data = net(), fake_data(SEEDS)
    x, y = data.train(0)
    p = method(name, **settings)
    p.before_task(m, data, 0)
    if name == "si":  # give SI a path to integrate: a few plain SGD steps
        sgd_steps(p, m, x, y)
    assert p.penalty(m, x) is None  # nothing to hold before the first task ends
    p.after_task(m, data, 0)
    assert p.penalty(m, x).item() == 0.0
    importance, anchor = p.terms[0]
    g = torch.Generator().manual_seed(0)
    direction = [torch.randn(a.shape, generator=g) for a in anchor]
    values = []
    for t in (0.5, 1.0, 2.0):
        with torch.no_grad():
            for q, a, d in zip(m.parameters(), anchor, direction, strict=True):
                q.copy_(a + t * d)
        values.append(p.penalty(m, x).item())
    expected = scale * sum(
        (w * d**2).sum().item() for w, d in zip(importance, direction, strict=True)
    )
    assert values[1] == pytest.approx(expected, rel=1e-5)
    assert values == pytest.approx([0.25 * values[1], values[1], 4 * values[1]], rel=1e-5)
    assert expected > 0


def test_ewc_keeps_one_fisher_per_task_and_online_ewc_one_running():
    m, data = net(), fake_data(SEEDS, n_tasks=2)
    ewc, online = method("ewc"), method("online_ewc", gamma=0.5)
    fishers, anchors = [], []
    for k in range(2):
        ewc.after_task(m, data, k)
        online.after_task(m, data, k)
        fishers.append(flat(fisher(method("ewc"), m, *data.train(k), k)))
        anchors.append(flat(m.parameters()).detach().clone())
        with torch.no_grad():
            for p in m.parameters():
                p += 0.1
    assert len(ewc.terms) == 2 and len(online.terms) == 1
    for k in range(2):
        torch.testing.assert_close(flat(ewc.terms[k][0]), fishers[k])
        torch.testing.assert_close(flat(ewc.terms[k][1]), anchors[k])
    torch.testing.assert_close(flat(online.terms[0][0]), 0.5 * fishers[0] + fishers[1])
    torch.testing.assert_close(flat(online.terms[0][1]), anchors[1])


def test_l2_importance_is_one_and_anchor_the_last_task():
    m, data = net(), fake_data(SEEDS)
    x, _ = data.train(0)
    l2 = method("l2", **{"lambda": 2.0})
    l2.after_task(m, data, 0)
    with torch.no_grad():
        m.basis[0].bias[1] += 1.0  # three parameters of the second seed moved by 1
    assert l2.penalty(m, x).item() == pytest.approx(2.0 * 3)
    with torch.no_grad():
        m.basis[0].bias[0] += 1.0  # and three of the first
    assert l2.penalty(m, x).item() == pytest.approx(2.0 * 6)
    l2.after_task(m, data, 1)  # the anchor moves to where the weights are now
    assert l2.penalty(m, x).item() == 0.0


class Weights(nn.Module):
    """One weight per seed."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))


def test_si_omega_is_the_path_integral_on_a_quadratic():
    """L(w) = 1/2 a_s (w_s - 2)^2 from w = 0 with SGD, a different a per seed: omega_s =
    sum -g dw = L_s(start) - L_s(end) in the small-step limit, and exactly
    sum -g_k (w_k+1 - w_k) by hand, seed by seed."""
    a, lr = torch.tensor([3.0, 1.0]), 0.01
    weights = Weights([0.0, 0.0])
    si = method("si", xi=0.1)
    si.before_task(weights, None, 0)
    by_hand, w = np.zeros(2), np.zeros(2)
    for _ in range(200):
        weights.zero_grad()
        (0.5 * a * (weights.w - 2.0) ** 2).sum().backward()
        si.after_backward(weights)
        with torch.no_grad():
            weights.w -= lr * weights.w.grad
        si.after_step(weights)
        g = a.numpy() * (w - 2.0)
        by_hand += -g * (-lr * g)
        w -= lr * g
    omega = si.omega[0].numpy()
    np.testing.assert_allclose(omega, by_hand, rtol=1e-5)
    loss = 0.5 * a.numpy() * (np.zeros(2) - 2.0) ** 2 - 0.5 * a.numpy() * (w - 2.0) ** 2
    np.testing.assert_allclose(omega, loss, rtol=0.03)
    assert omega[0] != pytest.approx(omega[1], rel=0.1)
    si.after_task(weights, None, 0)
    np.testing.assert_allclose(si.terms[0][0][0].numpy(), omega / (w**2 + 0.1), rtol=1e-5)


def test_si_takes_its_own_penalty_gradient_out():
    m, data = net(), fake_data(SEEDS)
    x, y = data.train(0)
    si = method("si", c=5.0)
    si.before_task(m, data, 0)
    si.after_task(m, data, 0)
    g = torch.Generator().manual_seed(0)
    si.terms = [([torch.rand(p.shape, generator=g) for p in m.parameters()], si.terms[0][1])]
    si.before_task(m, data, 1)
    with torch.no_grad():
        for p in m.parameters():
            p += 0.3
    m.zero_grad()
    task_loss = seed_losses(m(x), y).sum()
    task_only = torch.autograd.grad(task_loss, list(m.parameters()), retain_graph=True)
    (task_loss + si.penalty(m, x)).backward()
    assert not torch.allclose(flat(p.grad for p in m.parameters()), flat(task_only))
    si.after_backward(m)
    torch.testing.assert_close(flat(si.task_grads), flat(task_only))


# -- A-GEM -------------------------------------------------------------------------------------


def one_dot_product(g: torch.Tensor, g_ref: torch.Tensor) -> torch.Tensor:
    """The projection as if all seeds were one flat gradient: the wrong answer."""
    dot = (g * g_ref).sum()
    return g - (dot / (g_ref * g_ref).sum()) * g_ref if dot < 0 else g


def test_agem_projection():
    g_ref = torch.tensor([[1.0, 0.0, 1.0]])
    opposed = torch.tensor([[-2.0, 1.0, 0.0]])  # g . g_ref = -2
    projected = project(opposed, g_ref)
    # by hand: g - (-2 / 2) g_ref = [-1, 1, 1]
    torch.testing.assert_close(projected, torch.tensor([[-1.0, 1.0, 1.0]]))
    assert (projected * g_ref).sum() >= -1e-6
    agreeing = torch.tensor([[1.0, 5.0, -0.5]])
    assert torch.equal(project(agreeing, g_ref), agreeing)
    for seed in range(50):
        g, r = torch.randn(3, 10, generator=torch.Generator().manual_seed(seed)).chunk(2, 1)
        assert ((project(g, r) * r).sum(1) >= -1e-5).all()


@pytest.mark.parametrize(
    ("g", "expected"),
    [
        # dots 6 and -3, +3 together: one dot product would leave seed 1 alone
        ([[3.0, 0.0, 3.0], [1.0, -3.0, 0.0]], [[3.0, 0.0, 3.0], [1.0, -1.5, 1.5]]),
        # dots 1 and -4, -3 together: one dot product would move seed 0 too
        ([[1.0, 0.0, 0.0], [0.0, -4.0, 0.0]], [[1.0, 0.0, 0.0], [0.0, -2.0, 2.0]]),
    ],
)
def test_agem_projects_each_seed_on_its_own(g, expected):
    g_ref = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    g, expected = torch.tensor(g), torch.tensor(expected)
    out = project(g, g_ref)
    assert torch.equal(out[0], g[0])  # seed 0 agrees with its memory: untouched
    # seed 1 opposes its own: g - (g . r / r . r) r, by hand above
    torch.testing.assert_close(out, expected)
    assert not torch.allclose(one_dot_product(g, g_ref), expected)


def test_agem_changes_the_step_only_against_the_memory():
    """Seed 0's batch is its memory (its gradient agrees with the reference), seed 1's
    pulls against its memory: seed 0's gradient stays, seed 1's is projected by hand."""
    m, data = net(), fake_data(SEEDS)
    x, y = data.train(0)
    agem = method("agem", memory=6, sample=6)  # the memory is every point, in some order
    agem.after_task(m, data, 0)
    agem.before_task(m, data, 1)
    targets = torch.cat([y[:1], -5 * y[1:] - 3])
    m.zero_grad()
    seed_losses(m(x), targets).sum().backward()
    g = torch.stack([flat([p.grad for p in m.parameters()], s) for s in range(2)])
    refs = []
    for s, seed in enumerate(SEEDS):  # each seed's reference gradient, on its own 1-seed net
        alone = net([seed])
        loss = seed_losses(alone(x[s : s + 1]), y[s : s + 1]).sum()
        refs.append(flat(torch.autograd.grad(loss, list(alone.parameters())), 0))
    g_ref = torch.stack(refs)
    dots = (g * g_ref).sum(1)
    assert dots[0] > 0 > dots[1]
    agem.after_backward(m)
    after = torch.stack([flat([p.grad for p in m.parameters()], s) for s in range(2)])
    assert torch.equal(after[0], g[0])
    torch.testing.assert_close(after[1], g[1] - dots[1] / (g_ref[1] @ g_ref[1]) * g_ref[1])
    assert after[1] @ g_ref[1] == pytest.approx(0.0, abs=1e-5)
    assert not torch.allclose(one_dot_product(g, g_ref), after)


def test_agem_memory_and_steps_are_each_seeds_own():
    """Each seed keeps (and samples) the memory a 1-seed A-GEM of that seed keeps."""
    data = fake_data(SEEDS, n_tasks=2)
    stacked = method("agem", memory=3, sample=4)  # 6 points remembered, 4 drawn a step
    stacked_net = net()
    train(stacked, stacked_net, data)
    for s, seed in enumerate(SEEDS):
        alone, alone_net = method("agem", [seed], memory=3, sample=4), net([seed])
        train(alone, alone_net, data.seed(s))
        own = set(torch.cat([data.train(k)[0][s] for k in range(2)]).flatten().tolist())
        for mx, my, mx1, my1 in zip(
            stacked.memory_x, stacked.memory_y, alone.memory_x, alone.memory_y, strict=True
        ):
            assert set(mx[s].flatten().tolist()) <= own
            assert torch.equal(mx[s], mx1[0]) and torch.equal(my[s], my1[0])
        for p, p1 in zip(stacked_net.parameters(), alone_net.parameters(), strict=True):
            torch.testing.assert_close(p[s], p1[0])


# -- replay and joint -------------------------------------------------------------------------


def test_reservoir_keeps_a_fixed_size_uniform_sample():
    size, stream, trials = 10, 50, 4000
    counts = np.zeros(stream)
    rng = np.random.default_rng(0)
    for _ in range(trials):
        reservoir = Reservoir(size, rng)
        for chunk in (20, 20, 10):  # the stream arrives task by task
            reservoir.offer(chunk)
            assert len(reservoir.items) == min(size, reservoir.seen)
        counts[reservoir.items] += 1
    expected = trials * size / stream  # every item kept with probability size / stream
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 90  # 49 degrees of freedom: p ~ 1e-4


def pairs(x: torch.Tensor, y: torch.Tensor) -> set:
    return set(zip(x.flatten().tolist(), y.flatten().tolist(), strict=True))


def test_replay_mixes_each_seeds_own_old_points_into_every_batch(tiny):
    seeds = (3, 8)
    data = SeedData(tiny.data, seeds, CPU)
    replay = method("replay", seeds, buffer=30)
    x, y = data.train(1)
    n = x.shape[1]
    assert replay.batch(x, y)[0] is x  # nothing to replay during task 1
    alone = [method("replay", [seed], buffer=30) for seed in seeds]
    single = [SeedData(tiny.data, [seed], CPU) for seed in seeds]
    for k in range(2):
        replay.after_task(None, data, k)
        for r, d in zip(alone, single, strict=True):
            r.after_task(None, d, k)
        bx, by = replay.buffer
        assert bx.shape == by.shape == (2, 30, 1)
        mixed_x, mixed_y = replay.batch(x, y)
        assert mixed_x.shape == (2, n + 30, 1)  # the batch, then as many buffer points
        assert torch.equal(mixed_x[:, :n], x) and torch.equal(mixed_y[:, :n], y)
        few_x, _ = replay.batch(x[:, :10], y[:, :10])
        assert few_x.shape == (2, 20, 1)  # 1:1 with a small batch
        past_x = torch.cat([data.train(j)[0] for j in range(k + 1)], 1)
        past_y = torch.cat([data.train(j)[1] for j in range(k + 1)], 1)
        for s in range(2):
            own, other = pairs(past_x[s], past_y[s]), pairs(past_x[1 - s], past_y[1 - s])
            assert not own & other
            assert pairs(bx[s], by[s]) <= own  # old points of its own seed only
            assert pairs(mixed_x[s, n:], mixed_y[s, n:]) <= own
            if k == 0:
                assert not pairs(bx[s], by[s]) & pairs(x[s], y[s])  # no current points
            # what a 1-seed Replay of that seed keeps and picks
            assert torch.equal(alone[s].buffer[0][0], bx[s])
            assert torch.equal(alone[s].buffer[1][0], by[s])
            one_x, one_y = alone[s].batch(x[s : s + 1], y[s : s + 1])
            assert torch.equal(one_x[0], mixed_x[s]) and torch.equal(one_y[0], mixed_y[s])
            alone[s].batch(x[s : s + 1, :10], y[s : s + 1, :10])  # keep the streams in step


def test_joint_trains_on_exactly_the_union(tiny):
    seeds = (0, 1)
    data = SeedData(tiny.data, seeds, CPU)
    joint = method("joint", seeds)
    x, y = joint.training_set(data, 1)
    for s in range(2):
        tasks = data.tasks[s]
        for got, field in ((x, "x_train"), (y, "y_train")):
            expected = np.concatenate([getattr(tasks[0], field), getattr(tasks[1], field)])
            np.testing.assert_array_equal(got[s].squeeze(-1).numpy(), expected.astype(np.float32))
    assert not torch.equal(x[0], x[1])  # each seed its own draw
    x0, _ = joint.training_set(data, 0)
    assert x0.shape[1] == len(data.tasks[0][0].x_train)


def test_lwf_distills_the_old_outputs():
    m, (x, _) = net(), points(SEEDS)
    lwf = method("lwf", alpha=2.0)
    lwf.before_task(m, None, 0)
    assert lwf.penalty(m, x) is None
    lwf.before_task(m, None, 1)
    assert lwf.penalty(m, x).item() == 0.0
    old = m(x).detach()
    with torch.no_grad():
        m.regressor.bias[0] += 0.5  # every output of seed 0 moves by 0.5
        m.regressor.bias[1] += 1.0  # and of seed 1 by 1
    # alpha times the sum over seeds of each seed's MSE to its old outputs
    assert lwf.penalty(m, x).item() == pytest.approx(2.0 * (0.25 + 1.0))
    assert torch.equal(lwf.old(x), old)  # the old model stays frozen


# -- whole runs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGRESSION_METHODS)
def test_every_method_runs_deterministically(tiny, name):
    """Two seeds trained as one give twice the same numbers (that each equals its own run
    is tests/test_seeds.py's)."""
    config = small(tiny.with_overrides(method=name), epochs=5, n_tasks=3, coefficients=())
    a, b = Trainer(config, seeds=(0, 2)), Trainer(config, seeds=(0, 2))
    first, second = a.run(), b.run()
    assert first.state.value == "finished" and len(first.loss_matrix) == 3
    assert first.loss_matrix == second.loss_matrix
    np.testing.assert_array_equal(np.array(a.now.loss_matrix), np.array(b.now.loss_matrix))
    both = np.array(a.now.loss_matrix)  # [task trained, seed, task measured]
    assert not np.allclose(both[:, 0], both[:, 1])  # two seeds, two runs


def test_methods_cut_forgetting_on_the_article_setup(polynomial):
    """Seed 0 of `polynomial`: the remedies keep task 1 well below naive's loss."""
    final = {
        name: Trainer(polynomial.with_overrides(method=name)).run().loss_matrix[-1]
        for name in ("naive", "joint", "replay", "ewc", "agem")
    }
    naive_task1 = final["naive"][0]
    assert naive_task1 > 0.3
    for name in ("joint", "replay", "ewc", "agem"):
        assert final[name][0] < 0.2 * naive_task1, name
        assert final[name][1] < 5 * final["naive"][1], name


def test_replay_with_no_buffer_is_naive(tiny):
    settings = {**tiny.method.settings, "replay": {"buffer": 0}}
    config = dataclasses.replace(
        tiny, method=dataclasses.replace(tiny.method, name="replay", settings=settings)
    )
    assert Trainer(config).run().loss_matrix == Trainer(tiny).run().loss_matrix
