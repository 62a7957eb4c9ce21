"""Tools for records written by the assistant itself, or by the client's model through sampling, and refinement.

Flow one (any host, no sampling needed): `brief` gives the assistant what a served model reads (the
anchors with their ids, keyframes or screenshots as images, the JSON Schema specialised to the source,
the task's instructions and an example) and a `thread_id`; the assistant writes the record and sends
it to `submit_record`, which answers with the stored result or with JSON-path errors and hints to fix.

Flow two (a client that offers sampling): `tailor_by_sampling` does the same with the client's model,
through the SDK's `Sample` resolver marker, so it works under both protocol generations (a request in
the middle of the call under 2025-11-25, an input-required round under 2026-07-28). Resolvers are fixed
before the call, so the repair rounds are a chain of them: each looks at the drafts so far and either
asks again with the located errors or stops; `MAX_SAMPLES` bounds the chain. Resolver bodies re-run on
every input-required round, so each builds its request from the same inputs (the brief is recomputed
from the cached anchors; each round's brief thread is a fresh one, and only the last round's is used).

Flow three: `refine_record` makes a new version of a finished thread's record from a follow-up request.

Annotations are evaluated at definition, not as strings: see the note in `tools.py`.
"""

import base64
import mimetypes
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, Resolve, Sample
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, CreateMessageResult, ImageContent, TextContent
from pydantic import BaseModel, Field

from ..core import Envelope, Intent, Message, Problem, Question
from ..model.sampling import sampled_model, sampled_text, sampling_params
from ..service.hosted import Brief, hints, judge, problems_text
from .boundary import allowed_roots, server_state, tool_errors
from .models import TailorOutput
from .roots import Roots
from .writes import Output

MAX_SAMPLES = 3
"""Drafts the client's model is asked for at most: the first and two repair rounds."""


class BriefOutput(BaseModel):
    """A tailoring brief: write one JSON record from it, then call `submit_record` with `thread_id`."""

    status: str = Field(description="'ready': write the record now. 'needs_clarification': ask the user `questions`, then call `brief` again with `thread_id` and `answers`.")
    thread_id: str = Field(description="Pass it to `submit_record` with your record (or back to `brief` with `answers`).")
    questions: list[Question] = Field(default_factory=list, description="Clarification questions (status 'needs_clarification').")
    task: str | None = Field(default=None, description="Task schema the record must follow.")
    json_schema: dict[str, Any] = Field(default_factory=dict, description="The JSON Schema specialised to this source: anchor ids as an enum, times and screen positions bounded.")
    anchor_ids: list[str] = Field(default_factory=list, description="Every anchor id the record may cite in `anchor_ids`.")
    instructions: str = Field(default="", description="Rules the record follows.")
    prompt: str = Field(default="", description="The intent, task instructions, anchors (one per line: id, time, position, content), schema and an example record.")
    images: list[str] = Field(default_factory=list, description="What each attached image shows (its anchor), in order.")
    notes: list[str] = Field(default_factory=list, description="What the size budget left out.")

    @classmethod
    def of(cls, brief: Brief) -> "BriefOutput":
        return cls(status=brief.status, thread_id=brief.thread_id, questions=brief.questions, task=brief.task,
                   json_schema=brief.json_schema, anchor_ids=brief.anchor_ids, instructions=brief.instructions,
                   prompt=brief.prompt, images=[i.detail for i in brief.images], notes=brief.notes)


class SubmitOutput(BaseModel):
    """The verdict on a written record."""

    accepted: bool = Field(description="True: the record is stored in the thread (and written to `out`). False: fix `errors` as `hints` say and submit again.")
    errors: list[Problem] = Field(default_factory=list, description="What is wrong, each at a JSON path.")
    hints: list[str] = Field(default_factory=list, description="One concrete fix per error, in the same order.")
    result: TailorOutput | None = Field(default=None, description="The stored result (status ok) when accepted.")
    written: str | None = Field(default=None, description="File the result envelope was written to, if `out` was given.")


class SampledOutput(BaseModel):
    """What the client's model wrote, after validation and bounded repair rounds."""

    status: str = Field(description="'ok': stored and valid. 'invalid': still wrong after the repair rounds (see `errors`). 'needs_clarification': answer `questions` with `brief`, then call again with the task.")
    samples: int = Field(description="Drafts the client's model was asked for.")
    model: str | None = Field(default=None, description="The model the client reported.")
    errors: list[Problem] = Field(default_factory=list, description="Remaining problems of the last draft (status 'invalid').")
    questions: list[Question] = Field(default_factory=list)
    result: TailorOutput | None = Field(default=None, description="The stored result (status 'ok').")
    written: str | None = Field(default=None, description="File the result envelope was written to, if `out` was given.")


class RefineOutput(BaseModel):
    """The thread's newest record after a follow-up request."""

    version: int = Field(description="Number of the version `result` holds; earlier versions stay in the thread.")
    applied: list[str] = Field(default_factory=list, description="What of the request was carried out.")
    not_applied: list[str] = Field(default_factory=list, description="What the backend could not do, and why.")
    result: TailorOutput = Field(description="The refined result.")
    written: str | None = Field(default=None, description="File the result envelope was written to, if `out` was given.")


def _image(path: str) -> ImageContent:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return ImageContent(type="image", data=data, mime_type=mimetypes.guess_type(path)[0] or "image/jpeg")


def _intent(text: str, task: str | None, max_items: int | None, language: str) -> Intent:
    return Intent(text=text, task=task, max_items=max_items, language=language)


def _target(ctx: Context, roots: Roots, out: str | None, overwrite: bool) -> Path | None:
    """`out` resolved inside the roots and checked before any work is done (the claim checks again when writing)."""
    if out is None:
        return None
    target = roots.resolve(out, field="out", must_exist=False)
    server_state(ctx).writes.check(roots, [Output(target)], overwrite=overwrite, reading=[])
    return target


async def _store(ctx: Context, roots: Roots, envelope: Envelope, out: Path | None, overwrite: bool) -> str | None:
    """Write the envelope through the server's one write mechanism (`writes.py`), never into its source."""
    if out is None:
        return None
    from ..service import write_envelope

    reading = [Path(envelope.source.path)] if envelope.source else []
    async with server_state(ctx).writes.claim(roots, [Output(out)], overwrite=overwrite, reading=reading):
        with tool_errors(roots):
            write_envelope(envelope, out)
    return str(out)


# ---------------------------------------------------------------------------------------------
# brief and submit_record: the assistant writes the record


async def brief(
    ctx: Context,
    roots: Annotated[Roots, Resolve(allowed_roots)],
    path: Annotated[str | None, Field(description="Source to write a record for (video, GUI trace, robot episode, edit sequence), inside the allowed roots. Not needed with `thread_id`.")] = None,
    intent: Annotated[str | None, Field(description="What training data the user wants, in their words.")] = None,
    task: Annotated[str | None, Field(description="Task schema (see `list_tasks`); omit to let the router choose or ask.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items.")] = None,
    language: Annotated[str, Field(description="Language the record's text is written in.")] = "en",
    thread_id: Annotated[str | None, Field(description="A 'needs_clarification' brief's thread, given with `answers`.")] = None,
    answers: Annotated[dict[str, str] | None, Field(description="Answers to the brief's questions, by question id.")] = None,
) -> Annotated[CallToolResult, BriefOutput]:
    """Step 1 of writing a training record yourself: get the brief for a source, then call `submit_record`.

    Returns the source's factual anchors with their ids, the JSON Schema specialised to this source
    (anchor-id enum, time and screen bounds), the task's instructions and an example record, and up to 4
    keyframes or screenshots as images (chosen evenly over the image anchors, longest side 448 px), plus
    a `thread_id`. Write one JSON object from these alone (copy ids, times and on-screen text from the
    anchors; never invent them), then pass it to `submit_record` with the `thread_id`. A fuzzy intent
    returns `questions` first: ask the user, then call `brief` again with `thread_id` and `answers`.
    """
    service = server_state(ctx).service
    with tool_errors(roots):
        if thread_id is not None:
            made = await service.brief(thread_id=thread_id, answers=answers, roots=roots.dirs)
        else:
            if path is None or intent is None:
                raise ToolError("give `path` and `intent` for a brief, or `thread_id` and `answers` to answer its questions")
            made = await service.brief(roots.resolve(path), _intent(intent, task, max_items, language), roots=roots.dirs)
        out = BriefOutput.of(made)
        content: list[Any] = [TextContent(type="text", text=_brief_text(made))]
        content += [_image(i.path) for i in made.images]
    return CallToolResult(content=content, structured_content=out.model_dump(mode="json"))


def _brief_text(made: Brief) -> str:
    if made.status != "ready":
        asked = "\n".join(f"- {q.id}: {q.text} ({'; '.join(o.value for o in q.options)})" for q in made.questions)
        return f"Ask the user first, then call `brief` with thread_id={made.thread_id} and `answers`:\n{asked}"
    return (f"{made.instructions}\n\n{made.prompt}\n\nWhen done, call `submit_record` with thread_id={made.thread_id} "
            f"and your JSON object as `record`. Images attached: {', '.join(i.detail for i in made.images) or 'none'}.")


async def submit_record(
    ctx: Context,
    thread_id: Annotated[str, Field(description="The `thread_id` of the brief the record was written from.")],
    record: Annotated[dict[str, Any] | str, Field(description="Your record: a JSON object (or JSON text) following the brief's schema.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    model: Annotated[str | None, Field(description="Your model's name, recorded in the provenance.")] = None,
    out: Annotated[str | None, Field(description="Optional file (inside the roots) for the result envelope: .jsonl appends a line, any other name gets one JSON document. An existing file the server did not write is refused unless `overwrite`.")] = None,
    overwrite: Annotated[bool, Field(description="Allow `out` to replace an existing .json/.jsonl file the server did not write (other files are never replaced).")] = False,
) -> SubmitOutput:
    """Step 2: check and store the record you wrote from a `brief`.

    Applies deterministic repairs (JSON syntax, number types, span order), then checks the schema and the
    grounding (cited ids exist, times inside the source and near the cited anchors). Accepted: the result
    is stored in the thread and written to `out`. Refused: `errors` at JSON paths with `hints`; fix them and
    call again with the same `thread_id`.
    """
    target = _target(ctx, roots, out, overwrite)
    with tool_errors(roots):
        sub = await server_state(ctx).service.submit(thread_id, record, roots=roots.dirs, model=model)
    if not sub.accepted or sub.envelope is None:
        return SubmitOutput(accepted=False, errors=sub.errors, hints=sub.hints)
    written = await _store(ctx, roots, sub.envelope, target, overwrite)
    return SubmitOutput(accepted=True, result=TailorOutput.of(sub.envelope, None, include_anchors=False, written=None), written=written)


# ---------------------------------------------------------------------------------------------
# tailor_by_sampling: the client's model writes the record; each resolver is one sampling round


async def _sampling_brief(
    ctx: Context, path: str, intent: str, task: str | None, max_items: int | None, language: str,
    roots: Annotated[Roots, Resolve(allowed_roots)],
) -> Brief:
    with tool_errors(roots):
        return await server_state(ctx).service.brief(roots.resolve(path), _intent(intent, task, max_items, language), roots=roots.dirs)


def _next_sample(made: Brief, drafts: list[CreateMessageResult | None]) -> Sample | None:
    """The next round's request: the brief, then each earlier draft with its located errors; None when done."""
    if made.status != "ready" or made.request is None or any(d is None for d in drafts):
        return None
    request = made.request.model_copy(deep=True)
    ctx = request.context
    for draft in drafts:
        text = sampled_text(draft)
        _, report = judge(text, request.json_schema, ctx.anchors, ctx.source)
        if report.valid:
            return None
        hinted = hints(report.errors, request.json_schema, ctx.anchors, ctx.source)
        request.messages += [
            Message.text("assistant", text),
            Message.text("user", f"That JSON has these problems:\n{problems_text(report.errors, hinted)}\nReturn the corrected JSON object only."),
        ]
    return Sample(**sampling_params(request))


async def _draft_1(made: Annotated[Brief, Resolve(_sampling_brief)]) -> Sample | None:
    return _next_sample(made, [])


async def _draft_2(made: Annotated[Brief, Resolve(_sampling_brief)], first: Annotated[CreateMessageResult | None, Resolve(_draft_1)]) -> Sample | None:
    return _next_sample(made, [first])


async def _draft_3(
    made: Annotated[Brief, Resolve(_sampling_brief)], first: Annotated[CreateMessageResult | None, Resolve(_draft_1)],
    second: Annotated[CreateMessageResult | None, Resolve(_draft_2)],
) -> Sample | None:
    return _next_sample(made, [first, second])


async def tailor_by_sampling(
    ctx: Context,
    made: Annotated[Brief, Resolve(_sampling_brief)],
    first: Annotated[CreateMessageResult | None, Resolve(_draft_1)],
    second: Annotated[CreateMessageResult | None, Resolve(_draft_2)],
    third: Annotated[CreateMessageResult | None, Resolve(_draft_3)],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    path: Annotated[str, Field(description="Source to tailor, inside the allowed roots.")],
    intent: Annotated[str, Field(description="What training data the user wants, in their words.")],
    task: Annotated[str | None, Field(description="Task schema (see `list_tasks`); omit to let the router choose.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items.")] = None,
    language: Annotated[str, Field(description="Language the record's text is written in.")] = "en",
    out: Annotated[str | None, Field(description="Optional file (inside the roots) for the result envelope: .jsonl appends a line, any other name gets one JSON document. An existing file the server did not write is refused unless `overwrite`.")] = None,
    overwrite: Annotated[bool, Field(description="Allow `out` to replace an existing .json/.jsonl file the server did not write (other files are never replaced).")] = False,
) -> SampledOutput:
    """Have your own model write the record through MCP sampling (the client must offer sampling).

    The server sends your model the brief (anchors, images, specialised schema, example), validates the
    answer, and re-asks with the located errors up to 2 times; a valid record is stored and written to
    `out`. Without sampling, use `brief` and `submit_record` instead.
    """
    if made.status != "ready":
        return SampledOutput(status="needs_clarification", samples=0, questions=made.questions)
    drafts = [d for d in (first, second, third) if d is not None]
    last = drafts[-1]
    model = sampled_model(last)
    target = _target(ctx, roots, out, overwrite)
    with tool_errors(roots):
        sub = await server_state(ctx).service.submit(made.thread_id, sampled_text(last), roots=roots.dirs, model=model, writer="sampling")
    if not sub.accepted or sub.envelope is None:
        return SampledOutput(status="invalid", samples=len(drafts), model=model, errors=sub.errors)
    written = await _store(ctx, roots, sub.envelope, target, overwrite)
    return SampledOutput(status="ok", samples=len(drafts), model=model, written=written,
                         result=TailorOutput.of(sub.envelope, None, include_anchors=False, written=None))


# ---------------------------------------------------------------------------------------------
# refine_record


async def _refine_sample(
    ctx: Context, thread_id: str, request: str, roots: Annotated[Roots, Resolve(allowed_roots)],
) -> Sample | None:
    """Under the `sampling` backend the client's model writes the new version; any other backend needs no sample."""
    service = server_state(ctx).service
    if service.settings.backend != "sampling":
        return None
    with tool_errors(roots):
        return Sample(**sampling_params(await service.refine_request(thread_id, request, roots=roots.dirs)))


async def refine_record(
    ctx: Context,
    thread_id: Annotated[str, Field(description="Thread of a finished result (from `tailor`, `submit_record` or `tailor_by_sampling`).")],
    request: Annotated[str, Field(description="The follow-up, in the user's words: 'shorter captions', 'only the grasp phase', 'at most 3 steps', 'answer in Chinese'.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    sampled: Annotated[CreateMessageResult | None, Resolve(_refine_sample)],
    out: Annotated[str | None, Field(description="Optional file (inside the roots) for the result envelope: .jsonl appends a line, any other name gets one JSON document. An existing file the server did not write is refused unless `overwrite`.")] = None,
    overwrite: Annotated[bool, Field(description="Allow `out` to replace an existing .json/.jsonl file the server did not write (other files are never replaced).")] = False,
) -> RefineOutput:
    """Make a new version of a finished record from a follow-up request; earlier versions stay in the thread.

    Model backends rewrite the record from the cached anchors and the previous version. The rules backend
    applies item limits, filters by time span or kind, dropped fields and shorter texts, writes English
    only, and lists in `not_applied` what it cannot do. To rewrite it yourself instead, take the thread's
    record, change it, and submit it with `submit_record`.
    """
    target = _target(ctx, roots, out, overwrite)
    service = server_state(ctx).service
    with tool_errors(roots):
        if sampled is not None:
            done = await service.refine(thread_id, request, roots=roots.dirs, draft=sampled_text(sampled), model=sampled_model(sampled))
        else:
            done = await service.refine(thread_id, request, roots=roots.dirs)
    written = await _store(ctx, roots, done.envelope, target, overwrite) if done.applied else None
    return RefineOutput(version=done.version, applied=done.applied, not_applied=done.not_applied, written=written,
                        result=TailorOutput.of(done.envelope, None, include_anchors=False, written=None))


# ---------------------------------------------------------------------------------------------
# the guided prompt

GUIDE = """Write a grounded training record for me with the DataClaw Tailor tools.

My data: {path}
What I want: {goal}

1. Call `brief` with the path and my goal. If it answers 'needs_clarification', ask me its questions and
   call `brief` again with the `thread_id` and my `answers`.
2. Read the brief: the anchors (each line starts with an id), the images, the JSON Schema and the example.
   Write ONE JSON object that follows the schema. Copy ids, times, positions and on-screen or subtitle
   text from the anchors; cite the ids you used in `anchor_ids`; never invent an id or a time.
3. Call `submit_record` with the `thread_id` and your object. If it is refused, fix each error at its
   JSON path as its hint says, and submit again.
4. Show me the accepted record. If I ask for changes ("shorter", "only the first 3 steps"), call
   `refine_record` with the `thread_id` and my words, or rewrite it yourself and submit it again."""


def write_record(
    path: Annotated[str, Field(description="The source: a video, GUI trace, robot episode or edit sequence.")] = "<ask me>",
    goal: Annotated[str, Field(description="What the record is for, in your own words.")] = "<ask me>",
) -> str:
    """Write one training record yourself from a brief, with the server checking it, step by step."""
    return GUIDE.format(path=path, goal=goal)
