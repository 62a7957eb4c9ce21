import pytest
from PIL import Image, ImageDraw, ImageFont

from dataclaw_tailor.tools import detect, extract

from .conftest import ffmpeg


def _slide(path, text):
    im = Image.new("RGB", (640, 360), "white")
    ImageDraw.Draw(im).text((60, 140), text, fill="black", font=ImageFont.load_default(size=48))
    im.save(path)


@pytest.mark.slow
def test_keyframe_text_becomes_ocr_anchors(tmp_path):
    _slide(tmp_path / "a.png", "STEP ONE")
    _slide(tmp_path / "b.png", "MIX FLOUR")
    video = tmp_path / "slides.mp4"
    ffmpeg("-loop", "1", "-t", "2", "-r", "10", "-i", str(tmp_path / "a.png"), "-loop", "1", "-t", "2", "-r", "10",
           "-i", str(tmp_path / "b.png"), "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]",
           "-map", "[v]", str(video))
    source = detect(video)
    anchors = extract(source, ["ocr"], cache_dir=tmp_path / "c")
    texts = [(a.t, a.c.replace(" ", "").upper()) for a in anchors]
    assert [t for _, t in texts] == ["STEPONE", "MIXFLOUR"]
    assert texts[0][0] < 2.0 < texts[1][0]
    x1, y1, x2, y2 = anchors[0].p
    assert 40 <= x1 < x2 <= 640 and 120 <= y1 < y2 <= 220


@pytest.mark.parametrize("text, ok", [("OK", True), ("5G", True), ("设置", True), ("Power & sleep", True),
                                      ("M", False), ("|", False), ("~:°", False), ("", False),
                                      ("ethesizeoftextappsandotheritems", False)])
def test_only_plausible_text_names_an_element(text, ok):
    from dataclaw_tailor.tools.ocr import TextBox, names, plausible

    assert plausible(text) is ok
    assert names([TextBox((0, 0, 1, 1), text, 0.99), TextBox((0, 0, 1, 1), text, 0.6)]) == (
        [TextBox((0, 0, 1, 1), text, 0.99)] if ok else [])
