"""A real local Ray cluster for the distributed-indexing tests: a head node and one more worker
node, both raylets on loopback, started with the ``ray`` command as an operator would (see
bench.ray_local, which also stops it without touching any other Ray cluster on the machine)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench.ray_local import LocalRayCluster

T = TypeVar("T")


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


class RayCluster(LocalRayCluster):
    """The tests' cluster: a head node and one more worker node, both raylets on loopback."""

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir, head_cpus=2, workers=1, worker_cpus=1)
