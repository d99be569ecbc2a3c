"""One way to rank features, and to compare two rankings.

The report, its table and every view rank features with
:func:`descending_order` (ties keep their column order) and place ties with
:func:`best_and_worst_ranks`; the agreement between rankings (folds with
each other, relevance with permutation importance) is a rank correlation,
with the reason in words when it is undefined.
"""

from itertools import combinations

import numpy as np
from scipy import stats


def descending_order(values):
    """Indices of `values`, largest first; ties keep their column order."""
    return np.argsort(-np.asarray(values), kind="stable")


def best_and_worst_ranks(values):
    """Rank 1 = largest; ties get their best and their worst place."""
    return (
        stats.rankdata(-values, method="min").astype(int),
        stats.rankdata(-values, method="max").astype(int),
    )


def importance_agreement(relevance, importance):
    """Spearman correlation of the two rankings (NaN when undefined)."""
    if importance_agreement_reason(relevance, importance) is not None:
        return float("nan")  # (spearmanr would warn and return NaN)
    return float(stats.spearmanr(relevance, importance)[0])


def importance_agreement_reason(relevance, importance):
    """Why the Spearman correlation of the two rankings is undefined, in
    words, or None when it is defined."""
    relevance, importance = np.asarray(relevance), np.asarray(importance)
    if len(relevance) < 2:
        return "a single feature: there is no ranking to compare"
    if not (np.isfinite(relevance).all() and np.isfinite(importance).all()):
        return "some relevance or permutation importance is not a finite number"
    if np.ptp(relevance) == 0:
        return "every feature has the same mean relevance: nothing to rank"
    if np.ptp(importance) == 0:
        return (
            "permutation importance is the same for every feature (shuffling "
            "no column changes the held-out score): nothing to rank"
        )
    return None


def rank_agreement(per_fold):
    """Mean over pairs of folds (the columns of `per_fold`) of the Spearman
    and Kendall correlations of their rankings; NaN when undefined."""
    n_folds = per_fold.shape[1]
    if rank_agreement_reason(per_fold) is not None:
        return float("nan"), float("nan")  # (scipy would warn and say NaN)
    pairs = list(combinations(range(n_folds), 2))
    spearman = [stats.spearmanr(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    kendall = [stats.kendalltau(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    return float(np.mean(spearman)), float(np.mean(kendall))


def rank_agreement_reason(per_fold):
    """Why the agreement between the folds' rankings (the columns of
    `per_fold`, of shape (n_features, n_folds)) is undefined, or None."""
    per_fold = np.asarray(per_fold)
    n_features, n_folds = per_fold.shape
    if n_features < 2:
        return "a single feature: there is no ranking to compare"
    if n_folds < 2:
        return "a single fold: there is nothing to compare its ranking with"
    if not np.isfinite(per_fold).all():
        return "some relevance is not a finite number"
    constant = np.flatnonzero(np.ptp(per_fold, axis=0) == 0)
    if len(constant):
        return (
            f"fold {constant[0] + 1} gives every feature the same mean "
            "relevance: nothing to rank"
        )
    return None
