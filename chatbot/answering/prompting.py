"""Prompt files: chat messages kept as text files under ``prompts/``, filled in one pass.

A prompt file holds sections headed ``=== system ===``, ``=== user ===`` or ``=== assistant ===``
(lines before the first heading are comments). ``{field}`` placeholders are replaced by the values
given; a value is inserted literally, so article text that contains braces is never re-expanded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

PROMPTS = Path(__file__).parent / "prompts"
_SECTION = re.compile(r"^=== (system|user|assistant) ===$", re.M)
_FIELD = re.compile(r"\{([a-z_]+)\}")
ChatMessages = list[dict[str, str]]


@lru_cache(maxsize=32)
def load_prompt(name: str) -> tuple[tuple[str, str], ...]:
    """(role, text) sections of a prompt file; lines before the first section are comments."""
    raw = (PROMPTS / f"{name}.txt").read_text("utf-8")
    parts = _SECTION.split(raw)
    return tuple((parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts) - 1, 2))


def render(name: str, **values: str) -> ChatMessages:
    """The prompt's messages with ``{field}`` placeholders filled (one pass: values stay literal)."""
    return [{"role": role, "content": _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)}
            for role, text in load_prompt(name)]
