"""`Registry[T]`: the one way every extensible part (input formats, extractors, backends, domains, tasks)
is named, listed and looked up.

A registry refuses a second entry under a taken name, so two plugins can never silently shadow each
other; lists its entries with a one-line description each (what `claw tasks`, `--help` and error
messages show); and answers an unknown name with an error that lists the choices.

Built-in entries are registered lazily: the `builtins` function runs once, on the first lookup or
listing, imports the built-in modules and adds what they declare. Built-in modules declare plain objects
(an `Extractor`, an `InputFormat`, an `Expert`, a factory) and never import their registry, so importing
the package imports no heavy backend or loader and the registry and its built-ins form no import cycle.

    def _register_builtin_backends() -> None:
        from . import rules
        BACKENDS.add("rules", rules.RulesBackend, first_line(rules.RulesBackend.__doc__))

    BACKENDS: Registry[BackendFactory] = Registry("backend", builtins=_register_builtin_backends, unknown=BackendError)

    BACKENDS.get("rules")      # the factory; BACKENDS.get("nope") raises BackendError listing the choices
    BACKENDS.entries()         # [Entry(name, value, description), ...] in registration order

A plugin adds its own entries with `add(name, value, description)` or the `register(name)` decorator.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Generic, TypeVar

from .errors import DataClawError

log = logging.getLogger(__name__)

T = TypeVar("T")


class DuplicateName(DataClawError, ValueError):
    """A second entry under a name a registry already holds (a programming error, raised at registration)."""


class UnknownName(DataClawError, LookupError):
    """A name no entry of a registry carries; the message lists the names it does carry."""


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered thing, the name it is looked up by and the line that describes it."""

    name: str
    value: T
    description: str = ""


def declared_in(module: ModuleType, kind: type[T]) -> list[T]:
    """The `kind` objects a module holds at top level, alone or in a tuple (a table of alike entries), in
    definition order: what a `builtins` loader registers.

    Built-in modules declare their entries as plain objects and never import their registry, so the
    registry may import them without an import cycle.
    """
    found: list[T] = []
    for value in vars(module).values():
        entries = value if isinstance(value, tuple) else (value,)
        found += [entry for entry in entries if isinstance(entry, kind)]
    return found


def first_line(doc: str | None) -> str:
    """The first non-blank line of a docstring ('' when there is none)."""
    return next((line.strip() for line in (doc or "").splitlines() if line.strip()), "")


class Registry(Generic[T]):
    """Named entries of one kind, in registration order.

    `kind` names the entries in messages ("backend", "task"). `builtins`, when given, is called once
    before the first read (`get`, `names`, `entries`, `in`, iteration) and registers the built-in entries,
    typically by importing the modules whose decorators do. `unknown` builds the error an unknown name
    raises from its message (default `UnknownName`), so each layer keeps raising its own error type.
    """

    def __init__(self, kind: str, *, builtins: Callable[[], object] | None = None,
                 unknown: Callable[[str], Exception] = UnknownName):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}
        self._builtins = builtins
        self._unknown = unknown
        self._loading = False
        self._lock = threading.RLock()  # one thread runs `builtins`; others wait for it, not see a half-filled registry

    # ---------------------------------------------------------------- registering

    def add(self, name: str, value: T, description: str = "") -> T:
        """Register `value` under `name`; a taken name raises DuplicateName. Returns `value`."""
        if not name:
            raise ValueError(f"a {self.kind} needs a name")
        if name in self._entries:
            raise DuplicateName(f"{self.kind} {name!r} is already registered{_origin(self._entries[name].value)}; "
                                f"the one{_origin(value)} needs another name")
        self._entries[name] = Entry(name, value, description)
        log.debug("registered %s %r", self.kind, name)
        return value

    def register(self, name: str, description: str | None = None) -> Callable[[T], T]:
        """Decorator form of `add`; the description defaults to the first line of the object's docstring."""

        def wrap(value: T) -> T:
            return self.add(name, value, first_line(getattr(value, "__doc__", None)) if description is None else description)

        return wrap

    # ---------------------------------------------------------------- reading

    def get(self, name: str) -> T:
        """The entry registered as `name`; an unknown name raises the registry's `unknown` error listing the choices."""
        self._load()
        entry = self._entries.get(name)
        if entry is None:
            choices = ", ".join(self._entries) or "none registered"
            log.debug("unknown %s %r (registered: %s)", self.kind, name, choices)
            raise self._unknown(f"unknown {self.kind} {name!r}; choose one of {choices}")
        return entry.value

    def names(self) -> list[str]:
        self._load()
        return list(self._entries)

    def values(self) -> list[T]:
        self._load()
        return [e.value for e in self._entries.values()]

    def entries(self) -> list[Entry[T]]:
        """Every entry with its name and description, in registration order."""
        self._load()
        return list(self._entries.values())

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"

    def _load(self) -> None:
        """Run `builtins` once; a re-entrant read (a built-in module reading the registry) sees what is there so far."""
        if self._builtins is None:
            return
        with self._lock:
            if self._builtins is None or self._loading:
                return
            self._loading = True
            before = set(self._entries)
            try:
                self._builtins()
            except BaseException:
                # Forget what the failed run added, so the next read retries from a clean state.
                for name in set(self._entries) - before:
                    del self._entries[name]
                raise
            finally:
                self._loading = False
            self._builtins = None


def _origin(value: object) -> str:
    """' by module.name' for a function or class (what a duplicate message should point at), else ''."""
    name = getattr(value, "__qualname__", None)
    return f" by {value.__module__}.{name}" if isinstance(name, str) else ""
