import pytest
import torch
from torch import nn

from cftui import model


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
