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


def _s(value, eps):
    return value + eps * (1.0 if value >= 0 else -1.0)


def reference_relevance(mlp, x, output, low, high, negate=False):
    """Deep Taylor relevance of one sample for one output unit.

    Parameters
    ----------
    mlp : fitted MLPClassifier or MLPRegressor
    x : sequence of float
    output : int
        Index of the output unit to explain.
    low, high : sequence of float
        Input bounds of the z^β rule.
    negate : bool
        Explain minus the unit's logit (class 0 of a binary classifier): the
        same network with that unit's weights and bias negated.

    Returns
    -------
    relevance : list of float
    score : float
    lost : bool
        Whether a neuron holding relevance had a zero denominator (all its
        contributions zero), so that the relevance did not reach the input.
    """
    eps = math.sqrt(np.finfo(mlp.coefs_[0].dtype).tiny)
    weights = [[[float(v) for v in row] for row in w] for w in mlp.coefs_]
    biases = [[float(v) for v in b] for b in mlp.intercepts_]
    if negate:
        weights[-1] = [[-v for v in row] for row in weights[-1]]
        biases[-1] = [-v for v in biases[-1]]
    n_layers = len(weights)

    # Forward pass, keeping the input of every layer.
    inputs = []
    a = [float(v) for v in x]
    for layer in range(n_layers):
        inputs.append(a)
        w, b = weights[layer], biases[layer]
        z = []
        for j in range(len(b)):
            total = b[j]
            for i in range(len(a)):
                total += a[i] * w[i][j]
            z.append(total)
        a = z if layer == n_layers - 1 else [_activation(mlp.activation, v) for v in z]
    score = a[output]

    relevance = [0.0] * len(a)
    relevance[output] = score
    lost = False
    for layer in reversed(range(n_layers)):
        a, w = inputs[layer], weights[layer]
        n_in, n_out = len(w), len(w[0])
        contributions = [[0.0] * n_out for _ in range(n_in)]
        for i in range(n_in):
            for j in range(n_out):
                if layer == 0:  # z^β, with the box widened to contain x
                    lo, hi = min(low[i], a[i]), max(high[i], a[i])
                    contributions[i][j] = (
                        a[i] * w[i][j] - lo * max(w[i][j], 0.0) - hi * min(w[i][j], 0.0)
                    )
                else:  # z^+
                    contributions[i][j] = max(0.0, a[i] * w[i][j])
        lower = [0.0] * n_in
        for j in range(n_out):
            total = sum(contributions[i][j] for i in range(n_in))
            lost = lost or (total == 0 and relevance[j] != 0)
            denominator = _s(total, eps)
            for i in range(n_in):
                lower[i] += contributions[i][j] / denominator * relevance[j]
        relevance = lower
    return relevance, score, lost
