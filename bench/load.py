"""Concurrent clients asking over HTTP: throughput, latency and errors, with and without a rebuild.

A real ``chatbot serve`` process runs on a private copy of ``--index-dir``; an asyncio httpx load
generator on loopback keeps N clients busy for ``--seconds`` each (every client sends the next
evaluation question as soon as its previous answer arrives: a closed loop, so the load is bounded).
Every answer is judged by the rule of ``chatbot eval`` (expected terms present, or a refusal for the
unanswerable questions) and must cite the seed article, which answers every evaluation question, so
a run reports right and wrong answers beside errors, not only HTTP 200s. The last run repeats the
middle N (the steady run of that N is the "before" figure) while ``POST /api/index/rebuild``
re-embeds the whole index: clients keep asking until ``/api/health`` shows the rebuild completed,
then ``--seconds`` more. The rebuild's duration and outcome are reported, whether the generation
switched (a new lexical index folder replacing the old one), and the answers in three phases:
before the switch, in flight at it, after it.

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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.common import QUESTIONS, header, seed_article, setup_logging, table
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
Record = tuple[float, float, str, str]  # start, end (s since the run began), outcome (right, wrong or an
# error), question


def is_right(question: Question, body: dict[str, Any], doc_id: str | None = None) -> bool:
    """The rule of ``chatbot eval``: an answerable question answered with every expected group (and,
    given ``doc_id``, citing that article), an unanswerable one refused."""
    _, answerable, expected = question
    if not answerable:
        return bool(body.get("refused"))
    if doc_id is not None and doc_id not in {c.get("doc_id") for c in body.get("citations", [])}:
        return False
    return not body.get("refused") and contains_terms(str(body.get("answer", "")), expected)


def summary(records: list[Record], clients: int, wall: float) -> dict[str, Any]:
    """Answers, right and wrong ones, errors by kind and latency of a set of requests."""
    latencies = [(end - start) * 1000 for start, end, outcome, _ in records if outcome in ("right", "wrong")]
    right = sum(outcome == "right" for _, _, outcome, _ in records)
    errors: dict[str, int] = {}
    for _, _, outcome, _ in records:
        if outcome not in ("right", "wrong"):
            errors[outcome] = errors.get(outcome, 0) + 1
    wrong = sorted({question for _, _, outcome, question in records if outcome == "wrong"})
    stats = percentiles(latencies) if latencies else {"n": 0, "p50": None, "p95": None, "max": None}
    return {"clients": clients, "answers": len(latencies), "wall_s": round(wall, 1),
            "per_s": round(len(latencies) / wall, 2) if wall else None, **stats, "errors": errors,
            "right": right, "wrong": len(latencies) - right, "wrong_questions": wrong,
            "right_pct": round(100 * right / len(latencies), 1) if latencies else None}


async def run_clients(url: str, clients: int, seconds: float, questions: list[Question],
                      doc_id: str | None = None,
                      watch: Callable[[httpx.AsyncClient], Awaitable[Any]] | None = None,
                      limit_s: float = 3600.0) -> tuple[dict[str, Any], list[Record], float | None]:
    """``clients`` closed-loop clients for ``seconds``; with ``watch``, until ``watch`` has returned
    and ``seconds`` more (at most ``limit_s`` in all). Returns the summary, every request's record
    and when ``watch`` returned (s since the start)."""
    records: list[Record] = []
    cycle = itertools.cycle(questions)
    t_start = time.perf_counter()
    watched: list[float] = []
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)

    def going() -> bool:
        elapsed = time.perf_counter() - t_start
        if elapsed >= limit_s:
            return False
        if watch is None:
            return elapsed < seconds
        return not watched or elapsed - watched[0] < seconds

    async def client_loop(http: httpx.AsyncClient) -> None:
        while going():
            question = next(cycle)
            t0 = time.perf_counter() - t_start
            try:
                response = await http.post(f"{url}/api/ask", json={"question": question[0], "history": []})
                if response.status_code == 200:
                    outcome = "right" if is_right(question, response.json(), doc_id) else "wrong"
                else:
                    outcome = str(response.status_code)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            records.append((t0, time.perf_counter() - t_start, outcome, question[0]))

    async def watcher(http: httpx.AsyncClient) -> None:
        if watch is not None:
            await watch(http)
            watched.append(time.perf_counter() - t_start)

    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await asyncio.gather(watcher(http), *(client_loop(http) for _ in range(clients)))
    wall = time.perf_counter() - t_start
    return summary(records, clients, wall), records, watched[0] if watched else None


def generations(index_dir: Path) -> set[str]:
    """The generations whose lexical index is on disk (read from the folder, not through Chroma,
    so this process never opens the server's embedded store)."""
    folder = index_dir / "lexical"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def during_rebuild(url: str, index_dir: Path, clients: int, seconds: float, questions: list[Question],
                   doc_id: str | None = None) -> list[dict[str, Any]]:
    """The load run while a full rebuild runs in the server: clients keep asking until
    ``/api/health`` shows the rebuild completed, then ``seconds`` more on the new generation.

    Returns one row per phase: requests that ended before the rebuild was seen complete, those in
    flight at that moment (they may have started on the old generation and ended on the new), and
    those sent after it; the first row carries the rebuild's duration and outcome."""
    before = generations(index_dir)
    finished: dict[str, Any] = {}

    async def rebuild_done(http: httpx.AsyncClient) -> None:
        while True:
            await asyncio.sleep(0.5)
            try:
                health = (await http.get(f"{url}/api/health", timeout=30)).json()
            except httpx.HTTPError:
                continue
            if "state" not in health:
                finished.update(health)
                return

    with httpx.Client(timeout=60) as client:
        t0 = time.perf_counter()
        started = client.post(f"{url}/api/index/rebuild", json={"source": "current"})
        started.raise_for_status()
        offset = time.perf_counter() - t0
        _, records, switch = asyncio.run(run_clients(url, clients, seconds, questions, doc_id, watch=rebuild_done))
    after = generations(index_dir)
    switch = switch if switch is not None else float("inf")
    phases = [("rebuild: before the switch", [r for r in records if r[1] < switch]),
              ("rebuild: in flight at the switch", [r for r in records if r[0] < switch <= r[1]]),
              ("rebuild: after the switch", [r for r in records if r[0] >= switch])]
    rows = []
    for name, chosen in phases:
        span = (max(r[1] for r in chosen) - min(r[0] for r in chosen)) if chosen else 0.0
        rows.append({"scenario": name, **summary(chosen, clients, span)})
    rows[0].update(rebuild_s=round(switch + offset, 1) if switch != float("inf") else None,
                   rebuild_result=finished.get("last_rebuild"), rebuild_error=finished.get("error"),
                   generation_switched=bool(after) and after.isdisjoint(before),
                   documents_after=finished.get("documents"), chunks_after=finished.get("chunks"))
    return rows


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
    doc_id = seed_article().doc_id  # every answerable evaluation question is answered by the seed article
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
                found, _, _ = asyncio.run(run_clients(url, n, args.seconds, questions, doc_id))
                runs.append({"scenario": "steady", **found})
                log.info("%s", runs[-1])
            if not args.skip_rebuild:
                n = sorted(args.clients)[len(args.clients) // 2]
                runs += during_rebuild(url, index_dir, n, args.seconds, questions, doc_id)
                log.info("%s", runs[-3:])
            rss = resident_mib(proc.pid)
        finally:
            stop(proc)

    print(header(f"load: closed-loop clients on POST /api/ask for {args.seconds:.0f} s each "
                 f"({docs.get('documents')} documents / {docs.get('chunks')} chunks)"))
    print(table(["scenario", "clients", "answers", "right %", "wrong", "answers/s", "p50 ms", "p95 ms", "max ms",
                 "errors"],
                [[r["scenario"], r["clients"], r["answers"], r["right_pct"], r["wrong"], r["per_s"], r["p50"],
                  r["p95"], r["max"], sum(r["errors"].values())] for r in runs]))
    print(f"\nserver resident memory at the end: {rss} MiB")
    rebuild = next((r for r in runs if "rebuild_s" in r), None)
    if rebuild is not None:
        print(f"rebuild: completed in {rebuild['rebuild_s']} s while clients asked, result: "
              f"{rebuild['rebuild_result']}, error: {rebuild['rebuild_error']}, generation switched: "
              f"{rebuild['generation_switched']}, after: {rebuild['documents_after']} documents / "
              f"{rebuild['chunks_after']} chunks")
    out = {"runs": runs, "rss_mib": rss}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
