"""What typed anchor contents cost: reading and writing anchors as `Anchor` (contents validated into their
kind's model) against the same model with a plain-dict `c` (the untyped contract it replaced).

Run:  python bench/contents_bench.py [--n 20000] [--repeat 5]

The anchors are those of the example records (experts/examples/*.json: every built-in kind, GUI events
with thirteen fields, text kinds), repeated to --n. It times `model_validate` of each JSON anchor (what
the anchor cache, graph checkpoints and eval rows do) and `model_dump(mode="json")` of each (what the
cache and the graph state write), best of --repeat, both models side by side in this process, and prints
the typed/untyped ratio: the price of a wrong key being an error where the anchor is built.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dataclaw_tailor.core import Anchor

EXAMPLES = Path(__file__).resolve().parents[1] / "dataclaw_tailor" / "experts" / "examples"


class UntypedAnchor(BaseModel):
    """The anchor model with `c` as text or any dict: no content model, no kind lookup."""

    id: str
    kind: str
    t: float | tuple[float, float] | None = None
    p: list[float] | None = None
    c: str | dict[str, Any] | None = None
    extractor: str = ""


def example_anchors() -> list[dict[str, Any]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found += [a for context in [data, *data.get("contexts", {}).values()] for a in context.get("anchors", [])]
    return found


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="anchors per round")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is kept")
    args = parser.parse_args()
    base = example_anchors()
    data = (base * (args.n // len(base) + 1))[: args.n]
    timings: dict[str, tuple[float, float]] = {}
    for name, model in (("untyped", UntypedAnchor), ("typed", Anchor)):
        read = best(lambda: [model.model_validate(a) for a in data], args.repeat)
        built = [model.model_validate(a) for a in data]
        write = best(lambda: [b.model_dump(mode="json") for b in built], args.repeat)
        timings[name] = (read, write)
        print(f"{name:8s} {len(data)} anchors: validate {read * 1e3:8.1f} ms ({read / len(data) * 1e6:5.2f} us each), "
              f"dump {write * 1e3:8.1f} ms ({write / len(data) * 1e6:5.2f} us each)")
    (ur, uw), (tr, tw) = timings["untyped"], timings["typed"]
    print(f"typed / untyped: validate {tr / ur:.2f}x, dump {tw / uw:.2f}x")


if __name__ == "__main__":
    main()
