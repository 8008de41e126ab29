"""The chat page's words, French and English, read once from ``labels.toml`` (data, not code)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

_TABLES: dict[str, dict[str, dict[str, Any]]] = tomllib.loads(
    (Path(__file__).with_name("labels.toml")).read_text("utf-8"))

PAGE: dict[str, dict[str, str]] = _TABLES["page"]  # Gradio i18n keys of the page's components
RENDER: dict[str, dict[str, str]] = _TABLES["render"]  # answers, refusals and source cards
ADMIN: dict[str, dict[str, Any]] = _TABLES["admin"]  # the Articles tab's messages
ENTITIES: dict[str, dict[str, Any]] = _TABLES["entities"]  # the Entities tab's words
