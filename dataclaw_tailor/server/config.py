"""What one running server is configured with; tools read it from the lifespan context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.runner import default_state_dir
from .roots import Roots


@dataclass(frozen=True)
class ServerConfig:
    roots: Roots = field(default_factory=Roots)
    state_dir: Path = field(default_factory=default_state_dir)
    backend: str = "rules"
    backend_options: dict[str, Any] = field(default_factory=dict)
