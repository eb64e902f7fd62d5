"""Devices: what --device picks, and that every tensor of a run lives on the trainer's device."""

import sys
import types
from types import SimpleNamespace

import pytest
import torch

from cftui import cli
from cftui.train import devices, methods
from cftui.train.config import ConfigError
from cftui.train.trainer import Trainer

from conftest import small

# the methods a regression runs: all but a classifier (iCaRL), which a regression refuses
REGRESSION_METHODS = [n for n in methods.names() if not methods.info(n).only_in]


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert devices.resolve("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert devices.resolve("auto") == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert devices.resolve("auto") == torch.device("cuda")


def test_missing_cuda_is_bad_input(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="--device cuda: cuda is not available on this machine"):
        devices.resolve("cuda")
    assert cli.main(["run", "--device", "cuda", "--epochs", "1"]) == 2
    assert (
        capsys.readouterr().err
        == "cftui: error: --device cuda: cuda is not available on this machine\n"
    )


def test_tui_resolves_an_explicit_gpu_before_any_ui(monkeypatch, capsys):
    """auto and cpu reach the app as strings, resolved in its worker (tests/test_startup.py);
    an explicit GPU is resolved first, so a missing one is one line and no UI."""
    built = []
    app = types.ModuleType("cftui.tui.app")
    app.CftuiApp = lambda config, device, **_: (
        built.append(device) or SimpleNamespace(run=lambda: None, exit_code=lambda: 0)
    )
    monkeypatch.setitem(sys.modules, "cftui.tui.app", app)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert cli.main(["--device", "cuda"]) == 2
    assert capsys.readouterr().err.startswith("cftui: error: --device cuda: cuda is not available")
    assert built == []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert cli.main(["--device", "cuda"]) == 0
    assert built == ["cuda"]


@pytest.mark.parametrize("name", REGRESSION_METHODS)
def test_every_tensor_is_placed_explicitly(tiny, name):
    """With torch's default device set to 'meta', any tensor made without naming the
    trainer's device lands on meta and fails against the real ones: the run only completes
    if every model, optimizer, data, method and evaluation tensor is put on its device."""
    config = small(tiny.with_overrides(method=name), epochs=3, n_tasks=3, coefficients=())
    with torch.device("meta"):
        engine = Trainer(config, "cpu")
        snap = engine.run()
    assert snap.state.value == "finished"
    assert all(p.device.type == "cpu" for p in engine.now.model.parameters())
    for state in engine.now.optimizer.state.values():
        assert all(t.device.type == "cpu" for t in state.values() if isinstance(t, torch.Tensor))
