"""The MCP server (`claw mcp`, stdio or streamable HTTP): tools, resources, prompts, roots and auth.

See ARCHITECTURE.md for where it sits on the path of a request.
"""
