"""Why class-incremental learning forgets (issue 32): the confusion matrix and each class's
mean logit, counted by the trainer, checked by hand on a fixed network in every scenario;
equal to the accuracy the same test measured; kept in recordings (and old ones still read);
drawn by figures/confusion.py; and the measured sentence the panel and the docs say is the
median of the kept seeds."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_record import record_run
from torch import nn

from cftui.results.recording import read
from cftui.train import catalog, confusion
from cftui.train.objective import Classification
from cftui.train.regions import RegionMeasure
from cftui.train.seed_data import SeedData
from cftui.train.snapshot import SeedView
from cftui.train.trainer import Trainer
from cftui.tui.widgets.confusion import confusion_text

from conftest import small

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs" / "guide" / "classes-2d.md"


def blobs(scenario: str, n_classes: int = 6, n_tasks: int = 3):
    config = catalog.resolve("blobs-class")
    data = dataclasses.replace(
        config.data, scenario=scenario, n_classes=n_classes, n_tasks=n_tasks, points_per_task=60
    )
    return dataclasses.replace(config, data=data)


class Fixed(nn.Module):
    """A fixed linear network, the same for every seed: logits = x W + b."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        super().__init__()
        self.weight = torch.as_tensor(weight, dtype=torch.float32)
        self.bias = torch.as_tensor(bias, dtype=torch.float32)

    def forward(self, x: torch.Tensor, task: int | None = None) -> torch.Tensor:
        return x @ self.weight + self.bias


def measured(config, net, task, seeds=(0,)):
    data = SeedData(config.data, seeds, torch.device("cpu"))
    measure = RegionMeasure(data, Classification(config.data))
    scores = measure.test(net, task)
    return data, scores, measure.confusion(SeedView([None] * len(seeds)), scores)


def test_a_loud_new_class_answers_every_point_it_may_answer():
    """Class 6's bias 10 above the others (weights 0: every logit is its bias). In the class
    scenario at task 3 every point may take class 6, and does; at task 1 class 6 is not yet
    seen, and task 1's and 2's points go to class 1 (the first of a tie). In the task scenario each
    head answers among its own task's classes: task 3's points go to class 6, the others to
    their task's first class. Each class's mean logit is its bias."""
    bias = np.array([0, 0, 0, 0, 0, 10.0])
    net = Fixed(np.zeros((2, 6)), bias)
    config = blobs("class")
    per_class = 60 // 2 * config.data.test_fraction  # test points per class
    _, _, late = measured(config, net, 2)
    expected = np.zeros((6, 6))
    expected[:, 5] = per_class
    np.testing.assert_array_equal(late.counts, expected)
    np.testing.assert_allclose(late.logits, bias, rtol=1e-6)
    _, _, early = measured(config, net, 0)
    first = np.zeros((6, 6))
    first[:4, 0] = per_class  # tasks 1 and 2: classes 1-4 may answer (a task not yet
    # trained counts its own classes as seen, objective.Classification), all tied
    first[4:, 5] = per_class  # task 3's points may take class 6 already
    np.testing.assert_array_equal(early.counts, first)
    _, _, heads = measured(blobs("task"), net, 2)
    block = np.zeros((6, 6))
    block[[0, 1], 0] = block[[2, 3], 2] = block[[4, 5], 5] = per_class
    np.testing.assert_array_equal(heads.counts, block)
    assert confusion.share_answered(late.counts, config.data, 0, 2) == 1.0
    assert confusion.share_answered(heads.counts, config.data, 0, 2) == 0.0


@pytest.mark.parametrize("scenario", ["class", "task", "domain"])
def test_the_confusion_is_counted_as_numpy_counts_it_by_hand(scenario):
    """A fixed random network on two seeds: each point's answer is the argmax of its logits
    among the classes its scenario lets answer it, counted into its (task, class) row over
    both seeds; a logit's mean is over the test points of the tasks trained so far, the
    median (here: the mean of two) over the seeds."""
    config = blobs(scenario)
    rng = np.random.default_rng(3)
    weight, bias = rng.normal(size=(2, 6)), rng.normal(size=6)
    data, _, table = measured(config, Fixed(weight, bias), 1, seeds=(0, 1))
    split = [[0, 1], [2, 3], [4, 5]]
    blocks = [list(range(6))] * 3 if scenario == "domain" else split
    rows = {(j, c): r for r, (j, c) in enumerate((j, c) for j, b in enumerate(blocks) for c in b)}
    counts, means = np.zeros((len(rows), 6)), []
    for tasks in data.tasks:
        x = np.concatenate([t.x_test for t in tasks])
        logits = x @ weight + bias
        own = np.repeat(np.arange(3), [len(t.x_test) for t in tasks])
        means.append(logits[own <= 1].mean(0))
        labels = np.concatenate([t.y_test for t in tasks])
        for m, (j, label) in enumerate(zip(own, labels, strict=True)):
            allowed = {
                "class": [c for b in blocks[: max(1, j) + 1] for c in b],
                "task": blocks[j],
                "domain": list(range(6)),
            }[scenario]
            answer = allowed[int(np.argmax(logits[m, allowed]))]
            counts[rows[j, label], answer] += 1
    np.testing.assert_array_equal(table.counts, counts)
    np.testing.assert_allclose(table.logits, np.median(means, 0), rtol=1e-5)
    assert table.counts.shape == (18 if scenario == "domain" else 6, 6)


@pytest.mark.parametrize("scenario", ["class", "task", "domain"])
def test_the_snapshots_diagonal_is_the_accuracy_it_shows(scenario):
    """A short real run: for every task trained so far, the right answers of its rows over
    its points are the test accuracy the same measurement recorded."""
    config = small(blobs(scenario), epochs=5)
    trainer = Trainer(config.with_overrides(method="ewc"))
    snap = trainer.run()
    table = snap.confusion
    assert table.counts.sum() == sum(len(t.y_test) for t in snap.scene.tasks)
    for j in range(3):
        rows = [(r, c) for r, (task, c) in enumerate(confusion.rows_of(config.data)) if task == j]
        right = sum(table.counts[r, c] for r, c in rows)
        assert right / table.counts[[r for r, _ in rows]].sum() == pytest.approx(
            snap.test_accuracy[-1][j]
        )


def test_a_regression_snapshot_has_no_confusion():
    snap = Trainer(small(catalog.resolve("polynomial"), epochs=2)).run()
    assert snap.confusion is None


def test_the_recording_holds_the_confusion_and_an_older_one_still_reads(tmp_path):
    """Each frame's confusion reads back exactly; the same recording with every confusion
    taken out (a version 3 file from before issue 32) reads, with none."""
    path = tmp_path / "run.jsonl"
    config = small(catalog.resolve("blobs-class"), epochs=6)
    published = record_run(path, config, pace=120.0)
    frames = read(path).frames
    assert all(
        f.snapshot.confusion == snap.confusion for f, snap in zip(frames, published, strict=True)
    )
    assert published[-1].confusion is not None
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert sum("confusion" in line for line in lines) > 1
    older = tmp_path / "older.jsonl"
    for line in lines:
        line.pop("confusion", None)
    older.write_text("".join(json.dumps(line) + "\n" for line in lines))
    back = read(older).frames
    assert len(back) == len(frames) and all(f.snapshot.confusion is None for f in back)
    assert "none recorded" in confusion_text(back[-1].snapshot, 40).plain  # what x shows


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda c: c["counts"][0].pop(), "confusion.counts[0]"),
        (lambda c: c["counts"].pop(), "confusion.counts"),
        (lambda c: c["counts"][1].__setitem__(0, -1), "confusion.counts[1][0]"),
        (lambda c: c["logits"].__setitem__(2, "loud"), "confusion.logits[2]"),
        (lambda c: c.pop("logits"), "confusion"),
    ],
)
def test_a_damaged_confusion_is_one_line_naming_the_line_and_key(tmp_path, edit, key):
    from cftui.train.config import ConfigError

    path = tmp_path / "run.jsonl"
    record_run(path, small(catalog.resolve("blobs-class"), epochs=3), pace=120.0)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    at = next(i for i, line in enumerate(lines) if "confusion" in line)
    edit(lines[at]["confusion"])
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(ConfigError) as caught:
        read(path)
    said = str(caught.value)
    assert f"line {at + 1}: {key}" in said and "\n" not in said


def test_the_measured_sentence_is_the_median_of_the_kept_seeds_and_the_docs_say_it():
    kept = json.loads(confusion.MEASURED.read_text())
    assert kept["preset"] == "blobs-class" and len(kept["seeds"]) == 16
    assert all(len(v) == 16 for v in kept["shares"].values())
    ewc, naive, replay = (sorted(kept["shares"][m]) for m in ("ewc", "naive", "replay"))
    median = {m: (v[7] + v[8]) / 2 for m, v in (("ewc", ewc), ("naive", naive), ("replay", replay))}
    assert median == {"ewc": 1.0, "naive": 1.0, "replay": 0.025}  # as the sentence says:
    sentence = confusion.measured_sentence()
    assert "answers 100 % of task 1's test points with EWC (50–100 %; naive 100 %)" in sentence
    assert "and 2.5 % with replay (0–7.5 %): medians (ranges) over 16 seeds." in sentence
    assert (min(ewc), max(replay)) == (0.5, 0.075)
    assert sentence in " ".join(DOCS.read_text(encoding="utf-8").split())


CONFUSION_EXAMPLES = 60  # a read of a 3-epoch recording: a few ms each


@pytest.fixture(scope="module")
def confusion_recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("confusion") / "run.jsonl"
    record_run(path, small(catalog.resolve("blobs-class"), epochs=3), pace=120.0)
    return [json.loads(line) for line in path.read_text().splitlines()]


@settings(
    max_examples=CONFUSION_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one file, rewritten each
)
@given(data=st.data())
def test_an_edited_confusion_reads_and_draws_or_is_one_line(confusion_recording, tmp_path, data):
    """One value of a frame's confusion (a count, a logit, a row, the key itself) replaced by
    another kind of value: the file reads and every frame's panel draws, or it is refused in
    one line naming the file, the line and the confusion key."""
    from cftui.train.config import ConfigError

    lines = json.loads(json.dumps(confusion_recording))
    at = data.draw(st.sampled_from([i for i, line in enumerate(lines) if "confusion" in line]))
    table = lines[at]["confusion"]
    places = [("counts", r, c) for r in range(6) for c in range(6)]
    places += [("logits", c) for c in range(6)] + [("counts", r) for r in range(6)]
    place = data.draw(st.sampled_from([*places, ("counts",), ("logits",), ()]))
    value = data.draw(
        st.sampled_from(["text", None, True, [], {}, -1, 0, 2.5, 10**30, "nan", "-inf", 7])
    )
    if not place:
        lines[at]["confusion"] = value
    else:
        holder = table
        for key in place[:-1]:
            holder = holder[key]
        holder[place[-1]] = value
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    try:
        frames = read(path).frames
    except ConfigError as err:
        said = str(err)
        assert "\n" not in said and str(path) in said and f"line {at + 1}: confusion" in said
        return
    for frame in frames:
        got = frame.snapshot.confusion
        assert got.counts.shape == (6, 6) and got.counts.min() >= 0 and got.logits.shape == (6,)
        assert "t1" in confusion_text(frame.snapshot, 38).plain
