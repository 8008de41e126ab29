"""Concurrent clients asking over HTTP: throughput, latency and errors, with and without a rebuild.

A real ``chatbot serve`` process runs on a private copy of ``--index-dir``; an asyncio httpx load
generator on loopback keeps N clients busy for ``--seconds`` each (every client sends the next
evaluation question as soon as its previous answer arrives: a closed loop, so the load is bounded).
The last run repeats the middle N while ``POST /api/index/rebuild`` re-embeds the whole index, to show
that answers keep flowing (no request waits for the rebuild; they only share the two cores with it).

    python -m bench.load [--index-dir bench/data/index-news100] [--clients 1 8 32] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import QUESTIONS, header, setup_logging, table
from bench.data import DATA_DIR
from bench.latency import percentiles, resident_mib, spawn_serve, stop
from chatbot.evaluation import load_questions

log = logging.getLogger("bench.load")


def start_server(index_dir: Path, timeout_s: float = 600.0) -> tuple[subprocess.Popen, str]:
    """``chatbot serve`` on ``index_dir``; returns once ``/api/health`` reports the index ready."""
    proc, url = spawn_serve(index_dir)
    t0 = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() - t0 < timeout_s:
            try:
                if "state" not in client.get(f"{url}/api/health").json():
                    return proc, url
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"chatbot serve on {index_dir} was not ready after {timeout_s} s")


async def run_clients(url: str, clients: int, seconds: float, questions: list[str]) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``seconds``; latency of each answer, errors by kind."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    cycle = itertools.cycle(questions)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            body = {"question": next(cycle), "history": []}
            t0 = time.perf_counter()
            try:
                response = await http.post(f"{url}/api/ask", json=body)
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

    t0 = time.perf_counter()
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(clients)))
    wall = time.perf_counter() - t0
    stats = percentiles(latencies) if latencies else {"n": 0, "p50": None, "p95": None, "max": None}
    return {"clients": clients, "answers": len(latencies), "wall_s": round(wall, 1),
            "per_s": round(len(latencies) / wall, 2), **stats, "errors": errors}


def during_rebuild(url: str, clients: int, seconds: float, questions: list[str]) -> dict[str, Any]:
    """The load run while a rebuild of the whole index runs in the server."""
    with httpx.Client(timeout=60) as client:
        started = client.post(f"{url}/api/index/rebuild", json={"source": "current"})
        started.raise_for_status()
        result = asyncio.run(run_clients(url, clients, seconds, questions))
        health = client.get(f"{url}/api/health").json()
    result["rebuild_state_after"] = health.get("state", "done")
    result["rebuild_progress"] = f"{health.get('done', '-')}/{health.get('total', '-')}" if "state" in health else ""
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DATA_DIR / "index-news100")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    if not (args.index_dir / "chroma").is_dir():
        raise SystemExit(f"{args.index_dir} holds no index: build it with bench.latency or bench.eval_distractors")
    questions = [q.question for q in load_questions(QUESTIONS) if not q.history]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(args.index_dir, index_dir)
        proc, url = start_server(index_dir)
        try:
            with httpx.Client(timeout=120) as client:
                client.post(f"{url}/api/ask", json={"question": questions[0], "history": []}).raise_for_status()
                docs = client.get(f"{url}/api/health").json()
            for n in args.clients:
                runs.append({"scenario": "steady", **asyncio.run(run_clients(url, n, args.seconds, questions))})
                log.info("%s", runs[-1])
            if not args.skip_rebuild:
                n = sorted(args.clients)[len(args.clients) // 2]
                runs.append({"scenario": "during rebuild", **during_rebuild(url, n, args.seconds, questions)})
                log.info("%s", runs[-1])
            rss = resident_mib(proc.pid)
        finally:
            stop(proc)

    print(header(f"load: closed-loop clients on POST /api/ask for {args.seconds:.0f} s each "
                 f"({docs.get('documents')} documents / {docs.get('chunks')} chunks)"))
    print(table(["scenario", "clients", "answers", "answers/s", "p50 ms", "p95 ms", "max ms", "errors"],
                [[r["scenario"], r["clients"], r["answers"], r["per_s"], r["p50"], r["p95"], r["max"],
                  sum(r["errors"].values())] for r in runs]))
    print(f"\nserver resident memory at the end: {rss} MiB")
    if any(r["scenario"] == "during rebuild" for r in runs):
        last = runs[-1]
        print(f"rebuild state when the run ended: {last['rebuild_state_after']} {last['rebuild_progress']}")
    out = {"runs": runs, "rss_mib": rss}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
