"""The rows of X, a batch at a time, through joblib.

:func:`propagate` cuts X into batches of rows, runs each through
:func:`~skl_lrp._propagation.relevance_batch` (in parallel threads when
asked, or on any joblib backend), gathers their results into the outputs,
and has the model's own ``predict`` settle the rows whose predicted class
was within rounding of another. What every batch needs is fixed at fit, in
a :class:`Plan`.
"""

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from joblib import effective_n_jobs
from joblib.parallel import get_active_backend
from sklearn.utils import _safe_indexing, gen_batches
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples
from threadpoolctl import threadpool_limits

from ._network import network_input
from ._neuralized import NeuralizedLayers, neuralized_batch
from ._propagation import Scratch, relevance_batch, rows_of


@dataclass(frozen=True)
class Plan:
    """What a batch needs: fixed at fit, shared by all batches.

    A plain (weak-referenceable) object, so that joblib's Dask backend
    scatters it to the workers once per call rather than with every batch.
    """

    network: object
    layers: list
    preprocessing: object
    aggregation: object
    model: object  # the fitted network's estimator, whose predict decides ties
    reference_scores: object = None  # (n_references, n_outputs), for Rescale


def propagate(
    plan,
    X,
    columns,
    *,
    batch_size,
    n_jobs,
    ledger=False,
    return_layers=False,
    scores=True,
):
    """Run the batches of `X` (in parallel when asked) and gather their
    results: a dict with the keys of ``relevance_batch``'s result.

    `columns` are the output columns to explain (None: each row's predicted
    class); only what is asked for is kept, so that memory beyond the
    outputs stays bounded by the batches in flight.
    """
    n_samples = _num_samples(X)
    n_targets = 1 if columns is None else columns.shape[-1]
    out = _allocate(plan, n_samples, n_targets, ledger, return_layers, scores)
    if not n_samples:  # (the outputs' shapes and dtypes, for a lazy result)
        return out

    def batches():  # (a generator: no list growing with the rows)
        return gen_batches(n_samples, batch_size)

    # Parallel batches each get one BLAS thread: nested BLAS threads would
    # oversubscribe the cores.
    parallel = effective_n_jobs(n_jobs) > 1 and n_samples > batch_size
    scratch = Scratch()  # each thread's work arrays, for all its batches
    # Batches that share this process's memory (run here, or in threads)
    # write their rows into `out`; others (in processes, on a cluster)
    # send them back.
    in_place = not parallel or _shares_memory()
    args = (columns, ledger, return_layers, scratch, out if in_place else None)
    with threadpool_limits(1, user_api="blas") if parallel else nullcontext():
        if parallel:
            results = iter(
                Parallel(
                    n_jobs=n_jobs,
                    prefer="threads",
                    return_as=results_as("generator", n_jobs, "threads"),
                )(delayed(explain_rows)(plan, X, rows, *args) for rows in batches())
            )
        else:  # without the per-task bookkeeping of joblib
            results = (explain_rows(plan, X, rows, *args) for rows in batches())
        # The predicted class of rows within rounding of another is the
        # model's predict's to settle, after the batches (in one call).
        undecided = []
        # (Not zip, which would hold a result while the next batch runs.)
        for rows in batches():
            result, near = next(results)
            if near is not None and near.size:
                undecided.append(near)
            if result is not None:
                _write_rows(rows_of(out, rows), result)
            del result
    if undecided:
        rows, predicted = np.concatenate(undecided).T
        again = dict(batch_size=batch_size, n_jobs=n_jobs, ledger=ledger)
        again.update(return_layers=return_layers, scores=scores)
        _settle(plan, X, rows, predicted, out, again)
    return out


def _allocate(plan, n_samples, n_targets, ledger, return_layers, scores):
    """The arrays that :func:`propagate` fills, by the keys of
    ``relevance_batch``'s result (only those asked for)."""
    network, aggregation = plan.network, plan.aggregation
    dtype = network.dtype
    shape = (n_samples, n_targets)
    width = network.n_features if aggregation is None else aggregation.shape[1]
    out = {"relevance": np.empty((*shape, width), dtype=dtype)}
    if scores:
        out["scores"] = np.empty(shape, dtype=dtype)
        out["baseline"] = np.empty(shape, dtype=dtype)
        out["columns"] = np.empty(shape, dtype=np.intp)
    if ledger:
        out["ledger"] = np.empty((*shape, 3), dtype=dtype)
    if return_layers:
        if isinstance(plan.layers, NeuralizedLayers):  # (its distance units)
            widths = [plan.layers.width]
        else:
            widths = [weight.shape[0] for weight in network.weights[1:]]
        out["layers"] = [np.empty((*shape, width), dtype=dtype) for width in widths]
    return out


def _settle(plan, X, rows, predicted, out, options):
    """The model's own predict decides `rows` of X, whose `predicted`
    column was within rounding of another; the rows it decides otherwise
    are explained again (with the same `options` of :func:`propagate`)."""
    some = _safe_indexing(X, rows)
    dtype = plan.network.dtype
    x = network_input(some, slice(0, len(rows)), plan.preprocessing, dtype)
    decided = plan.network.columns_of(plan.model.predict(x))
    changed = decided != predicted
    if not changed.any():
        return
    rows = rows[changed]
    again = propagate(
        plan, _safe_indexing(X, rows), decided[changed, np.newaxis], **options
    )
    for key, value in again.items():
        if key == "layers":
            for layer, part in zip(out[key], value):
                layer[rows] = part
        else:
            out[key][rows] = value


def explain_rows(plan, X, rows, columns, ledger, return_layers, scratch, out):
    """Explain ``X[rows]`` into their rows of the arrays `out`, or return
    the result when there are none (a batch run in another process); and
    the (row, predicted column) pairs whose prediction is for the model's
    predict to settle, or None."""
    network = plan.network
    x = network_input(X, rows, plan.preprocessing, network.dtype)
    if columns is not None and columns.ndim == 2:  # one target per sample
        columns = columns[rows]
    into = {} if out is None else rows_of(out, rows)
    undecided = columns is None and network.is_classifier
    if isinstance(plan.layers, NeuralizedLayers):  # (k-means, one-class)
        result = neuralized_batch(
            plan.layers,
            x,
            columns,
            ledger,
            return_layers,
            into,
            plan.aggregation,
            undecided,
        )
    else:
        result = relevance_batch(
            network,
            plan.layers,
            x,
            columns,
            ledger,
            return_layers,
            scratch,
            into,
            plan.aggregation,
            undecided,
            reference_scores=plan.reference_scores,
        )
    # Overflow is reported as one clear error, not as numpy warnings.
    finite = all(
        np.all(np.isfinite(result[key]))
        for key in ("relevance", "scores", "baseline", "ledger")
        if key in result
    )
    if not finite:
        raise FloatingPointError(
            "The network's scores or relevance overflowed for rows "
            f"{rows.start}-{rows.stop - 1}: the weights or inputs are too "
            f"large for {network.dtype}."
        )
    near = result.pop("undecided", None)
    if near is not None:
        near = np.column_stack([near + rows.start, result["columns"][near, 0]])
    return (None if into else result), near


def _write_rows(batch, result):
    """Copy a batch's `result` (sent back by another process) into its rows
    of the outputs, `batch`, key by key; keys not asked for are dropped."""
    for key, value in result.items():
        if key == "layers":
            for layer, part in zip(batch[key], value):
                layer[...] = part
        elif key in batch:
            batch[key][...] = value


def _backend_supports(feature, prefer=None):
    """Whether the joblib backend in effect (`prefer` as the caller's
    Parallel) has `feature`, such as "supports_sharedmem"."""
    try:
        backend, _ = get_active_backend(prefer=prefer)
    except Exception:  # (joblib's internals: when in doubt, say no)
        return False
    return bool(getattr(backend, feature, False))


def _shares_memory():
    """Whether the joblib backend in effect (threads preferred) runs tasks in
    this process's memory, as threads do; not processes or a cluster."""
    return _backend_supports("supports_sharedmem", prefer="threads")


def results_as(kind, n_jobs, prefer=None):
    """`kind` ("generator" or "generator_unordered") for joblib's
    ``return_as`` where the backend in effect can return results as they
    come (or runs `n_jobs` as one), else "list" (Ray's backend cannot)."""
    if effective_n_jobs(n_jobs) == 1:
        return kind
    return kind if _backend_supports("supports_return_generator", prefer) else "list"
