"""A slow reference for the Deep Taylor rules, written straight from the formulas.

Per sample, per neuron, per weight, in float64 Python scalars: no matrix
products, no code shared with the package. Only the fitted MLP's public
attributes (``coefs_``, ``intercepts_``, ``activation``, ``classes_``) are read.
"""

import math

import numpy as np


def _activation(name, value):
    if name == "relu":
        return max(value, 0.0)
    if name == "tanh":
        return math.tanh(value)
    if name == "logistic":
        return 1.0 / (1.0 + math.exp(-value))
    if name == "identity":
        return value
    raise ValueError(name)


def reference_relevance(
    mlp, x, output, low, high, negate=False, units=None, share=False
):
    """Deep Taylor relevance of one sample for one output unit: z^β on the
    first layer, z^+ on every later one (see :func:`reference_rules`).

    Parameters
    ----------
    mlp : fitted MLPClassifier or MLPRegressor
    x : sequence of float
    output : int
        Index of the output unit to explain.
    low, high : sequence of float
        Input bounds of the z^β rule.
    negate : bool
        Explain minus the unit's logit (class 0 of a binary classifier).
    units, share : see :func:`reference_rules` (``share_first``).

    Returns
    -------
    relevance : list of float
    score : float
    lost : bool
        Whether a neuron holding relevance had a zero denominator (all its
        contributions zero), so that the relevance did not reach the input.
    """
    n_layers = len(mlp_layers(mlp)[0])
    specs = [("zbeta", {"bias": False})] + [("zplus", {"bias": False})] * (n_layers - 1)
    boxes = [(low, high)] + [None] * (n_layers - 1)
    relevance, score, ledger = reference_rules(
        mlp, x, output, specs, boxes, negate, share, units
    )
    return relevance, score, ledger[2] != 0


def _keep_rising_units(contributions, units):
    """Zero the terms of every column whose summed push on a neuron is <= 0."""
    for j in range(len(contributions[0])):
        for unit in set(units):
            inputs = [i for i in range(len(units)) if units[i] == unit]
            if sum(contributions[i][j] for i in inputs) <= 0:
                for i in inputs:
                    contributions[i][j] = 0.0


def _shared(relevance, contributions):
    """Relevance with that of the neurons whose contributions all vanish
    moved to the others, in proportion to their absolute relevance."""
    totals = [sum(row[j] for row in contributions) for j in range(len(relevance))]
    lost = sum(r for r, t in zip(relevance, totals) if t == 0)
    mass = sum(abs(r) for r, t in zip(relevance, totals) if t != 0)
    if mass == 0:
        return relevance
    return [
        0.0 if t == 0 else r + lost * abs(r) / mass for r, t in zip(relevance, totals)
    ]


def reference_forward(mlp, x, weights=None, biases=None):
    """Inputs and pre-activations of every dense layer, as lists."""
    if weights is None:
        weights, biases = mlp_layers(mlp)
    inputs, pre = [], []
    a = [float(v) for v in x]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        inputs.append(a)
        z = [b[j] + sum(a[i] * w[i][j] for i in range(len(a))) for j in range(len(b))]
        pre.append(z)
        last = layer == len(weights) - 1
        a = z if last else [_activation(mlp_activation(mlp), v) for v in z]
    return inputs, pre


def mlp_layers(mlp):
    """Weights and biases as nested lists; linear models are one layer."""
    if hasattr(mlp, "coefs_"):
        coefs, intercepts = mlp.coefs_, mlp.intercepts_
    else:
        coefs = [np.atleast_2d(mlp.coef_).T]
        intercepts = [np.atleast_1d(mlp.intercept_) * np.ones(coefs[0].shape[1])]
    weights = [[[float(v) for v in row] for row in w] for w in coefs]
    biases = [[float(v) for v in b] for b in intercepts]
    return weights, biases


def mlp_activation(mlp):
    return getattr(mlp, "activation", "identity")


def _contribution(name, params, a_i, w_ij, low_i, high_i, z_j):
    """z_ij of one input (a_i, or the bias input 1 with w_ij = b_j)."""
    if name in ("lrp0", "epsilon"):
        return a_i * w_ij
    if name == "zplus":
        return max(0.0, a_i * w_ij)
    if name == "zbeta":
        lo, hi = min(low_i, a_i), max(high_i, a_i)
        return a_i * w_ij - lo * max(w_ij, 0.0) - hi * min(w_ij, 0.0)
    if name == "wsquare":
        return w_ij**2
    if name == "flat":
        return 1.0
    if name == "gamma":
        boost = max(0.0, a_i * w_ij) if z_j >= 0 else min(0.0, a_i * w_ij)
        return a_i * w_ij + params["gamma"] * boost
    raise ValueError(name)


def reference_rules(
    mlp, x, output, specs, boxes, negate=False, share_first=False, units=None
):
    """Relevance of one sample for one output unit under any rule per layer.

    Parameters
    ----------
    specs : list of (name, params)
        One rule per layer, first to last; names "lrp0", "epsilon", "zplus",
        "alphabeta", "gamma", "zbeta", "wsquare", "flat"; params hold "bias"
        and the rule's own parameters.
    boxes : list of (low, high) or None
        Input bounds of each layer (for "zbeta").
    share_first : bool
        At the first layer (a "zbeta" one), give the relevance of a neuron
        whose contributions are all zero to the other neurons, in proportion
        to their absolute relevance.
    units : sequence of int, optional
        With a first-layer box ``low == high`` (a reference point r): the
        column of the user's data each input encodes. The inputs of one
        column contribute to a neuron only when their summed push
        ``sum (x_i - r_i) w_ij`` is positive, and then each its own
        ``(x_i - r_i) w_ij``.

    Returns
    -------
    relevance : list of float
    score : float
    ledger : list of float
        Relevance absorbed by biases, by stabilizers, by vanished neurons.
    """
    dtype = (mlp.coefs_[0] if hasattr(mlp, "coefs_") else np.asarray(mlp.coef_)).dtype
    tiny_eps = math.sqrt(np.finfo(dtype).tiny)
    weights, biases = mlp_layers(mlp)
    if negate:
        weights[-1] = [[-v for v in row] for row in weights[-1]]
        biases[-1] = [-v for v in biases[-1]]
    # Forward pass with the (possibly negated) output layer.
    inputs, pre = reference_forward(mlp, x, weights, biases)
    score = pre[-1][output]

    ledger = [0.0, 0.0, 0.0]
    relevance = [0.0] * len(pre[-1])
    relevance[output] = score
    for layer in reversed(range(len(weights))):
        name, params = specs[layer]
        a, w, b, z = inputs[layer], weights[layer], biases[layer], pre[layer]
        low, high = boxes[layer] if boxes[layer] is not None else (None, None)
        n_in, n_out = len(w), len(w[0])
        eps = tiny_eps
        if name == "epsilon":  # never below the default stabilizer
            eps = params["epsilon"]
            if params.get("scale") == "rms":
                eps *= math.sqrt(sum(v * v for v in z) / len(z))
            eps = max(eps, tiny_eps)
        if name != "alphabeta":  # every z_ij of the layer
            table = [
                [
                    _contribution(
                        name,
                        params,
                        a[i],
                        w[i][j],
                        None if low is None else low[i],
                        None if high is None else high[i],
                        z[j],
                    )
                    for j in range(n_out)
                ]
                for i in range(n_in)
            ]
            if layer == 0 and units is not None:
                table = [
                    [(a[i] - low[i]) * w[i][j] for j in range(n_out)]
                    for i in range(n_in)
                ]
                _keep_rising_units(table, units)
            if layer == 0 and share_first:
                relevance = _shared(relevance, table)
        lower = [0.0] * n_in
        for j in range(n_out):
            if name == "alphabeta":
                # Two groups: positive contributions (share alpha) and
                # negative ones (share -beta), each with its own denominator.
                groups = []
                for share, part in ((params["alpha"], max), (-params["beta"], min)):
                    zij = [part(0.0, a[i] * w[i][j]) for i in range(n_in)]
                    zb = part(0.0, b[j]) if params["bias"] else 0.0
                    groups.append((share, zij, zb))
            else:
                zij = [table[i][j] for i in range(n_in)]
                zb = 0.0
                if params["bias"] and name != "zbeta":  # z^β bias terms cancel
                    zb = _contribution(name, params, 1.0, b[j], 1.0, 1.0, z[j])
                groups = [(1.0, zij, zb)]
                if name == "zplus" and sum(zij) + zb == 0 and z[j] < 0:
                    # No input pushes the neuron up, and its output is
                    # negative: the inputs that push it down take its
                    # relevance.
                    zij = [min(0.0, a[i] * w[i][j]) for i in range(n_in)]
                    zb = min(0.0, b[j]) if params["bias"] else 0.0
                    groups = [(1.0, zij, zb)]
            for share, zij, zb in groups:
                r = share * relevance[j]
                total = sum(zij) + zb
                if total == 0:  # a vanished denominator passes on nothing
                    ledger[2] += r
                    continue
                denominator = total + eps * (1.0 if total >= 0 else -1.0)
                for i in range(n_in):
                    lower[i] += zij[i] / denominator * r
                ledger[0] += zb / denominator * r
                ledger[1] += r - total / denominator * r
        relevance = lower
    return relevance, score, ledger
