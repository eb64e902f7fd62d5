"""A start that does not wait for torch: everything up to training runs without it.

torch takes ~1.6 s to import here, several times the rest of cftui's start-up, so only
building a run may load it. The check runs in a fresh interpreter where ``import torch``
fails, as on a machine without torch: any import of it, however indirect, is a traceback.
"""

import subprocess
import sys

from cftui.train import methods
from cftui.train.methods.base import Method

WITHOUT_TORCH = """
import contextlib, io, sys, types

sys.modules["torch"] = None  # `import torch` now raises ImportError

import cftui.train.catalog, cftui.train.config, cftui.train.devices, cftui.train.expr  # noqa: E401
import cftui.train.methods, cftui.train.problem, cftui.train.tasks  # noqa: E401
from cftui import cli

# A stand-in for the TUI: what run_tui hands the app is all that is checked.
app = types.ModuleType("cftui.tui.app")
def CftuiApp(config, device, overrides, paused=False, **_):
    print(device, overrides, paused, config.method.params)
    return types.SimpleNamespace(run=lambda: None, exit_code=lambda: 0)


app.CftuiApp = CftuiApp
sys.modules["cftui.tui.app"] = app

with contextlib.redirect_stdout(io.StringIO()):
    with contextlib.suppress(SystemExit):
        cli.main(["--help"])
    assert cli.main(["presets"]) == 0 and cli.main(["methods"]) == 0
for entry in cftui.train.catalog.available():
    assert entry.config is not None, entry.error
    cftui.train.problem.of(entry.config).draw(entry.config.data)
cli.main([])
cli.main(["--device", "cpu", "--method", "ewc", "--set", "ewc.lambda=5", "--paused"])
"""


def test_start_and_data_need_no_torch():
    """Parser, --help, presets, methods, validating every shipped preset (and every method's
    settings), drawing their data, and the TUI launch path up to the app (what it is handed:
    the device, the flags to apply again to a preset picked later, --paused), all without
    torch."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "auto {} False {}",
        "cpu {'settings': {'ewc': {'lambda': 5.0}}} True "
        "{'lambda': 5.0, 'empirical_fisher': False, 'silent_floor': 0.0}",
    ]


def test_each_record_names_its_class():
    """methods.get imports the class a record names; the class reads its defaults back
    from that record, so the two must agree on the name."""
    for record in methods.METHODS:
        cls = methods.get(record.name)
        assert issubclass(cls, Method) and cls.name == record.name
        assert cls({}, seeds=[0]).params == dict(record.defaults)
        assert record.summary and "\n" not in record.summary
