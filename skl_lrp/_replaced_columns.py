"""The user's X as columns, for the faithfulness metrics.

A metric replaces some columns of each row by a baseline and scores the
result with the whole model (its pipeline too). The replaced table must be
what the model takes: a DataFrame keeps its column names and dtypes (so a
pipeline that selects columns by name, or one-hot encodes a categorical,
still works), and a categorical column takes a category as its baseline.
"""

from collections import Counter

import numpy as np

from ._inputs import NUMERIC_KINDS as _NUMERIC


class Table:
    """X (a DataFrame, or a 2-D array of numbers or objects) by columns.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_columns)
        The samples, as the model takes them.
    """

    def __init__(self, X):
        self.frame = hasattr(X, "iloc") and hasattr(X, "dtypes")
        if self.frame:
            self.names = list(X.columns)
            self.dtypes = list(X.dtypes)
            self.columns = [X.iloc[:, j].to_numpy() for j in range(X.shape[1])]
            self._constructor = type(X)
        else:
            array = np.asarray(X)
            if array.ndim != 2:
                raise ValueError(
                    f"X must be 2-D (samples x columns); got shape {array.shape}."
                )
            if array.dtype.kind in _NUMERIC:
                array = array.astype(np.float64)
            self.array = array
            self.columns = list(array.T)
        self.shape = (len(self.columns[0]) if self.columns else 0, len(self.columns))

    def numeric(self, j):
        """Whether column `j` holds numbers (else: categories, text)."""
        kind = getattr(self.dtypes[j] if self.frame else self.array.dtype, "kind", "O")
        return kind in _NUMERIC

    def baseline(self, how):
        """One value per column: for "mean", "median" or "zero", that of a
        numeric column (missing values left out) and the most frequent value
        of any other column (its mode, which "zero" cannot give it)."""
        values = []
        for j, column in enumerate(self.columns):
            if not self.numeric(j):
                values.append(_mode(column, self.name(j)))
            elif how == "zero":
                values.append(0.0)
            else:
                column = np.asarray(column, dtype=np.float64)
                if np.all(np.isnan(column)):
                    raise ValueError(
                        f"X's column {self.name(j)!r} has no values to take "
                        f"the {how} of; give the baseline as values."
                    )
                average = np.nanmean if how == "mean" else np.nanmedian
                values.append(float(average(column)))
        return values

    def name(self, j):
        """Column `j` as the user calls it."""
        return self.names[j] if self.frame else j

    def replaced(self, rows, masks, baseline):
        """Rows `rows` of X, each repeated once per mask, with the columns a
        mask holds replaced by `baseline` (row-major: the masks of a row are
        next to each other). `masks` has shape (len(rows), n_masks,
        n_columns); the result is in X's own form (a DataFrame stays one)."""
        n_masks = masks.shape[1]
        if not self.frame and self.array.dtype == np.float64:  # one operation
            base = np.asarray(baseline, dtype=np.float64)
            out = np.where(masks, base, self.array[rows, np.newaxis, :])
            return out.reshape(-1, self.shape[1])
        columns = []
        for j, column in enumerate(self.columns):
            kept = np.repeat(column[rows], n_masks)
            mask = masks[:, :, j].ravel()
            if not self.numeric(j):  # (a category may be new to the array)
                kept = kept.astype(object)
            kept[mask] = baseline[j]
            columns.append(kept)
        if not self.frame:
            return np.column_stack(columns).astype(self.array.dtype)
        frame = self._constructor(dict(enumerate(columns)))
        frame.columns = self.names
        return frame.astype(dict(zip(self.names, self.dtypes)))


def _filled(value):
    """Whether `value` is not missing (None, NaN, pandas.NA)."""
    try:
        return value is not None and bool(value == value)
    except TypeError:  # pandas.NA
        return False


def _mode(column, name):
    """The most frequent filled value of `column` (the first seen of ties)."""
    counts = Counter(value for value in column.tolist() if _filled(value))
    if not counts:
        raise ValueError(
            f"X's column {name!r} has no values to take the mode of; give "
            "the baseline as values."
        )
    return counts.most_common(1)[0][0]
