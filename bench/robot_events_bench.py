"""Robot gripper-event precision and recall on every real robot sample of the devset.

Run:  python bench/robot_events_bench.py [--devset PATH] [--tolerance 0.5]

The reference is the gripper *command* each sample records (what the operator asked for), the
detection is what the `robot` extractor reports as gripper events (from the measured gripper where the
loader finds one). Commands are turned into close/open events with a Schmitt trigger on their own range
(switch to closed at 65 %, back to open at 35 %), a different rule from the extractor's zigzag. A
detected event matches a reference event of the same kind within --tolerance seconds (one to one, in
time order). Samples and their command channels:

- bridge-rlds (25 WidowX episodes, 10 steps each): action[:, -1], 1 = open. The extractor reads the same
  command, so this row checks the event rule, not the signal.
- g1-lerobot-v21 (1 episode): the right Inspire hand's commanded finger openness (action, the hand that
  moves), against the extractor's measured hand (observation.state).
- robosuite-demos-hdf5 lift (3 demos): actions[:, 6], +1 = close, against the measured finger joints
  the loader reads from MuJoCo's flat state. Wipe has no gripper (6-D action) and must yield no event.
- rerun-apple-storage-lerobot-v30 (3 episodes): info.json names no channels; the loader identifies
  state/action column 15 as the gripper (binary command, state held short of the closed limit). The
  reference is action[:, 15] with its closed end as identified.

It also prints, per sample, the phases shorter than the extractor's minimum and the regrasp and
hesitation counts, so a change that trades precision for spurious events shows here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dataclaw_tailor.evals.cases import find_devset  # noqa: E402
from dataclaw_tailor.tools.formats import load_episode  # noqa: E402
from dataclaw_tailor.tools.robot.events import MIN_PHASE_S, episode_anchors  # noqa: E402


def schmitt(closure: np.ndarray, fps: float, span: tuple[float, float] | None) -> list[tuple[float, str]]:
    """(time, 'close'|'open') where a command normalised to [0, 1] (1 = closed) switches state; `span` is
    the command's physical range when known (else the episode's own range)."""
    lo, hi = span or (float(closure.min()), float(closure.max()))
    if hi - lo < 1e-9:
        return []
    c = (closure - lo) / (hi - lo)
    closed = c[0] >= 0.5
    out = []
    for i, x in enumerate(c):
        if not closed and x >= 0.65:
            closed = True
            out.append((i / fps, "close"))
        elif closed and x <= 0.35:
            closed = False
            out.append((i / fps, "open"))
    return out


def match(truth: list[tuple[float, str]], found: list[tuple[float, str]], tol: float) -> tuple[int, list[float]]:
    used: set[int] = set()
    errors = []
    for t, kind in found:
        best = min((j for j, (u, k) in enumerate(truth) if k == kind and j not in used and abs(u - t) <= tol),
                   key=lambda j: abs(truth[j][0] - t), default=None)
        if best is not None:
            used.add(best)
            errors.append(abs(truth[best][0] - t))
    return len(used), errors


def command(sample: str, ep) -> tuple[np.ndarray | None, tuple[float, float] | None]:
    """The sample's gripper command as closure (1 = closed), and its physical range when fixed."""
    a = ep.action
    if sample == "bridge-rlds":
        return 1.0 - a[:, -1], (0.0, 1.0)
    if sample == "g1-lerobot-v21":
        return -a[:, 20:26].mean(axis=1), None  # right hand: Pinky..ThumbRotation, higher = more open
    if sample.startswith("robosuite"):
        return (a[:, 6], (-1.0, 1.0)) if a.shape[1] >= 7 else (None, None)
    if sample == "rerun-apple-storage-lerobot-v30":
        return -a[:, 15], None  # the identified closed end is the low limit (-0.09 closed, 2.27 open)
    return None, None


def episodes(devset: Path) -> list[tuple[str, str]]:
    robot = devset / "robot"
    out = [("bridge-rlds", f"{robot / 'bridge-rlds'}#episode={i}") for i in range(25)]
    out.append(("g1-lerobot-v21", str(robot / "g1-lerobot-v21")))
    out += [("robosuite lift", f"{robot / 'robosuite-demos-hdf5/lift/demo.hdf5'}#episode={i}") for i in (1, 2, 3)]
    out.append(("robosuite wipe", str(robot / "robosuite-demos-hdf5/wipe/panda/demo.hdf5")))
    out += [("rerun-apple-storage-lerobot-v30", f"{robot / 'rerun-apple-storage-lerobot-v30'}#episode={i}")
            for i in (0, 1, 2)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=None)
    parser.add_argument("--tolerance", type=float, default=0.5, help="seconds within which events match")
    args = parser.parse_args()
    devset = args.devset or find_devset(ROOT)
    if devset is None or not (devset / "robot").is_dir():
        sys.exit("no devset with robot/ samples (give --devset)")
    rows: dict[str, dict] = {}
    for sample, path in episodes(devset):
        ep = load_episode(path)
        with tempfile.TemporaryDirectory() as tmp:
            anchors = episode_anchors(ep, Path(tmp), "bench")
        found = [(a.t, a.c.state) for a in anchors if a.kind == "gripper"]
        cmd, span = command(sample, ep)
        truth = schmitt(cmd, ep.fps, span) if cmd is not None else []
        tp, errors = match(truth, found, args.tolerance)
        short = [a for a in anchors if a.kind == "phase" and a.t[1] - a.t[0] < MIN_PHASE_S - 1e-6]
        row = rows.setdefault(sample, {"episodes": 0, "truth": 0, "found": 0, "tp": 0, "errors": [], "short": 0,
                                       "regrasp": 0, "hesitation": 0, "signal": ep.gripper_source or "none"})
        row["episodes"] += 1
        row["truth"] += len(truth)
        row["found"] += len(found)
        row["tp"] += tp
        row["errors"] += errors
        row["short"] += len(short)
        row["regrasp"] += sum(a.kind == "regrasp" for a in anchors)
        row["hesitation"] += sum(a.kind == "hesitation" for a in anchors)
    head = f"{'sample':34} {'eps':>3} {'ref':>4} {'det':>4} {'TP':>3} {'prec':>5} {'recall':>6} {'|dt| s':>6} " \
           f"{'short':>5} {'regr':>4} {'hes':>4}  detected from"
    print(f"gripper events vs the recorded command, tolerance {args.tolerance} s")
    print(head)
    print("-" * len(head))
    total = {"truth": 0, "found": 0, "tp": 0}
    for sample, r in rows.items():
        prec = r["tp"] / r["found"] if r["found"] else 1.0
        rec = r["tp"] / r["truth"] if r["truth"] else 1.0
        dt = f"{np.mean(r['errors']):.2f}" if r["errors"] else "-"
        print(f"{sample:34} {r['episodes']:>3} {r['truth']:>4} {r['found']:>4} {r['tp']:>3} {prec:>5.2f} {rec:>6.2f} "
              f"{dt:>6} {r['short']:>5} {r['regrasp']:>4} {r['hesitation']:>4}  {r['signal']}")
        for k in total:
            total[k] += r[k]
    prec = total["tp"] / total["found"] if total["found"] else 1.0
    rec = total["tp"] / total["truth"] if total["truth"] else 1.0
    print("-" * len(head))
    print(f"{'all':34} {'':>3} {total['truth']:>4} {total['found']:>4} {total['tp']:>3} {prec:>5.2f} {rec:>6.2f}")


if __name__ == "__main__":
    main()
