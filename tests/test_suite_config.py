"""The suite's own rules, as a run under them sees them: a test that hangs fails by itself,
named, and the run goes on (under -n too); a thread it left running cannot hold the run."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HANGS = """
import threading, time

def test_hangs():
    threading.Thread(target=time.sleep, args=(3600,), name="stuck-trainer").start()
    time.sleep(3600)

def test_after_it():
    assert True
"""
GUARDED = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
from exit_guard import pytest_unconfigure
"""


@pytest.mark.parametrize("workers", ["2", "0"])  # the README's command, and one process (pdb)
def test_a_hanging_test_is_named_and_the_run_goes_on(tmp_path, workers):
    (tmp_path / "test_hang.py").write_text(HANGS)
    (tmp_path / "conftest.py").write_text(GUARDED)
    ours = ("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path))  # its timeout rules
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *ours, "-o", "timeout=3", "-n", workers, str(tmp_path)],
        env={**os.environ, "CFTUI_TEST_EXIT_GRACE_S": "2"},
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )
    out = done.stdout + done.stderr
    assert "FAILED test_hang.py::test_hangs" in out and "Timeout" in out, out[-2000:]
    assert "1 failed, 1 passed" in out and "node down" not in out
    assert time.monotonic() - started < 60  # the stuck thread held the exit for the grace only
