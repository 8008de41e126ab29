"""The ONNX Runtime encoder: it is the default, it agrees with the float model, and it refuses what
it cannot reproduce with an error naming the file.

The float reference is the sentence-transformers model on torch, loaded once for this module.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from chatbot.encoder.embedder import QUERY_CACHE
from tests.conftest import MODELS, SEED_FILE, settings_for

FOLDER = MODELS / "embeddinggemma-300m"
QUESTIONS = [json.loads(line)["question"] for line in
             (Path(__file__).parent / "eval" / "questions.jsonl").read_text("utf-8").splitlines()[:24]]


@pytest.fixture(scope="module")
def float_model():
    from chatbot.encoder.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(str(FOLDER), quantize=False, max_seq_length=266)


@pytest.fixture(scope="module")
def passages() -> list[str]:
    from chatbot.ingest.chunking import chunk_article
    from chatbot.ingest.loaders import load_path

    return [chunk.text for chunk in chunk_article(load_path(SEED_FILE)[0])]


def test_the_default_encoder_runs_on_onnx_runtime(embedder):
    from chatbot.encoder.onnx_embedder import OnnxEmbedder

    assert isinstance(embedder, OnnxEmbedder), "models fetch should have exported the encoder"


def test_onnx_vectors_agree_with_the_float_model(embedder, float_model, passages):
    # each question encoded alone, as a search encodes it, and now: the session's encoder keeps the
    # vectors of questions other tests asked, some encoded beside another text (int8 activations are
    # scaled per call, so a vector moves a little with its batch)
    embedder.keep_queries(0)
    try:
        queries = np.stack([embedder.embed_queries([q])[0] for q in QUESTIONS])
    finally:
        embedder.keep_queries(QUERY_CACHE)
    reference_q = float_model.embed_queries(QUESTIONS)
    docs, reference_d = embedder.embed_documents(passages), float_model.embed_documents(passages)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)
    assert float(np.mean(np.sum(queries * reference_q, axis=1))) > 0.96
    assert float(np.mean(np.sum(docs * reference_d, axis=1))) > 0.96
    # what a reader sees: each question's best passage is (nearly always) the same one
    same = np.argmax(queries @ docs.T, axis=1) == np.argmax(reference_q @ reference_d.T, axis=1)
    assert same.mean() >= 0.9, same


def test_a_short_text_in_a_batch_of_long_ones_keeps_its_vector(embedder, passages):
    """Padding is masked out: a two-word text batched with 600-character passages gets (nearly) the
    vector it gets alone. Only int8 activation scaling, which is per batch, may move it a little."""
    texts = [*passages[:5], "Khalifa Haftar."]
    together = embedder.embed_documents(texts, bulk=True)
    alone = np.stack([embedder.embed_documents([text])[0] for text in texts])
    assert np.sum(together * alone, axis=1).min() > 0.95


def _layout_copy(tmp_path: Path) -> Path:
    """The model's small files copied, its weights linked: a folder the tests may edit."""
    copy = tmp_path / "model"
    files = [Path(root) / name for root, _, names in os.walk(FOLDER, followlinks=True) for name in names]
    for path in files:
        if ".onnx-" in str(path):
            continue
        target = copy / path.relative_to(FOLDER)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.stat().st_size > 1 << 20:
            target.symlink_to(path)
        else:
            shutil.copy2(path, target)
    return copy


def test_a_pooling_it_cannot_reproduce_is_refused_naming_the_file(tmp_path):
    from chatbot.encoder.onnx_embedder import read_head

    copy = _layout_copy(tmp_path)
    config = copy / "1_Pooling" / "config.json"
    values = json.loads(config.read_text())
    values.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    config.write_text(json.dumps(values))
    with pytest.raises(ValueError, match=r"1_Pooling: only mean pooling"):
        read_head(copy)


def test_without_an_export_auto_falls_back_to_torch_and_onnx_says_how_to_fix(tmp_path, monkeypatch):
    from chatbot import components
    from chatbot.encoder.onnx_export import export_is_current

    copy = _layout_copy(tmp_path)
    shutil.rmtree(copy / "onnx")
    assert not export_is_current(copy)
    chosen: list[str] = []
    monkeypatch.setattr(components, "SentenceTransformerEmbedder", lambda path, **_: chosen.append(path))
    components.make_embedder(settings_for(tmp_path / "index", embedding_model=str(copy)))
    assert chosen == [str(copy)]
    with pytest.raises(ValueError, match=r"onnx/model_int8\.onnx: no ONNX export \(run `chatbot models fetch`\)"):
        components.make_embedder(settings_for(tmp_path / "index", embedding_model=str(copy),
                                              embedding_backend="onnx"))


def test_an_export_from_other_weights_is_not_current(tmp_path):
    from chatbot.encoder.onnx_export import STAMP_FILE, export_is_current

    copy = _layout_copy(tmp_path)
    assert export_is_current(copy)
    stamp = copy / "onnx" / STAMP_FILE
    recorded = json.loads(stamp.read_text())
    recorded["source"]["weights_bytes"] += 1
    stamp.write_text(json.dumps(recorded))
    assert not export_is_current(copy)
