"""What the rest of the package needs from a text encoder, as a type checkers and tests can hold.

The indexer, the retriever and the answerers only ever see this protocol, so an encoder backend
(sentence-transformers on torch, ONNX Runtime, or any object a caller passes to ``ChatService``)
is swappable without those modules probing for optional methods.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Unit-length vectors for documents and queries, plus the vectors of pieces of documents.

    ``documents_embedded`` counts texts really encoded (tests prove unchanged articles are never
    encoded again). ``bulk`` marks indexing work, which yields to questions between mini-batches.
    """

    name: str
    dimension: int
    documents_embedded: int
    gives_piece_vectors: bool  # False: embed_documents_with_pieces returns them empty, never ask at question time

    def embed_documents(self, texts: list[str], titles: list[str] | None = None, *,
                        bulk: bool = False) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_documents_with_pieces(self, texts: list[str], titles: list[str] | None,
                                    pieces: list[list[tuple[int, int]]], *,
                                    bulk: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """Document vectors and, per text, one vector per ``(start, end)`` piece of it.

        An encoder that cannot give piece vectors says so (``gives_piece_vectors = False``) and
        returns an empty array for each text (see ``no_pieces``); the pieces are then encoded as
        sentences when an answer needs them.
        """
        ...


def no_pieces(embedder: Embedder, texts: list[str], titles: list[str] | None, *,
              bulk: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
    """``embed_documents_with_pieces`` for an encoder without piece vectors: document vectors only."""
    vectors = embedder.embed_documents(texts, titles, bulk=bulk)
    return vectors, [np.zeros((0, embedder.dimension), dtype=np.float32) for _ in texts]
