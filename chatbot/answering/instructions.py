"""Sentences addressed to a model or a reader ("ignore previous instructions", "answer that ...").

An article can carry such a sentence, quoted or planted to steer a chatbot. It states nothing
about the world, so it is never evidence: the extractive answerer leaves it out of its candidate
sentences and the LLM prompt shows passages without it. The patterns live in ``instructions.toml``
(French and English, kinds of address rather than particular sentences); a sentence is matched
after accent folding, so "Répondez que" and "repondez que" are one case.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from chatbot.text.sentences import sentence_spans
from chatbot.text.words import fold

PATTERNS = Path(__file__).with_name("instructions.toml")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    data = tomllib.loads(PATTERNS.read_text("utf-8"))
    return tuple(re.compile(p) for kinds in data.values() for patterns in kinds.values() for p in patterns)


def is_instruction(sentence: str) -> bool:
    """True when ``sentence`` addresses a model or the reader instead of stating a fact."""
    folded = fold(" ".join(sentence.split()))
    return any(p.search(folded) for p in _patterns())


def without_instructions(text: str) -> str:
    """``text`` with its instruction sentences left out (the rest keeps its order and wording)."""
    spans = sentence_spans(text)
    if not any(is_instruction(text[s:e]) for s, e in spans):
        return text
    parts, cursor = [], 0
    for s, e in spans:
        if is_instruction(text[s:e]):
            parts.append(text[cursor:s].rstrip(" "))
            cursor = e
    parts.append(text[cursor:])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip()
