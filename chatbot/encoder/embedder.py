"""Text embedders behind one small protocol.

Two backends share ``PooledEncoder``: sentence-transformers on torch (any model; optionally int8
dynamic quantization of its linear layers) and ONNX Runtime on an int8 export of the model
(``chatbot.encoder.onnx_embedder``, the default when the export is there; see BENCHMARKS.md). Both use the
model's own ``query``/``document`` prompts, normalised vectors and a sequence cap matched to the
chunk size. ``documents_embedded`` counts real encoder work so tests can prove that unchanged
articles are never embedded again.

One model serves questions and indexing. Bulk work (indexing, rebuilds) is encoded a mini-batch at
a time behind ``EncoderGate``, which lets waiting questions go first, so a rebuild delays an answer
by about one mini-batch instead of a whole indexing batch, while indexing keeps a fifth of the
encoder's time under a steady stream of questions.

A question's vector is kept (``QUERY_CACHE`` texts, least recently used dropped first): the page,
``/api/search`` and ``/api/ask`` asked the same question encode it once (35-50 ms on two cores).
Each query text is encoded on its own, never batched with another: the int8 encoder quantizes a
batch's activations with one scale, and padding shifts the short rows, so a text encoded beside
another got a vector 0.98-0.99 (cosine) of its own. A masked question shared by many ("Who is ?")
kept whichever vector its first companion gave, and the same question could be answered otherwise
after a different one (BENCHMARKS.md 35b).
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import numpy as np

from chatbot.encoder.base import no_pieces
from chatbot.encoder.pieces import pool_pieces
from chatbot.encoder.vector_cache import VectorCache

log = logging.getLogger(__name__)
QUERY_CACHE = 512  # question texts whose vectors are kept (3 KB each)


class EncoderGate:
    """One encoder call at a time (torch on a few CPU cores is fastest that way), questions first.

    ``interactive`` calls (questions, answer sentences) go before waiting ``bulk`` calls (indexing
    mini-batches), so a question waits for at most the mini-batch being encoded. So that a rebuild
    still progresses under a steady stream of questions, waiting bulk work gets the next turn once
    questions have used the encoder (1 - BULK_SHARE) / BULK_SHARE times as long as its last
    mini-batch took: under full load indexing gets about BULK_SHARE of the encoder's time.
    """

    BULK_SHARE = 0.2

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = 0  # interactive callers waiting
        self._bulk_waiting = 0
        self._owed = 0.0  # interactive encoder seconds still due before waiting bulk work goes

    def _bulk_due(self) -> bool:
        return self._bulk_waiting > 0 and self._owed <= 0.0

    def interactive(self) -> AbstractContextManager[None]:
        return self._turn(bulk=False)

    def bulk(self) -> AbstractContextManager[None]:
        return self._turn(bulk=True)

    @contextmanager
    def _turn(self, bulk: bool) -> Iterator[None]:
        with self._cond:
            if bulk:
                self._bulk_waiting += 1
                ready = lambda: not self._busy and (not self._waiting or self._bulk_due())  # noqa: E731
            else:
                self._waiting += 1
                ready = lambda: not self._busy and not self._bulk_due()  # noqa: E731
            try:
                self._cond.wait_for(ready)
            finally:
                if bulk:
                    self._bulk_waiting -= 1
                else:
                    self._waiting -= 1
            self._busy = True
        started = time.perf_counter()
        try:
            yield
        finally:
            used = time.perf_counter() - started
            with self._cond:
                if bulk:
                    self._owed = used * (1 - self.BULK_SHARE) / self.BULK_SHARE
                elif self._bulk_waiting:
                    self._owed -= used
                self._busy = False
                self._cond.notify_all()


def document_input(text: str, title: str | None) -> str:
    """EmbeddingGemma's document format, with the article title when there is one."""
    return f"title: {title or 'none'} | text: {text}"


class PooledEncoder:
    """What both encoder backends share: prompts, the gate, mini-batches and piece vectors.

    A backend sets the attributes below in its constructor and implements ``_encode`` (normalised
    vectors of full inputs) and ``_encode_tokens`` (those vectors plus each input's token vectors
    before pooling, with the last character offset of each token in the input).
    """

    name: str
    dimension: int
    batch_size: int
    documents_embedded: int
    _gate: EncoderGate
    _query_prompt: str | None
    _document_prompt: str | None
    _titled_documents: bool
    _head: np.ndarray | None  # the linear head after mean pooling, or None (see _linear_head)
    _queries: VectorCache[str]  # vectors of query texts already encoded, by exact text

    @property
    def gives_piece_vectors(self) -> bool:
        return self._head is not None

    def embed_documents(self, texts: list[str], titles: list[str] | None = None, *,
                        bulk: bool = False) -> np.ndarray:
        """Document vectors; ``bulk`` (indexing) yields to questions between mini-batches."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        inputs, prompt = self._document_inputs(texts, titles)
        if not bulk:
            with self._gate.interactive():
                vectors = self._encode(inputs, prompt)
        else:
            vectors = np.zeros((len(inputs), self.dimension), dtype=np.float32)
            for part in self._mini_batches(inputs):  # one turn at the gate each
                with self._gate.bulk():
                    vectors[part] = self._encode([inputs[i] for i in part], prompt)
        self.documents_embedded += len(texts)
        return vectors

    def _document_inputs(self, texts: list[str], titles: list[str] | None) -> tuple[list[str], str | None]:
        """Encoder inputs and prompt: EmbeddingGemma's titled format, or the model's document prompt."""
        if self._titled_documents:
            return [document_input(t, (titles or [None] * len(texts))[i]) for i, t in enumerate(texts)], ""
        return list(texts), self._document_prompt

    def _mini_batches(self, inputs: list[str]) -> list[list[int]]:
        """Indices of ``inputs`` by mini-batch, longest first, as encode() would order them."""
        order = sorted(range(len(inputs)), key=lambda i: -len(inputs[i]))
        return [order[begin:begin + self.batch_size] for begin in range(0, len(order), self.batch_size)]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors; a text encoded before (the exact same string) is not encoded again."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(self._queries.vectors(texts, texts, self._encode_queries))

    def keep_queries(self, size: int) -> None:
        """Keep the vectors of the last ``size`` query texts (0: none; benchmarks of the encoding)."""
        self._queries = VectorCache(size)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        """Each text in a run of its own (see the module's doc): its vector is the same whatever
        is asked with it or before it."""
        with self._gate.interactive():
            return np.concatenate([self._encode([text], self._query_prompt) for text in texts])

    def embed_documents_with_pieces(self, texts: list[str], titles: list[str] | None,
                                    pieces: list[list[tuple[int, int]]], *,
                                    bulk: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """Document vectors plus, per text, the vectors of its pieces (see chatbot.encoder.pieces); ``bulk``
        as for ``embed_documents`` (indexing is bulk; a chunk completed at question time is not).

        The same encoder pass gives both: a piece's vector is the model's linear projection of
        the sum of its token vectors. Models whose head is not mean pooling followed by linear
        layers get no piece vectors (empty arrays), and answers then encode sentences instead.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        if self._head is None:
            return no_pieces(self, texts, titles, bulk=bulk)
        inputs, prompt = self._document_inputs(texts, titles)
        inputs = [(prompt or "") + text for text in inputs]  # offsets are taken in the full input
        vectors = np.zeros((len(inputs), self.dimension), dtype=np.float32)
        piece_vectors: list[np.ndarray] = [np.zeros((0, self.dimension))] * len(texts)
        for part in self._mini_batches(inputs):
            with self._gate.bulk() if bulk else self._gate.interactive():
                encoded = self._encode_tokens([inputs[i] for i in part])
            for i, (vector, tokens, ends) in zip(part, encoded, strict=True):
                vectors[i] = vector
                if tokens is not None:  # None: no safe token alignment, so no piece vectors
                    shift = len(inputs[i]) - len(texts[i])
                    spans = pool_pieces(tokens, np.where(ends >= 0, ends - shift, -1), pieces[i])
                    piece_vectors[i] = (spans @ self._head).astype(np.float16)
        self.documents_embedded += len(texts)
        return vectors, piece_vectors

    def _encode(self, inputs: list[str], prompt: str | None) -> np.ndarray:
        raise NotImplementedError

    def _encode_tokens(self, inputs: list[str]) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray]]:
        raise NotImplementedError


def token_ends(offsets: np.ndarray) -> np.ndarray:
    """Each token's last character offset in its input, or -1 for special and padding tokens."""
    offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    return np.where(offsets[:, 1] > offsets[:, 0], offsets[:, 1] - 1, -1)


class SentenceTransformerEmbedder(PooledEncoder):
    """Any sentence-transformers model; prompts are used when the model defines them."""

    def __init__(
        self,
        path: str,
        *,
        quantize: bool = False,
        max_seq_length: int = 256,
        batch_size: int = 16,
        threads: int = 0,
    ) -> None:
        # Process-wide settings (offline hub, quiet progress bars, tokenizer threads) belong to the
        # entry points (chatbot.cli.configure_process); only the thread count asked for is set here.
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)  # torch has one intra-op pool per process: asked for by name
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.model.max_seq_length = min(self.model.max_seq_length or max_seq_length, max_seq_length)
        if quantize:
            with warnings.catch_warnings():  # torch's notice that dynamic quantization moves to torchao
                warnings.filterwarnings("ignore", message=".*quantize.*deprecated", category=UserWarning)
                # in place: a copy would keep a second, fp32 set of weights (about 1.2 GB) alive while
                # quantizing, and the allocator does not hand that memory back to the system afterwards
                self.model = torch.ao.quantization.quantize_dynamic(
                    self.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
        self.name = path
        self.batch_size = batch_size
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query")
        self._titled_documents = prompts.get("document", "").startswith("title:")
        self._document_prompt = prompts.get("document")
        self.dimension = int(self.model.get_embedding_dimension() or 0)
        self.documents_embedded = 0
        self._gate = EncoderGate()
        self._queries = VectorCache(QUERY_CACHE)
        self._head = self._linear_head()

    def _linear_head(self) -> np.ndarray | None:
        """The model's head after mean pooling as one matrix, if it is only bias-free linear layers.

        Dense layers of a quantized model are multiplied out of their int8 weights once, in float:
        piece vectors are then exactly linear in their token sums.
        """
        import torch

        modules = list(self.model)
        kinds = [type(m).__name__ for m in modules]
        if "Pooling" not in kinds or getattr(modules[kinds.index("Pooling")], "pooling_mode", "mean") != "mean":
            return None
        head: np.ndarray | None = None
        for module, kind in zip(modules[kinds.index("Pooling") + 1:], kinds[kinds.index("Pooling") + 1:],
                                strict=True):
            if kind == "Normalize":
                continue
            linear = getattr(module, "linear", None)
            if kind != "Dense" or linear is None or getattr(module, "use_residual", False) or \
                    not isinstance(getattr(module, "activation_function", None), torch.nn.Identity):
                return None
            weight, bias = linear.weight, linear.bias
            if callable(weight):  # a dynamically quantized Linear: weight() and bias() are methods
                weight, bias = weight().dequantize(), bias()
            if bias is not None:
                return None
            matrix = weight.detach().float().numpy().T  # (in, out)
            head = matrix if head is None else head @ matrix
        if head is None:  # mean pooling straight into the output
            return np.eye(self.dimension, dtype=np.float32)
        return np.ascontiguousarray(head, dtype=np.float32)

    def _encode_tokens(self, inputs: list[str]) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray]]:
        outputs = self.model.encode(inputs, batch_size=self.batch_size, output_value=None, show_progress_bar=False)
        encoded = []
        for text, out in zip(inputs, outputs, strict=True):
            enc = self.model.tokenizer(text, truncation=True, max_length=self.model.max_seq_length,
                                       return_offsets_mapping=True)
            ids = out["input_ids"].tolist()[:len(enc["input_ids"])]
            vector = out["sentence_embedding"].float().numpy()
            if ids != enc["input_ids"]:  # tokenised differently than encode() did: no safe alignment
                encoded.append((vector, None, np.zeros(0, dtype=np.int64)))
                continue
            encoded.append((vector, out["token_embeddings"][:len(ids)].float().numpy(),
                            token_ends(enc["offset_mapping"])))
        return encoded

    def _encode(self, inputs: list[str], prompt: str | None) -> np.ndarray:
        vectors = self.model.encode(inputs, prompt=prompt, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
