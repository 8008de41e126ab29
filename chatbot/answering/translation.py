"""Checked translations of quotes into the reader's language.

An English question answered from a French article gets the French sentence as its quote: that
quote is the evidence and always stays. When the question's language differs from a quote's, the
configured language model (the embedded one or any OpenAI-compatible server) translates the quote,
and the translation is attached to the citation as ``translation: {"lang", "text"}`` only if it
passes three checks, since a model that drops "Sudan" or turns 8 into 18 must never be shown:

* numbers: exactly the quote's numbers (``facts.numbers``);
* names: every name of the quote rendered, no name added (``facts.missing_names`` both ways);
* meaning: the cosine of the quote and the translation under the project's multilingual encoder at
  least ``DEFAULT_MIN_SIMILARITY`` (to be calibrated on a tuning set of faithful and drifted
  translations with ``bench/translation_check.py``; see BENCHMARKS.md).

Latency: the answer is complete (and streamed) before translation starts; translations then arrive
as ``("translation", {...})`` events and the final answer carries those finished within
``translate_timeout_s``. A translation still running at that point is not waited for; it finishes in
the background and is cached (per sentence and language, LRU, under a lock), so the next answer
quoting that sentence gets it at once. Rejected translations are cached too: the model is run at
temperature 0 and would only repeat them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import numpy as np
from cachetools import LRUCache

from chatbot.answering.facts import missing_names, numbers
from chatbot.answering.llm import LLM, LLMError
from chatbot.answering.prompting import render
from chatbot.encoder.base import Embedder
from chatbot.schemas import Answer, Passage, Translation
from chatbot.text.language import question_language

log = logging.getLogger(__name__)
Emit = Callable[[str, Any], None]

# Provisional: a faithful English translation of a seed sentence scored 0.78 under the int8 encoder,
# so 0.80 rejected it. To be calibrated with bench/translation_check.py on
# tests/eval/translations_tuning.jsonl (held-out: translations_heldout.jsonl); see BENCHMARKS.md.
DEFAULT_MIN_SIMILARITY = 0.72
SOURCE_NAMES = {
    "en": {"fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian",
           "ar": "Arabic", "pt": "Portuguese"},
    "fr": {"en": "de l'anglais", "fr": "du français", "de": "de l'allemand", "es": "de l'espagnol",
           "it": "de l'italien", "ar": "de l'arabe", "pt": "du portugais"},
}
TARGETS = ("en", "fr")  # the languages the bot speaks
_PREFIX = re.compile(r"^\s*(?:translation|traduction|english|anglais|français|french)\s*:\s*", re.I)


def quote_language(quote: str, doc_id: str, passages: list[Passage]) -> str:
    """The language of a quote: its article's, else guessed from the words."""
    for passage in passages:
        if passage.doc_id == doc_id and passage.lang not in ("", "und"):
            return passage.lang
    return question_language(quote)


def clean(reply: str) -> str:
    """The model's reply reduced to the translation (first paragraph, no label, no quotes)."""
    text = next((part.strip() for part in re.split(r"\n\s*\n", reply.strip()) if part.strip()), "")
    text = re.sub(r"</?text>", "", _PREFIX.sub("", text)).strip()
    if len(text) >= 2 and text[0] in "\"«“'" and text[-1] in "\"»”'":
        text = text[1:-1].strip()
    return " ".join(text.split())


class Translator:
    """Translates and checks quotes; one per process (see module doc)."""

    def __init__(self, llm: Callable[[], LLM], embedder: Embedder | None, *, timeout_s: float,
                 llm_timeout_s: float, min_similarity: float = 0.0, cache_size: int = 2048) -> None:
        self._make_llm = llm
        self._llm: LLM | None = None
        self.embedder = embedder
        self.timeout_s = timeout_s
        self.llm_timeout_s = llm_timeout_s
        self.min_similarity = min_similarity or DEFAULT_MIN_SIMILARITY
        self._cache: LRUCache[tuple[str, str], str] = LRUCache(maxsize=cache_size)
        self._pending: dict[tuple[str, str], Future[str]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="translate")

    @property
    def llm(self) -> LLM:
        with self._lock:
            if self._llm is None:
                self._llm = self._make_llm()
            return self._llm

    # ---- one sentence ----------------------------------------------------------------------------
    def check(self, quote: str, text: str) -> str | None:
        """Why ``text`` is not a faithful translation of ``quote`` (None when it is)."""
        if not text:
            return "empty"
        if numbers(quote) != numbers(text):
            return f"numbers differ: {sorted(numbers(quote))} vs {sorted(numbers(text))}"
        dropped, added = missing_names(quote, text), missing_names(text, quote)
        if dropped or added:
            return f"names differ: dropped {dropped}, added {added}"
        similarity = self.similarity(quote, text)
        if similarity < self.min_similarity:
            return f"meaning drifted: cosine {similarity:.2f} < {self.min_similarity:.2f}"
        return None

    def similarity(self, a: str, b: str) -> float:
        if self.embedder is None:
            return 1.0
        va, vb = (np.asarray(v, dtype=np.float32) for v in self.embedder.embed_documents([a, b]))
        return float(va @ vb / ((np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0))

    def _translate_now(self, quote: str, source: str, target: str) -> str:
        names = SOURCE_NAMES.get(target, SOURCE_NAMES["en"])
        messages = render(f"translate_{target}", source_language=names.get(source, source), text=quote)
        started = time.perf_counter()
        try:
            reply = self.llm.complete(messages, max_tokens=min(512, len(quote) // 2 + 48), temperature=0.0,
                                      timeout=self.llm_timeout_s)
        except LLMError as exc:
            log.warning("translation failed: %s", exc)
            return ""
        except Exception:  # noqa: BLE001 - a translation must never fail an answer
            log.exception("translation failed")
            return ""
        text = clean(reply)
        problem = self.check(quote, text)
        log.info("translation %s->%s in %.1f s %s: %r", source, target, time.perf_counter() - started,
                 f"rejected ({problem})" if problem else "kept", text[:160])
        return "" if problem else text

    def _finish(self, key: tuple[str, str], future: Future[str]) -> None:
        with self._lock:
            self._pending.pop(key, None)
            if not future.cancelled() and future.exception() is None:
                self._cache[key] = future.result()

    def translate(self, quote: str, source: str, target: str) -> Future[str]:
        """A future of the checked translation ("" when rejected or failed); cached per sentence."""
        key = (quote, target)
        with self._lock:
            if key in self._cache:
                done: Future[str] = Future()
                done.set_result(self._cache[key])
                return done
            if key in self._pending:
                return self._pending[key]
            future = self._pool.submit(self._translate_now, quote, source, target)
            self._pending[key] = future
        future.add_done_callback(lambda f: self._finish(key, f))
        return future

    # ---- an answer -------------------------------------------------------------------------------
    def attach(self, answer: Answer, lang: str, on_event: Emit | None = None) -> Answer:
        """The answer with checked translations of its foreign quotes, waiting at most timeout_s."""
        if answer.refused or lang not in TARGETS:
            return answer
        futures: dict[Future[str], int] = {}
        for i, citation in enumerate(answer.citations):
            source = quote_language(citation.quote, citation.doc_id, answer.passages)
            if source != lang and citation.translation is None:
                futures[self.translate(citation.quote, source, lang)] = i
        if not futures:
            return answer
        started = time.perf_counter()
        citations = list(answer.citations)
        remaining = set(futures)
        while remaining:
            left = self.timeout_s - (time.perf_counter() - started)
            if left <= 0:
                break
            done, remaining = wait(remaining, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                text = future.result() if future.exception() is None else ""
                if not text:
                    continue
                i = futures[future]
                translation = Translation(lang=lang, text=text)
                citations[i] = citations[i].model_copy(update={"translation": translation})
                if on_event:
                    on_event("translation", {"n": citations[i].n, **translation.model_dump()})
        if remaining:
            log.info("%d translation(s) not ready after %.1f s; the answer goes without them",
                     len(remaining), self.timeout_s)
        timings = {**answer.timings_ms, "translate": round((time.perf_counter() - started) * 1000, 2)}
        return answer.model_copy(update={"citations": citations, "timings_ms": timings})
