"""One batch through the fast engine: forward, then backward for every
target, a chunk of rows at a time. Pure numpy, no scikit-learn."""

import math
import threading

import numpy as np

from ._fast import backward
from ._network import forward


class Scratch:
    """Work arrays a thread reuses from one batch to the next.

    A batch's temporaries are a few MB each; allocated afresh, their pages
    are handed back to the system when freed and faulted in again by the
    next batch, which costs as much as the arithmetic on them. Each thread
    keeps its own arrays, and a pickled copy (sent to another process)
    starts empty.
    """

    def __init__(self):
        self._local = threading.local()

    def __reduce__(self):
        return type(self), ()

    def __call__(self, key, shape, dtype):
        """An uninitialized array of `shape` for `key`.

        Every call with the same key (in the same thread) returns the same
        memory: what a batch returns must be copied out of these arrays
        before the thread's next batch.
        """
        arrays = self._local.__dict__.setdefault("arrays", {})
        size = math.prod(shape)
        buffer = arrays.get(key)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = arrays[key] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)

    def for_layer(self, index, dtype):
        """``take(name, shape)``: arrays of one layer, in `dtype`."""

        def take(name, shape):
            return self((index, name), shape, dtype)

        return take


def relevance_batch(
    network,
    layers,
    x,
    columns,
    ledger=False,
    return_layers=False,
    scratch=None,
    out=None,
    aggregation=None,
    undecided=False,
    reference_scores=None,
):
    """Relevance of every input of `x` for one or more output scores per sample.

    Parameters
    ----------
    network : DenseNetwork
        The network's weights and activations.
    layers : list of FastLayer
        One bound rule per dense layer, first to last (``skl_lrp._fast``).
    x : ndarray of shape (n, n_features)
        A batch in the network's dtype.
    columns : ndarray of shape (n_targets,) or (n, n_targets), or None
        Output columns to explain for every sample (1-d), or for each sample
        its own (2-d); None explains each sample's predicted class (or the
        single output).
    ledger : bool, default=False
        Also account for the relevance absorbed by biases, stabilizers and
        vanished denominators.
    return_layers : bool, default=False
        Also return the relevance of every hidden layer's neurons.
    scratch : Scratch, default=None
        Work arrays to reuse; None allocates them afresh.
    out : dict, default=None
        Arrays to write results into, by the keys below (any of them; say,
        the batch's rows of the caller's outputs); the others are allocated.
    aggregation : ndarray of shape (n_features, n_columns), default=None
        Sums the relevance of the network's inputs into the columns they
        come from (one chunk of rows at a time); None keeps them.
    undecided : bool, default=False
        With `columns` None, also return ``undecided``: the rows whose
        predicted class is within this pass's rounding of another (see
        ``DenseNetwork.undecided_rows``), for the model's predict to settle.
    reference_scores : ndarray of shape (n_references, n_outputs), default=None
        The network's scores at the reference rows its secant layers are
        bound to: each sample is explained against each reference (its
        score minus the reference's), a chunk of (sample, reference) pairs
        at a time, and the relevance averaged.

    Returns
    -------
    result : dict
        ``relevance`` (n, n_targets, n_features or n_columns), ``scores``,
        ``baseline`` (what the relevance is measured against: the mean of
        the references' scores, the network's offset, or 0) and
        ``columns`` (n, n_targets); ``ledger`` (n, n_targets, 3): bias,
        stabilizer, vanished, when asked; ``layers``: list of (n, n_targets,
        width), first hidden layer to last, when asked; ``undecided``: the
        indices of those rows, when asked. The arrays of `out` where given.
    """
    # Vanished and tiny denominators are set right after the division, and
    # overflow is for the caller to report.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _relevance_batch(
            network,
            layers,
            x,
            columns,
            ledger,
            return_layers,
            scratch,
            out or {},
            aggregation,
            undecided,
            reference_scores,
        )


def _relevance_batch(
    network,
    layers,
    x,
    columns,
    ledger,
    return_layers,
    scratch,
    out,
    aggregation,
    undecided,
    reference_scores,
):
    scratch = Scratch() if scratch is None else scratch
    takes = [scratch.for_layer(index, x.dtype) for index in range(len(layers))]
    inputs, preactivations, outputs, caches = forward(network, x, layers, takes)
    logits = network.scores(outputs)
    n = len(x)
    near = None
    if columns is None:
        predicted = network.predicted_columns(logits)
        if undecided:
            near = network.undecided_rows(logits, inputs[-1], predicted)
        columns = predicted[:, np.newaxis]
    elif columns.ndim == 1:
        columns = np.broadcast_to(columns, (n, len(columns)))
    n_targets = columns.shape[1]
    dtype = logits.dtype

    def array(key, shape, dtype=dtype):
        return out[key] if key in out else np.empty(shape, dtype)

    width = x.shape[1] if aggregation is None else aggregation.shape[1]
    result = {
        "relevance": array("relevance", (n, n_targets, width)),
        "scores": array("scores", (n, n_targets)),
        "baseline": array("baseline", (n, n_targets)),
        "columns": array("columns", (n, n_targets), columns.dtype),
    }
    result["columns"][...] = columns
    if near is not None:  # (few rows: kept by index, not per row)
        result["undecided"] = near
    result["scores"][...] = np.take_along_axis(logits, columns, axis=1)
    if reference_scores is not None:
        result["baseline"][...] = reference_scores.mean(axis=0)[columns]
    elif network.offset is not None:
        result["baseline"][...] = network.offset[columns]
    else:
        result["baseline"][...] = 0
    if ledger:
        result["ledger"] = array("ledger", (n, n_targets, 3))
        result["ledger"][...] = 0
    if return_layers:
        result["layers"] = out.get("layers") or [
            np.empty((n, n_targets, weight.shape[0]), dtype)
            for weight in network.weights[1:]
        ]
    # All targets share the forward pass. Their backward passes are one
    # matrix product per layer on the stacked (row, target) relevance, run
    # on chunks of about n pairs: products that size run faster than
    # larger ones, and the work arrays stay those of a one-target batch.
    # Against k references each sample is k (sample, reference) pairs: a
    # chunk holds k times fewer samples, or, for one sample, a group of the
    # references at a time, so that memory does not grow with k.
    forwarded = (inputs, preactivations, caches, outputs, logits.shape[1])
    if reference_scores is None:
        _backward(layers, network, forwarded, takes, result, aggregation)
    else:
        _backward_pairs(
            layers, forwarded, takes, result, aggregation, reference_scores, scratch
        )
    return result


def _backward(layers, network, forwarded, takes, result, aggregation):
    """The backward pass of every (row, target) of `result`, a chunk of
    about a batch's worth of pairs at a time."""
    inputs, preactivations, caches, outputs, n_outputs = forwarded
    n, n_targets = result["columns"].shape
    for rows in _slices(n, -(-n // n_targets)):
        chunk = rows_of(result, rows)
        job = chunk
        if network.offset is not None:  # the start: the network's output
            start = np.take_along_axis(outputs[rows], chunk["columns"], axis=1)
            job = {**chunk, "scores": start}
        backward(
            layers,
            rows_of(inputs, rows),
            rows_of(preactivations, rows),
            rows_of(caches, rows),
            takes,
            n_outputs,
            job,
            aggregation,
        )


def _backward_pairs(
    layers, forwarded, takes, result, aggregation, reference_scores, scratch
):
    """The backward pass of every (row, target, reference) of `result`
    against the k references, averaged over them: a chunk of k times
    fewer rows at a time, or for one row a group of the references."""
    inputs, preactivations, caches, outputs, n_outputs = forwarded
    n, n_targets = result["columns"].shape
    k = len(reference_scores)
    per_group = max(1, min(k, n // n_targets))
    groups = _slices(k, per_group)
    # (The layers overwrite what their forward pass left: rows that go
    # through several groups take a copy each time.)
    copy = len(groups) > 1
    for rows in _slices(n, max(1, n // (n_targets * per_group))):
        chunk = rows_of(result, rows)
        for group in groups:
            # (One reference in all: the pairs are the chunk's rows.)
            into = chunk if k == 1 else None
            job = _pairs(chunk, outputs[rows], reference_scores[group], scratch, into)
            size = group.stop - group.start
            backward(
                layers,
                paired_rows(rows_of(inputs, rows), size, copy),
                paired_rows(rows_of(preactivations, rows), size, copy),
                paired_rows(rows_of(caches, rows), size, copy),
                takes,
                n_outputs,
                job,
                aggregation,
                references=group,
            )
            if into is None:
                _add_means(chunk, job, size / k, first=group.start == 0)


def _pairs(chunk, outputs, reference_scores, scratch, into=None):
    """What the backward pass of the (sample, reference) pairs of a chunk
    of rows explains: their targets ("columns"), the differences of their
    scores ("scores") and of all their outputs ("differences"), and work
    arrays for the results the chunk asks for (or the arrays of `into`,
    where the pairs are the chunk's own rows)."""
    columns = chunk["columns"]
    n, n_targets = columns.shape
    k = len(reference_scores)
    differences = np.repeat(outputs, k, axis=0)
    differences -= np.tile(reference_scores, (n, 1))
    pairs = np.repeat(columns, k, axis=0)
    start = {
        "columns": pairs,
        "scores": np.take_along_axis(differences, pairs, axis=1),
        "differences": differences,
    }
    if into is not None:
        return {**into, **start}
    job = dict(start)
    for key in ("relevance", "ledger"):
        if key in chunk:
            shape = (n * k, n_targets, chunk[key].shape[-1])
            job[key] = scratch(("pairs", key), shape, differences.dtype)
            if key == "ledger":
                job[key][...] = 0
    if "layers" in chunk:
        job["layers"] = [
            scratch(("pairs", "layer", index), (n * k, *layer.shape[1:]), layer.dtype)
            for index, layer in enumerate(chunk["layers"])
        ]
    return job


def _add_means(chunk, job, weight, first):
    """Add `weight` times each sample's mean over its pairs in `job` to the
    chunk's results (`first`: set them)."""
    pairs = [(chunk[key], job[key]) for key in ("relevance", "ledger") if key in chunk]
    pairs += list(zip(chunk.get("layers", []), job.get("layers", [])))
    for out, values in pairs:
        mean = values.reshape(len(out), -1, *values.shape[1:]).mean(axis=1)
        if first:
            out[...] = weight * mean
        else:
            out += weight * mean


def _slices(n, size):  # (also _neuralized's)
    """Consecutive slices of `size` (the last one shorter) covering n."""
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def paired_rows(value, k, copy=False):
    """`value` (an array, or dicts and lists of arrays) with each row
    repeated `k` times, one for each reference (as :func:`rows_of`); new
    arrays (with `copy`, even for ``k == 1``), else `value` itself."""
    if k == 1 and not copy:
        return value
    if isinstance(value, dict):
        return {key: paired_rows(item, k, copy) for key, item in value.items()}
    if isinstance(value, list):
        return [paired_rows(item, k, copy) for item in value]
    if isinstance(value, np.ndarray) and value.ndim:
        return np.repeat(value, k, axis=0)
    return value


def rows_of(value, rows):
    """`value` (an array, or dicts and lists of arrays) restricted to `rows`;
    other values, such as a batch's smallest denominators, as they are."""
    if isinstance(value, dict):
        return {key: rows_of(item, rows) for key, item in value.items()}
    if isinstance(value, list):
        return [rows_of(item, rows) for item in value]
    return value[rows] if isinstance(value, np.ndarray) and value.ndim else value
