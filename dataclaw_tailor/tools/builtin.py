"""Registers the built-in extractors (imported by the registry on first use)."""

from __future__ import annotations

from ..core.anchor import Anchor
from ..core.source import Source, SourceKind
from .registry import ExtractContext, register_extractor

VIDEO = {SourceKind.video}
GUI = {SourceKind.gui_trace}


@register_extractor("video", 1, VIDEO, ("shot", "cut", "keyframe", "motion"))
def video_pass(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Shots (hard cuts and fades), a keyframe per shot and static/motion spans from one decode."""
    from .video import video_anchors

    return video_anchors(source.path, source.meta, ctx.work_dir, "video@1")


@register_extractor("gui", 1, GUI, ("gui_task", "gui_event", "screen_change"))
def gui_events(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """The task, each step's event with its point, and screen changes between screenshots."""
    from .gui import load_trace
    from .gui.anchors import event_anchors

    return event_anchors(load_trace(source.path), "gui@1")


@register_extractor("gui_element", 1, GUI, ("gui_element",))
def gui_elements(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """The element (text, bbox) at each pointer event: trace, UI elements, else OCR of the screenshot crop."""
    from .gui import load_trace
    from .gui.anchors import element_anchors

    return element_anchors(load_trace(source.path), "gui_element@1")
