"""Sanity checks shown beside relevance in a cross-validated report.

Relevance tells how much of the explained score each column accounts for;
that is not always what the model's held-out performance depends on. These
checks give an independent view (permutation importance, a trivial
baseline) and flag the usual suspects: identifier-like columns, unfinished
training, and columns the two views rank very differently.

It also holds the helpers that the report and its views (plots, HTML,
command line) share, so that they rank features and read feature values one
way: :func:`descending_order`, :func:`best_and_worst_ranks` and
:func:`feature_values`; and what the views say about the model in
words (:func:`describe_model`, :func:`scoring_name`, :func:`target_meaning`).
"""

import contextlib
import math
import re
from numbers import Integral, Real

import numpy as np
from scipy import sparse, stats
from sklearn.base import is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import permutation_importance
from sklearn.metrics import check_scoring, r2_score
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    TargetEncoder,
)
from sklearn.utils import _safe_indexing, check_random_state

from ._columns import _input_indices  # the fitted columns of a part
from ._network import unwrap

# A non-numeric column is flagged with more distinct values than this share
# of its rows, or than this count.
CARDINALITY_SHARE = 0.5
CARDINALITY_COUNT = 100
# Columns with fewer filled rows are not checked: every small sample looks
# like an identifier.
CARDINALITY_MIN_ROWS = 10


def warning(kind, column, message):
    """One entry of ``RelevanceReport.warnings``."""
    column = None if column is None else str(column)
    return {"kind": kind, "column": column, "message": message}


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
    shape = _shape(X)
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


# A permutation importance at most this part of the largest column's counts
# as negligible: the held-out score barely depends on the column.
NEGLIGIBLE = 0.05


def disagreement_limits(n_features):
    """``(m, h)``: "top" is the first m places, "bottom half" the last h."""
    return min(max(3, math.ceil(n_features / 4)), n_features // 2), n_features // 2


def disagreements(names, relevance, importance):
    """Columns whose relevance rank and permutation-importance rank part ways.

    With ``n >= 3`` columns, ``m = min(max(3, ceil(n / 4)), n // 2)`` and
    ``h = n // 2``, a column is flagged when

    - it is among the top m by relevance even with ties broken against it,
      with more than the average relevance, while its mean permutation
      importance is negligible (<= 0, or at most `NEGLIGIBLE` times the
      largest column's) or it is among the h lowest by permutation
      importance even with ties broken in its favour; or
    - the reverse: among the top m by permutation importance (ties against
      it), with a positive importance above the average, while among the h
      lowest by relevance (ties in its favour).
    """
    relevance, importance = np.asarray(relevance), np.asarray(importance)
    n = len(relevance)
    finite = np.isfinite(relevance).all() and np.isfinite(importance).all()
    if n < 3 or not finite:
        return []
    m, h = disagreement_limits(n)
    r_best, r_worst = best_and_worst_ranks(relevance)
    p_best, p_worst = best_and_worst_ranks(importance)
    negligible = max(0.0, NEGLIGIBLE * importance.max())
    found = []
    for i, name in enumerate(names):
        relevant = r_worst[i] <= m and relevance[i] > relevance.mean()
        needed = p_worst[i] <= m and importance[i] > max(0.0, importance.mean())
        if relevant and (importance[i] <= 0 or p_best[i] > n - h):
            found.append((i, name, "relevant"))
        elif relevant and importance[i] <= negligible:
            found.append((i, name, "negligible"))
        elif needed and r_best[i] > n - h:
            found.append((i, name, "needed"))
    found.sort(key=lambda item: r_best[item[0]])  # as the ranked table
    ranks = (r_best, p_best)
    return [
        warning(
            "disagreement",
            name,
            _disagreement_message(kind, name, i, relevance, importance, ranks),
        )
        for i, name, kind in found
    ]


def descending_order(values):
    """Indices of `values`, largest first; ties keep their column order."""
    return np.argsort(-np.asarray(values), kind="stable")


def best_and_worst_ranks(values):
    """Rank 1 = largest; ties get their best and their worst place."""
    return (
        stats.rankdata(-values, method="min").astype(int),
        stats.rankdata(-values, method="max").astype(int),
    )


def _disagreement_message(kind, name, i, relevance, importance, ranks):
    """The message of a flag of `kind` on column `i` (see :func:`disagreements`)."""
    r_rank, p_rank = ranks[0][i], ranks[1][i]
    n, largest = len(relevance), importance.max()
    relevance, importance = relevance[i], importance[i]
    if kind != "needed":
        versus = f"{p_rank} of {n} by permutation importance ({importance:+.2g})"
        if kind == "negligible":
            versus = (
                f"its permutation importance ({importance:+.2g}) is "
                f"{importance / largest:.0%} of the largest ({largest:+.2g})"
            )
        return (
            f"'{name}' ranks {r_rank} of {n} by relevance (mean |R| "
            f"{relevance:.3g}) but {versus}: the held-out score barely depends on it. "
            "Relevance measures how much of the explained score a column "
            "accounts for, not the performance lost without it; memorized "
            "identifiers or rare values, heavy tails and correlated columns "
            "set the two apart, so check this column before trusting its rank."
        )
    return (
        f"'{name}' ranks {p_rank} of {n} by permutation importance "
        f"({importance:+.2g}) but {r_rank} of {n} by relevance (mean |R| "
        f"{relevance:.3g}): the held-out score depends on it more than its "
        "relevance shows. A column can move the explained score little yet "
        "decide close calls, or share its relevance with correlated columns: "
        "do not drop it on relevance alone."
    )


def baseline_warning(fold_scores, baseline_scores, classifier):
    """A warning when the model does no better than a trivial one, or None."""
    model, baseline = float(np.mean(fold_scores)), float(np.mean(baseline_scores))
    if not (np.isfinite(model) and np.isfinite(baseline)) or model > baseline:
        return None
    trivial = (
        "predicts the training class frequencies"
        if classifier
        else "predicts the training mean"
    )
    return warning(
        "baseline",
        None,
        f"The model's mean held-out score ({model:.4g}) is no better than "
        f"that of a trivial model that always {trivial} ({baseline:.4g}). "
        "Its relevance then describes nothing that generalizes: check the "
        "target, the features and the training (max_iter) before reading the "
        "ranking.",
    )


# Share of negative scores from which a Deep Taylor report says what its
# relevance cannot show.
NEGATIVE_SHARE = 0.1


def sign_warning(scores, settings, classifier, multiclass=False):
    """A warning when Deep Taylor explains many negative scores of a
    regressor or of a multiclass classifier as they are (no baseline), or
    None. `settings`: the explainer's rules, bounds and baseline in effect.

    A binary classifier's negative score is that of a class the row leans
    away from, and is not flagged; a multiclass (softmax) network's logits
    are read only through their differences, so their sign means nothing.
    """
    rules = settings["rules"]
    deep_taylor = isinstance(rules, str) and rules == "deep-taylor"
    if (classifier and not multiclass) or not deep_taylor:
        return None
    if settings["baseline"] is not None:  # a difference: signed anyway
        return None
    share = float(np.mean(np.asarray(scores) < 0)) if len(scores) else 0.0
    if share < NEGATIVE_SHARE:
        return None
    if classifier:
        what = (
            "(the logit of the class explained). The softmax reads only the "
            "differences between a row's logits, so a negative logit does not "
            "mean an unlikely class, and adding a constant to every logit "
            "would change the relevance but no prediction."
        )
    else:
        what = (
            "(the network's output: the prediction, or its log under a Poisson loss)."
        )
    return warning(
        "sign",
        None,
        f"{share:.0%} of the held-out rows have a negative explained score "
        f"{what} Deep Taylor splits a negative score among the columns that "
        "push it up (each gets a negative share), and the columns that push "
        "it down, which make it negative, get nothing for that: read those "
        "rows with care. For relevance signed within a row, measured against "
        'the average prediction, use rules="rescale" (the default for a '
        "regressor) or a baseline.",
    )


def agreement_warning(agreement):
    """A warning when relevance and permutation importance rank the columns
    very differently (Spearman below `LOW_AGREEMENT`), or None."""
    if agreement is None or not np.isfinite(agreement) or agreement >= LOW_AGREEMENT:
        return None
    return warning(
        "agreement",
        None,
        f"Relevance and permutation importance rank the columns very "
        f"differently (Spearman {agreement:.2f}, below {LOW_AGREEMENT}). They "
        "answer different questions (what the model's scores are made of; "
        "what its held-out score needs), yet a gap this wide often means a "
        "model that fits noise, correlated columns that share an effect, or "
        "rules that do not fit the task: read both rankings, and the columns "
        "flagged below, with care.",
    )


# Below this Spearman correlation with permutation importance, the report
# warns at its top.
LOW_AGREEMENT = 0.3


def convergence_warning(fold_warnings):
    """A warning when the network stopped before converging, or None."""
    stopped = sum(
        any(issubclass(category, ConvergenceWarning) for category, _ in caught)
        for caught in fold_warnings
    )
    if not stopped:
        return None
    return warning(
        "convergence",
        None,
        f"The network stopped at max_iter before converging in {stopped} of "
        f"{len(fold_warnings)} folds, so this report describes an unfinished "
        "model. Raise max_iter (or scale the inputs) until this warning goes "
        "away.",
    )


def cardinality_warnings(X, names):
    """Identifier-like columns of `X`, which a network can memorize.

    A non-numeric column (object, string or category dtype; an object array
    column holding strings) is flagged with more distinct values than
    ``CARDINALITY_SHARE`` of its filled rows or than ``CARDINALITY_COUNT``;
    a numeric column of whole numbers, when every value differs. Columns
    with fewer than ``CARDINALITY_MIN_ROWS`` filled rows are not checked.
    """
    checked = _checked_columns(X, names)
    if checked is None:
        return []
    X, names = checked
    found = []
    for j, name in enumerate(names):
        values, categorical = _column(X, j)
        message = (
            _categorical_message(name, values)
            if categorical
            else _identifier_message(name, values)
        )
        if message is not None:
            found.append(warning("cardinality", name, message))
    return found


def _checked_columns(X, names, min_rows=0):
    """``(X, names)`` ready for the per-column checks (an array or a
    DataFrame, and a name for each of its columns: X's own when relevance
    is on other columns), or None when X is not a dense 2-d table of at
    least `min_rows` rows."""
    shape = _shape(X)
    if sparse.issparse(X) or len(shape) != 2 or shape[0] < min_rows:
        return None
    if len(names) != shape[1]:  # relevance on other columns: name X's own
        names = list(getattr(X, "columns", [f"x{j}" for j in range(shape[1])]))
    if not hasattr(X, "iloc") and not hasattr(X, "columns"):
        X = np.asarray(X, dtype=object) if isinstance(X, list) else np.asarray(X)
    return X, names


def constant_warnings(X, names):
    """Columns of `X` that hold one value in every row where they are filled.

    Such a column cannot tell rows apart: the network cannot use it, and its
    relevance (0 under the default root point) says nothing about it.
    Columns with no filled value, or of dates, are not checked.
    """
    checked = _checked_columns(X, names, min_rows=2)
    if checked is None:
        return []
    X, names = checked
    found = []
    for j, name in enumerate(names):
        values, _ = _column(X, j)
        if values is None or len(values) == 0:
            continue
        try:
            distinct = set(values.tolist())
        except TypeError:  # unhashable cells: not a column of values
            continue
        if len(distinct) != 1:
            continue
        value = distinct.pop()
        shown = f"{value:.6g}" if isinstance(value, float) else repr(value)
        where = "every row" if len(values) == _shape(X)[0] else "every filled row"
        found.append(
            warning(
                "constant",
                name,
                f"'{name}' holds the same value ({shown}) in {where}: it cannot "
                "tell rows apart, so the network cannot use it and its relevance "
                "(0 under the default root point) says nothing about it; leave "
                "it out.",
            )
        )
    return found


def _shape(X):
    return tuple(X.shape) if hasattr(X, "shape") else np.shape(X)


def _column(X, j):
    """``(filled values, is categorical)`` of column `j`."""
    column = _safe_indexing(X, j, axis=1)
    values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
    dtype = getattr(column, "dtype", values.dtype)
    kind = getattr(dtype, "kind", values.dtype.kind)
    if kind in "biufcmM":  # numbers (only whole numbers are checked), dates
        return (values[~_missing(values)] if kind in "iuf" else None), False
    values = values[~_missing(values)]
    if isinstance(dtype, np.dtype) and all(
        isinstance(v, Real) and not isinstance(v, bool) for v in values
    ):  # numbers in an object column (a table read from text)
        return values.astype(float), False
    return values, True


def _missing(values):
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind in "iub":
        return np.zeros(len(values), dtype=bool)

    def missing(value):
        if value is None:
            return True
        try:
            return bool(value != value)  # NaN
        except TypeError:  # pandas.NA
            return True

    return np.array([missing(v) for v in values], dtype=bool).reshape(len(values))


def _categorical_message(name, values):
    n = len(values)
    if n < CARDINALITY_MIN_ROWS:
        return None
    distinct = len(set(values.tolist()))
    if distinct <= CARDINALITY_SHARE * n and distinct <= CARDINALITY_COUNT:
        return None
    return (
        f"'{name}' is a categorical column with {distinct} distinct values in "
        f"{n} rows. One-hot encoded, it lets the network memorize single rows "
        "(like an identifier), which can inflate its relevance without "
        "helping new data: drop it, or group its rare values."
    )


def _identifier_message(name, values):
    if values is None or len(values) < CARDINALITY_MIN_ROWS:
        return None
    values = values.astype(float)
    # (beyond 2**53 every float is a whole number, which then says nothing)
    whole = np.all(np.abs(values) < 2.0**53) and np.all(values == np.round(values))
    if not whole or len(np.unique(values)) != len(values):
        return None
    return (
        f"'{name}' holds {len(values)} distinct whole numbers in {len(values)} "
        "rows, like an identifier. The network can memorize rows by it (and "
        "would, one-hot encoded), so its relevance says little about new "
        "data: drop it if it is an ID."
    )


# What the views (plots, HTML page) show beside relevance: feature values,
# which columns are categorical, the model in words and its outputs.

# Transformers that make a categorical column's inputs to the network.
_ENCODERS = (OneHotEncoder, OrdinalEncoder, TargetEncoder)
# Wrappers that only convert types: left out of a model's description.
_WRAPPERS = (FunctionTransformer,)


def _steps(transformer):
    """A transformer's steps: a Pipeline's, or itself alone."""
    steps = getattr(transformer, "steps", None)
    return [step for _, step in steps] if steps else [transformer]


def _encodes(transformer):
    """Whether `transformer` (or a step of it) encodes categories."""
    return any(isinstance(step, _ENCODERS) for step in _steps(transformer))


def categorical_columns(estimator, n_features):
    """Indices of the columns of ``X`` that the fitted `estimator` encodes as
    categories (a OneHotEncoder, OrdinalEncoder or TargetEncoder reads them,
    alone or inside a ColumnTransformer at the start of a Pipeline).

    Only the first step of a Pipeline reads the columns of ``X``; an
    unfitted ColumnTransformer or any other layout finds none.
    """
    first = _steps(unwrap(estimator))[0]
    if isinstance(first, _ENCODERS):
        return list(range(n_features))
    if not hasattr(first, "transformers_"):  # not a fitted ColumnTransformer
        return []
    found = set()
    for name, part, _ in first.transformers_:
        if isinstance(part, str) or not _encodes(part):
            continue
        with contextlib.suppress(KeyError, AttributeError):
            found.update(int(j) for j in _input_indices(first, name))
    return sorted(j for j in found if j < n_features)


def feature_values(X, n_features, categorical=()):
    """Feature values for the plots: ``(values, categories)``.

    Parameters
    ----------
    X : array-like, sparse matrix or DataFrame
        The data whose columns relevance is reported on.
    n_features : int
        Number of columns relevance is reported on.
    categorical : iterable of int, default=()
        Columns to treat as categories even if they hold numbers.

    Returns
    -------
    values : ndarray of shape (n_samples, n_features)
        Numeric columns as floats; a categorical column (listed in
        `categorical`, or holding values other than numbers) as the index of
        each value in ``categories[j]``; NaN where missing. All NaN when `X`
        does not have `n_features` columns.
    categories : list of length n_features
        For each categorical column, its levels as strings (sorted); None for
        numeric columns.
    """
    if hasattr(X, "toarray"):
        X = X.toarray()
    if hasattr(X, "to_numpy"):
        columns = X.to_numpy()
    else:  # (a list of mixed rows would become strings without dtype=object)
        columns = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
    categories = [None] * n_features
    if columns.ndim != 2 or columns.shape[1] != n_features:
        return np.full((len(columns), n_features), np.nan), categories
    categorical = set(categorical)
    if columns.dtype.kind in "biuf" and not categorical:  # numbers only
        return columns.astype(float), categories
    values = np.full(columns.shape, np.nan)
    for j in range(n_features):
        if j not in categorical:
            with contextlib.suppress(TypeError, ValueError):
                values[:, j] = np.asarray(columns[:, j], dtype=float)
                continue  # numbers (None and NaN missing): kept as floats
        column = np.asarray(columns[:, j], dtype=object)
        missing = _missing(column)
        levels = _levels(column[~missing])
        position = {level: k for k, level in enumerate(levels)}
        values[:, j] = [
            np.nan if gone else position[_level_name(v)]
            for v, gone in zip(column, missing)
        ]
        categories[j] = levels
    return values, categories


def _levels(values):
    """The distinct values as strings: numerically sorted when they are
    numbers, alphabetically otherwise."""
    distinct = list(dict.fromkeys(values.tolist()))
    try:
        distinct = sorted(distinct, key=float)
    except (TypeError, ValueError):
        distinct = sorted(distinct, key=str)
    return list(dict.fromkeys(_level_name(v) for v in distinct))


def _level_name(value):
    if isinstance(value, float) and value == int(value):
        return str(int(value))  # 1.0 -> "1": a category read as a float
    return str(value)


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


def row_labels(X):
    """The index labels of a DataFrame `X` (None for other data)."""
    index = getattr(X, "index", None)
    if index is None or not hasattr(X, "iloc"):
        return None
    return np.asarray(index, dtype=object)


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


def scoring_name(scoring, classifier):
    """The scoring in words: None is the estimator's default ``score``
    (accuracy for classifiers, R² for regressors)."""
    if scoring is None:
        return "accuracy" if classifier else "R\u00b2"
    if isinstance(scoring, str):
        return scoring
    name = getattr(scoring, "__name__", None)
    return name or without_addresses(repr(scoring))


def target_meaning(target, classifier):
    """What the report's ``target`` means, in words."""
    if isinstance(target, str) and target == "true":
        if classifier:
            return "each row is explained for its true class"
        return "each row is explained for the model's output (its prediction)"
    if isinstance(target, str) and target == "predicted":
        if classifier:
            return "each row is explained for the class the model predicts for it"
        return "each row is explained for the model's output (its prediction)"
    if classifier:
        return f"every row is explained for the class {target!r}"
    return f"every row is explained for output {target!r}"


def without_addresses(text):
    """`text` without memory addresses (`` at 0x7f...``) and line breaks."""
    text = re.sub(r"\s+at\s+0x[0-9a-fA-F]+", "", str(text))
    text = re.sub(r"0x[0-9a-fA-F]+", "…", text)
    return " ".join(text.split())


def describe_model(estimator):
    """The model in words, without internal wrappers or memory addresses.

    Parameters
    ----------
    estimator : estimator
        A model, a Pipeline or a FrozenEstimator of one, fitted or not (a
        fitted ColumnTransformer counts the columns of callable selectors).

    Returns
    -------
    text : str
        For instance ``Pipeline: ColumnTransformer(StandardScaler on 12
        numeric, OneHotEncoder on 3 categorical) → MLPClassifier(
        hidden_layer_sizes=(64, 32))``: the transformers by name (type
        converters such as FunctionTransformer left out), the final model by
        its parameters that differ from the defaults.
    """
    estimator = unwrap(estimator)
    steps = getattr(estimator, "steps", None)
    if not steps:
        return _describe_final(estimator)
    parts = [_describe_step(step) for _, step in steps[:-1]]
    parts = [part for part in parts if part]
    return "Pipeline: " + " \u2192 ".join([*parts, _describe_final(steps[-1][1])])


def _describe_final(estimator):
    estimator = unwrap(estimator)
    if estimator is None or isinstance(estimator, str):
        return str(estimator)
    return without_addresses(repr(estimator))


def _describe_step(step):
    """A transformer by name; a ColumnTransformer by its parts."""
    if step is None or isinstance(step, str):
        return "" if step in (None, "passthrough") else str(step)
    if hasattr(step, "transformers"):
        parts = [
            _describe_part(step, name, part, columns)
            for name, part, columns in _column_parts(step)
        ]
        return f"{type(step).__name__}({', '.join(p for p in parts if p)})"
    if not hasattr(step, "steps"):
        return "" if isinstance(step, _WRAPPERS) else type(step).__name__
    names = [_describe_step(inner) for _, inner in step.steps]
    return " + ".join(name for name in names if name)


def _column_parts(transformer):
    """``(name, part, columns)`` of a ColumnTransformer, fitted or not (a
    fitted one lists its remainder too)."""
    if hasattr(transformer, "transformers_"):
        return transformer.transformers_
    return transformer.transformers


def _describe_part(transformer, name, part, columns):
    if isinstance(part, str) and part == "drop":
        return ""
    count = _column_count(transformer, name, columns)
    if count == 0:
        return ""
    kind = "categorical" if _encodes(part) else "numeric"
    what = "passthrough" if isinstance(part, str) else _describe_step(part)
    what = what or "passthrough"
    return f"{what} on {count} {kind}" if count is not None else f"{what} ({kind})"


def _column_count(transformer, name, columns):
    """How many columns a part reads (None when not known before fitting)."""
    if hasattr(transformer, "transformers_"):
        with contextlib.suppress(KeyError, AttributeError):
            return len(_input_indices(transformer, name))
    if isinstance(columns, (str, Integral)):
        return 1
    if isinstance(columns, slice) or callable(columns):
        return None
    with contextlib.suppress(TypeError):
        columns = np.asarray(columns)
        return int(columns.sum()) if columns.dtype == bool else len(columns)
    return None
