"""GUI expert: screen-interaction traces to GUI-agent trajectories and grounding pairs.

Anchors read: `gui_task` (task, platform, system, screen size), `gui_event` (one recorded action, with its
point, screenshot and any recorded sub-task or observation), `gui_element` (the element acted on, with
its text and where the text came from) and `screen_change` (how much the screen changed at a step).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import Field

from ..core import Anchor, ExportUnit, InputError, SourceKind, TailorContext, TaskSpec, of_kind
from ..core.contents import GuiElementContent, GuiEventContent, GuiTaskContent, ScreenChangeContent
from .common import AnchorIds, Box, Expert, Strict, Text, clean, index_of, limit, prompt, r3
from .examples import examples_of

log = logging.getLogger(__name__)

VERSION = "1.0"

ActionType = Literal["click", "double_click", "right_click", "type", "key", "scroll", "drag", "wait", "done"]
Direction = Literal["up", "down", "left", "right"]
PLATFORMS = {"android": "Android", "ios": "iOS", "web": "web", "desktop": "desktop"}
POINTER = ("click", "double_click", "right_click", "drag")


class Screen(Strict):
    width: int = Field(ge=1, description="Screen width in pixels.")
    height: int = Field(ge=1, description="Screen height in pixels.")


class GuiAction(Strict):
    type: ActionType = Field(description="What the agent does.")
    x: int | None = Field(description="Pixel x of the pointer for click/double_click/right_click/drag/scroll; null otherwise.")
    y: int | None = Field(description="Pixel y of the pointer; null when x is null.")
    text: Text | None = Field(description="Text typed by a `type` action; null otherwise.")
    keys: list[Text] | None = Field(description="Keys pressed together by a `key` action, e.g. ['ctrl', 'c'] or ['Return'].")
    direction: Direction | None = Field(description="Scroll direction for `scroll`; null otherwise.")
    amount: int | None = Field(ge=1, description="Scroll notches for `scroll`; null otherwise.")
    to_x: int | None = Field(description="Drag end x for `drag`; null otherwise.")
    to_y: int | None = Field(description="Drag end y for `drag`; null otherwise.")


class GuiStep(Strict):
    index: int = Field(ge=0, description="Position of the step in the trajectory, from 0.")
    screenshot: str | None = Field(description="Screenshot shown before the action (path or reference), if recorded.")
    observation: Text = Field(description="What is on screen before the action, from visible text and screen changes.")
    thought: Text = Field(description="Why this action is the next one toward the task.")
    action: GuiAction
    target_element: Text | None = Field(description="Text of the element acted on, if one is identified.")
    anchor_ids: AnchorIds


class GuiTrajectory(Strict):
    """An AgentNet-style GUI-agent trajectory: one step per recorded action."""

    task: Text = Field(description="The task the user performed, in words.")
    platform: Text = Field(description="Operating system the trace was recorded on, e.g. 'Windows', 'macOS', 'Ubuntu', "
                                       "'Android', or 'web' for a browser page.")
    screen: Screen
    steps: list[GuiStep] = Field(min_length=1, description="Steps in the order they were performed.")


class GroundingPair(Strict):
    screenshot: str | None = Field(description="Screenshot the instruction refers to (path or reference).")
    instruction: Text = Field(description="A referring instruction, e.g. \"Click 'Sign in'\".")
    x: int = Field(description="Pixel x of the target point.")
    y: int = Field(description="Pixel y of the target point.")
    bbox: Box | None = Field(description="Target element box [x1, y1, x2, y2], if known.")
    element_text: Text | None = Field(description="Visible text of the target element, if any.")
    anchor_ids: AnchorIds


class GuiGrounding(Strict):
    """Instruction -> screen location pairs for training GUI grounding."""

    screen: Screen
    pairs: list[GroundingPair] = Field(min_length=1)


_ACTION_ALIASES = {
    "click": "click", "left_click": "click", "tap": "click", "mouse_click": "click",
    "double_click": "double_click", "doubleclick": "double_click", "dblclick": "double_click",
    "right_click": "right_click", "rightclick": "right_click", "context_click": "right_click",
    "type": "type", "text": "type", "typing": "type", "input": "type", "write": "type",
    "key": "key", "press": "key", "hotkey": "key", "keypress": "key", "key_press": "key",
    "scroll": "scroll", "scroll_down": "scroll", "scroll_up": "scroll", "scroll_left": "scroll", "scroll_right": "scroll",
    "drag": "drag", "drag_to": "drag", "swipe": "drag",
    "wait": "wait", "sleep": "wait",
    "done": "done", "finish": "done", "terminate": "done", "stop": "done",
}


def _int(value: Any) -> int | None:
    try:
        return None if value is None else round(float(value))
    except (TypeError, ValueError):
        return None


def action_of(event: Anchor) -> GuiAction | None:
    """The canonical action of one `gui_event` anchor, or None for a kind of event we do not model."""
    c = GuiEventContent.of(event)
    raw = str(c.action or "").lower().replace("-", "_").replace(" ", "_")
    kind = _ACTION_ALIASES.get(raw)
    if kind is None:
        return None
    if kind == "click" and str(c.button or "").lower() == "right":
        kind = "right_click"
    x, y = _int(c.x), _int(c.y)
    if (x is None or y is None) and event.p is not None and len(event.p) >= 2:
        x, y = _int(event.p[0]), _int(event.p[1])
    direction = c.direction
    if direction is None and raw.startswith("scroll_"):
        direction = raw.split("_", 1)[1]
    pointer = kind in ("click", "double_click", "right_click", "drag", "scroll")
    return GuiAction(
        type=kind,
        x=x if pointer else None,
        y=y if pointer and x is not None else None,
        text=clean(c.text, 2000) if kind == "type" and c.text is not None else None,
        keys=[clean(k, 40) for k in c.keys] if kind == "key" and c.keys else None,
        direction=direction if kind == "scroll" and direction in ("up", "down", "left", "right") else None,
        amount=c.amount if kind == "scroll" and c.amount and c.amount >= 1 else None,
        to_x=_int(c.to_x) if kind == "drag" else None,
        to_y=_int(c.to_y) if kind == "drag" else None,
    )


def describe(action: GuiAction, target: str | None) -> str:
    """The action in imperative words, e.g. "double-click 'Firefox' at (459, 215)"."""
    at = f" at ({action.x}, {action.y})" if action.x is not None and action.y is not None else ""
    on = f" '{target}'" if target else ""
    match action.type:
        case "click" | "double_click" | "right_click":
            return f"{action.type.replace('_', '-')}{on}{at}"
        case "type":
            return f"type '{action.text or ''}'"
        case "key":
            return f"press {'+'.join(action.keys or [])}"
        case "scroll":
            times = f" {action.amount} notches" if action.amount else ""
            return f"scroll {action.direction or ''}{times}{at}".replace("  ", " ")
        case "drag":
            return f"drag{on} from ({action.x}, {action.y}) to ({action.to_x}, {action.to_y})"
        case "wait":
            return "wait for the screen to update"
        case _:
            return "finish: the task is complete"


def _text(element: Anchor) -> str:
    return GuiElementContent.of(element).text or ""


def _contains(box: list[float], x: int | None, y: int | None) -> bool:
    return x is not None and y is not None and len(box) == 4 and box[0] <= x <= box[2] and box[1] <= y <= box[3]


class _Trace:
    """The gui anchors of one source, indexed by step and event."""

    def __init__(self, ctx: TailorContext):
        self.ctx = ctx
        self.events = sorted(of_kind(ctx.anchors, "gui_event"), key=lambda a: (GuiEventContent.of(a).step or 0, a.start or 0.0, index_of(a)))
        self.elements = sorted(of_kind(ctx.anchors, "gui_element"), key=index_of)
        self.by_event: dict[Any, list[Anchor]] = {}
        self.by_step: dict[Any, list[Anchor]] = {}
        for e in self.elements:
            element = GuiElementContent.of(e)
            if element.text:
                self.by_event.setdefault(element.event, []).append(e)
                self.by_step.setdefault(element.step, []).append(e)
        self.changes: dict[Any, Anchor] = {}
        for c in of_kind(ctx.anchors, "screen_change"):
            self.changes.setdefault(ScreenChangeContent.of(c).step, c)
        task = of_kind(ctx.anchors, "gui_task")
        self.task_anchor = task[0] if task else None

    @property
    def task(self) -> str:
        text = GuiTaskContent.of(self.task_anchor).task or ""
        return clean(text or self.ctx.intent.text, 500)

    @property
    def platform(self) -> str:
        """The system the trace names ("Windows"), else its platform ("Android", "web"); "desktop" only
        when the trace says no more."""
        task = GuiTaskContent.of(self.task_anchor)
        value = task.system or PLATFORMS.get(str(task.platform or "").lower(), task.platform)
        return clean(str(value or self.ctx.source.format or "unknown"), 40)

    @property
    def screen(self) -> Screen:
        task = GuiTaskContent.of(self.task_anchor)
        w, h = task.width, task.height
        if not (w and h) and self.ctx.source.screen:
            w, h = self.ctx.source.screen
        return Screen(width=int(w or 1), height=int(h or 1))

    def target(self, event: Anchor, action: GuiAction) -> Anchor | None:
        """The element acted on: the one tied to this event, else one under the pointer at this step."""
        tied = self.by_event.get(event.id)
        if tied:
            return tied[0]
        under = [e for e in self.by_step.get(GuiEventContent.of(event).step, []) if e.p and _contains(e.p, action.x, action.y)]
        return min(under, key=lambda e: (e.p[2] - e.p[0]) * (e.p[3] - e.p[1])) if under else None

    def visible(self, step: Any) -> list[str]:
        texts = [clean(_text(e), 60) for e in self.by_step.get(step, [])]
        return list(dict.fromkeys(t for t in texts if t))

    def change(self, step: Any) -> Anchor | None:
        return self.changes.get(step)


def _verb(action: GuiAction) -> str:
    return {"double_click": "Double-click", "right_click": "Right-click", "drag": "Drag"}.get(action.type, "Click")


def _purpose(action: GuiAction, target: str | None, focus: str | None, typed: str | None, following: GuiAction | None,
             task: str) -> str:
    """Why the action is taken, from the action, its element, the one after it and the task: a click
    before typing focuses the field the text goes into (`focus`, "'Search'" or "the field at (x, y)");
    Return after typing (`typed`) submits it."""
    on = f"'{target}'" if target else f"at ({action.x}, {action.y})"
    match action.type:
        case "click" | "double_click" | "right_click":
            if following is not None and following.type == "type" and following.text:
                return f"{_verb(action)} {on} to type '{following.text}' {'into it' if target else 'there'}."
            return f"{_verb(action)} {on}."
        case "type":
            return f"Type '{action.text or ''}'" + (f" into {focus}." if focus else ".")
        case "key":
            keys = "+".join(action.keys or [])
            if typed and keys.lower() in ("return", "enter"):
                return f"Press {keys} to submit '{typed}'."
            return f"Press {keys}."
        case "scroll":
            times = f" {action.amount} notches" if action.amount else ""
            return f"Scroll {action.direction or ''}{times} to bring more of the page into view.".replace("  ", " ")
        case "drag":
            what = f"'{target}'" if target else ""
            return f"Drag {what} from ({action.x}, {action.y}) to ({action.to_x}, {action.to_y}).".replace("  ", " ")
        case "wait":
            return "Wait for the screen to finish updating."
        case _:
            return f"Finish: '{task}' is done." if task else "Finish: the task is done."


def _observation(event: Anchor, action: GuiAction, target: str | None, focus: str | None, typed: str | None,
                 previous: GuiAction | None, changed: int, task: str) -> str:
    """What is on screen: the trace's own words when it has them, else facts the anchors carry (the
    element under the pointer, the field with the focus, text typed just before), then what the last
    action changed (`changed`, percent of the screen; nothing is said when it changed nothing)."""
    recorded = clean(GuiEventContent.of(event).observation or "", 600)
    facts = [recorded] if recorded else []
    if not recorded and target and action.type in POINTER:
        facts.append(f"'{target}' is on screen at ({action.x}, {action.y}).")
    if not recorded and focus and action.type in ("type", "key"):
        facts.append(f"{focus[0].upper()}{focus[1:]} has the keyboard focus.")
    if not recorded and typed and action.type == "key":
        facts.append(f"'{typed}' has been typed.")
    if changed and previous is not None:
        facts.append(f"The previous action ({describe(previous, None)}) changed {changed}% of the screen.")
    if facts:
        return " ".join(facts)
    if previous is None:
        return f"The screen the task starts from: {task}" if task else "The screen the task starts from."
    return f"The screen after the previous action ({describe(previous, None)})."


def synthesize_trajectory(ctx: TailorContext) -> dict[str, Any]:
    """One step per recorded `gui_event`, mapped faithfully (type, point, text, keys, direction, amount).

    Step text comes from the action, its element, its neighbours and the task; how much the screen
    changed is said only when something did, as what the previous action did."""
    trace = _Trace(ctx)
    events = [(event, action) for event in trace.events if (action := action_of(event)) is not None]
    for event in trace.events:
        if action_of(event) is None:
            log.debug("%s: action %r is not one a trajectory models; left out", event.id, GuiEventContent.of(event).action)
    steps: list[GuiStep] = []
    described: set[Any] = set()
    focus: str | None = None
    typed: str | None = None
    for n, (event, action) in enumerate(events):
        target = trace.target(event, action)
        target_text = clean(_text(target), 80) if target else None
        if action.type in POINTER:
            focus, typed = (f"'{target_text}'" if target_text else f"the field at ({action.x}, {action.y})"), None
        step_no = GuiEventContent.of(event).step
        change = trace.change(step_no) if step_no not in described else None
        described.add(step_no)
        changed = ScreenChangeContent.of(change).changed_fraction if change is not None else None
        changed = round(100 * float(changed)) if changed else 0
        previous = events[n - 1][1] if n else None
        following = events[n + 1][1] if n + 1 < len(events) else None
        subtask = clean(GuiEventContent.of(event).subtask or "", 200).rstrip(".")
        purpose = _purpose(action, target_text, focus, typed, following, trace.task)
        if subtask and target_text and target_text.casefold() in subtask.casefold() and purpose == f"{_verb(action)} '{target_text}'.":
            purpose = ""  # the recorded words already say it ("Click on Power & sleep")
        ids = [event.id] + ([target.id] if target else []) + ([change.id] if changed else [])
        steps.append(
            GuiStep(
                index=len(steps),
                screenshot=GuiEventContent.of(event).screenshot,
                observation=clean(_observation(event, action, target_text, focus, typed, previous, changed, trace.task), 600),
                thought=clean(f"{subtask}. {purpose}".removesuffix(" ") if subtask else purpose, 600),
                action=action,
                target_element=target_text,
                anchor_ids=ids,
            )
        )
        if action.type == "type":
            typed = action.text
        elif action.type != "key":
            typed = None
    if not steps:
        raise InputError(ctx.source.path, "no GUI actions were extracted from this trace, so there is no trajectory to tailor")
    steps = limit(steps, ctx, spread=False)
    record = GuiTrajectory(task=trace.task, platform=trace.platform, screen=trace.screen, steps=steps)
    return record.model_dump()


def _unnamed(action: GuiAction, following: GuiAction | None, subtask: str | None, task: str) -> str:
    """An instruction for a target with no text: what is typed into it next, else the recorded sub-task,
    else the task it serves."""
    if following is not None and following.type == "type" and following.text:
        return f"{_verb(action)} the field to type '{clean(following.text, 200)}' into"
    if subtask:
        return f"{_verb(action)} the target of: {clean(subtask, 200).rstrip('.')}"
    return f"{_verb(action)} the next target toward: {task}"


def synthesize_grounding(ctx: TailorContext) -> dict[str, Any]:
    """Pairs from actions on identified elements first, then from the remaining visible elements."""
    trace = _Trace(ctx)
    shots = {c.step: c.screenshot for c in (GuiEventContent.of(e) for e in trace.events)}
    pairs: list[GroundingPair] = []
    used: set[str] = set()
    actions = [(event, action) for event in trace.events if (action := action_of(event)) is not None]
    for n, (event, action) in enumerate(actions):
        if action.x is None or action.y is None or action.type in ("scroll", "drag"):
            continue
        target = trace.target(event, action)
        text = clean(_text(target), 80) if target else None
        following = actions[n + 1][1] if n + 1 < len(actions) else None
        instruction = f"{_verb(action)} '{text}'" if text else _unnamed(action, following, GuiEventContent.of(event).subtask,
                                                                         trace.task)
        if target:
            used.add(target.id)
        pairs.append(
            GroundingPair(
                screenshot=GuiEventContent.of(event).screenshot,
                instruction=instruction,
                x=action.x,
                y=action.y,
                bbox=[r3(v) for v in target.p] if target and _contains(target.p or [], action.x, action.y) else None,
                element_text=text,
                anchor_ids=[event.id] + ([target.id] if target else []),
            )
        )
    for element in trace.elements:
        text = clean(_text(element), 80)
        if element.id in used or not text or not element.p or len(element.p) != 4:
            continue
        x1, y1, x2, y2 = element.p
        pairs.append(
            GroundingPair(
                screenshot=shots.get(GuiElementContent.of(element).step),
                instruction=f"Locate the element labelled '{text}'",
                x=round((x1 + x2) / 2),
                y=round((y1 + y2) / 2),
                bbox=[r3(v) for v in element.p],
                element_text=text,
                anchor_ids=[element.id],
            )
        )
    pairs = limit(pairs, ctx, default=50)
    if not pairs:
        raise InputError(ctx.source.path, "no clicked or labelled GUI elements were extracted, so there are no grounding pairs")
    return GuiGrounding(screen=trace.screen, pairs=pairs).model_dump()


TRAJECTORY = TaskSpec(
    name="gui.trajectory",
    domain="gui",
    version=VERSION,
    description="GUI-agent SFT trajectories (AgentNet-style): per step screenshot, observation, thought and a grounded action.",
    model=GuiTrajectory,
    prompt=prompt(
        "gui.trajectory",
        """Turn the recorded GUI interaction into a GUI-agent training trajectory.
Produce one step per recorded action (gui_event anchors), in order. For each step give the screenshot reference,
an observation of what is on screen (the gui_event's recorded observation, gui_element text), a short thought
explaining why the action moves toward the task, and the action itself with the exact type, x/y, text, keys,
direction and amount recorded in its gui_event. Name the target element when a gui_element identifies it. Put the
share of the screen the previous action changed (screen_change) only when it changed something; never write
boilerplate such as "Screen before action 3" or "0% of the screen changed". The platform is the gui_task's system
when it has one.""",
    ),
    examples=examples_of("gui"),
    synthesize=synthesize_trajectory,
    source_kinds=frozenset({SourceKind.gui_trace}),
    extractors=("gui_task", "gui_event", "gui_element", "screen_change"),
    keywords=("agent", "gui agent", "web agent", "trajectory", "sft", "sft steps", "action", "action sequence", "actions", "agentnet",
              "behaviour cloning", "behavior cloning", "imitation"),
    rank={SourceKind.gui_trace: 10},
    export_unit=ExportUnit.step,
)

GROUNDING = TaskSpec(
    name="gui.grounding",
    domain="gui",
    version=VERSION,
    description="GUI grounding pairs: a referring instruction and the screen point/box of its target element.",
    model=GuiGrounding,
    prompt=prompt(
        "gui.grounding",
        """Build GUI grounding pairs from the screenshots. Each pair is an instruction that refers to one visible
element ("Click 'Sign in'"), the screenshot it refers to, the target point x/y and, when known, its bbox and visible
text. Prefer elements the user actually acted on (gui_event anchors), then other labelled elements (gui_element).""",
    ),
    examples=examples_of("gui"),
    synthesize=synthesize_grounding,
    source_kinds=frozenset({SourceKind.gui_trace}),
    extractors=("gui_task", "gui_event", "gui_element"),
    keywords=("grounding", "ground", "locate", "localize", "localise", "referring", "element", "bbox", "bounding box",
              "where to click", "point", "coordinates"),
    rank={SourceKind.gui_trace: 20},
    export_unit=ExportUnit.pair,
)

TASKS = (TRAJECTORY, GROUNDING)

EXPERT = Expert(
    domain="gui",
    description="Screen interaction traces (desktop, web, mobile) to GUI-agent trajectories and grounding pairs.",
    keywords=("gui", "screen", "screen recording", "screenshot", "desktop", "browser", "web page", "website", "app", "mouse",
              "click", "ui", "user interface", "computer use", "android", "phone", "os"),
    tasks=TASKS,
)
