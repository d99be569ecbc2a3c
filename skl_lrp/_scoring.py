"""How a fold's model is scored, and the scores the guardrails compare.

The fold score (`scoring`, or the model's own ``score`` without R²'s
overflow), the score of a trivial model, the permutation importance of each
column on the held-out part, the seeds of the permutations, and what each
explained score stands for (a probability or a prediction).
"""

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.inspection import permutation_importance
from sklearn.metrics import check_scoring, r2_score
from sklearn.utils import check_random_state

from ._values import shape_of


def _scaled_r2(model, X, y):
    """R² of `model` on (X, y), computed on the target and predictions
    divided by the target's largest magnitude: the same number, without the
    squares overflowing for targets beyond about 1e154."""
    y = np.asarray(y, dtype=float)
    scale = np.max(np.abs(y), initial=0.0)
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    return r2_score(y / scale, np.asarray(model.predict(X), dtype=float) / scale)


def scorer(model, scoring):
    """`scoring` as a callable ``(model, X, y)``; for None, the model's own
    ``score`` (accuracy, or an R² that does not overflow)."""
    if scoring is None and is_regressor(model):
        return _scaled_r2
    return check_scoring(model, scoring=scoring)


def score(model, X, y, scoring):
    """The fold score: `scoring`, or the model's own ``score`` when None."""
    return float(scorer(model, scoring)(model, X, y))


def fold_seeds(random_state, n_folds):
    """Seeds of the permutations in each fold (None stays None).

    Fold ``k`` uses ``SeedSequence([base, k]).generate_state(1)[0]``, where
    ``base`` is `random_state` itself when it is an integer, or one draw of
    ``randint(2**31)`` from it when it is a RandomState instance.
    """
    if random_state is None:
        return [None] * n_folds
    rng = check_random_state(random_state)  # scikit-learn's errors for bad seeds
    if isinstance(random_state, Integral):
        base = int(random_state)
    else:
        base = int(rng.randint(np.iinfo(np.int32).max + 1))
    return [
        int(np.random.SeedSequence([base, k]).generate_state(1)[0])
        for k in range(n_folds)
    ]


def baseline_score(classifier, X_train, y_train, X_test, y_test, scoring):
    """Score of a trivial model (class prior or training mean) on the fold.

    Returns ``(score, note)``: NaN and the reason when `scoring` cannot
    score a trivial model (a custom scorer may need the real model's parts).
    """
    dummy = (DummyClassifier(strategy="prior") if classifier else DummyRegressor()).fit(
        X_train, y_train
    )
    try:
        return score(dummy, X_test, y_test, scoring), None
    except Exception as exc:  # a scorer failing on a trivial model: skip
        return float("nan"), (
            f"The baseline check was skipped: the scoring {scoring!r} cannot "
            f"score a trivial model ({type(exc).__name__}: {exc})."
        )


def permutation_scores(model, X, y, scoring, n_repeats, seed, relevance_names):
    """Permutation importance of each column of `X` on one held-out fold.

    Returns ``(importances_mean, note)``; None and the reason when it cannot
    be compared with relevance or cannot run on this input.
    """
    if n_repeats == 0:
        return None, None
    note = _not_comparable(X, relevance_names)
    if note is not None:
        return None, f"Permutation importance was skipped: {note}."
    result = permutation_importance(
        model,
        X,
        y,
        scoring=scorer(model, scoring),
        n_repeats=n_repeats,
        n_jobs=1,
        random_state=seed,
    )
    return result.importances_mean, None


def _not_comparable(X, relevance_names):
    if sparse.issparse(X):
        return (
            "scikit-learn's permutation_importance does not take sparse "
            "matrices; pass a dense array, or n_repeats=0 to skip this check"
        )
    if hasattr(X, "columns") and not hasattr(X, "iloc"):
        return (
            "scikit-learn's permutation_importance takes arrays and pandas "
            f"DataFrames, not {type(X).__name__}; pass a pandas DataFrame, or "
            "n_repeats=0 to skip this check"
        )
    shape = shape_of(X)
    n_columns = shape[1] if len(shape) == 2 else None
    names = [str(name) for name in relevance_names]
    if n_columns != len(names):
        return (
            f"relevance is reported on {len(names)} columns but X has "
            f"{n_columns}, so the two cannot be compared column by column"
        )
    columns = getattr(X, "columns", None)
    if columns is not None and [str(c) for c in columns] != names:
        return (
            "relevance is reported on other columns than X's, so the two "
            "cannot be compared column by column"
        )
    return None


def explained_outputs(model, X, targets, classifier):
    """What each row's explained score means: the probability of its
    explained class (classifiers) or the predicted value of its explained
    output (regressors); NaN where the model cannot say.
    """
    targets = np.asarray(targets)
    rows = np.arange(len(targets))
    try:
        if classifier:
            proba = np.asarray(model.predict_proba(X))
            if proba.ndim != 2:
                raise ValueError("not one probability per class")
            columns = np.searchsorted(np.asarray(model.classes_), targets)
            return np.asarray(proba[rows, columns], dtype=float)
        predicted = np.asarray(model.predict(X), dtype=float)
        if predicted.ndim == 2:
            return predicted[rows, targets.astype(int)]
        return predicted
    except Exception:  # no predict_proba, multilabel, odd targets: unknown
        return np.full(len(targets), np.nan)
