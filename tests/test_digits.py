"""The digits family (scikit-learn's 8x8 handwritten digits): the stratified, seeded split,
the three scenarios' tasks (disjoint digit pairs; a fixed pixel order per domain task), the
presets' validation, every method on it or its one-line refusal, batched seeds, the picture's
answers, and a machine without the extra: one line naming it, never a traceback."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_classification import batched_seed_equals_its_single_run

from cftui import cli
from cftui.train import catalog, digits, methods, validation
from cftui.train.config import ConfigError, DataConfig, from_dict
from cftui.train.trainer import Trainer

COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # images of each digit 0-9


def split(scenario: str = "class", n_tasks: int = 5, **data) -> DataConfig:
    return DataConfig(family="digits", scenario=scenario, n_classes=10, n_tasks=n_tasks, **data)


def tiny(preset: str, method: str = "naive", **data):
    """A shipped digits preset with a small network and one epoch per task."""
    config = catalog.resolve(preset)
    model = dataclasses.replace(config.model, layers=(64, 16, 10))
    train = dataclasses.replace(config.train, epochs=1, batch_size=64)
    config = dataclasses.replace(
        config, data=dataclasses.replace(config.data, **data), model=model, train=train
    )
    return config.with_overrides(method=method)


# -- the family and its splits ---------------------------------------------------------------


def test_the_images_are_the_sets_1797_with_pixels_in_0_1():
    pixels, labels = digits.images()
    assert pixels.shape == (1797, 64) and pixels.dtype == np.float32
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert np.bincount(labels).tolist() == COUNTS
    from sklearn.datasets import load_digits  # the file read is the one it reads

    bunch = load_digits()
    np.testing.assert_array_equal(pixels * 16, bunch.data)
    np.testing.assert_array_equal(labels, bunch.target)


def test_class_split_is_five_disjoint_pairs_each_digit_stratified():
    tasks = digits.make_tasks(split("class"))
    assert [t.classes for t in tasks] == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert [t.name for t in tasks][:2] == ["digits 0/1", "digits 2/3"]
    for task in tasks:
        assert set(task.y_train) == set(task.y_test) == set(task.classes)
        for c in task.classes:
            held = round(COUNTS[c] * 0.2)
            assert (task.y_test == c).sum() == held
            assert (task.y_train == c).sum() == COUNTS[c] - held
        assert task.x_train.shape[1] == task.x_test.shape[1] == 64


@settings(max_examples=12, derandomize=True, deadline=None)
@given(
    scenario=st.sampled_from(["class", "task", "domain"]),
    n_tasks=st.integers(1, 5),
    seed=st.integers(0, 2**31),
    test_fraction=st.floats(0.05, 0.6),
)
def test_any_split_holds_out_each_digits_share_and_never_tests_a_trained_image(
    scenario, n_tasks, seed, test_fraction
):
    d = split(scenario, n_tasks, seed=seed, test_fraction=test_fraction)
    tasks = digits.make_tasks(d)
    assert len(tasks) == n_tasks
    seen = [c for t in tasks for c in t.classes]
    if scenario == "domain":
        assert all(t.classes == tuple(range(10)) for t in tasks)
    else:  # every digit in exactly one task
        assert sorted(seen) == list(range(10))
    first = tasks[0]  # as drawn in every scenario: its images are the set's own
    pixels, _ = digits.images()
    rows = {row.tobytes() for row in pixels}
    for x in (first.x_train, first.x_test):
        assert all(row.tobytes() in rows for row in x)
    trained = {row.tobytes() for row in first.x_train}
    assert not trained & {row.tobytes() for row in first.x_test}  # (none of the set's
    # 1,797 images repeats another exactly)
    for c in first.classes:
        held = max(1, round(COUNTS[c] * test_fraction))
        assert (first.y_test == c).sum() == held


def test_the_seed_chooses_the_test_images_and_the_same_seed_the_same_ones():
    a, again, other = (digits.make_tasks(split(seed=s))[0] for s in (3, 3, 4))
    np.testing.assert_array_equal(a.x_test, again.x_test)
    assert not np.array_equal(a.x_test, other.x_test)


def test_a_domain_task_is_the_first_with_its_own_fixed_pixel_order():
    d = split("domain", 4, seed=7)
    tasks = digits.make_tasks(d)
    base = np.concatenate([tasks[0].x_train, tasks[0].x_test])
    pixels, _ = digits.images()  # task 1 is the digits as drawn
    assert {row.tobytes() for row in base} == {row.tobytes() for row in pixels}
    moved = []
    for task in tasks[1:]:
        np.testing.assert_array_equal(task.y_test, tasks[0].y_test)  # the same images,
        x = np.concatenate([task.x_train, task.x_test])
        order = _order(base, x)  # one order moves every image's pixels
        np.testing.assert_array_equal(x, base[:, order])
        moved.append(x.tobytes())
    assert len({base.tobytes(), *moved}) == 4  # each task its own order
    again = digits.make_tasks(d)
    for task, same in zip(tasks, again, strict=True):  # fixed: drawn from the seed
        np.testing.assert_array_equal(task.x_train, same.x_train)
    assert [t.name for t in tasks][:2] == ["digits as drawn", "pixels permuted (2)"]


def _order(base: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """A pixel order that turns ``base`` into ``moved``: a source of each moved column (a
    pixel blank in every image has several)."""
    return np.array([np.flatnonzero((base == moved[:, [j]]).all(0))[0] for j in range(64)])


# -- presets: good ones run, bad ones are one line ---------------------------------------------


@pytest.mark.parametrize("preset", ["digits-class", "digits-task", "digits-domain"])
def test_every_method_trains_on_each_digits_preset_or_refuses_in_one_line(preset, capsys):
    config = tiny(preset)
    fitting = validation.fitting_methods(config)
    for name in fitting:
        snap = Trainer(config.with_overrides(method=name), seeds=[0, 1]).run()
        assert len(snap.accuracy_matrix) == 5, name
        assert np.isfinite(snap.accuracy_matrix).all(), name
    refused = set(methods.names()) - set(fitting)
    expected = {"multihead", "packnet", "hnet"} if config.data.scenario != "task" else set()
    expected |= {"icarl"} if config.data.scenario != "class" else set()
    assert refused == expected
    for name in refused:
        assert cli.main(["run", "--preset", preset, "--method", name]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and name in err


def test_each_seed_of_a_batched_digits_run_equals_its_single_run():
    batched_seed_equals_its_single_run(tiny("digits-class", method="ewc"))


def test_the_picture_is_the_tests_answer_to_each_shown_image():
    trainer = Trainer(tiny("digits-class", method="naive"))
    trainer.run()
    measure, now = trainer.measure, trainer.now
    task, index = measure.grid
    assert task.tolist() == sorted(task.tolist()) and set(task.tolist()) == set(range(5))
    answers = measure.test(now.model, now.task).answers[0]
    firsts = np.cumsum([0, *[len(t.x_test) for t in trainer.scene.tasks][:-1]])
    np.testing.assert_array_equal(trainer.picture()[0], answers[firsts[task] + index])
    assert set(answers[firsts[task] + index]) <= set(range(10))


GOOD = {
    "data": {"family": "digits", "scenario": "class", "n_classes": 10, "n_tasks": 5},
    "model": {"layers": [64, 8, 10]},
}
BAD = [
    ({"data": {"scenario": "pairs"}}, "[data] scenario", "unknown 'pairs'"),
    ({"data": {"n_tasks": 6}}, "[data] n_tasks", "6 tasks but only 5 pairs of digits"),
    ({"data": {"scenario": "task", "n_tasks": 6}}, "[data] n_tasks", "only 5 pairs of digits"),
    ({"model": {"layers": [2, 8, 10]}}, "[model] layers", "must start with 64 (an image's 8x8"),
    ({"data": {"n_classes": 6}, "model": {"layers": [64, 8, 6]}}, "[data] n_classes", "has 10"),
    ({"data": {"rotation": 30.0}}, "[data] rotation", "only applies to scenario 'domain'"),
]


@pytest.mark.parametrize(("changes", "key", "words"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_digits_preset_is_one_line_naming_file_and_key_exit_2(
    tmp_path, capsys, changes, key, words
):
    tables = {name: {**GOOD.get(name, {}), **changes.get(name, {})} for name in GOOD | changes}
    path = tmp_path / "bad.toml"
    path.write_text(
        "\n".join(
            f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in table.items())
            for name, table in tables.items()
        )
    )
    assert cli.main(["run", "--preset", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"cftui: error: {path}: {key}: ") and words in err, err


def _toml(value) -> str:
    return repr(value).replace("'", '"')


def test_a_domain_split_may_have_more_tasks_than_pairs():
    raw = {**GOOD, "data": {**GOOD["data"], "scenario": "domain", "n_tasks": 8}}
    assert from_dict(raw, "x.toml").data.n_tasks == 8
    with pytest.raises(ConfigError, match="only 5 pairs"):
        from_dict({**GOOD, "data": {**GOOD["data"], "n_tasks": 8}}, "x.toml")


# -- without the extra -----------------------------------------------------------------------

WITHOUT_SKLEARN = """
import contextlib, io, sys
class Block:  # as on a machine without scikit-learn: any import of it fails, and is noted
    tried = []
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "sklearn":
            Block.tried.append(name)
            raise ModuleNotFoundError(name, name="sklearn")
sys.meta_path.insert(0, Block())
from cftui import cli
from cftui.train import catalog
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    cli.main(["--help"])
print("help", sorted(m for m in sys.modules if m.startswith("sklearn")))
print("code", cli.main(sys.argv[1:]))
errors = {e.name: e.error for e in catalog.available() if not e.config}
print("picker", sorted(errors), errors.get("digits-class", ""))
"""


def test_without_scikit_learn_a_digits_preset_is_one_line_naming_the_extra():
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_SKLEARN, "run", "--preset", "digits-class"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = done.stdout.splitlines()
    assert out[0] == "help []"  # --help imports none of it
    assert out[1] == "code 2"
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.endswith(
        "digits-class.toml: [data] family: family 'digits' needs scikit-learn: "
        "pip install 'cftui[digits]'\n"
    )
    assert out[2] == (  # the picker lists them as skipped, saying the same
        "picker ['digits-class', 'digits-domain', 'digits-task'] "
        "[data] family: family 'digits' needs scikit-learn: pip install 'cftui[digits]'"
    )


def test_a_1d_preset_and_validating_a_digits_one_import_no_scikit_learn():
    probe = (
        "import sys; from cftui.train import catalog, problem\n"
        "c = catalog.resolve('polynomial'); problem.of(c).draw(c.data)\n"
        "catalog.resolve('digits-class')\n"
        "print(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout == "[]\n", done.stderr
