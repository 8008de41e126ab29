"""Loading, chunking and encoding on a Ray cluster; every decision and write stays with the indexer.

Why this split: the encoder is the cost (about 12 chunks/s per process here), and it is the part
that scales out. Files are read and parsed by Ray Data tasks, chunk texts are encoded by a pool of
actors that each load the encoder once, and the vectors stream back to this process, where the
ordinary :class:`~chatbot.store.indexer.Indexer` compares with the manifest, writes to Chroma (a
Chroma server, so every node and every app replica sees one index), commits per article and
switches rebuild generations. A distributed run therefore writes exactly what an in-process run
writes, and an interrupted one leaves what an interrupted in-process run leaves.

Workers must read the article files and the model folder at the same paths as this process (a
shared folder). Before anything is written, every node checks the encoder weights it would load
against this process's sha256, so a worker without them fails the job with the node named.
"""

from __future__ import annotations

import gc
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.loaders import LoadError, iter_paths, load_content
from chatbot.schemas import Article, Chunk, SyncReport
from chatbot.settings import Settings
from chatbot.store.pipeline import EncodedBatch
from chatbot.weights import sha256_file

log = logging.getLogger(__name__)
INSTALL_HINT = 'distributed indexing needs Ray: pip install -e ".[ray]"'
PACKAGE_DIR = Path(__file__).resolve().parents[1]


class RaySetupError(RuntimeError):
    """The cluster cannot run this job (unreachable, or a node lacks the encoder weights)."""


@dataclass(frozen=True)
class RayOptions:
    address: str
    actors: int = 2
    batch_size: int = 64
    cpus_per_actor: float = 1.0


def weights_file(settings: Settings) -> Path:
    """The file whose bytes decide the vectors: the int8 ONNX export, or the torch weights."""
    from chatbot.encoder.onnx_export import onnx_path

    folder = Path(settings.embedding_path)
    return onnx_path(folder) if settings.embedding_backend == "onnx" else folder / "model.safetensors"


def _check_weights(path: str, expected: str) -> str | None:
    """On a node: None when the weights are there and match, else the problem."""
    file = Path(path)
    if not file.is_file():
        return f"encoder weights not found at {path}"
    got = sha256_file(file)
    return None if got == expected else f"encoder weights at {path} differ (sha256 {got[:12]}, expected {expected[:12]})"


class EncodeChunks:
    """A Ray Data actor: one encoder per actor, loaded once, then batch after batch."""

    def __init__(self, settings: dict[str, Any], weights: str, digest: str) -> None:
        problem = _check_weights(weights, digest)
        if problem:
            raise RaySetupError(problem + "; run `chatbot models fetch` on this node or share the models folder")
        from chatbot.components import make_embedder

        self.embedder = make_embedder(Settings(_env_file=None, **settings))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        from chatbot.store.pipeline import encode_batch

        texts, titles = [str(t) for t in batch["text"]], [str(t) for t in batch["title"]]
        encoded = encode_batch(self.embedder, texts, titles, [int(p) for p in batch["pos"]])
        pieces = encoded.pieces or []  # encode_batch always pools them (empty arrays for an encoder without)
        return {"pos": np.asarray(encoded.positions, dtype=np.int64),
                "vector": encoded.vectors.astype(np.float32),
                "spans": [json.dumps(spans) for spans, _ in pieces],
                "pieces": [_to_bytes(vectors) for _, vectors in pieces]}


def _to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def load_and_chunk(batch: dict[str, np.ndarray], chunk_size: int, overlap: int) -> dict[str, list]:
    """A Ray Data task: parse files read by ``read_binary_files`` and chunk what they hold."""
    out: dict[str, list] = {"where": [], "error": [], "article": [], "chunks": []}
    for data, given in zip(batch["bytes"], batch["path"], strict=True):
        path = Path("/" + str(given).lstrip("/"))  # the file system layer may drop the leading slash
        for item in load_content(bytes(data), path):
            if isinstance(item, LoadError):
                out["where"].append(item.where)
                out["error"].append(item.problem)
                out["article"].append("")
                out["chunks"].append("")
            else:
                chunks = chunk_article(item, chunk_size, overlap)
                out["where"].append(str(path))
                out["error"].append("")
                out["article"].append(item.model_dump_json())
                out["chunks"].append(json.dumps([c.model_dump() for c in chunks]))
    return out


class RayPipeline:
    """The :class:`~chatbot.store.pipeline.IndexingPipeline` that runs on a Ray cluster."""

    def __init__(self, settings: Settings, options: RayOptions) -> None:
        self.settings = settings
        self.options = options
        self._chunks: dict[tuple[str, str], list[Chunk]] = {}
        self._ready = False
        self._started = False  # whether this pipeline connected the process to the cluster

    # ---- cluster ------------------------------------------------------------------------------
    def _connect(self) -> Any:
        try:
            import ray
        except ImportError as exc:
            raise RaySetupError(INSTALL_HINT) from exc
        if not ray.is_initialized():
            try:
                ray.init(address=self.options.address, logging_level=logging.WARNING, log_to_driver=False,
                         runtime_env={"py_modules": [str(PACKAGE_DIR)],
                                      "excludes": ["__pycache__", "*.pyc"]})
            except Exception as exc:  # ray raises ConnectionError, RuntimeError, ValueError...
                raise RaySetupError(f"cannot reach the Ray cluster at {self.options.address}: {exc}") from exc
            ray.data.DataContext.get_current().enable_progress_bars = False
            self._started = True
        return ray

    def close(self) -> None:
        """Disconnect from the cluster if this pipeline connected, the job's objects released first.

        Left to the interpreter's exit, Ray's own shutdown races with the release of the job's
        object references: a reference freed after the core worker stopped makes it end the process
        with status 1 (ray-project/ray#19115), whatever the command's own exit status was.
        """
        self._chunks.clear()
        self._ready = False
        if not self._started:
            return
        import ray

        gc.collect()  # the datasets' references, freed while the core worker still runs
        if ray.is_initialized():
            ray.shutdown()
        self._started = False

    def _worker_settings(self) -> tuple[dict[str, Any], str, str]:
        """Settings every actor builds its encoder from: absolute paths, the backend fixed here."""
        from chatbot.components import resolve_backend

        settings = self.settings.model_copy(update={
            "models_dir": self.settings.models_dir.resolve(),
            "embedding_backend": resolve_backend(self.settings),
            "embedding_model": str(Path(self.settings.embedding_path).resolve())
            if Path(self.settings.embedding_path).exists() else self.settings.embedding_model,
        })
        weights = weights_file(settings)
        if not weights.is_file():
            raise RaySetupError(f"encoder weights not found at {weights}: run `chatbot models fetch`")
        dump = settings.model_dump(mode="json", include={
            "models_dir", "embedding_model", "embedding_quantize", "embedding_backend",
            "embedding_batch_size", "embedding_threads", "chunk_size", "chunk_overlap"})
        return dump, str(weights), sha256_file(weights)

    def _preflight(self, ray: Any, weights: str, digest: str) -> None:
        """Every alive node checks the weights before the job writes anything."""
        if self._ready:
            return
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        check = ray.remote(num_cpus=0)(_check_weights)
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        pending = {f"{n['NodeManagerAddress']} ({n['NodeID'][:8]})": check.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote(weights, digest)
            for n in nodes}
        problems = [f"node {name}: {msg}" for name, ref in pending.items() if (msg := ray.get(ref))]
        if problems:
            raise RaySetupError("; ".join(problems) + " (run `chatbot models fetch` there or share the models folder)")
        self._ready = True

    # ---- IndexingPipeline ---------------------------------------------------------------------
    def load(self, paths: Iterable[Path], report: SyncReport) -> list[Article]:
        files: list[str] = []
        for item in iter_paths(list(paths)):
            if isinstance(item, LoadError):
                report.failed.append({"path": item.where, "error": item.problem})
            else:
                files.append(str(item.resolve()))
        if not files:
            return []
        ray = self._connect()
        rows = ray.data.read_binary_files(files, include_paths=True).map_batches(
            load_and_chunk, batch_size=8, batch_format="numpy",
            fn_kwargs={"chunk_size": self.settings.chunk_size, "overlap": self.settings.chunk_overlap},
            ray_remote_args_fn=lambda: {"max_retries": 3})
        articles: list[Article] = []
        for batch in rows.iter_batches(batch_size=None, batch_format="numpy"):
            for where, error, raw, chunks in zip(batch["where"], batch["error"], batch["article"],
                                                 batch["chunks"], strict=True):
                if error:
                    report.failed.append({"path": str(where), "error": str(error)})
                    log.warning("%s: %s", where, error)
                    continue
                article = Article.model_validate_json(str(raw))
                report.warnings += [{"path": article.origin or article.doc_id, "warning": n} for n in article.notes]
                self._chunks[(article.doc_id, article.sha256)] = [Chunk(**c) for c in json.loads(str(chunks))]
                articles.append(article)
        order = {path: i for i, path in enumerate(files)}  # the in-process order: sorted files
        articles.sort(key=lambda a: order.get((a.origin or "").split("#")[0], len(order)))
        return articles

    def chunk(self, article: Article, chunk_size: int, overlap: int) -> list[Chunk]:
        cached = self._chunks.pop((article.doc_id, article.sha256), None)
        return cached if cached is not None else chunk_article(article, chunk_size, overlap)

    def encode(self, texts: list[str], titles: list[str], bulk: bool = True) -> Iterator[EncodedBatch]:
        """``bulk`` is for an encoder shared with questions; actors serve indexing alone."""
        if not texts:
            return
        ray = self._connect()
        settings, weights, digest = self._worker_settings()
        self._preflight(ray, weights, digest)
        items = [{"pos": i, "text": t, "title": ti} for i, (t, ti) in enumerate(zip(texts, titles, strict=True))]
        encoded = ray.data.from_items(items).map_batches(
            EncodeChunks, batch_size=self.options.batch_size, batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self.options.actors), num_cpus=self.options.cpus_per_actor,
            fn_constructor_kwargs={"settings": settings, "weights": weights, "digest": digest},
            max_restarts=-1, max_task_retries=-1)
        for batch in encoded.iter_batches(batch_size=None, batch_format="numpy"):
            pieces = [([tuple(x) for x in json.loads(str(s))], _from_bytes(bytes(p)))
                      for s, p in zip(batch["spans"], batch["pieces"], strict=True)]
            yield EncodedBatch([int(p) for p in batch["pos"]], np.asarray(batch["vector"]), pieces)
