"""The built-in extractors, each declared with `@extractor` (the registry registers them on first use)."""

from __future__ import annotations

from ..core.anchor import Anchor
from ..core.contents import (
    AudioContent, CutContent, DissolveContent, EditPairContent, EditRegionContent, FrameContent, GripperContent,
    GuiElementContent, GuiEventContent, GuiTaskContent, HesitationContent, KeyframeContent, MotionContent, PauseContent,
    PhaseContent, RegraspContent, RobotTaskContent, ScreenChangeContent, ShotContent, SubtitleContent, SubtitleTrackContent,
)
from ..core.source import Source, SourceKind
from .extractor import ExtractContext, extractor

VIDEO = {SourceKind.video}
GUI = {SourceKind.gui_trace}


@extractor("video", 4, VIDEO, (ShotContent, CutContent, DissolveContent, KeyframeContent, MotionContent))
def video_pass(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Shots (hard cuts and fades), dissolves, a keyframe per shot (and per still picture inside it) and static/motion spans from one decode."""
    from .video import video_anchors

    return video_anchors(source.path, source.meta, ctx.work_dir, "video@4")


@extractor("gui", 3, GUI, (GuiTaskContent, GuiEventContent, ScreenChangeContent))
def gui_events(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """The task, each step's event with its point, and screen changes between screenshots."""
    from .formats import load_trace
    from .gui.anchors import event_anchors

    return event_anchors(load_trace(source.path).frames_in(ctx.work_dir), "gui@3")


@extractor("gui_element", 3, GUI, (GuiElementContent,))
def gui_elements(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """The element (text, bbox) at each pointer event: trace, UI elements, else OCR of the screenshot crop."""
    from .formats import load_trace
    from .gui.anchors import element_anchors

    return element_anchors(load_trace(source.path).frames_in(ctx.work_dir), "gui_element@3")


@extractor("subtitle", 3, VIDEO, (SubtitleContent, SubtitleTrackContent))
def subtitles(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """The primary subtitle track (one per language among sidecars and text or bitmap streams) and its cues,
    each naming the track's language."""
    from pathlib import Path

    from .subtitles import subtitle_anchors

    return subtitle_anchors(Path(source.path), source.meta, "subtitle@3")


@extractor("ocr", 2, VIDEO, ("ocr",), default=False)  # text
def keyframe_ocr(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Confident, plausible on-screen text of each shot's keyframe (opt-in: ~0.1-0.3 s per keyframe)."""
    from .ocr_video import ocr_anchors

    keyframes = ctx.anchors(["keyframe"])
    return ocr_anchors(keyframes, source.meta, "ocr@2")


@extractor("robot", 2, {SourceKind.robot_episode}, (RobotTaskContent, GripperContent, PauseContent, HesitationContent,
                                                   RegraspContent, PhaseContent, FrameContent))
def robot_events(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Task, gripper events, pauses, hesitations, regrasps, phases and frames aligned to the video."""
    from .formats import load_episode
    from .robot.events import episode_anchors

    return episode_anchors(load_episode(source.path), ctx.work_dir, "robot@2")


@extractor("edits", 1, {SourceKind.edit_sequence}, (EditPairContent, EditRegionContent))
def edit_regions(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Each before/after pair with its instruction, and the changed region's bbox and magnitude."""
    from pathlib import Path

    from .edits import edit_anchors

    return edit_anchors(Path(source.path), "edits@1")


@extractor("audio", 1, VIDEO, (AudioContent,))
def audio_spans(source: Source, ctx: ExtractContext) -> list[Anchor]:
    """Sound vs silence spans of the first audio track (none when the video has no audio)."""
    from pathlib import Path

    from .audio import audio_anchors

    return audio_anchors(Path(source.path), source.meta, "audio@1")
