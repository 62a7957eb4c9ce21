"""What one running server is configured with, and what its tools share while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..service.settings import Settings, default_state_dir
from .roots import Roots
from .writes import Writes

if TYPE_CHECKING:
    from ..service import TailorService


@dataclass(frozen=True)
class ServerConfig:
    roots: Roots = field(default_factory=Roots)
    trust_client_roots: bool = False
    """Take the client's declared roots as they are (single-user stdio only); otherwise they only narrow `roots`."""
    state_dir: Path = field(default_factory=default_state_dir)
    backend: str = "rules"
    backend_options: dict[str, Any] = field(default_factory=dict)
    max_extractions: int | None = None
    """Anchor extractions running at once across all calls (memory grows with each); None: one per CPU."""

    def settings(self) -> Settings:
        return Settings(backend=self.backend, backend_options=self.backend_options, state_dir=self.state_dir,
                        max_extractions=self.max_extractions)


class ServerState:
    """The lifespan context every tool reads: the configuration, the one service of this server run, and the
    claims on outputs every writing tool goes through.

    The service is built by the first call that needs it: building it loads the tailoring graph (LangGraph,
    seconds), which a client's first `tools/list` should not wait for.
    """

    def __init__(self, config: ServerConfig):
        self.config = config
        self.writes = Writes(config.state_dir)
        self._service: TailorService | None = None

    @property
    def service(self) -> TailorService:
        if self._service is None:
            from ..service import TailorService

            self._service = TailorService(self.config.settings())
        return self._service

    async def aclose(self) -> None:
        if self._service is not None:
            await self._service.aclose()
