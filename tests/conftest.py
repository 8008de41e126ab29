"""Shared fixtures: the real EmbeddingGemma model (loaded once per session) and real Chroma on disk.

``make_service(tmp)`` gives a ChatService over a fresh index folder that reuses the session's model;
``seeded_service`` is one service, built once, whose index holds the seed article.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from loopback import free_port

# ci_skips: under CI=true a skip fails the run; pytester: the tests of that hook run pytest inside pytest
pytest_plugins = ["ci_skips", "pytester"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = next(SEEDS.glob("*.txt"))
MODELS = Path(os.environ.get("CHATBOT_MODELS_DIR", ROOT / "models"))


def settings_for(index_dir: Path, **overrides: object):
    from chatbot.settings import Settings

    values = {"index_dir": index_dir, "articles_dir": SEEDS, "models_dir": MODELS, **overrides}
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def embedder():
    from chatbot.components import make_embedder

    return make_embedder(settings_for(Path("unused")))


@pytest.fixture
def make_service(tmp_path: Path, embedder) -> Callable[..., object]:
    from chatbot.service.chat import ChatService

    def make(name: str = "index", **overrides: object) -> ChatService:
        return ChatService(settings_for(tmp_path / name, **overrides), embedder=embedder)

    return make


@pytest.fixture(scope="session")
def seeded_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    from chatbot.service.chat import ChatService

    folder = tmp_path_factory.mktemp("seeded")
    service = ChatService(settings_for(folder / "index"), embedder=embedder)
    report = service.add_paths([SEEDS])
    assert report.counts()["added"] == 1
    return service


@pytest.fixture(scope="session")
def seed_text() -> str:
    from chatbot.ingest.loaders import load_path

    return load_path(SEED_FILE)[0].text


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable folder holding a copy of the seed article."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    return folder


def _wait_for_heartbeat(url: str, proc: object | None = None) -> None:
    """Block until the Chroma server answers (or its process died: then fail with its output)."""
    import time
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:  # type: ignore[attr-defined]
                raise RuntimeError(f"chroma run exited with status {proc.returncode}") from None  # type: ignore[attr-defined]
            time.sleep(0.2)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server on loopback: scripts/test.sh's (CHATBOT_TEST_CHROMA_URL), else our own."""
    import subprocess
    import sys

    given = os.environ.get("CHATBOT_TEST_CHROMA_URL")
    if given:
        _wait_for_heartbeat(given)
        yield given
        return
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log_file = (folder / "server.log").open("wb")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(folder / "data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log_file.close()
