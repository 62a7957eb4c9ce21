from dataclaw_tailor.experts.examples import example_context

from .support import synthesize_checked


def test_video_tutorial_steps_use_narration_and_on_screen_text():
    record = synthesize_checked(example_context("education", "education.procedure"))
    assert [(s["title"], s["start_s"], s["end_s"]) for s in record["steps"]] == [
        ("STEP 1: WATER", 0.0, 9.0), ("STEP 2: REMOVE", 9.0, 19.5), ("STEP 3: REPOT", 19.5, 30.0)]
    assert record["steps"][1]["instruction"] == "Tip the pot and slide the plant out gently."
    assert record["topic"] == "First, water the plant a day before repotting."


def test_gui_session_becomes_a_tutorial_with_one_step_per_action():
    ctx = example_context("gui", "gui.trajectory")
    record = synthesize_checked(type(ctx)(source=ctx.source, intent=ctx.intent, anchors=ctx.anchors, task="education.procedure"))
    assert [s["title"] for s in record["steps"]] == [
        "Double-click 'Firefox Web Browser' at (459, 215)", "Click 'Search or enter address' at (350, 75)",
        "Type 'www.bing.com'", "Press Return"]
    assert [(s["start_s"], s["end_s"]) for s in record["steps"]] == [(0.0, 12.0), (12.0, 13.5), (13.5, 15.0), (15.0, 16.0)]
    assert record["topic"] == "In www.bing.com, search for 'How to bake a chocolate cake'."
