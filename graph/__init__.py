"""Tsunagari's pure domain: the community graph, its flags, layouts and file formats."""

from .errors import GraphError, NotFound, Problem, ValidationError
from .model import active_graph, build_graph, graph_records, is_active, new_graph, validate

__all__ = [
    "GraphError",
    "NotFound",
    "Problem",
    "ValidationError",
    "active_graph",
    "build_graph",
    "graph_records",
    "is_active",
    "new_graph",
    "validate",
]
