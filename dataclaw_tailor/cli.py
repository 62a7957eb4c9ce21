"""The `claw` / `dataclaw-tailor` command line.

Commands are thin: they parse arguments, call the package and render the result. Exit codes:
0 a valid result, 1 an error or invalid record, 2 usage, 3 clarification needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from .core import DataClawError, Intent
from .training.cli import train_app

app = typer.Typer(
    name="claw",
    help="DataClaw Tailor: turn raw videos, GUI traces, robot episodes and edit sequences into grounded training JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(train_app, name="train")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CLARIFY = 0, 1, 2, 3


def emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _load_json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DataClawError(f"{path}: {what} file not found") from None
    except json.JSONDecodeError as exc:
        raise DataClawError(f"{path}: {what} is not valid JSON ({exc})") from None


@app.command()
def tailor(
    source: Annotated[Path | None, typer.Argument(help="Video, GUI trace, robot episode or edit-sequence folder.")] = None,
    intent: Annotated[str | None, typer.Option("--intent", "-i", help="What training data you want, in words.")] = None,
    domain: Annotated[str | None, typer.Option(help="Force an expert: gui, embodied, daily, education, aigc, custom.")] = None,
    task: Annotated[str | None, typer.Option(help="Force a task, e.g. gui.trajectory (see `claw tasks`).")] = None,
    schema: Annotated[Path | None, typer.Option(help="Your own JSON Schema (implies --task custom).")] = None,
    backend: Annotated[str, typer.Option(help="Tailoring backend: rules (default, no model), openai, local, sampling.")] = "rules",
    out: Annotated[Path | None, typer.Option(help="Write the result envelope here (.jsonl appends a line).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result envelope as JSON.")] = False,
    thread: Annotated[str | None, typer.Option(help="Resume this thread (from a needs_clarification result).")] = None,
    answer: Annotated[list[str] | None, typer.Option(help="Answer to a clarification question (value, label, number or id=value).")] = None,
    max_items: Annotated[int | None, typer.Option(min=1, help="Upper bound on list items in the record.")] = None,
    state_dir: Annotated[Path | None, typer.Option(help="Where thread checkpoints live (default ~/.local/state/dataclaw-tailor).")] = None,
) -> None:
    """Tailor one source into a schema-valid, grounded record."""
    from .graph import tailor as run_tailor

    if thread is None and (source is None or intent is None):
        raise typer.BadParameter("give SOURCE and --intent, or --thread with --answer")
    if thread is not None and not answer:
        raise typer.BadParameter("--thread needs at least one --answer")
    user_intent = None
    if intent is not None:
        custom = _load_json_file(schema, "schema") if schema else None
        user_intent = Intent(text=intent, domain=domain, task="custom" if custom else task, schema=custom, max_items=max_items)
    result = run_tailor(source, user_intent, backend=backend, thread_id=thread, answers=answer, state_dir=state_dir)
    if result.status == "needs_clarification" and not as_json and sys.stdin.isatty():
        result = run_tailor(None, None, backend=backend, thread_id=result.thread_id, answers=_ask(result.questions), state_dir=state_dir)
    payload = result.model_dump(mode="json")
    if out is not None:
        _write_envelope(out, payload)
    if as_json:
        emit_json(payload)
    else:
        _print_summary(payload)
    raise typer.Exit({"ok": EXIT_OK, "needs_clarification": EXIT_CLARIFY}.get(result.status, EXIT_ERROR))


def _ask(questions: list[dict[str, Any]]) -> list[str]:
    answers = []
    for q in questions:
        typer.echo(q["text"])
        for i, opt in enumerate(q["options"], 1):
            typer.echo(f"  {i}. {opt['label']}")
        answers.append(f"{q['id']}={typer.prompt('Choose', default='1')}")
    return answers


def _write_envelope(out: Path, payload: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".jsonl":
        with out.open("a") as fh:
            fh.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    else:
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _print_summary(payload: dict[str, Any]) -> None:
    status = payload["status"]
    typer.echo(f"status: {status}   thread: {payload['thread_id']}")
    if status == "needs_clarification":
        for q in payload["questions"]:
            typer.echo(q["text"])
            for i, opt in enumerate(q["options"], 1):
                typer.echo(f"  {i}. {opt['label']}")
        typer.echo(f"answer with: claw tailor --thread {payload['thread_id']} --answer <value>")
        return
    typer.echo(f"task: {payload['task']} ({payload['domain']})   anchors: {len(payload['anchors'])}")
    for err in payload["validation"]["errors"]:
        typer.echo(f"  error {err['path']}: {err['message']}")
    for rep in payload["validation"]["repairs"]:
        typer.echo(f"  repaired {rep['path']}: {rep['action']} {rep['detail']}")
    typer.echo(json.dumps(payload["record"], ensure_ascii=False, indent=2))


@app.command()
def tasks(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False) -> None:
    """List the experts' tasks."""
    from .experts.registry import list_tasks

    rows = [
        {"task": s.name, "domain": s.domain, "version": s.version, "sources": sorted(s.source_kinds), "description": s.description}
        for s in list_tasks()
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['task']:<24} v{r['version']:<5} {','.join(r['sources']):<34} {r['description']}")


@app.command()
def schema(task: Annotated[str, typer.Argument(help="Task name, e.g. gui.trajectory.")]) -> None:
    """Print a task's JSON Schema."""
    from .experts.registry import get_task

    emit_json(get_task(task).json_schema())


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A record JSON, or a result envelope with `record` and `anchors`.")],
    task: Annotated[str, typer.Option(help="Task whose schema the record must follow.")],
    source: Annotated[Path | None, typer.Option(help="Source to ground against (anchors are extracted).")] = None,
    custom_schema: Annotated[Path | None, typer.Option("--schema", help="JSON Schema for --task custom.")] = None,
) -> None:
    """Validate (without repairing) a record against its task schema and the source's anchors."""
    from .core import Anchor
    from .core.validate import check_record
    from .experts.registry import get_task
    from .tools import detect, extract

    spec = get_task(task)
    text = file.read_text() if file.exists() else None
    if text is None:
        raise DataClawError(f"{file}: record file not found")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    envelope = isinstance(doc, dict) and "record" in doc and "anchors" in doc
    record: Any = doc["record"] if envelope else text
    anchors = [Anchor.model_validate(a) for a in doc["anchors"]] if envelope else []
    src = None
    if source is not None:
        src = detect(source)
        anchors = extract(src, kinds=list(spec.extractors) or None)
    checked = check_record(record, spec.json_schema(_load_json_file(custom_schema, "schema") if custom_schema else None), anchors, src, repair=False)
    emit_json(checked.report.summary())
    raise typer.Exit(EXIT_OK if checked.report.valid else EXIT_ERROR)


@app.command()
def corpus(
    folder: Annotated[Path, typer.Argument(help="Folder whose files / sub-folders are the sources.")],
    intent: Annotated[str, typer.Option("--intent", "-i", help="What training data you want from every source.")],
    out: Annotated[Path, typer.Option(help="Output folder: manifest.jsonl, records/, records.jsonl.")],
    task: Annotated[str | None, typer.Option(help="Force a task for every source.")] = None,
    backend: Annotated[str, typer.Option(help="Tailoring backend.")] = "rules",
    concurrency: Annotated[int, typer.Option(min=1, help="Sources tailored at once.")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Tailor every source in a folder; re-running resumes and skips finished sources."""
    import asyncio

    from .batch import discover, run_corpus

    async def show(done: int, total: int, message: str) -> None:
        if not as_json:
            typer.echo(f"[{done}/{total}] {message}", err=True)

    summary = asyncio.run(
        run_corpus(discover(folder), Intent(text=intent, task=task), out_dir=out, backend=backend, concurrency=concurrency, progress=show)
    )
    if as_json:
        emit_json(summary.model_dump(mode="json"))
    else:
        typer.echo(f"{summary.ok} ok, {summary.invalid} invalid, {summary.needs_clarification} need clarification, "
                   f"{summary.errors} errors, {summary.skipped} already done -> {summary.records_path}")
    raise typer.Exit(EXIT_OK if summary.errors == 0 else EXIT_ERROR)


def main() -> None:
    """Console entry point: typed errors become one line on stderr, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except DataClawError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.Abort:
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
