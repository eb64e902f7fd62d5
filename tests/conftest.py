"""Shared fixtures: small, fast configs that keep the tests' numbers deterministic."""

import dataclasses

import pytest
from exit_guard import pytest_unconfigure  # noqa: F401 (a hook: pytest finds it here)

from cftui.train import catalog, threads
from cftui.train.config import Config


def small(config: Config, epochs: int = 20, width: int = 16, **data) -> Config:
    """The same experiment, shrunk so a whole run takes a fraction of a second."""
    inputs, *_, outputs = config.model.layers  # x (or a point), and y (or a logit per class)
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, **data),
        model=dataclasses.replace(config.model, layers=(inputs, width, width, outputs)),
        train=dataclasses.replace(config.train, epochs=epochs),
    )


SHIPPED = catalog.resolve("polynomial")  # the size of the models the presets ship


@pytest.fixture(autouse=True)
def _threads_as_the_commands_choose():
    """What trains in the tests' own process uses the commands' thread rule for the shipped
    presets' size (one thread: no step waits for a core a busy neighbour holds); set before
    each test, as a test may set another count."""
    threads.apply(SHIPPED, 1)


@pytest.fixture
def polynomial() -> Config:
    return catalog.resolve("polynomial")


@pytest.fixture
def tiny(polynomial) -> Config:
    return small(polynomial)


@pytest.fixture(params=["colour", "no colour"])
def colour(request, monkeypatch) -> bool:
    """A screen test that takes it runs twice: in colour, and as under NO_COLOR."""
    if request.param == "no colour":
        monkeypatch.setenv("NO_COLOR", "1")
    return request.param == "colour"


@pytest.fixture(scope="session")
def local_pool_numbers(tmp_path_factory) -> list[list]:
    """The numbers of test_sweep_backends.SPEC's sweep on the local pool of 2 workers, which
    Ray's must equal: trained once for the tests of Ray alone and of a Ray cluster (their
    modules are imported here, not at the top, as only they need them)."""
    from test_sweep import write_spec
    from test_sweep_backends import SPEC, numbers

    from cftui.sweep import driver

    folder = tmp_path_factory.mktemp("local")
    assert driver.run(write_spec(folder, SPEC), folder / "local.db", "local", 2).finished == 6
    return numbers(folder / "local.db")
