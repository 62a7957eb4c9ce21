"""Writing an envelope where the user asked for it."""

from __future__ import annotations

import json
from pathlib import Path

from ..core import Envelope
from ..tools.files import append_line, recover_jsonl, write_atomic


def write_envelope(envelope: Envelope, out: str | Path) -> None:
    """`.jsonl` appends one line (what `claw export` reads); any other name gets the envelope, atomically."""
    out = Path(out)
    if out.suffix == ".jsonl":
        recover_jsonl(out)  # a line an earlier run left torn would break this one's
        append_line(out, envelope.model_dump_json())
        return
    write_atomic(out, json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False, indent=2))
