"""The guardrails: what a report warns about, beside its relevance.

Relevance tells how much of the explained score each column accounts for;
that is not always what the model's held-out performance depends on. These
checks read the folds' independent views (permutation importance, a trivial
baseline; see :mod:`skl_lrp._scoring`) and the data, and flag the usual
suspects: a model no better than a trivial one, unfinished training,
identifier-like and constant columns, and columns the two views rank very
differently. The report reads them through one function,
:func:`check_folds`.
"""

import math

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import type_of_target

from ._ranking import best_and_worst_ranks
from ._values import column_values, shape_of

# A non-numeric column is flagged with more distinct values than this share
# of its rows, or than this count.
CARDINALITY_SHARE = 0.5
CARDINALITY_COUNT = 100
# Columns with fewer filled rows are not checked: every small sample looks
# like an identifier.
CARDINALITY_MIN_ROWS = 10
# A permutation importance at most this part of the largest column's counts
# as negligible: the held-out score barely depends on the column.
NEGLIGIBLE = 0.05
# Share of negative scores from which a Deep Taylor report says what its
# relevance cannot show.
NEGATIVE_SHARE = 0.1
# Below this Spearman correlation with permutation importance, the report
# warns at its top.
LOW_AGREEMENT = 0.3


def check_folds(folds, plan, names, relevance_mean, permutation):
    """Every warning of a report, most general first.

    Parameters
    ----------
    folds : list of FoldResult
        What each fold sent back (its scores, the trivial model's score,
        its recorded warnings, notes of skipped checks).
    plan : FoldPlan
        The data (``X``, ``y``) and whether the model is a classifier.
    names : array-like of str
        The columns relevance is reported on.
    relevance_mean : ndarray of shape (n_features,)
        Mean absolute relevance of each column across folds.
    permutation : PermutationImportance or None
        The report's permutation importance (None when skipped).

    Returns
    -------
    warnings : list of dict
        Entries of ``RelevanceReport.guardrails.warnings``.
    """
    classifier = plan.classifier
    found = [
        baseline_warning(
            [fold.score for fold in folds],
            np.array([fold.baseline for fold in folds]),
            classifier,
        ),
        convergence_warning([fold.warnings for fold in folds]),
        sign_warning(
            np.concatenate([fold.scores for fold in folds]),
            folds[0].settings,
            classifier,
            multiclass=classifier and type_of_target(plan.y) == "multiclass",
        ),
        *cardinality_warnings(plan.X, names),
        *constant_warnings(plan.X, names),
    ]
    if permutation is not None:
        found.insert(1, agreement_warning(permutation.agreement))
        found += disagreements(names, relevance_mean, permutation.mean)
    notes = dict.fromkeys(note for fold in folds for note in fold.notes)
    found += [warning("skipped", None, note) for note in notes]
    return [w for w in found if w is not None]


def warning(kind, column, message):
    """One entry of ``RelevanceReport.warnings``."""
    column = None if column is None else str(column)
    return {"kind": kind, "column": column, "message": message}


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
        values, categorical = column_values(X, j)
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
    shape = shape_of(X)
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
        values, _ = column_values(X, j)
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
        where = "every row" if len(values) == shape_of(X)[0] else "every filled row"
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
