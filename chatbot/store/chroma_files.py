"""What an embedded Chroma keeps of a dropped collection, and how the index frees it.

Chroma 1.5 drops a collection's rows from its SQLite database but deletes neither the folder of
its HNSW segment (``<chroma>/<segment uuid>/``) nor the files of that index its native layer holds
open (and a SQLite connection with them) for as long as the client lives; a smaller HNSW cache
does not evict them. Each rebuild therefore left its old generation's folders on disk, and a
long-running process kept about ten more descriptors, and the deleted files' space, per rebuild.

The index closes and reopens its embedded client after dropping a generation, which releases those
files (``ArticleIndex._release_dropped``), then :func:`remove_orphan_segment_dirs` deletes the
segment folders no collection references any more; ``index check --repair`` does the same for
folders left by an older version or another tool. A Chroma server holds its files itself: nothing
here applies to it, and only restarting it returns what it keeps of dropped collections.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _referenced_segments(chroma_dir: Path) -> set[str] | None:
    """Segment ids Chroma's database still lists, or None when it cannot be read (then keep all)."""
    database = chroma_dir / "chroma.sqlite3"
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            return {str(row[0]) for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:
        log.warning("cannot read the segment list of %s: %s", database, exc)
        return None


def orphan_segment_dirs(chroma_dir: Path) -> list[Path]:
    """Segment folders under ``chroma_dir`` that no collection references.

    The folders are listed before the database is read: a folder only appears once its segment's
    row is committed, so a collection being created meanwhile is never taken for an orphan.
    """
    if not chroma_dir.is_dir():
        return []
    folders = [p for p in chroma_dir.iterdir() if p.is_dir() and _SEGMENT_DIR.match(p.name)]
    if not folders:
        return []
    referenced = _referenced_segments(chroma_dir)
    if referenced is None:
        return []
    return sorted(p for p in folders if p.name not in referenced)


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def remove_orphan_segment_dirs(chroma_dir: Path) -> list[str]:
    """Delete the segment folders no collection references; returns their names."""
    removed = []
    for folder in orphan_segment_dirs(chroma_dir):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder.name)
    if removed:
        log.info("removed %d segment folder(s) of dropped collections", len(removed))
    return removed
