"""The sampling backend through a real MCP server and client (in-process transport).

The client's sampling callback stands in for the assistant's own LLM (which cannot exist here); the
server side is the real SDK path: a tool hands `ctx.session.create_message` to `SamplingBackend`.
"""

import json

import pytest
from mcp import Client, types
from mcp.server.mcpserver import Context, MCPServer

from dataclaw_tailor.core import BackendError, GenerationRequest, ImagePart, Message, TextPart
from dataclaw_tailor.model.sampling import SamplingBackend

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")  # sampling is deprecated in the 2026-07-28 protocol; legacy clients still use it


def make_server(image_path: str) -> MCPServer:
    server = MCPServer("sampling-test")

    @server.tool()
    async def draft(ctx: Context) -> str:
        backend = SamplingBackend(ctx.session.create_message, model_hint="claude")
        request = GenerationRequest(
            task="daily.vqa", max_tokens=200, temperature=0.3,
            json_schema={"type": "object"},
            messages=[
                Message.text("system", "Answer with JSON only."),
                Message(role="user", content=[TextPart(text="What happens?"), ImagePart(path=image_path, detail="keyframe shot:0")]),
            ],
        )
        try:
            return await backend.generate(request)
        except BackendError as exc:
            return f"error: {exc}"

    return server


@pytest.mark.anyio
async def test_sampling_round_trip_over_mcp(tmp_path):
    image = tmp_path / "k.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0jpeg")
    seen = []

    async def client_llm(context, params: types.CreateMessageRequestParams):
        seen.append(params)
        return types.CreateMessageResult(role="assistant", model="client-llm",
                                         content=types.TextContent(text=json.dumps({"qa": [], "n": len(params.messages)})))

    async with Client(make_server(str(image)), sampling_callback=client_llm, mode="legacy") as client:
        result = await client.call_tool("draft", {})
    assert json.loads(result.structured_content["result"]) == {"qa": [], "n": 1}
    params = seen[0]
    assert params.system_prompt == "Answer with JSON only."
    assert params.max_tokens == 200 and params.temperature == 0.3
    assert params.model_preferences.hints[0].name == "claude"
    text, picture = params.messages[0].content
    assert text.text == "What happens?"
    assert picture.mime_type == "image/jpeg" and picture.data == "/9j/4GpwZWc="


@pytest.mark.anyio
async def test_client_without_sampling_gives_a_clear_error(tmp_path):
    image = tmp_path / "k.jpg"
    image.write_bytes(b"jpeg")
    async with Client(make_server(str(image)), mode="legacy") as client:
        result = await client.call_tool("draft", {})
    message = result.structured_content["result"]
    assert message.startswith("error: sampling backend: the MCP client could not sample")
