"""The `claw` / `dataclaw-tailor` command line.

Commands are thin: they parse arguments, call the package and render the result. Exit codes:
0 a valid result, 1 an error or invalid record, 2 usage, 3 clarification needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .core import DataClawError, Intent
from .training.cli import train_app

log = logging.getLogger(__name__)

app = typer.Typer(
    name="claw",
    help="DataClaw Tailor: turn raw videos, GUI traces, robot episodes and edit sequences into grounded training JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(train_app, name="train")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CLARIFY = 0, 1, 2, 3
# Paths the user names are checked by the package (`readable=False` keeps click from answering an unreadable
# file with a usage screen), so every problem with one is the same one-line error naming it.
LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)


def configure_logging(verbosity: int) -> None:
    """The package's records on stderr (stdout carries results, and the MCP protocol on stdio): warnings
    by default, `-v` adds what each step did, `-vv` node timings and other detail. A process that already
    routes logging (an embedding application) keeps its handlers; only the package's level is set. The stderr
    handler keeps that level itself: an MCP client that asks for debug messages (`server/logs.py`) lowers the
    package's level to get them, and stderr stays as the operator chose."""
    level = LEVELS[min(verbosity, len(LEVELS) - 1)]
    logging.getLogger("dataclaw_tailor").setLevel(level)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        root.addHandler(handler)


@app.callback()
def main_options(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="Log what each step does to stderr (-vv: more detail).")] = 0,
) -> None:
    """DataClaw Tailor: turn raw videos, GUI traces, robot episodes and edit sequences into grounded training JSON."""
    configure_logging(verbose)


def emit_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _schema_file(path: Path) -> dict[str, Any]:
    """A `--schema` file: one JSON object (the schema's own shape is checked where it is used)."""
    from .core import InputError
    from .tools.files import read_json

    schema = read_json(path, "schema")
    if not isinstance(schema, dict):
        raise InputError(path, f"a JSON Schema is a JSON object, not {type(schema).__name__}")
    return schema


@app.command()
def tailor(
    source: Annotated[Path | None, typer.Argument(help="Video, GUI trace, robot episode or edit-sequence folder.", readable=False)] = None,
    intent: Annotated[str | None, typer.Option("--intent", "-i", help="What training data you want, in words.")] = None,
    domain: Annotated[str | None, typer.Option(help="Force an expert: gui, embodied, daily, education, aigc, custom.")] = None,
    task: Annotated[str | None, typer.Option(help="Force a task, e.g. gui.trajectory (see `claw tasks`).")] = None,
    schema: Annotated[Path | None, typer.Option(help="Your own JSON Schema (implies --task custom).")] = None,
    backend: Annotated[str, typer.Option(help="Tailoring backend: rules (default, no model), openai, local, sampling.")] = "rules",
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server for --backend openai, e.g. http://gpu:8000/v1.")] = None,
    model: Annotated[str | None, typer.Option(help="Served model name (openai) or checkpoint folder (local).")] = None,
    expert_model: Annotated[list[str] | None, typer.Option(help="DOMAIN=SERVED_NAME: the Expert adapter for a domain (openai; repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the result envelope here (.jsonl appends a line).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result envelope as JSON.")] = False,
    thread: Annotated[str | None, typer.Option(help="Resume this thread (from a needs_clarification result), or refine its record with --refine.")] = None,
    answer: Annotated[list[str] | None, typer.Option(help="Answer to a clarification question (value, label, number or id=value).")] = None,
    refine: Annotated[str | None, typer.Option(help="With --thread: a follow-up on its finished record, e.g. 'shorter captions' or 'at most 3 steps'; makes a new version.")] = None,
    max_items: Annotated[int | None, typer.Option(min=1, help="Upper bound on list items in the record.")] = None,
    language: Annotated[str, typer.Option(help="Language of the record's text (model backends; the rules backend writes English).")] = "en",
    state_dir: Annotated[Path | None, typer.Option(help="Where thread checkpoints live (default ~/.local/state/dataclaw-tailor).")] = None,
) -> None:
    """Tailor one source into a schema-valid, grounded record."""
    from .service import Settings, TailorService, write_envelope

    settings = Settings.from_flags(backend, base_url=base_url, model=model, expert_models=expert_model, state_dir=state_dir)
    if thread is None and (source is None or intent is None):
        raise typer.BadParameter("give SOURCE and --intent, or --thread with --answer")
    if refine is not None and thread is None:
        raise typer.BadParameter("--refine needs --thread: the thread whose record to refine")
    if thread is not None and not answer and refine is None:
        raise typer.BadParameter("--thread needs at least one --answer, or --refine")
    user_intent = None
    if intent is not None:
        custom = _schema_file(schema) if schema else None
        user_intent = Intent(text=intent, domain=domain, task="custom" if custom else task, schema=custom, max_items=max_items,
                             language=language)
    ask = _ask if not as_json and sys.stdin.isatty() else None

    async def run() -> Any:
        service = TailorService(settings)
        try:
            if refine is not None:
                refined = await service.refine(thread, refine)
                for done in refined.applied:
                    typer.echo(f"applied: {done}", err=True)
                for missed in refined.not_applied:
                    typer.echo(f"not applied: {missed}", err=True)
                typer.echo(f"version {refined.version} of thread {thread}", err=True)
                return refined.envelope
            if thread is not None:
                return await service.answer(thread, answer, ask=ask)
            return await service.tailor(source, user_intent, ask=ask)
        finally:
            await service.aclose()

    result = asyncio.run(run())
    payload = result.model_dump(mode="json")
    if out is not None:
        write_envelope(result, out)
    if as_json:
        emit_json(payload)
    else:
        _print_summary(payload)
    raise typer.Exit({"ok": EXIT_OK, "needs_clarification": EXIT_CLARIFY}.get(result.status, EXIT_ERROR))


def _show_question(question: dict[str, Any]) -> None:
    typer.echo(question["text"])
    for i, opt in enumerate(question["options"], 1):
        typer.echo(f"  {i}. {opt['label']}")


async def _ask(questions: list[Any]) -> list[str]:
    """The terminal's way to answer: show each question with numbered options and read a choice."""
    answers = []
    for q in questions:
        _show_question(q.model_dump())
        answers.append(f"{q.id}={typer.prompt('Choose', default='1')}")
    return answers


def _print_summary(payload: dict[str, Any]) -> None:
    status = payload["status"]
    typer.echo(f"status: {status}   thread: {payload['thread_id']}")
    if status == "needs_clarification":
        for q in payload["questions"]:
            _show_question(q)
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
    file: Annotated[Path, typer.Argument(help="A record JSON, or a result envelope with `record` and `anchors`.", readable=False)],
    task: Annotated[str, typer.Option(help="Task whose schema the record must follow.")],
    source: Annotated[Path | None, typer.Option(help="Source to ground against (anchors are extracted).", readable=False)] = None,
    custom_schema: Annotated[Path | None, typer.Option("--schema", help="JSON Schema for --task custom.")] = None,
) -> None:
    """Validate (without repairing) a record against its task schema and the source's anchors."""
    from pydantic import TypeAdapter, ValidationError

    from .core import Anchor, InputError, Source
    from .core.errors import first_problem
    from .service import TailorService
    from .tools.files import read_text

    text = read_text(file, "record")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    envelope = isinstance(doc, dict) and "record" in doc and "anchors" in doc
    record: Any = doc["record"] if envelope else text
    anchors: list[Anchor] = []
    src: Path | Source | None = None
    if envelope:
        try:
            anchors = TypeAdapter(list[Anchor]).validate_python(doc["anchors"])
        except ValidationError as exc:
            raise InputError(file, first_problem(exc, "anchors")) from None
        try:
            src = Source.model_validate(doc["source"]) if doc.get("source") else None
        except ValidationError as exc:
            raise InputError(file, first_problem(exc, "source")) from None
    if source is not None:  # the source itself, not what the envelope says about it
        src = source
    custom = _schema_file(custom_schema) if custom_schema else None
    checked = asyncio.run(TailorService().validate(record, task=task, schema=custom, source=src, anchors=anchors, repair=False))
    emit_json(checked.report.summary())
    raise typer.Exit(EXIT_OK if checked.report.valid else EXIT_ERROR)


@app.command()
def corpus(
    folder: Annotated[Path, typer.Argument(help="Folder whose files / sub-folders are the sources.", readable=False)],
    intent: Annotated[str, typer.Option("--intent", "-i", help="What training data you want from every source.")],
    out: Annotated[Path, typer.Option(help="Output folder: manifest.jsonl, records/, records.jsonl, records.parquet.")],
    task: Annotated[list[str] | None, typer.Option(help="TASK for every source, or KIND=TASK for one source kind (repeatable).")] = None,
    answer: Annotated[list[str] | None, typer.Option(help="Answer to a fuzzy intent's question, for every source (ANSWER) or one kind (KIND=ANSWER); repeatable.")] = None,
    episodes: Annotated[str, typer.Option(help="Episodes of a multi-episode dataset: all, first, N or N-M.")] = "all",
    engine: Annotated[str, typer.Option(help="local (this process) or ray (Ray Data; needs the `scale` extra).")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster to join (host:port); default: start a local Ray.")] = None,
    backend: Annotated[str, typer.Option(help="Tailoring backend: rules, openai, local.")] = "rules",
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server for --backend openai.")] = None,
    model: Annotated[str | None, typer.Option(help="Served model name (openai) or checkpoint folder (local).")] = None,
    expert_model: Annotated[list[str] | None, typer.Option(help="DOMAIN=SERVED_NAME Expert adapter (openai; repeatable).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Sources tailored at once (ray: tailoring actors).")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Tailor every source in a folder; re-running resumes and skips finished sources.

    A video's .srt/.vtt/.json sidecars go with the video; a multi-episode dataset is one item per episode;
    a fuzzy intent is asked once per source kind (or answered by --answer) and the answer used for the rest.
    """
    from .batch import WorkSpec, by_kind, discover, run_corpus
    from .service import Settings

    if engine not in ("local", "ray"):
        raise typer.BadParameter("--engine is local or ray")
    settings = Settings.from_flags(backend, base_url=base_url, model=model, expert_models=expert_model)
    from pydantic import ValidationError

    try:
        spec = WorkSpec(intent=Intent(text=intent), tasks=by_kind(task, "--task"), answers=by_kind(answer, "--answer"),
                        episodes=episodes, out_dir=str(out))
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"]) from None
    ask = _ask if not as_json and sys.stdin.isatty() and engine == "local" else None
    sources = discover(folder.absolute())  # absolute, so every Ray node (and the records) name the same files
    with _corpus_progress(as_json) as show:
        if engine == "ray":
            from .batch.ray_engine import run_corpus_ray

            saved = os.dup(1)  # Ray's raylet and workers print to the driver's stdout: keep it for the summary
            os.dup2(2, 1)
            try:
                summary = asyncio.run(run_corpus_ray(settings, sources, spec, out_dir=out.absolute(), address=address,
                                                     workers=concurrency, progress=show))
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
                os.close(saved)
        else:
            async def run() -> Any:
                from .service import TailorService

                service = TailorService(settings)
                try:
                    return await run_corpus(service, sources, spec, out_dir=out, concurrency=concurrency, progress=show,
                                            ask=ask)
                finally:
                    await service.aclose()

            summary = asyncio.run(run())
    if as_json:
        emit_json(summary.model_dump(mode="json"))
    else:
        typer.echo(f"{summary.total} items: {summary.ok} ok, {summary.invalid} invalid, "
                   f"{summary.needs_clarification} need clarification, {summary.errors} errors, "
                   f"{summary.skipped} already done, {summary.sidecars} sidecar files -> {summary.records_path}")
        for item in summary.failures:
            typer.echo(f"  error: {item.error}")
        for kind, questions in summary.questions.items():
            for q in questions:
                typer.echo(f"  {kind} asks: {q.text} ({', '.join(o.value for o in q.options)}); "
                           f"answer with --answer {kind}=<value>")
    raise typer.Exit(EXIT_OK if summary.errors == 0 else EXIT_ERROR)


class _corpus_progress:
    """A rich progress bar (count, rate, ETA) on stderr, or nothing for --json; yields the run's callback."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("tailoring", total=None, rate="")

        async def show(done: int, total: int, message: str) -> None:
            self.bar.update(task, completed=done, total=total, description=message[:40])
            speed = self.bar.tasks[0].speed
            self.bar.update(task, rate=f"{speed:.2f} items/s" if speed else "")
        return show

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def anchors(
    source: Annotated[Path, typer.Argument(help="Video, GUI trace, robot episode or edit-sequence path.", readable=False)],
    kinds: Annotated[str | None, typer.Option(help="Comma-separated anchor kinds or extractor names (default: all for the kind).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {source, anchors} as JSON.")] = False,
) -> None:
    """Detect a source and print its factual anchors (t, p, c)."""
    from .core import Anchor
    from .tools import anchors_payload

    payload = anchors_payload(source, [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None)
    if as_json:
        emit_json(payload)
        return
    src = payload["source"]
    typer.echo(f"{src['path']}: {src['kind']} ({src['format']}) {json.dumps(src['meta'], ensure_ascii=False, default=str)}")
    for a in payload["anchors"]:
        typer.echo(Anchor.model_validate(a).line())


@app.command("serve-model")
def serve_model(
    engine: Annotated[str, typer.Option(help="vllm (GPU host: compose/run `vllm serve`) or transformers (this machine).")] = "transformers",
    base: Annotated[str | None, typer.Option(help="vllm: base model path or id (Omni: the unified model).")] = None,
    expert: Annotated[list[str] | None, typer.Option(help="vllm: NAME=ADAPTER_PATH, one LoRA adapter per domain (Expert; repeatable).")] = None,
    model: Annotated[Path | None, typer.Option(help="transformers: checkpoint folder to serve (default: the packaged nano model).")] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    served_model_name: Annotated[list[str] | None, typer.Option(help="Name(s) clients send as `model` (default dataclaw).")] = None,
    max_model_len: Annotated[int, typer.Option(help="vllm: context length.")] = 32768,
    max_lora_rank: Annotated[int, typer.Option(help="vllm: largest adapter rank.")] = 64,
    images: Annotated[int, typer.Option(help="vllm: images allowed per prompt.")] = 8,
    tensor_parallel_size: Annotated[int, typer.Option(help="vllm: GPUs per model.")] = 1,
    api_key_env: Annotated[str | None, typer.Option(help="Env var holding the API key clients must send (needed beyond loopback).")] = None,
    max_chars: Annotated[int, typer.Option(help="transformers: longest free-text string under constrained decoding.")] = 256,
    max_items: Annotated[int | None, typer.Option(help="transformers: longest list under constrained decoding.")] = None,
    threads: Annotated[int | None, typer.Option(help="transformers: torch CPU threads.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="vllm: print the command instead of running it.")] = False,
) -> None:
    """Serve the tailoring model over the OpenAI chat API (Omni, or Expert with one adapter per domain)."""
    from .model import serve

    names = served_model_name or ["dataclaw"]
    if engine == "vllm":
        if base is None:
            raise typer.BadParameter("--engine vllm needs --base")
        options = serve.VllmOptions(host=host, port=port, served_model_name=names[0], max_model_len=max_model_len,
                                    max_lora_rank=max_lora_rank, images_per_prompt=images,
                                    tensor_parallel_size=tensor_parallel_size, api_key_env=api_key_env)
        cmd = serve.vllm_command(base, serve.parse_experts(expert), options)
        if not serve.is_loopback(host) and not api_key_env:
            typer.echo(f"warning: vLLM will serve {host} without an API key; pass --api-key-env NAME", err=True)
        if dry_run:
            typer.echo(serve.render(cmd))
            return
        serve.exec_vllm(cmd)
    elif engine == "transformers":
        api_key = serve.api_key_from_env(api_key_env)
        serve.serve_transformers(model, host=host, port=port, served_names=names, max_chars=max_chars, max_items=max_items,
                                 threads=threads, api_key=api_key, log=lambda m: typer.echo(m, err=True))
    else:
        raise typer.BadParameter(f"--engine {engine!r}: choose vllm or transformers")


@app.command()
def mcp(
    root: Annotated[list[Path] | None, typer.Option(help="Directory tools may read and write (repeatable); the client's MCP roots can only narrow these.")] = None,
    trust_client_roots: Annotated[bool, typer.Option("--trust-client-roots", help="Also allow the roots the MCP client declares, as they are (single-user stdio only; see README, Security model).")] = False,
    state_dir: Annotated[Path | None, typer.Option(help="Where clarification threads are checkpointed (default ~/.local/state/dataclaw-tailor).")] = None,
    backend: Annotated[str, typer.Option(help="Tailoring backend for every call: rules, openai, local, or sampling (the MCP client's own model).")] = "rules",
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server for --backend openai.")] = None,
    model: Annotated[str | None, typer.Option(help="Served model name (openai) or checkpoint folder (local).")] = None,
    expert_model: Annotated[list[str] | None, typer.Option(help="DOMAIN=SERVED_NAME Expert adapter (openai; repeatable).")] = None,
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP bind address; beyond loopback needs DATACLAW_MCP_TOKEN.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
    max_extractions: Annotated[int | None, typer.Option(min=1, help="Anchor extractions (video decoding, OCR) running at once across all calls; bounds memory (default: one per CPU).")] = None,
) -> None:
    """Serve the tailoring tools to MCP clients (stdio by default)."""
    from .server.auth import require_token_for, token_from_env

    token = token_from_env()
    if http and trust_client_roots:
        raise typer.BadParameter("--trust-client-roots is for a single user's stdio server; over HTTP any client could widen the roots")
    if http:
        require_token_for(host, token)
    from .server.app import serve_http, serve_stdio
    from .server.config import ServerConfig
    from .server.roots import Roots

    config = ServerConfig.from_flags(backend, base_url=base_url, model=model, expert_models=expert_model, state_dir=state_dir,
                                     max_extractions=max_extractions, roots=Roots(root or ()), trust_client_roots=trust_client_roots)
    if http:
        serve_http(config, host, port, token)
    else:
        serve_stdio(config)


def _options(pairs: list[str] | None) -> dict[str, Any]:
    """key=value pairs; a value that reads as JSON (true, 128, 0.5, null) is taken as that, else as text."""
    options: dict[str, Any] = {}
    for item in pairs or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not key=value")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


@app.command("eval")
def eval_(
    bench: Annotated[Path, typer.Argument(help="Benchmark JSONL (id, domain, task, source, intent, fuzzy, answers, reference).")],
    backend: Annotated[str, typer.Option(help="Tailoring backend to evaluate: rules, openai, local; or host-written (a scripted assistant writes each record from its brief alone).")] = "rules",
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server for --backend openai.")] = None,
    model: Annotated[str | None, typer.Option(help="Served model name (openai) or checkpoint folder (local).")] = None,
    expert_model: Annotated[list[str] | None, typer.Option(help="DOMAIN=SERVED_NAME Expert adapter (openai; repeatable).")] = None,
    backend_option: Annotated[list[str] | None, typer.Option(help="Any other backend option key=value (e.g. max_chars=128 for local).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write results.json, report.md and chart.png here.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only these case ids.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of the table.")] = False,
) -> None:
    """Tailor every benchmark case and print the per-domain Field / Semantic / Sequence / Overall / Fuzzy table."""
    import tempfile

    from .evals.report import summarise, table_text, write_report
    from .evals.run import run_benchmark
    from .service import Settings, TailorService

    async def show(done: int, total: int, message: str) -> None:
        typer.echo(f"[{done}/{total}] {message}", err=True)

    host_written = backend == "host-written"
    with tempfile.TemporaryDirectory(prefix="claw-eval-") as threads:
        settings = Settings.from_flags("rules" if host_written else backend, base_url=base_url, model=model, expert_models=expert_model,
                                       extra=_options(backend_option), state_dir=threads)

        async def run() -> Any:
            service = TailorService(settings)
            try:
                return await run_benchmark(bench, service, only=only, progress=show, host_written=host_written)
            finally:
                await service.aclose()

        results = asyncio.run(run())
    report = summarise(results, bench=str(bench), backend=backend)
    if out is not None:
        paths = write_report(report, out)
        typer.echo(f"wrote {', '.join(str(p) for p in paths.values())}", err=True)
    if as_json:
        emit_json(report.model_dump(mode="json", exclude={"cases": {"__all__": {"record"}}}))
    else:
        typer.echo(table_text(report))
    raise typer.Exit(EXIT_ERROR if report.total.errors else EXIT_OK)


@app.command()
def export(
    records: Annotated[Path, typer.Argument(help="JSONL of tailoring envelopes (claw tailor --out, corpus records.jsonl).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="openai, sharegpt, trl or hf.")],
    out: Annotated[Path, typer.Option(help="Output .jsonl (chat formats) or folder (hf).")],
    unit: Annotated[str, typer.Option(help="auto: one sample per step / pair / question where the task has them; record: one per record.")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Turn valid tailored records into a supervised fine-tuning set."""
    from .export import export_records

    if unit not in ("auto", "record"):
        raise typer.BadParameter("--unit must be auto or record")
    summary = export_records(records, fmt, out, unit=unit)  # type: ignore[arg-type]
    if as_json:
        emit_json(summary.model_dump(mode="json"))
    else:
        typer.echo(f"{summary.samples} samples from {summary.records} records ({summary.images} images) -> {summary.out}")
        for skip in summary.skipped:
            typer.echo(f"  skipped line {skip.line}: {skip.reason}", err=True)
        for ref in summary.missing_images:
            typer.echo(f"  image not found: {ref}", err=True)


@app.command()
def view(
    records: Annotated[Path, typer.Argument(help="An envelope JSON (claw tailor --out x.json), a records JSONL, or a corpus output folder.")],
    out: Annotated[Path | None, typer.Option(help="Page to write (.html); default beside the input (view.html inside a corpus folder).")] = None,
    reference: Annotated[Path | None, typer.Option(help="Reference record (or benchmark case / envelope): show the metrics' pairing and scores.")] = None,
    chart: Annotated[bool, typer.Option(help="Also write the timeline as PNG beside each page.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write a static HTML audit page: the record's items on a timeline of the source's anchors, with pictures and problems."""
    from .view import render_view

    result = render_view(records, out, reference=reference, chart=chart)
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    for warning in result.warnings:
        typer.echo(f"  {warning}", err=True)
    more = f" ({len(result.pages)} record pages)" if result.rows else ""
    typer.echo(f"wrote {result.page}{more}")


def main() -> None:
    """Console entry point: typed errors become one line on stderr, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except DataClawError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except typer.Abort:
        sys.exit(EXIT_ERROR)
    except OSError as exc:
        # A file the user named for output (or a folder it needs) cannot be written: one line, no traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    except typer.TyperException as exc:
        # typer vendors click: its usage errors (exit code 2) and file errors arrive here.
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
