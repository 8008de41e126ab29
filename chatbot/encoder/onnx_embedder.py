"""The encoder on ONNX Runtime: the exported int8 transformer, with pooling and head in numpy.

Why a second backend: a question is encoded in about 18 ms here against about 41 ms with torch's
int8 (two cores), documents slightly faster too, and the vectors are closer to the float model's
(BENCHMARKS.md, section 3b). It needs no torch at run time, only onnxruntime, ``tokenizers`` and
the model folder with its ``onnx/`` export (``chatbot.encoder.onnx_export``, made by ``chatbot models
fetch``). It reads the sentence-transformers layout itself, so it accepts only what it can
reproduce exactly: mean pooling over every token (prompt included), then bias-free linear layers,
then normalisation. Anything else is refused with a ``ValueError`` naming the part.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.encoder.embedder import QUERY_CACHE, EncoderGate, PooledEncoder, token_ends
from chatbot.encoder.onnx_export import mean_pool, onnx_path
from chatbot.encoder.vector_cache import VectorCache

log = logging.getLogger(__name__)
_IDENTITY = "torch.nn.modules.linear.Identity"
_REQUIRED: Any = object()


def limit_blas_threads() -> None:
    """One BLAS thread for numpy: its idle threads spin for a while after each matrix product and
    take the cores from ONNX Runtime's threads (a question took 42 ms instead of 18 ms when a
    768 x 768 product ran between two). The products this chatbot makes are small."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    threadpool_limits(limits=1, user_api="blas")


def _read_json(path: Path, missing: Any = _REQUIRED) -> Any:
    """The file's JSON; ``missing`` instead when the file does not exist, if given."""
    if missing is not _REQUIRED and not path.is_file():
        return missing
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from exc


def read_head(folder: Path) -> tuple[np.ndarray, int]:
    """The model's layers after the transformer as one matrix (in, out), and the output size."""
    from safetensors.numpy import load_file

    modules = _read_json(folder / "modules.json")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[-1] != "Normalize" or \
            any(kind != "Dense" for kind in kinds[2:-1]):
        raise ValueError(f"{folder / 'modules.json'}: layout {kinds} is not Transformer, mean Pooling, "
                         "Dense layers, Normalize")
    pooling = _read_json(folder / modules[1]["path"] / "config.json")
    if not pooling.get("pooling_mode_mean_tokens") or not pooling.get("include_prompt", True) or \
            sum(bool(v) for k, v in pooling.items() if k.startswith("pooling_mode_")) != 1:
        raise ValueError(f"{folder / modules[1]['path']}: only mean pooling over all tokens is supported")
    head: np.ndarray | None = None
    size = int(pooling.get("word_embedding_dimension", 0))
    for module in modules[2:-1]:
        where = folder / module["path"]
        config = _read_json(where / "config.json")
        if config.get("bias") or config.get("activation_function", _IDENTITY) != _IDENTITY:
            raise ValueError(f"{where}: only bias-free linear Dense layers are supported")
        weight = load_file(str(where / "model.safetensors"))["linear.weight"].astype(np.float32).T
        head = weight if head is None else head @ weight
        size = int(config["out_features"])
    if head is None:
        head = np.eye(size, dtype=np.float32)
    return np.ascontiguousarray(head, dtype=np.float32), size


class OnnxEmbedder(PooledEncoder):
    """A sentence-transformers model folder run from its int8 ONNX export."""

    def __init__(self, path: str, *, max_seq_length: int = 256, batch_size: int = 16, threads: int = 0,
                 spinning: bool = False) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(path)
        model_file = onnx_path(folder)
        if not model_file.is_file():
            raise ValueError(f"{model_file}: no ONNX export (run `chatbot models fetch`)")
        self._head, self.dimension = read_head(folder)
        prompts = _read_json(folder / "config_sentence_transformers.json", {}).get("prompts") or {}
        self._query_prompt = prompts.get("query")
        self._document_prompt = prompts.get("document")
        self._titled_documents = str(prompts.get("document", "")).startswith("title:")
        bert = _read_json(folder / "sentence_bert_config.json", {})
        self.max_seq_length = min(int(bert.get("max_seq_length") or max_seq_length), max_seq_length)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_seq_length)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per physical core
        options.inter_op_num_threads = 1
        # ONNX Runtime's threads busy-wait for work by default. On two cores shared with anything
        # else that turned a question's 60 ms into 130-190 ms (a waiting thread spins while the one
        # it waits for is off its core), and the spinning after a run slows the search that follows:
        # they sleep instead (BENCHMARKS.md 24a).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        limit_blas_threads()
        self.name = path
        self.batch_size = batch_size
        self.documents_embedded = 0
        self._gate = EncoderGate()
        self._queries = VectorCache(QUERY_CACHE)
        log.info("encoder: %s on ONNX Runtime (int8), %d tokens at most", model_file, self.max_seq_length)

    def _run(self, inputs: list[str]) -> tuple[np.ndarray, np.ndarray, list[Any]]:
        """Token vectors (batch, tokens, width), the attention mask and each input's encoding."""
        encodings = self._tokenizer.encode_batch(inputs)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(inputs), width), dtype=np.int64)  # pad id 0, masked out
        mask = np.zeros((len(inputs), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return hidden, mask, encodings

    def _pooled(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        vectors = mean_pool(hidden, mask) @ self._head
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _encode(self, inputs: list[str], prompt: str | None) -> np.ndarray:
        texts = [(prompt or "") + text for text in inputs]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for part in self._mini_batches(texts):
            hidden, mask, _ = self._run([texts[i] for i in part])
            vectors[part] = self._pooled(hidden, mask)
        return vectors

    def _encode_tokens(self, inputs: list[str]) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray]]:
        hidden, mask, encodings = self._run(inputs)
        vectors = self._pooled(hidden, mask)
        return [(vectors[row], hidden[row, :len(encoding.ids)].astype(np.float32),
                 token_ends(np.asarray(encoding.offsets)))
                for row, encoding in enumerate(encodings)]
