import pytest

from dataclaw_tailor.core import SourceKind
from dataclaw_tailor.training.synthetic import make_triplets
from dataclaw_tailor.training.rewards import anchor_reward, format_reward
from dataclaw_tailor.training.triplets import read_triplets, reward_columns, target_text


def test_demo_triplets_come_valid_and_grounded_from_the_rules_backend():
    rows = make_triplets(6, seed=3)
    assert [t.source.kind for t in rows[:2]] == [SourceKind.video, SourceKind.robot_episode]
    assert all(t.valid and t.task == "custom" and t.teacher == "rules" for t in rows)
    texts = [target_text(t) for t in rows]
    cols = {k: [reward_columns(t)[k] for t in rows] for k in ("schema", "anchors", "source")}
    assert format_reward(texts, **cols) == [1.0] * 6
    assert anchor_reward(texts, **cols) == [1.0] * 6
    assert make_triplets(2, seed=3)[0].record == rows[0].record  # seeded: the demo is reproducible


@pytest.mark.slow
def test_the_ablation_scores_four_conditions_on_held_out_prompts_and_resumes(tmp_path):
    from dataclaw_tailor.training.ablation import CONDITIONS
    from dataclaw_tailor.training.demo import run_demo

    small = dict(train=4, heldout=2, sft_steps=2, grpo_steps=1, batch_size=2, num_generations=2)
    report = run_demo(tmp_path, base="tiny", log=lambda m: None, **small)
    assert [r.condition for r in report.rows] == list(CONDITIONS)
    assert report.heldout_rows == 2 and all(r.scores.n == 2 for r in report.runs)
    held = {t.key for t in read_triplets(tmp_path / "data" / "heldout")}
    assert not held & {t.key for t in read_triplets(tmp_path / "data" / "train")}  # held-out prompts are never trained on
    grpo = [r for r in report.runs if r.condition.startswith("grpo")]
    assert {r.condition for r in grpo} == {"grpo", "grpo-no-anchor"} and all(r.train_seconds > 0 for r in grpo)
    assert "| grpo |" in (tmp_path / "ablation.md").read_text()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("train_summary.json")}
    again = run_demo(tmp_path, base="tiny", log=lambda m: None, **small)  # every stage is done: nothing retrains
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("train_summary.json")} == before
    assert [r.mean for r in again.rows] == [r.mean for r in report.rows]
