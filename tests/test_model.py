import pytest
import torch
from torch import nn

from cftui import config, model


def test_shape_follows_the_article():
    net = model.MLP([1, 150, 150, 1], "sigmoid")
    kinds = [type(m) for m in net.basis]
    assert kinds == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid]
    assert net.regressor.in_features == 150 and net.regressor.out_features == 1
    assert sum(p.numel() for p in net.parameters()) == 150 * 2 + 150 * 151 + 151
    assert net(torch.zeros(7, 1)).shape == (7, 1)


@pytest.mark.parametrize(
    ("name", "kind"), [("tanh", nn.Tanh), ("relu", nn.ReLU), ("gelu", nn.GELU)]
)
def test_activations(name, kind):
    assert isinstance(model.MLP([1, 4, 1], name).basis[1], kind)


def test_no_hidden_layer_is_linear_regression():
    net = model.MLP([1, 1], "sigmoid")
    assert len(net.basis) == 0
    x = torch.linspace(-1, 1, 5).reshape(-1, 1)
    expected = x * net.regressor.weight + net.regressor.bias
    torch.testing.assert_close(net(x), expected)


def test_build_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = model.build([1, 8, 1], "tanh", seed=5, device=torch.device("cpu"))
    after = torch.rand(1)
    b = model.build([1, 8, 1], "tanh", seed=5, device=torch.device("cpu"))
    c = model.build([1, 8, 1], "tanh", seed=6, device=torch.device("cpu"))
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.regressor.weight, c.regressor.weight)


def test_the_config_names_what_the_model_builds():
    assert set(config.ACTIVATIONS) == set(model.ACTIVATIONS)
    assert set(config.OPTIMIZERS) == set(model.OPTIMIZERS)


def test_first_adam_step_by_hand():
    """Adam's first step: m = (1-b1) g, v = (1-b2) g^2, bias-corrected to g and g^2, so each
    weight moves by lr * g / (|g| + eps). The fused kernel on a CPU does exactly that."""
    net = model.MLP([1, 3, 1], "sigmoid")
    adam = model.optimizer("adam", net.parameters(), lr=0.1)
    assert adam.param_groups[0]["fused"]
    before = [p.detach().clone() for p in net.parameters()]
    net(torch.tensor([[0.5], [-1.0]])).pow(2).mean().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    adam.step()
    for p, p0, g in zip(net.parameters(), before, grads, strict=True):
        torch.testing.assert_close(p.detach(), p0 - 0.1 * g / (g.abs() + 1e-8))


def test_sgd_step_by_hand():
    net = model.MLP([1, 3, 1], "sigmoid")
    sgd = model.optimizer("sgd", net.parameters(), lr=0.5)
    before = [p.detach().clone() for p in net.parameters()]
    net(torch.tensor([[2.0]])).sum().backward()
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
    adam = model.optimizer("adam", model.MLP([1, 2, 1]).parameters(), lr=0.1)
    assert not adam.param_groups[0]["fused"]
    assert len(adam.param_groups[0]["params"]) == 4  # a generator is not used up by the try
