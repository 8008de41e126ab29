"""Size limits of a conversation, the same on every route (``/api/ask``, ``/v1``, the chat page).

A question is bounded by ``CHATBOT_MAX_QUESTION_CHARS``; earlier turns are bounded in number
(``CHATBOT_MAX_HISTORY_TURNS``) and in length (``CHATBOT_MAX_TURN_CHARS``), because they feed the
follow-up resolution and the answer: an unbounded turn costs every user of the server time.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.settings import Settings


class TooLong(ValueError):
    """A part of the request over its limit; ``field`` names it the way the client sent it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = f"{field}: {message}"


def check_question(settings: Settings, text: str, field: str) -> None:
    limit = settings.max_question_chars
    if len(text) > limit:
        raise TooLong(field, f"{len(text)} characters, the limit is {limit} (CHATBOT_MAX_QUESTION_CHARS)")


def check_history(settings: Settings, turns: Sequence[str], field: str,
                  turn_field: Sequence[str] | None = None) -> None:
    """``turns`` are the texts of the earlier messages; ``turn_field[i]`` names turn ``i``."""
    most = settings.max_history_turns
    if len(turns) > most:
        raise TooLong(field, f"{len(turns)} earlier messages, the limit is {most} (CHATBOT_MAX_HISTORY_TURNS); "
                      "send only the most recent ones")
    limit = settings.max_turn_chars
    for i, text in enumerate(turns):
        if len(text) > limit:
            name = turn_field[i] if turn_field else f"{field}[{i}].content"
            raise TooLong(name, f"{len(text)} characters, the limit per earlier message is {limit} "
                          "(CHATBOT_MAX_TURN_CHARS)")
