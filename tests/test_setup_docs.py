"""The README's set-up, as a newcomer on a CPU-only machine reads it: the CPU build of
torch comes first, as the exact command to type, and the two-command promise stays."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
CPU_TORCH = "pip install torch --index-url https://download.pytorch.org/whl/cpu"


def set_up_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Set up and run\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_a_cpu_user_reads_the_cpu_torch_command_before_installing():
    commands = set_up_commands()
    assert commands[0] == CPU_TORCH
    test = "pip install -e '.[test,web,ray,figures]' && pytest -n 2"
    assert commands[1:] == ["pip install . && cftui", test]
