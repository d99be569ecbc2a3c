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
    # Against k references, each row is k rows of (sample, reference)
    # pairs, and chunks hold k times fewer samples.
    k = 1 if reference_scores is None else len(reference_scores)
    rows_per_chunk = -(-n // (n_targets * k))
    for start in range(0, n, rows_per_chunk):
        rows = slice(start, start + rows_per_chunk)
        chunk = rows_of(result, rows)
        job = _pairs(chunk, outputs[rows], reference_scores, scratch)
        backward(
            layers,
            paired_rows(rows_of(inputs, rows), k),
            paired_rows(rows_of(preactivations, rows), k),
            paired_rows(rows_of(caches, rows), k),
            takes,
            logits.shape[1],
            job,
            aggregation,
        )
        if k > 1:  # each sample's mean over its references
            for key in ("relevance", "ledger"):
                if key in chunk:
                    _average(job[key], k, out=chunk[key])
            for layer, pairs in zip(chunk.get("layers", []), job.get("layers", [])):
                _average(pairs, k, out=layer)
    return result


def _pairs(chunk, outputs, reference_scores, scratch):
    """What the backward pass of a chunk of rows explains: the chunk's own
    arrays when it explains the scores as they are; otherwise work arrays
    for its (sample, reference) pairs, or its rows with their start
    relevance (the network's output, where it outputs the score minus an
    offset), as "scores"."""
    columns = chunk["columns"]
    start = np.take_along_axis(outputs, columns, axis=1)
    if reference_scores is None:
        if np.array_equal(start, chunk["scores"]):  # (no offset)
            return chunk
        return {**chunk, "scores": start}
    k = len(reference_scores)
    n, n_targets = columns.shape
    pairs = np.repeat(columns, k, axis=0)
    scores = np.repeat(start, k, axis=0)
    scores -= np.take_along_axis(np.tile(reference_scores, (n, 1)), pairs, axis=1)
    if k == 1:  # one pair a sample: the chunk's own arrays
        return {**chunk, "scores": scores}
    job = {"columns": pairs, "scores": scores}
    for key in ("relevance", "ledger"):
        if key in chunk:
            shape = (n * k, n_targets, chunk[key].shape[-1])
            job[key] = scratch(("pairs", key), shape, scores.dtype)
            if key == "ledger":
                job[key][...] = 0
    if "layers" in chunk:
        job["layers"] = [
            np.empty((n * k, *layer.shape[1:]), scores.dtype)
            for layer in chunk["layers"]
        ]
    return job


def paired_rows(value, k):
    """`value` (an array, or dicts and lists of arrays) with each row
    repeated `k` times, one for each reference (as :func:`rows_of`)."""
    if k == 1:
        return value
    if isinstance(value, dict):
        return {key: paired_rows(item, k) for key, item in value.items()}
    if isinstance(value, list):
        return [paired_rows(item, k) for item in value]
    if isinstance(value, np.ndarray) and value.ndim:
        return np.repeat(value, k, axis=0)
    return value


def _average(pairs, k, out):
    """Each sample's mean over its `k` consecutive pair rows, into `out`."""
    np.mean(pairs.reshape(len(out), k, *pairs.shape[1:]), axis=1, out=out)


def rows_of(value, rows):
    """`value` (an array, or dicts and lists of arrays) restricted to `rows`;
    other values, such as a batch's smallest denominators, as they are."""
    if isinstance(value, dict):
        return {key: rows_of(item, rows) for key, item in value.items()}
    if isinstance(value, list):
        return [rows_of(item, rows) for item in value]
    return value[rows] if isinstance(value, np.ndarray) and value.ndim else value
