"""See the data: a static HTML audit page of a record against its anchors, pictures and validation.

`render_view` (and `claw view`, and the MCP `view_record` tool) write one self-contained page per record:
a timeline of the source's anchors by kind with each record item on the same axis, links both ways
between items and the anchors they cite, GUI steps drawn on their screenshots, validation problems and
repairs at the items they concern and, against a reference, the metrics' pairings and scores. A records
JSONL or a corpus folder gets an index page too. Modules: `model` (the page's data), `build` (envelope to
page), `images`, `layout` (timeline), `html`, `chart` (PNG), `compare` (reference), `render` (inputs/outputs).
"""

from ..core.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {".result": ["ViewResult"], ".render": ["default_out", "render_view"]})
