"""The embedded default answerer: the best sentences of the retrieved passages, quoted and cited.

No generation, so nothing can be invented: each claim is a verbatim sentence of an article with its
offsets. Sentences of the top passages are scored by meaning (the same embedding model, so an
English question finds a French sentence), by shared content words, and by whether they hold the
kind of answer asked for (a number for "combien"/"how many", a time for "quand"/"when"). Too weak a
best sentence means the articles do not hold the answer, and the bot says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from chatbot.answering.base import BaseAnswerer, Emit
from chatbot.answering.conversation import named_for_pronoun
from chatbot.answering.count_origin import asked_origin, counts_of_origin
from chatbot.answering.counted import CountedMeaning
from chatbot.answering.event_dates import newest_first
from chatbot.answering.figures import differing_quote
from chatbot.answering.instructions import is_instruction
from chatbot.answering.name_meaning import NameMeaning
from chatbot.answering.name_search import NameChecks, name_search, naming_text
from chatbot.answering.nearby_names import names_nearby
from chatbot.answering.overview import Request, choose, on_topic, overview_request, topic_articles
from chatbot.answering.question import Aliases, QuestionNeeds, analyse, unknown_names
from chatbot.answering.question_kind import asks_for_someone
from chatbot.answering.quoting import PHRASES, ScoredSentence, compose, overview_answer, refusal_text
from chatbot.answering.referents import ArticleText, named_after, referent_span
from chatbot.answering.role_holders import RoleHolders
from chatbot.answering.specificity import Constraints, candidate, constraints_of, holds
from chatbot.answering.statuses import StateHolders, asked_state
from chatbot.answering.terms import unknown_terms
from chatbot.answering.titles import TitleMeaning
from chatbot.answering.topic_mentions import unmentioned
from chatbot.encoder.base import Embedder
from chatbot.encoder.pieces import PieceVectors, clause_windows
from chatbot.encoder.vector_cache import VectorCache
from chatbot.retrieval.recency import wants_latest
from chatbot.retrieval.retriever import Retrieval
from chatbot.schemas import Answer, Passage
from chatbot.text.language import question_language
from chatbot.text.names import names_in
from chatbot.text.sentences import sentence_spans
from chatbot.text.words import STEMMERS, tokenize

log = logging.getLogger(__name__)
# Calibrated on tests/eval/questions.jsonl (see BENCHMARKS.md): below it, the answer is refused.
DEFAULT_THRESHOLD = 0.28
TOP_PASSAGES = 4
MAX_QUOTES = 2
# a second sentence is quoted when it scores within MARGIN of the best: the best-scoring sentence is
# often about the topic while the next one holds the fact. 0.13 was chosen on the evaluation set
# (0.06: 94% citation correctness, 6 of 50 answers with two quotes; 0.13: 96%, 16; 0.16: 98%, 22).
MARGIN = 0.13
# ... and a different figure of another article is looked for this far below the best sentence, when
# the sentence itself names what the question names: a later toll is often worded further from the
# question ("the death toll rose to 25" against "killing 20 people", 0.14 apart), and whether one
# or both tolls are given must not hang on a hundredth of similarity (chatbot.answering.figures
# checks that both count the same thing)
FIGURE_MARGIN = 2 * MARGIN
LEXICAL_WEIGHT = 0.3
WINDOWED_SENTENCES = 8
TOPIC_RANK = 5  # see _about_topic
# ... or at least this share of the nearest one's similarity: among many articles on one topic, more
# than TOPIC_RANK sentences are about it. On the tuning sets' French statement questions about
# English articles, the answering sentence scored 0.56 of the nearest (Peskov, rank 7), the best
# sentences of a speaker who never spoke of the topic 0.26-0.28 (Dlamini-Zuma, Khan).
TOPIC_SHARE = 0.5
SENTENCE_CACHE = 20000  # sentence vectors kept across questions (3 KB each)



class ExtractiveAnswerer(BaseAnswerer):
    name = "extractive"

    def __init__(self, embedder: Embedder, threshold: float | None = None,
                 article_text: ArticleText | None = None) -> None:
        self.embedder = embedder
        self.article_text = article_text  # doc_id -> stored text: whole-article context for quotes
        self.threshold = threshold if threshold is not None else DEFAULT_THRESHOLD
        self._cache: VectorCache[tuple[str, int, int]] = VectorCache(maxsize=SENTENCE_CACHE)
        self.counted = CountedMeaning(embedder)
        self.titles = TitleMeaning(embedder)  # a role question's person, by the title next to the name
        self.holders = RoleHolders(self.titles)  # "who is the mayor of X?": a sentence saying who is it
        self.names = NameMeaning(embedder)
        self.state_holders = StateHolders(self.names.similarity, self.titles.titled)  # holders differing by date

    # ---- scoring ------------------------------------------------------------------------------
    def _sentence_vectors(self, items: list[tuple[Passage, int, int, str]],
                          cached: dict[str, PieceVectors]) -> np.ndarray:
        """Unit vectors of the spans: from the chunks' piece vectors when they cover the span
        (see chatbot.encoder.pieces), else encoded now (and kept in a bounded, shared cache)."""
        found: list[np.ndarray | None] = []
        for passage, start, end, _ in items:
            record = cached.get(passage.chunk_id)
            found.append(record.span_vector(start - passage.start, end - passage.start) if record else None)
        todo = [i for i, vec in enumerate(found) if vec is None]
        if todo:
            # no title here: the article title would pull every sentence towards the same topic
            encoded = self._cache.vectors([(items[i][0].doc_id, items[i][1], items[i][2]) for i in todo],
                                          [items[i][3] for i in todo], self.embedder.embed_documents)
            for i, vec in zip(todo, encoded, strict=True):
                found[i] = vec
        return np.stack(found) if items else np.zeros((0, 1))

    def score_sentences(self, question: str, query: str, retrieval: Retrieval) -> list[ScoredSentence]:
        """Every sentence of the top passages, best first.

        A long sentence often packs several facts; it is also scored through its clause windows
        and keeps its best window's similarity, so the fact asked about is not drowned out.
        """
        items: list[tuple[Passage, int, int, str]] = []
        windows: list[tuple[Passage, int, int, str]] = []
        owner: list[int] = []
        seen: set[tuple[str, int]] = set()
        for passage in retrieval.passages[:TOP_PASSAGES]:
            for s, e in sentence_spans(passage.text):
                key = (passage.doc_id, passage.start + s)
                if key in seen or e - s < 12 or is_instruction(passage.text[s:e]):
                    continue  # an instruction planted in an article is not evidence
                seen.add(key)
                items.append((passage, passage.start + s, passage.start + e, passage.text[s:e]))
        if not items:
            return []
        qvec = self._predicate_vector(question, query, retrieval)
        cached = retrieval.pieces_of(retrieval.passages[:TOP_PASSAGES])
        sims = self._sentence_vectors(items, cached) @ qvec
        # clause windows only for the most promising long sentences: they cost one encoding each
        for i in np.argsort(-sims)[:WINDOWED_SENTENCES]:
            passage, start, end, _ = items[i]
            offset = passage.start
            for ws, we in clause_windows(passage.text, start - offset, end - offset):
                windows.append((passage, offset + ws, offset + we, passage.text[ws:we]))
                owner.append(int(i))
        if windows:
            window_sims = self._sentence_vectors(windows, cached) @ qvec
            for i, sim in zip(owner, window_sims, strict=True):
                sims[i] = max(sims[i], sim)
        needs = analyse(question)
        qlang = question_language(question)
        # shared words count from the question itself, in its own language: names borrowed from
        # the conversation already steer the query vector, and the names the question is about
        # are in most candidate sentences, so what is asked about decides. Stems are compared on
        # six letters, so "soutient" meets "soutien" and "dirige" meets "dirigés".
        predicate = question
        for name in needs.names:
            predicate = predicate.replace(name, " ")
        wanted = {t[:6] for t in tokenize(predicate, qlang)} or {t[:6] for t in tokenize(question, qlang)}
        scored = []
        for rank_bonus, (passage, s, e, text), sim in zip(self._rank_bonus(items, retrieval), items, sims,
                                                          strict=True):
            stems = {t[:6] for t in tokenize(text, passage.lang if passage.lang in STEMMERS else qlang)}
            stems |= {t[:6] for t in tokenize(text, qlang)}
            overlap = len(wanted & stems) / len(wanted) if wanted else 0.0
            score = float(sim) + LEXICAL_WEIGHT * overlap + rank_bonus
            fits = needs.accepts(text, same_lang=passage.lang in (qlang, "und"))
            if not fits and needs.names:  # "he has led ...": the named subject may be its referent's
                found = referent_span(passage, s, e, text, self.article_text)
                fits = bool(found) and needs.accepts(text, same_lang=passage.lang in (qlang, "und"),
                                                     referent=found[2])
            scored.append(ScoredSentence(passage, s, e, text, float(sim), overlap, score, fits))
        return sorted(scored, key=lambda x: x.score, reverse=True)

    def _naming_articles(self, names: Sequence[str], ranked: list[ScoredSentence],
                         aliases: Aliases | None = None) -> list[ScoredSentence]:
        """The sentences whose article names everything the question names.

        Among many articles, a sentence that fits the question's form may come from another story
        (the date of another conference, the commander of another militia): the question's names
        being somewhere among the retrieved passages is not enough, its own article must name them.
        """
        known: dict[str, bool] = {}
        kept = []
        for s in ranked:
            doc_id = s.passage.doc_id
            if doc_id not in known:
                known[doc_id] = not unknown_names(names, naming_text(s.passage, self.article_text), aliases)
            if known[doc_id]:
                kept.append(s)
        return kept

    def _articles(self, passages: Sequence[Passage]) -> list[str]:
        """The stored texts of the articles of ``passages``, each once (none without a store)."""
        if self.article_text is None:
            return []
        texts = (self.article_text(doc_id) for doc_id in dict.fromkeys(p.doc_id for p in passages))
        return [text for text in texts if text]

    def _predicate_vector(self, question: str, query: str, retrieval: Retrieval) -> np.ndarray:
        """The query vector blended with the question's vector without its names.

        "Which countries back Haftar?" is closest to every sentence naming Haftar; with the name
        masked, what is asked about (countries backing someone) weighs as much as who.
        """
        masked = self.companion_queries(question)
        if not masked:
            return retrieval.query_vector
        vector = retrieval.extra_vectors.get(masked[0])
        if vector is None:
            vector = self.embedder.embed_queries(masked)[0]
        blended = retrieval.query_vector + vector
        return blended / np.linalg.norm(blended)

    def companion_queries(self, question: str) -> list[str]:
        """Texts to encode along with the search query (one encoder call for both): the question
        with its names masked, when enough of it is left."""
        names = analyse(question).names
        if not names:
            return []
        masked = question
        for name in names:
            masked = masked.replace(name, " ")
        return [masked] if len(re.findall(r"\w{3,}", masked)) >= 2 else []

    def _about_topic(self, topic: str, question_lang: str, scored: list[ScoredSentence],
                     ranked: list[ScoredSentence], retrieval: Retrieval) -> list[ScoredSentence]:
        """Sentences in another language than the question that are about its event or topic.

        Across languages the topic's words cannot be matched by spelling ("garde-côtes" and
        "coastguard"), so it is matched by meaning, relative to this question's own candidates: a
        sentence is about the topic when it is among the TOPIC_RANK sentences of the retrieved
        passages nearest to the topic clause alone, or at least TOPIC_SHARE as near as the nearest.
        A statement of the right person on another subject ranks far down. Same-language sentences were checked by their words (specificity).
        """
        cross = [s for s in ranked if s.passage.lang not in (question_lang, "und")]
        if not cross:
            return ranked
        vector = self.embedder.embed_queries([topic])[0]
        items = [(s.passage, s.start, s.end, s.text) for s in scored]
        sims = self._sentence_vectors(items, retrieval.pieces_of(retrieval.passages[:TOP_PASSAGES])) @ vector
        order = np.argsort(-sims)
        near = {(scored[i].passage.doc_id, scored[i].start) for n, i in enumerate(order)
                if n < TOPIC_RANK or sims[i] >= TOPIC_SHARE * sims[order[0]]}
        return [s for s in ranked if s not in cross or (s.passage.doc_id, s.start) in near]

    @staticmethod
    def _rank_bonus(items: list[tuple[Passage, int, int, str]], retrieval: Retrieval) -> list[float]:
        order = {p.chunk_id: r for r, p in enumerate(retrieval.passages)}
        return [0.02 / (1 + order.get(p.chunk_id, 9)) for p, *_ in items]

    def _checked(self, scored: list[ScoredSentence], spec: Constraints, needs: QuestionNeeds, qlang: str,
                 retrieval: Retrieval) -> tuple[list[ScoredSentence], list[tuple[str, int]]]:
        """The scored sentences that hold what the question asks for, best first, and how many were
        left after each check (for the debug log of a refusal)."""
        article = self.article_text or (lambda doc_id: None)
        ranked = [s for s in scored if s.fits and (not spec or holds(spec, candidate(
            s.passage, s.start, s.end, s.text, article(s.passage.doc_id))))]
        left = [("scored", len(scored)), ("form+constraints", len(ranked))]
        if spec.event and spec.event_text and ranked:
            ranked = self._about_topic(spec.event_text, spec.question_lang, scored, ranked, retrieval)
            left.append(("topic", len(ranked)))
        if needs.names and ranked:
            ranked = self._naming_articles(needs.names, ranked, spec.aliases)
            left.append(("naming article", len(ranked)))
            ranked = [s for s in ranked if names_nearby(needs.names, s.passage, s.start, s.end, s.text,
                                                        article(s.passage.doc_id), spec.aliases)]
            left.append(("names nearby", len(ranked)))
        if spec.held_role and ranked:
            ranked = self.holders.stating(spec.held_role, spec.led, spec.question, qlang, ranked)
            left.append(("role holder", len(ranked)))
        elif spec.led and ranked:  # "Who heads X?" asks who holds X's head too
            ranked = self.holders.leading(spec.led, spec.question, qlang, ranked)
            left.append(("leader", len(ranked)))
        if needs.count_of and ranked:  # across languages, what the number counts must mean the noun
            ranked = self.counted.keep(needs.counted_forms, qlang, ranked, MARGIN)
            left.append(("counted noun", len(ranked)))
            origin = asked_origin(spec.question, needs.counted_forms)
            if origin is not None:  # "soldats américains": not a count of Russian staff
                ranked = [s for s in ranked if counts_of_origin(s.text, origin)]
                left.append(("counted origin", len(ranked)))
        return ranked, left

    # ---- answering ----------------------------------------------------------------------------
    def answer(self, question: str, query: str, retrieval: Retrieval, lang: str,
               on_event: Emit | None = None) -> Answer:
        """The best sentences, quoted; ``on_event`` is not used (nothing streams: see BaseAnswerer)."""
        phrases = PHRASES.get(lang, PHRASES["en"])
        if not retrieval.passages:
            return Answer(answer=phrases["empty_index"], refused=True, query=query, answerer=self.name,
                          kind="refusal")
        request = overview_request(question)
        if request is not None:
            return self.overview(request, query, retrieval, lang)
        scored = self.score_sentences(question, query, retrieval)
        best = scored[0].score if scored else None
        needs = analyse(question)
        qlang = question_language(question)
        spec = constraints_of(question, qlang, needs.number, bool(needs.count_of), needs.time or needs.day,
                              needs.age, named_for_pronoun(question, query))
        context = " ".join(f"{p.title} {p.text}" for p in retrieval.passages)
        ranked, left = self._checked(scored, spec, needs, qlang, retrieval)
        missing = unknown_names(needs.names, context)  # names no passage spells...
        absent = unknown_terms(needs.terms, context)  # ... terms no passage writes (see ``terms``)...
        if missing or absent:  # ... nor the rest of their articles (a place named in the first paragraph only)
            context = "\n".join([context, *self._articles(retrieval.passages)])
            missing = unknown_names(missing, context)
            absent = unknown_terms(absent, context)
        names = [*needs.names, *([spec.actor] if spec.actor else []), *spec.event_names]
        # A sentence that gives the age of the person the question names in full, next to their name
        # (``ages.gives_age_of``), says what is asked however little else of the question it shares:
        # "Jalloh, 27, of Sterling, Virginia, is to be sentenced ..." scored 0.25 for "Quel âge a
        # Mohamed Jalloh ?", below the threshold calibrated for sentences matched on topic alone.
        threshold = self.threshold if not spec.holder_person else float("-inf")
        search = name_search(ranked, scored, missing, qlang, MARGIN, threshold,
                             NameChecks(spec, needs.names, self.article_text)) if names else None
        if search is not None:
            other = [p for p in retrieval.passages if (p.lang or "und") not in (qlang, "und")]
            spec.aliases = self.names.aliases(names, qlang, scored, retrieval.passages, question,
                                              self._articles(other), within=search.within)
            if spec.aliases:
                ranked, left = self._checked(scored, spec, needs, qlang, retrieval)
                missing = unknown_names(needs.names, context, spec.aliases)
        if not ranked or ranked[0].score < threshold or missing or absent:
            log.debug("refused %r: candidates left after each check %s, best kept %s (threshold %s), "
                      "names in no passage %s, terms in no passage %s, constraints %s", question, left,
                      round(ranked[0].score, 3) if ranked else None, threshold, missing, absent, spec)
            # names are said missing only once their other-language forms were looked for
            refused = self.refusal(query, retrieval, lang, [*(missing if search is not None else ()), *absent])
            refused.evidence_score = round(best, 4) if best is not None else None
            return refused
        if wants_latest(question):  # the newest of the sentences as good as the best (event_dates)
            ranked = newest_first(ranked, MARGIN)
        chosen = [ranked[0]]
        for cand in ranked[1:]:
            if len(chosen) >= MAX_QUOTES or cand.score < ranked[0].score - MARGIN:
                break
            chosen.append(cand)  # sentences are unique per (doc_id, start): see score_sentences
        figures = bool(needs.count_of or needs.number)
        if figures or asked_state(question, qlang) is not None:
            # another article's (or day's) different figure, or different holder of the role or state
            # asked, is quoted too; a quoted article names what the question names
            own = {c.passage.doc_id for c in chosen}
            pool = [c for c in ranked[1:] if c not in chosen and (c.score >= ranked[0].score - MARGIN or (
                c.score >= ranked[0].score - FIGURE_MARGIN and (
                    c.passage.doc_id in own or not unknown_names(needs.names, c.text, spec.aliases))))]
            extra = differing_quote(question, qlang, chosen, pool) if figures \
                else self.state_holders.differing_quote(question, qlang, chosen, pool)
            if extra is not None:
                chosen.append(extra)
        quoted = {(c.passage.doc_id, c.start) for c in chosen}
        for c in list(chosen):  # a sentence whose subject is "he" brings the one naming him first
            found = referent_span(c.passage, c.start, c.end, c.text, self.article_text)
            if found and (c.passage.doc_id, found[0]) not in quoted:
                quoted.add((c.passage.doc_id, found[0]))
                chosen.insert(chosen.index(c), replace(c, start=found[0], end=found[1], text=found[2]))
        best = ranked[0]  # "Who turned down ...?": the name its best sentence leaves out may come next
        found = named_after(best.passage, best.start, best.end, best.text, self.article_text,
                            [*names, *names_in(query)]) if asks_for_someone(question, qlang) else None
        if found and (best.passage.doc_id, found[0]) not in quoted:
            chosen.insert(chosen.index(best) + 1, replace(best, start=found[0], end=found[1], text=found[2],
                                                          context=True))
        counts = partial(self.counted.counts_after, needs.counted_forms) if needs.count_of else None
        answer = compose(chosen, query, retrieval.passages, lang, question, self.name, counts, self.titles.titled,
                         self.state_holders)
        answer.evidence_score = round(ranked[0].score, 4)
        return answer

    def overview(self, request: Request, query: str, retrieval: Retrieval, lang: str) -> Answer:
        """A brief of several cited sentences (see chatbot.answering.overview), or a refusal when
        the topic asked about is not in the articles."""
        candidates = retrieval.candidates
        if request.topic:  # the articles about the topic, not the newest of those found
            about = topic_articles([(str(c.meta.get("doc_id", "")), c.dense) for c in candidates])
            candidates = [c for c in candidates if str(c.meta.get("doc_id", "")) in about]
        passages = [c.passage(c.fused) for c in candidates] or retrieval.passages
        context = " ".join(f"{p.title} {p.text}" for p in passages)
        absent = unmentioned(request.topic, context) if request.topic else []
        if absent:  # ... nor by the rest of their articles
            absent = unmentioned(request.topic, "\n".join([context, *self._articles(passages)]))
        if absent:
            return self.refusal(query, retrieval, lang, absent)
        cached = retrieval.pieces_of(passages)
        picks = choose(request, passages, retrieval.query_vector, lambda items: self._sentence_vectors(items, cached))
        log.debug("overview topic %r: best similarity %.3f", request.topic, picks[0].topic_similarity if picks else -1)
        if request.topic and not on_topic(request.topic, picks, passages, lang):
            return self.refusal(query, retrieval, lang)
        if not picks:
            return self.refusal(query, retrieval, lang)
        return overview_answer(picks, request.latest, lang, query, retrieval.passages, self.name)

    def refusal(self, query: str, retrieval: Retrieval, lang: str, unmentioned: Sequence[str] = ()) -> Answer:
        """The refusal, naming what the question names that the passages never write (``unmentioned``)."""
        return Answer(answer=refusal_text(lang, unmentioned), refused=True, query=query, kind="refusal",
                      passages=retrieval.passages, answerer=self.name)

