"""What every ``chatbot`` command shares: the command groups, the common options, the process set-up,
the service they drive and how they report (one line on stderr naming the file or option, exit 2
for bad input).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from chatbot.schemas import Message, SyncReport

app = typer.Typer(help="Q&A chatbot over news articles, with cited answers.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
index_app = typer.Typer(help="Build and maintain the article index.", no_args_is_help=True)
models_app = typer.Typer(help="Fetch and verify model weights.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(models_app, name="models")
log = logging.getLogger("chatbot")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only articles published on or after this date.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Only articles published on or before this date.")]
SourceOpt = Annotated[list[str] | None, typer.Option("--source", help="Only articles of this outlet (repeatable).")]
RayOpt = Annotated[str | None, typer.Option(
    "--ray", help="Ray cluster address (also CHATBOT_RAY_ADDRESS): load, chunk and encode there.")]
RayActorsOpt = Annotated[int | None, typer.Option("--ray-actors", min=1, help="Encoder actors on Ray.")]
RayBatchOpt = Annotated[int | None, typer.Option("--ray-batch-size", min=1, help="Chunks per encode batch on Ray.")]


def parse_filters(since: str | None, until: str | None, sources: list[str] | None) -> Any:
    """The --since/--until/--source filters; a bad value exits 2 naming the option."""
    from chatbot.retrieval.filters import FilterError, Filters

    try:
        filters = Filters.parse(since, until, sources)
    except FilterError as exc:
        fail(f"--{exc.field.rstrip('s') if exc.field == 'sources' else exc.field}: {exc.message}")
    return filters if filters.active else None


# Process-wide settings for the model libraries: set here, by the entry point, before they are
# imported (huggingface_hub and transformers read them at import), never by a library constructor.
PROCESS_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",  # models come from the models folder, never from a hub at run time
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",  # the encoder gate already runs one encoding at a time
}


def configure_process() -> None:
    """Environment and logging of a ``chatbot`` process (values already set by the user are kept)."""
    for name, value in PROCESS_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def make_service(**overrides: Any) -> Any:
    """The service on the process settings, with the options given on the command line applied."""
    from chatbot.service.chat import ChatService
    from chatbot.settings import get_settings

    given = {k: v for k, v in overrides.items() if v is not None}
    return ChatService(get_settings().model_copy(update=given) if given else None)


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextlib.contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Any]:
    """A rich progress bar on stderr (None when quiet)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"),
                   TextColumn("{task.fields[articles]}"), TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=None, rate="", articles="")

    def update(done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None:
        speed = bar.tasks[0].speed
        articles = f"{articles_done}/{articles_total} articles" if articles_total else ""
        bar.update(task, completed=done, total=total, rate=f"{speed:.1f} chunks/s" if speed else "",
                   articles=articles)

    with bar:
        yield update


def job_label(service: Any, what: str) -> str:
    address = service.settings.ray_address
    return f"{what} on Ray ({address}, {service.settings.ray_actors} actors)" if address else what


@contextlib.contextmanager
def distributed_errors(service: Any) -> Iterator[None]:
    """A cluster that cannot run the job is a usage problem: one line, exit 2.

    Whatever a library prints while the job runs (Ray reports a worker it lost on stdout) goes to
    stderr: stdout carries only the command's own report, so ``--json`` output stays parseable.
    The service's cluster connection is closed when the job ends, before the command's exit
    status is set (see ``ChatService.close``).
    """
    from chatbot.cluster.ray_indexing import RaySetupError

    try:
        with contextlib.redirect_stdout(sys.stderr):
            try:
                yield
            finally:
                service.close()
    except RaySetupError as exc:
        fail(str(exc))


def print_report(report: SyncReport, as_json: bool) -> None:
    for failure in report.failed:
        typer.echo(f"error: {failure['path']}: {failure['error']}", err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {warning['path']}: {warning['warning']}", err=True)
    if as_json:
        print_json({**report.counts(), "failures": report.failed, "warnings": report.warnings, "doc_ids": {
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
            "removed": report.removed}})
    else:
        c = report.counts()
        typer.echo(f"added {c['added']}, updated {c['updated']}, unchanged {c['unchanged']}, "
                   f"removed {c['removed']}, failed {c['failed']} ({c['chunks_embedded']} chunks embedded)")
    if report.failed:
        raise typer.Exit(2)


def read_history(path: Path | None) -> list[Message]:
    if path is None:
        return []
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: malformed JSON ({exc})")
    if not isinstance(raw, list):
        fail(f"{path}: expected a JSON list of messages")
    try:
        return [Message.model_validate(m) for m in raw]
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{path}: message {err['loc'][0] if err['loc'] else '?'}: {err['msg']}")
    return []
