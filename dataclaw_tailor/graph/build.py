"""Wires the nodes into the tailoring state machine, with its public input and output."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from . import nodes
from .state import Services, TailorInput, TailorOutput, TailorState


def build_graph() -> StateGraph:
    g = StateGraph(TailorState, context_schema=Services, input_schema=TailorInput, output_schema=TailorOutput)
    g.add_node("inspect", nodes.inspect_source)
    g.add_node("route", nodes.route)
    g.add_node("clarify", nodes.clarify)
    g.add_node("extract", nodes.extract_anchors)
    g.add_node("tailor", nodes.tailor)
    g.add_node("validate", nodes.validate)
    g.add_node("repair", nodes.repair)
    g.add_edge(START, "inspect")
    g.add_edge("inspect", "route")
    g.add_conditional_edges("route", nodes.after_route, ["clarify", "extract", END])
    g.add_edge("clarify", "route")
    g.add_edge("extract", "tailor")
    g.add_edge("tailor", "validate")
    g.add_conditional_edges("validate", nodes.after_validate, {"repair": "repair", "done": END})
    g.add_edge("repair", "validate")
    return g
