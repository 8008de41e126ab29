"""The people, organisations and places of the indexed articles, aggregated once per index version.

Each article record carries what it names (``entities``, written at indexing by
chatbot.store.indexer with chatbot.text.entities); this catalog reads the manifest, merges the
mentions into entities (chatbot.text.entity_merge) and keeps the result until the index changes
(generation or version stamp), so a listing costs a filter over cached data. Removing an article
removes its record, hence its mentions, at the next read.

Indexes written before entities existed have records without them: those articles are read once,
on the first listing, and what they name is written into their records (under the index's write
lock, only if the article was not changed meanwhile), so later processes find it stored. A rebuild
(``chatbot index rebuild``) stores them for every article as well.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

from pydantic import BaseModel, Field

from chatbot.retrieval.filters import Filters, resolve
from chatbot.store.live_index import ArticleIndex
from chatbot.text.entities import Mentions, decode, encode, extract, untitled
from chatbot.text.entity_merge import Entity, key_of, merge
from chatbot.text.words import fold

log = logging.getLogger(__name__)
Kind = Literal["person", "organisation", "place"]


class EntitiesOff(RuntimeError):
    """Entity extraction is switched off (``CHATBOT_ENTITIES=false``)."""


class EntitySummary(BaseModel):
    """One entity as the API, the CLI and the page show it."""

    name: str
    kind: Kind
    aliases: list[str] = Field(default_factory=list)  # other spellings and acronyms, most used first
    mentions: int  # times named, in the articles that pass the filter
    documents: list[str]  # doc_ids of those articles, most mentions first
    first_date: str | None = None  # earliest and latest publication date of those articles (ISO)
    last_date: str | None = None


class EntityCatalog:
    """Entities of one :class:`ArticleIndex`, rebuilt when its generation or version changes."""

    def __init__(self, index: ArticleIndex, enabled: bool = True) -> None:
        self.index = index
        self.enabled = enabled
        self._lock = threading.Lock()  # guards the cached result
        self._build_lock = threading.Lock()  # one build at a time: a backfill is not done twice
        self._key: tuple | None = None
        self._entities: list[Entity] = []
        self._manifest: dict[str, dict[str, Any]] = {}

    # ---- reading ------------------------------------------------------------------------------
    def listing(self, filters: Filters | None = None, kind: str | None = None, q: str | None = None,
                limit: int | None = None) -> list[EntitySummary]:
        """Entities named in the articles that pass ``filters``, most mentioned first.

        ``kind``: only that kind; ``q``: only entities whose name or an alias contains it (accents
        and case ignored); ``limit``: at most that many.
        """
        entities, manifest = self._current()
        passing = resolve(filters, manifest).docs if filters is not None and filters.active else None
        wanted = fold(q.strip()) if q and q.strip() else None
        out = []
        for entity in entities:
            if kind and entity.kind != kind:
                continue
            if wanted and not any(wanted in fold(n) for n in (entity.name, *entity.aliases)):
                continue
            summary = _summary(entity, manifest, passing)
            if summary is not None:
                out.append(summary)
        out.sort(key=lambda s: (-s.mentions, fold(s.name)))
        return out[:limit] if limit else out

    def find(self, name: str, filters: Filters | None = None) -> EntitySummary | None:
        """The entity called ``name`` (its name or an alias; accents, case and titles ignored)."""
        wanted = {fold(name.strip()), key_of(name), key_of(untitled(name))}
        for summary in self.listing(filters):
            forms = (summary.name, *summary.aliases)
            if any(fold(f) in wanted or key_of(f) in wanted for f in forms):
                return summary
        return None

    def dated(self, doc_ids: list[str]) -> list[str]:
        """Those of ``doc_ids`` that have a publication date (a timeline is made of them only)."""
        _, manifest = self._current()
        return [d for d in doc_ids if manifest.get(d, {}).get("date")]

    # ---- the cached aggregation ---------------------------------------------------------------
    def _current(self) -> tuple[list[Entity], dict[str, dict[str, Any]]]:
        if not self.enabled:
            raise EntitiesOff("entity extraction is off (CHATBOT_ENTITIES=false)")
        self.index.refresh()
        with self._build_lock:
            key, store, manifest = self.index.retrying(self._read)
            with self._lock:
                if key == self._key:
                    return self._entities, self._manifest
            per_doc: dict[str, Mentions] = {}
            missing = []
            for doc_id, meta in manifest.items():
                found = decode(meta.get("entities"))
                if found is None:
                    missing.append(doc_id)
                else:
                    per_doc[doc_id] = found
            if missing:
                per_doc.update(self._backfill(store, missing, manifest))
            entities = merge(per_doc)
            with self._lock:
                self._key, self._entities, self._manifest = key, entities, manifest
            return entities, manifest

    def _read(self) -> tuple[tuple, Any, dict[str, dict[str, Any]]]:
        view = self.index.view()
        return view.version, view.store, view.store.manifest()

    def _backfill(self, store: Any, doc_ids: list[str], manifest: dict[str, dict[str, Any]]) -> dict[str, Mentions]:
        """Read what articles indexed without entities name, and store it in their records."""
        log.info("entities: reading %d article(s) indexed without them (once)", len(doc_ids))
        found: dict[str, Mentions] = {}
        for doc_id in doc_ids:
            got = store.get_article(doc_id)
            if got is None:
                continue
            meta, text = got
            try:
                found[doc_id] = extract(text, str(meta.get("lang") or "en"))
            except Exception as exc:  # an article that cannot be read must not hide the others
                log.warning("entities: could not read %s: %s", doc_id, exc)
        try:
            with self.index.write_lock:
                now = store.records(list(found), [])
                same = [d for d in found if d in now and now[d].get("sha256") == manifest[d].get("sha256")]
                for i in range(0, len(same), 500):
                    part = same[i:i + 500]
                    store.docs.update(ids=part, metadatas=[{"entities": encode(found[d])} for d in part])
        except Exception as exc:  # kept in memory all the same; tried again by the next process
            log.warning("entities: could not store them in the index: %s", exc)
        return found


def _summary(entity: Entity, manifest: dict[str, dict[str, Any]],
             passing: frozenset[str] | None) -> EntitySummary | None:
    counts = {d: n for d, n in entity.counts.items() if d in manifest and (passing is None or d in passing)}
    if not counts:
        return None
    dates = sorted(str(manifest[d]["date"]) for d in counts if manifest[d].get("date"))
    return EntitySummary(name=entity.name, kind=entity.kind, aliases=entity.aliases,  # type: ignore[arg-type]
                         mentions=sum(counts.values()),
                         documents=sorted(counts, key=lambda d: (-counts[d], d)),
                         first_date=dates[0] if dates else None, last_date=dates[-1] if dates else None)
