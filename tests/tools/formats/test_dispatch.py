"""Detection asks the registered input formats in declared priority order; the first that sniffs wins."""

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from dataclaw_tailor.core import SourceKind, UnsupportedFormat
from dataclaw_tailor.core.registry import DuplicateName, Registry
from dataclaw_tailor.core.source import VideoMeta
from dataclaw_tailor.tools import detect, formats
from dataclaw_tailor.tools.formats import FORMATS, InputFormat

from ...conftest import EXAMPLES

BUILTIN = ["dataclaw", "screenagent", "miniwob", "agentnet", "agentnetbench", "agentnettool", "aitz", "aitw", "lerobot", "robomimic", "rlds",
           "edit-pairs", "images", "image", "video"]


def builtin(names: list[str]) -> list[str]:
    """The built-in formats among `names`, in their order: a format added later joins them without editing this."""
    return [n for n in names if n in BUILTIN]


def test_builtin_formats_in_priority_order_each_described():
    listed = formats.formats()
    assert builtin([f.name for f in listed]) == BUILTIN
    assert [f.priority for f in listed] == sorted(f.priority for f in listed)
    assert len({f.priority for f in listed}) == len(listed)
    assert all(e.description for e in FORMATS.entries())
    assert builtin([f.name for f in formats.formats(SourceKind.robot_episode)]) == ["lerobot", "robomimic", "rlds"]


@pytest.fixture
def spied(monkeypatch) -> list[str]:
    """The built-in formats behind a private registry whose sniffers record the order they are asked in."""
    asked: list[str] = []
    registry: Registry[InputFormat] = Registry("input format")

    def spy(fmt: InputFormat):
        def sniff(path: Path) -> bool:
            asked.append(fmt.name)
            return fmt.sniff(path)

        return sniff

    for fmt in formats.formats():
        registry.add(fmt.name, replace(fmt, sniff=spy(fmt)))
    monkeypatch.setattr(formats, "FORMATS", registry)
    return asked


def test_detect_asks_in_priority_order_and_only_formats_of_that_sort_of_path(spied, tmp_path):
    Image.new("RGB", (8, 6), (1, 2, 3)).save(tmp_path / "shot.png")
    source = detect(tmp_path / "shot.png")
    assert (source.kind, source.format, source.meta.width) == (SourceKind.image_set, "image", 8)
    assert builtin(spied) == ["dataclaw", "miniwob", "agentnet", "agentnetbench", "aitz", "aitw", "lerobot", "robomimic", "rlds",
                              "image"]
    file_formats = [f.name for f in formats.formats() if f.takes != "folder"]
    assert spied == file_formats[: file_formats.index("image") + 1]  # in priority order, stopping at the first that sniffs

    spied.clear()
    assert detect(EXAMPLES / "gui" / "login-trace").format == "dataclaw"
    assert spied == ["dataclaw"]


class NotesMeta(VideoMeta, format="subs-notes"):
    """What the notes format learns besides a video's facts: the note."""

    text: str | None = None


def test_a_higher_priority_format_claims_a_path_first(spied, tmp_path):
    """A new format declared between two others is asked in its place: here before the video catch-all."""
    notes = tmp_path / "notes.subs"
    notes.write_text("not a video")

    def describe(fmt, given, path):
        from dataclaw_tailor.core import Source

        return Source(path=given, kind=SourceKind.video, content_hash="0" * 64, format=fmt.name, meta={"text": fmt.load(path, None)})

    notes_format = InputFormat(name="subs-notes", title="notes", kind=SourceKind.video, priority=999, takes="file",
                               sniff=lambda p: p.suffix == ".subs", load=lambda p, episode: p.read_text(), describe=describe)
    formats.FORMATS.add(notes_format.name, notes_format)
    source = detect(notes)
    assert (source.format, source.meta.text) == ("subs-notes", "not a video")
    assert spied[-1] == "image"  # the built-ins before it were asked; video never was
    with pytest.raises(DuplicateName, match="input format 'image' is already registered"):
        formats.FORMATS.add("image", replace(formats.FORMATS.get("image")))


def test_a_folder_nothing_claims_lists_the_folder_formats(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(UnsupportedFormat, match=r"folder holds no stream layout we know \(dataclaw trace.json, ScreenAgent, AgentNetTool recording, "
                                                 r"AitZ, LeRobot, RLDS, edit pairs, images\)"):
        detect(tmp_path)
