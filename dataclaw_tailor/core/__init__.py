"""The shared vocabulary: sources, anchors, intents, tasks, records, reports, errors.

No I/O and no heavy imports here; every other layer builds on these types.
"""

from . import fields
from .anchor import Anchor, anchors_digest, by_id, of_kind
from .errors import (BackendError, DataClawError, ExtractorError, InputError, OutputError, UnknownTask,
                     UnsupportedFormat)
from .intent import Intent
from .messages import GenerationRequest, ImagePart, Message, TextPart
from .record import Envelope, Provenance
from .report import Problem, Repair, ValidationReport
from .source import Source, SourceKind
from .task import ExportUnit, Synthesizer, TailorContext, TaskSpec

__all__ = [
    "Anchor", "BackendError", "DataClawError", "Envelope", "ExportUnit", "ExtractorError", "GenerationRequest",
    "ImagePart",
    "InputError", "Intent", "Message", "OutputError", "Problem", "Provenance", "Repair", "Source", "SourceKind", "Synthesizer",
    "TailorContext", "TaskSpec", "TextPart", "UnknownTask", "UnsupportedFormat", "ValidationReport",
    "anchors_digest", "by_id", "fields", "of_kind",
]
