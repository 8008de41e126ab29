"""Which language a question is in (French or English for the bot's own words).

Questions are short, where statistical identifiers stumble, so function words and French
diacritics decide first and py3langid only breaks ties.
"""

from __future__ import annotations

import re

FRENCH = {"le", "la", "les", "des", "du", "un", "une", "et", "est", "qui", "que", "quel", "quelle",
          "quels", "quelles", "quoi", "où", "quand", "comment", "pourquoi", "combien", "dans", "sur",
          "avec", "pour", "par", "au", "aux", "ce", "cette", "il", "elle", "ils", "elles", "son",
          "sa", "ses", "leur", "leurs", "de", "à", "en", "ne", "pas", "se", "sont", "ont", "a", "y"}
ENGLISH = {"the", "a", "an", "and", "is", "are", "was", "were", "who", "what", "which", "where",
           "when", "why", "how", "many", "much", "does", "did", "do", "of", "in", "on", "to", "for",
           "with", "by", "his", "her", "their", "its", "he", "she", "they", "it", "that", "this",
           "from", "at", "be", "has", "have", "had", "whom", "whose"}


def function_words(lang: str) -> frozenset[str]:
    """The question words and function words this module knows for ``lang`` (fr or en)."""
    return frozenset(FRENCH if lang == "fr" else ENGLISH if lang == "en" else ())


def question_language(text: str) -> str:
    """``fr`` or ``en`` (the languages the bot speaks), defaulting to English."""
    words = re.findall(r"[\w']+", text.lower())
    words = [w.split("'")[-1] if "'" in w else w for w in words]
    fr = sum(w in FRENCH for w in words) + 2 * len(re.findall(r"[éèêàùçœâîôû]", text.lower()))
    fr += 2 * len(re.findall(r"\b(?:qu|l|d|j|n|c)'", text.lower()))
    en = sum(w in ENGLISH for w in words)
    if fr != en:
        return "fr" if fr > en else "en"
    try:
        import py3langid

        lang, _ = py3langid.classify(text)
        return "fr" if lang == "fr" else "en"
    except Exception:  # noqa: BLE001 - a language guess must never fail a question
        return "en"
