"""Presets are checked key by key (type, then bounds), then by the rules that combine keys,
none judged on a value already refused: one line per problem, and nothing large built
before the bounds are known good (issue 31's examples, each seen failing before)."""

import math
import tomllib
import warnings

import numpy as np
import pytest

from cftui import cli
from cftui.train import catalog, methods, planar, rules, tasks, validation
from cftui.train.config import ConfigError, from_dict

BLOBS = (catalog.shipped_dir() / "blobs-class.toml").read_text()


def blobs(data: str = "", method: str = "") -> dict:
    """blobs-class, with ``data`` lines added to [data] and ``method`` to [method] (TOML
    keeps the last of a key only if it is not repeated, so replaced keys are removed first)."""
    raw = tomllib.loads(BLOBS)
    raw["data"].update(tomllib.loads(data))
    raw["method"].update(tomllib.loads(method))
    return raw


def problems(raw: dict) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        from_dict(raw, "p.toml")
    return list(caught.value.problems)


@pytest.mark.parametrize("n_tasks", [0, -3])
def test_a_2d_preset_with_no_tasks_is_one_line(n_tasks):
    assert problems(blobs(f"n_tasks = {n_tasks}")) == [
        ("[data] n_tasks", f"must be 1..20, got {n_tasks}")
    ]


def test_a_huge_n_classes_is_refused_before_any_class_list_is_built(monkeypatch):
    built = planar.task_classes

    def bounded(data):
        assert data.n_classes <= validation.MAX_CLASSES, "a class list built from a refused value"
        return built(data)

    monkeypatch.setattr(planar, "task_classes", bounded)
    assert problems(blobs("n_classes = 100000000")) == [
        ("[data] n_classes", "must be 2..12, got 100000000")
    ]


def test_an_unknown_family_is_judged_by_no_family_rule():
    """Not by the 1-D rules (scenario, layers ending in 1), nor by the 2-D ones."""
    (found,) = problems(blobs('family = "blobz"'))
    assert found[0] == "[data] family" and "did you mean 'blobs'?" in found[1]


def test_a_shift_too_far_is_refused_not_diverged():
    found = problems(blobs('scenario = "domain"\nshift = [1e308, 0]'))
    assert found == [("[data] shift[0]", "must be -10..10, got 1e+308")]


def test_a_shift_at_its_bound_draws_finite_points_with_no_warning():
    raw = blobs(f'scenario = "domain"\nshift = [{rules.MAX_SHIFT}, -{rules.MAX_SHIFT}]')
    raw["data"]["n_tasks"], raw["data"]["rotation"] = 3, 360.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn = planar.make_tasks(from_dict(raw, "p.toml").data)
    assert np.abs(drawn[-1].x_train.mean(0) - [20, -20]).max() < 1  # two shifts moved


def test_the_sigmoid_family_at_its_widest_draws_with_no_overflow_warning():
    raw = {"data": {"family": "sigmoid", "n_basis": rules.MAX_BASIS}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn = tasks.make_tasks(from_dict(raw, "p.toml").data)
    assert all(np.isfinite(task.y_train).all() for task in drawn)


SETTINGS = [
    (name, key)
    for name in methods.names()
    for key, default in methods.info(name).defaults.items()
    if not isinstance(default, bool)
]


@pytest.mark.parametrize(("method", "key"), SETTINGS, ids=[f"{m}.{k}" for m, k in SETTINGS])
def test_every_method_setting_has_bounds_that_presets_and_set_enforce(method, key):
    record = methods.info(method)
    least, most = record.least[key], record.most[key]
    assert least <= record.defaults[key] <= most and math.isfinite(most)
    step = 1 if isinstance(record.defaults[key], int) else max(abs(least), abs(most)) * 1e-6
    for value in (least, most):  # the bounds themselves are taken
        assert validation.method_overrides([f"{method}.{key}={value}"]) == {method: {key: value}}
    for value in (least - step, most + step):
        raw = {"method": {"name": "naive", method: {key: value}}}
        (found,) = problems(raw)
        assert found == (f"[method.{method}] {key}", f"must be {least:g}..{most:g}, got {value}")
        with pytest.raises(ConfigError, match=f"^--set: {method}.{key}: must be "):
            validation.method_overrides([f"{method}.{key}={value}"])


def test_lwf_temperature_zero_names_the_key_everywhere(capsys):
    (found,) = problems(blobs(method='name = "lwf"\ntemperature = 0'))
    assert found == ("[method] temperature", "must be 0.01..100, got 0")
    assert cli.main(["run", "--preset", "blobs-class", "--set", "lwf.temperature=0"]) == 2
    assert capsys.readouterr().err == (
        "cftui: error: --set: lwf.temperature: must be 0.01..100, got 0\n"
    )


def test_the_epochs_flag_has_the_presets_bound(capsys):
    """A run's config loads again where it is read back (a recording, a sweep's worker)."""
    with pytest.raises(SystemExit) as caught:
        cli.build_parser().parse_args(["run", "--epochs", str(rules.MAX_EPOCHS + 1)])
    assert caught.value.code == 2
    assert "argument --epochs: at most 1000000 epochs per task, got 1000001" in (
        capsys.readouterr().err
    )
    args = cli.build_parser().parse_args(["run", "--epochs", str(rules.MAX_EPOCHS)])
    config, _ = cli.load_config(args)
    assert from_dict(config.to_dict(), "again").train.epochs == rules.MAX_EPOCHS
