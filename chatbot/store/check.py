"""``chatbot index check``: find, and on request repair, what a crash can leave in the index.

Writes are ordered so that a killed process never corrupts what readers see (chunks first, the
manifest record as commit mark, the version stamp last; a rebuild fills a generation aside). What a
crash can leave behind is therefore only:

- orphan chunks: chunks whose doc_id has no manifest record (killed between chunk writes and the
  record). Readers already ignore them; repair deletes them. Re-adding the file restores it.
- incomplete records: a manifest record whose chunks are missing, surplus, or do not match the
  stored text. Repair deletes the record and its chunks and names the doc_id (and its origin) so
  it can be added again; an article with wrong passages is worse than one missing.
- stale generations: collections of a rebuild that was killed before its switch. Repair drops them.
  (A rebuild still running in another process looks the same: run a repair when none is.)
- segment folders of dropped collections (an embedded Chroma leaves them on disk: see
  chatbot.store.chroma_files). Repair deletes them.
- a lexical index whose stamp or chunk set differs from the store. Repair rebuilds it from Chroma
  and bumps the stamp so every process sharing the store rebuilds its own copy too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from chatbot.schemas import chunk_ids
from chatbot.store.chroma_files import folder_size
from chatbot.store.lexical import LexicalIndex
from chatbot.store.live_index import ArticleIndex

log = logging.getLogger(__name__)


@dataclass
class CheckReport:
    """What ``check`` found; ``repaired`` tells whether it was fixed."""

    generation: str
    documents: int = 0
    chunks: int = 0
    orphan_chunks: dict[str, int] = field(default_factory=dict)  # doc_id -> chunk count
    incomplete: list[dict[str, Any]] = field(default_factory=list)  # doc_id, origin, problem
    surplus_chunks: list[str] = field(default_factory=list)
    stale_generations: list[str] = field(default_factory=list)
    orphan_segment_dirs: list[str] = field(default_factory=list)  # folder names under chroma/
    orphan_bytes: int = 0
    lexical: str = "ok"  # ok | missing | stale
    repaired: bool = False

    @property
    def clean(self) -> bool:
        """No problem found (a missing lexical index is not one: it is built on first use)."""
        return not (self.orphan_chunks or self.incomplete or self.surplus_chunks
                    or self.stale_generations or self.orphan_segment_dirs or self.lexical == "stale")

    @property
    def to_readd(self) -> list[dict[str, Any]]:
        """Articles that are (or, after repair, will be) absent and should be added again."""
        return [{"doc_id": i["doc_id"], "origin": i.get("origin")} for i in self.incomplete]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "clean": self.clean, "to_readd": self.to_readd}


def _inspect_chunks(index: ArticleIndex, report: CheckReport) -> dict[str, dict[str, tuple]]:
    """doc_id -> chunk_id -> (text, start, end) of every stored chunk."""
    by_doc: dict[str, dict[str, tuple]] = defaultdict(dict)
    for cid, text, meta in index.store.iter_chunks():
        by_doc[str(meta.get("doc_id", ""))][cid] = (text, meta.get("start"), meta.get("end"))
        report.chunks += 1
    return by_doc


def _record_problem(meta: dict[str, Any], text: str, chunks: dict[str, tuple]) -> tuple[str | None, list[str]]:
    """(why the record is unusable, or None; chunk ids beyond its chunk count)."""
    expected = chunk_ids(str(meta.get("doc_id", "")), int(meta.get("chunks", 0)))
    missing = [cid for cid in expected if cid not in chunks]
    surplus = sorted(set(chunks) - set(expected))
    if missing:
        return f"{len(missing)} of {len(expected)} chunks missing", surplus
    for cid in expected:
        body, start, end = chunks[cid]
        if not isinstance(start, int) or not isinstance(end, int) or text[start:end] != body:
            return f"chunk {cid} does not match the stored text", surplus
    return None, surplus


def _lexical_state(index: ArticleIndex, committed_chunks: set[str]) -> str:
    folder = index.lexical_folder()
    if not folder.exists():
        return "missing"
    saved = LexicalIndex.load(folder)
    if saved is None or saved.version != index.store.version() or set(saved.chunk_ids) != committed_chunks:
        return "stale"
    return "ok"


def check_index(index: ArticleIndex, repair: bool = False) -> CheckReport:
    """Compare manifest, chunks, generations and the local lexical index; repair if asked."""
    with index.write_lock:
        generation = index.registry.active() or index.store.generation
        if generation != index.store.generation:
            index.refresh()
        report = CheckReport(generation=generation)
        report.stale_generations = index.stale_generations()
        orphans = index.orphan_segment_dirs()
        report.orphan_segment_dirs = [p.name for p in orphans]
        report.orphan_bytes = sum(folder_size(p) for p in orphans)
        by_doc = _inspect_chunks(index, report)
        good_chunks: set[str] = set()
        for doc_id, meta, text in index.store.articles():
            report.documents += 1
            chunks = by_doc.pop(doc_id, {})
            problem, surplus = _record_problem({**meta, "doc_id": doc_id}, text, chunks)
            if problem:
                report.incomplete.append({"doc_id": doc_id, "origin": meta.get("origin"),
                                          "title": meta.get("title"), "problem": problem})
            else:
                good_chunks.update(set(chunks) - set(surplus))
                report.surplus_chunks.extend(surplus)
        report.orphan_chunks = {doc_id: len(chunks) for doc_id, chunks in by_doc.items()}
        report.lexical = _lexical_state(index, good_chunks)
        if repair and not report.clean:
            _repair(index, report, by_doc)
    return report


def _repair(index: ArticleIndex, report: CheckReport, orphans: dict[str, dict[str, tuple]]) -> None:
    store = index.store
    for generation in report.stale_generations:
        log.info("dropping stale generation %s", generation)
        index.drop_generation(generation)
    index.remove_orphan_files()
    for chunks in orphans.values():
        store.delete_chunks(list(chunks))
    for item in report.incomplete:
        log.info("removing incomplete article %s (%s); add it again", item["doc_id"], item["problem"])
        store.delete_article(item["doc_id"])
    store.delete_chunks(report.surplus_chunks)
    index.commit(full=True)  # new stamp: this process's lexical index and every other one are rebuilt
    report.repaired = True
