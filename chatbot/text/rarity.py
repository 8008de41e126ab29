"""How common a word is in French and in English: what tells a question's specific term from a
word it shares with every text.

"Comment ouvrir un port dans le pare-feu avec firewalld ?" asked of a manual that never names
firewalld still finds sentences about ports and firewalls, close in meaning; "Comment créer une base
de données PostgreSQL ?" finds the tables of Postfix. What such a question hinges on is a word that
is rare in the language at large (a tool, a product, a person) and written the same in every
language: when no passage writes it, the passages are about something else. A common word is no such
sign: the articles may say "arrêter" where the question says "éteindre".

The frequencies are wordfreq's (Zipf scale: log10 of occurrences per billion words, read from its
packaged word lists, no download). ``RARE_ZIPF`` 3 is once per million words: "sudo" 2.4, "iptables"
1.8, "Haftar" 2.5, "docker" 3.0 sit below; "cargo" 4.2, "pip" 3.4, "aptitude" 3.6, "éteindre" 4.0
above. A word known in one language far better than in the other ("interarmées": French 2.5,
English 0) has a translation, so its absence from passages in another language means nothing
(``LANGUAGE_LEAD``).
"""

from __future__ import annotations

from functools import lru_cache

LANGS = ("fr", "en")
RARE_ZIPF = 3.0
LANGUAGE_LEAD = 1.0  # Zipf points: a word this much more common in one language belongs to it


@lru_cache(maxsize=16384)
def zipf(word: str, lang: str) -> float:
    """The word's Zipf frequency in ``lang`` (0 for a word the lists do not hold)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def rare(word: str) -> bool:
    """Rare in every language the chatbot reads."""
    return max(zipf(word, lang) for lang in LANGS) < RARE_ZIPF


def language_of(word: str) -> str | None:
    """The language a rare word clearly belongs to (``LANGUAGE_LEAD``), or None when it is written
    the same in both, as names of tools, people and places are."""
    freqs = sorted(((zipf(word, lang), lang) for lang in LANGS), reverse=True)
    return freqs[0][1] if freqs[0][0] - freqs[1][0] >= LANGUAGE_LEAD else None


def warm() -> None:
    """Load the word lists now (about 0.2 s each), not during a request."""
    for lang in LANGS:
        zipf("le" if lang == "fr" else "the", lang)
