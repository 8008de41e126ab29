"""A local Ray cluster on loopback, started with the ``ray`` command as an operator would, and
stopped without touching any other Ray cluster on the machine.

``ray stop --force`` stops every Ray process of the user, including a cluster someone else runs on
the same machine; fixed ports collide with it too. This cluster takes free ports, its own temp
folder, and stops only the processes of its own session: those whose command line names its temp
folder or its ports, and their descendants (Ray's agents rename themselves ``ray::...``).
Used by ``bench.ray_indexing`` and by the distributed-indexing tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import free_port

ROOT = Path(__file__).resolve().parents[1]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process (Linux /proc)."""
    found: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (parent, cmdline)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie, left to a parent that does not reap it, counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class LocalRayCluster:
    """``ray start --head`` plus ``workers`` more nodes (``ray start --address``), all on loopback."""

    def __init__(self, log_dir: Path, head_cpus: int = 2, workers: int = 0, worker_cpus: int = 1) -> None:
        self.log_dir = log_dir
        self.head_cpus, self.workers, self.worker_cpus = head_cpus, workers, worker_cpus
        self.temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # unix socket paths must stay short
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.ray = str(Path(sys.executable).with_name("ray"))
        self._ports: list[int] = [self.port]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0",
                    # a loaded machine starts a node's agents slowly: let them take up to the 28 s
                    # that `ray start` itself waits for the node to register
                    "RAY_agent_register_timeout_ms": "28000"}

    def _port(self) -> int:
        port = free_port()
        self._ports.append(port)
        return port

    def _node_ports(self) -> list[str]:
        return [f"--node-manager-port={self._port()}", f"--object-manager-port={self._port()}",
                f"--metrics-export-port={self._port()}", f"--dashboard-agent-listen-port={self._port()}",
                f"--dashboard-agent-grpc-port={self._port()}", f"--runtime-env-agent-port={self._port()}"]

    def _run(self, args: list[str], log: str, attempts: int = 3) -> None:
        """``ray start``, tried again when a busy machine made a node miss its start-up deadline."""
        for attempt in range(attempts):
            with (self.log_dir / log).open("w") as out:
                proc = subprocess.run([self.ray, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                      timeout=600)
            if proc.returncode == 0:
                return
            if attempt + 1 < attempts and "--head" in args:
                self.stop(keep_temp=True)
        raise RuntimeError(f"ray {' '.join(args[:2])} failed: {(self.log_dir / log).read_text()[-2000:]}")

    def start(self) -> LocalRayCluster:
        common = ["--node-ip-address=127.0.0.1", "--disable-usage-stats"]
        self._run(["start", "--head", f"--port={self.port}", f"--num-cpus={self.head_cpus}",
                   "--include-dashboard=false", f"--ray-client-server-port={self._port()}",
                   f"--temp-dir={self.temp}", *common, *self._node_ports()], "head.log")
        for i in range(self.workers):
            self._run(["start", f"--address={self.address}", f"--num-cpus={self.worker_cpus}", *common,
                       *self._node_ports()], f"worker{i}.log")
        return self

    def own_processes(self) -> list[int]:
        """This cluster's processes: named by its temp folder or ports, and everything under them."""
        table = _processes()
        marks = [str(self.temp), *(f"={port}" for port in self._ports), *(f":{port}" for port in self._ports)]
        roots = {pid for pid, (_, cmd) in table.items()
                 if pid != os.getpid() and ("ray" in cmd) and any(mark in cmd for mark in marks)}
        mine = set(roots)
        grew = True
        while grew:
            children = {pid for pid, (parent, _) in table.items() if parent in mine} - mine - {os.getpid()}
            grew = bool(children)
            mine |= children
        return sorted(mine)

    def stop(self, keep_temp: bool = False, grace: float = 10.0) -> None:
        """Stop this cluster's processes (SIGTERM, then SIGKILL after ``grace`` seconds)."""
        pids = self.own_processes()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
                time.sleep(0.2)
            pids = [pid for pid in pids if _alive(pid)]
            if not pids:
                break
        if not keep_temp:
            shutil.rmtree(self.temp, ignore_errors=True)
