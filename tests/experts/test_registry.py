import json

import jsonschema
import pytest

from dataclaw_tailor.core import ExportUnit, InputError, SourceKind, UnknownTask
from dataclaw_tailor.core.registry import DuplicateName
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.examples import MissingExample, example_context, examples_of
from dataclaw_tailor.experts.registry import EXPERTS, get_expert, get_task, list_tasks, register_expert, tasks_for

TASKS = [
    "gui.trajectory", "gui.grounding", "embodied.subtasks", "embodied.vqa", "daily.dense_captions", "daily.vqa",
    "education.procedure", "aigc.i2v_prompts", "aigc.edit_pairs", "custom",
]


def design(names: list[str]) -> list[str]:
    """The design tasks among `names`, in their order: a task added later joins them without editing these tests."""
    return [n for n in names if n in TASKS]


def test_every_design_task_is_registered_under_its_domain():
    assert design([t.name for t in list_tasks()]) == TASKS
    assert set(EXPERTS) == {"gui", "embodied", "daily", "education", "aigc", "custom"}
    for task in list_tasks():
        assert task.name in {t.name for t in get_expert(task.domain).tasks}
        assert task.version == "1.0"


def test_unknown_names_raise_with_the_valid_choices():
    with pytest.raises(UnknownTask, match="gui.trajectory, gui.grounding"):
        get_task("gui.trajectories")
    with pytest.raises(UnknownTask, match="embodied"):
        get_expert("robots")


def test_tasks_for_kind():
    assert design([t.name for t in tasks_for(SourceKind.gui_trace)]) == ["gui.trajectory", "gui.grounding", "education.procedure", "custom"]
    assert design([t.name for t in tasks_for("edit_sequence")]) == ["aigc.edit_pairs", "custom"]
    assert "daily.dense_captions" in {t.name for t in tasks_for("video")}
    assert "daily.dense_captions" not in {t.name for t in tasks_for("robot_episode")}


def test_expert_extractors_and_kinds_come_from_its_tasks():
    gui = get_expert("gui")
    assert gui.source_kinds == {SourceKind.gui_trace}
    assert {"gui_event", "gui_element"} <= set(gui.extractors)
    assert get_expert("aigc").source_kinds == {SourceKind.video, SourceKind.robot_episode, SourceKind.edit_sequence, SourceKind.image_set}


REGISTERED = [t.name for t in list_tasks()]
"""Every registered task, so a task added without an example record fails here (not at import)."""


@pytest.mark.parametrize("name", REGISTERED)
def test_example_record_is_schema_valid_and_grounded(name):
    task = get_task(name)
    ctx = example_context(task.domain, name)
    schema = task.json_schema(ctx.intent.schema_)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(task.example, schema)
    checked = check_record(json.dumps(task.example), schema, ctx.anchors, ctx.source, repair=False)
    assert checked.report.valid, checked.report.errors
    if task.model is not None:
        assert task.model.model_validate(task.example).model_dump() == task.example


@pytest.mark.parametrize("name", TASKS[:-1])
def test_schema_is_versioned_and_strict(name):
    schema = get_task(name).json_schema()
    assert schema["$comment"] == f"{name} v1.0"
    assert schema["additionalProperties"] is False
    assert all(d.get("additionalProperties") is False for d in schema.get("$defs", {}).values() if d.get("type") == "object")


def test_custom_needs_the_user_schema():
    with pytest.raises(InputError, match="schema: task custom takes your own JSON Schema"):
        get_task("custom").json_schema()
    user = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert get_task("custom").json_schema(user) is user


@pytest.mark.parametrize("name", TASKS)
def test_prompt_asks_for_grounded_json(name):
    text = get_task(name).prompt
    assert name in text and "anchor_ids" in text and "JSON Schema" in text
    assert "{" not in text, "prompts are plain text, safe to embed with str.format"


@pytest.mark.parametrize("name", REGISTERED)
def test_task_declares_its_routing_rank_and_export_unit(name):
    task = get_task(name)
    assert isinstance(task.export_unit, ExportUnit)
    assert set(task.rank) <= task.source_kinds, "a rank for a source kind the task does not take"
    if task.name != "custom":
        assert set(task.rank) == task.source_kinds and task.keywords


def test_a_missing_example_is_a_clear_error_on_use_not_at_import():
    book = examples_of("gui")
    with pytest.raises(MissingExample, match=r"task gui.nope has no example record in experts/examples/gui.json"):
        book("gui.nope")
    with pytest.raises(MissingExample, match=r"no example file experts/examples/nodomain.json"):
        examples_of("nodomain")("nodomain.task")


def test_a_second_expert_under_a_taken_name_is_refused():
    with pytest.raises(DuplicateName, match="domain 'gui' is already registered"):
        register_expert(get_expert("gui"))
    assert [t.name for t in list_tasks()] == REGISTERED  # nothing half-registered
