"""The commands that read the index: ``search``, ``ask``, ``timeline``, ``entities``, ``eval`` and ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from chatbot.cli.common import (
    JsonOpt,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    app,
    fail,
    make_service,
    parse_filters,
    print_json,
    read_history,
)


@app.command("search")
def search(query: str, k: Annotated[int, typer.Option("--k", min=1, max=100)] = 5,
           since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
           as_json: JsonOpt = False) -> None:
    """The passages that best match QUERY."""
    if not query.strip():
        fail("QUERY is empty")
    filters = parse_filters(since, until, source)
    found = make_service().search_scoped(query, k, filters)
    passages = found.passages
    if found.scope is not None and found.scope.empty:
        typer.echo(found.scope.message(), err=True)
    if as_json:
        print_json([p.model_dump() for p in passages])
        return
    for rank, p in enumerate(passages, start=1):
        about = ", ".join(x for x in (p.source, p.date) if x)
        typer.echo(f"[{rank}] {p.title} ({p.doc_id} {p.start}-{p.end}, score {p.score:.4f})"
                   + (f" [{about}]" if about else ""))
        typer.echo(f"    {p.text}\n")


@app.command("ask")
def ask(question: str,
        history_file: Annotated[Path | None, typer.Option("--history-file")] = None,
        stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it is written.")] = False,
        since: SinceOpt = None, until: UntilOpt = None, source: SourceOpt = None,
        as_json: JsonOpt = False) -> None:
    """Answer QUESTION from the articles, with citations."""
    if not question.strip():
        fail("QUESTION is empty")
    filters = parse_filters(since, until, source)
    history = read_history(history_file)
    service = make_service()
    streamed: list[str] = []

    def on_event(kind: str, data: Any) -> None:
        if kind == "delta" and stream and not as_json:
            streamed.append(data)
            typer.echo(data, nl=False)

    answer = service.ask(question, history, on_event=on_event, filters=filters)
    if as_json:
        print_json(answer.model_dump())
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
        fail("QUERY is empty")
    found = make_service().timeline(query, parse_filters(since, until, source))
    if as_json:
        print_json(found.model_dump())
        return
    if found.message:
        typer.echo(found.message, err=True)
    for event in found.events:
        c = event.citation
        reported = f" (published {c.date})" if c.date and c.date != event.date else ""
        ahead = " [still to come when published]" if event.ahead else ""
        typer.echo(f"{event.date}{reported}{ahead}  {c.source or '-'}: {event.quote} ({c.doc_id}, {c.start}-{c.end})")


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
        fail(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    try:
        found = make_service().entities.listing(parse_filters(since, until, source), kind, query, limit or None)
    except EntitiesOff as exc:
        fail(str(exc))
    if as_json:
        print_json({"entities": [e.model_dump() for e in found]})
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
        fail(str(exc))
    if limit:
        questions = questions[:limit]
    service = make_service()
    if service.index.counts()[0] == 0:
        fail(f"the index in {service.settings.index_dir} is empty: add the articles the questions are about "
              f"first (chatbot index add {service.settings.articles_dir})")
    if calibrate_refusal:
        from chatbot.evaluation import calibrated_threshold

        try:
            found = calibrated_threshold(service, questions)
        except EvalError as exc:
            fail(str(exc))
        typer.echo(f"calibrated refusal threshold: {found['threshold']} "
                   f"({found['right']}/{found['questions']} right); set CHATBOT_REFUSAL_THRESHOLD", err=True)
    report = run_eval(service, questions)
    if as_json:
        print_json(report)
    else:
        typer.echo(format_report(report))


@app.command("serve")
def serve(host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port")] = 7860) -> None:
    """Serve the chat page at /, the JSON API at /api and the OpenAI-compatible API at /v1."""
    from chatbot.server import run

    run(host, port)
