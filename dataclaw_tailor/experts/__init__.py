"""experts layer (see DESIGN.md)."""
