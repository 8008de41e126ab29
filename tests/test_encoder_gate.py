"""The encoder gate: a question waiting for the encoder goes before the next indexing mini-batch."""

from __future__ import annotations

import threading
import time

from chatbot.encoder.embedder import EncoderGate


def test_a_waiting_question_goes_before_the_next_bulk_batch():
    gate = EncoderGate()
    order: list[str] = []
    first_batch_running = threading.Event()
    release_first_batch = threading.Event()

    def indexer() -> None:
        with gate.bulk():
            first_batch_running.set()
            release_first_batch.wait(5)
            order.append("batch 1")
        time.sleep(0.05)  # the question queued meanwhile must win the race for the gate
        with gate.bulk():
            order.append("batch 2")

    def question() -> None:
        with gate.interactive():
            order.append("question")

    worker = threading.Thread(target=indexer)
    worker.start()
    assert first_batch_running.wait(5)
    asker = threading.Thread(target=question)
    asker.start()
    time.sleep(0.1)  # the question is now waiting behind batch 1
    assert order == []
    release_first_batch.set()
    worker.join(5)
    asker.join(5)
    assert order == ["batch 1", "question", "batch 2"]


def test_only_one_encoder_call_at_a_time():
    gate = EncoderGate()
    inside = 0
    most = 0
    lock = threading.Lock()

    def work(kind: str) -> None:
        nonlocal inside, most
        with gate.bulk() if kind == "bulk" else gate.interactive():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work, args=("bulk" if i % 2 else "q",)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most == 1


def test_indexing_still_progresses_under_a_steady_stream_of_questions():
    gate = EncoderGate()
    stop = threading.Event()
    batches = 0

    def asker() -> None:
        while not stop.is_set():
            with gate.interactive():
                time.sleep(0.002)

    def indexer() -> None:
        nonlocal batches
        for _ in range(5):
            with gate.bulk():
                batches += 1
                time.sleep(0.002)

    askers = [threading.Thread(target=asker) for _ in range(6)]
    for t in askers:
        t.start()
    worker = threading.Thread(target=indexer)
    worker.start()
    worker.join(5)
    stop.set()
    for t in askers:
        t.join(5)
    assert batches == 5  # five mini-batches done in well under 5 s while six askers kept the gate busy
