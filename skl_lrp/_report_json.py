"""A cross-validated report as JSON values, after a versioned schema.

:func:`feature_rows` is the ranked table every view shows, and
:func:`report_dict` the whole report (``RelevanceReport.to_dict``): plain
Python values only, None where a number is missing. Their layout is
``docs/_static/report.schema.json``, whose version is :data:`SCHEMA_VERSION`
(``"major.minor"``: a new field raises the minor number, a field renamed,
moved or removed the major one). A view reads the report object it is
given: nothing here imports the report's module.
"""

import numpy as np
from scipy import stats

from ._ranking import descending_order
from ._summaries import signed_by_target

# The version of docs/_static/report.schema.json that report_dict follows.
SCHEMA_VERSION = "1.0"


def report_dict(report):
    """``report.to_dict()``: see :meth:`skl_lrp.RelevanceReport.to_dict`."""
    performance, stability = report.performance, report.stability
    permutation = report.permutation
    return {
        "schema_version": SCHEMA_VERSION,
        "settings": dict(report.settings),
        "n_samples": int(len(report.scores)),
        "fold_scores": [_json_float(v) for v in performance.test_scores],
        "baseline_scores": [_json_float(v) for v in performance.baseline_scores],
        "fit_times": [float(v) for v in performance.fit_times],
        "explain_times": [float(v) for v in performance.explain_times],
        "rank_spearman": _json_float(stability.spearman),
        "rank_kendall": _json_float(stability.kendall),
        "importance_agreement": (
            None if permutation is None else _json_float(permutation.agreement)
        ),
        # Why a correlation above is null (null when it is a number).
        **{f"{k}_reason": v for k, v in report.undefined_figures().items()},
        "top_k": int(stability.top_k),
        "ledger": dict(report.guardrails.ledger),
        "warnings": [dict(w) for w in report.guardrails.warnings],
        "features": feature_rows(report),
        "classes": _classes(report),
    }


def feature_rows(report):
    """``report.feature_table()``: see :meth:`skl_lrp.RelevanceReport.feature_table`."""
    permutation = report.permutation
    importance_rank = (
        None
        if permutation is None
        else stats.rankdata(-permutation.mean, method="min", nan_policy="omit")
    )
    flagged = {w["column"] for w in report.guardrails.warnings}
    return [
        _feature_row(report, i, importance_rank, flagged)
        for i in descending_order(report.relevance_stats.mean)
    ]


def _feature_row(report, i, importance_rank, flagged):
    name = str(report.feature_names[i])
    relevance, permutation = report.relevance_stats, report.permutation
    return {
        "name": name,
        "mean_abs_relevance": float(relevance.mean[i]),
        "std": float(relevance.std[i]),
        "ci_low": _json_float(relevance.ci[i, 0]),
        "ci_high": _json_float(relevance.ci[i, 1]),
        "signed_mean": float(relevance.signed_mean[i]),
        "mean_rank": float(report.stability.ranks[:, i].mean()),
        "top_k_frequency": float(report.stability.top_k_frequency[i]),
        "permutation_importance_mean": (
            None if permutation is None else _json_float(permutation.mean[i])
        ),
        "permutation_importance_std": (
            None if permutation is None else _json_float(permutation.std[i])
        ),
        "permutation_rank": _entry(importance_rank, i, _json_int),
        "flagged": name in flagged,
        "per_fold": [float(v) for v in relevance.per_fold[i]],
    }


def _classes(report):
    """Per explained class, each feature's mean absolute and mean signed
    relevance (None for regressors)."""
    relevance = report.relevance_stats
    if relevance.classes is None:
        return None
    return [
        {
            "label": _json_value(label),
            "mean_abs_relevance": {
                str(name): float(v) for name, v in zip(report.feature_names, row)
            },
            # > 0: raises the class's score on average; < 0: lowers it.
            "mean_relevance": {
                str(name): _json_float(v)
                for name, v in zip(report.feature_names, signed)
            },
        }
        for label, row, signed in zip(
            relevance.classes,
            relevance.by_class,
            signed_by_target(report.relevance, report.targets, relevance.classes),
        )
    ]


def _entry(values, i, convert):
    """``convert(values[i])``, or None when there are no values."""
    return None if values is None else convert(values[i])


def _json_float(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _json_int(value):
    return int(value) if np.isfinite(value) else None


def _json_value(value):
    return value.item() if hasattr(value, "item") else value
