import json

import numpy as np
import pytest
from PIL import Image

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.core.source import SourceKind
from dataclaw_tailor.tools import detect, extract


def _pair(folder, name="cat", box=(40, 30, 90, 60)):
    rng = np.random.default_rng(0)
    before = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    after = before.copy()
    x1, y1, x2, y2 = box
    after[y1:y2, x1:x2] = [255, 0, 0]
    Image.fromarray(before).save(folder / f"{name}_before.png")
    Image.fromarray(after).save(folder / f"{name}_after.png")


def test_before_after_pairs_region_and_magnitude(tmp_path):
    _pair(tmp_path)
    (tmp_path / "cat.txt").write_text("paint a red box on the wall\n")
    source = detect(tmp_path)
    assert source.kind is SourceKind.edit_sequence and source.format == "pairs"
    anchors = extract(source, cache_dir=tmp_path / "c")
    pair = next(a for a in anchors if a.kind == "edit_pair")
    assert pair.content_json == {"before": "cat_before.png", "after": "cat_after.png",
                      "instruction": "paint a red box on the wall"}
    region = next(a for a in anchors if a.kind == "edit_region")
    assert region.c.pair == "edit_pair:0"
    assert region.p == pytest.approx([40, 30, 90, 60], abs=2)
    assert region.c.magnitude == pytest.approx(50 * 30 / (160 * 120), abs=0.01)


def test_edits_json_and_missing_image(tmp_path):
    _pair(tmp_path)
    (tmp_path / "edits.json").write_text(json.dumps([{"before": "cat_before.png", "after": "cat_after.png",
                                                      "instruction": "x"}, {"before": "cat_after.png",
                                                                            "after": "gone.png"}]))
    with pytest.raises(InputError, match=r"gone\.png: image named in edits.json is missing"):
        detect(tmp_path)


def test_unpaired_before(tmp_path):
    _pair(tmp_path)
    (tmp_path / "cat_after.png").rename(tmp_path / "dog_after.png")
    with pytest.raises(InputError, match="without a partner: cat, dog"):
        detect(tmp_path)


def test_plain_images_are_an_image_set(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "b.jpg")
    assert detect(tmp_path).kind is SourceKind.image_set
