"""DER++ and ER-ACE: each loss term checked by hand on a tiny fixed network, seed by seed,
and the stream reservoir they share against Vitter's algorithm R item by item."""

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cftui.train import catalog, methods, model, per_seed
from cftui.train.objective import Classification
from cftui.train.trainer import Trainer

from conftest import small

CPU = torch.device("cpu")
SEEDS = (5, 2)
CLASSES = Classification(catalog.resolve("blobs-class").data)  # 6 classes, tasks of 2


def tiny_net(seeds=SEEDS):
    return model.build((2, 5, 6), "relu", seeds, CPU)


def labelled(seed: int, n: int, classes) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    pick = torch.tensor(classes)[torch.randint(len(classes), (len(SEEDS), n), generator=g)]
    return torch.randn(len(SEEDS), n, 2, generator=g), pick.unsqueeze(-1)


def ce(logits: torch.Tensor, y: torch.Tensor, classes) -> torch.Tensor:
    """One seed's mean cross-entropy among ``classes`` (the others cannot answer), by hand."""
    picked = logits[:, list(classes)]
    position = {c: i for i, c in enumerate(classes)}
    target = torch.tensor([position[int(c)] for c in y.flatten()])
    return -(picked.log_softmax(-1)[torch.arange(len(target)), target]).mean()


def algorithm_r(size: int, items: list[int], chances: list[float]) -> list[int]:
    """Vitter's algorithm R, one item after another, with the given uniform draws."""
    kept: list[int] = []
    for position, (item, u) in enumerate(zip(items, chances, strict=True)):
        if position < size:
            kept.append(item)
        elif (slot := int(u * (position + 1))) < size:
            kept[slot] = item
    return kept


def test_the_stream_reservoir_is_algorithm_r_per_seed():
    buffer = per_seed.StreamReservoir(7, per_seed.draws(SEEDS))
    offered = torch.arange(2 * 60).view(2, 60, 1) + torch.tensor([0, 1000]).view(2, 1, 1)
    for start in range(0, 60, 12):  # five batches of 12, duplicate slots within a batch
        buffer.offer(offered[:, start : start + 12].float(), offered[:, start : start + 12])
    for s, seed in enumerate(SEEDS):
        g = torch.Generator().manual_seed(seed)
        chances = torch.cat([torch.rand(12, generator=g) for _ in range(5)]).tolist()
        expected = algorithm_r(7, offered[s, :, 0].tolist(), chances)
        assert buffer.rows[1][s, :, 0].tolist() == expected
        assert buffer.rows[0][s, :, 0].tolist() == [float(v) for v in expected]
    assert buffer.filled == 7 and sorted(buffer.draw(7)[1][0, :, 0].tolist()) == sorted(
        buffer.rows[1][0, :, 0].tolist()
    )


def full_buffer(name: str, net, **params):
    """The method at task 1, its buffer filled exactly with task 0's 8 points (and their
    outputs): a draw of 8 is the whole buffer, in some order, so every mean is known."""
    m = methods.get(name)({"buffer": 8, **params}, SEEDS, CLASSES)
    m.before_task(net, None, 0)
    old_x, old_y = labelled(1, 8, (0, 1))
    m.batch(old_x, old_y)
    with torch.no_grad():
        old_out = net(old_x)
    m.buffer.offer(old_x, old_y, old_out) if name == "derpp" else m.buffer.offer(old_x, old_y)
    m.before_task(net, None, 1)
    return m, old_x, old_y, old_out


def test_derpp_adds_alpha_mse_of_stored_outputs_and_beta_loss_of_stored_labels():
    net = tiny_net()
    m, old_x, old_y, old_out = full_buffer("derpp", net, alpha=0.3, beta=0.7)
    with torch.no_grad():  # the network moved since it stored its outputs
        for p in net.parameters():
            p.add_(0.1)
    x, y = labelled(3, 8, (2, 3))
    assert m.batch(x, y) == (x, y)  # the batch trains as it is
    penalty = m.penalty(net, x)
    now = net(old_x)
    by_hand = sum(
        0.3 * (now[s] - old_out[s]).pow(2).mean() + 0.7 * ce(now[s], old_y[s], range(4))
        for s in range(len(SEEDS))
    )
    assert penalty.item() == pytest.approx(by_hand.item(), rel=1e-5)
    assert m.buffer.seen == 16  # this batch entered after the draws


def test_er_ace_loss_is_own_classes_for_the_batch_and_all_seen_for_the_buffer():
    net = tiny_net()
    m, old_x, old_y, _ = full_buffer("er_ace", net)
    x, y = labelled(3, 8, (2, 3))
    m.batch(x, y)
    trainer_loss = CLASSES.loss(net(x), y, 1) * len(SEEDS)  # what the trainer minimises
    total = trainer_loss + m.penalty(net, x)
    new, old = net(x), net(old_x)
    by_hand = sum(
        ce(new[s], y[s], (2, 3)) + ce(old[s], old_y[s], range(4)) for s in range(len(SEEDS))
    )
    assert total.item() == pytest.approx(by_hand.item(), rel=1e-5)
    assert ce(new[0], y[0], (2, 3)) < ce(new[0], y[0], range(4))  # the asymmetry is there


def test_er_ace_on_the_first_task_and_for_a_regression_is_replay():
    net = model.build((1, 4, 1), "sigmoid", SEEDS, CPU)
    m = methods.get("er_ace")({"buffer": 6}, SEEDS)  # the regression objective
    m.before_task(net, None, 0)
    x, y = torch.randn(2, 6, 1), torch.randn(2, 6, 1)
    m.batch(x, y)
    assert m.penalty(net, x) is None  # task 1: nothing to replay, no asymmetry
    m.before_task(net, None, 1)
    x2, y2 = torch.randn(2, 6, 1), torch.randn(2, 6, 1)
    m.batch(x2, y2)
    by_hand = sum(F.mse_loss(net(x)[s], y[s]) for s in range(2))  # the whole buffer: task 1
    assert m.penalty(net, x2).item() == pytest.approx(by_hand.item(), rel=1e-5)


@pytest.mark.parametrize("name", ["derpp", "er_ace"])
def test_a_seed_draws_and_keeps_what_it_would_alone(name):
    """Seed 2 beside seed 5 keeps and draws exactly what a run of seed 2 alone does."""
    both = methods.get(name)({"buffer": 5}, SEEDS, CLASSES)
    alone = methods.get(name)({"buffer": 5}, SEEDS[1:], CLASSES)
    for k in range(2):
        x, y = labelled(k, 9, (2 * k, 2 * k + 1))
        for m, (mx, my) in ((both, (x, y)), (alone, (x[1:], y[1:]))):
            m.before_task(tiny_net(m.seeds), None, k)
            m.batch(mx, my)
            m.penalty(tiny_net(m.seeds), mx)
    assert torch.equal(both.buffer.rows[0][1:], alone.buffer.rows[0])
    assert torch.equal(both.buffer.draw(3)[0][1:], alone.buffer.draw(3)[0])


def test_blobs_class_runs_the_new_methods_on_a_small_net(tiny):
    """Both run end to end on a class split and a regression, from the registry."""
    for config in (small(catalog.resolve("blobs-class"), epochs=3), tiny):
        for name in ("derpp", "er_ace"):
            run = dataclasses.replace(config, method=dataclasses.replace(config.method, name=name))
            trainer = Trainer(run, "cpu", seeds=[0, 1])
            trainer.run()
            rows = trainer.now.loss_matrix
            assert len(rows) == config.data.n_tasks and all(np.isfinite(r).all() for r in rows)


def test_herding_picks_the_point_that_brings_the_running_mean_closest():
    from cftui.train.methods.icarl import herding

    g = torch.Generator().manual_seed(3)
    features = torch.randn(2, 9, 4, generator=g)
    chosen = herding(features, 5)
    for s in range(2):
        mean, picked = features[s].mean(0), []
        for _ in range(5):  # by hand: try every point not taken yet
            costs = {
                n: (
                    mean
                    - (sum((features[s, p] for p in picked), torch.zeros(4)) + features[s, n])
                    / (len(picked) + 1)
                )
                .norm()
                .item()
                for n in range(9)
                if n not in picked
            }
            picked.append(min(costs, key=costs.get))
        assert chosen[s].tolist() == picked


def trained_icarl(buffer: int = 8):
    """iCaRL on a tiny net after task 0 (classes 0, 1) of 12 points a seed."""
    config = small(catalog.resolve("blobs-class"), width=5)
    m = methods.get("icarl")({"buffer": buffer}, SEEDS, CLASSES)
    net = m.build_model(config.model, 3, CPU)
    x0, y0 = labelled(1, 12, (0, 1))
    x1, y1 = labelled(2, 12, (2, 3))
    data = type("Data", (), {"train": lambda self, k: ((x0, y0), (x1, y1))[k]})()
    m.before_task(net, data, 0)
    m.after_task(net, data, 0)
    return m, net, data


def test_icarl_keeps_buffer_over_classes_exemplars_in_herding_order():
    from cftui.train.methods.icarl import herding

    m, net, data = trained_icarl(buffer=8)
    x0, y0 = data.train(0)
    assert sorted(m.exemplars) == [0, 1]
    for c in (0, 1):
        ex, ey = m.exemplars[c]
        assert ex.shape == (2, 4, 2) and (ey == c).all()  # 8 / 2 classes
        count = min(int((y0[s] == c).sum()) for s in range(2))  # every seed's as many
        mine = torch.stack([x0[s][y0[s, :, 0] == c][:count] for s in range(2)])
        order = herding(net.features(mine), 4)  # each seed's points, its own network
        for s in range(2):
            assert torch.equal(ex[s], mine[s][order[s]])
    before = m.exemplars[0][0]
    m.before_task(net, data, 1)
    m.after_task(net, data, 1)
    assert [m.exemplars[c][0].shape[1] for c in range(4)] == [2, 2, 2, 2]  # 8 / 4 classes
    assert torch.equal(m.exemplars[0][0], before[:, :2])  # an old class keeps its first


def test_icarl_classifies_by_the_nearest_mean_of_exemplars():
    m, net, _ = trained_icarl()
    x, _ = labelled(7, 5, (0, 1))
    scores = net(x)  # not training: nearest mean
    phi = net.features(x)
    means = [F.normalize(net.features(m.exemplars[c][0]).mean(1), dim=-1) for c in (0, 1)]
    for s in range(2):
        for n in range(5):
            by_hand = [-(phi[s, n] - mean[s]).pow(2).sum().item() for mean in means]
            assert scores[s, n, :2].tolist() == pytest.approx(by_hand, abs=1e-5)
        assert (scores[s, :, 2:] < -1e8).all()  # no exemplar: never answered
    net.train()
    assert torch.equal(net(x), net.net(x))  # training: the network's own logits


def test_icarl_loss_is_bce_with_the_old_networks_outputs_as_old_targets():
    m, net, data = trained_icarl()
    m.before_task(net, data, 1)
    with torch.no_grad():  # the network moves away from the old copy
        for p in net.parameters():
            p.add_(0.05)
    x, y = m.training_set(data, 1)
    assert x.shape[1] == 12 + 8  # the task's points and every exemplar
    m.batch(x, y)
    logits = net(x)
    total = CLASSES.loss(logits, y, 1) * len(SEEDS) + m.penalty(net, x)
    old = m.old(x)
    by_hand = 0
    for s in range(2):
        for n in range(x.shape[1]):
            for c in range(4):
                t = torch.sigmoid(old[s, n, c]) if c < 2 else float(int(y[s, n, 0]) == c)
                p = torch.sigmoid(logits[s, n, c])
                by_hand = by_hand - (t * p.log() + (1 - t) * (1 - p).log()) / (x.shape[1] * 4)
    assert total.item() == pytest.approx(by_hand.item(), rel=1e-5)


def test_icarl_on_a_regression_preset_is_one_line(capsys):
    from cftui import cli

    assert cli.main(["run", "--preset", "polynomial", "--method", "icarl"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "cftui: error: --method: icarl runs only on a split with scenario = 'class' "
        "(as preset blobs-class)"
    )


@pytest.mark.parametrize("name", ["derpp", "er_ace", "icarl"])
def test_each_seed_of_a_batched_class_run_equals_its_single_run(name):
    """On a class split with minibatches: every draw, buffer and exemplar is the seed's own."""
    config = small(catalog.resolve("blobs-class"), epochs=4, width=12).with_overrides(method=name)
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, batch_size=32))
    batched = Trainer(config, seeds=[0, 1])
    batched.run()
    for s in range(2):
        single = Trainer(config.with_overrides(seed=s))
        single.run()
        mine = np.array([row[s] for row in batched.now.accuracy_matrix])
        alone = np.array([row[0] for row in single.now.accuracy_matrix])
        np.testing.assert_allclose(mine, alone, atol=1e-6)
        losses = np.array([row[s] for row in batched.now.loss_matrix])
        np.testing.assert_allclose(losses, [r[0] for r in single.now.loss_matrix], rtol=1e-4)
