"""The architectural methods and the scenario they need: told the task, at training and test."""

import dataclasses
import itertools

import numpy as np
import pytest
import torch
from threads import start, wait_for

from cftui.live.runner import Runner
from cftui.train import methods
from cftui.train.methods.hnet import HyperMLP
from cftui.train.methods.packnet import FREE, PackedMLP, PackNet
from cftui.train.seed_data import SeedData
from cftui.train.snapshot import Command, State
from cftui.train.trainer import Trainer

from conftest import small

CPU = torch.device("cpu")
ARCHITECTURAL = ("multihead", "packnet", "hnet")


def three_tasks(tiny, method: str, **settings):
    config = small(tiny.with_overrides(method=method), epochs=15, n_tasks=3, coefficients=())
    params = {**config.method.settings[method], **settings}
    method_config = dataclasses.replace(
        config.method, settings={**config.method.settings, method: params}
    )
    return dataclasses.replace(config, method=method_config)


def test_the_scenario_is_declared_by_the_method():
    aware = {name for name in methods.names() if methods.info(name).task_aware}
    assert aware == set(ARCHITECTURAL)
    assert methods.info("packnet").scenario == "task id given"
    assert methods.info("ewc").scenario == ""


def test_each_task_is_measured_through_its_own_head(tiny):
    engine = Trainer(three_tasks(tiny, "multihead"))
    engine.run()
    net, data = engine.now.model, engine.data
    losses = engine.measure.test(net, 0, task_aware=True).loss
    x, y, task_of = data.test()
    with torch.no_grad():
        for j in range(3):
            columns = torch.as_tensor(np.flatnonzero(task_of == j))
            targets = torch.as_tensor(y[:, task_of == j])
            by_hand = (net(x[:, columns], j).squeeze(-1).double() - targets) ** 2
            assert losses[0, j] == pytest.approx(by_hand.mean().item(), rel=1e-6)
    # and the trainer's own rows are those numbers
    np.testing.assert_allclose(engine.now.loss_matrix[-1], losses)


def test_multihead_keeps_each_head_and_a_frozen_basis_forgets_nothing(tiny):
    engine = Trainer(three_tasks(tiny, "multihead"))
    engine.run()
    frozen = Trainer(three_tasks(tiny, "multihead", freeze_basis=True))
    frozen.run()
    L = np.array(frozen.take_snapshot().loss_matrix)
    assert L[2][0] == pytest.approx(L[0][0], rel=1e-6)  # basis and head 1 untouched
    assert L[2][1] == pytest.approx(L[1][1], rel=1e-6)
    drifting = np.array(engine.take_snapshot().loss_matrix)
    assert drifting[2][0] != pytest.approx(drifting[0][0], rel=1e-3)  # the basis drifted


def test_packnet_freezes_what_a_task_kept_and_its_outputs_never_change(tiny):
    engine = Runner(three_tasks(tiny, "packnet", prune=0.5))
    seen = {}

    def after_each_task(snap):
        if len(snap.loss_matrix) > len(seen):
            net = engine.trainers[0].now.model
            seen[len(snap.loss_matrix)] = [
                (layer.weight.detach().clone(), layer.owner.clone()) for layer in net.body
            ] + [(head.weight.detach().clone(), None) for head in net.heads]

    engine.run(after_each_task)
    L = np.array(engine.snapshot.loss_matrix)
    for t in range(3):  # task t is answered with the weights of tasks <= t, frozen after t
        np.testing.assert_allclose(L[t:, t], L[t, t], rtol=1e-5)
    body = len(seen[1]) - 3  # then a head per task
    assert torch.equal(seen[1][body][0], seen[3][body][0])  # task 1's head never changes again
    for (w1, owner1), (w3, _) in zip(seen[1][:body], seen[3][:body], strict=True):
        kept = owner1 == 0
        assert torch.equal(w1[kept], w3[kept])  # a frozen weight never changes again
        share = kept.flatten(1).float().mean(1)  # per seed: half of the weights kept
        assert torch.all((share - 0.5).abs() <= 1 / kept[0].numel() + 1e-6)
        released = owner1 == 1  # task 1's pruned weights, handed to task 2 (not yet trained)
        assert released.any() and torch.all(w1[released] == 0)  # they were set to zero
        assert not (owner1 == FREE).any()
    assert L[2][0] < 0.5 * Trainer(three_tasks(tiny, "naive")).run().loss_matrix[2][0]


def test_packnet_answers_each_task_by_its_own_head_and_biases_on_the_body_it_owns(tiny):
    """Task 1 trains exactly as naive does (the same body, head and optimizer); task t's
    answer is, by hand, head t over the body weights of tasks <= t with task t's biases, and
    a state dict carries all of it to a fresh network."""
    seeds = [0, 1]
    alone = small(tiny, epochs=15, n_tasks=1, coefficients=())  # no pruning: the last task
    packnet = Trainer(alone.with_overrides(method="packnet"), seeds=seeds).run()
    naive = Trainer(alone.with_overrides(method="naive"), seeds=seeds).run()
    np.testing.assert_array_equal(packnet.loss_matrix, naive.loss_matrix)
    engine = Trainer(three_tasks(tiny, "packnet"), seeds=seeds)
    engine.run()
    net = engine.now.model
    x = torch.linspace(-1, 1, 7).expand(len(seeds), 7)[..., None]
    copy = PackedMLP(engine.config.model.layers, "sigmoid", seeds, 3)
    copy.load_state_dict(net.state_dict())
    with torch.no_grad():
        for t in range(3):
            h = x
            for layer in net.body:
                w = torch.where(layer.owner <= t, layer.weight, torch.zeros(()))
                h = torch.sigmoid(h @ w + layer.kept_bias[t])
            by_hand = h @ net.heads[t].weight + net.heads[t].bias
            torch.testing.assert_close(net(x, t), by_hand)
            assert torch.equal(copy(x, t), net(x, t))
        first = net.body[0]
        assert not torch.equal(first.kept_bias[0], first.kept_bias[2])  # each task's own
        assert torch.equal(first.kept_bias[2], first.bias)  # the last task's: the live ones


def test_packnet_retrains_a_tasks_head_and_biases_and_starts_each_task_afresh(tiny, monkeypatch):
    """After pruning, the kept weights, the task's head and its biases are retrained; and
    each task starts with a fresh optimizer, which never saw an earlier task's head."""
    changed = []
    real = PackNet._retrain

    def watched(self, net, data, k):
        tracked = (net.heads[k].weight, net.body[0].bias)
        before = [p.clone() for p in tracked]
        real(self, net, data, k)
        changed.append([not torch.equal(b, p) for b, p in zip(before, tracked, strict=True)])

    monkeypatch.setattr(PackNet, "_retrain", watched)
    engine = Trainer(three_tasks(tiny, "packnet"))
    engine.run()
    assert changed == [[True, True], [True, True]]  # tasks 1 and 2; the last is not pruned
    state = engine.now.optimizer.state
    assert engine.now.model.heads[2].weight in state
    assert engine.now.model.heads[0].weight not in state and len(state) > 0


def test_packnet_does_not_prune_the_last_task(tiny):
    engine = Runner(three_tasks(tiny, "packnet", prune=0.5))
    engine.run()
    for layer in engine.trainers[0].now.model.body:
        owner = layer.owner.flatten(1).float()
        assert not (layer.owner == FREE).any()
        # tasks 1 and 2 keep half of what was free at their start; task 3 keeps the rest:
        # a quarter, none of it released (zeroed) at its end
        share = (owner == 2).float().mean(1)
        assert torch.all((share - 0.25).abs() <= 2 / owner.shape[1] + 1e-6)
        assert torch.all(layer.weight[layer.owner == 2] != 0)


def test_hnet_regulariser_is_zero_at_first_and_quadratic_around_its_targets(tiny):
    config = three_tasks(tiny, "hnet", beta=0.5)
    data = SeedData(config.data, [0, 1], CPU)
    method = methods.get("hnet")(config.method.params, [0, 1])
    net = method.build_model(config.model, 3, CPU)
    method.before_task(net, data, 0)
    assert method.penalty(net, None) is None  # nothing to hold during task 1
    method.before_task(net, data, 2)
    assert method.penalty(net, None).item() == 0.0  # h equals h* before any update
    size = net.weights(0).shape[1]
    values = []
    for shift in (0.1, 0.2, 0.4):  # every generated weight moved by `shift`
        with torch.no_grad():
            net.hnet[-1].bias.add_(shift)
            values.append(method.penalty(net, None).item())
            net.hnet[-1].bias.sub_(shift)
    # beta / (tasks held) * sum over tasks held, seeds and weights of the outputs' shift^2,
    # the stored bias's shift times h's readout multiplier
    expected = [0.5 / 2 * 2 * 2 * size * (net.readout * s) ** 2 for s in (0.1, 0.2, 0.4)]
    assert values == pytest.approx(expected, rel=1e-4)


def test_hnet_generates_every_weight_of_the_target_network(tiny):
    layers = (1, 7, 5, 1)
    net = HyperMLP(layers, "sigmoid", [0, 1, 2], n_tasks=2, embedding=3, width=4, depth=2)
    size = sum(a * b + b for a, b in itertools.pairwise(layers))
    assert net.weights(1).shape == (3, size)
    assert net.shapes == [(1, 7), (1, 7), (7, 5), (1, 5), (5, 1), (1, 1)]
    x = torch.linspace(-1, 1, 9).expand(3, 9).unsqueeze(-1)
    assert net(x, 0).shape == (3, 9, 1)
    assert not torch.allclose(net(x, 0), net(x, 1))  # another task, other weights
    flat = net.weights(0)[1]  # seed 1's target network by hand
    w1, b1, w2, b2, w3, b3 = flat.split([7, 7, 35, 5, 5, 1])
    hidden = torch.sigmoid(torch.sigmoid(x[1] @ w1.view(1, 7) + b1) @ w2.view(7, 5) + b2)
    torch.testing.assert_close(net(x, 0)[1], hidden @ w3.view(5, 1) + b3)


def test_a_chunked_hnet_makes_the_targets_shapes_chunk_by_chunk_at_each_layers_scale():
    layers = (1, 7, 5, 1)  # 14 + 40 + 6 = 60 weights, in 4 chunks of 16 (4 left unused)
    net = HyperMLP(
        layers,
        "sigmoid",
        [0, 1],
        n_tasks=2,
        embedding=3,
        width=4,
        depth=2,
        chunk=16,
        chunk_embedding=5,
    )
    assert net.chunks == 4 and net.chunk_embeddings.shape == (2, 4, 5)
    assert net.weights(0).shape == (2, 60)
    x = torch.linspace(-1, 1, 9).expand(2, 9).unsqueeze(-1)
    assert net(x, 1).shape == (2, 9, 1)
    with torch.no_grad():  # by hand, seed 1: h on [e_t, c_k] for each chunk k, in order
        inputs = torch.cat([net.embeddings[1][1].expand(4, 3), net.chunk_embeddings[1]], -1)
        raw = net.hnet(inputs.unsqueeze(0).expand(2, -1, -1))[1].flatten()[:60]
        torch.testing.assert_close(net.outputs(1)[1], raw)
        # nn.Linear(a, b)'s init std 1/sqrt(3a) per layer: a = 1, 7, 5
        scale = torch.cat(
            [torch.full((n,), (3 * a) ** -0.5) for a, n in ((1, 14), (7, 40), (5, 6))]
        )
        torch.testing.assert_close(net.weights(1)[1], raw * scale)
    unchunked = HyperMLP(layers, "sigmoid", [0], n_tasks=2, embedding=3, width=4, depth=2)
    assert unchunked.chunks == 1 and torch.equal(unchunked.scale, torch.ones(60))


def test_chunk_embeddings_learn_and_old_task_embeddings_stay_frozen(tiny):
    config = three_tasks(tiny, "hnet", chunk=64)  # a 16-unit target: 321 weights, 6 chunks
    engine = Runner(config, auto_advance=False)
    net = engine.trainers[0].now.model
    assert net.chunks == 6
    chunks_before = net.chunk_embeddings.detach().clone()
    thread = start(engine)
    wait_for(engine, lambda s: s.state is State.TASK_DONE)
    task_1 = net.embeddings[0].detach().clone()
    chunks_after_1 = net.chunk_embeddings.detach().clone()
    engine.send(Command.NEXT_TASK)
    wait_for(engine, lambda s: s.state is State.TASK_DONE and s.task == 1)
    engine.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert not torch.equal(chunks_after_1, chunks_before)  # shared, trained in every task
    assert not torch.equal(net.chunk_embeddings, chunks_after_1)
    assert torch.equal(net.embeddings[0], task_1)  # task 1's embedding frozen in task 2


def test_only_the_current_embedding_learns(tiny):
    engine = Runner(three_tasks(tiny, "hnet"), auto_advance=False)
    net = engine.trainers[0].now.model
    before = [e.detach().clone() for e in net.embeddings]
    thread = start(engine)
    wait_for(engine, lambda s: s.state is State.TASK_DONE)
    after_task_1 = [e.detach().clone() for e in net.embeddings]
    engine.send(Command.NEXT_TASK)
    wait_for(engine, lambda s: s.state is State.TASK_DONE and s.task == 1)
    engine.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert not torch.equal(after_task_1[0], before[0])  # task 1's embedding learned
    assert torch.equal(after_task_1[1], before[1]) and torch.equal(after_task_1[2], before[2])
    assert torch.equal(net.embeddings[0], after_task_1[0])  # and stayed put during task 2
    assert not torch.equal(net.embeddings[1], before[1])
