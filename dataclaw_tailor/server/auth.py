"""Who may talk to the streamable HTTP transport: a bearer token beyond loopback, Host/Origin checks on it.

A server that listens beyond loopback exposes file reads (within its roots) and model calls to the
network, so it refuses to start without a shared secret. A server on loopback needs no token, which
is what DNS rebinding exploits: a web page on `evil.example`, re-pointed at 127.0.0.x, reaches the
server from the user's own browser. So on every loopback bind, any address in 127.0.0.0/8, `::1` or
`localhost`, requests must name this server in `Host` and, when a browser sends one, in `Origin`. The token comes from the environment
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
from mcp.server.transport_security import TransportSecuritySettings

from ..core import DataClawError

TOKEN_ENV = "DATACLAW_MCP_TOKEN"


class AuthConfigError(DataClawError):
    """The server was asked to listen somewhere it may not without a token."""


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped, `::ffff:127.0.0.2`) and `localhost`."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def transport_security(host: str, port: int) -> TransportSecuritySettings | None:
    """Host and Origin allow-lists naming only this server, for a loopback bind; None beyond loopback.

    `localhost` stands for 127.0.0.1 and ::1 and they for it, so a client may use either name; any other
    loopback address is allowed only under its own name. Beyond loopback the bind address says nothing
    about the names clients use, and the bearer token is what keeps strangers out.
    """
    if not is_loopback(host):
        return None
    bare = host.strip("[]").lower().rstrip(".")
    names = {bare}
    if bare in ("localhost", "127.0.0.1", "::1"):
        names |= {"localhost", "127.0.0.1", "::1"}
    hosts = [f"[{n}]" if ":" in n else n for n in sorted(names)]
    allowed = [f"{h}:{port}" for h in hosts] + (hosts if port == 80 else [])
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=allowed, allowed_origins=[f"http://{h}" for h in allowed],
    )


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
