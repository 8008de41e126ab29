"""One entity per person, organisation or place, whatever the spelling or language of its mentions.

The mentions of every article (chatbot.text.entities) are grouped in steps, each a rule that holds
beyond one story:

1. Equal names: accents, case, hyphens, the dots of initials and the titles dropped at extraction
   do not count ("Etat" = "État", "U.S." = "US", "maréchal Haftar" = "Haftar"). A country's French and English names
   (pycountry's ISO 3166 names and their French translations: "Libye" = "Libya"; for a mention
   labelled a place, its ISO codes too: "US" = "United States") and the
   cross-language names of ``data/entity_aliases.toml`` are one name.
2. Acronyms defined in a text ("Armée nationale arabe libyenne (ANL)") join their long form.
3. Any other acronym (of an organisation) joins the long form whose initials it is ("GNA" = "Government of National
   Accord"), the one named in the same articles first, else the one named most.
4. A name labelled a person (at least once) whose words all belong to a longer person's name joins it (a surname: "Haftar"
   -> "Khalifa Haftar"), the longer name named in the same articles first, else the one named
   most. Organisations and places never join this way ("United Nations" is not "United Nations
   Support Mission", "Sudan" is not "South Sudan").

An entity's kind is its head's (the full name a surname joined, the long form an acronym joined:
spaCy often labels a lone surname an organisation), else the one most of its mentions carry
(``misc`` mentions do not vote); a group of ``misc`` mentions only is kept as an organisation when the text defined an acronym for it, else
dropped. Its name is its most named full form: not an acronym when another form exists, for a
person a form of two words or more when there is one.
"""

from __future__ import annotations

import gettext
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from chatbot.text.entities import KINDS, Mentions, content_words, is_acronym, trimmed, words
from chatbot.text.words import DATA, fold


@dataclass
class Entity:
    """An entity of the corpus: its name, kind, other spellings, and mentions per article."""

    name: str
    kind: str
    aliases: list[str]
    counts: dict[str, int]  # doc_id -> mentions in that article

    @property
    def mentions(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Node:
    """Mentions that share one key (step 1)."""

    surfaces: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    docs: Counter[str] = field(default_factory=Counter)
    defined: bool = False  # an acronym definition names it

    @property
    def kind(self) -> str:
        votes = [(n, k) for k, n in self.kinds.items() if k != "misc"]
        return max(votes)[1] if votes else "misc"

    @property
    def total(self) -> int:
        return sum(self.docs.values())


def key_of(name: str, kind: str | None = None) -> str:
    """Folded words of a name (step 1's equality), or the key of the name it is listed under.

    A country's names count as one for a place (or a name looked up without a kind); its ISO
    codes ("US", "LBY") only for a mention labelled a place.
    """
    parts = words(name)
    folded = "".join(parts) if len(parts) >= 2 and all(len(p) == 1 for p in parts) else " ".join(parts)  # "U.S"
    if kind in (None, "place"):
        country = _countries().get(folded) or (_country_codes().get(folded) if kind == "place" else None)
        if country:
            return country
    return _listed().get(folded) or folded


@lru_cache(maxsize=1)
def _listed() -> dict[str, str]:
    """Folded other name -> folded listed name, from ``data/entity_aliases.toml``."""
    table = tomllib.loads((DATA / "entity_aliases.toml").read_text("utf-8"))
    out: dict[str, str] = {}
    for section in table.values():
        for listed, others in section.items():
            target = " ".join(words(listed))
            for other in [listed, *others]:
                out[" ".join(words(other))] = target
    return out


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """Folded ISO 3166 alpha-2 and alpha-3 code -> folded English common name (pycountry)."""
    import pycountry

    return {fold(code): " ".join(words(getattr(c, "common_name", None) or c.name))
            for c in pycountry.countries for code in (c.alpha_2, c.alpha_3)}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Folded French or English country name -> folded English common name (pycountry)."""
    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    out: dict[str, str] = {}
    for country in pycountry.countries:
        common = getattr(country, "common_name", None) or country.name
        target = " ".join(words(common))
        for name in {country.name, common, getattr(country, "official_name", None) or country.name}:
            for variant in (name, french.gettext(name)):
                out.setdefault(" ".join(words(variant)), target)
    return out


class _Groups:
    """Union-find over node keys."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {k: k for k in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _best(candidates: list[str], near: _Node, nodes: dict[str, _Node]) -> str | None:
    """The candidate named in most of ``near``'s articles, then the one named most overall."""
    if not candidates:
        return None
    return max(candidates, key=lambda k: (sum(1 for d in near.docs if d in nodes[k].docs), nodes[k].total, k))


def merge(per_doc: dict[str, Mentions]) -> list[Entity]:
    """The entities named in ``per_doc`` (doc_id -> its mentions), most mentioned first."""
    nodes: dict[str, _Node] = defaultdict(_Node)
    definitions: list[tuple[str, str]] = []
    for doc_id, mentions in per_doc.items():
        for (stored, kind), count in mentions.names.items():
            name = trimmed(stored) or stored
            node = nodes[key_of(name, kind)]
            node.surfaces[name] += count
            node.kinds[kind] += count
            node.docs[doc_id] += count
        for long, acronym in mentions.acronyms:
            definitions.append((key_of(long), key_of(acronym)))
    nodes = dict(nodes)
    groups = _Groups(nodes)
    # 2. acronyms defined in a text
    for long, acronym in definitions:
        if long in nodes and acronym in nodes:
            groups.join(long, acronym)
            nodes[long].defined = nodes[acronym].defined = True
    # 3. other acronyms: initials of a long form
    initials: dict[str, list[str]] = defaultdict(list)
    for key, node in nodes.items():
        if node.kind in ("organisation", "misc") and not node.defined:
            parts = content_words(node.surfaces.most_common(1)[0][0])
            if len(parts) >= 2:
                initials["".join(p[0] for p in parts)].append(key)
    for key, node in nodes.items():
        if node.defined or node.kind not in ("organisation", "misc") or not is_acronym(node.surfaces.most_common(1)[0][0]):
            continue
        # not a long form that holds the acronym itself ("US" is not "US Senate")
        best = _best([k for k in initials.get(key.replace(" ", ""), []) if key not in k.split()], node, nodes)
        if best is not None:
            groups.join(best, key)
    # 4. a person's shorter name inside a longer one
    by_word: dict[str, set[str]] = defaultdict(set)
    for key, node in nodes.items():
        if node.kind == "person":
            for word in key.split():
                by_word[word].add(key)
    for key, node in nodes.items():
        own = key.split()
        if not node.kinds["person"] or not own:  # labelled a person at least once
            continue
        holders = set.intersection(*(by_word[w] for w in own))
        best = _best([k for k in holders if len(k.split()) > len(own)], node, nodes)
        if best is not None:
            groups.join(best, key)
    members: dict[str, list[_Node]] = defaultdict(list)
    for key, node in nodes.items():
        members[groups.find(key)].append(node)
    entities = [e for e in (_entity(members[root], nodes[root]) for root in members) if e is not None]
    return sorted(entities, key=lambda e: (-e.mentions, fold(e.name)))


def _entity(group: list[_Node], head: _Node) -> Entity | None:
    """The entity of a group; its kind is its head's (the full name, the long form), else a vote."""
    kinds: Counter[str] = Counter()
    surfaces: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for node in group:
        kinds.update(node.kinds)
        surfaces.update(node.surfaces)
        counts.update(node.docs)
    votes = [(n, k) for k, n in kinds.items() if k in KINDS]
    if head.kind in KINDS:
        kind = head.kind
    elif votes:
        kind = max(votes)[1]
    elif any(node.defined for node in group):
        kind = "organisation"
    else:
        return None
    # one spelling per folded form (the most used), then the name among them
    by_fold: dict[str, Counter[str]] = defaultdict(Counter)
    for surface, n in surfaces.items():
        by_fold[fold(surface)][surface] += n
    spellings = [(sum(c.values()), c.most_common(1)[0][0]) for c in by_fold.values()]
    forms = sorted(spellings, key=lambda item: (-item[0], item[1]))

    def rank(item: tuple[int, str]) -> tuple:
        total, surface = item
        return (not is_acronym(surface), kind != "person" or len(surface.split()) > 1, total, len(surface))

    name = max(forms, key=rank)[1]
    return Entity(name, kind, [s for _, s in forms if s != name], dict(counts))
