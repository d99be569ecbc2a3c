"""Faithfulness metrics for explanations of tabular models.

See the "How faithful are the explanations?" page of the documentation.
"""

from ._metrics import (
    aopc,
    completeness,
    faithfulness_correlation,
    feature_flipping_curve,
    make_explanation_scorer,
    morf_lerf_difference,
)

__all__ = [
    "aopc",
    "completeness",
    "faithfulness_correlation",
    "feature_flipping_curve",
    "make_explanation_scorer",
    "morf_lerf_difference",
]
