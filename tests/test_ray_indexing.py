"""Distributed indexing on a real local Ray cluster (a head node and one more worker node on
loopback) writing to a real Chroma server: a worker killed mid-job and a driver killed mid-rebuild
still end in the index an in-process build makes from the same articles.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from fixtures_articles import write_bad_inputs
from fixtures_ray import RayCluster, actor_pids, wait_for
from fixtures_scale import ghana_and_lyon, unique_collection

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory):
    cluster = RayCluster(tmp_path_factory.mktemp("ray"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def articles(tmp_path: Path, seed_copy: Path) -> Path:
    """The seed article plus two short ones, in one folder."""
    folder = tmp_path / "ray-articles"
    ghana_and_lyon(folder)
    for item in seed_copy.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    return folder


def _encoder_actors(driver: subprocess.Popen):
    """A probe for ``wait_for``: the encoder actors once they run; fails at once if the command ended."""
    def probe() -> list[int]:
        if driver.poll() is not None:
            out, err = driver.communicate()
            raise AssertionError(f"the indexing command ended before encoding (exit {driver.returncode}): {err[-3000:]}")
        return actor_pids("EncodeChunks")
    return probe


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "chatbot.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _env(tmp_path: Path, chroma_url: str, collection: str) -> dict[str, str]:
    from conftest import MODELS

    return {**os.environ, "CHATBOT_CHROMA_URL": chroma_url, "CHATBOT_COLLECTION": collection,
            "CHATBOT_INDEX_DIR": str(tmp_path / "app-index"), "CHATBOT_MODELS_DIR": str(MODELS),
            "PYTHONPATH": str(ROOT)}


def _snapshot(service) -> tuple[dict, dict]:
    """(manifest without write times, chunk id -> (text, vector)) of the live generation."""
    service.index.refresh()
    store = service.index.store
    manifest = {d: {k: v for k, v in m.items() if k not in {"added_at"}} for d, m in store.manifest().items()}
    ids = [cid for cid, _, _ in store.iter_chunks()]
    chunks = {cid: (hit.text, hit.vector) for cid, hit in store.get_chunks(ids).items()}
    return manifest, chunks


def _assert_same_index(distributed, local) -> None:
    manifest, chunks = _snapshot(distributed)
    want_manifest, want_chunks = _snapshot(local)
    assert manifest == want_manifest
    assert sorted(chunks) == sorted(want_chunks)
    for cid, (text, vector) in chunks.items():
        want_text, want_vector = want_chunks[cid]
        assert text == want_text
        cosine = float(np.dot(vector, want_vector) / (np.linalg.norm(vector) * np.linalg.norm(want_vector)))
        # activations are quantized per batch (dynamic int8): other batch sizes move a vector a little
        assert cosine > 0.95, (cid, cosine)
    # the sentence-vector cache was filled during the distributed run: answers encode nothing more
    store = distributed.index.store
    cached = store.piece_vectors([(cid, text) for cid, (text, _) in chunks.items()])
    assert set(cached) == set(chunks)


def test_ray_add_survives_a_killed_worker_and_matches_an_in_process_build(
        ray_cluster, chroma_url, articles, make_service, tmp_path):
    collection = unique_collection()
    env = _env(tmp_path, chroma_url, collection)
    bad = write_bad_inputs(tmp_path / "bad")  # bad files among good ones: reported each, never stopping the job
    for problem in ("malformed JSON", "unreadable PDF"):
        shutil.copy(bad[problem], articles / bad[problem].name)
    driver = _cli(["index", "add", str(articles), "--ray", ray_cluster.address, "--ray-actors", "2",
                   "--ray-batch-size", "2", "--json"], env, tmp_path)
    victims = wait_for(_encoder_actors(driver), timeout=600, what="an encoder actor")
    time.sleep(2)  # let it take batches, then kill it mid-job
    os.kill(victims[0], signal.SIGKILL)
    out, err = driver.communicate(timeout=900)
    assert driver.returncode == 2, err  # bad input, named per file, as in process
    report = json.loads(out)
    assert report["added"] == 3
    assert {Path(f["path"]).name for f in report["failures"]} == {bad["malformed JSON"].name,
                                                                  bad["unreadable PDF"].name}
    assert bad["malformed JSON"].name in err and bad["unreadable PDF"].name in err

    # the command's own index folder: its sentence-vector cache is per process folder, like BM25
    distributed = make_service("app-index", chroma_url=chroma_url, collection=collection)
    local = make_service("local", chroma_url=chroma_url, collection=unique_collection())
    assert local.add_paths([articles]).counts()["added"] == 3
    _assert_same_index(distributed, local)
    answer = distributed.ask("Qui dirige l'Armée nationale arabe libyenne ?")
    assert "Haftar" in answer.answer and answer.citations


def test_ray_rebuild_interrupted_keeps_the_old_index_and_a_rerun_completes_it(
        ray_cluster, chroma_url, articles, seed_copy, make_service, tmp_path):
    collection = unique_collection()
    before = make_service("before", chroma_url=chroma_url, collection=collection)
    assert before.add_paths([seed_copy]).counts()["added"] == 1
    seed_title = before.documents()[0].title
    env = _env(tmp_path, chroma_url, collection)
    args = ["index", "rebuild", "--from", str(articles), "--ray", ray_cluster.address,
            "--ray-actors", "1", "--ray-batch-size", "2"]
    driver = _cli(args, env, tmp_path)
    wait_for(_encoder_actors(driver), timeout=600, what="an encoder actor")
    time.sleep(2)
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=60)

    before.index.refresh()
    assert [d.title for d in before.documents()] == [seed_title]  # the old generation still serves

    rerun = _cli(args + ["--json"], env, tmp_path)
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err
    distributed = make_service("app-index", chroma_url=chroma_url, collection=collection)
    local = make_service("local", chroma_url=chroma_url, collection=unique_collection())
    local.add_paths([articles])
    _assert_same_index(distributed, local)


def test_a_worker_without_the_weights_fails_before_any_write(ray_cluster, chroma_url, articles, tmp_path):
    from conftest import MODELS

    broken = tmp_path / "models"
    (broken / "embeddinggemma-300m").mkdir(parents=True)
    for item in (MODELS / "embeddinggemma-300m").iterdir():
        if item.name not in {"onnx", "model.safetensors"}:
            (broken / "embeddinggemma-300m" / item.name).symlink_to(item)
    env = {**_env(tmp_path, chroma_url, unique_collection()), "CHATBOT_MODELS_DIR": str(broken),
           "CHATBOT_EMBEDDING_BACKEND": "onnx"}
    proc = _cli(["index", "add", str(articles), "--ray", ray_cluster.address], env, tmp_path)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 2
    assert "encoder weights not found" in err and "chatbot models fetch" in err
