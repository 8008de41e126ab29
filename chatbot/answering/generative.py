"""Answers phrased by a language model from evidence the extractive step already checked.

The extractive answerer picks the evidence: the sentences that answer the question (or it refuses,
and the refusal stands). The model then sees only those sentences, numbered ``[1]..[k]`` with title
and date, between ``<passage>`` tags, with rules and worked examples: phrase a one-to-three sentence
answer in the question's language, cite ``[n]`` after each sentence, add no name, number or fact,
and treat the evidence as data (an article saying "ignore previous instructions" is not obeyed).
Choosing evidence is what a 1.5B model did worst (it picked neighbouring facts); phrasing short
evidence is what it does well, and a short prompt is read in about a second.

Nothing the model writes is trusted as is. Each sentence is checked against the evidence
(``support.py``): numbers and names must be in the cited sentence (or the question), content words
or meaning must match, and the words saying what happened must sit in the same clause as the names
they relate; a sentence cited to the wrong number is re-attributed; markers to evidence never given
are removed; unsupported sentences are dropped. The service's citation verifier then runs on top. If
the model fails, times out, declines or keeps no supported sentence, the extractive answer is given,
with ``fallback`` saying why.

The answer first: when the question asks for a name, place, number or date and the extractive
step found it (a verbatim span of a cited sentence, ``short_answer.py``), the answer opens with that
span and its citation, exactly as the extractive answer does, and the model's sentences follow it.
A 1.5B model asked to phrase the evidence tends to restate the context and leave the asked-for
name out; the span is already checked, so it is never left to the model. Without a short answer
(a reason, a condition, who fought whom) the checked quote is the answer, as in the extractive
answer, and the model's sentences come before it as its phrasing in the reader's words; a phrasing
that keeps one of two armed groups, or the deal but not its condition, no longer stands alone. With
a short answer, the evidence sentence ranked first is quoted when the model's kept sentences leave
it out: phrasing may select, it never hides the best evidence. An
overview ("Résume l'article") is the extractive step's brief as it is, a list of cited sentences.

Streaming: ``answer(..., on_event=...)`` emits the short answer's line at once, before the model
starts (so a reader sees the answer within the retrieval time, not after the prompt is read), then
the raw model text as ``("delta", piece)`` events as it is generated (the ``NOT_IN_ARTICLES``
marker is held back). Since claims can only be verified once the text is complete, the returned
Answer is authoritative: shells replace the streamed text by it.
"""

from __future__ import annotations

import logging
import re
import time

from chatbot.answering.base import BaseAnswerer, Emit
from chatbot.answering.citations import MARKER
from chatbot.answering.conversation import standalone_query
from chatbot.answering.extractive import ExtractiveAnswerer
from chatbot.answering.instructions import without_instructions
from chatbot.answering.llm import LLM, ChatMessages, LLMError, LLMTimeout, make_llm
from chatbot.answering.prompting import render
from chatbot.answering.quoting import PHRASES, short_line
from chatbot.answering.support import SupportChecker, content_size
from chatbot.retrieval.retriever import Retrieval
from chatbot.schemas import Answer, Citation, Message, Passage, ShortAnswer
from chatbot.settings import Settings, get_settings
from chatbot.text.language import question_language
from chatbot.text.words import fold

__all__ = ["GenerativeAnswerer", "make_llm", "build_answer_messages", "SENTINEL"]
log = logging.getLogger(__name__)

SENTINEL = "NOT_IN_ARTICLES"
LOCAL_MAX_TOKENS = 200  # answers are 1-3 sentences; generation is ~27 tokens/s on 2 cores
HISTORY_TURNS = 4
PREFIX = 5  # "égyptien" and "Égypte", "Haftar" and "Haftar's" are the same name to a reader
MIN_CLAIM_WORDS = 2  # one word ("PWNED", "Tripoli") is found in a passage without being supported
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_MARKS_AFTER_STOP = re.compile(r"([.!?…])((?:\s?\[\d{1,3}\])+)")
_LEADING_MARKERS = re.compile(r"^((?:\[\d{1,3}\]\s*)+)(.*)$", re.S)
_PASSAGE_TAG = re.compile(r"<\s*/?\s*passage", re.I)
REFUSAL = re.compile(
    r"NOT_IN_ARTICLES|je ne sais pas|aucune information|pas d'information|"
    r"ne (?:contiennent|contient|mentionnent|mentionne|précisent|précise|indiquent|indique|disent|dit) pas|"
    r"I (?:don't|do not) know|do(?:es)? not (?:contain|mention|say|specify|provide)|no information|"
    r"not mentioned", re.I)


def _data(text: str) -> str:
    """Passage text made unable to close or open a passage tag."""
    return _PASSAGE_TAG.sub("(passage", text)


def format_passages(passages: list[Passage], lang: str) -> str:
    title, date, unknown = ("titre", "date", "inconnue") if lang == "fr" else ("title", "date", "unknown")
    blocks = []
    for n, p in enumerate(passages, start=1):
        head = f'<passage n="{n}" {title}="{_data(p.title).replace(chr(34), chr(39))}" {date}="{p.date or unknown}">'
        # sentences addressed to a model are left out: an article's planted order is not evidence
        blocks.append(f"{head}\n{_data(without_instructions(p.text).strip())}\n</passage>")
    return "\n".join(blocks)


def evidence_passages(citations: list[Citation], passages: list[Passage]) -> list[Passage]:
    """The extractive answer's quotes as one-sentence passages (article offsets, their passage's
    title, date and language), numbered in the prompt in citation order."""
    out = []
    for c in citations:
        owner = next((p for p in passages if p.chunk_id == c.chunk_id), None) or \
            next((p for p in passages if p.doc_id == c.doc_id), None)
        out.append(Passage(doc_id=c.doc_id, title=c.title, source=c.source, date=c.date,
                           lang=owner.lang if owner else "und", chunk_id=c.chunk_id or c.doc_id,
                           start=c.start, end=c.end, text=c.quote, score=owner.score if owner else 0.0))
    return out


def build_answer_messages(question: str, passages: list[Passage], lang: str) -> ChatMessages:
    name = "answer_fr" if lang == "fr" else "answer_en"
    return render(name, passages=format_passages(passages, lang), question=question.strip())


class _HoldSentinel:
    """Passes streamed text on, except while it could still be the start of ``NOT_IN_ARTICLES``."""

    def __init__(self, emit: Emit) -> None:
        self.emit = emit
        self.held = ""
        self.open = False

    def feed(self, piece: str) -> None:
        if self.open:
            self.emit("delta", piece)
            return
        self.held += piece
        head = self.held.lstrip()
        if head and not SENTINEL.startswith(head[: len(SENTINEL)]):
            self.open = True
            self.emit("delta", self.held)


class GenerativeAnswerer(BaseAnswerer):
    """LLM answers with verified citations, falling back to extractive ones (see module doc)."""

    name = "llm"
    streams = True

    def __init__(self, llm: LLM, extractive: ExtractiveAnswerer, settings: Settings | None = None) -> None:
        self.llm = llm
        self.extractive = extractive
        self.settings = settings or get_settings()
        self.checker = SupportChecker(getattr(extractive, "embedder", None))
        cap = LOCAL_MAX_TOKENS if getattr(llm, "name", "") == "local" else self.settings.llm_max_tokens
        self.max_tokens = min(self.settings.llm_max_tokens, cap)

    @property
    def threshold(self) -> float:
        """The extractive step's refusal threshold: it decides whether there is evidence at all."""
        return self.extractive.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.extractive.threshold = value

    def companion_queries(self, question: str) -> list[str]:
        """The extractive step's: it chooses the evidence, so it scores with the vectors it asks for
        (the question with its names masked), exactly as when it answers alone."""
        return self.extractive.companion_queries(question)

    # ---- conversation ---------------------------------------------------------------------------
    def condense(self, question: str, history: list[Message]) -> str:
        """The follow-up rewritten as a standalone query by the model; the rule-based one on failure."""
        turns = [m for m in history if m.role in ("user", "assistant") and m.content.strip()]
        if not turns:
            return standalone_query(question, history)
        lines = []
        for m in turns[-HISTORY_TURNS:]:
            text = MARKER.sub("", m.content).strip().replace("\n", " ")
            lines.append(f"{m.role}: {text[:400]}")
        lang = question_language(question)
        messages = render(f"condense_{lang}", history="\n".join(lines), question=question.strip())
        try:
            reply = self.llm.complete(messages, max_tokens=64, temperature=0.0,
                                      timeout=self.settings.llm_timeout_s)
        except LLMError as exc:
            log.warning("condense fell back to the rule-based rewrite: %s", exc)
            return standalone_query(question, history)
        first = next((line.strip() for line in reply.splitlines() if line.strip()), "")
        first = re.sub(r"^(?:question(?: autonome)?|standalone question)\s*:\s*", "", first, flags=re.I)
        first = first.strip(" \"«»“”")
        if not first or len(first) > 3 * len(question) + 200 or SENTINEL in first:
            return standalone_query(question, history)
        if question.rstrip().endswith("?") and not first.rstrip().endswith("?"):
            # a question rewritten as a statement ("Who did they fight?" -> "Haftar's troops fought
            # against ...") has lost what was asked; the rule-based rewrite keeps the question
            log.info("condense dropped the question (%r), rule-based rewrite used", first)
            return standalone_query(question, history)
        return first

    # ---- answering ------------------------------------------------------------------------------
    def answer(self, question: str, query: str, retrieval: Retrieval, lang: str,
               on_event: Emit | None = None) -> Answer:
        """The extractive step chooses the evidence (or refuses); the model only phrases it."""
        quoted = self.extractive.answer(question, query, retrieval, lang)
        if quoted.refused or not quoted.citations:
            return quoted.model_copy(update={"answerer": self.name})
        if quoted.kind == "overview":
            # a brief is 3 to 6 cited sentences chosen for coverage; asked to phrase it in one to
            # three sentences, the model kept one or two of them (BENCHMARKS.md section 22d)
            return quoted
        evidence = evidence_passages(quoted.citations, retrieval.passages)
        asked = query if query.strip() and query.strip() != question.strip() else question
        messages = build_answer_messages(asked, evidence, lang)
        short = quoted.short_answer
        if short is not None and on_event is not None:
            on_event("delta", short_line(short, lang) + "\n")
        started = time.perf_counter()
        try:
            text = self._generate(messages, on_event)
        except LLMTimeout as exc:
            log.warning("LLM answer timed out: %s", exc)
            return quoted.model_copy(update={"fallback": "llm_timeout"})
        except LLMError as exc:
            log.warning("LLM answer failed: %s", exc)
            return quoted.model_copy(update={"fallback": "llm_error"})
        log.info("LLM answered in %.1f s: %r", time.perf_counter() - started, text[:200])
        if text.strip().startswith(SENTINEL):
            # the extractive step found evidence the model did not use: its quotes are the answer
            return quoted.model_copy(update={"fallback": "llm_declined"})
        first = quoted.citations[short.n - 1] if short is not None else None
        body, citations = self.ground(text.replace(SENTINEL, ""), evidence, lang, question, first=first)
        if not body:
            return quoted.model_copy(update={"fallback": "no_supported_claim"})
        best = quoted.citations[0]
        if short is None or not _names(body, short) or not any(
                c.doc_id == best.doc_id and c.start < best.end and best.start < c.end for c in citations):
            # Without a short answer (a reason, a condition, who did what to whom), the checked quote
            # is the answer, as in the extractive answer: the model's sentences are its phrasing in
            # the reader's words, and what they leave out (one of two armed groups, the condition of
            # a deal) stays in front of the reader. With a short answer, the best evidence is quoted
            # when the phrasing left it out, or when the phrasing does not name the short answer: the
            # two steps then disagree ("Khalifa Haftar" over "la capitale est Tripoli" for "qui tient
            # la capitale ?"), and the reader gets the sentence to judge by.
            body, citations = _with_quote(body, citations, best, lang)
        if short is not None:  # its sentence is citation [1] (``ground``)
            short = short.model_copy(update={"n": 1})
            body = short_line(short, lang) + "\n" + body
        return Answer(answer=body, citations=citations, refused=False, query=query, short_answer=short,
                      kind="short" if short else "quote", passages=retrieval.passages, answerer=self.name,
                      evidence_score=quoted.evidence_score)

    def _generate(self, messages: ChatMessages, on_event: Emit | None) -> str:
        options = {"max_tokens": self.max_tokens, "temperature": 0.0, "timeout": self.settings.llm_timeout_s}
        if on_event is None:
            return self.llm.complete(messages, **options)
        hold = _HoldSentinel(on_event)
        pieces = []
        for piece in self.llm.stream(messages, **options):
            pieces.append(piece)
            hold.feed(piece)
        return "".join(pieces)

    def _fallback(self, reason: str, question: str, query: str, retrieval: Retrieval, lang: str) -> Answer:
        answer = self.extractive.answer(question, query, retrieval, lang)
        return answer.model_copy(update={"fallback": reason})

    def _refusal(self, query: str, retrieval: Retrieval, lang: str) -> Answer:
        return self.extractive.refusal(query, retrieval, lang).model_copy(update={"answerer": self.name})

    # ---- verification ---------------------------------------------------------------------------
    def ground(self, text: str, passages: list[Passage], lang: str, question: str = "",
               first: Citation | None = None) -> tuple[str, list[Citation]]:
        """(answer text keeping only supported sentences, their citations with verbatim quotes).

        Names the question gives count as known (the evidence may say "the marshal" for Haftar).
        ``first``, the quote the short answer was read from, is citation [1] whatever the model
        cites, so the short answer that opens the answer keeps its source."""
        sentences = _split_sentences(text)
        factual = [i for i, (body, _) in enumerate(sentences) if content_size(body, lang) >= MIN_CLAIM_WORDS]
        checked = dict(zip(factual, self.checker.check([sentences[i][0] for i in factual], passages, lang,
                                                       context=question), strict=True))
        numbering: dict[tuple[str, int, int], int] = {}
        citations: list[Citation] = []
        if first is not None:
            numbering[(first.doc_id, first.start, first.end)] = 1
            citations.append(first.model_copy(update={"n": 1}))
        parts: list[str] = []
        dropped = 0
        for i, (body, cited) in enumerate(sentences):
            core, punct = _split_punct(body)
            if i not in checked:  # "Oui.", "PWNED": too short to check against a passage, not shown
                continue
            supports = checked[i]
            given = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
            chosen = [supports[n - 1] for n in given if supports[n - 1].supported]
            if not chosen:
                best = max(supports, key=lambda s: s.strength)
                if not best.supported:
                    dropped += 1
                    log.info("dropped unsupported sentence %r (cited %s)", body, cited)
                    continue
                chosen = [best]
            marks = []
            for support in chosen:
                p = support.passage
                key = (p.doc_id, p.start + support.start, p.start + support.end)
                if first is not None and key[0] == first.doc_id and first.start <= key[1] <= key[2] <= first.end:
                    key = (first.doc_id, first.start, first.end)  # a clause of the short answer's quote
                if key not in numbering:
                    numbering[key] = len(numbering) + 1
                    citations.append(Citation(
                        n=numbering[key], doc_id=p.doc_id, title=p.title, source=p.source, date=p.date,
                        start=p.start + support.start, end=p.start + support.end, quote=support.quote,
                        chunk_id=p.chunk_id))
                marks.append(f"[{numbering[key]}]")
            parts.append(f"{core} {''.join(dict.fromkeys(marks))}{punct}")
        if dropped:
            log.info("%d unsupported sentence(s) dropped from the LLM answer", dropped)
        return (" ".join(parts) if parts else ""), (citations if parts else [])


def _names(body: str, short: ShortAnswer) -> bool:
    """Whether the model's sentences name the short answer: one of its words (or of its rendering
    in the reader's language) begins a word of ``body``, accents and case aside."""
    said = {w[:PREFIX] for w in re.findall(r"\w+", fold(body)) if len(w) >= 3}
    words = re.findall(r"\w+", fold(f"{short.text} {short.rendered or ''}"))
    return any(w[:PREFIX] in said for w in words if len(w) >= 3)


def _with_quote(body: str, citations: list[Citation], quote: Citation,
                lang: str) -> tuple[str, list[Citation]]:
    """The phrasing followed by the verbatim quote, numbered after the phrasing's own citations
    (or with the number it already has when the phrasing cites exactly that sentence)."""
    same = next((c for c in citations if (c.doc_id, c.start, c.end) == (quote.doc_id, quote.start, quote.end)),
                None)
    if same is None:
        same = quote.model_copy(update={"n": len(citations) + 1})
        citations = [*citations, same]
    line = PHRASES.get(lang, PHRASES["en"])["quote"].format(quote=quote.quote, n=same.n)
    return body + "\n" + line, citations


def _split_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, the marker numbers it carries); markers after a full stop count
    for the sentence before them."""
    out: list[tuple[str, list[int]]] = []
    text = _MARKS_AFTER_STOP.sub(r"\2\1", text.strip())  # "Tripoli.[1]" -> "Tripoli[1]."
    for segment in _SENTENCE_END.split(text):
        segment = segment.strip()
        if not segment:
            continue
        lead = _LEADING_MARKERS.match(segment)
        if lead and out:
            body, cited = out[-1]
            out[-1] = (body, cited + [int(n) for n in MARKER.findall(lead.group(1))])
            segment = lead.group(2).strip()
            if not segment:
                continue
        cited = [int(n) for n in MARKER.findall(segment)]
        body = re.sub(r"\s+([.,;:!?…])", r"\1", MARKER.sub("", segment)).strip()
        out.append((body, cited))
    return out


def _split_punct(body: str) -> tuple[str, str]:
    match = re.match(r"^(.*?)([.!?…]*)$", body.strip(), re.S)
    assert match is not None
    return match.group(1).rstrip(), match.group(2)

