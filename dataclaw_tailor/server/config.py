"""What one running server is configured with, and what its tools share while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..service.settings import Settings
from .roots import Roots
from .writes import Writes

if TYPE_CHECKING:
    from ..service import TailorService


@dataclass(frozen=True)
class ServerConfig(Settings):
    """The service's settings (backend, state dir, extraction limit, ...) plus what only a server has: the
    roots its clients may read and write, and whether to take a client's declared roots."""

    roots: Roots = field(default_factory=Roots)
    trust_client_roots: bool = False
    """Take the client's declared roots as they are (single-user stdio only); otherwise they only narrow `roots`."""


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

            self._service = TailorService(self.config)
        return self._service

    async def aclose(self) -> None:
        if self._service is not None:
            await self._service.aclose()
