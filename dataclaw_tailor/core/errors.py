"""The error hierarchy every layer raises and the CLI/MCP surfaces catch.

Each error renders as one line that names the thing at fault (a file, a field, a backend) and the
problem, so a user never needs a traceback to know what to fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class DataClawError(Exception):
    """Base class: anything the package raises on purpose."""


class InputError(DataClawError):
    """A source file or argument that cannot be used as given."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = " ".join(problem.split())
        super().__init__(f"{self.path}: {problem}")


class OutputError(DataClawError):
    """A file we write cannot be written (disk or quota full, a read-only or missing folder)."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = " ".join(problem.split())
        super().__init__(f"{self.path}: {self.problem}")


class UnsupportedFormat(InputError):
    """The file exists but is not a stream kind we can load."""


class UnknownTask(DataClawError):
    """A task or domain name that no expert declares."""


class BackendError(DataClawError):
    """A tailoring backend could not produce text (server down, bad response, model missing)."""


class ExtractorError(DataClawError):
    """An anchor extractor failed on a source it claimed to support."""


def first_problem(exc: ValidationError, prefix: str = "") -> str:
    """The first error of a pydantic validation as `prefix.field.path: message` (one line for an InputError)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in (prefix, *first["loc"]) if p != "")
    return f"{where}: {first['msg']}" if where else first["msg"]
