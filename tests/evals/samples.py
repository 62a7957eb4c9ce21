"""Reference records in the shapes the task schemas use, with minimal JSON Schemas, for metric tests."""

from __future__ import annotations

from typing import Any

NUM = {"type": "number"}
STR = {"type": "string"}
STRS = {"type": "array", "items": STR}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required if required is not None else list(props)}


CAPTIONS_SCHEMA = obj(
    {
        "summary": STR,
        "events": {"type": "array", "items": obj({"start_s": NUM, "end_s": NUM, "caption": STR, "objects": STRS, "anchor_ids": STRS}, ["start_s", "end_s", "caption"])},
    }
)
CAPTIONS = {
    "summary": "A walk through a forest ends at a lake at sunset.",
    "events": [
        {"start_s": 0.0, "end_s": 1.0, "caption": "Tall pine trees sway in the wind", "objects": ["tree"], "anchor_ids": ["shot:0"]},
        {"start_s": 1.0, "end_s": 6.0, "caption": "A hiker walks along a narrow trail", "objects": ["hiker", "trail"], "anchor_ids": ["shot:1"]},
        {"start_s": 6.0, "end_s": 13.1, "caption": "The sun sets over a calm lake", "objects": ["lake", "sun"], "anchor_ids": ["shot:2"]},
        {"start_s": 13.1, "end_s": 24.0, "caption": "Birds fly low above the water", "objects": ["bird"], "anchor_ids": ["shot:3"]},
    ],
}

ACTION = obj(
    {"type": {"type": "string", "enum": ["click", "double_click", "type", "key", "scroll", "done"]}, "x": NUM, "y": NUM, "text": STR, "keys": STRS},
    ["type"],
)
GUI_SCHEMA = obj(
    {
        "task": STR,
        "platform": STR,
        "screen_width": {"type": "integer"},
        "screen_height": {"type": "integer"},
        "steps": {"type": "array", "items": obj({"screenshot": STR, "thought": STR, "action": ACTION, "anchor_ids": STRS}, ["thought", "action"])},
    }
)
GUI = {
    "task": "In www.bing.com, search for 'How to bake a chocolate cake'.",
    "platform": "ubuntu",
    "screen_width": 1024,
    "screen_height": 768,
    "steps": [
        {"screenshot": "s0.jpg", "thought": "Double-click the Firefox icon to open the browser", "action": {"type": "double_click", "x": 459, "y": 215}, "anchor_ids": ["gui_event:0"]},
        {"screenshot": "s1.jpg", "thought": "Click the address bar", "action": {"type": "click", "x": 350, "y": 75}, "anchor_ids": ["gui_event:1"]},
        {"screenshot": "s1.jpg", "thought": "Type the Bing address", "action": {"type": "type", "text": "www.bing.com"}, "anchor_ids": ["gui_event:2"]},
        {"screenshot": "s1.jpg", "thought": "Press Enter to load the page", "action": {"type": "key", "keys": ["Return"]}, "anchor_ids": ["gui_event:3"]},
        {"screenshot": "s2.jpg", "thought": "Click the Bing search box", "action": {"type": "click", "x": 512, "y": 230}, "anchor_ids": ["gui_event:4"]},
        {"screenshot": "s2.jpg", "thought": "Type the query about chocolate cake", "action": {"type": "type", "text": "How to bake a chocolate cake"}, "anchor_ids": ["gui_event:5"]},
    ],
}

VQA_SCHEMA = obj(
    {"qa": {"type": "array", "items": obj({"type": STR, "question": STR, "answer": STR, "clip": {"type": "array", "items": NUM}, "reasoning": STR})}}
)
VQA = {
    "qa": [
        {"type": "temporal_order", "question": "What does the robot do first?", "answer": "It opens the gripper", "clip": [0.0, 0.6], "reasoning": "The gripper channel rises at 0.4 s"},
        {"type": "state_change", "question": "When is the cloth grasped?", "answer": "At about 1.2 seconds", "clip": [1.0, 1.6], "reasoning": "The gripper closes at 1.2 s"},
        {"type": "counting", "question": "How many times does the gripper close?", "answer": "Once", "clip": [0.0, 2.0], "reasoning": "Only one close event is seen"},
    ]
}

GROUNDING_SCHEMA = obj({"screenshot": STR, "instruction": STR, "point": {"type": "array", "items": NUM}, "bbox": {"type": "array", "items": NUM}, "element_text": STR, "width": NUM, "height": NUM})
GROUNDING = {"screenshot": "s2.jpg", "instruction": "Click the Bing search box", "point": [512, 230], "bbox": [300, 210, 720, 250], "element_text": "Search the web", "width": 1024, "height": 768}

SAMPLES = {
    "captions": (CAPTIONS, CAPTIONS_SCHEMA, "events"),
    "gui": (GUI, GUI_SCHEMA, "steps"),
    "vqa": (VQA, VQA_SCHEMA, "qa"),
    "grounding": (GROUNDING, GROUNDING_SCHEMA, None),
}
