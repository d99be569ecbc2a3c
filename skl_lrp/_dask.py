"""Dask collections in, dask collections out: the one module that knows dask.

A dask array or DataFrame is explained partition by partition on the
workers, and the result is a lazy collection of the same kind. Fitting on one
learns the root point from small per-partition sums (min, max, sum, count),
so X is never collected. dask is imported only when such a collection is
passed.

The explainer reads its input only through the first functions below, which
take data in memory as well: :func:`checked` (what is checked now),
:func:`reduced` (a reduction over the rows), :func:`rows_at` (some rows,
in memory), :func:`refuse_training` and :func:`lazily` (a method mapped
lazily over the partitions).
"""

from functools import wraps

import numpy as np
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.validation import _num_samples


def checked(X, check):
    """X checked by ``check(X, ensure_min_samples=1)``, which returns it
    checked: data in memory in full; a dask collection only by its columns
    and dtypes (an empty sample of them), its values being checked partition
    by partition as they are explained (the collection is returned as it
    is)."""
    if isinstance(X, _Columns):  # (see `lazily`)
        return check(X.empty, ensure_min_samples=0)
    if is_dask_collection(X):
        check(meta(X), ensure_min_samples=0)
        return X
    return check(X, ensure_min_samples=1)


def reduced(function, X, *args):
    """The list of ``function(part, *args)`` over X's parts: its partitions,
    on the workers, for a dask collection (the results come back, so they
    should be small: sums per column); X itself otherwise."""
    if is_dask_collection(X):
        return reduce_partitions(function, X, *args)
    return [function(X, *args)]


def rows_at(X, draw, check):
    """The rows of X at the sorted positions ``draw(n_rows)``, in memory.

    Of a dask collection, only these rows are computed, and checked by
    `check` (as :func:`checked` takes it): only the collection's columns
    were. Data in memory is taken as checked already.
    """
    if is_dask_collection(X):
        return check(take_rows(X, draw), ensure_min_samples=1)
    return _safe_indexing(X, draw(_num_samples(X)))


def refuse_training(X):
    """Raise a ValueError if X is a dask collection: the explainer does not
    train a model on one."""
    if is_dask_collection(X):
        raise ValueError(
            "fit on a dask collection learns the root point of a trained "
            "model: train it first (e.g. on a sample, or with dask-ml), then "
            "pass RelevanceExplainer(FrozenEstimator(model))."
        )


def lazily(method):
    """Decorator: the explainer's `method` (X first) of a dask collection,
    as a lazy result of its kind, each partition explained by `method`.

    The method runs now on the collection's empty sample (its columns and
    dtypes; :func:`checked` lets it through), which makes every check it
    does before explaining and shows the shape and dtype of its result: an
    array (the lazy result is an array or a DataFrame, as X is) or a Bunch
    of arrays (a Bunch of dask arrays).
    """

    @wraps(method)
    def method_of_any(explainer, X, *args, **kwargs):
        if not is_dask_collection(X):
            return method(explainer, X, *args, **kwargs)
        empty = method(explainer, _Columns(meta(X)), *args, **kwargs)
        call = (method.__name__, args, kwargs)
        if isinstance(empty, Bunch):
            return _lazy_bunch(explainer, X, call, empty)
        return _lazy_table(explainer, X, call, empty)

    return method_of_any


class _Columns:
    """A dask collection's empty sample, which :func:`checked` checks
    without asking for rows."""

    def __init__(self, empty):
        self.empty = empty


def is_dask_collection(X):
    """Whether X is a dask array or DataFrame (without importing dask)."""
    return hasattr(X, "__dask_graph__") and type(X).__module__.startswith("dask")


def _is_frame(X):
    return hasattr(X, "npartitions") and hasattr(X, "columns")


def _rows_whole(X):
    """A dask array with all its columns in one chunk (blocks of rows)."""
    return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X


def partitions(X):
    """X's partitions (blocks of whole rows) as dask delayed objects."""
    if _is_frame(X):
        return list(X.to_delayed())
    return list(_rows_whole(X).to_delayed().ravel())


def meta(X):
    """An empty sample of X's type, columns and dtypes, for validation."""
    if _is_frame(X):
        return X._meta
    return np.empty((0, X.shape[1]), dtype=X.dtype)


def shared(value):
    """`value` (the fitted explainer, say) as one node of a graph that its
    tasks read: a worker receives it once, not once per task."""
    import dask

    return dask.delayed(value, pure=True, traverse=False)


def reduce_partitions(function, X, *args):
    """``function(partition, *args)`` on each partition, on the workers;
    the list of results (small ones: sums per column) comes back."""
    import dask

    args = [shared(arg) for arg in args]
    return dask.compute(
        *[dask.delayed(function)(part, *args) for part in partitions(X)]
    )


def _call(part, explainer, call):
    """The explainer's method `call` (name, args, kwargs) of one partition."""
    name, args, kwargs = call
    return getattr(explainer, name)(part, *args, **kwargs)


def _frame(part, explainer, call, names):
    import pandas as pd

    return pd.DataFrame(_call(part, explainer, call), index=part.index, columns=names)


def _lazy_table(explainer, X, call, empty):
    """The method `call` of X, an array per partition, as a lazy array (for
    a dask array) or DataFrame (for a dask DataFrame, its columns named by
    ``get_feature_names_out``)."""
    dtype = np.asarray(empty).dtype
    if _is_frame(X):
        import pandas as pd

        names = list(explainer.get_feature_names_out())
        meta = pd.DataFrame({name: np.empty(0, dtype) for name in names})
        return X.map_partitions(_frame, shared(explainer), call, names, meta=meta)
    X = _rows_whole(X)
    return X.map_blocks(
        _call,
        shared(explainer),
        call,
        chunks=(X.chunks[0], np.shape(empty)[1:]),
        dtype=dtype,
        meta=np.empty((0,) * np.ndim(empty), dtype=dtype),
    )


def _lazy_bunch(explainer, X, call, empty):
    """The method `call` of X, a Bunch of arrays per partition, as a Bunch
    of dask arrays (rows in X's partitions; each partition explained once
    when they are computed together, e.g. with
    ``dask.compute(*bunch.values())``); other fields as `empty` has them."""
    import dask
    import dask.array as da

    node = shared(explainer)
    explained = [dask.delayed(_call)(part, node, call) for part in partitions(X)]
    lengths = X.chunks[0] if not _is_frame(X) else [np.nan] * X.npartitions
    result = Bunch()
    for key, value in empty.items():
        if key == "layers":
            result[key] = [
                _stacked(da, explained, lengths, (key, index), part)
                for index, part in enumerate(value)
            ]
        elif isinstance(value, np.ndarray) and len(value) == 0:
            result[key] = _stacked(da, explained, lengths, key, value)
        else:  # (not by rows: the feature names)
            result[key] = value
    return result


def _stacked(da, explained, lengths, key, sample):
    """The field `key` of each partition's explanation, stacked by rows."""
    name, index = key if isinstance(key, tuple) else (key, None)

    def field(explanation):
        value = explanation[name]
        return value if index is None else value[index]

    import dask

    return da.concatenate(
        [
            da.from_delayed(
                dask.delayed(field)(part),
                shape=(n, *sample.shape[1:]),
                dtype=sample.dtype,
                meta=sample[:0],
            )
            for part, n in zip(explained, lengths)
        ],
        axis=0,
        allow_unknown_chunksizes=True,
    )


def take_rows(X, draw):
    """Rows of a dask collection, computed: ``draw(n_rows)`` gives their
    sorted positions; each partition that holds any sends only those."""
    import dask

    parts = partitions(X)
    if _is_frame(X) or any(np.isnan(X.chunks[0])):
        lengths = dask.compute(*[dask.delayed(len)(part) for part in parts])
    else:
        lengths = X.chunks[0]
    starts = np.cumsum([0, *lengths])
    positions = draw(int(starts[-1]))
    picks = []
    for part, start, stop in zip(parts, starts[:-1], starts[1:]):
        local = positions[(positions >= start) & (positions < stop)] - start
        if local.size:
            picks.append(dask.delayed(_rows_of_part)(part, local))
    pieces = dask.compute(*picks)
    if _is_frame(X):
        import pandas as pd

        return pd.concat(pieces)
    return np.concatenate(pieces)


def _rows_of_part(part, local):
    return part.iloc[local] if hasattr(part, "iloc") else part[local]
