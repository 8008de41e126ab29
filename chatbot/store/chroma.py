"""The vector store: Chroma holds chunks, vectors, article texts and the manifest.

Chroma is the single source of truth, embedded (``PersistentClient`` under the index folder) or a
Chroma server (``CHATBOT_CHROMA_URL``), so several app processes can share it. One *generation* of
the index is a pair of collections: ``<name>-<gen>-chunks`` (chunk text, offsets, metadata, vectors)
and ``<name>-<gen>-docs`` (one record per article: full stored text plus the manifest entry
doc_id -> sha256, chunk count, origin). A small registry collection names the active generation, so
a rebuild fills a new generation aside and switches by rewriting one record. Every write bumps a
version stamp that derived data (the lexical index, in-memory caches) compares against.
Sentence and clause vectors of the chunks (chatbot.encoder.pieces) are cached in a local file per generation.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.encoder.pieces import PieceVectors
from chatbot.ingest.metadata import day_number
from chatbot.schemas import Article, Chunk, Document, chunk_ids
from chatbot.store import reads
from chatbot.store.hits import Hit
from chatbot.store.piece_cache import PieceStore

log = logging.getLogger(__name__)

REGISTRY = "chatbot-registry"
PAGE = 500
_UNIT = [1.0]  # docs and registry records carry no meaningful vector
# HNSW search breadth (Chroma's ``ef_search``; it searches max(ef_search, ids asked) entries). At 64
# the 30 nearest chunks of a 3,000-chunk index held 97.6 % of the exact 30 and missed 11 of 2,100
# exact top-5 chunks over 420 questions, and which ones it missed changed from one process to the
# next (the graph Chroma rebuilds from its log on load is not the same twice), so one question got
# two answers; at 200, 99.8 % and 2 (BENCHMARKS.md 37b).
EF_SEARCH = 200


def make_client(index_dir: Path, chroma_url: str | None) -> Any:
    """A Chroma client: an HTTP client for a server URL, else an embedded one on disk."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=settings,
        )
    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=settings)


def is_gone(exc: BaseException) -> bool:
    """True when ``exc`` says a collection object can no longer be used: read the registry again.

    Either the collection no longer exists (a rebuild dropped it), or the object belongs to an
    embedded client that was closed and reopened meanwhile (chatbot.store.live_index reopens it
    after each drop; Chroma then raises AttributeError on the closed client's missing bindings,
    before doing any work).
    """
    from chromadb.api import ServerAPI
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or (
        isinstance(exc, AttributeError) and isinstance(getattr(exc, "obj", None), ServerAPI))


class _Dropped:
    """Stands for a collection of a dropped generation: any use raises Chroma's NotFoundError."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        from chromadb.errors import NotFoundError

        raise NotFoundError(f"collection {self.name} was dropped")


def _doc_from_meta(doc_id: str, meta: dict[str, Any]) -> Document:
    return Document(
        doc_id=doc_id,
        title=str(meta.get("title", doc_id)),
        source=meta.get("source") or None,
        date=meta.get("date") or None,
        lang=str(meta.get("lang", "und")),
        chunks=int(meta.get("chunks", 0)),
        sha256=str(meta.get("sha256", "")),
        url=meta.get("url") or None,
        copies=[d for d in str(meta.get("copies") or "").split(",") if d],
    )


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata values must be str/int/float/bool and not None."""
    return {k: v for k, v in meta.items() if v is not None}


class Registry:
    """Which generation is active; shared by every process that uses the same Chroma."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self._col = client.get_or_create_collection(REGISTRY, embedding_function=None)

    def active(self) -> str | None:
        got = self._col.get(ids=[self.name], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0]["generation"]) if metas and metas[0] else None

    def set_active(self, generation: str) -> None:
        self._col.upsert(
            ids=[self.name], embeddings=[_UNIT], documents=[""],
            metadatas=[{"generation": generation, "since": time.time()}],
        )

    def generations(self) -> list[str]:
        """Generations that have collections in the store (active, stale or half-built)."""
        prefix = f"{self.name}-"
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return sorted({n[len(prefix):-len("-docs")] for n in names
                       if n.startswith(prefix) and n.endswith("-docs")})

    def drop(self, generation: str) -> None:
        for suffix in ("chunks", "docs"):
            try:
                self.client.delete_collection(f"{self.name}-{generation}-{suffix}")
            except Exception:  # already gone
                log.debug("collection %s-%s-%s already gone", self.name, generation, suffix)


PiecesOfChunks = list[tuple[list[tuple[int, int]], np.ndarray]]  # per chunk: piece spans, vectors


def pieces_file(folder: Path, name: str, generation: str) -> Path:
    return folder / f"{name}-{generation}.sqlite"


def new_generation() -> str:
    return time.strftime("g%Y%m%d%H%M%S") + uuid.uuid4().hex[:6]


class IndexStore:
    """One generation of the index: chunks with vectors, and the manifest with article texts."""

    def __init__(self, client: Any, name: str, generation: str, pieces_dir: Path | None = None,
                 ef_search: int = EF_SEARCH) -> None:
        """``pieces_dir``: where this generation's piece vectors are cached (none: not cached).
        ``ef_search``: the HNSW search breadth (see EF_SEARCH); an existing collection searched
        with another is changed to it (Chroma lets this one setting change after creation)."""
        self.client = client
        self.generation = generation
        self.pieces = PieceStore(pieces_file(pieces_dir, name, generation)) if pieces_dir else None
        self.chunks: Any = client.get_or_create_collection(
            f"{name}-{generation}-chunks",
            configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
            embedding_function=None,
        )
        self._search_breadth(ef_search)
        self.docs: Any = client.get_or_create_collection(
            f"{name}-{generation}-docs", metadata={"version": "0"}, embedding_function=None
        )
        self._names = (self.chunks.name, self.docs.name)

    def _search_breadth(self, ef_search: int) -> None:
        """Search the chunks with ``ef_search``, changing a collection created with another."""
        hnsw = (self.chunks.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") not in (None, ef_search):
            log.info("chunks of generation %s: HNSW ef_search %s -> %s", self.generation, hnsw["ef_search"], ef_search)
            try:
                self.chunks.modify(configuration={"hnsw": {"ef_search": ef_search}})
            except Exception as exc:  # noqa: BLE001 - searching with the old breadth still answers
                log.warning("chunks of generation %s: HNSW ef_search left at %s (%s)", self.generation,
                            hnsw["ef_search"], exc)

    def rebind(self, client: Any) -> bool:
        """Use ``client`` (the same store, reopened) from now on; False when this generation is gone.

        The collections are looked up, never created: a dropped generation stays dropped, and this
        store is retired instead.
        """
        try:
            chunks, docs = (client.get_collection(n, embedding_function=None) for n in self._names)
        except Exception as exc:
            if not is_gone(exc):
                raise
            self.retire()
            return False
        self.client, self.chunks, self.docs = client, chunks, docs
        return True

    def retire(self) -> None:
        """This generation was dropped: every later read raises NotFoundError, its cache file is closed."""
        self.chunks, self.docs = (_Dropped(n) for n in self._names)
        if self.pieces is not None:
            self.pieces.close()

    # ---- version stamp -------------------------------------------------------------------
    def version(self) -> str:
        """The stamp as stored now (a collection object keeps the metadata it was read with).

        The fresh object is not kept: a read racing a reopen of the client must not bind this store
        to the closed one again.
        """
        docs = self.client.get_collection(self._names[1], embedding_function=None)
        return str((docs.metadata or {}).get("version", "0"))

    def bump_version(self) -> str:
        stamp = uuid.uuid4().hex
        self.docs.modify(metadata={"version": stamp})
        return stamp

    # ---- manifest and articles -------------------------------------------------------------
    def documents(self) -> list[Document]:
        return [_doc_from_meta(i, m) for i, m, _ in self._iter_docs(with_text=False)]

    def manifest(self) -> dict[str, dict[str, Any]]:
        """doc_id -> manifest entry (sha256, chunks, origin, title...)."""
        return {i: dict(m) for i, m, _ in self._iter_docs(with_text=False)}

    def articles(self) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(doc_id, metadata, stored text) of every article."""
        yield from self._iter_docs(with_text=True)

    def _iter_docs(self, with_text: bool) -> Iterator[tuple[str, dict[str, Any], str]]:
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        offset = 0
        while True:
            got = self.docs.get(limit=PAGE, offset=offset, include=include)
            ids = got["ids"]
            docs = got.get("documents") or [""] * len(ids)
            for doc_id, meta, text in zip(ids, got["metadatas"], docs, strict=True):
                yield doc_id, meta or {}, text or ""
            if len(ids) < PAGE:
                return
            offset += PAGE

    def records(self, doc_ids: list[str], origins: list[str]) -> dict[str, dict[str, Any]]:
        """Manifest records of the given doc_ids and of every article from the given origins."""
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(doc_ids), PAGE):
            got = self.docs.get(ids=doc_ids[i:i + PAGE], include=["metadatas"])
            found.update((d, dict(m or {})) for d, m in zip(got["ids"], got["metadatas"], strict=True))
        for i in range(0, len(origins), PAGE):
            part = origins[i:i + PAGE]
            where = {"origin": part[0]} if len(part) == 1 else {"origin": {"$in": part}}
            got = self.docs.get(where=where, include=["metadatas"])
            found.update((d, dict(m or {})) for d, m in zip(got["ids"], got["metadatas"], strict=True))
        return found

    def get_article(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return got["metadatas"][0] or {}, got["documents"][0] or ""

    def put_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray,
                    pieces: PiecesOfChunks | None = None) -> None:
        self.put_articles([(article, chunks, vectors, pieces)])

    def put_articles(self, items: list[tuple[Article, list[Chunk], np.ndarray, PiecesOfChunks | None]]) -> None:
        """Write every chunk first and the manifest records last: a record is its article's commit mark.

        Several articles go in one Chroma call: a call's fixed cost is most of the work for a
        few chunks (2,000 chunks took 2.5x less CPU written 100 at a time than 10 at a time).
        ``pieces``: per chunk, its piece spans and vectors (chatbot.encoder.pieces), cached beside Chroma.
        """
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        cached: list[tuple[str, str, str, list[tuple[int, int]], np.ndarray]] = []
        records: list[tuple[str, str, dict[str, Any]]] = []
        for article, chunks, vectors, pieces in items:
            if len(chunks) != len(vectors):
                raise ValueError("one vector per chunk")
            if pieces:
                cached += [(article.doc_id, c.chunk_id, c.text, spans, vecs)
                           for c, (spans, vecs) in zip(chunks, pieces, strict=True)]
            base = {"doc_id": article.doc_id, "title": article.title, "date": article.date,
                    "day": day_number(article.date), "source": article.source, "lang": article.lang}
            ids += [c.chunk_id for c in chunks]
            texts += [c.text for c in chunks]
            metas += [_clean_meta({**base, "start": c.start, "end": c.end}) for c in chunks]
            records.append((article.doc_id, article.text, _clean_meta({
                **base, "sha256": article.sha256, "chunks": len(chunks), "url": article.url,
                "origin": article.origin, "added_at": time.time(), "author": article.author,
                "copies": ",".join(article.copies) or None, "minhash": article.fingerprint,
                "entities": article.entities})))
        self.keep_piece_vectors(cached)
        if ids:
            matrix = np.concatenate([np.asarray(v, dtype=np.float32) for _, c, v, _ in items if len(c)])
            for i in range(0, len(ids), PAGE):
                self.chunks.upsert(ids=ids[i:i + PAGE], embeddings=matrix[i:i + PAGE],
                                   documents=texts[i:i + PAGE], metadatas=metas[i:i + PAGE])
        for i in range(0, len(records), PAGE):
            part = records[i:i + PAGE]
            self.docs.upsert(ids=[r[0] for r in part], embeddings=[_UNIT] * len(part),
                             documents=[r[1] for r in part], metadatas=[r[2] for r in part])

    def unlist(self, doc_id: str) -> None:
        """Drop only the manifest record: readers stop seeing the article before its chunks change."""
        self.docs.delete(ids=[doc_id])

    def delete_article(self, doc_id: str) -> None:
        """Manifest record first (the article disappears at once), then its chunks."""
        self.docs.delete(ids=[doc_id])
        self.chunks.delete(where={"doc_id": doc_id})
        if self.pieces is not None:
            self.pieces.delete_doc(doc_id)

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        for i in range(0, len(chunk_ids), PAGE):
            self.chunks.delete(ids=chunk_ids[i:i + PAGE])
        if self.pieces is not None:
            self.pieces.delete_chunks(chunk_ids)

    def piece_vectors(self, chunks: list[tuple[str, str]]) -> dict[str, PieceVectors]:
        """Cached piece vectors of (chunk_id, text) pairs, for those that have them."""
        return self.pieces.get(chunks) if self.pieces is not None else {}

    def keep_piece_vectors(self, records: list[tuple[str, str, str, list[tuple[int, int]], np.ndarray]]) -> None:
        """Cache (doc_id, chunk_id, chunk text, piece spans, piece vectors) records, in one write."""
        if records and self.pieces is not None:
            self.pieces.put(records)

    # ---- chunks -----------------------------------------------------------------------------
    def chunk_count(self) -> int:
        return int(self.chunks.count())

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk_id, text, metadata) of every stored chunk, page by page."""
        offset = 0
        while True:
            got = self.chunks.get(limit=PAGE * 4, offset=offset, include=["documents", "metadatas"])
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield cid, text or "", meta or {}
            if len(got["ids"]) < PAGE * 4:
                return
            offset += PAGE * 4

    def chunks_of(self, doc_ids: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk_id, text, metadata) of every stored chunk of the given articles."""
        for i in range(0, len(doc_ids), PAGE):
            part = doc_ids[i:i + PAGE]
            where = {"doc_id": part[0]} if len(part) == 1 else {"doc_id": {"$in": part}}
            got = self.chunks.get(where=where, include=["documents", "metadatas"])
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield cid, text or "", meta or {}

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None,
              keep: Callable[[str], bool] | None = None, limit: int | None = None) -> list[Hit]:
        """Nearest chunks (optionally filtered on metadata), best first, ``similarity`` the cosine.

        The nearest ids come from a distances-only query and their texts from one read by id: on a
        100k-chunk index that is about 4 ms, against about 19 ms for a query that returns documents
        and metadata itself. Chroma returns fewer than ``n`` when the collection holds fewer, so
        no count is needed first (a count costs about 8 ms there). ``keep`` drops ids before the
        texts are read, ``limit`` keeps the first of those left (see chatbot.retrieval.subset).
        """
        got = self.chunks.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=n,
                                where=where, include=["distances"])
        ids, distances = got["ids"][0], got["distances"][0]
        if keep is not None:
            kept = [(cid, dist) for cid, dist in zip(ids, distances, strict=True) if keep(cid)][:limit or None]
            ids, distances = [cid for cid, _ in kept], [dist for _, dist in kept]
        return reads.hits(self, ids, [float(d) for d in distances])  # a chunk deleted meanwhile is skipped

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, Hit]:
        """The given chunks with their vectors, in one read."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=chunk_ids, include=["documents", "metadatas", "embeddings"])
        return {cid: Hit(cid, text or "", meta or {}, vector=np.asarray(vec, dtype=np.float32))
                for cid, text, meta, vec in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"],
                                                strict=True)}

    def chunks_where(self, where: dict[str, Any], limit: int) -> list[Hit] | None:
        """Every chunk matching ``where`` with its vector, or None when there are more than ``limit``."""
        got = self.chunks.get(where=where, limit=limit + 1, include=["embeddings", "documents", "metadatas"])
        if len(got["ids"]) > limit:
            return None
        return [Hit(cid, text or "", meta or {}, vector=np.asarray(vec, dtype=np.float32))
                for cid, vec, text, meta in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"],
                                                strict=True)]

    def article_chunks(self, sizes: dict[str, int]) -> list[Hit]:
        """The chunks of the given articles (doc_id -> its chunk count in the manifest) with their
        vectors, read by id a thousand at a time: a read by id took a third of the time of one by
        doc_id on a 12,000-chunk index, and reads only the chunks the article's record commits."""
        ids = [cid for doc_id, count in sizes.items() for cid in chunk_ids(doc_id, count)]
        found: list[Hit] = []
        for i in range(0, len(ids), PAGE * 2):
            found += self.get_chunks(ids[i:i + PAGE * 2]).values()
        return found
