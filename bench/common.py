"""Shared pieces of the benchmark scripts: settings for a throw-away index, the seed article, tables."""

from __future__ import annotations

import json
import logging
import os
import platform
import socket
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from chatbot.answering.conversation import standalone_query  # noqa: E402
from chatbot.components import make_embedder  # noqa: E402
from chatbot.evaluation import load_questions  # noqa: E402
from chatbot.ingest.loaders import article_from_mapping, load_path  # noqa: E402
from chatbot.schemas import Article  # noqa: E402
from chatbot.service.chat import ChatService  # noqa: E402
from chatbot.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_394ae1682318d41c.txt"
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
MODELS = ROOT / "models"


def free_port() -> int:
    """A TCP port free on loopback now (for a server the benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_logging() -> None:
    """INFO logging on stderr, quiet third-party loggers."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "uvicorn.access", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def make_settings(index_dir: Path, **overrides: Any) -> Settings:
    """Settings for an index in ``index_dir``, models from the project's models folder."""
    return Settings(index_dir=index_dir, models_dir=MODELS, articles_dir=index_dir / "no-articles",
                    _env_file=None, **overrides)


def load_embedder(quantize: bool = True, backend: str = "auto") -> Any:
    """The project's default embedder (or the given variant), loaded once and shared by several services."""
    return make_embedder(Settings(models_dir=MODELS, embedding_quantize=quantize, embedding_backend=backend,
                                  _env_file=None))


def service_for(index_dir: Path, embedder: Any, **overrides: Any) -> ChatService:
    """A ChatService on its own index folder, sharing ``embedder``."""
    return ChatService(make_settings(index_dir, **overrides), embedder=embedder)


def seed_article() -> Article:
    """The seed article the evaluation questions are about, loaded like ``chatbot index add``."""
    loaded = load_path(SEED)
    articles = [a for a in loaded if isinstance(a, Article)]
    if not articles:
        raise RuntimeError(f"cannot load {SEED}: {loaded}")
    return articles[0]


def retrieval_hits(service: Any) -> dict[str, float]:
    """Eval-set retrieval hit@1/hit@5 (a top passage overlaps the evidence span), search only,
    overall and per question language (``hit@5 fr``, ``hit@5 en``...).

    The same rule as ``chatbot eval``, without the answering step (which would double the run time).
    """
    seed = seed_article()
    rows: list[tuple[str, bool, bool]] = []
    for question in load_questions(QUESTIONS):
        if not question.answerable or not question.evidence:
            continue
        start = seed.text.find(question.evidence)
        end = start + len(question.evidence)
        query = standalone_query(question.question, question.history)
        ranks = [i for i, p in enumerate(service.search(query, k=5))
                 if p.doc_id == seed.doc_id and start >= 0 and min(p.end, end) > max(p.start, start)]
        rows.append((question.lang, bool(ranks) and ranks[0] == 0, bool(ranks)))

    def pct(values: list[bool]) -> float:
        return round(100 * sum(values) / len(values), 1) if values else 0.0

    out = {"hit@1": pct([r[1] for r in rows]), "hit@5": pct([r[2] for r in rows])}
    for lang in sorted({r[0] for r in rows}):
        out[f"hit@5 {lang}"] = pct([r[2] for r in rows if r[0] == lang])
        out[f"questions {lang}"] = float(sum(r[0] == lang for r in rows))
    return out


def to_articles(mappings: list[dict[str, Any]], where: str = "bench") -> list[Article]:
    """Articles built from mapping dicts with the project's own loader."""
    return [article_from_mapping(m, where) for m in mappings]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[str("-" if v is None else v) for v in row] for row in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file of the benchmarks (pairs, questions), blank lines skipped."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_json(path: Path | None, data: Any) -> None:
    """A benchmark's figures as JSON at ``path`` (its folder made if needed); nothing without one."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), "utf-8")


def header(title: str) -> str:
    """The banner every script prints above its table."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    cmd = f"python -m {spec.name}" if spec else sys.argv[0]
    return (f"== {title} ==\ncommand: {cmd} {' '.join(sys.argv[1:])}\nmachine: {platform.machine()}, "
            f"{os.cpu_count()} cores, python {platform.python_version()}\n"
            f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}, load average at start: {os.getloadavg()[0]:.1f}\n")
