"""An outlet named in the question: "Selon Al Jazeera, ...", "What does CNN report about Mosul?".

A reader who names an outlet asks what that outlet published, not what any article says: the
question is answered from that outlet's articles only, as if the ``sources`` filter named it, and
an outlet with nothing on the question gets the refusal, not another outlet's answer. The outlet's
words are taken out of the question, which is answered as the reader would have asked it of the
outlet's articles alone: "Selon la Deutsche Welle, que pense Sigmar Gabriel de la Libye ?" -> "que
pense Sigmar Gabriel de la Libye ?"; "What does Al Jazeera report about Haftar?" -> "What do the
articles say about Haftar?" (a brief). The wordings are data (``outlet_asked.toml``).

Only a name matching an outlet of the index counts (``filters.outlet_matches``: its name, its web
address's first label, or its initials, "Deutsche Welle" = dw.com): "According to the UN, ..." and
"According to Reuters" (quoted by the outlets, not one of them) change nothing. A filter given
with the question (``sources``) is kept as it is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chatbot.retrieval.filters import outlet_matches

DATA = Path(__file__).with_name("outlet_asked.toml")


@dataclass(frozen=True)
class OutletAsked:
    name: str  # as the question writes it
    outlets: tuple[str, ...]  # the stored outlets it matches
    question: str  # the question to answer from their articles


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    data = tomllib.loads(DATA.read_text("utf-8"))
    return tuple((re.compile(p["pattern"]), p["rewrite"]) for p in data["wordings"])  # case: see the file


def outlet_asked(question: str, outlets: Callable[[], Iterable[str]]) -> OutletAsked | None:
    """The outlet ``question`` names as the one reporting, among ``outlets()`` (the index's, read
    only when a wording matches), or None."""
    known: list[str] | None = None
    for pattern, rewrite in _patterns():
        match = pattern.search(question)
        if match is None:
            continue
        known = list(outlets()) if known is None else known
        written = match.group("outlet").strip()
        name = re.sub(r"^(?:the|la|le|l['’])\s*", "", written, flags=re.I)  # "la Deutsche Welle"; "Le Monde" too
        found = tuple(s for s in known if outlet_matches(s, (name, written)))
        if not found:
            continue
        rest = match.expand(rewrite)
        asked = (question[:match.start()] + rest + question[match.end():]).strip()
        asked = asked[:1].upper() + asked[1:]
        return OutletAsked(name, found, asked)
    return None
