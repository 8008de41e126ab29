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


Form = tuple[re.Pattern[str], bool]  # a pattern, and whether it is matched on the text as written


def _form(written: str, words: tuple[str, ...]) -> Form:
    """An acronym ("EI", "AU", "ONU") only in capitals as written: "au", "un", "eu" are French words;
    any other name on accent-folded lower-case text, its words joined by spaces, hyphens or
    apostrophes ("al-qaeda")."""
    if re.fullmatch(r"[A-Z]{2,5}", written):
        return re.compile(rf"\b{written}\b"), True
    return re.compile(r"\b" + r"[\s'’-]+".join(map(re.escape, words)) + r"\b"), False


@lru_cache(maxsize=1)
def _groups() -> dict[tuple[str, ...], tuple[Form, ...]]:
    """Each listed name (folded words, also without its particle) -> the forms of all its group's names."""
    table = tomllib.loads((DATA / "entity_aliases.toml").read_text("utf-8"))
    found: dict[tuple[str, ...], tuple[Form, ...]] = {}
    for section in table.values():
        for listed, others in section.items():
            written = {n: _words(n) for n in [listed, *others] if _words(n)}
            forms = {_form(n, w) for n, w in written.items()}
            forms |= {_form(n, _bare(w)) for n, w in written.items() if _bare(w) != w}
            for words in {*written.values(), *map(_bare, written.values())}:
                found.setdefault(words, tuple(sorted(forms, key=lambda f: f[0].pattern)))
    return found


def body_forms(name: str) -> tuple[Form, ...] | None:
    """Every listed name of the body ``name`` is one of, as (pattern, matched on the written text
    rather than on its accent-folded lower-case form); None when ``name`` is not listed."""
    words = _words(name)
    return _groups().get(words) or _groups().get(_bare(words))
