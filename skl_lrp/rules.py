"""Relevance rules for dense layers, and for neuralized models.

Each rule says how a layer's output relevance is split among its inputs; see
the "Rules and composites" page of the documentation for the formulas.
:class:`Midpoint`, :class:`DistanceShare` and :class:`SoftMin` explain
k-means and one-class models rewritten as small networks (see "Clusters and
outliers").
"""

from ._neuralized_rules import DistanceShare, Midpoint, SoftMin
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
    "DistanceShare",
    "Epsilon",
    "Flat",
    "Gamma",
    "Midpoint",
    "Rescale",
    "Rule",
    "SoftMin",
    "WSquare",
    "ZBeta",
    "ZPlus",
]
