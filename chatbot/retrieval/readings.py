"""How the fusion reads a passage's similarity to the query: among all candidates, and within its language.

Cosine similarities mean different things for different queries and corpora, so a similarity is
read against this query's own candidates: 0 at their median, 1 at the best (the "global" reading).
In a corpus of several languages the encoder leans towards passages in the question's language:
an English question ranks English articles on its topic above the French passage that answers it.
So a passage is also read within its own language, against that language's nearest chunks, and
the better of the two readings counts (``Readings.meaning``).

Read naively (0 at the language's median, 1 at its best), every language has a passage worth 1,
however flat its candidates are: in a French manual where a fifth of the pages are untranslated
English, the best English page, about nothing the question asks, was lifted next to the right
French section for nearly every question. Two things tell a language that holds the answer from
one that does not, from the similarities alone:

* **Standing out, in the query's units.** A gap above the language's median is measured in units
  no smaller than the global spread (best minus median of all candidates). A language whose
  nearest chunks are all about equally far from the question (untranslated pages on other
  topics) has a small spread of its own; its best passage then reads well below 1. The French
  article that answers an English question stands out of the other French chunks by at least as
  much as the best English article stands out of all candidates.
* **Which language the encoder favours.** The lean is towards the question's language, so a
  passage in another language that stands out as clearly in its language as the best passage
  does among all gets the benefit of the doubt (``OTHER_LANGUAGE_VOICE`` above 1: it ranks
  first); a passage in the question's own language, which the encoder already favours, ranks just
  below the overall best (``LANGUAGE_VOICE``): lifted further, a French passage on a neighbouring
  topic passed the English article answering a French question.

Both values were chosen on tuning question sets only (BENCHMARKS.md section 22c): with the other
languages' voice between 1.1 and 1.2 and the question language's between 0.8 and 0.9 no count moved
by more than one question; from 1.3 on, untranslated pages of the French manual came first again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LANGUAGE_VOICE = 0.9
OTHER_LANGUAGE_VOICE = 1.15


def dense_scale(similarities: list[float]) -> tuple[float, float]:
    """The median and the spread (best minus median) of a list of candidate similarities."""
    if not similarities:
        return 0.0, 1.0
    floor = float(np.median(similarities))
    return floor, max(max(similarities) - floor, 1e-6)


@dataclass
class Readings:
    """This query's scales: all dense candidates, and each language's nearest chunks."""

    overall: tuple[float, float]
    query_lang: str = ""
    languages: dict[str, tuple[float, float]] = field(default_factory=dict)

    def plausible(self, similarity: float) -> float:
        """The global reading: 0 at the median dense candidate, 1 at the best."""
        return (similarity - self.overall[0]) / self.overall[1]

    def meaning(self, similarity: float, lang: str) -> float:
        """The better of the global reading and the one within ``lang`` (see the module's docstring)."""
        reading = self.plausible(similarity)
        own = self.languages.get(lang)
        if own is None:
            return reading
        voice = LANGUAGE_VOICE if lang == self.query_lang else OTHER_LANGUAGE_VOICE
        return max(reading, voice * (similarity - own[0]) / max(own[1], self.overall[1]))
