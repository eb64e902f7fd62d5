"""The README's set-up, as a newcomer on a CPU-only machine reads it: a venv, the CPU build
of torch before anything pulls the CUDA one, then one command that runs cftui; and below the
user part, the one command that runs the tests, which CI runs as written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CPU_TORCH = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
TESTS = "pip install -e '.[test,web,ray,figures,docs,digits]' && pytest -n 2"


def commands(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", body, re.S)]


def test_a_cpu_user_makes_a_venv_installs_cpu_torch_first_then_one_command_runs_cftui():
    venv, torch, run = commands("Install")
    assert venv == "python3 -m venv .venv && . .venv/bin/activate"
    assert torch == CPU_TORCH
    assert run == "pip install . && cftui"


def test_the_tests_command_is_below_the_user_part_and_ci_runs_it():
    assert commands("For contributors: the tests") == [TESTS]
    text = README.read_text(encoding="utf-8")
    assert text.index("## Install") < text.index("## For contributors")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    as_ci_runs_it = "python3 -m pip install -q -e '.[test,web,ray,figures,docs,digits]'"
    assert f"{as_ci_runs_it} && python3 -m pytest -q -n 2" in ci
