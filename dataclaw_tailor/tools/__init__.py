"""The lightweight expert ensemble: loaders that detect and normalise raw streams, and anchor extractors.

`detect(path)` names what a path holds; `extract(source, kinds)` returns its factual anchors (cached);
`anchors_payload(path, kinds)` is the JSON the CLI and MCP surfaces print.
"""

from .detect import detect
from .extract import extract
from .payload import anchors_payload
from .extractor import ExtractContext, Extractor, extractor
from .registry import EXTRACTORS

__all__ = ["EXTRACTORS", "ExtractContext", "Extractor", "anchors_payload", "detect", "extract", "extractor"]
