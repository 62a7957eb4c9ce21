"""Cost of the rules backend's synthesisers on long videos, against validating their own output.

Validation (`check_record`: schema + grounding) is one pass over the record and its anchors, so the
ratio synth/check says whether synthesis stays in the same linear regime as reading the result back.
Running two video lengths shows the scaling: a linear synthesiser grows ~10x from 100 to 1000 shots,
a quadratic one ~100x.

    .venv/bin/python bench/rules_bench.py [--shots 100 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind, TailorContext
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import list_tasks


def long_video(shots: int) -> tuple[Source, list[Anchor]]:
    """Anchors shaped like the extractors', at a 7 s shot length with five OCR lines per shot, two keyframes per shot
    whose text differs (a slide change inside each shot), two subtitle sentences and one audio silence per shot: every
    signal `video.spans` splits a shot by is there in every shot."""
    anchors = [Anchor(id=f"shot:{i}", kind="shot", t=(i * 7.0, (i + 1) * 7.0)) for i in range(shots)]
    anchors += [Anchor(id=f"cut:{i}", kind="cut", t=(i + 1) * 7.0, c={"type": "hard", "score": 0.5}) for i in range(shots - 1)]
    anchors += [Anchor(id=f"keyframe:{2 * i + k}", kind="keyframe", t=i * 7.0 + (1.4, 5.6)[k], c={"path": f"k{i}_{k}.jpg", "shot": f"shot:{i}"})
                for i in range(shots) for k in range(2)]
    anchors += [Anchor(id=f"subtitle:{2 * i + k}", kind="subtitle", t=(i * 7.0 + 0.5 + 2.5 * k, i * 7.0 + 2.5 + 2.5 * k),
                       c=("the oven is hot", "whisk the eggs")[k]) for i in range(shots) for k in range(2)]
    anchors += [Anchor(id=f"audio:{i}", kind="audio", t=(i * 7.0 + 5.2, i * 7.0 + 6.8), c={"state": "silence"}) for i in range(shots)]
    anchors += [Anchor(id=f"ocr:{i}", kind="ocr", t=i * 1.4, p=[10, 10, 100, 40], c=f"line {i % 300}") for i in range(5 * shots)]
    anchors += [Anchor(id=f"motion:{i}", kind="motion", t=(i * 14.0, (i + 1) * 14.0), c={"state": ("static", "motion")[i % 2]})
                for i in range(shots // 2)]
    source = Source(path="long.mp4", kind=SourceKind.video, content_hash="bench", meta={"duration_s": shots * 7.0, "width": 1280, "height": 720})
    return source, anchors


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tasks = [t for t in list_tasks() if t.model is not None and SourceKind.video in t.source_kinds]
    synth_times: dict[str, list[float]] = {t.name: [] for t in tasks}
    print(f"{'task':22} {'shots':>6} {'anchors':>8} {'synth ms':>9} {'check ms':>9} {'synth/check':>12}")
    for shots in args.shots:
        source, anchors = long_video(shots)
        for task in tasks:
            ctx = TailorContext(source=source, intent=Intent(text="bench"), anchors=anchors, task=task.name)
            synth = best(lambda: task.synthesize(ctx), args.repeats)
            text = json.dumps(task.synthesize(ctx))
            schema = task.json_schema()
            check = best(lambda: check_record(text, schema, anchors, source), args.repeats)
            synth_times[task.name].append(synth)
            print(f"{task.name:22} {shots:>6} {len(anchors):>8} {synth * 1e3:>9.1f} {check * 1e3:>9.1f} {synth / check:>12.2f}")
    if len(args.shots) >= 2:
        growth = args.shots[-1] / args.shots[0]
        print(f"\nscaling {args.shots[0]} -> {args.shots[-1]} shots (linear = {growth:.0f}x, quadratic = {growth ** 2:.0f}x):")
        for name, times in synth_times.items():
            print(f"  {name:22} {times[-1] / times[0]:6.1f}x")


if __name__ == "__main__":
    main()
