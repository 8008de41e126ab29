"""A place or a body named in the question's language, found under its name in the other language.

The checks that a question's names are in the cited article (``question.unknown_names``, the
statement's speaker and the event's names in ``specificity``) compare spellings, with a short list of
known places (``lexicon.toml``). A French question about an English article names "la mer Égée",
"la Tchétchénie", "la Ligue arabe" or "le Conseil national de la jeunesse", which the article
writes "Aegean Sea", "Chechnya", "Arab League" and "National Youth Council": no spelling rule
links them, and the answer was refused although the article holds it.

So a name the question relies on that no passage in another language spells is compared by meaning
with the capitalised phrases (and their single words) of the best-scored sentences in that other
language: a name and its translation encode close to each other, two different places or bodies
less so. The phrases found become the name's other forms for every spelling check of this answer.

Person names are written the same in both languages, so a missing person stays missing: two
different people's names score below the threshold (see ``NAME_SIMILARITY``). Only what the best
sentences name is compared, best sentence first, stopping once every name is found (each phrase
costs an encoding, about 60 ms on two busy cores); vectors are cached across questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz

from chatbot.answering.question import unknown_names
from chatbot.encoder.base import Embedder
from chatbot.encoder.vector_cache import VectorCache
from chatbot.text.names import NAME
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold, function_words

# Cosine of two names encoded alone as queries (EmbeddingGemma int8), measured on the tuning
# questions' names (tests/eval/tuning_news3.jsonl, tuning_news2.jsonl): a French name and its English
# form scored 0.72 (Égée/Aegean), 0.75 (Tchétchénie/Chechnya), 0.85 (Conseil/Council), 0.88
# (Ligue/League), 0.93-0.96 for countries; different but related places or bodies at most 0.66
# (Moscou/Kremlin; Russie/Ukraine 0.65, Syrie/Iraq 0.64, Allemagne/Austria 0.63), two people's
# names at most 0.60 (Modou Sane/Madou Toure). The threshold sits above every different pair; the
# one translation below it (Pouilles/Apulia, 0.66) stays unmatched.
NAME_SIMILARITY = 0.70
# A transliteration is written nearly alike in both languages ("Kaboul" / "Kabul": 91 by
# rapidfuzz's ratio of the folded spellings): spelt that near, a phrase is the name when its
# meaning is also closer than any two different places or bodies measured above (0.66). The int8
# encoder of one CPU put Kaboul/Kabul at 0.695, of another above 0.70 (BENCHMARKS.md 39e).
NEAR_SPELLING = 80
RELATED_PLACES = 0.66
SENTENCES = 6  # best-scored sentences of the other language whose names are compared
MAX_PHRASES = 40  # at most this many phrases encoded for one question
ARTICLE_PHRASES = 10  # of which at most this many from the rest of the passages' articles, those
# spelt at least this like the name (rapidfuzz ratio, accents folded): a transliteration shares most
# letters (Zaouïa/Zawiya 67, Tchétchénie/Chechnya 63, Égée/Aegean 60), another place of the same
# article seldom does (Zaouïa/Zuwara 50, Zaouïa/Tripoli 31); each phrase costs an encoding
ARTICLE_SPELLING = 60
AT_ONCE = 10  # phrases encoded in one call, best sentences first: most names are found in the first
_CACHE_SIZE = 4096
# an acronym ("ANL", "OTAN", "PIB") is matched by its spelling rules (letters in the other language's
# order, initials, ``name_pairs.toml``, the bodies' list); encoded alone it means little
ACRONYM = re.compile(r"[A-ZÀ-Ý]{2,6}")


class _Passage(Protocol):
    lang: str | None
    title: str
    text: str


class _Scored(Protocol):
    passage: _Passage
    text: str


def phrases_of(texts: Iterable[str]) -> list[str]:
    """The capitalised phrases of ``texts`` and, for phrases of several words, each word of them
    (a "Ligue" may be the "League" of "Arab League"), without function words, in order of first use."""
    skip = function_words("en") | function_words("fr")
    found: dict[str, None] = {}
    for text in texts:
        for match in NAME.finditer(text):
            words = [w for w in re.findall(r"[\w’'-]+", match.group(0)) if fold(w) not in skip and len(w) > 1]
            if not words:
                continue
            found.setdefault(" ".join(words))
            if len(words) > 1:
                for word in words:
                    if len(word) > 3:
                        found.setdefault(word)
    return list(found)


class NameMeaning:
    """Other-language forms of the question's names, by meaning (shared across requests)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: VectorCache[str] = VectorCache(_CACHE_SIZE)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        return np.stack(self._cache.vectors(texts, texts, self.embedder.embed_queries))

    def similarity(self, a: str, b: str) -> float:
        """Cosine of the meanings of two names, each encoded alone (cached across questions)."""
        first, second = self._vectors([a, b])
        return float(first @ second)

    def aliases(self, names: Sequence[str], question_lang: str, scored: Sequence[_Scored],
                passages: Sequence[_Passage], question: str = "",
                articles: Sequence[str] = (), within: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
        """For each of ``names`` that no passage in another language than the question spells, the
        phrases of the best ``scored`` sentences in that language that mean it (none: left out), and
        of the whole ``articles`` of those passages the few spelt most like it: the sentence that
        answers may not be the one naming the place ("Migrants - who pay $1,500 per seat -" in an
        article that names "Zawiya", the "Zaouïa" of the question, in its first paragraph). A name
        is compared alone and, when ``question`` writes more of it, as written there
        (``written_form``): "Affaires" says little, "Affaires étrangères" means "Foreign".
        ``within``: only phrases these texts mention are compared (a form found elsewhere would
        change nothing, ``name_search``)."""
        other = [p for p in passages if (p.lang or "und") not in (question_lang, "und")]
        if not names or not other:
            return {}
        missing = [n for n in unknown_names(list(dict.fromkeys(names)), "\n".join(f"{p.title}\n{p.text}" for p in other))
                   if not ACRONYM.fullmatch(n)]
        sentences = [s.text for s in scored if (s.passage.lang or "und") not in (question_lang, "und")]
        phrases = phrases_of(sentences[:SENTENCES])[:MAX_PHRASES - ARTICLE_PHRASES]
        if missing and articles:
            spelt = [fold(n) for n in missing]
            near = {p: max(fuzz.ratio(fold(p), n) for n in spelt) for p in phrases_of(articles) if p not in phrases}
            rest = sorted((p for p, ratio in near.items() if ratio >= ARTICLE_SPELLING), key=lambda p: -near[p])
            phrases += rest[:ARTICLE_PHRASES]
        if within is not None and phrases:
            absent = set(unknown_names(phrases, "\n".join(within)))
            phrases = [p for p in phrases if p not in absent]
        if not missing or not phrases:
            return {}
        forms = [(name, form) for name in missing
                 for form in dict.fromkeys([name, written_form(name, question, question_lang) or name])]
        asked = self._vectors([form for _, form in forms])
        found: dict[str, tuple[str, ...]] = {}
        for i in range(0, len(phrases), AT_ONCE):
            batch = phrases[i:i + AT_ONCE]
            sims = asked @ self._vectors(batch).T
            for (name, _), row in zip(forms, sims, strict=True):
                matched = [batch[j] for j in np.argsort(-row) if row[j] >= NAME_SIMILARITY or (
                    row[j] > RELATED_PLACES and fuzz.ratio(fold(name), fold(batch[j])) >= NEAR_SPELLING)]
                if matched:
                    found[name] = tuple(dict.fromkeys([*found.get(name, ()), *matched]))
            if len(found) == len(missing):
                break
        return found


def written_form(name: str, question: str, lang: str) -> str | None:
    """``name`` as ``question`` writes it with what belongs to it, when that is more: the particle
    before it ("al-Qaïda", of which the name read is "Qaïda") and the adjectives right after it,
    which French writes in lower case ("Affaires étrangères", "État islamique"); by spaCy's tags."""
    start = question.find(name)
    if start < 0:
        return None
    end = start + len(name)
    particle = re.search(r"\b(?:al|el)-$", question[:start], re.I)
    if particle:
        start = particle.start()
    try:
        doc = parse(question, lang)
    except NlpUnavailable:
        doc = []
    for token in doc:
        if token.idx < end:
            continue
        if token.idx > end + 1 or token.pos_ != "ADJ" or not token.text.islower():
            break
        end = token.idx + len(token.text)
    form = question[start:end]
    return form if form != name else None
