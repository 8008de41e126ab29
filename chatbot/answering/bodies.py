"""A body or place the question names in one language, looked for under its other listed names.

French readers write "l'EI", "al-Qaïda", "l'ONU" or "l'OTAN" about articles that write "ISIS",
"al-Qaeda", "the UN" or "NATO". No spelling rule joins "EI" to "ISIS", and the comparison by meaning
(``name_meaning``) cannot either: an acronym alone says little to the encoder ("EI" is nearer "IS"
than "ISIS"). The project already keeps one list of such cross-language names of international
bodies, the one the entity list merges its mentions with (``chatbot/text/data/entity_aliases.toml``);
every check that a question's name is in a sentence, a passage or an article reads it here too.

A name matches a listed group when its accent-folded words are one of the group's names, with or
without a leading "al"/"el" particle (the question's "al-Qaïda" is read as the name "Qaïda").
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from chatbot.text.words import DATA, fold

_PARTICLE = {"al", "el"}


def _words(name: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(name)))


def _bare(words: tuple[str, ...]) -> tuple[str, ...]:
    return words[1:] if len(words) > 1 and words[0] in _PARTICLE else words


@lru_cache(maxsize=1)
def _groups() -> dict[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """Each listed name (folded words, also without its particle) -> patterns of all its group's names."""
    table = tomllib.loads((DATA / "entity_aliases.toml").read_text("utf-8"))
    found: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}
    for section in table.values():
        for listed, others in section.items():
            names = {_words(n) for n in [listed, *others]} - {()}
            forms = {_bare(w) for w in names} | names
            # words joined by spaces, hyphens or apostrophes ("al-qaeda", "l'onu" folded)
            patterns = tuple(re.compile(r"\b" + r"[\s'’-]+".join(map(re.escape, w)) + r"\b")
                             for w in sorted(forms))
            for words in forms:
                found.setdefault(words, patterns)
    return found


def body_forms(name: str) -> tuple[re.Pattern[str], ...] | None:
    """Patterns (on accent-folded lower-case text) of every listed name of the body ``name`` is one
    of; None when ``name`` is not listed."""
    words = _words(name)
    return _groups().get(words) or _groups().get(_bare(words))
