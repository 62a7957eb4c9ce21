"""Bearer-token protection for the streamable HTTP transport.

A server that listens beyond loopback exposes file reads (within its roots) and model calls to the
network, so it refuses to start without a shared secret. The token comes from the environment
(`DATACLAW_MCP_TOKEN`), never from a command-line flag, so it does not appear in process listings.
Checking uses the SDK's own `TokenVerifier` hook, so the SDK's bearer middleware answers 401 with
the standard `WWW-Authenticate` header.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from ..core import DataClawError

TOKEN_ENV = "DATACLAW_MCP_TOKEN"


class AuthConfigError(DataClawError):
    """The server was asked to listen somewhere it may not without a token."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_from_env(environ: dict[str, str] | None = None) -> str | None:
    value = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    return value or None


def require_token_for(host: str, token: str | None) -> None:
    """Refuse a non-loopback bind without a token, with a message that says how to fix it."""
    if token is None and not is_loopback(host):
        raise AuthConfigError(
            f"refusing to serve MCP over HTTP on {host}: binding beyond loopback needs a bearer token; "
            f"set {TOKEN_ENV} to a secret (clients then send 'Authorization: Bearer <secret>'), "
            "or bind to 127.0.0.1"
        )


class StaticTokenVerifier:
    """Accepts exactly one shared secret, compared in constant time."""

    def __init__(self, token: str):
        self._token = token

    async def verify_token(self, token: str) -> AccessToken | None:
        if hmac.compare_digest(token.encode(), self._token.encode()):
            return AccessToken(token=token, client_id="dataclaw-mcp-client", scopes=[])
        return None


def auth_settings(host: str, port: int) -> AuthSettings:
    """Resource-server settings for a shared-secret deployment (this server issues no tokens itself)."""
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    return AuthSettings(issuer_url=base, resource_server_url=f"{base}/mcp", validate_token_resource=False)
