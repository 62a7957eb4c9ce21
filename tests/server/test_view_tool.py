"""The MCP `view_record` tool through the real server and SDK client: pages inside the roots only."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from .conftest import TRACE
from .test_app import server

pytestmark = pytest.mark.anyio


async def test_view_record_writes_the_page_inside_the_roots(tmp_path: Path):
    envelope = tmp_path / "runs" / "gui.json"
    async with Client(server(tmp_path)) as client:
        tailored = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps", "out": str(envelope)})
        assert not tailored.is_error
        viewed = await client.call_tool("view_record", {"records": str(envelope)})
        assert not viewed.is_error, viewed.content
        page = Path(viewed.structured_content["page"])
        assert page == tmp_path / "runs" / "gui.view.html" and page.is_file()
        assert viewed.structured_content["charts"] == [str(tmp_path / "runs" / "gui.view.png")]
        assert page.read_text().count('<article class="card') >= 5
        outside = await client.call_tool("view_record", {"records": str(envelope), "out": "/tmp/../etc/page.html"})
        missing = await client.call_tool("view_record", {"records": str(tmp_path / "nope.json")})
        not_envelope = await client.call_tool("view_record", {"records": str(TRACE / "trace.json")})
    assert outside.is_error and "out: /tmp/../etc/page.html is outside the allowed roots" in outside.content[0].text
    assert missing.is_error and "no such file" in missing.content[0].text
    assert not_envelope.is_error and "not a tailoring envelope" in not_envelope.content[0].text
