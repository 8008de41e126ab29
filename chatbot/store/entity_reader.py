"""Reading the people, organisations and places of articles while they are indexed.

The reader runs in threads beside the encoder, at a lower priority, so that it uses the time the
encoder leaves idle; a failure leaves an article's entities unread (they are read when first
listed) and never fails the add.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable

from chatbot.schemas import Article
from chatbot.text import entities as named

log = logging.getLogger(__name__)

# the entity reader's niceness: below the encoder, so it runs in the encoder's idle time (see bench/entities.py)
ENTITY_NICENESS = 10


def behind_the_encoder() -> None:
    """Lower the calling thread's CPU priority (Linux; elsewhere nothing): entity reading then
    takes the cores the encoder leaves idle rather than slowing it down."""
    if sys.platform == "linux":
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENTITY_NICENESS)  # one thread on Linux
        except OSError as exc:
            log.debug("entity reader keeps its priority: %s", exc)


def ready_then_behind(langs: Iterable[str]) -> Callable[[], None]:
    """A reader thread's start for a large add: load the entity pipelines of ``langs`` first, at
    the encoder's priority, then step behind it (see behind_the_encoder).

    Loaded at low priority, a pipeline's imports (a couple of seconds of pure Python) crawl beside
    the busy encoder while holding the interpreter lock the encoding loop needs between
    mini-batches, and every article's write waits for its entities: the whole add then ends
    seconds after the last vector (bench/indexing.py measured 106 s against 101 s warm).
    """
    wanted = sorted(set(langs))

    def start() -> None:
        for lang in wanted:
            try:
                named.warm(lang)
            except Exception as exc:  # read_entities reports it per article
                log.debug("entity pipeline for %s not loaded ahead: %s", lang, exc)
        behind_the_encoder()

    return start


def read_entities(article: Article) -> None:
    """Fill ``article.entities``; a failure leaves them unread (read when first listed), never
    fails the add."""
    try:
        article.entities = named.encode(named.extract(article.text, article.lang))
    except Exception as exc:
        log.warning("entities of %s not read now (%s); they will be read when first listed", article.doc_id, exc)
