"""Export a sentence-transformers encoder to an int8 ONNX model for ONNX Runtime.

Why: on this kind of CPU, ONNX Runtime runs EmbeddingGemma with int8 weights about twice as fast per question as torch's dynamic quantization, and its vectors stay closer to
the float model's (mean cosine about 0.98 against 0.91 for torch int8; see BENCHMARKS.md).

Only the transformer is exported (token ids -> token vectors); mean pooling and the model's linear
head run in numpy (``chatbot.encoder.onnx_embedder``), which is also what lets sentence vectors be taken
from a chunk's token vectors. The export is checked against the torch model before it is kept.
Exporting needs torch, ``onnx`` and ``onnxscript``; running the result needs only onnxruntime.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
ONNX_FOLDER = "onnx"
ONNX_FILE = "model_int8.onnx"
STAMP_FILE = "export.json"
EXPORT_FORMAT = 2  # 2: weights quantized per tensor (format 1 was per output channel)
# a faithful export reproduces the torch model's float output; int8 weights keep it close
FLOAT_MIN_COSINE = 0.999
INT8_MIN_COSINE = 0.95
CHECK_TEXTS = [
    "task: search result | query: Qui dirige l'Armée nationale arabe libyenne ?",
    "title: none | text: The conference in Ghadames was meant to set a date for elections.",
    "title: Libye | text: Les forces de Khalifa Haftar avancent vers Tripoli, siège du gouvernement "
    "d'union nationale de Fayez al-Serraj, reconnu par la communauté internationale.",
]


class ExportError(RuntimeError):
    """The model could not be exported, or the export does not reproduce the model."""


def onnx_path(model_folder: Path) -> Path:
    return model_folder / ONNX_FOLDER / ONNX_FILE


def source_stamp(model_folder: Path) -> dict[str, int]:
    """What the export was made from: the weights file's size and modification time."""
    weights = model_folder / "model.safetensors"
    stat = weights.stat()
    return {"format": EXPORT_FORMAT, "weights_bytes": stat.st_size, "weights_mtime_ns": stat.st_mtime_ns}


def export_is_current(model_folder: Path) -> bool:
    """True when the folder holds an int8 export made from its current weights."""
    stamp = model_folder / ONNX_FOLDER / STAMP_FILE
    try:
        recorded = json.loads(stamp.read_text())
        return onnx_path(model_folder).is_file() and recorded.get("source") == source_stamp(model_folder)
    except (OSError, ValueError):
        return False


def _noop(_: str) -> None:
    return None


def export_int8(model_folder: Path, progress: Callable[[str], None] = _noop) -> Path:
    """Write ``onnx/model_int8.onnx`` next to the model (idempotent); returns its path."""
    if export_is_current(model_folder):
        return onnx_path(model_folder)
    try:
        import onnxscript  # noqa: F401 - the exporter needs it; fail here with the fix
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ExportError(f"exporting to ONNX needs the 'onnx' and 'onnxscript' packages ({exc})") from exc
    with tempfile.TemporaryDirectory(dir=model_folder, prefix=".onnx-") as tmp:
        work = Path(tmp)
        float_model = work / "float" / "model.onnx"
        float_model.parent.mkdir()
        progress("exporting the encoder to ONNX (about a minute)")
        reference = _export_float(model_folder, float_model)
        _check(float_model, model_folder, reference, FLOAT_MIN_COSINE, "float export")
        progress("quantizing the ONNX encoder to int8")
        staging = work / ONNX_FOLDER
        staging.mkdir()
        # Per tensor, not per output channel: with the graph today's exporter writes (onnx 1.23,
        # onnxscript 0.7), onnxruntime's per-channel MatMul weights drift to cosine 0.82 against the
        # float model, while per-tensor weights stay at 0.99 on the check texts.
        with _quiet_root_logger():  # the quantizer suggests a pre-processing step on the root logger
            quantize_dynamic(float_model, staging / ONNX_FILE, weight_type=QuantType.QInt8, per_channel=False,
                             op_types_to_quantize=["MatMul", "Gather"],
                             extra_options={"MatMulConstBOnly": True})
        _check(staging / ONNX_FILE, model_folder, reference, INT8_MIN_COSINE, "int8 export")
        (staging / STAMP_FILE).write_text(json.dumps({"source": source_stamp(model_folder)}))
        target = model_folder / ONNX_FOLDER
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    log.info("ONNX encoder written to %s", onnx_path(model_folder))
    return onnx_path(model_folder)


def _not_onnxruntime_advice(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR or "onnxruntime" not in record.pathname


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Drop onnxruntime's warnings logged straight on the root logger, and only those: a filter on
    a logger sees the records logged on it, not those of other threads' loggers propagating up."""
    root = logging.getLogger()
    root.addFilter(_not_onnxruntime_advice)
    try:
        yield
    finally:
        root.removeFilter(_not_onnxruntime_advice)


def _export_float(model_folder: Path, out: Path) -> np.ndarray:
    """Export the transformer with dynamic batch and length; returns its torch token vectors on
    CHECK_TEXTS (mean-pooled) for the checks."""
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer

    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # the exporter's own chatter, not the caller's
    model = SentenceTransformer(str(model_folder), device="cpu", local_files_only=True)
    transformer = model[0].auto_model.eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    batch = model.tokenizer(CHECK_TEXTS, padding=True, return_tensors="pt")
    wrapper = TokenVectors().eval()
    with torch.inference_mode():
        hidden = wrapper(batch["input_ids"], batch["attention_mask"])
    reference = mean_pool(hidden.numpy(), batch["attention_mask"].numpy())
    dims = {0: torch.export.Dim("batch"), 1: torch.export.Dim("tokens", max=8192)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(wrapper, (batch["input_ids"], batch["attention_mask"]), str(out),
                              input_names=["input_ids", "attention_mask"], output_names=["token_vectors"],
                              dynamic_shapes={"input_ids": dims, "attention_mask": dims},
                              dynamo=True, external_data=True, verbose=False)
        except Exception as exc:  # the exporter raises many kinds; all mean "not exportable"
            raise ExportError(f"{model_folder}: the encoder could not be exported to ONNX: {exc}") from exc
    return reference


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each input's token vectors over its attention mask (sentence-transformers' pooling)."""
    weights = mask[..., None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / weights.sum(axis=1)


def _check(path: Path, model_folder: Path, reference: np.ndarray, min_cosine: float, what: str) -> None:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for text, expected in zip(CHECK_TEXTS, reference, strict=True):  # one at a time: no padding
        ids = np.asarray([tokenizer.encode(text).ids], dtype=np.int64)
        mask = np.ones_like(ids)
        got = mean_pool(session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask)[0]
        cosine = float(got @ expected / (np.linalg.norm(got) * np.linalg.norm(expected)))
        if cosine < min_cosine:
            raise ExportError(f"{what} of {model_folder} differs from the model: cosine {cosine:.4f} "
                              f"< {min_cosine} on {text[:40]!r}")
