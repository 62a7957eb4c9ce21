from dataclaw_tailor.experts.examples import example_context

from .support import context, synthesize_checked

GRIPPER_ONLY = [
    {"id": "robot_task:0", "kind": "robot_task", "c": {"instruction": "put the carrot in the pot", "robot": "widowx"}},
    {"id": "gripper:0", "kind": "gripper", "t": 1.0, "c": {"state": "close"}},
    {"id": "gripper:1", "kind": "gripper", "t": 3.0, "c": {"state": "open"}},
    {"id": "pause:0", "kind": "pause", "t": [3.5, 4.0]},
    {"id": "regrasp:0", "kind": "regrasp", "t": [0.8, 1.2]},
    {"id": "frame:0", "kind": "frame", "t": 0.0, "c": {"path": "frames/0.jpg"}},
    {"id": "frame:1", "kind": "frame", "t": 5.0, "c": {"path": "frames/1.jpg"}},
]


def test_subtasks_follow_phases_and_gripper_events():
    record = synthesize_checked(example_context("embodied", "embodied.subtasks"))
    assert record["task"] == "Pick up the yellow bottle on the table." and record["robot"] == "unitree_g1"
    assert [(s["skill"], s["start_s"], s["end_s"], s["gripper"]) for s in record["segments"]] == [
        ("reach", 0.0, 2.1, "opening"), ("grasp", 2.1, 3.6, "closing"), ("lift", 3.6, 7.4, "closed")]
    assert record["segments"][1]["anchor_ids"] == ["phase:1", "gripper:1"]
    assert [(a["type"], a["start_s"]) for a in record["anomalies"]] == [("hesitation", 1.5)]


def test_subtasks_without_phases_split_at_gripper_events():
    ctx = context("embodied.subtasks", "robot_episode", GRIPPER_ONLY, {"duration_s": 5.0})
    record = synthesize_checked(ctx)
    assert [(s["skill"], s["start_s"], s["end_s"], s["gripper"]) for s in record["segments"]] == [
        ("reach and grasp", 0.0, 1.0, "unknown"), ("move and release", 1.0, 3.0, "closing"), ("retreat", 3.0, 3.5, "opening"),
        ("pause", 3.5, 4.0, "open"), ("retreat", 4.0, 5.0, "open")], "the velocity pause inside the retreat is its own segment"
    assert record["segments"][0]["anchor_ids"] == ["gripper:0", "frame:0"]
    assert record["segments"][1]["anchor_ids"] == ["gripper:0", "gripper:1"]
    assert [(a["type"], a["start_s"], a["end_s"]) for a in record["anomalies"]] == [("regrasp", 0.8, 1.2), ("idle", 3.5, 4.0)]


def test_subtasks_on_a_plain_video_do_not_invent_skills():
    anchors = [{"id": "shot:0", "kind": "shot", "t": [0, 4]}, {"id": "shot:1", "kind": "shot", "t": [4, 9]},
               {"id": "motion:0", "kind": "motion", "t": [4, 9], "c": {"state": "motion"}}]
    record = synthesize_checked(context("embodied.subtasks", "video", anchors, {"duration_s": 9.0}))
    assert {s["skill"] for s in record["segments"]} == {"unknown"}
    assert record["task"] == "unknown" and record["segments"][1]["gripper"] == "unknown"
    assert "in motion" in record["segments"][1]["description"]


def test_vqa_answers_come_from_anchors():
    record = synthesize_checked(example_context("embodied", "embodied.vqa"))
    answers = {q["question"]: q["answer"] for q in record["qa"]}
    assert answers["What is the robot asked to do?"] == "Pick up the yellow bottle on the table."
    assert answers["When does the gripper first close?"] == "At about 3.1 s."
    assert answers["What does the robot do right after 'reach'?"] == "'grasp', from 2.1 s."
    assert answers["Does the robot hesitate during the episode?"] == "Yes, from 1.5 s to 2.0 s."


def test_vqa_respects_max_items_and_counts_closes():
    ctx = context("embodied.vqa", "robot_episode", GRIPPER_ONLY, {"duration_s": 5.0}, max_items=3)
    record = synthesize_checked(ctx)
    assert len(record["qa"]) == 3
    full = synthesize_checked(context("embodied.vqa", "robot_episode", GRIPPER_ONLY, {"duration_s": 5.0}))
    count = next(q for q in full["qa"] if q["question"].startswith("How many times"))
    assert count["answer"] == "1" and count["anchor_ids"] == ["gripper:0"]


EXTRACTOR_SHAPED = [
    {"id": "robot_task:0", "kind": "robot_task", "c": {"instruction": "put the spoon in the pot", "robot": "widowx"}},
    {"id": "gripper:0", "kind": "gripper", "t": 2.0, "c": {"state": "close", "step": 10, "change": 0.8, "signal": "action"}},
    {"id": "gripper:1", "kind": "gripper", "t": 5.0, "c": {"state": "open", "step": 25, "change": 0.7, "signal": "action"}},
    {"id": "pause:0", "kind": "pause", "t": [0.4, 1.0], "c": {"steps": [2, 5], "mean_speed": 0.001}},
    {"id": "phase:0", "kind": "phase", "t": [0.0, 2.0], "c": {"skill": "reach", "steps": [0, 10]}},
    {"id": "phase:1", "kind": "phase", "t": [2.0, 2.6], "c": {"skill": "grasp", "steps": [10, 13]}},
    {"id": "phase:2", "kind": "phase", "t": [2.6, 5.0], "c": {"skill": "lift", "steps": [13, 25]}},
    {"id": "phase:3", "kind": "phase", "t": [5.0, 5.4], "c": {"skill": "release", "steps": [25, 27]}},
    {"id": "phase:4", "kind": "phase", "t": [5.4, 6.0], "c": {"skill": "retreat", "steps": [27, 30]}},
    {"id": "frame:0", "kind": "frame", "t": 0.0, "c": {"path": "f/0.jpg", "step": 0}},
    {"id": "frame:1", "kind": "frame", "t": 2.0, "c": {"path": "f/10.jpg", "step": 10}},
    {"id": "frame:2", "kind": "frame", "t": 2.6, "c": {"path": "f/13.jpg", "step": 13}},
    {"id": "frame:3", "kind": "frame", "t": 5.0, "c": {"path": "f/25.jpg", "step": 25}},
]


def test_extractor_shaped_episode_gives_grounded_records_for_every_robot_task():
    meta = {"duration_s": 6.0, "fps": 5, "n_steps": 30}
    subtasks = synthesize_checked(context("embodied.subtasks", "robot_episode", EXTRACTOR_SHAPED, meta))
    assert [(s["skill"], s["gripper"]) for s in subtasks["segments"]] == [
        ("reach", "unknown"), ("pause", "unknown"), ("reach", "unknown"), ("grasp", "closing"), ("lift", "closed"), ("release", "opening"),
        ("retreat", "open")]
    assert [(s["start_s"], s["end_s"]) for s in subtasks["segments"][:3]] == [(0.0, 0.4), (0.4, 1.0), (1.0, 2.0)]
    assert subtasks["anomalies"] == [{"type": "idle", "start_s": 0.4, "end_s": 1.0,
                                      "evidence": "pause anchor pause:0: the robot does not move (0.4-1.0 s).", "anchor_ids": ["pause:0"]}]
    synthesize_checked(context("embodied.vqa", "robot_episode", EXTRACTOR_SHAPED, meta))
    clips = synthesize_checked(context("aigc.i2v_prompts", "robot_episode", EXTRACTOR_SHAPED, meta))["clips"]
    assert [c["first_frame"] for c in clips] == ["f/0.jpg", "f/10.jpg", "f/13.jpg", "f/25.jpg", None]
    assert clips[1]["contact_events"] == [{"type": "contact", "t": 2.0, "anchor_ids": ["gripper:0"]}]
    assert clips[1]["action_noun"] == "spoon"


def test_no_question_or_segment_about_a_zero_second_span():
    anchors = [{"id": "robot_task:0", "kind": "robot_task", "c": {"instruction": "pick the cup", "robot": "arm"}},
               {"id": "gripper:0", "kind": "gripper", "t": 2.0, "c": {"state": "close"}},
               {"id": "phase:0", "kind": "phase", "t": [0.0, 2.0], "c": {"skill": "reach"}},
               {"id": "phase:1", "kind": "phase", "t": [2.0, 2.0], "c": {"skill": "grasp"}},
               {"id": "phase:2", "kind": "phase", "t": [2.0, 5.0], "c": {"skill": "lift"}},
               {"id": "pause:0", "kind": "pause", "t": [4.0, 4.0]}]
    vqa = synthesize_checked(context("embodied.vqa", "robot_episode", anchors, {"duration_s": 5.0}))
    assert vqa["qa"] and all(q["clip"][1] - q["clip"][0] >= 0.1 for q in vqa["qa"])
    count = next(q for q in vqa["qa"] if q["question"].startswith("How many times"))
    assert count["answer"] == "1" and count["clip"] == [1.5, 2.5]
    record = synthesize_checked(context("embodied.subtasks", "robot_episode", anchors, {"duration_s": 5.0}))
    assert [s["skill"] for s in record["segments"]] == ["reach", "lift"] and record["anomalies"] == []


def test_velocity_pauses_split_skills_but_not_the_recording_margins_or_a_grasp():
    """Pauses at the episode's start or end are no segment, anomaly or question; a pause holding a gripper event is the
    grasp itself; a piece left under MIN_SEGMENT_S joins the pause; the close is placed relative to each inner pause."""
    from dataclaw_tailor.experts import embodied

    anchors = [{"id": "robot_task:0", "kind": "robot_task", "c": {"instruction": "stack the block", "robot": "arm"}},
               {"id": "gripper:0", "kind": "gripper", "t": 3.0, "c": {"state": "close"}},
               {"id": "phase:0", "kind": "phase", "t": [0.0, 3.0], "c": {"skill": "reach"}},
               {"id": "phase:1", "kind": "phase", "t": [3.0, 3.5], "c": {"skill": "grasp"}},
               {"id": "phase:2", "kind": "phase", "t": [3.5, 8.0], "c": {"skill": "lift"}},
               {"id": "pause:0", "kind": "pause", "t": [0.0, 0.6]},  # before the first motion
               {"id": "pause:1", "kind": "pause", "t": [1.5, 2.0]},  # inside the reach
               {"id": "pause:2", "kind": "pause", "t": [2.9, 3.2]},  # the arm still while the gripper closes
               {"id": "pause:3", "kind": "pause", "t": [5.0, 7.8]},  # 0.2 s before the lift ends
               {"id": "pause:4", "kind": "pause", "t": [7.6, 8.0]}]  # after the last motion
    record = synthesize_checked(context("embodied.subtasks", "robot_episode", anchors, {"duration_s": 8.0}))
    assert [(s["skill"], s["start_s"], s["end_s"]) for s in record["segments"]] == [
        ("reach", 0.0, 1.5), ("pause", 1.5, 2.0), ("reach", 2.0, 3.0), ("grasp", 3.0, 3.5), ("lift", 3.5, 5.0), ("pause", 5.0, 8.0)]
    assert all(s["end_s"] - s["start_s"] >= embodied.MIN_SEGMENT_S for s in record["segments"])
    assert [a["anchor_ids"] for a in record["anomalies"]] == [["pause:1"], ["pause:2"], ["pause:3"]]
    qa = synthesize_checked(context("embodied.vqa", "robot_episode", anchors, {"duration_s": 8.0}))["qa"]
    relative = {q["anchor_ids"][0]: q["answer"].split(":")[0] for q in qa if q["question"].startswith("Does the gripper close")}
    assert relative == {"pause:1": "After it", "pause:2": "During it", "pause:3": "Before it"}
    assert not any("pause:0" in q["anchor_ids"] or "pause:4" in q["anchor_ids"] for q in qa)
    assert all(q["clip"][1] > q["clip"][0] for q in qa)
