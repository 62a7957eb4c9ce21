"""Backends that write a record for a task (rules, a local checkpoint, an OpenAI-compatible server, MCP sampling),
the prompt and the source-bounded schema they decode against, and `claw serve-model` (see ARCHITECTURE.md)."""
