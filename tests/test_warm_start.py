"""After ``ChatService.prepare()`` (what ``chatbot serve`` runs before it says ready), the first
question costs what a later one does: it reads no language whole from Chroma and loads no spaCy
pipeline. Without it, the same first question does both (so the check can fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.store.chroma import IndexStore
from chatbot.text import nlp

NEWS = Path(__file__).parent / "data" / "news_libya.jsonl"
QUESTION = "Qui dirige l'Armée nationale arabe libyenne ?"


class Watch:
    """Whole-language reads from Chroma and spaCy pipelines loaded, each either counted or forbidden."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.languages: list[str] = []
        self.pipelines: list[str] = []
        self.forbid = False
        real_where, real_pipeline = IndexStore.chunks_where, nlp._Pipeline

        def chunks_where(store, where, limit):
            if self.forbid:
                raise AssertionError(f"the first question read the language {where} whole")
            self.languages.append(str(where.get("lang")))
            return real_where(store, where, limit)

        def pipeline(package):
            if self.forbid:
                raise AssertionError(f"the first question loaded the spaCy pipeline {package}")
            self.pipelines.append(package)
            return real_pipeline(package)

        monkeypatch.setattr(IndexStore, "chunks_where", chunks_where)
        monkeypatch.setattr(nlp, "_Pipeline", pipeline)
        monkeypatch.setattr(nlp, "_loaded", {})  # as in a process just started


def test_the_first_question_after_prepare_reads_and_loads_nothing_more(make_service, seed_copy, monkeypatch):
    indexed = make_service("index")
    indexed.add_paths([seed_copy, NEWS])  # the French seed and seven English articles
    watch = Watch(monkeypatch)

    cold = make_service("index")  # a server started without preparing: its first question pays
    first = cold.ask(QUESTION)
    assert "haftar" in first.answer.lower()
    assert watch.languages and watch.pipelines  # a language read whole, pipelines loaded

    monkeypatch.setattr(nlp, "_loaded", {})
    watch.languages, watch.pipelines = [], []
    started = make_service("index")  # the same index, as `chatbot serve` opens it after a restart
    started.prepare()
    assert sorted(watch.languages) == ["en", "fr"]  # both languages read once, while starting
    assert sorted(watch.pipelines) == sorted(p for lang, p in nlp.PIPELINES.items() if nlp.available(lang))
    watch.forbid = True
    answer = started.ask(QUESTION)
    assert not answer.refused and "haftar" in answer.answer.lower()
    assert answer.citations
    english = started.ask("Who took control of the oil ports of Ras Lanuf and Es Sider?")
    assert english.citations
