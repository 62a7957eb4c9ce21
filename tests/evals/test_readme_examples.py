"""Every `json worked-example` block in evals/README.md is recomputed here, so the doc cannot drift from the code."""

import json
import re
from pathlib import Path

import pytest

import dataclaw_tailor.evals as evals
from dataclaw_tailor.evals.metrics import field_score, semantic_score, sequence_score, validity

README = Path(evals.__file__).parent / "README.md"
EXAMPLES = [json.loads(block) for block in re.findall(r"```json worked-example\n(.*?)```", README.read_text(), re.S)]


def test_readme_has_an_example_per_metric():
    assert {e["metric"] for e in EXAMPLES} == {"validity", "field", "semantic", "sequence"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["metric"])
def test_worked_example(example):
    metric = example["metric"]
    if metric == "validity":
        got = {"strict": validity(example["text"], example["schema"]), "repaired": validity(example["text"], example["schema"], repair=True)}
        assert got == example["expected"]
        return
    if metric == "field":
        got = field_score(example["pred"], example["ref"], example["schema"])
    elif metric == "semantic":
        got = semantic_score(example["pred"], example["ref"])
    else:
        got = sequence_score(example["pred"], example["ref"])
    assert got == pytest.approx(example["expected"], abs=0.005)
