"""The named parts of a cross-validated report, and how the folds make them.

A :class:`~skl_lrp.RelevanceReport` keeps its per-sample arrays at the top
and groups what it computes from them into small frozen parts:
:class:`RelevanceStatistics` (mean absolute relevance per feature and fold,
and its summaries), :class:`RankStability`, :class:`PermutationImportance`,
:class:`FoldPerformance` and :class:`Guardrails`. Each part is data; the
functions here build them from what the folds sent back.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._ranking import best_and_worst_ranks, importance_agreement, rank_agreement

# The columns of ``RelevanceReport.absorbed`` and the totals of its ledger:
# relevance taken by biases, by stabilizers and by vanished denominators.
LEDGER = ("bias", "stabilizer", "dead")


@dataclass(frozen=True, eq=False)
class RelevanceStatistics:
    """Mean absolute relevance of each feature in each fold, and its summaries.

    ``report.relevance_stats``; the figures follow
    :func:`~sklearn.inspection.permutation_importance` (features × folds).

    Parameters
    ----------
    per_fold, mean, std, ci, signed_per_fold, signed_mean : ndarray
        See Attributes.
    classes, by_class : ndarray or None, default=None
        See Attributes.

    Attributes
    ----------
    per_fold : ndarray of shape (n_features, n_folds)
        Mean absolute relevance of each feature over each fold's held-out
        samples.
    mean, std : ndarray of shape (n_features,)
        Its mean and standard deviation across folds (the spread of the
        folds themselves, ``ddof=0``, as in ``permutation_importance``).
    ci : ndarray of shape (n_features, 2)
        A 95% Student-t interval for the mean across folds (from the sample
        standard deviation, ``ddof=1``; clipped at 0, since a mean absolute
        value cannot be negative; NaN with one fold). Approximate: folds
        share training data, so they are not independent.
    signed_per_fold : ndarray of shape (n_features, n_folds)
        Mean signed relevance of each feature in each fold.
    signed_mean : ndarray of shape (n_features,)
        Mean signed relevance over all samples.
    classes : ndarray or None
        For classifiers, the labels of `by_class`'s rows; None for
        regressors.
    by_class : ndarray of shape (n_classes, n_features) or None
        Mean absolute relevance over the samples explained for each class.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report.relevance_stats.per_fold.shape  # features x folds
    (4, 3)
    >>> report.relevance_stats.classes
    array([0, 1, 2])
    """

    per_fold: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    ci: np.ndarray
    signed_per_fold: np.ndarray
    signed_mean: np.ndarray
    classes: np.ndarray | None = None
    by_class: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class RankStability:
    """How alike the folds rank the features.

    ``report.stability``.

    Parameters
    ----------
    ranks : ndarray
        See Attributes.
    spearman, kendall : float
        See Attributes.
    top_k : int
        See Attributes.
    top_k_frequency : ndarray
        See Attributes.

    Attributes
    ----------
    ranks : ndarray of shape (n_folds, n_features)
        Rank of every feature in every fold (1: largest mean absolute
        relevance; tied features share their best place).
    spearman, kendall : float
        Mean over pairs of folds of the Spearman and Kendall correlations
        between their feature rankings (1: every fold ranks alike; NaN when
        undefined: one fold, one feature, or a fold that ranks every feature
        alike; ``report.undefined_figures()`` says why).
    top_k : int
        The k of `top_k_frequency` (at most the number of features).
    top_k_frequency : ndarray of shape (n_features,)
        Fraction of folds in which each feature is among the top k (a tie
        at the k-th place counts against every tied feature).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report.stability.ranks.shape  # folds x features
    (3, 4)
    >>> report.stability.top_k
    4
    """

    ranks: np.ndarray
    spearman: float
    kendall: float
    top_k: int
    top_k_frequency: np.ndarray


@dataclass(frozen=True, eq=False)
class PermutationImportance:
    """Permutation importance of each column on each fold's held-out part.

    ``report.permutation``; None there with ``n_repeats=0`` or when it
    could not be computed (``report.guardrails.warnings`` says why).

    Parameters
    ----------
    per_fold, mean, std : ndarray
        See Attributes.
    agreement : float
        See Attributes.

    Attributes
    ----------
    per_fold : ndarray of shape (n_features, n_folds)
        The mean over ``n_repeats`` shuffles of the drop in the fold's score
        when the column is shuffled, on the columns of ``X`` as given.
    mean, std : ndarray of shape (n_features,)
        Its mean and standard deviation across folds (``ddof=0``).
    agreement : float
        Spearman correlation between ``relevance_stats.mean`` and `mean`
        (NaN when undefined, e.g. one of them is constant;
        ``report.undefined_figures()`` says why).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report.permutation.per_fold.shape  # features x folds
    (4, 3)
    >>> report.permutation.agreement > 0.5
    True
    """

    per_fold: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    agreement: float


@dataclass(frozen=True, eq=False)
class FoldPerformance:
    """How each fold's model did on its held-out part, and how long it took.

    ``report.performance``.

    Parameters
    ----------
    test_scores, baseline_scores, fit_times, explain_times : ndarray
        See Attributes.

    Attributes
    ----------
    test_scores : ndarray of shape (n_folds,)
        The held-out score of each fold's model (`scoring`, or the model's
        own ``score``).
    baseline_scores : ndarray of shape (n_folds,)
        The held-out score of a trivial model fitted on each training part
        (``DummyClassifier(strategy="prior")`` or ``DummyRegressor()``),
        scored like `test_scores` (NaN where the scoring cannot score it).
    fit_times, explain_times : ndarray of shape (n_folds,)
        Seconds to fit each fold's explainer (the model and its root point)
        and to explain its held-out part.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report.performance.baseline_scores  # the training majority class
    array([0.32, 0.32, 0.32])
    """

    test_scores: np.ndarray
    baseline_scores: np.ndarray
    fit_times: np.ndarray
    explain_times: np.ndarray


@dataclass(frozen=True, eq=False)
class Guardrails:
    """What the report's checks found, and its conservation ledger.

    ``report.guardrails``; see :ref:`guardrails` in the user guide.

    Parameters
    ----------
    warnings : list of dict
        See Attributes.
    ledger : dict
        See Attributes.

    Attributes
    ----------
    warnings : list of dict
        What the sanity checks found, most general first: dicts with the
        keys "kind" ("baseline", "agreement", "convergence", "sign",
        "cardinality", "constant", "disagreement", or "skipped" for a check
        that could not run), "column" (the column concerned, or None) and
        "message".
    ledger : dict
        Total relevance absorbed by "bias", "stabilizer" and "dead" neurons
        over all samples, and "max_conservation_error": the largest
        ``|relevance.sum() + absorbed - (score - relevance_baseline)|`` of
        any sample.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report.guardrails.warnings
    []
    >>> sorted(report.guardrails.ledger)
    ['bias', 'dead', 'max_conservation_error', 'stabilizer']
    """

    warnings: list
    ledger: dict


def relevance_statistics(folds, relevance, targets, classifier):
    """The :class:`RelevanceStatistics` of the folds' held-out relevance
    (`relevance` and `targets`: every sample's, in sample order)."""
    per_fold = np.array([np.abs(f.relevance).mean(axis=0) for f in folds]).T
    n_features, n_folds = per_fold.shape
    # (the spread of values scaled to at most 1, scaled back: the squares of
    # relevance beyond ~1e154 would overflow)
    scale = np.max(np.abs(per_fold), axis=1, keepdims=True, initial=0.0)
    scale[~(scale > 0) | ~np.isfinite(scale)] = 1.0
    mean = per_fold.mean(axis=1)
    std = (per_fold / scale).std(axis=1) * scale[:, 0]
    if n_folds > 1:
        half = (per_fold / scale).std(axis=1, ddof=1) * scale[:, 0]
        half *= stats.t.ppf(0.975, n_folds - 1) / np.sqrt(n_folds)
    else:
        half = np.full(n_features, np.nan)
    classes = np.unique(targets) if classifier else None
    return RelevanceStatistics(
        per_fold=per_fold,
        mean=mean,
        std=std,
        ci=np.c_[np.maximum(mean - half, 0), mean + half],
        signed_per_fold=np.array([f.relevance.mean(axis=0) for f in folds]).T,
        signed_mean=relevance.mean(axis=0),
        classes=classes,
        by_class=None
        if classes is None
        else np.array([np.abs(relevance[targets == c]).mean(axis=0) for c in classes]),
    )


def rank_stability(per_fold, top_k):
    """The :class:`RankStability` of the (n_features, n_folds) mean absolute
    relevance."""
    best, worst = zip(*(best_and_worst_ranks(fold) for fold in per_fold.T))
    top_k = min(top_k, per_fold.shape[0])
    spearman, kendall = rank_agreement(per_fold)
    return RankStability(
        ranks=np.array(best),
        spearman=spearman,
        kendall=kendall,
        top_k=top_k,
        # A feature is in a fold's top k only if it ranks there even when its
        # ties are broken against it.
        top_k_frequency=(np.array(worst) <= top_k).mean(axis=0),
    )


def permutation_summary(folds, relevance_mean):
    """The folds' :class:`PermutationImportance`, or None when a fold has none."""
    permutation = [fold.permutation for fold in folds]
    if any(p is None for p in permutation):
        return None
    per_fold = np.array(permutation).T
    mean = per_fold.mean(axis=1)
    return PermutationImportance(
        per_fold=per_fold,
        mean=mean,
        std=per_fold.std(axis=1),
        agreement=importance_agreement(relevance_mean, mean),
    )


def fold_performance(folds):
    """The folds' :class:`FoldPerformance`."""
    return FoldPerformance(
        test_scores=np.array([f.score for f in folds]),
        baseline_scores=np.array([f.baseline for f in folds]),
        fit_times=np.array([f.fit_time for f in folds]),
        explain_times=np.array([f.explain_time for f in folds]),
    )


def ledger(relevance, change, absorbed):
    """Totals of the absorbed relevance and the largest conservation error
    (`change`: each score minus what it is measured against)."""
    error = np.abs(relevance.sum(axis=1) + absorbed.sum(axis=1) - change)
    totals = {part: float(absorbed[:, k].sum()) for k, part in enumerate(LEDGER)}
    return {**totals, "max_conservation_error": float(error.max())}


def follows_score(relevance, scores):
    """Whether every relevance has the sign of its row's score (within
    rounding), as under the "deep-taylor" preset: relevance then explains
    the score, no feature raises or lowers it."""
    relevance = np.asarray(relevance, dtype=float)
    if scores is None:
        return bool((relevance >= 0).all())
    signs = np.where(np.asarray(scores) < 0, -1.0, 1.0)[:, np.newaxis]
    scale = np.abs(relevance).max(initial=0.0)
    return bool((relevance * signs >= -1e-12 * scale).all())


def signed_by_target(relevance, targets, labels):
    """Mean signed relevance over the rows explained for each of `labels`,
    shape (len(labels), n_features) (NaN for a label without rows)."""
    relevance, targets = np.asarray(relevance), np.asarray(targets)
    rows = []
    for label in labels:
        mine = targets == label
        rows.append(
            relevance[mine].mean(axis=0)
            if mine.any()
            else np.full(relevance.shape[1], np.nan)
        )
    return np.array(rows).reshape(len(labels), relevance.shape[1])
