import json

import pytest

from dataclaw_tailor.training.config import ModelSettings
from dataclaw_tailor.training.evaluate import generate, score

from .conftest import make_triplet


def test_references_score_perfect_and_garbage_scores_nothing():
    rows = [make_triplet(i) for i in range(3)]
    perfect = score([json.dumps(t.record, separators=(",", ":")) for t in rows], rows, metrics=False)
    assert (perfect.json_valid, perfect.schema_valid, perfect.r_format, perfect.r_anchor, perfect.r_eff) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert perfect.field is None
    garbage = score(["{\"events\": [", "hello", ""], rows, metrics=False)
    assert (garbage.json_valid, garbage.r_format, garbage.r_anchor) == (0.0, 0.0, 0.0)
    assert garbage.reward < perfect.reward


@pytest.mark.slow
def test_generate_returns_one_completion_per_prompt(tiny_model):
    rows = [make_triplet(i) for i in range(3)]
    outs = generate(ModelSettings(path=str(tiny_model)), rows, style="compact", max_new_tokens=6, batch_size=2)
    assert len(outs) == 3 and all(isinstance(o, str) for o in outs)
