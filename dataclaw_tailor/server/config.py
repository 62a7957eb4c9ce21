"""What one running server is configured with; tools read it from the lifespan context."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .roots import Roots


def default_state_dir() -> Path:
    """Where clarification threads are checkpointed, so answers resume them after a restart."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dataclaw-tailor"


@dataclass(frozen=True)
class ServerConfig:
    roots: Roots = field(default_factory=Roots)
    state_dir: Path = field(default_factory=default_state_dir)
    backend: str = "rules"
    backend_options: dict[str, Any] = field(default_factory=dict)
