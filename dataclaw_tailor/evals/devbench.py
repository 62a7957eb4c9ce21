"""Build the dev benchmark (`bench/devset/devbench.jsonl`) from the real samples in `shared/devset`.

Times, positions and action sequences in the references come from the ground truth each sample
carries, read here from the raw files: ScreenAgent's human-corrected actions, the gripper channel of
BridgeData episodes, the hand-finger channel of the Unitree G1 episode, PySceneDetect's reference
cut list and the subtitle cues of the Sintel clip. The sentences (captions, observations, thoughts, QA answers) were written by a person
looking at the frames and screenshots of exactly these samples; they are the `*_TEXT` tables below.
`bench/devset/README.md` says how each reference was built.

    python -m dataclaw_tailor.evals.devbench [--devset DIR] [--out bench/devset/devbench.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..core import InputError
from ..tools.files import write_atomic
from .cases import BenchCase, find_devset

SCREENAGENT = "gui/screenagent-task101"
BRIDGE = "robot/bridge-rlds/bridge_dataset/1.0.0"
G1 = "robot/g1-lerobot-v21"
VIDEO = "video/pyscenedetect/testvideo.mp4"
SINTEL = "video/sintel-subtitles/Sintel.2010.480.mp4"

def _case(id: str, task: str, source: str, intent: str, reference: dict[str, Any], notes: str, *, fuzzy: bool = False) -> BenchCase:
    """A case in the task's domain; a fuzzy case answers the clarification question with its own task."""
    return BenchCase(id=id, domain=task.split(".")[0], task=task, source=source, intent=intent, fuzzy=fuzzy,
                     answers={"task": task} if fuzzy else {}, reference=reference, notes=notes)


# ---------------------------------------------------------------- GUI: ScreenAgent task101

GUI_TEXT = {
    # (file stem, action index in that file) -> (observation, thought, target element)
    ("2024-01-03_12-46-48-275588", 0): (
        "The Ubuntu desktop shows icons for Visual Studio Code, Mousepad, Data, LearnPython and Firefox.",
        "Open the Firefox browser by double-clicking its desktop icon.",
        "Firefox Web Browser",
    ),
    ("2024-01-03_12-48-38-156303", 0): (
        "Firefox is open on a new tab with an address bar that says 'Search with Bing or enter address'.",
        "Click the address bar to enter the Bing address.",
        "Search with Bing or enter address",
    ),
    ("2024-01-03_12-48-38-156303", 1): (
        "The address bar of the new tab is focused.",
        "Type the Bing address into the address bar.",
        None,
    ),
    ("2024-01-03_12-48-38-156303", 2): (
        "The address bar contains www.bing.com.",
        "Press Enter to load the Bing home page.",
        None,
    ),
    ("2024-01-03_12-55-23-492875", 0): (
        "The Microsoft Bing home page is shown with an empty search box over a mountain lake picture.",
        "Click the Bing search box to type the query.",
        "Bing search box",
    ),
    ("2024-01-03_12-55-23-492875", 1): (
        "The Bing search box is focused.",
        "Type the query 'How to bake a chocolate cake'.",
        None,
    ),
    ("2024-01-03_12-57-09-618954", 0): (
        "The search box holds 'How to bake a chocolate cake' with a list of suggestions below it.",
        "Press Enter to run the search.",
        None,
    ),
    ("2024-01-03_12-57-48-942486", 0): (
        "Bing shows search results for 'How to bake a chocolate cake' with recipe cards for chocolate cakes.",
        "Scroll down to look through the search results.",
        None,
    ),
}
GROUNDING_TEXT = {
    ("2024-01-03_12-46-48-275588", 0): "Double-click the Firefox icon on the desktop",
    ("2024-01-03_12-48-38-156303", 0): "Click the address bar of the new Firefox tab",
    ("2024-01-03_12-55-23-492875", 0): "Click the search box on the Bing home page",
}


def _screenagent_actions(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """The executed trajectory: `*_translate.json` in timestamp order (not the `_neg_*` variants), each
    MouseAction / KeyboardAction as one canonical action with the file's screenshot."""
    files = sorted(p for p in folder.glob("*_translate.json"))
    if not files:
        raise InputError(folder, "no ScreenAgent *_translate.json files")
    task, steps = "", []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        task = doc.get("task_prompt_en") or doc.get("task_prompt") or task
        stem = path.name.removesuffix("_translate.json")
        mouse_or_key = [a for a in doc.get("actions", []) if a.get("action_type") in ("MouseAction", "KeyboardAction")]
        for i, act in enumerate(mouse_or_key):
            action = {"type": "", "x": None, "y": None, "text": None, "keys": None, "direction": None, "amount": None, "to_x": None, "to_y": None}
            if act["action_type"] == "MouseAction":
                kind = act["mouse_action_type"]
                if kind.startswith("scroll_"):
                    action.update(type="scroll", direction=kind.removeprefix("scroll_"), amount=int(act.get("scroll_repeat", 1)))
                else:
                    pos = act["mouse_position"]
                    action.update(type=kind, x=int(pos["width"]), y=int(pos["height"]))
            elif act["keyboard_action_type"] == "text":
                action.update(type="type", text=act["keyboard_text"])
            else:
                action.update(type="key", keys=[act["keyboard_key"]])
            steps.append({"key": (stem, i), "screenshot": doc["saved_image_name"], "action": action})
    return task, steps


def gui_cases(devset: Path) -> list[BenchCase]:
    task, actions = _screenagent_actions(devset / SCREENAGENT)
    screen = {"width": 1024, "height": 768}
    steps = []
    for n, a in enumerate(actions):
        observation, thought, target = GUI_TEXT[a["key"]]
        steps.append({"index": n, "screenshot": a["screenshot"], "observation": observation, "thought": thought,
                      "action": a["action"], "target_element": target, "anchor_ids": [f"gui_event:{n}"]})
    trajectory = {"task": task, "platform": "ubuntu", "screen": screen, "steps": steps}
    pairs = [
        {"screenshot": a["screenshot"], "instruction": GROUNDING_TEXT[a["key"]], "x": a["action"]["x"], "y": a["action"]["y"],
         "bbox": None, "element_text": GUI_TEXT[a["key"]][2], "anchor_ids": [f"gui_event:{n}"]}
        for n, a in enumerate(actions) if a["key"] in GROUNDING_TEXT
    ]
    grounding = {"screen": screen, "pairs": pairs}
    src = f"devset:{SCREENAGENT}"
    traj_note = "steps = the human-corrected MouseAction/KeyboardAction list of the executed *_translate.json files in time order; observation/thought/target written from the screenshots"
    ground_note = "pairs = the pointer actions of the human-corrected trajectory (their mouse_position), instructions written from the screenshots"
    return [
        _case(
            "gui-trajectory", "gui.trajectory", src,
            "Turn this screen recording into GUI-agent SFT steps, one step per action with a thought.",
            trajectory, traj_note,
        ),
        _case(
            "gui-grounding", "gui.grounding", src,
            "Make GUI grounding pairs: a click instruction and its target point on each screenshot.",
            grounding, ground_note,
        ),
        _case(
            "gui-trajectory-fuzzy", "gui.trajectory", src,
            "I want to train my computer-use agent on this.",
            trajectory, traj_note, fuzzy=True,
        ),
        _case(
            "gui-grounding-fuzzy", "gui.grounding", src,
            "Make something useful from these screenshots.",
            grounding, ground_note, fuzzy=True,
        ),
    ]


# ---------------------------------------------------------------- video: PySceneDetect test clip

SHOT_TEXT = [
    # (caption, objects, procedure title, procedure instruction)
    ("A black screen shows a copyright notice for Brandon Castellano.", ["copyright notice"],
     "Read the opening card", "Read the copyright notice shown on the black opening card."),
    ("A red autumn leaf rests on a sunlit grey rock.", ["leaf", "rock"],
     "Look at the leaf on the rock", "Look at the red autumn leaf lying on the sunlit grey rock."),
    ("A white-tailed deer stands among trees in a forest, then the picture fades to black.", ["deer", "tree"],
     "Watch the deer in the forest", "Watch the white-tailed deer standing among the trees until the picture fades to black."),
    ("A dry leaf lies on a dark rock against autumn foliage, dissolving into a close-up of a ridged textured surface before fading to black.", ["leaf", "rock", "foliage"],
     "See the rock dissolve into a texture", "See the leaf on the dark rock dissolve into a close-up of a ridged surface before the fade to black."),
]
VIDEO_SUMMARY = "Short autumn nature shots: a leaf on a sunlit rock, a deer in the forest, and a leaf on a dark rock that dissolves into a textured close-up, separated by cuts and fades to black."
ON_SCREEN = ["Copyright © 2013 Brandon Castellano", "www.bcastell.com"]


def _shots(devset: Path) -> tuple[list[tuple[float, float]], float]:
    """Shot spans from the reference cut list (frame indices at 29.97 fps) and the clip's duration."""
    video = devset / VIDEO
    cuts = json.loads(video.with_name(video.name + ".ContentDetector.default.json").read_text())["cuts"]
    fps, frames = 30000 / 1001, 720
    duration = round(frames / fps, 3)
    edges = [0.0] + [round(c / fps, 3) for c in cuts] + [duration]
    return list(zip(edges, edges[1:])), duration


def video_cases(devset: Path) -> list[BenchCase]:
    shots, duration = _shots(devset)
    events = [{"start_s": s, "end_s": e, "caption": SHOT_TEXT[i][0], "objects": SHOT_TEXT[i][1], "anchor_ids": [f"shot:{i}"]} for i, (s, e) in enumerate(shots)]
    captions = {"summary": VIDEO_SUMMARY, "events": events}
    procedure = {
        "topic": "Watching a short autumn nature clip",
        "steps": [{"start_s": s, "end_s": e, "title": SHOT_TEXT[i][2], "instruction": SHOT_TEXT[i][3], "on_screen_text": ON_SCREEN, "anchor_ids": [f"shot:{i}"]} for i, (s, e) in enumerate(shots)],
        "summary": VIDEO_SUMMARY,
    }
    (s1, e1), (s2, e2), (s3, _) = shots[1], shots[2], shots[3]
    vqa = {"qa": [
        {"type": "counting", "question": "How many hard cuts are there in the video?", "answer": "Three hard cuts, so the video has four shots.",
         "clip": [0.0, duration], "reasoning": f"Cuts at about {s1:.1f} s, {s2:.1f} s and {s3:.1f} s.", "anchor_ids": ["shot:0", "shot:1", "shot:2", "shot:3"]},
        {"type": "temporal_order", "question": "What is shown right after the opening black screen?", "answer": "A red autumn leaf lying on a sunlit rock.",
         "clip": [s1, e1], "reasoning": "The first cut leads from the black copyright card to the leaf shot.", "anchor_ids": ["shot:1"]},
        {"type": "spatial", "question": "Where is the red leaf in the second shot?", "answer": "On top of a grey rock, lit by the sun.",
         "clip": [s1, e1], "reasoning": "The leaf rests on the rock's upper surface for the whole shot.", "anchor_ids": ["shot:1"]},
        {"type": "state_change", "question": "How does the deer shot end?", "answer": "The picture fades to black.",
         "clip": [s2, e2], "reasoning": "The deer shot darkens to black before the next cut.", "anchor_ids": ["shot:2"]},
    ]}
    src = f"devset:{VIDEO}"
    note = "spans = PySceneDetect's reference cut list [30, 180, 394] at 29.97 fps; text written from frames of each shot"
    return [
        _case(
            "daily-captions", "daily.dense_captions", src,
            "Write dense captions with timestamps for this video.",
            captions, note,
        ),
        _case(
            "daily-captions-fuzzy", "daily.dense_captions", src,
            "Turn this clip into training data.",
            captions, note, fuzzy=True,
        ),
        _case(
            "daily-vqa", "daily.vqa", src,
            "Make spatio-temporal video QA pairs about this clip.",
            vqa, note,
        ),
        _case(
            "education-procedure", "education.procedure", src,
            "Turn this video into a step-by-step procedure with the on-screen text of each step.",
            procedure, note + "; on-screen text = the watermark visible in every frame",
        ),
    ]


# ---------------------------------------------------------------- video with speech: the Sintel clip's subtitles

SINTEL_TEXT = [
    # (caption, objects) for each subtitle cue, written from the frames of its span
    ("A red-haired young woman sits in a dim hut while an old man tends a small fire beside her.", ["young woman", "old man", "fire"]),
    ("The old man leans toward the young woman and hands her a bowl.", ["old man", "bowl"]),
    ("The young woman holds the red bowl in both hands.", ["young woman", "bowl"]),
    ("A wide view of the round hut: the young woman and the old man sit on either side of a small fire.", ["hut", "fire"]),
    ("The wide view of the two by the fire cuts to a close-up of the young woman looking down.", ["young woman", "fire"]),
    ("A close-up of hands holding the bowl of pale soup.", ["hands", "bowl", "soup"]),
    ("The old man, a red band painted across his eyes, looks at her; then the young woman's face in close-up.", ["old man", "young woman"]),
    ("The young woman answers in close-up.", ["young woman"]),
]
SINTEL_SUMMARY = ("In a dim round hut an old man with a painted face gives a red-haired young woman a bowl of soup by a small fire "
                  "and asks what brings her there; she says she is searching for someone, a dragon.")


def sintel_cases(devset: Path) -> list[BenchCase]:
    """Dense captions whose events are the clip's 8 subtitle cues: the speech a captioner has to follow inside its shots."""
    from ..tools.subtitles import parse_cues

    srt = (devset / SINTEL).with_suffix(".srt")
    cues = parse_cues(srt.read_text(encoding="utf-8-sig"), srt)
    if len(cues) != len(SINTEL_TEXT):
        raise InputError(srt, f"{len(cues)} cues, the reference texts describe {len(SINTEL_TEXT)}")
    events = [{"start_s": round(start, 3), "end_s": round(end, 3), "caption": caption, "objects": objects, "anchor_ids": [f"subtitle:{i}"]}
              for i, ((start, end, _), (caption, objects)) in enumerate(zip(cues, SINTEL_TEXT))]
    return [_case(
        "sintel-captions", "daily.dense_captions", f"devset:{SINTEL}",
        "Write dense captions with timestamps for this video.",
        {"summary": SINTEL_SUMMARY, "events": events},
        "events = the 8 cues of the sidecar .srt (every subtitle track of the clip has these times); captions written from the frames of each cue's span",
    )]


# ---------------------------------------------------------------- robots: BridgeData (RLDS) and Unitree G1 (LeRobot)

BRIDGE_OBJECT = {"put carrot on plate": "carrot", "put cup from counter or drying rack into sink": "cup",
                 "turn lever vertical to front": "lever", "flip pot upright which is in sink": "pot"}
BRIDGE_HZ = 5.0
"""BridgeData's published control rate; RLDS stores no timestamps."""


def _bridge(devset: Path, episode: int) -> tuple[str, float | None, float]:
    """(instruction, time the gripper closes or None, duration) from action[:, 6] (1 = open, 0 = closed)."""
    from ..tools.formats import load_episode

    ep = load_episode(f"{devset / BRIDGE}#episode={episode}")
    open_channel = ep.action[:, 6]
    closes = [i for i in range(len(open_channel)) if open_channel[i] < 0.5]
    return ep.instruction, (closes[0] / BRIDGE_HZ if closes else None), len(open_channel) / BRIDGE_HZ


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def bridge_subtasks(devset: Path, episode: int) -> dict[str, Any]:
    instruction, close, duration = _bridge(devset, episode)
    thing = BRIDGE_OBJECT[instruction]
    reach_end = close if close is not None else duration
    segments = [{"start_s": 0.0, "end_s": reach_end, "skill": "reach", "description": f"The arm moves toward the {thing} with the gripper open.", "gripper": "open", "anchor_ids": []}]
    if close is not None:
        segments.append({"start_s": close, "end_s": duration, "skill": "grasp", "description": f"The gripper closes on the {thing} and holds it.", "gripper": "closed", "anchor_ids": []})
    return {"task": _sentence(instruction), "robot": "WidowX", "segments": segments, "anomalies": []}


def bridge_vqa(devset: Path, episode: int) -> dict[str, Any]:
    instruction, close, duration = _bridge(devset, episode)
    thing = BRIDGE_OBJECT[instruction]
    qa = [{"question": "What is the robot asked to do?", "answer": _sentence(instruction), "clip": [0.0, duration],
           "reasoning": "The episode's language instruction states the task.", "anchor_ids": []}]
    if close is not None:
        qa += [
            {"question": "When does the gripper close?", "answer": f"At about {close:.1f} seconds.", "clip": [round(max(0.0, close - 0.2), 3), round(min(duration, close + 0.2), 3)],
             "reasoning": "The gripper command drops from open to closed at this step.", "anchor_ids": []},
            {"question": "Is the gripper open or closed at the end of the episode?", "answer": f"Closed, holding the {thing}.", "clip": [round(max(0.0, duration - 0.4), 3), duration],
             "reasoning": "The gripper stays closed after the grasp until the episode ends.", "anchor_ids": []},
        ]
    return {"task": _sentence(instruction), "qa": qa}


def _g1_phases(devset: Path) -> tuple[str, list[float]]:
    """[0, open starts, fully open, grasp settles, end] from the right hand's finger joints (higher = more open)."""
    import numpy as np
    import pyarrow.parquet as pq

    folder = devset / G1
    task = json.loads((folder / "meta" / "tasks.jsonl").read_text().splitlines()[0])["task"]
    table = pq.read_table(next((folder / "data").rglob("episode_000029.parquet")), columns=["observation.state", "timestamp"])
    state = np.asarray(table.column("observation.state").to_pylist(), dtype=float)
    times = np.asarray(table.column("timestamp").to_pylist(), dtype=float)
    openness = state[:, 20:24].mean(axis=1)
    closure = (openness.max() - openness) / (openness.max() - openness.min())
    opening = int(np.argmax(closure < 0.9))
    widest = int(np.argmin(closure))
    settled = widest + int(np.argmax(closure[widest:]))
    end = round(float(times[-1] - times[0]) + 1 / 30, 3)
    return task, [0.0, round(float(times[opening]), 2), round(float(times[widest]), 2), round(float(times[settled]), 2), end]


G1_SEGMENTS = [
    ("reach", "The right hand moves toward the yellow bottle with its fingers curled.", "closed"),
    ("pre-grasp", "The right hand opens its fingers wide as it reaches around the yellow bottle.", "opening"),
    ("grasp", "The fingers close around the yellow bottle.", "closing"),
    ("lift", "The hand holds the yellow bottle and lifts it up off the table.", "closed"),
]


def g1_subtasks(devset: Path) -> dict[str, Any]:
    task, edges = _g1_phases(devset)
    segments = [{"start_s": s, "end_s": e, "skill": k, "description": d, "gripper": g, "anchor_ids": []}
                for (s, e), (k, d, g) in zip(zip(edges, edges[1:]), G1_SEGMENTS)]
    return {"task": task, "robot": "Unitree G1 with Inspire hands", "segments": segments, "anomalies": []}


def g1_vqa(devset: Path) -> dict[str, Any]:
    task, (start, opening, widest, settled, end) = _g1_phases(devset)
    return {"task": task, "qa": [
        {"question": "What is the robot asked to do?", "answer": "Pick up the yellow bottle on the table.", "clip": [start, end], "reasoning": "The episode's task text states it.", "anchor_ids": []},
        {"question": "When does the hand open before grasping?", "answer": f"Between about {opening:.1f} and {widest:.1f} seconds.", "clip": [opening, widest],
         "reasoning": "The finger joints open to their widest while the hand reaches the bottle.", "anchor_ids": []},
        {"question": "When does the hand close around the bottle?", "answer": f"Between about {widest:.1f} and {settled:.1f} seconds.", "clip": [widest, settled],
         "reasoning": "The fingers close until they stop on the bottle, only partly closed.", "anchor_ids": []},
        {"question": "What happens to the bottle after the grasp?", "answer": "It is lifted up off the table.", "clip": [settled, end],
         "reasoning": "The hand stays partly closed on the bottle while the arm moves up.", "anchor_ids": []},
    ]}


def robot_cases(devset: Path) -> list[BenchCase]:
    g1 = f"devset:{G1}"
    bridge = f"devset:{BRIDGE}"
    g1_note = "spans from the right hand's finger joints (open start, widest, grasp settled) of episode 29; texts written from its video"
    bridge_note = "instruction from steps/language_instruction; grasp time = first step with action[:, 6] < 0.5 at 5 Hz"
    return [
        _case(
            "g1-subtasks", "embodied.subtasks", g1,
            "Segment this robot episode into skills with the gripper state and any anomalies.",
            g1_subtasks(devset), g1_note,
        ),
        _case(
            "g1-vqa", "embodied.vqa", g1,
            "Make spatio-temporal QA pairs about what the robot does in this episode.",
            g1_vqa(devset), g1_note,
        ),
        _case(
            "g1-fuzzy", "embodied.subtasks", g1,
            "Use this robot recording for training.",
            g1_subtasks(devset), g1_note, fuzzy=True,
        ),
        _case(
            "bridge-ep1-subtasks", "embodied.subtasks", f"{bridge}#episode=1",
            "Segment this robot episode into skills with the gripper state.",
            bridge_subtasks(devset, 1), bridge_note,
        ),
        _case(
            "bridge-ep11-subtasks", "embodied.subtasks", f"{bridge}#episode=11",
            "Segment this robot episode into skills with the gripper state.",
            bridge_subtasks(devset, 11), bridge_note,
        ),
        _case(
            "bridge-ep0-subtasks", "embodied.subtasks", f"{bridge}#episode=0",
            "Segment this robot episode into skills with the gripper state.",
            bridge_subtasks(devset, 0), bridge_note + "; this episode never closes the gripper",
        ),
        _case(
            "bridge-ep13-vqa", "embodied.vqa", f"{bridge}#episode=13",
            "Make spatio-temporal QA pairs about what the robot does in this episode.",
            bridge_vqa(devset, 13), bridge_note,
        ),
        _case(
            "bridge-ep20-fuzzy", "embodied.vqa", f"{bridge}#episode=20",
            "Something for my robot model from this.",
            bridge_vqa(devset, 20), bridge_note, fuzzy=True,
        ),
    ]


# ---------------------------------------------------------------- assembly


def build_cases(devset: Path) -> list[BenchCase]:
    """Every dev case; each reference is checked against its task's JSON Schema."""
    from ..core.validate import schema_problems
    from ..experts.registry import get_task

    cases = gui_cases(devset) + video_cases(devset) + sintel_cases(devset) + robot_cases(devset)
    for case in cases:
        problems = schema_problems(case.reference, get_task(case.task).json_schema())
        if problems:
            raise InputError(case.id, f"reference breaks the {case.task} schema: {problems[0].path}: {problems[0].message}")
    return cases


def write_cases(cases: list[BenchCase], out: Path) -> None:
    write_atomic(out, "".join(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n" for c in cases))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, default=None, help="shared/devset folder (default: DATACLAW_DEVSET or found beside the project)")
    parser.add_argument("--out", type=Path, default=Path("bench/devset/devbench.jsonl"))
    args = parser.parse_args(argv)
    devset = args.devset or find_devset(Path.cwd())
    if devset is None or not devset.is_dir():
        raise SystemExit("error: the real devset is not present; pass --devset or set DATACLAW_DEVSET")
    cases = build_cases(devset)
    write_cases(cases, args.out)
    print(f"{len(cases)} cases ({sum(c.fuzzy for c in cases)} fuzzy) over {len({c.domain for c in cases})} domains -> {args.out}")


if __name__ == "__main__":
    main()
