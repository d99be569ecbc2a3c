"""The columns of X read as the views show them, and as the checks read them.

Feature values as floats (a categorical column as the index of its level),
which cells are missing, and the index labels of a DataFrame's rows.
"""

import contextlib
from numbers import Real

import numpy as np
from sklearn.utils import _safe_indexing


def shape_of(X):
    """The shape of `X` (an array, a sparse matrix, a DataFrame or a list)."""
    return tuple(X.shape) if hasattr(X, "shape") else np.shape(X)


def column_values(X, j):
    """``(filled values, is categorical)`` of column `j`."""
    column = _safe_indexing(X, j, axis=1)
    values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
    dtype = getattr(column, "dtype", values.dtype)
    kind = getattr(dtype, "kind", values.dtype.kind)
    if kind in "biufcmM":  # numbers (only whole numbers are checked), dates
        return (values[~missing_cells(values)] if kind in "iuf" else None), False
    values = values[~missing_cells(values)]
    if isinstance(dtype, np.dtype) and all(
        isinstance(v, Real) and not isinstance(v, bool) for v in values
    ):  # numbers in an object column (a table read from text)
        return values.astype(float), False
    return values, True


def missing_cells(values):
    """Which cells of a 1-d array are missing: NaN, None or pandas.NA."""
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind in "iub":
        return np.zeros(len(values), dtype=bool)

    def is_missing(value):
        if value is None:
            return True
        try:
            return bool(value != value)  # NaN
        except TypeError:  # pandas.NA
            return True

    return np.array([is_missing(v) for v in values], dtype=bool).reshape(len(values))


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
        missing = missing_cells(column)
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


def row_labels(X):
    """The index labels of a DataFrame `X` (None for other data)."""
    index = getattr(X, "index", None)
    if index is None or not hasattr(X, "iloc"):
        return None
    return np.asarray(index, dtype=object)
