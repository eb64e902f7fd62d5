import dataclasses
import itertools

import numpy as np
import pytest

from cftui.train import catalog, digits, planar
from cftui.train.config import ConfigError, DataConfig, from_dict
from cftui.train.tasks import FAMILIES, make_tasks


def test_polynomial_tasks_follow_their_coefficients(polynomial):
    tasks = make_tasks(polynomial.data)
    assert [t.x_range for t in tasks] == [(-3.0, 0.0), (0.0, 3.0)]
    for task, coefficients in zip(tasks, polynomial.data.coefficients, strict=True):
        assert len(task.x_train) == 80 and len(task.x_test) == 20
        lo, hi = task.x_range
        assert lo <= task.x_train.min() and task.x_train.max() <= hi
        truth = np.polynomial.polynomial.polyval(task.x_train, coefficients)
        residual = task.y_train - truth
        assert abs(residual.std() - 0.1) < 0.03  # the configured noise
        np.testing.assert_allclose(
            task.curve_y, np.polynomial.polynomial.polyval(task.curve_x, coefficients)
        )
    assert tasks[0].name == "0.4 - 0.8x² - 0.2x³"


def test_train_and_test_are_disjoint_and_sorted(polynomial):
    for task in make_tasks(polynomial.data):
        assert not set(task.x_train) & set(task.x_test)
        assert np.all(np.diff(task.x_train) >= 0) and np.all(np.diff(task.x_test) >= 0)


def test_same_seed_same_data_other_seed_other_data(polynomial):
    a, b = make_tasks(polynomial.data), make_tasks(polynomial.data)
    c = make_tasks(dataclasses.replace(polynomial.data, seed=1))
    np.testing.assert_array_equal(a[1].y_train, b[1].y_train)
    assert not np.array_equal(a[1].y_train, c[1].y_train)


@pytest.mark.parametrize("family", ["rbf", "sigmoid", "fourier"])
def test_basis_families_split_one_function_into_equal_parts(family):
    data = DataConfig(family=family, n_tasks=3, x_range=(-3.0, 3.0), noise=0.0)
    tasks = make_tasks(data)
    assert [t.x_range for t in tasks] == [(-3.0, -1.0), (-1.0, 1.0), (1.0, 3.0)]
    # One continuous function: the curves meet at the boundaries, and it is scaled to
    # unit spread over x_range.
    for left, right in itertools.pairwise(tasks):
        assert left.curve_y[-1] == pytest.approx(right.curve_y[0])
    everything = np.concatenate([t.curve_y for t in tasks])
    assert 0.7 < everything.std() < 1.3
    assert all(t.name == f"{family} part {k + 1}/3" for k, t in enumerate(tasks))
    # noise = 0: the points lie on the curve
    for t in tasks:
        np.testing.assert_allclose(t.y_train, np.interp(t.x_train, t.curve_x, t.curve_y), atol=0.05)


def test_expr_tasks_use_their_own_ranges():
    tasks = make_tasks(catalog.resolve("hypercl-toy").data)
    assert [t.x_range for t in tasks] == [(-4.0, -2.0), (-1.0, 1.0), (2.0, 4.0)]
    assert [t.name for t in tasks] == ["x + 3", "2*x**2 - 1", "(x - 3)**3"]
    np.testing.assert_allclose(tasks[2].curve_y, (tasks[2].curve_x - 3) ** 3)


def test_default_polynomials_are_seeded_cubics():
    data = DataConfig(family="polynomial", n_tasks=2, noise=0.0)
    a, b = make_tasks(data), make_tasks(data)
    np.testing.assert_array_equal(a[0].curve_y, b[0].curve_y)
    assert a[0].name.count("x") == 3  # x, x², x³ terms


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_config_accepts_is_drawn(family):
    """config validates [data] family against tasks.FAMILIES: the two cannot drift apart."""
    functions = {"functions": ["sin(3*x)", "x**2"]} if family == "expr" else {}
    config = from_dict({"data": {"family": family, **functions}}, "t.toml")
    drawn = make_tasks(config.data)
    assert len(drawn) == 2 and all(len(t.x_train) == 80 for t in drawn)


def test_config_offers_exactly_the_families_drawn():
    with pytest.raises(ConfigError) as caught:
        from_dict({"data": {"family": "spline"}}, "t.toml")
    drawn = [*FAMILIES, *planar.FAMILIES, digits.FAMILY]  # the 1-D regressions, the 2-D
    # classes, the images
    assert str(caught.value).endswith(f"choose from {', '.join(drawn)}")
