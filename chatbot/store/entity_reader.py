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


def read_entities(article: Article) -> None:
    """Fill ``article.entities``; a failure leaves them unread (read when first listed), never
    fails the add."""
    try:
        article.entities = named.encode(named.extract(article.text, article.lang))
    except Exception as exc:
        log.warning("entities of %s not read now (%s); they will be read when first listed", article.doc_id, exc)
