"""The MCP `view_record` tool: write the audit page of a record and hand its path back to the assistant.

Kept apart from the tailoring tools: it only reads envelopes the other tools wrote and writes one HTML
page (plus its chart and any pictures that do not fit in it) next to the requested output, all inside
the allowed roots and claimed through `writes` like every other output.

Annotations are evaluated at definition, not as strings: see the note in `tools.py`.
"""

from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, Resolve
from pydantic import Field

from ..view.result import ViewResult
from .roots import Roots
from .boundary import allowed_roots, server_state, tool_errors
from .writes import Output


async def view_record(
    ctx: Context,
    records: Annotated[str, Field(description="An envelope JSON (`out` of `tailor`), a records JSONL, or a corpus output folder (inside the roots).")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    out: Annotated[str | None, Field(description="Page to write (.html, inside the roots); default beside the input.")] = None,
    reference: Annotated[str | None, Field(description="Reference record to compare with (inside the roots): shows the metrics' pairing and scores.")] = None,
) -> ViewResult:
    """Write a static HTML audit page of tailored records (timeline of anchors, items linked to the anchors they cite,
    screenshots with click points, validation problems) and return its path for the user to open."""
    from ..view import default_out, render_view

    src = roots.resolve(records, field="records")
    target = roots.resolve(out, field="out", must_exist=False) if out else default_out(src)
    ref = roots.resolve(reference, field="reference") if reference else None
    outputs = [Output(target), Output(target.with_suffix(".png")),
               *(Output(target.with_name(f"{target.stem}{extra}"), folder=True) for extra in ("_files", "_pages"))]
    async with server_state(ctx).writes.claim(roots, outputs, reading=[p for p in (src, ref) if p is not None and not p.is_dir()]):
        with tool_errors(roots):
            return await anyio.to_thread.run_sync(lambda: render_view(src, target, reference=ref))
