from dataclaw_tailor.core import SourceKind
from dataclaw_tailor.training.demo import make_triplets
from dataclaw_tailor.training.rewards import anchor_reward, format_reward
from dataclaw_tailor.training.triplets import reward_columns, target_text


def test_demo_triplets_come_valid_and_grounded_from_the_rules_backend():
    rows = make_triplets(6, seed=3)
    assert [t.source.kind for t in rows[:2]] == [SourceKind.video, SourceKind.robot_episode]
    assert all(t.valid and t.task == "custom" and t.teacher == "rules" for t in rows)
    texts = [target_text(t) for t in rows]
    cols = {k: [reward_columns(t)[k] for t in rows] for k in ("schema", "anchors", "source")}
    assert format_reward(texts, **cols) == [1.0] * 6
    assert anchor_reward(texts, **cols) == [1.0] * 6
    assert make_triplets(2, seed=3)[0].record == rows[0].record  # seeded: the demo is reproducible
