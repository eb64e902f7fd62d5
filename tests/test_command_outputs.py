"""What a command leaves behind: every output written or none (an unwritable name, a refusal,
Ctrl+C or SIGTERM during the GIF's encode change no file and leave no temporary one), an
exit code that says the app stopped on an error, and no Python warning on the screen (the
CLI run with `python -W error`)."""

import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from processes import kill
from textual.app import App

from cftui import cli
from cftui.train import trainer as trainer_module
from cftui.tui.replay import ReplayApp

SMALL = ["--size", "96x72", "--dpi", "30"]
RUN = ["--epochs", "3", "--device", "cpu"]
WAIT_S = 60.0


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A run of 50 epochs a task recorded by `cftui figure`: about 100 frames."""
    folder = tmp_path_factory.mktemp("recorded")
    path = folder / "long.jsonl"
    argv = ["figure", "--epochs", "50", "--device", "cpu", "--record", str(path)]
    assert cli.main([*argv, "--only", "data", "-o", str(folder / "x.png"), *SMALL]) == 0
    return path


def olds(folder: Path, *names: str) -> dict[Path, bytes]:
    """Files that exist before the command, each with its own content."""
    files = {folder / name: f"old {name}".encode() for name in names}
    for path, content in files.items():
        path.write_bytes(content)
    return files


def unchanged(folder: Path, files: dict[Path, bytes], *others: str) -> None:
    """Every old file as it was, and nothing else in the folder but ``others``."""
    assert all(path.read_bytes() == content for path, content in files.items())
    names = sorted([*(path.name for path in files), *others])
    assert sorted(path.name for path in folder.iterdir()) == names


def trains_nothing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("trained before the flags were checked")

    monkeypatch.setattr(trainer_module.Trainer, "__init__", refuse)


def test_an_output_that_is_a_folder_changes_no_output_and_draws_nothing(recorded, tmp_path, capsys):
    files = olds(tmp_path, "out-data.png", "out-loss.png")
    (tmp_path / "out-fit.png").mkdir()  # the third of four figures
    argv = ["figure", str(recorded), "-o", str(tmp_path / "out.png"), *SMALL]
    assert cli.main(argv) == 2
    assert (
        capsys.readouterr().err
        == f"cftui: error: {tmp_path}/out-fit.png: cannot write: Is a directory\n"
    )
    unchanged(tmp_path, files, "out-fit.png")


def test_a_summary_of_one_run_is_refused_before_training_or_recording(
    tmp_path, capsys, monkeypatch
):
    files = olds(tmp_path, "run.jsonl")
    trains_nothing(monkeypatch)
    argv = ["figure", *RUN, "--only", "summary", "--record", str(tmp_path / "run.jsonl")]
    assert cli.main([*argv, "-o", str(tmp_path / "o.png")]) == 2
    said = "cftui: error: --only: summary: is the table of runs side by side (--compare)\n"
    assert capsys.readouterr().err == said
    unchanged(tmp_path, files)


def test_run_checks_all_its_outputs_before_training(tmp_path, capsys, monkeypatch):
    files = olds(tmp_path, "r.json", "h.csv")
    (tmp_path / "h-matrix.csv").mkdir()
    trains_nothing(monkeypatch)
    argv = ["run", *RUN, "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "h.csv")]
    assert cli.main(argv) == 2
    said = f"cftui: error: {tmp_path}/h-matrix.csv: cannot write: Is a directory\n"
    assert capsys.readouterr().err == said
    unchanged(tmp_path, files, "h-matrix.csv")


def test_run_writes_its_json_and_csv_together_once_trained(tmp_path, capsys, monkeypatch):
    """The last output fails at its rename (made a folder while training ran): no output
    is replaced, and none is left as a temporary file."""
    files = olds(tmp_path, "r.json", "h.csv", "h-matrix.csv")
    from cftui.commands import run as run_command

    real_run = run_command.Runner.run

    def run_then_block(self, publish, **how):
        finished = real_run(self, publish, **how)
        (tmp_path / "h-matrix.csv").unlink()
        (tmp_path / "h-matrix.csv").mkdir()
        return finished

    monkeypatch.setattr(run_command.Runner, "run", run_then_block)
    argv = ["run", *RUN, "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "h.csv")]
    assert cli.main(argv) == 2
    assert "h-matrix.csv: cannot write: Is a directory" in capsys.readouterr().err
    del files[tmp_path / "h-matrix.csv"]
    unchanged(tmp_path, files, "h-matrix.csv")


def heard() -> None:
    """In the child: SIGINT as a terminal delivers it, even where the suite runs in a
    background job (whose shell ignores SIGINT, an ignore its children inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def during_encode(folder: Path, process: subprocess.Popen) -> Path:
    """The GIF's temporary file, once Pillow has begun writing it (the frames are drawn)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and process.poll() is None:
        if temps := [p for p in folder.iterdir() if p.name.endswith(".tmp.gif")]:
            return temps[0]
        time.sleep(0.002)
    raise AssertionError(f"no temporary file while it ran: exit {process.poll()}")


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_kill_during_the_gif_encode_leaves_the_old_files_and_no_temporary(
    recorded, tmp_path, sent, code
):
    files = olds(tmp_path, "out.gif", "out-data.png")
    argv = ["figure", str(recorded), "--only", "data", "-o", str(tmp_path / "out.png")]
    argv += ["--gif", str(tmp_path / "out.gif"), "--fps", "60", "--size", "1600x800"]
    process = subprocess.Popen(
        [sys.executable, "-m", "cftui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a SIGINT to it alone, not to the test's terminal
        preexec_fn=heard,
    )
    try:
        during_encode(tmp_path, process)
        process.send_signal(sent)
        _, err = process.communicate(timeout=WAIT_S)
    finally:
        kill(process.pid)
    assert process.returncode == code, err
    assert "Traceback" not in err
    unchanged(tmp_path, files)


def test_replay_exits_1_with_the_errors_line_when_the_app_stopped_on_one(
    recorded, tmp_path, monkeypatch, capsys
):
    """An error no handler caught (here in drawing a frame) ends the app: its traceback goes
    to a log, and the command says its line and where the log is, exit 1 (it was 0)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(self, snap):
        raise ValueError("cannot draw this")

    monkeypatch.setattr(ReplayApp, "draw", broken)
    monkeypatch.setattr(ReplayApp, "run", lambda app: App.run(app, headless=True, size=(100, 30)))
    assert cli.main(["replay", str(recorded)]) == 1
    [log] = tmp_path.glob("cftui-error-*.log")
    said = capsys.readouterr().err
    assert said == f"cftui: error: ValueError: cannot draw this (traceback in {log})\n"
    assert "Traceback" in log.read_text() and "cannot draw this" in log.read_text()


def test_the_app_exits_1_when_quit_with_a_training_fault_on_screen(tiny, monkeypatch, capsys):
    from cftui.train.methods.naive import Naive
    from cftui.tui.app import CftuiApp

    def after_task(self, model, tasks, k):
        raise RuntimeError("method exploded")

    monkeypatch.setattr(Naive, "after_task", after_task)

    async def main() -> CftuiApp:
        app = CftuiApp(tiny, "cpu", pace=None)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(400):
                if app.error:
                    break
                await pilot.pause(0.05)
            await pilot.press("q")
        return app

    app = asyncio.run(main())
    assert app.exit_code() == 1
    said = capsys.readouterr().err
    assert said.startswith(
        "cftui: error: training stopped: RuntimeError: method exploded (traceback"
    )
    assert said.count("\n") == 1 and "r: restart" not in said


def strict(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """`cftui ARGV` with every Python warning an error, as a user's screen should see none."""
    command = [sys.executable, "-W", "error", "-m", "cftui", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=WAIT_S, cwd=cwd)


def test_the_cli_shows_no_python_warning(recorded, tmp_path):
    """figure of a run stopped in task 1 (matplotlib warned of identical ylims), replay's
    reading of a bad file, and run with every output."""
    stopped = tmp_path / "stopped.jsonl"
    stopped.write_text("".join(recorded.read_text().splitlines(keepends=True)[:2]))
    done = strict("figure", str(stopped), *SMALL, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(stopped.read_text().replace('"step":0,', '"step":1e999,', 1))
    done = strict("replay", str(bad), cwd=tmp_path)
    said = f"cftui: error: {bad}: line 2: step: expected a whole number, got inf\n"
    assert (done.returncode, done.stderr) == (2, said)
    outputs = ["--json", "r.json", "--csv", "h.csv", "--record", "r.jsonl"]
    done = strict("run", *RUN, *outputs, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert {"r.json", "h.csv", "h-matrix.csv", "r.jsonl"} <= {p.name for p in tmp_path.iterdir()}
