"""2-D classification: the families and the three scenarios' splits, the objective's masks,
EWC's Fisher and LwF's distillation against hand computations, the accuracy matrix of a fixed
network, and every method on every scenario (or its one-line refusal)."""

import dataclasses
import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from cftui import cli
from cftui.train import catalog, methods, planar, validation
from cftui.train.config import DataConfig
from cftui.train.methods import ewc as ewc_module
from cftui.train.methods import get
from cftui.train.objective import Classification
from cftui.train.regions import RegionMeasure
from cftui.train.seed_data import SeedData
from cftui.train.trainer import Trainer

CPU = torch.device("cpu")


def plane(scenario: str = "class", **data) -> DataConfig:
    settings = dict(family="blobs", scenario=scenario, n_classes=6, n_tasks=3)
    return DataConfig(**{**settings, "points_per_task": 60, "noise": 0.3, **data})


def tiny(scenario: str = "class", method: str = "naive", epochs: int = 5, **data):
    """The blobs preset of ``scenario``, shrunk to run in a fraction of a second."""
    config = catalog.resolve("blobs-class")
    d = plane(scenario, **data)
    model = dataclasses.replace(config.model, layers=(2, 12, 12, d.n_classes))
    train = dataclasses.replace(config.train, epochs=epochs, batch_size=16)
    config = dataclasses.replace(config, data=d, model=model, train=train)
    return config.with_overrides(method=method)


# -- families and splits ------------------------------------------------------------------


@pytest.mark.parametrize("family", list(planar.FAMILIES))
@pytest.mark.parametrize("scenario", planar.SCENARIOS)
def test_every_family_and_split_has_its_classes_and_counts(family, scenario):
    fixed = planar.FAMILIES[family][1]
    n_classes = fixed or 4
    n_tasks = 2
    d = plane(scenario, family=family, n_classes=n_classes, n_tasks=n_tasks, points_per_task=40)
    tasks = planar.make_tasks(d)
    assert len(tasks) == n_tasks
    for task in tasks:
        per_class = 40 // len(task.classes)
        held = round(per_class * d.test_fraction)
        assert task.x_train.shape == (len(task.classes) * (per_class - held), 2)
        for c in task.classes:  # a stratified split: every class in train and test
            assert (task.y_train == c).sum() == per_class - held
            assert (task.y_test == c).sum() == held
        assert set(task.y_train) == set(task.classes)
    seen = [set(task.classes) for task in tasks]
    if scenario == "domain":
        assert all(classes == set(range(n_classes)) for classes in seen)
    else:  # class and task: disjoint groups that cover every class
        assert seen[0].isdisjoint(seen[1]) and seen[0] | seen[1] == set(range(n_classes))


def test_the_six_blobs_split_into_three_tasks_of_two():
    assert planar.task_classes(plane()) == [(0, 1), (2, 3), (4, 5)]
    assert planar.task_classes(plane(n_classes=5, n_tasks=3)) == [(0, 1), (2, 3), (4,)]


def test_a_domain_task_is_the_first_turned_and_shifted():
    """Noise-free blobs: task k's class c sits at class c's centre turned k * rotation
    degrees and moved k * shift."""
    d = plane("domain", n_classes=2, n_tasks=3, rotation=90.0, shift=(1.0, -0.5), noise=0.0)
    tasks = planar.make_tasks(d)
    centres = {0: np.array([2.0, 0.0]), 1: np.array([-2.0, 0.0])}
    for k, task in enumerate(tasks):
        angle = np.radians(90.0 * k)
        turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        for c, centre in centres.items():
            expected = turn @ centre + k * np.array([1.0, -0.5])
            np.testing.assert_allclose(task.x_train[task.y_train == c], [expected] * 24, atol=1e-9)
    assert [t.name for t in tasks] == [
        "blobs as drawn",
        "rotated 90°, shifted (1, -0.5)",
        "rotated 180°, shifted (2, -1)",
    ]


def test_the_same_data_config_draws_the_same_points():
    a, b = planar.make_tasks(plane(seed=3)), planar.make_tasks(plane(seed=3))
    assert all(np.array_equal(s.x_train, t.x_train) for s, t in zip(a, b, strict=True))
    assert not np.array_equal(a[0].x_train, planar.make_tasks(plane(seed=4))[0].x_train)


# -- the objective: which classes may answer --------------------------------------------


def allowed(scenario: str, now: int) -> list[list[int]]:
    """Per task j, the classes that may answer its points at task ``now``."""
    objective = Classification(plane(scenario))
    return [torch.nonzero(row).flatten().tolist() for row in objective.allowed[now]]


def test_class_scenario_answers_with_every_class_seen_so_far():
    assert allowed("class", 0) == [[0, 1], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5]]  # a test of a
    assert allowed("class", 1) == [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5]]  # future
    assert allowed("class", 2) == [[0, 1, 2, 3, 4, 5]] * 3  # task counts its classes seen


def test_task_scenario_answers_with_the_tasks_own_classes_and_domain_with_all():
    assert allowed("task", 0) == allowed("task", 2) == [[0, 1], [2, 3], [4, 5]]
    assert allowed("domain", 0) == [[0, 1, 2, 3, 4, 5]] * 3


def test_the_loss_is_the_cross_entropy_among_the_classes_allowed():
    objective = Classification(plane("task"))
    output = torch.tensor([[[2.0, 0.0, 1.0, 3.0, 0.0, 0.0]]])  # a point of class 3 (task 2)
    y = torch.tensor([[[3]]])
    hand = -math.log(math.exp(3.0) / (math.exp(1.0) + math.exp(3.0)))  # classes 2 and 3 only
    assert objective.loss(output, y, 1).item() == pytest.approx(hand)
    class_il = Classification(plane("class"))
    everything_seen = -math.log(math.exp(3.0) / sum(map(math.exp, [2.0, 0.0, 1.0, 3.0])))
    assert class_il.loss(output, y, 1).item() == pytest.approx(everything_seen)


# -- EWC's Fisher, by hand ---------------------------------------------------------------


def ewc_of(scenario: str, empirical: bool = False):
    config = tiny(scenario)
    method = get("ewc")(
        {"lambda": 1.0, "empirical_fisher": empirical}, [0], Classification(config.data)
    )
    model = method.build_model(config.model, 3, CPU)
    return method, model, config


def test_the_softmax_fisher_is_the_expectation_over_the_models_own_classes():
    """Every parameter: mean over points of sum_c p(c|x) (d log p(c|x) / d theta)^2, by a
    plain loop over points and classes; the last layer's bias has the closed form
    mean p_k (1 - p_k) over the classes allowed."""
    method, model, config = ewc_of("class")
    x, y = SeedData(config.data, [0], CPU).train(1)  # task 2: classes 0-3 may answer
    x, y = x[:, :7], y[:, :7]
    fisher = ewc_module.fisher(method, model, x, y, 1)
    hand = [torch.zeros_like(p) for p in model.parameters()]
    for n in range(7):
        logits = model(x[:, n : n + 1])[0, 0, :4]  # the classes allowed at task 2
        probabilities = logits.softmax(-1).detach()
        for c in range(4):
            nll = -logits.log_softmax(-1)[c]
            grads = torch.autograd.grad(nll, list(model.parameters()), retain_graph=True)
            for total, g in zip(hand, grads, strict=True):
                total += probabilities[c] * g.pow(2) / 7
    for got, want in zip(fisher, hand, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-9)
    with torch.no_grad():
        p = model(x)[0, :, :4].softmax(-1)
    bias = fisher[-1][0, 0]
    torch.testing.assert_close(bias[:4], (p * (1 - p)).mean(0), rtol=1e-4, atol=1e-9)
    assert bias[4:].abs().max() == 0  # classes not yet seen: no gradient, no importance


def test_the_empirical_fisher_takes_the_true_labels():
    """The last layer's bias: mean over points of (p_k - [y = k])^2."""
    method, model, config = ewc_of("class", empirical=True)
    x, y = SeedData(config.data, [0], CPU).train(0)
    fisher = ewc_module.fisher(method, model, x, y, 0)
    with torch.no_grad():
        p = model(x)[0, :, :2].softmax(-1)
    one_hot = nn.functional.one_hot(y[0, :, 0], 2).float()
    torch.testing.assert_close(
        fisher[-1][0, 0, :2], (p - one_hot).pow(2).mean(0), rtol=1e-4, atol=1e-9
    )


# -- LwF's distillation ------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [1.0, 2.0, 4.0])
def test_lwf_distillation_gradient_is_t_times_q_minus_p(temperature):
    """d/dz of KL(softmax(z_old / T) || softmax(z / T)), averaged over N points, is
    (softmax(z / T) - softmax(z_old / T)) / (T N) on the old classes, 0 on the others."""
    objective = Classification(plane("class"))
    torch.manual_seed(0)
    new = torch.randn(1, 5, 6, requires_grad=True)
    old = torch.randn(1, 5, 6)
    objective.distillation(new, old, 1, temperature).backward()  # task 2: old classes 0, 1
    q = (new.detach()[..., :2] / temperature).softmax(-1)
    p = (old[..., :2] / temperature).softmax(-1)
    torch.testing.assert_close(new.grad[..., :2], (q - p) / (temperature * 5))
    assert new.grad[..., 2:].abs().max() == 0
    same = objective.distillation(old.clone().requires_grad_(), old, 1, temperature)
    assert same.item() == pytest.approx(0.0, abs=1e-6)


def _kl(new, old, classes) -> torch.Tensor:
    """KL(softmax(old) || softmax(new)) over ``classes``, the mean over points, by hand."""
    p, q = old[..., classes].softmax(-1), new[..., classes].softmax(-1)
    return (p * (p.log() - q.log())).sum(-1).mean()


@pytest.mark.parametrize("task", [1, 2])
def test_lwf_in_the_task_scenario_sums_each_old_tasks_head(task):
    """Issue 32: a sum over the old tasks, as van de Ven's code (cftui took the mean: at
    task 3 half his pull). At task 2 one head, {0,1}; at task 3 two, {0,1} and {2,3}."""
    objective = Classification(plane("task"))
    torch.manual_seed(task)
    new, old = torch.randn(1, 4, 6, requires_grad=True), torch.randn(1, 4, 6)
    heads = [[0, 1], [2, 3]][:task]
    loss = objective.distillation(new, old, task, 1.0)
    by_hand = sum(_kl(new.detach(), old, head) for head in heads)
    torch.testing.assert_close(loss.detach(), by_hand)
    loss.backward()
    for head in heads:
        q, p = new.detach()[..., head].softmax(-1), old[..., head].softmax(-1)
        torch.testing.assert_close(new.grad[..., head], (q - p) / 4)
    assert new.grad[..., 2 * task :].abs().max() == 0


@pytest.mark.parametrize("task", [1, 2])
def test_lwf_in_the_domain_scenario_counts_its_one_term_once_per_old_task(task):
    objective = Classification(plane("domain"))
    torch.manual_seed(task)
    new, old = torch.randn(1, 4, 6), torch.randn(1, 4, 6)  # every task: all 6 classes
    loss = objective.distillation(new, old, task, 1.0)
    torch.testing.assert_close(loss, task * _kl(new, old, list(range(6))))


def test_lwf_in_the_class_scenario_is_one_term_over_every_class_seen():
    objective = Classification(plane("class"))
    new, old = torch.randn(1, 4, 6), torch.randn(1, 4, 6)
    loss = objective.distillation(new, old, 2, 1.0)  # task 3: classes 0-3 seen before
    torch.testing.assert_close(loss, _kl(new, old, [0, 1, 2, 3]))


def test_mas_weighs_only_the_logits_that_may_answer():
    """The last bias's importance: mean over points of |d sum_c z_c^2 / d b_c| = |2 z_c| for
    the classes allowed at the task, 0 for the others."""
    config = tiny("class")
    mas = get("mas")({"lambda": 1.0}, [0], Classification(config.data))
    model = mas.build_model(config.model, 3, CPU)
    x, _ = SeedData(config.data, [0], CPU).train(1)  # task 2: classes 1-4 answer
    mas.after_task(model, SeedData(config.data, [0], CPU), 1)
    importance = mas.terms[0][0][-1][0, 0]
    with torch.no_grad():
        z = model(x)[0]
    torch.testing.assert_close(importance[:4], (2 * z[:, :4]).abs().mean(0), rtol=1e-4, atol=1e-7)
    assert importance[4:].abs().max() == 0


def test_agem_answers_its_memories_among_the_classes_seen_now():
    """At task 2 a gradient against the memories' own (classes 1-4 answering) is projected to
    zero: the reference gradient is that loss's, not task 1's (classes 1-2)."""
    config = tiny("class")
    agem = get("agem")({"memory": 50, "sample": 100}, [0], Classification(config.data))
    model = agem.build_model(config.model, 3, CPU)
    data = SeedData(config.data, [0], CPU)
    agem.after_task(model, data, 0)
    agem.before_task(model, data, 1)
    mx, my = agem.memory_x[0], agem.memory_y[0]
    logits = model(mx)[..., :4].flatten(0, 1)
    g_ref = torch.autograd.grad(
        nn.functional.cross_entropy(logits, my.flatten()), list(model.parameters())
    )
    for p, g in zip(model.parameters(), g_ref, strict=True):
        p.grad = -g.clone()  # straight against the memories
    agem.after_backward(model)
    assert max(p.grad.abs().max().item() for p in model.parameters()) < 1e-5


def test_several_seeds_show_the_class_most_of_them_predict():
    from cftui.train.snapshot import Divergence, SeedView

    votes = np.array([[0, 1, 2, 2], [0, 2, 2, 1], [1, 2, 0, 1], [3, 3, 3, 3]])
    alive = SeedView([None, None, None, Divergence(0, 1, "nan")])  # seed 4 left out
    np.testing.assert_array_equal(alive.mode(votes), [0, 2, 2, 1])
    np.testing.assert_array_equal(SeedView([None]).mode(votes[:1]), [0, 1, 2, 2])


def test_accuracy_forgetting_and_bwt_in_hand_numbers():
    from cftui.train import metrics

    matrix = [[0.9, 0.1, 0.0], [0.5, 0.8, 0.2], [0.3, 0.6, 0.95]]
    np.testing.assert_allclose(metrics.accuracy_forgetting(matrix), [0.6, 0.2])  # best - end
    assert metrics.accuracy_bwt(matrix) == pytest.approx(((0.3 - 0.9) + (0.6 - 0.8)) / 2)


# -- the accuracy matrix of a fixed network ------------------------------------------------


class AlwaysFirst(nn.Module):
    """A fixed network: logit 2 for class 0, 1 for class 2, 0 for every other class."""

    def forward(self, x, task=None):
        logits = torch.zeros(*x.shape[:2], 6)
        logits[..., 0], logits[..., 2] = 2.0, 1.0
        return logits


@pytest.mark.parametrize(
    ("scenario", "now", "accuracy"),
    [
        ("class", 0, [0.5, 0.0, 0.0]),  # task 1: class 0 right; tasks 2-3 never
        ("class", 2, [0.5, 0.0, 0.0]),
        ("task", 0, [0.5, 0.5, 0.5]),  # each task among its own pair: its first class wins
        ("domain", 0, [0.5, 0.5, 0.5]),  # 2 classes in all: class 0 right every time
    ],
)
def test_the_accuracy_and_cross_entropy_of_a_fixed_network(scenario, now, accuracy):
    n_classes = 2 if scenario == "domain" else 6
    config = tiny(scenario, n_classes=n_classes)
    config = dataclasses.replace(
        config, model=dataclasses.replace(config.model, layers=(2, 4, n_classes))
    )
    data = SeedData(config.data, [0, 1], CPU)
    measure = RegionMeasure(data, Classification(config.data))
    network = AlwaysFirst() if n_classes == 6 else (lambda x, task=None: AlwaysFirst()(x)[..., :2])
    scores = measure.test(network, now)
    np.testing.assert_allclose(scores.accuracy, [accuracy, accuracy])
    if scenario == "class" and now == 2:  # every class allowed: the softmax of (2, 0, 1, 0, 0, 0)
        total = math.exp(2) + math.exp(1) + 4
        class_0, class_1 = -math.log(math.exp(2) / total), -math.log(1 / total)
        np.testing.assert_allclose(scores.loss[:, 0], (class_0 + class_1) / 2)


class Favours(nn.Module):
    """A fixed network: logits 3 for class 6, 2 for class 2, 1 for class 4, 0 elsewhere."""

    def forward(self, x, task=None):
        logits = torch.zeros(*x.shape[:2], 6)
        logits[..., 5], logits[..., 1], logits[..., 3] = 3.0, 2.0, 1.0
        return logits


@pytest.mark.parametrize(
    ("scenario", "now", "by_task"),
    [
        ("class", 0, [1, 1, 1]),  # classes 1-2 seen: class 2 everywhere, even by task 3's blobs
        ("class", 1, [1, 1, 1]),
        ("class", 2, [5, 5, 5]),
        ("task", 0, [1, 3, 5]),  # each cell answered by the head of the task nearest it
        ("domain", 0, [5, 5, 5]),
    ],
)
def test_the_regions_are_what_the_scenario_lets_the_model_answer(scenario, now, by_task):
    config = tiny(scenario)
    data = SeedData(config.data, [0], CPU)
    measure = RegionMeasure(data, Classification(config.data))
    picture = measure.picture(Favours(), now)[0]
    xs, ys = np.meshgrid(measure.grid[0], measure.grid[1])
    points = np.stack([xs.ravel(), ys.ravel()], 1)
    for j, task in enumerate(data.tasks[0]):
        near = ((points - task.x_train.mean(0)) ** 2).sum(1).argmin()  # a cell at its centre
        assert picture[near] == by_task[j], j


def test_a_run_keeps_the_accuracy_matrix_row_by_row():
    trainer = Trainer(tiny("class", epochs=30))
    trainer.run()
    snap = trainer.take_snapshot()
    assert len(snap.accuracy_matrix) == 3 and len(snap.loss_matrix) == 3
    matrix = np.array(snap.accuracy_matrix)
    assert matrix[0, 0] > 0.9 and matrix[2, 2] > 0.9
    assert matrix[2, 0] < 0.2  # naive, class-incremental: task 1's classes are forgotten
    assert snap.test_accuracy.shape == snap.test_losses.shape


# -- every method on every scenario ----------------------------------------------------


@pytest.mark.parametrize("scenario", planar.SCENARIOS)
def test_every_method_runs_on_every_scenario_or_says_why_not(scenario, tmp_path, capsys):
    config = tiny(
        scenario,
        n_classes=2 if scenario == "domain" else 6,
        rotation=60.0 if scenario == "domain" else 0.0,
    )
    config = dataclasses.replace(
        config, model=dataclasses.replace(config.model, layers=(2, 12, 12, config.data.n_classes))
    )
    for name in validation.fitting_methods(config):
        trainer = Trainer(config.with_overrides(method=name), seeds=[0, 1])
        snap = trainer.run()
        assert len(snap.accuracy_matrix) == 3, name
        assert np.isfinite(snap.loss_matrix).all() and np.isfinite(snap.accuracy_matrix).all(), name
    refused = {"multihead", "packnet", "hnet"} if scenario != "task" else set()
    refused |= {"icarl"} if scenario != "class" else set()  # a class-incremental classifier
    assert set(validation.fitting_methods(config)) == set(methods.names()) - refused


@pytest.mark.parametrize("method", ["multihead", "packnet", "hnet"])
@pytest.mark.parametrize("preset", ["blobs-class", "moons-domain"])
def test_a_task_aware_method_on_a_split_without_task_ids_is_one_line_exit_2(method, preset, capsys):
    assert cli.main(["run", "--preset", preset, "--method", method]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{method} needs the task id at test" in err and "scenario = 'task'" in err


def test_compare_all_on_a_class_split_leaves_out_the_task_aware_methods(tmp_path, capsys):
    out = tmp_path / "out.json"
    argv = ["compare", "--preset", "blobs-class", "--epochs", "2", "--json", str(out)]
    assert cli.main(argv) == 0
    runs = json.loads(out.read_text())["runs"]
    assert {r["method"] for r in runs} == set(methods.names()) - {"multihead", "packnet", "hnet"}
    assert all(len(r["accuracy_matrix"]) == 3 for r in runs)
    assert cli.main(["compare", "--preset", "blobs-class", "--methods", "naive,hnet"]) == 2
    assert "--methods: hnet needs the task id" in capsys.readouterr().err


def test_replay_and_agem_keep_labelled_points():
    config = tiny("class", method="replay")
    trainer = Trainer(config)
    trainer.run()
    buffer_x, buffer_y = trainer.now.method.buffer
    assert buffer_y.dtype == torch.long and buffer_x.shape[-1] == 2
    assert set(buffer_y.unique().tolist()) == set(range(6))
    assert (nearest_blob(buffer_x) == buffer_y[..., 0]).float().mean() > 0.95  # its own label
    agem = Trainer(tiny("class", method="agem"))
    agem.run()
    memory = agem.now.method.memory_y
    assert [set(m.unique().tolist()) for m in memory] == [{0, 1}, {2, 3}, {4, 5}]
    for x, y in zip(agem.now.method.memory_x, memory, strict=True):
        assert (nearest_blob(x) == y[..., 0]).float().mean() > 0.95


def nearest_blob(x: torch.Tensor) -> torch.Tensor:
    """The class of the blob centre nearest each point (six around a circle of radius 2)."""
    angles = 2 * math.pi * torch.arange(6) / 6
    centres = 2 * torch.stack([angles.cos(), angles.sin()], 1)
    return ((x[..., None, :] - centres) ** 2).sum(-1).argmin(-1)


def test_each_seed_of_a_batched_classification_equals_its_single_run():
    batched_seed_equals_its_single_run(tiny("class", method="ewc", epochs=8))


def batched_seed_equals_its_single_run(config) -> None:
    """Seed 1 trained beside seed 0 (one batched model) ends with the accuracy matrix of
    seed 1 trained alone."""
    both = Trainer(config, seeds=[0, 1])
    both.run()
    alone = Trainer(config.with_overrides(seed=1))
    alone.run()
    batched = np.array([row[1] for row in both.now.accuracy_matrix])
    single = np.array([row[0] for row in alone.now.accuracy_matrix])
    np.testing.assert_allclose(batched, single, atol=1e-6)


# -- bad presets -------------------------------------------------------------------------

GOOD_PLANE = {
    "data": [
        'family = "blobs"',
        'scenario = "class"',
        "n_classes = 6",
        "n_tasks = 3",
        "points_per_task = 60",
    ],
    "model": ["layers = [2, 8, 6]"],
    "train": ["epochs = 2"],
    "method": ['name = "naive"'],
}


def plane_preset(**changes: str) -> str:
    """GOOD_PLANE with ``section="key = value"`` lines replacing (or adding) their key."""
    sections = {name: list(lines) for name, lines in GOOD_PLANE.items()}
    for section, lines in changes.items():
        for line in lines.splitlines():
            key = line.split("=")[0].strip()
            sections[section] = [old for old in sections[section] if not old.startswith(key)]
            sections[section].append(line)
    return "\n".join(f"[{name}]\n" + "\n".join(lines) for name, lines in sections.items())


BAD_PLANES = [
    (dict(data='scenario = "klass"'), "[data] scenario", "unknown 'klass'"),
    (dict(data='scenario = ""'), "[data] scenario", "family 'blobs' needs one of"),
    (
        dict(data='family = "moons"', model="layers = [2, 8, 3]"),
        "[data] n_classes",
        "moons has 2 classes, got 6",
    ),
    (dict(data="n_tasks = 7"), "[data] n_tasks", "7 tasks of 6 classes leave a task with no class"),
    (dict(data="rotation = 30.0"), "[data] rotation", "only applies to scenario 'domain'"),
    (dict(data="points_per_task = 3"), "[data] points_per_task", "gives 1 points per class"),
    (dict(model="layers = [2, 8, 4]"), "[model] layers", "end with 6 (a logit per class)"),
    (dict(method='name = "multihead"'), "[method] name", "multihead needs the task id at test"),
    (
        dict(data='scenario = "task"\nn_tasks = 4'),
        "[data] n_tasks",
        "leave a task of one class, which is always right when told its task",
    ),
]


@pytest.mark.parametrize(("changes", "key", "words"), BAD_PLANES, ids=[b[1] for b in BAD_PLANES])
def test_a_bad_2d_preset_is_one_line_naming_the_key_and_exit_2(
    tmp_path, capsys, changes, key, words
):
    path = tmp_path / "bad.toml"
    path.write_text(plane_preset(**changes))
    assert cli.main(["run", "--preset", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"cftui: error: {path}: {key}: ") and words in err, err


def test_the_good_2d_preset_runs_and_a_1d_one_takes_no_scenario(tmp_path, capsys):
    path = tmp_path / "good.toml"
    path.write_text(plane_preset())
    assert cli.main(["run", "--preset", str(path)]) == 0
    assert "test accuracy %" in capsys.readouterr().out
    line = tmp_path / "line.toml"
    line.write_text('[data]\nfamily = "polynomial"\nscenario = "class"\n')
    assert cli.main(["run", "--preset", str(line)]) == 2
    assert "[data] scenario: only for the 2-D families" in capsys.readouterr().err


def test_the_explain_pane_says_a_2d_presets_scenario_and_where_it_is_measured():
    from cftui.train import explain

    config = catalog.resolve("blobs-task")
    text = explain.method_markdown(config, "ewc")
    assert "**Scenario**: task-incremental: each task brings new classes; the task id" in text
    assert "cross-entropy over the classes the scenario lets answer" in text
    assert "measured in the docs' Classes in 2-D tables" in text
    assert "no measured numbers" not in text and "regression presets: " in text
    mine = dataclasses.replace(config, name="my-blobs")  # a 2-D preset of your own: no table
    said = explain.effect_line(mine, "ewc")
    assert said == "no measured numbers for preset my-blobs: only the shipped presets were measured"
    family = explain.family_markdown(config)
    assert "# data: blobs" in family and "`scenario` = task:" in family
    assert "`x_range`" not in family  # a regression's key, not shown for a 2-D preset
