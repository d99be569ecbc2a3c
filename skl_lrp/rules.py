"""Relevance rules for dense layers.

Each rule says how a layer's output relevance is split among its inputs; see
the "Rules and composites" page of the documentation for the formulas.
"""

from ._rules import (
    LRP0,
    AlphaBeta,
    Epsilon,
    Flat,
    Gamma,
    Rescale,
    Rule,
    WSquare,
    ZBeta,
    ZPlus,
)

__all__ = [
    "LRP0",
    "AlphaBeta",
    "Epsilon",
    "Flat",
    "Gamma",
    "Rescale",
    "Rule",
    "WSquare",
    "ZBeta",
    "ZPlus",
]
