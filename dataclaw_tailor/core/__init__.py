"""The shared vocabulary: sources, anchors, intents, tasks, records, reports, errors.

No I/O and no heavy imports here; every other layer builds on these types.
"""

from . import contents, fields
from .anchor import Anchor, anchors_digest, by_id, of_kind
from .contents import AnchorContent
from .envelope import Envelope, Option, Provenance, Question, Status
from .errors import (BackendError, DataClawError, ExtractorError, InputError, OutputError, UnknownTask,
                     UnsupportedFormat)
from .intent import Intent
from .messages import GenerationRequest, ImagePart, Message, TextPart
from .report import Problem, Repair, ValidationReport, ValidationSummary
from .source import Source, SourceKind
from .task import ExportUnit, Synthesizer, TailorContext, TaskSpec

__all__ = [
    "Anchor", "AnchorContent", "BackendError", "DataClawError", "Envelope", "ExportUnit", "ExtractorError", "GenerationRequest",
    "ImagePart", "InputError", "Intent", "Message", "Option", "OutputError", "Problem", "Provenance", "Question",
    "Repair", "Source", "SourceKind", "Status", "Synthesizer", "TailorContext", "TaskSpec", "TextPart", "UnknownTask",
    "UnsupportedFormat", "ValidationReport", "ValidationSummary",
    "anchors_digest", "by_id", "contents", "fields", "of_kind",
]
