"""Which column of the user's X is not numeric, said by name.

numpy's own errors for a string or datetime column ("could not convert string
to float", ``DTypePromotionError``) name neither the column nor a remedy.
"""

import numpy as np

# dtype kinds that are numbers (bool, signed, unsigned, float)
NUMERIC_KINDS = "biuf"


def _columns(X):
    """(name, dtype, values) of each column of a DataFrame or 2-D array."""
    if hasattr(X, "dtypes") and hasattr(X, "columns"):
        for name, dtype in zip(X.columns, X.dtypes):
            yield name, dtype, X[name]
        return
    array = np.asarray(X)
    if array.ndim == 2:
        for index in range(array.shape[1]):
            yield index, array.dtype, array[:, index]


def _as_numbers(values):
    """Whether `values` are numbers, or text or objects that convert to
    float (not dates, which numpy would turn into nanoseconds)."""
    if getattr(values.dtype, "kind", "O") in "Mm":
        return False
    try:
        np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        return False
    return True


def numeric_columns(X):
    """Names of the DataFrame columns of X with a numeric dtype (None for an
    array: its columns share one dtype, which the pipeline was fitted on)."""
    if not hasattr(X, "dtypes"):
        return None
    return {
        name
        for name, dtype in zip(X.columns, X.dtypes)
        if getattr(dtype, "kind", "O") in NUMERIC_KINDS
    }


def check_still_numeric(X, numeric):
    """Raise a ValueError naming the first column that was numeric when the
    explainer was fitted (`numeric`, from :func:`numeric_columns`) and now
    holds values that are not numbers (strings, dates)."""
    if numeric is None or not hasattr(X, "dtypes"):
        return
    for name, dtype, values in _columns(X):
        kind = getattr(dtype, "kind", "O")
        if name in numeric and kind not in NUMERIC_KINDS and not _as_numbers(values):
            raise ValueError(
                f"X's column {name!r} held numbers when the explainer was "
                f"fitted and now holds {dtype} values, which the pipeline "
                "cannot transform; pass the column as it was at fit."
            )


def _first_non_number(values):
    """The first of `values` that is not a number, shown as it is."""
    for value in np.asarray(values, dtype=object).ravel():
        try:
            float(value)
        except (ValueError, TypeError):
            return value
    return None


def check_numeric(X, error):
    """Raise a ValueError, from `error`, naming the first column of X that
    is not numeric, for a model that takes X's numbers as they are; return
    if every column is numeric, or complex (the error says so already)."""
    for name, dtype, values in _columns(X):
        kind = getattr(dtype, "kind", "O")
        if kind in NUMERIC_KINDS + "c" or _as_numbers(values):
            continue
        if kind in "Mm":
            what = f"dates ({dtype})"
        else:
            what = f"values that are not numbers, such as {_first_non_number(values)!r}"
        raise ValueError(
            f"X's column {name!r} holds {what}, but the model takes numbers "
            "as they are. Encode the column in a Pipeline ending in the model "
            "(OneHotEncoder for categories; dates as numbers, e.g. days since "
            "a reference day), or drop it."
        ) from error


def check_finite(X, names=None):
    """Raise a ValueError naming the first missing or infinite value of the
    validated numeric `X` (an array or sparse matrix), by row and column
    (`names`, the user's column names, when given)."""
    values = X.data if hasattr(X, "tocoo") else X
    with np.errstate(invalid="ignore", over="ignore"):
        if np.isfinite(values.sum()):  # (as scikit-learn: one pass, no copy)
            return
    # The sum is not finite: a value is, or large finite ones overflowed it.
    if hasattr(X, "tocoo"):  # sparse: only the stored values can be missing
        X = X.tocoo()
        bad = np.flatnonzero(~np.isfinite(X.data))
        if not bad.size:
            return
        row, column, value = X.row[bad[0]], X.col[bad[0]], X.data[bad[0]]
    else:
        bad = np.argwhere(~np.isfinite(X))
        if not bad.size:
            return
        row, column = bad[0]
        value = X[row, column]
    name = int(column) if names is None else names[column]
    what = "a missing (NaN)" if np.isnan(value) else "an infinite"
    raise ValueError(
        f"X's row {int(row)} has {what} value in column {name!r}, which the "
        "model cannot take. Impute it inside a Pipeline ending in the model "
        "(e.g. SimpleImputer), or drop the row."
    )
