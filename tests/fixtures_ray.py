"""A real local Ray cluster for the distributed-indexing tests: a head node and one more worker
node, both raylets on loopback, started with the ``ray`` command as an operator would."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(probe: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``probe`` until it returns something truthy (bounded; fails naming ``what``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def actor_pids(name: str) -> list[int]:
    """Processes of Ray actors whose title mentions ``name`` (Ray renames worker processes)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("ray::") and name in cmdline:
            pids.append(int(entry.name))
    return sorted(pids)


class RayCluster:
    """``ray start --head`` plus ``ray start --address`` for a second node, each on its own ports."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # unix socket paths must stay short
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.ray = str(Path(sys.executable).with_name("ray"))
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0",
                    # a loaded machine starts a node's agents slowly: let them take up to the 28 s
                    # that `ray start` itself waits for the node to register
                    "RAY_agent_register_timeout_ms": "28000"}

    def _node_ports(self) -> list[str]:
        return [f"--node-manager-port={_free_port()}", f"--object-manager-port={_free_port()}",
                f"--metrics-export-port={_free_port()}", f"--dashboard-agent-listen-port={_free_port()}",
                f"--dashboard-agent-grpc-port={_free_port()}", f"--runtime-env-agent-port={_free_port()}"]

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

    def start(self) -> None:
        common = ["--node-ip-address=127.0.0.1", "--disable-usage-stats", *self._node_ports()]
        self._run(["start", "--head", f"--port={self.port}", "--num-cpus=2", "--include-dashboard=false",
                   f"--ray-client-server-port={_free_port()}", f"--temp-dir={self.temp}", *common], "head.log")
        self._run(["start", f"--address={self.address}", "--num-cpus=1", "--node-ip-address=127.0.0.1",
                   *self._node_ports()], "worker.log")

    def stop(self, keep_temp: bool = False) -> None:
        subprocess.run([self.ray, "stop", "--force"], env=self.env, capture_output=True, timeout=300)
        if not keep_temp:
            shutil.rmtree(self.temp, ignore_errors=True)
