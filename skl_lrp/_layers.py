"""The layers that fit builds: each dense layer's rule bound to it.

A rule learns from what it may know of its layer (a :class:`Context`: its
input's sign, the first layer's ``bounds`` and columns, the reference rows'
pass through it) and from the statistics of the layer's inputs over the
fit data (minimum, maximum, mean; one pass over X, as per-part sums that
:func:`~skl_lrp._dask.reduced` gathers from wherever X is held).
"""

from dataclasses import replace

import numpy as np
from sklearn.utils import gen_batches
from sklearn.utils.validation import _num_samples

from ._dask import reduced
from ._fast import prepare
from ._network import forward, network_input
from ._rules import Context


def layer_contexts(network, rules, sources, bounds, at_references=None):
    """What each layer's rule may need to know of it: whether its input
    is >= 0, the first layer's ``bounds`` and columns (`sources`), and with
    `at_references` (the forward pass over the reference rows: inputs and
    pre-activations of every layer) its own."""
    nonnegative = network.hidden_activation in ("relu", "logistic")
    last = len(rules) - 1
    per_layer = [None] * len(rules)
    if at_references is not None:
        per_layer = list(zip(*at_references[:2]))
    return [
        Context(
            nonnegative_input=index > 0 and nonnegative,
            bounds=bounds if index == 0 else None,
            units=sources if index == 0 else None,
            reference=per_layer[index],
            activation="identity" if index == last else network.hidden_activation,
            where=f"rules[{index}] ({type(rule).__name__})",
        )
        for index, rule in enumerate(rules)
    ]


def bind_layers(network, rules, contexts, statistics):
    """Each rule bound to its layer (with the statistics of the layer's
    inputs, where `statistics` has them), ready for the fast engine."""
    return [
        prepare(rule.bind(weight, bias, replace(context, statistics=stats)))
        for rule, weight, bias, context, stats in zip(
            rules,
            network.weights,
            network.biases,
            contexts,
            [statistics.get(index) for index in range(len(rules))],
        )
    ]


def input_statistics(network, X, indices, preprocessing, batch_size):
    """Minimum, maximum and mean of the inputs of layers `indices` over `X`
    (index 0: the network's inputs, after the `preprocessing`), unit by
    unit: a dict by layer index."""
    if not indices:
        return {}
    parts = reduced(_statistics_of, X, network, indices, preprocessing, batch_size)
    n_samples = sum(part["n"] for part in parts)
    return {
        i: {
            "min": np.min([part["min"][i] for part in parts], axis=0),
            "max": np.max([part["max"][i] for part in parts], axis=0),
            "mean": np.sum([part["sum"][i] for part in parts], axis=0) / n_samples,
        }
        for i in indices
    }


def _statistics_of(X, network, indices, preprocessing, batch_size):
    """Per-column minimum, maximum and float64 sum of the inputs of layers
    `indices` over X (one part of it), and its number of rows."""
    low = {i: np.inf for i in indices}
    high = {i: -np.inf for i in indices}
    total = {i: 0.0 for i in indices}
    n_samples = _num_samples(X)
    for rows in gen_batches(n_samples, batch_size):
        x = network_input(X, rows, preprocessing, network.dtype)
        inputs = forward(network, x)[0] if max(indices) > 0 else [x]
        for i in indices:
            low[i] = np.minimum(low[i], inputs[i].min(axis=0))
            high[i] = np.maximum(high[i], inputs[i].max(axis=0))
            total[i] = total[i] + inputs[i].sum(axis=0, dtype=np.float64)
    return {
        "min": {i: np.asarray(low[i], float) for i in indices},
        "max": {i: np.asarray(high[i], float) for i in indices},
        "sum": {i: np.asarray(total[i], float) for i in indices},
        "n": n_samples,
    }
