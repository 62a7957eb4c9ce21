import pytest

from dataclaw_tailor.core import InputError, Intent, Source, SourceKind, UnknownTask
from dataclaw_tailor.experts.registry import tasks_for
from dataclaw_tailor.experts.routing import route, usual


def source(kind: str) -> Source:
    return Source(path=f"/data/sample.{kind}", kind=SourceKind(kind), content_hash="0" * 64)


@pytest.mark.parametrize(("kind", "text", "task"), [
    ("gui_trace", "turn these screen recordings into GUI-agent SFT steps", "gui.trajectory"),
    ("gui_trace", "grounding pairs: where to click for each element", "gui.grounding"),
    ("video", "dense captions for this video", "daily.dense_captions"),
    ("robot_episode", "segment the robot's skills", "embodied.subtasks"),
    ("robot_episode", "QA about what the robot does", "embodied.vqa"),
    ("video", "step-by-step tutorial", "education.procedure"),
    ("video", "prompts for image-to-video generation", "aigc.i2v_prompts"),
    ("video", "spatio-temporal questions and answers about this clip", "daily.vqa"),
    ("edit_sequence", "instruction-based editing pairs", "aigc.edit_pairs"),
])
def test_clear_intents_route_with_high_confidence(kind, text, task):
    r = route(source(kind), Intent(text=text))
    assert r.task == task and r.domain == task.split(".")[0]
    assert r.confidence >= 0.6, r
    assert r.candidates[0][0] == task and r.candidates[0][1] == max(s for _, s in r.candidates)
    assert any("keyword" in reason for reason in r.reasons)


@pytest.mark.parametrize("kind", ["video", "gui_trace", "robot_episode"])
def test_fuzzy_intent_gives_low_confidence_and_several_candidates(kind):
    r = route(source(kind), Intent(text="make this useful for training"))
    assert r.confidence < 0.6
    assert len(r.candidates) >= 3 and all(score > 0 for _, score in r.candidates)
    assert abs(sum(score for _, score in r.candidates) - 1) < 0.01


def test_single_fitting_task_is_certain():
    r = route(source("edit_sequence"), Intent(text="make this useful for training"))
    assert (r.task, r.confidence, len(r.candidates)) == ("aigc.edit_pairs", 1.0, 1)


def test_competing_tasks_lower_the_confidence():
    on_video = route(source("video"), Intent(text="QA about what the robot does"))
    on_robot = route(source("robot_episode"), Intent(text="QA about what the robot does"))
    assert on_video.task == on_robot.task == "embodied.vqa"
    assert [t for t, _ in on_video.candidates[:2]] == ["embodied.vqa", "daily.vqa"]
    assert on_video.confidence < on_robot.confidence
    both = route(source("video"), Intent(text="captions and questions"))
    assert both.confidence < 0.6 and {"daily.dense_captions", "daily.vqa"} <= {t for t, _ in both.candidates[:3]}


def test_explicit_task_wins_and_answers_count_as_explicit():
    r = route(source("video"), Intent(text="dense captions", task="daily.vqa"))
    assert (r.task, r.confidence) == ("daily.vqa", 1.0)
    r = route(source("video"), Intent(text="make it useful", answers={"task": "education.procedure"}))
    assert (r.task, r.confidence) == ("education.procedure", 1.0)


def test_explicit_task_for_the_wrong_source_kind_is_an_input_error():
    with pytest.raises(InputError, match=r"sample.video: task gui.trajectory takes gui_trace sources, not video; tasks for it: "):
        route(source("video"), Intent(text="x", task="gui.trajectory"))
    with pytest.raises(UnknownTask, match="unknown task"):
        route(source("video"), Intent(text="x", task="video.captions"))


def test_custom_schema_routes_to_custom():
    r = route(source("robot_episode"), Intent(text="my format", schema={"type": "object"}))
    assert (r.task, r.domain, r.confidence) == ("custom", "custom", 1.0)
    with pytest.raises(InputError, match="intent.schema"):
        route(source("video"), Intent(text="my format", domain="custom"))


def test_named_domain_restricts_candidates():
    r = route(source("video"), Intent(text="questions please", domain="embodied"))
    assert r.task == "embodied.vqa" and {t for t, _ in r.candidates} == {"embodied.subtasks", "embodied.vqa"}
    r = route(source("edit_sequence"), Intent(text="anything", domain="aigc"))
    assert (r.task, r.confidence) == ("aigc.edit_pairs", 1.0)
    with pytest.raises(InputError, match="the gui expert has no task for video sources"):
        route(source("video"), Intent(text="x", domain="gui"))
    with pytest.raises(UnknownTask, match="unknown domain"):
        route(source("video"), Intent(text="x", domain="robots"))


def test_routing_is_deterministic():
    intent = Intent(text="captions and questions for this video", target_use="SFT for a video LLM")
    assert route(source("video"), intent) == route(source("video"), intent)


def test_every_fitting_task_has_a_usual_rank():
    for kind in SourceKind:
        assert set(usual(kind)) == {t.name for t in tasks_for(kind) if t.name != "custom"}


def test_fuzzy_video_lists_the_usual_tasks_first():
    r = route(source("video"), Intent(text="make this useful for training"))
    assert [t for t, _ in r.candidates[:3]] == ["daily.dense_captions", "daily.vqa", "education.procedure"]


def test_intent_naming_a_domain_that_does_not_fit_the_source_is_explained():
    r = route(source("video"), Intent(text="GUI agent trajectories"))
    assert r.confidence < 0.6
    assert "the intent names gui ('gui'), which has no task for video sources" in r.reasons


def test_a_custom_format_without_a_schema_is_explained():
    r = route(source("video"), Intent(text="records in my own format"))
    assert "the intent mentions a custom format ('my own format') but gives no JSON Schema" in r.reasons
