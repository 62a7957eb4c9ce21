"""The package's layers, read from the source: no import cycle and no import upwards, counting the
imports inside functions too (the lazy ones that keep start-up light are dependencies all the same).

Layers, bottom to top (a module may import its own layer and the ones below it):

0. `core`: the shared types, errors, validation and the generic registry (and the package root).
1. `tools` (input formats, anchor extractors) and `model` (backends, prompts, schema bounding).
   The model layer gets the task's synthesiser handed down; it never reaches up into `experts`.
2. `experts`: domains and their tasks.
3. `export`, `view` (audit pages), `evals` (cases, metrics, matching) and `training` (triplets, rewards,
   trainers): libraries over records and checkpoints that never run the tailoring graph themselves.
4. `graph`: the LangGraph state machine.
5. `service`: the application service that owns the backend, threads, clarification, validation.
6. Drivers that run the service over many inputs: `batch` (corpus runs), `evals.run` and
   `evals.report` (benchmarks), `training.construct` (teacher triplets), `training.ablation` and
   `training.demo` (the DataClaw-nano recipe, which builds devset triplets through construction).
7. Surfaces: `cli`, `server` (MCP) and `training.cli`.

Constant-string `importlib.import_module(...)` calls count as imports; names built at run time cannot be
read and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = "dataclaw_tailor"
LAYERS = {
    "": 0, "core": 0,
    "tools": 1, "model": 1,
    "experts": 2,
    "export": 3, "view": 3, "evals": 3, "training": 3,
    "graph": 4,
    "service": 5,
    "batch": 6, "evals.run": 6, "evals.report": 6, "training.construct": 6,
    "training.ablation": 6, "training.demo": 6,
    "cli": 7, "server": 7, "training.cli": 7,
}


def modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules `name` imports anywhere in its file; `from x import y` counts `x.y` when it is a module."""
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            targets.add(node.args[0].value)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def layer(module: str) -> tuple[str, int]:
    """The most specific entry of LAYERS that names `module` or a package above it."""
    rel = module.removeprefix(PACKAGE).removeprefix(".")
    parts = rel.split(".") if rel else []
    for n in range(len(parts), -1, -1):
        key = ".".join(parts[:n])
        if key in LAYERS:
            return key, LAYERS[key]
    raise AssertionError(f"{module} is in no layer; add its package to LAYERS")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_has_a_layer():
    for module in modules():
        layer(module)


def test_no_import_cycle_even_through_imports_inside_functions():
    assert cycles(graph()) == []


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for module, targets in sorted(graph().items()):
        mine, rank = layer(module)
        for target in sorted(targets):
            theirs, above = layer(target)
            if above > rank:
                upward.append(f"{module} ({mine or 'root'}, layer {rank}) imports {target} ({theirs}, layer {above})")
    assert upward == []


def test_the_checks_see_function_level_imports_and_cycles():
    """The reader is not blind: a lazy import inside a function is an edge, and a two-module loop is a cycle."""
    edges = graph()
    assert f"{PACKAGE}.service" in edges[f"{PACKAGE}.batch.corpus"]
    assert f"{PACKAGE}.evals.run" in edges[f"{PACKAGE}.cli"]  # imported inside the `eval` command
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
