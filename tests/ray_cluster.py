"""A real Ray cluster on this machine, for the sweep's cluster tests: each node a `ray start`
of its own (a head and more nodes, each with its own raylet), token authentication on as a
user's cluster has it, everything in the test's folder and ended by process id.

Nodes take loopback addresses other than 127.0.0.1: Ray replaces 127.0.0.1 and localhost by
the machine's other address (its `--node-ip-address` and a driver's `--address` alike), and
traffic here stays on loopback. `ray stop` would end every Ray on the machine, so the cluster
ends the processes it started: those whose command line names its folder (the GCS, each
raylet, the monitors) and their children (workers and agents, renamed by setproctitle).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from processes import alive, kill, process_table

HEAD_IP = "127.0.0.2"
START_S = 120  # a `ray start` on two loaded cores; it usually takes 3-6 s
FAST_HEALTH_CHECKS = {  # a killed raylet's node is marked dead in ~2 s, not ~15 s
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "500",
    "RAY_health_check_failure_threshold": "3",
}
RAY = str(Path(sys.executable).with_name("ray"))


def free_port(ip: str) -> int:
    with socket.socket() as probe:
        probe.bind((ip, 0))
        return probe.getsockname()[1]


def hide_cftui(folder: Path) -> dict[str, str]:
    """Environment for a node on which cftui is not installed: its Python processes refuse
    to import it, whatever the installation (editable or not)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import sys\n\n\n"
        "class NoCftui:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'cftui':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n\n\n"
        "sys.meta_path.insert(0, NoCftui())\n"
    )
    return {"PYTHONPATH": str(folder)}


@dataclass
class Cluster:
    folder: Path
    env: dict[str, str] = field(default_factory=dict)  # for ray start and for cftui alike
    port: int = 0  # the head's GCS port
    client_port: int = 0  # its Ray Client server's (ray://HEAD:PORT)
    seen: set[tuple[int, str]] = field(default_factory=set)  # (pid, start time) of its processes

    def __post_init__(self) -> None:
        home = self.folder / "home"
        (home / ".ray").mkdir(parents=True)
        token = secrets.token_hex(32)  # what `ray get-auth-token --generate` writes
        (home / ".ray" / "auth_token").write_text(token)
        (self.folder / "ray").mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RAY_")},
            "HOME": str(home),
            "RAY_TMPDIR": str(self.folder / "ray"),
            "RAY_USAGE_STATS_ENABLED": "0",
            **FAST_HEALTH_CHECKS,
        }

    @property
    def address(self) -> str:
        return f"{HEAD_IP}:{self.port}"

    def start_head(self, cpus: int) -> None:
        self.port, self.client_port = free_port(HEAD_IP), free_port(HEAD_IP)
        self._start(
            HEAD_IP,
            cpus,
            "--head",
            f"--port={self.port}",
            f"--ray-client-server-port={self.client_port}",
            "--include-dashboard=false",
        )

    def add_node(self, ip: str, cpus: int, env: dict[str, str] | None = None) -> None:
        """A node of its own (its raylet) joining the head: with the token, as Ray asks."""
        self._start(
            ip, cpus, f"--address={self.address}", env={"RAY_AUTH_MODE": "token", **(env or {})}
        )

    def _start(self, ip: str, cpus: int, *flags: str, env: dict | None = None) -> None:
        command = [RAY, "start", f"--node-ip-address={ip}", f"--num-cpus={cpus}", *flags]
        command += ["--disable-usage-stats"]
        done = subprocess.run(
            command,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=START_S,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def processes(self) -> list[int]:
        """The cluster's processes: those naming its folder, their children, and every one
        seen before that still runs (a killed raylet's children lose their parent)."""
        table = process_table()
        todo = [pid for pid, (_, _, command) in table.items() if str(self.folder) in command]
        while todo:
            pid = todo.pop()
            self.seen.add((pid, table[pid][1]))
            todo += [child for child, (parent, _, _) in table.items() if parent == pid]
        ours = [pid for pid, start in self.seen if table.get(pid, (0, None))[1] == start]
        return sorted(filter(alive, ours))  # not a zombie that init has yet to reap

    def raylet(self, node_ip: str) -> int:
        """The process id of a node's raylet."""
        [pid] = [
            pid
            for pid, (_, _, command) in process_table().items()
            if str(self.folder) in command
            and "/raylet " in command
            and f"--node_ip_address={node_ip} " in f"{command} "
        ]
        return pid

    def wait_running(self, node_ip: str, task: str, timeout: float) -> bool:
        """Wait until a worker of the node runs ``task`` (setproctitle: ``ray::TASK``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raylet, table = self.raylet(node_ip), process_table()
            if any(p == raylet and c.startswith(f"ray::{task}") for p, _, c in table.values()):
                return True
            time.sleep(0.05)
        return False

    def kill(self, pid: int) -> None:
        """SIGKILL one of the cluster's processes, its children noted first."""
        assert pid in self.processes()
        kill(pid)

    def stop(self) -> None:
        """End every process of the cluster, by id, and wait until they are gone."""
        pids = self.processes()
        for pid in pids:
            kill(pid)
        deadline = time.monotonic() + 30
        while any(map(alive, pids)) and time.monotonic() < deadline:
            time.sleep(0.1)
