"""Dask collections in, dask collections out.

A dask array or DataFrame is explained partition by partition on the
workers, and the result is a lazy collection of the same kind. Fitting on one
learns the root point from small per-partition sums (min, max, sum, count),
so X is never collected. dask is imported only when such a collection is
passed.
"""

import numpy as np
from sklearn.utils import Bunch


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


def _relevance_block(block, explainer):
    return explainer.transform(block)


def _relevance_frame(part, explainer, names):
    import pandas as pd

    relevance = explainer.transform(part)
    return pd.DataFrame(relevance, index=part.index, columns=names)


def _explanation(part, explainer, target, return_layers):
    return explainer.explain(part, target, return_layers)


def lazy_transform(explainer, X):
    """``explainer.transform`` of a dask collection, as one of its kind."""
    names = list(explainer.get_feature_names_out())
    dtype = explainer._plan.network.dtype
    if _is_frame(X):
        import pandas as pd

        empty = pd.DataFrame({name: np.empty(0, dtype) for name in names})
        return X.map_partitions(_relevance_frame, shared(explainer), names, meta=empty)
    X = _rows_whole(X)
    return X.map_blocks(
        _relevance_block,
        shared(explainer),
        chunks=(X.chunks[0], (len(names),)),
        dtype=dtype,
        meta=np.empty((0, 0), dtype=dtype),
    )


def lazy_explain(explainer, X, target, return_layers):
    """``explainer.explain`` of a dask collection: a Bunch of dask arrays
    (rows in X's partitions; each partition explained once when they are
    computed together, e.g. with ``dask.compute(*bunch.values())``)."""
    import dask
    import dask.array as da

    sample = explainer.explain(_first_row(X), target, return_layers)
    node = shared(explainer)
    explained = [
        dask.delayed(_explanation)(part, node, target, return_layers)
        for part in partitions(X)
    ]
    lengths = X.chunks[0] if not _is_frame(X) else [np.nan] * X.npartitions
    result = Bunch(feature_names=sample.feature_names)
    for key, value in sample.items():
        if key == "feature_names":
            continue
        if key == "layers":
            result[key] = [
                _stacked(da, explained, lengths, (key, index), part)
                for index, part in enumerate(value)
            ]
        else:
            result[key] = _stacked(da, explained, lengths, key, value)
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


def _first_row(X):
    """X's first row, computed (to learn the shapes of the fields)."""
    if _is_frame(X):
        return X.head(1, npartitions=-1)
    return X[:1].compute()


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
