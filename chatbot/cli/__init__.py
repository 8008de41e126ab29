"""The ``chatbot`` command: a thin shell over :class:`ChatService`.

Exit status: 0 on success, 2 for bad usage or bad input (the message on stderr names the file or
field), 1 for anything else.
"""

from __future__ import annotations

import sys

import typer

from chatbot.cli import index_commands, reading_commands  # noqa: F401 - importing them registers the commands
from chatbot.cli.common import app, configure_process

__all__ = ["app", "configure_process", "main"]


def main() -> None:
    """Run the command line; an error nobody caught is one line on stderr and exit 1."""
    configure_process()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
