"""Shared fixtures: small, fast configs that keep the tests' numbers deterministic."""

import dataclasses

import pytest
import torch

from cftui.train import catalog
from cftui.train.config import Config


def small(config: Config, epochs: int = 20, width: int = 16, **data) -> Config:
    """The same experiment, shrunk so a whole run takes a fraction of a second."""
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, **data),
        model=dataclasses.replace(config.model, layers=(1, width, width, 1)),
        train=dataclasses.replace(config.train, epochs=epochs),
    )


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture
def polynomial() -> Config:
    return catalog.resolve("polynomial")


@pytest.fixture
def tiny(polynomial) -> Config:
    return small(polynomial)
