"""Concurrent clients asking over HTTP: throughput, latency and errors, with and without a rebuild.

A real ``chatbot serve`` process runs on a private copy of ``--index-dir``; an asyncio httpx load
generator on loopback keeps N clients busy for ``--seconds`` each (every client sends the next
evaluation question as soon as its previous answer arrives: a closed loop, so the load is bounded).
Every answer is judged by the rule of ``chatbot eval`` (expected terms present, or a refusal for the
unanswerable questions), so a run reports right answers, not only HTTP 200s. The last run repeats
the middle N while ``POST /api/index/rebuild`` re-embeds the whole index: clients keep asking until
the rebuild has completed and the server has switched to the new generation (seen as a new lexical
index folder replacing the old one), then ``--seconds`` more on the new generation.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.common import QUESTIONS, header, setup_logging, table
from bench.data import DATA_DIR
from bench.latency import percentiles, resident_mib, spawn_serve, stop
from chatbot.evaluation import contains_terms, load_questions

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


Question = tuple[str, bool, list[list[str]]]  # question, answerable, expected term groups


def is_right(question: Question, body: dict[str, Any]) -> bool:
    """The rule of ``chatbot eval``: an answerable question answered with every expected group,
    an unanswerable one refused."""
    _, answerable, expected = question
    if not answerable:
        return bool(body.get("refused"))
    return not body.get("refused") and contains_terms(str(body.get("answer", "")), expected)


async def run_clients(url: str, clients: int, seconds: float, questions: list[Question],
                      until: Callable[[], bool] | None = None, limit_s: float = 3600.0) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``seconds`` (and, with ``until``, at least until it returns
    True, at most ``limit_s``); latency of each answer, right answers, errors by kind."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    right = 0
    cycle = itertools.cycle(questions)
    t_start = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    def going() -> bool:
        elapsed = time.perf_counter() - t_start
        if elapsed >= limit_s:
            return False
        return elapsed < seconds or (until is not None and not until())

    async def client_loop(http: httpx.AsyncClient) -> None:
        nonlocal right
        while going():
            question = next(cycle)
            t0 = time.perf_counter()
            try:
                response = await http.post(f"{url}/api/ask", json={"question": question[0], "history": []})
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    right += is_right(question, response.json())
                else:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(clients)))
    wall = time.perf_counter() - t_start
    stats = percentiles(latencies) if latencies else {"n": 0, "p50": None, "p95": None, "max": None}
    return {"clients": clients, "answers": len(latencies), "wall_s": round(wall, 1),
            "per_s": round(len(latencies) / wall, 2), **stats, "errors": errors,
            "right": right, "right_pct": round(100 * right / len(latencies), 1) if latencies else None}


def generations(index_dir: Path) -> set[str]:
    """The generations whose lexical index is on disk (read from the folder, not through Chroma,
    so this process never opens the server's embedded store)."""
    folder = index_dir / "lexical"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def during_rebuild(url: str, index_dir: Path, clients: int, seconds: float,
                   questions: list[Question]) -> dict[str, Any]:
    """The load run while a full rebuild runs in the server: clients keep asking until the rebuild
    has completed and switched generation, then ``seconds`` more on the new generation."""
    before = generations(index_dir)
    finished_at: list[float] = []

    def rebuilt() -> bool:
        if finished_at:
            return time.perf_counter() - finished_at[0] >= seconds
        try:
            health = httpx.get(f"{url}/api/health", timeout=30).json()
        except httpx.HTTPError:
            return False
        if "state" not in health:
            finished_at.append(time.perf_counter())
        return False

    with httpx.Client(timeout=60) as client:
        t0 = time.perf_counter()
        client.post(f"{url}/api/index/rebuild", json={"source": "current"}).raise_for_status()
        result = asyncio.run(run_clients(url, clients, seconds, questions, until=rebuilt))
        health = client.get(f"{url}/api/health").json()
    after = generations(index_dir)
    result["rebuild_s"] = round(finished_at[0] - t0, 1) if finished_at else None
    result["rebuild_state_after"] = health.get("state", "done")
    result["rebuild_result"] = health.get("last_rebuild")
    result["generation_switched"] = bool(after) and after.isdisjoint(before)
    result["documents_after"] = health.get("documents")
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
    questions = [(q.question, q.answerable, q.expected) for q in load_questions(QUESTIONS) if not q.history]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(args.index_dir, index_dir)
        proc, url = start_server(index_dir)
        try:
            with httpx.Client(timeout=120) as client:
                client.post(f"{url}/api/ask", json={"question": questions[0][0], "history": []}).raise_for_status()
                docs = client.get(f"{url}/api/health").json()
            for n in args.clients:
                runs.append({"scenario": "steady", **asyncio.run(run_clients(url, n, args.seconds, questions))})
                log.info("%s", runs[-1])
            if not args.skip_rebuild:
                n = sorted(args.clients)[len(args.clients) // 2]
                runs.append({"scenario": "during rebuild", **during_rebuild(url, index_dir, n, args.seconds, questions)})
                log.info("%s", runs[-1])
            rss = resident_mib(proc.pid)
        finally:
            stop(proc)

    print(header(f"load: closed-loop clients on POST /api/ask for {args.seconds:.0f} s each "
                 f"({docs.get('documents')} documents / {docs.get('chunks')} chunks)"))
    print(table(["scenario", "clients", "answers", "right %", "answers/s", "p50 ms", "p95 ms", "max ms",
                 "errors"],
                [[r["scenario"], r["clients"], r["answers"], r["right_pct"], r["per_s"], r["p50"], r["p95"],
                  r["max"], sum(r["errors"].values())] for r in runs]))
    print(f"\nserver resident memory at the end: {rss} MiB")
    if any(r["scenario"] == "during rebuild" for r in runs):
        last = runs[-1]
        print(f"rebuild: completed in {last['rebuild_s']} s while clients asked, state after: "
              f"{last['rebuild_state_after']}, generation switched: {last['generation_switched']}, "
              f"documents after: {last['documents_after']}")
    out = {"runs": runs, "rss_mib": rss}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
