import subprocess
import sys

import pytest

from dataclaw_tailor.core import BackendError
from dataclaw_tailor.core.registry import DuplicateName, Registry, UnknownName


def test_entries_keep_their_order_and_descriptions():
    shapes: Registry[object] = Registry("shape")

    @shapes.register("square")
    def square():
        """Four equal sides.

        More detail that is not the description.
        """

    shapes.add("circle", object(), "Round.")
    assert shapes.names() == ["square", "circle"] and list(shapes) == ["square", "circle"] and len(shapes) == 2
    assert [(e.name, e.description) for e in shapes.entries()] == [("square", "Four equal sides."), ("circle", "Round.")]
    assert shapes.get("square") is square and "circle" in shapes and "cube" not in shapes


def test_a_taken_name_is_refused_and_names_both_sides():
    shapes: Registry[object] = Registry("shape")
    shapes.register("square")(test_a_taken_name_is_refused_and_names_both_sides)
    with pytest.raises(DuplicateName, match=r"shape 'square' is already registered by .*test_registry\.test_a_taken"):
        shapes.add("square", len)
    assert shapes.get("square") is test_a_taken_name_is_refused_and_names_both_sides


def test_an_unknown_name_lists_the_choices_in_the_registry_error_type():
    shapes: Registry[int] = Registry("shape")
    shapes.add("square", 4)
    shapes.add("triangle", 3)
    with pytest.raises(UnknownName, match="unknown shape 'cube'; choose one of square, triangle"):
        shapes.get("cube")
    backends: Registry[int] = Registry("backend", unknown=BackendError)
    with pytest.raises(BackendError, match="unknown backend 'x'; choose one of none registered"):
        backends.get("x")


def test_builtins_register_once_on_first_read_and_may_read_the_registry():
    calls = []
    shapes: Registry[int] = Registry("shape", builtins=lambda: calls.append(_builtins(shapes)))
    shapes.add("extra", 0)
    assert calls == []  # registering does not load the built-ins
    assert shapes.names() == ["extra", "square", "triangle"]
    assert shapes.get("square") == 4 and calls == [["extra"]]  # ran once; saw what was there so far


def _builtins(registry: Registry[int]) -> list[str]:
    seen = registry.names()  # re-entrant read: no recursion
    registry.add("square", 4)
    registry.add("triangle", 3)
    return seen


def test_threads_reading_while_the_builtins_load_wait_for_all_of_them():
    """A corpus run reads registries from worker threads: none may see a half-filled registry."""
    import threading
    import time

    def builtins():
        shapes.add("square", 4)
        time.sleep(0.2)
        shapes.add("triangle", 3)

    shapes: Registry[int] = Registry("shape", builtins=builtins)
    seen: list[list[str]] = []
    threads = [threading.Thread(target=lambda: seen.append(shapes.names())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [["square", "triangle"]] * 4


def test_failed_builtins_leave_nothing_behind_and_are_retried():
    attempts = []

    def builtins():
        shapes.add("square", 4)
        attempts.append(1)
        if len(attempts) == 1:
            raise ImportError("optional dependency missing")
        shapes.add("triangle", 3)

    shapes: Registry[int] = Registry("shape", builtins=builtins)
    with pytest.raises(ImportError):
        shapes.names()
    assert shapes.names() == ["square", "triangle"]


def test_importing_the_package_and_listing_registries_imports_no_heavy_library():
    """Listing backends, extractors, tasks and input formats stays cheap: heavy libraries load on use only."""
    code = (
        "import sys\n"
        "import dataclaw_tailor, dataclaw_tailor.cli, dataclaw_tailor.tools, dataclaw_tailor.export\n"
        "from dataclaw_tailor.model.base import BACKENDS\n"
        "from dataclaw_tailor.tools.registry import EXTRACTORS\n"
        "from dataclaw_tailor.experts.registry import TASKS\n"
        "from dataclaw_tailor.tools.formats import FORMATS\n"
        "print(len(BACKENDS.entries()), len(EXTRACTORS.entries()), len(TASKS.entries()), len(FORMATS.entries()))\n"
        "heavy = ('torch', 'transformers', 'datasets', 'cv2', 'rapidocr', 'rapidocr_onnxruntime', 'trl', 'ray')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    counts, heavy = out.stdout.splitlines()
    assert all(int(n) > 0 for n in counts.split()) and heavy == "[]"
