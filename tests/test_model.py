"""The stacked model: S networks in one, each exactly the ``nn.Linear`` network of its seed."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cftui.train import model, per_seed, validation

CPU = torch.device("cpu")


def reference(layers, activation: str, seed: int) -> nn.Sequential:
    """Seed ``seed``'s network as plain torch writes it: nn.Linear layers drawn after
    torch.manual_seed(seed), the activation between them (the global RNG is restored)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        linears = [nn.Linear(a, b) for a, b in itertools.pairwise(layers)]
    parts = []
    for linear in linears[:-1]:
        parts += [linear, model.ACTIVATIONS[activation]()]
    return nn.Sequential(*parts, linears[-1])


def stacked_layout(tensors) -> list[torch.Tensor]:
    """nn.Linear's (weight [out, in], bias [out]) as one seed of StackedLinear's
    (weight [in, out], bias [1, out])."""
    return [t.T if t.dim() == 2 else t[None] for t in tensors]


def per_seed_inputs(seeds, n: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Different x and y for every seed, ``[S, n, 1]``."""
    g = torch.Generator().manual_seed(11)
    x = torch.rand(len(seeds), n, 1, generator=g) * 4 - 2
    return x, torch.sin(2 * x) + torch.randn(x.shape, generator=g)


def test_shape_follows_the_article():
    net = model.MLP([1, 150, 150, 1], "sigmoid", seeds=[0, 1])
    kinds = [type(m) for m in net.basis]
    assert kinds == [model.StackedLinear, nn.Sigmoid, model.StackedLinear, nn.Sigmoid]
    assert net.regressor.weight.shape[0] == 2  # one network per seed
    assert net.regressor.weight.shape == (2, 150, 1) and net.regressor.bias.shape == (2, 1, 1)
    assert net.basis[0].weight.shape == (2, 1, 150) and net.basis[2].weight.shape == (2, 150, 150)
    per_seed = 150 * 2 + 150 * 151 + 151
    assert sum(p.numel() for p in net.parameters()) == 2 * per_seed
    assert sum(p[0].numel() for p in net.parameters()) == per_seed
    assert net(torch.zeros(2, 7, 1)).shape == (2, 7, 1)


@pytest.mark.parametrize(
    ("name", "kind"), [("tanh", nn.Tanh), ("relu", nn.ReLU), ("gelu", nn.GELU)]
)
def test_activations(name, kind):
    assert isinstance(model.MLP([1, 4, 1], name, seeds=[0]).basis[1], kind)


def test_no_hidden_layer_is_linear_regression():
    net = model.MLP([1, 1], "sigmoid", seeds=[0, 1])
    assert len(net.basis) == 0
    x = torch.stack([torch.linspace(-1, 1, 5), torch.linspace(2, 3, 5)]).unsqueeze(-1)
    w, b = net.regressor.weight, net.regressor.bias
    expected = torch.stack([x[s] * w[s, 0, 0] + b[s, 0, 0] for s in range(2)])
    torch.testing.assert_close(net(x), expected)


def test_build_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = model.build([1, 8, 1], "tanh", seeds=[5], device=CPU)
    after = torch.rand(1)
    b = model.build([1, 8, 1], "tanh", seeds=[5], device=CPU)
    c = model.build([1, 8, 1], "tanh", seeds=[6], device=CPU)
    both = model.build([1, 8, 1], "tanh", seeds=[5, 6], device=CPU)
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.regressor.weight, c.regressor.weight)
    for p, pa, pc in zip(both.parameters(), a.parameters(), c.parameters(), strict=True):
        assert torch.equal(p[0], pa[0]) and torch.equal(p[1], pc[0])  # a seed is its own


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_each_seed_is_the_nn_linear_network_of_that_seed(activation):
    layers, seeds = [1, 4, 4, 1], [3, 0, 7]
    net = model.build(layers, activation, seeds=seeds, device=CPU)
    x, _ = per_seed_inputs(seeds)
    out = net(x)
    for s, seed in enumerate(seeds):
        ref = reference(layers, activation, seed)
        for p, q in zip(net.parameters(), stacked_layout(ref.parameters()), strict=True):
            assert torch.equal(p[s], q)  # the same draw, bit for bit
        torch.testing.assert_close(out[s], ref(x[s]))


def test_seed_losses_are_each_seeds_mse():
    seeds = [4, 1]
    net = model.build([1, 3, 1], "sigmoid", seeds=seeds, device=CPU)
    x, y = per_seed_inputs(seeds)
    out = net(x)
    expected = torch.stack([((out[s] - y[s]) ** 2).mean() for s in range(len(seeds))])
    torch.testing.assert_close(per_seed.seed_losses(out, y), expected)


def test_the_summed_loss_gives_each_seed_its_own_gradient():
    """Training minimises the sum of the seeds' MSEs: seed s's part of that gradient is
    the gradient of seed s's own MSE, on a 1-seed model and on plain nn.Linear layers."""
    layers, seeds = [1, 4, 4, 1], [4, 1, 6]
    net = model.build(layers, "tanh", seeds=seeds, device=CPU)
    x, y = per_seed_inputs(seeds)
    stacked = torch.autograd.grad(per_seed.seed_losses(net(x), y).sum(), list(net.parameters()))
    for s, seed in enumerate(seeds):
        one = model.build(layers, "tanh", seeds=[seed], device=CPU)
        own = torch.autograd.grad(
            per_seed.seed_losses(one(x[s : s + 1]), y[s : s + 1]).sum(), list(one.parameters())
        )
        ref = reference(layers, "tanh", seed)
        by_hand = stacked_layout(torch.autograd.grad(F.mse_loss(ref(x[s]), y[s]), ref.parameters()))
        for g, g_one, g_hand in zip(stacked, own, by_hand, strict=True):
            torch.testing.assert_close(g[s], g_one[0])
            torch.testing.assert_close(g[s], g_hand)


def test_the_config_names_what_the_model_builds():
    assert set(validation.ACTIVATIONS) == set(model.ACTIVATIONS)
    assert set(validation.OPTIMIZERS) == set(model.OPTIMIZERS)


def test_first_adam_step_by_hand():
    """Adam's first step: m = (1-b1) g, v = (1-b2) g^2, bias-corrected to g and g^2, so each
    weight moves by lr * g / (|g| + eps). The fused kernel on a CPU does exactly that, and
    elementwise, so one Adam over the stacked weights is one Adam per seed."""
    net = model.MLP([1, 3, 1], "sigmoid", seeds=[0, 1])
    adam = model.optimizer("adam", net.parameters(), lr=0.1)
    assert adam.param_groups[0]["fused"]
    before = [p.detach().clone() for p in net.parameters()]
    x = torch.tensor([[[0.5], [-1.0]], [[2.0], [0.3]]])
    per_seed.seed_losses(net(x), torch.zeros_like(x)).sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    adam.step()
    for p, p0, g in zip(net.parameters(), before, grads, strict=True):
        torch.testing.assert_close(p.detach(), p0 - 0.1 * g / (g.abs() + 1e-8))


def test_sgd_step_by_hand():
    net = model.MLP([1, 3, 1], "sigmoid", seeds=[0, 1])
    sgd = model.optimizer("sgd", net.parameters(), lr=0.5)
    before = [p.detach().clone() for p in net.parameters()]
    net(torch.tensor([[[2.0]], [[-1.0]]])).sum().backward()
    sgd.step()
    for p, p0 in zip(net.parameters(), before, strict=True):
        torch.testing.assert_close(p.detach(), p0 - 0.5 * p.grad)


def test_without_a_fused_kernel_the_default_optimizer(monkeypatch):
    class NoFusedKernel(torch.optim.Adam):  # what torch < 2.4 does on a CPU
        def __init__(self, params, lr, fused=None):
            if fused:
                raise RuntimeError("`fused=True` requires all the params to be on cuda")
            super().__init__(params, lr=lr)

    monkeypatch.setitem(model.OPTIMIZERS, "adam", NoFusedKernel)
    net = model.MLP([1, 2, 1], "sigmoid", seeds=[0])
    adam = model.optimizer("adam", net.parameters(), lr=0.1)
    assert not adam.param_groups[0]["fused"]
    assert len(adam.param_groups[0]["params"]) == 4  # a generator is not used up by the try
