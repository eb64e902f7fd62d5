"""The math of each method, checked against a hand computation on tiny nets."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cftui import methods
from cftui.engine import Engine
from cftui.methods.agem import project
from cftui.methods.ewc import empirical_fisher
from cftui.methods.replay import Reservoir
from cftui.tasks import make_tasks

from conftest import small

CPU = torch.device("cpu")


def tiny_net(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 3), nn.Sigmoid(), nn.Linear(3, 1))


class FakeTask:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def train_tensors(self, device):
        return self.x, self.y


def data(n: int = 6, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g) * 2 - 1
    return x, torch.sin(3 * x) + 0.1 * torch.randn(n, 1, generator=g)


def method(name: str, **params):
    return methods.get(name)({**methods.info(name).defaults, **params}, seed=0)


def flat(tensors) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


def hand_per_sample_grads(net, loss, x, y):
    rows = []
    for xn, yn in zip(x, y, strict=True):
        net.zero_grad()
        loss(net(xn.unsqueeze(0)), yn.unsqueeze(0)).backward()
        rows.append(flat([p.grad for p in net.parameters()]).clone())
    return torch.stack(rows)


def test_fisher_is_the_mean_of_squared_per_sample_gradients():
    net, (x, y) = tiny_net(), data()
    by_hand = hand_per_sample_grads(net, lambda f, t: 0.5 * ((f - t) ** 2).sum(), x, y)
    torch.testing.assert_close(flat(empirical_fisher(net, x, y)), by_hand.pow(2).mean(0))
    assert flat(empirical_fisher(net, x, y)).abs().sum() > 0


def test_mas_importance_is_mean_abs_gradient_of_squared_output():
    net, (x, y) = tiny_net(), data()
    mas = method("mas")
    mas.after_task(net, [FakeTask(x, y)], 0)
    by_hand = hand_per_sample_grads(net, lambda f, t: (f**2).sum(), x, y).abs().mean(0)
    torch.testing.assert_close(flat(mas.terms[0][0]), by_hand)


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
    net, (x, y) = tiny_net(), data()
    m = method(name, **settings)
    m.before_task(net, [FakeTask(x, y)], 0)
    if name == "si":  # give SI a path to integrate: a few plain SGD steps
        for _ in range(5):
            net.zero_grad()
            F.mse_loss(net(x), y).backward()
            m.after_backward(net)
            with torch.no_grad():
                for p in net.parameters():
                    p -= 0.5 * p.grad
            m.after_step(net)
    assert m.penalty(net, x) is None  # nothing to hold before the first task ends
    m.after_task(net, [FakeTask(x, y)], 0)
    assert m.penalty(net, x).item() == 0.0
    importance, anchor = m.terms[0]
    direction = [torch.randn_like(p) for p in net.parameters()]
    values = []
    for t in (0.5, 1.0, 2.0):
        with torch.no_grad():
            for p, a, d in zip(net.parameters(), anchor, direction, strict=True):
                p.copy_(a + t * d)
        values.append(m.penalty(net, x).item())
    expected = scale * sum(
        (w * d**2).sum().item() for w, d in zip(importance, direction, strict=True)
    )
    assert values[1] == pytest.approx(expected, rel=1e-5)
    assert values == pytest.approx([0.25 * values[1], values[1], 4 * values[1]], rel=1e-5)
    assert expected > 0


def test_ewc_keeps_one_fisher_per_task_and_online_ewc_one_running():
    net, tasks = tiny_net(), [FakeTask(*data(seed=s)) for s in (1, 2)]
    ewc, online = method("ewc"), method("online_ewc", gamma=0.5)
    fishers = []
    for k in range(2):
        ewc.after_task(net, tasks, k)
        online.after_task(net, tasks, k)
        fishers.append(flat(empirical_fisher(net, *tasks[k].train_tensors(CPU))))
        with torch.no_grad():
            for p in net.parameters():
                p += 0.1
    assert len(ewc.terms) == 2 and len(online.terms) == 1
    torch.testing.assert_close(flat(online.terms[0][0]), 0.5 * fishers[0] + fishers[1])


def test_l2_importance_is_one_and_anchor_the_last_task():
    net, task = tiny_net(), FakeTask(*data())
    l2 = method("l2", **{"lambda": 2.0})
    l2.after_task(net, [task], 0)
    with torch.no_grad():
        net[0].bias += 1.0  # three parameters moved by 1
    assert l2.penalty(net, task.x).item() == pytest.approx(2.0 * 3)


class OneWeight(nn.Module):
    def __init__(self, w: float):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([w]))


def test_si_omega_is_the_path_integral_on_a_quadratic():
    """L(w) = 1/2 a (w - 2)^2 from w = 0 with SGD: omega = sum -g dw = L(start) - L(end)
    in the small-step limit, and exactly sum -g_k (w_k+1 - w_k) by hand."""
    a, lr = 3.0, 0.01
    model = OneWeight(0.0)
    si = method("si", xi=0.1)
    si.before_task(model, [], 0)
    by_hand, w = 0.0, 0.0
    for _ in range(200):
        model.zero_grad()
        (0.5 * a * (model.w - 2.0) ** 2).sum().backward()
        si.after_backward(model)
        with torch.no_grad():
            model.w -= lr * model.w.grad
        si.after_step(model)
        g = a * (w - 2.0)
        by_hand += -g * (-lr * g)
        w -= lr * g
    omega = si.omega[0].item()
    assert omega == pytest.approx(by_hand, rel=1e-5)
    loss = lambda w: 0.5 * a * (w - 2.0) ** 2  # noqa: E731
    assert omega == pytest.approx(loss(0.0) - loss(w), rel=0.03)
    si.after_task(model, [], 0)
    assert si.terms[0][0][0].item() == pytest.approx(omega / (w**2 + 0.1), rel=1e-5)


def test_si_takes_its_own_penalty_gradient_out():
    net, (x, y) = tiny_net(), data()
    si = method("si", c=5.0)
    si.before_task(net, [FakeTask(x, y)], 0)
    si.after_task(net, [FakeTask(x, y)], 0)
    si.terms = [([torch.rand_like(p) for p in net.parameters()], si.terms[0][1])]
    si.before_task(net, [FakeTask(x, y)], 1)
    with torch.no_grad():
        for p in net.parameters():
            p += 0.3
    net.zero_grad()
    task_loss = F.mse_loss(net(x), y)
    task_only = torch.autograd.grad(task_loss, list(net.parameters()), retain_graph=True)
    (task_loss + si.penalty(net, x)).backward()
    si.after_backward(net)
    torch.testing.assert_close(flat(si.task_grads), flat(task_only))


def test_agem_projection():
    g_ref = torch.tensor([1.0, 0.0, 1.0])
    opposed = torch.tensor([-2.0, 1.0, 0.0])  # g . g_ref = -2
    projected = project(opposed, g_ref)
    # by hand: g - (-2 / 2) g_ref = [-1, 1, 1]
    torch.testing.assert_close(projected, torch.tensor([-1.0, 1.0, 1.0]))
    assert torch.dot(projected, g_ref) >= -1e-6
    agreeing = torch.tensor([1.0, 5.0, -0.5])
    assert project(agreeing, g_ref) is agreeing
    for seed in range(50):
        g, r = torch.randn(10, generator=torch.Generator().manual_seed(seed)).chunk(2)
        assert torch.dot(project(g, r), r) >= -1e-5


def test_agem_changes_the_step_only_against_the_memory():
    net, (x, y) = tiny_net(), data()
    agem = method("agem", memory=6, sample=6)
    agem.after_task(net, [FakeTask(x, y)], 0)
    mx, my = agem.memory_x[0], agem.memory_y[0]
    # a batch that pulls against the memory: targets far from it
    net.zero_grad()
    F.mse_loss(net(x), -5 * y - 3).backward()
    g = flat([p.grad for p in net.parameters()]).clone()
    g_ref = flat(torch.autograd.grad(F.mse_loss(net(mx), my), list(net.parameters())))
    agem.after_backward(net)
    after = flat([p.grad for p in net.parameters()])
    torch.testing.assert_close(after, project(g, g_ref))
    assert torch.dot(after, g_ref) >= -1e-6


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


def test_replay_mixes_buffer_points_into_every_batch(tiny):
    tasks = make_tasks(tiny.data)
    net = tiny_net()
    replay = method("replay", buffer=30)
    x, y = tasks[1].train_tensors(CPU)
    assert replay.batch(x, y)[0] is x  # nothing to replay during task 1
    replay.after_task(net, tasks, 0)
    bx, _ = replay.buffer
    assert len(bx) == 30
    first = set(tasks[0].x_train.astype(np.float32).tolist())
    assert set(bx.squeeze(1).tolist()) <= first
    mixed_x, _ = replay.batch(x, y)
    assert len(mixed_x) == len(x) + 30 and torch.equal(mixed_x[: len(x)], x)
    assert set(mixed_x[len(x) :].squeeze(1).tolist()) <= first


def test_joint_trains_on_exactly_the_union(tiny):
    tasks = make_tasks(tiny.data)
    joint = method("joint")
    x, y = joint.training_set(tasks, 1, CPU)
    expected = np.concatenate([tasks[0].x_train, tasks[1].x_train]).astype(np.float32)
    np.testing.assert_array_equal(x.squeeze(1).numpy(), expected)
    assert len(y) == len(x)
    x0, _ = joint.training_set(tasks, 0, CPU)
    assert len(x0) == len(tasks[0].x_train)


def test_lwf_distills_the_old_outputs():
    net, (x, _) = tiny_net(), data()
    lwf = method("lwf", alpha=2.0)
    lwf.before_task(net, [], 0)
    assert lwf.penalty(net, x) is None
    lwf.before_task(net, [], 1)
    assert lwf.penalty(net, x).item() == 0.0
    old = net(x).detach()
    with torch.no_grad():
        net[2].bias += 0.5  # every output moves by 0.5
    assert lwf.penalty(net, x).item() == pytest.approx(2.0 * 0.25)
    assert torch.equal(lwf.old(x), old)  # the old model stays frozen


@pytest.mark.parametrize("name", methods.names())
def test_every_method_runs_deterministically(tiny, name):
    config = small(tiny.with_overrides(method=name), epochs=5, n_tasks=3, coefficients=())
    a, b = Engine(config).run(), Engine(config).run()
    assert a.state.value == "finished" and len(a.loss_matrix) == 3
    assert a.loss_matrix == b.loss_matrix


def test_methods_cut_forgetting_on_the_article_setup(polynomial):
    """Seed 0 of `polynomial`: the remedies keep task 1 well below naive's loss."""
    final = {
        name: Engine(polynomial.with_overrides(method=name)).run().loss_matrix[-1]
        for name in ("naive", "joint", "replay", "ewc", "agem")
    }
    naive_task1 = final["naive"][0]
    assert naive_task1 > 0.3
    for name in ("joint", "replay", "ewc", "agem"):
        assert final[name][0] < 0.2 * naive_task1, name
        assert final[name][1] < 5 * final["naive"][1], name
