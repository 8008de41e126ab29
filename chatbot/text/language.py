"""Which language a question is in (French or English for the bot's own words).

Questions are short, where statistical identifiers stumble, so function words (the package's one
list per language, chatbot.text.words) and French diacritics decide first and py3langid only
breaks ties.
"""

from __future__ import annotations

import re

from chatbot.text.words import function_words


def question_language(text: str) -> str:
    """``fr`` or ``en`` (the languages the bot speaks), defaulting to English."""
    words = re.findall(r"[\w']+", text.lower())
    words = [w.split("'")[-1] if "'" in w else w for w in words]
    french, english = function_words("fr"), function_words("en")  # loaded once, on first use
    fr = sum(w in french for w in words) + 2 * len(re.findall(r"[éèêàùçœâîôû]", text.lower()))
    fr += 2 * len(re.findall(r"\b(?:qu|l|d|j|n|c)'", text.lower()))
    en = sum(w in english for w in words)
    if fr != en:
        return "fr" if fr > en else "en"
    try:
        import py3langid

        lang, _ = py3langid.classify(text)
        return "fr" if lang == "fr" else "en"
    except Exception:  # noqa: BLE001 - a language guess must never fail a question
        return "en"
