"""A French corpus of short technical sections, read from the installed ``debian-reference-fr``.

The Debian Reference in French ships as plain text (``/usr/share/debian-reference/
debian-reference.fr.txt.gz``); every numbered section ("1.2.1. Bases concernant les fichiers
UNIX") becomes one article whose title is the section title. Sections between ``MIN_CHARS`` and
``MAX_CHARS`` are kept, then a fixed, evenly spaced selection of ``SECTIONS`` of them. Some sections
of the package are untranslated (English): they stay in, as they do in the real document.

The questions (``bench/fr_sections_questions.jsonl``) were written by hand as a reader would ask
them, each naming the section that answers it; ``split`` is ``tuning`` or ``heldout``. Only the
tuning half may be looked at when changing retrieval; the held-out half is for reporting. The
unanswerable questions (``bench/fr_sections_unanswerable.jsonl``) are on the corpus's topics but
answered by none of its sections (checked by searching the sections for the tool or figure asked),
split the same way.

    apt-get install -y debian-reference-fr
    python -m bench.fr_sections            # prints the sections and their sizes
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

SOURCE = Path("/usr/share/debian-reference/debian-reference.fr.txt.gz")
QUESTIONS = Path(__file__).resolve().parent / "fr_sections_questions.jsonl"
# on-topic questions the selected sections do not answer (a tool they never name, a figure they
# never give), each saying what is missing; split as above
UNANSWERABLE = Path(__file__).resolve().parent / "fr_sections_unanswerable.jsonl"
MIN_CHARS = 300
MAX_CHARS = 2500
SECTIONS = 150
# a section heading: "1.2.1.<no-break space>Title" at the start of a line (the table of contents
# and the list of tables are indented or use an ordinary space)
_HEADING = re.compile(r"^(\d+(?:\.\d+)+)\.\u00a0+(\S.*)$")


def all_sections(source: Path = SOURCE) -> list[dict[str, Any]]:
    """Every numbered section of the document: {id, title, text} with the text's lines unwrapped."""
    if not source.exists():
        raise FileNotFoundError(f"{source} is missing: apt-get install -y debian-reference-fr")
    lines = gzip.open(source, "rt", encoding="utf-8").read().split("\n")
    sections: list[dict[str, Any]] = []
    body: list[str] = []
    for line in [*lines, "0.0.\u00a0end"]:
        match = _HEADING.match(line)
        if not match:
            if sections and not body and line and not line[0].isspace():
                sections[-1]["title"] += " " + " ".join(line.split())  # a wrapped heading
                continue
            body.append(line)
            continue
        if sections:
            paragraphs = re.split(r"\n\s*\n", "\n".join(body))
            text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
            sections[-1]["text"] = text
        sections.append({"id": match.group(1), "title": " ".join(match.group(2).split()), "text": ""})
        body = []
    first = next((i for i, s in enumerate(sections) if s["id"].startswith("1.")), 0)
    return sections[first:-1]  # the preface's numbering restarts: chapters only


def corpus(source: Path = SOURCE) -> list[dict[str, Any]]:
    """The selected sections as article mappings ({id, title, text}), in document order."""
    fit = [s for s in all_sections(source) if MIN_CHARS <= len(s["text"]) <= MAX_CHARS]
    step = max(1.0, len(fit) / SECTIONS)
    chosen = [fit[int(i * step)] for i in range(min(SECTIONS, len(fit)))]
    return [{"id": f"debref-{s['id']}", "title": s["title"], "text": s["text"]} for s in chosen]


def questions(split: str | None = None) -> list[dict[str, Any]]:
    """The hand-written questions ({id, question, section, split}), optionally one split only."""
    return _read(QUESTIONS, split)


def unanswerable(split: str | None = None) -> list[dict[str, Any]]:
    """The questions no selected section answers ({id, question, missing, split})."""
    return _read(UNANSWERABLE, split)


def _read(path: Path, split: str | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


if __name__ == "__main__":
    for s in corpus():
        print(f"{s['id']:14} {len(s['text']):5}  {s['title']}")
