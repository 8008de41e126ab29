"""Generative language models behind one small protocol, so the answerer never names a backend.

Two backends exist:

* ``LocalLLM``: the fetched Qwen2.5-Coder-1.5B-Instruct GGUF run in this process with xllamacpp.
  It is loaded once, on first use, and a lock lets one generation run at a time (two at once on a
  2-core CPU would only make both slower). Its native call blocks, so a worker thread feeds a queue
  that the caller iterates; the stream callback stops generation when the deadline passes or the
  caller goes away.
* ``OpenAICompatibleLLM``: any OpenAI-compatible server (Ollama, vLLM, llama.cpp server, OpenAI)
  through langchain-openai's ``ChatOpenAI``.

Both raise ``LLMTimeout`` when the deadline passes and ``LLMError`` for any other failure, which is
what lets the answerer fall back to extractive answers with a precise reason.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from chatbot.settings import Settings
from chatbot.weights import ModelError

log = logging.getLogger(__name__)
ChatMessages = list[dict[str, str]]


class LLMError(RuntimeError):
    """The model could not produce an answer (server down, bad reply, crash)."""


class LLMTimeout(LLMError):
    """The model did not finish within the allowed time."""


class LLM(Protocol):
    name: str
    max_passages: int  # how many passages a prompt should carry (prompt reading costs time)

    def load(self) -> None:
        """Be ready to answer at once (load weights; nothing for a remote server)."""
        ...

    def complete(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
                 timeout: float) -> str: ...

    def stream(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
               timeout: float) -> Iterator[str]: ...


_DONE = object()


class LocalLLM:
    """The embedded GGUF model, run in process by xllamacpp."""

    name = "local"
    max_passages = 3  # prompt reading is ~80 tokens/s on 2 cores: keep prompts short

    def __init__(self, path: Path, n_ctx: int = 4096, threads: int = 0) -> None:
        if not path.is_file():
            raise ModelError(
                f"local LLM weights not found at {path}: run `chatbot models fetch --llm` "
                "(or set CHATBOT_LLM_BASE_URL to use an OpenAI-compatible server)"
            )
        self.path = path
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 2
        self._server: Any | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def _load(self) -> Any:
        with self._load_lock:
            if self._server is None:
                import xllamacpp as xlc

                params = xlc.CommonParams()
                params.model.path = str(self.path)
                params.n_ctx = self.n_ctx
                params.n_parallel = 1
                params.cpuparams.n_threads = self.threads
                params.cpuparams_batch.n_threads = self.threads
                params.sampling.temp = 0.0
                params.warmup = False
                params.verbosity = 3 if log.isEnabledFor(logging.DEBUG) else -1  # llama.cpp's own log
                started = time.perf_counter()
                self._server = xlc.Server(params)
                log.info("local LLM %s loaded in %.1f s", self.path.name, time.perf_counter() - started)
            return self._server

    def load(self) -> None:
        """Load the model now (the first question would otherwise pay for it)."""
        self._load()

    @property
    def loaded(self) -> bool:
        return self._server is not None

    def complete(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
                 timeout: float) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature,
                                   timeout=timeout))

    def stream(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
               timeout: float) -> Iterator[str]:
        server = self._load()
        pieces: queue.Queue[object] = queue.Queue()
        stop = threading.Event()
        deadline = time.monotonic() + timeout
        request = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                   "stream": True, "cache_prompt": True}

        def on_chunk(chunk: Any) -> bool:
            if isinstance(chunk, dict):
                if chunk.get("error"):
                    pieces.put(LLMError(str(chunk["error"])))
                    return True
                for choice in chunk.get("choices") or []:
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        pieces.put(content)
            return stop.is_set() or time.monotonic() > deadline  # True stops generation

        def run() -> None:
            try:
                with self._run_lock:
                    if not stop.is_set():
                        server.handle_chat_completions(request, on_chunk)
            except Exception as exc:  # noqa: BLE001 - reported to the caller as LLMError
                pieces.put(LLMError(f"local LLM failed: {exc}"))
            finally:
                pieces.put(_DONE)

        threading.Thread(target=run, name="local-llm", daemon=True).start()
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMTimeout(f"local LLM took longer than {timeout:.0f} s")
                try:
                    item = pieces.get(timeout=remaining)
                except queue.Empty as exc:
                    raise LLMTimeout(f"local LLM took longer than {timeout:.0f} s") from exc
                if item is _DONE:
                    return
                if isinstance(item, Exception):
                    raise item
                yield str(item)
        finally:
            stop.set()


class OpenAICompatibleLLM:
    """Any server speaking the OpenAI chat-completions protocol, through langchain-openai."""

    name = "openai"
    max_passages = 4

    def __init__(self, base_url: str, model: str | None, api_key: str | None, timeout: float) -> None:
        from langchain_openai import ChatOpenAI

        self.model = model or "default"
        self.client = ChatOpenAI(base_url=base_url, model=self.model, api_key=api_key or "not-needed",
                                 timeout=timeout, max_retries=0)

    def load(self) -> None:
        return None  # a remote server is loaded by whoever runs it

    def _options(self, max_tokens: int, temperature: float, timeout: float) -> dict[str, Any]:
        return {"max_tokens": max_tokens, "temperature": temperature, "timeout": timeout}

    def complete(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
                 timeout: float) -> str:
        try:
            reply = self.client.invoke(messages, **self._options(max_tokens, temperature, timeout))
        except Exception as exc:  # noqa: BLE001 - classified below
            raise _classify(exc) from exc
        return _text(reply.content)

    def stream(self, messages: ChatMessages, *, max_tokens: int, temperature: float,
               timeout: float) -> Iterator[str]:
        deadline = time.monotonic() + timeout
        try:
            for chunk in self.client.stream(messages, **self._options(max_tokens, temperature, timeout)):
                if time.monotonic() > deadline:
                    raise LLMTimeout(f"{self.model} took longer than {timeout:.0f} s")
                text = _text(chunk.content)
                if text:
                    yield text
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below
            raise _classify(exc) from exc


def _text(content: Any) -> str:
    """Message content as plain text (some servers send a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def _classify(exc: Exception) -> LLMError:
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LLMTimeout(f"LLM server timed out: {exc}")
    return LLMError(f"LLM server failed: {type(exc).__name__}: {exc}")


_LOCAL_CACHE: dict[tuple[str, int], LocalLLM] = {}
_CACHE_LOCK = threading.Lock()


def make_llm(settings: Settings) -> LLM:
    """The configured server when ``llm_base_url`` is set, else the embedded model (one per process)."""
    if settings.llm_base_url:
        return OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                   settings.llm_timeout_s)
    path = settings.llm_gguf_path
    key = (str(path.resolve()), settings.llm_ctx)
    with _CACHE_LOCK:
        if key not in _LOCAL_CACHE:
            _LOCAL_CACHE[key] = LocalLLM(path, n_ctx=settings.llm_ctx)
        return _LOCAL_CACHE[key]
