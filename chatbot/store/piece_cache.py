"""Where piece vectors (chatbot.encoder.pieces) are kept: one SQLite file per index generation.

They are a cache beside Chroma, not part of the truth: each record carries a digest of its chunk's
text and is ignored if the chunk changed, and a chunk without a record is simply answered by
encoding its sentences at question time. So a replica sharing a Chroma server with another one
(which holds no file of the pieces that replica indexed), a read-only index folder, or a file lost
with a crash never gives a wrong answer, only a slower one. Vectors are stored as float16.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from chatbot.encoder.pieces import PieceVectors

log = logging.getLogger(__name__)
_SCHEMA = """CREATE TABLE IF NOT EXISTS pieces (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, digest TEXT NOT NULL,
    spans BLOB NOT NULL, vectors BLOB NOT NULL, dim INTEGER NOT NULL)"""


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class PieceStore:
    """Piece vectors of one generation's chunks, keyed by chunk id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # a cache: no fsync per commit (see module doc)
            conn.execute(_SCHEMA)
            self._conn = conn
        except (OSError, sqlite3.Error) as exc:
            log.warning("piece vectors disabled (%s: %s); answers will encode sentences instead", path, exc)

    def put(self, records: Iterable[tuple[str, str, str, list[tuple[int, int]], np.ndarray]]) -> None:
        """Store (doc_id, chunk_id, chunk text, piece spans, piece vectors) records, in one transaction."""
        rows = [(cid, doc_id, digest(text), np.asarray(spans, dtype=np.int32).tobytes(),
                 np.asarray(vectors, dtype=np.float16).tobytes(), int(vectors.shape[1]))
                for doc_id, cid, text, spans, vectors in records if len(spans) and len(spans) == len(vectors)]
        if not rows or self._conn is None:
            return
        try:
            with self._lock:
                self._conn.execute("BEGIN")
                self._conn.executemany("INSERT OR REPLACE INTO pieces VALUES (?, ?, ?, ?, ?, ?)", rows)
                self._conn.execute("COMMIT")
        except sqlite3.Error as exc:  # a cache: losing a write costs speed, never an answer
            log.warning("could not store piece vectors: %s", exc)
            self._rollback()

    def get(self, chunks: list[tuple[str, str]]) -> dict[str, PieceVectors]:
        """Records of the given (chunk_id, chunk text) pairs whose text is unchanged."""
        if not chunks or self._conn is None:
            return {}
        wanted = {cid: digest(text) for cid, text in chunks}
        marks = ",".join("?" * len(wanted))
        try:
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT chunk_id, digest, spans, vectors, dim FROM pieces WHERE chunk_id IN ({marks})",
                    list(wanted)).fetchall()
        except sqlite3.Error as exc:
            log.warning("could not read piece vectors: %s", exc)
            return {}
        found = {}
        for cid, mark, spans, vectors, dim in rows:
            if wanted.get(cid) != mark:
                continue
            found[cid] = PieceVectors(np.frombuffer(spans, dtype=np.int32).reshape(-1, 2),
                                      np.frombuffer(vectors, dtype=np.float16).reshape(-1, dim))
        return found

    def delete_doc(self, doc_id: str) -> None:
        self._delete("DELETE FROM pieces WHERE doc_id = ?", [doc_id])

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i:i + 500]
            self._delete(f"DELETE FROM pieces WHERE chunk_id IN ({','.join('?' * len(part))})", part)

    def _delete(self, sql: str, params: list[str]) -> None:
        if self._conn is None or not params:
            return
        try:
            with self._lock:
                self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            log.warning("could not delete piece vectors: %s", exc)

    def _rollback(self) -> None:
        try:
            with self._lock:
                if self._conn is not None and self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @staticmethod
    def remove_file(path: Path) -> None:
        """Delete a dropped generation's file (and SQLite's side files)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
