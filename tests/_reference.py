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


def _derivative(name, value):
    """σ'(z) of an activation at ``value``."""
    if name == "relu":
        return 1.0 if value > 0 else 0.0
    if name == "tanh":
        return 1.0 - math.tanh(value) ** 2
    if name == "logistic":
        s = 1.0 / (1.0 + math.exp(-value))
        return s * (1.0 - s)
    if name == "identity":
        return 1.0
    raise ValueError(name)


def _reference_rows(references):
    """The reference rows as lists of float (one 1-D row is one reference)."""
    if np.ndim(references) == 1:
        references = [references]
    return [[float(v) for v in row] for row in references]


def reference_rescale(mlp, x, references, output, negate=False):
    """Rescale relevance (DeepLIFT's Rescale, LRP-0 on differences from a
    reference row) of one sample for one output unit, averaged over the
    reference rows, in DeepLIFT's multiplier form.

    For one reference r, every hidden unit j of every layer gets the slope
    ``m_j = Δa_j / Δz_j`` (``Δ``: value at x minus value at r), or the
    activation's derivative at x where ``|Δz_j| <= sqrt(eps64) (|z_j(x)| +
    |z_j(r)|)`` (0 included); the output unit's slope is 1. Then
    ``R = (x - r) ⊙ (W_1 diag(m_1) W_2 diag(m_2) ... w_out)``, the
    multipliers chained from the output down, one weight and one slope at a
    time. Biases never enter. What the derivative's slopes leave over,
    ``z_out(x) - z_out(r) - sum(R)``, is the stabilizer entry of the ledger.

    Parameters
    ----------
    mlp : fitted MLPClassifier or MLPRegressor, or a linear model
    x : sequence of float
    references : sequence of rows of float
        The reference rows (a single 1-D row is one reference).
    output : int
        Index of the output unit to explain.
    negate : bool
        Explain minus the unit's logit (class 0 of a binary classifier).

    Returns
    -------
    relevance : list of float
        The mean over the references.
    score : float
        ``z_out(x)``.
    baseline : float
        The mean over the references of ``z_out(r)``.
    ledger : list of float
        ``[0.0, deficit, 0.0]`` (bias, stabilizer, dead), the deficit's mean
        over the references.
    """
    tolerance = math.sqrt(np.finfo(np.float64).eps)
    weights, biases = mlp_layers(mlp)
    if negate:
        weights[-1] = [[-v for v in row] for row in weights[-1]]
        biases[-1] = [-v for v in biases[-1]]
    hidden = mlp_activation(mlp)
    inputs_x, pre_x = reference_forward(mlp, x, weights, biases)
    score = pre_x[-1][output]
    rows = _reference_rows(references)

    total_relevance = [0.0] * len(inputs_x[0])
    total_deficit = 0.0
    total_baseline = 0.0
    for row in rows:
        inputs_r, pre_r = reference_forward(mlp, row, weights, biases)
        total_baseline += pre_r[-1][output]
        # The multiplier of each unit of the layer above, output first.
        multiplier = [0.0] * len(pre_x[-1])
        multiplier[output] = 1.0
        for layer in reversed(range(len(weights))):
            w = weights[layer]
            n_in, n_out = len(w), len(w[0])
            name = "identity" if layer == len(weights) - 1 else hidden
            through = [0.0] * n_out  # multiplier of the unit's pre-activation
            for j in range(n_out):
                zx, zr = pre_x[layer][j], pre_r[layer][j]
                dz = zx - zr
                if name == "identity":
                    slope = 1.0
                elif abs(dz) <= tolerance * (abs(zx) + abs(zr)):
                    slope = _derivative(name, zx)
                else:
                    slope = (_activation(name, zx) - _activation(name, zr)) / dz
                through[j] = multiplier[j] * slope
            multiplier = [
                sum(w[i][j] * through[j] for j in range(n_out)) for i in range(n_in)
            ]
        relevance = [
            (x_i - r_i) * m_i
            for x_i, r_i, m_i in zip(inputs_x[0], inputs_r[0], multiplier)
        ]
        for i in range(len(relevance)):
            total_relevance[i] += relevance[i]
        total_deficit += (pre_x[-1][output] - pre_r[-1][output]) - sum(relevance)

    k = len(rows)
    relevance = [v / k for v in total_relevance]
    return relevance, score, total_baseline / k, [0.0, total_deficit / k, 0.0]


class _Network:
    """A stand-in for a fitted MLP: the public attributes read here."""

    def __init__(self, weights, biases, activation):
        self.coefs_ = [np.array(w, dtype=np.float64) for w in weights]
        self.intercepts_ = [np.array(b, dtype=np.float64) for b in biases]
        self.activation = activation


def reference_baseline_network(mlp, references, negate=False):
    """The MLP with its top hidden layer restructured around a baseline.

    Each top hidden unit j, ``a_j = relu(z_j)`` with ``z_j = sum_i a_i w_ij +
    b_j``, becomes three units with the same inputs, from ``relu(z) - ā =
    relu(z - ā) + relu(-z) - relu(ā - z)`` (``ā >= 0``):

    - ``relu(z_j - ā_j)``: weights ``w_ij``, bias ``b_j - ā_j``, output
      weight ``+v_jt``;
    - ``relu(-z_j)``: weights ``-w_ij``, bias ``-b_j``, output weight
      ``+v_jt``;
    - ``relu(ā_j - z_j)``: weights ``-w_ij``, bias ``ā_j - b_j``, output
      weight ``-v_jt``;

    (units ``3 j``, ``3 j + 1``, ``3 j + 2``), with ``ā_j`` the mean over the
    references of ``a_j(r)`` and the output biases 0. The network outputs
    ``f_t(x) - ỹ_t`` with ``ỹ_t = sum_j ā_j v_jt + b_t``.

    Parameters
    ----------
    mlp : fitted ReLU MLPClassifier or MLPRegressor, one hidden layer or more
    references : sequence of rows of float
    negate : bool
        Negate the output layer first (class 0 of a binary classifier).

    Returns
    -------
    weights, biases : lists (per layer) of nested lists of float
    baselines : list of float
        ``ỹ_t`` of every output unit t.
    """
    if not hasattr(mlp, "coefs_") or len(mlp.coefs_) < 2:
        raise ValueError("a baseline needs an MLP with a hidden layer")
    if mlp_activation(mlp) != "relu":
        raise ValueError("a baseline needs a ReLU MLP")
    weights, biases = mlp_layers(mlp)
    if negate:
        weights[-1] = [[-v for v in row] for row in weights[-1]]
        biases[-1] = [-v for v in biases[-1]]
    top = len(weights) - 2
    w, b, v = weights[top], biases[top], weights[-1]
    n_in, n_hidden, n_out = len(w), len(b), len(biases[-1])

    rows = _reference_rows(references)
    mean = [0.0] * n_hidden
    for row in rows:
        inputs, pre = reference_forward(mlp, row, weights, biases)
        for j in range(n_hidden):
            mean[j] += max(pre[top][j], 0.0)
    mean = [m / len(rows) for m in mean]

    new_w = [[0.0] * (3 * n_hidden) for _ in range(n_in)]
    new_b = [0.0] * (3 * n_hidden)
    new_v = [[0.0] * n_out for _ in range(3 * n_hidden)]
    for j in range(n_hidden):
        for i in range(n_in):
            new_w[i][3 * j] = w[i][j]
            new_w[i][3 * j + 1] = -w[i][j]
            new_w[i][3 * j + 2] = -w[i][j]
        new_b[3 * j] = b[j] - mean[j]
        new_b[3 * j + 1] = -b[j]
        new_b[3 * j + 2] = mean[j] - b[j]
        for t in range(n_out):
            new_v[3 * j][t] = v[j][t]
            new_v[3 * j + 1][t] = v[j][t]
            new_v[3 * j + 2][t] = -v[j][t]
    baselines = [
        biases[-1][t] + sum(mean[j] * v[j][t] for j in range(n_hidden))
        for t in range(n_out)
    ]
    weights = weights[:top] + [new_w, new_v]
    biases = biases[:top] + [new_b, [0.0] * n_out]
    return weights, biases, baselines


def reference_deep_taylor_baseline(
    mlp, x, references, output, low, high, negate=False, units=None, share_first=False
):
    """Deep Taylor relevance of one sample for one output unit against the
    mean output of reference rows (Letzgus et al. 2022).

    The top hidden layer is restructured (see
    :func:`reference_baseline_network`) so that the network outputs
    ``f_t(x) - ỹ_t``; that network is explained with z^β (no bias, box
    ``(low, high)``) on the first layer, z^+ (no bias) on every later hidden
    layer, the restructured one included, and LRP-0 (no bias) on the output
    layer (see :func:`reference_rules`).

    Parameters
    ----------
    mlp : fitted ReLU MLPClassifier or MLPRegressor, one hidden layer or more
    x : sequence of float
    references : sequence of rows of float
    output : int
    low, high : sequence of float
        Input bounds of the z^β rule.
    negate : bool
        Explain minus the unit's logit (class 0 of a binary classifier).
    units, share_first : see :func:`reference_rules` (first layer).

    Returns
    -------
    relevance : list of float
    score : float
        The original network's ``z_t(x)``.
    baseline : float
        ``ỹ_t = sum_j ā_j v_jt + b_t``, the mean of the references' scores.
    ledger : list of float
        Relevance absorbed by biases, by stabilizers, by vanished neurons.
    """
    weights, biases, baselines = reference_baseline_network(mlp, references, negate)
    original_w, original_b = mlp_layers(mlp)
    if negate:
        original_w[-1] = [[-v for v in row] for row in original_w[-1]]
        original_b[-1] = [-v for v in original_b[-1]]
    score = reference_forward(mlp, x, original_w, original_b)[1][-1][output]

    n_layers = len(weights)
    specs = (
        [("zbeta", {"bias": False})]
        + [("zplus", {"bias": False})] * (n_layers - 2)
        + [("lrp0", {"bias": False})]
    )
    boxes = [(low, high)] + [None] * (n_layers - 1)
    network = _Network(weights, biases, "relu")
    relevance, _, ledger = reference_rules(
        network, x, output, specs, boxes, False, share_first, units
    )
    return relevance, score, baselines[output], ledger


def reference_kmeans(centres, x, cluster, beta):
    """Margin of `cluster` at `x` and its relevance per feature: the
    neuralized k-means of Kauffmann et al. (TNNLS 2024), written from the
    formulas, one competitor and one feature at a time.

    ``h_k = ||x - mu_k||^2 - ||x - mu_c||^2``; the margin is ``min_k h_k``
    (k != c); ``R_k = margin * softmax_k(-beta h_k)`` (``beta = inf``: the
    nearest competitors, evenly); ``R_i = sum_k w_ik (x_i - m_ik) / h_k R_k``
    with ``w_k = 2 (mu_c - mu_k)`` and ``m_k = (mu_c + mu_k) / 2``.
    """
    centres = [[float(v) for v in row] for row in centres]
    x = [float(v) for v in x]
    d = len(x)
    mu_c = centres[cluster]

    def squared(u):
        return sum((x[i] - u[i]) ** 2 for i in range(d))

    h = {k: squared(mu) - squared(mu_c) for k, mu in enumerate(centres) if k != cluster}
    margin = min(h.values())
    if math.isinf(beta):
        weights = {k: float(value == margin) for k, value in h.items()}
    else:
        weights = {k: math.exp(-beta * (value - margin)) for k, value in h.items()}
    total = sum(weights.values())
    relevance = [0.0] * d
    for k, value in h.items():
        share = margin * weights[k] / total
        for i in range(d):
            w = 2 * (mu_c[i] - centres[k][i])
            m = (mu_c[i] + centres[k][i]) / 2
            relevance[i] += w * (x[i] - m) / value * share
    return margin, np.array(relevance)


def reference_one_class(support, alphas, gamma, x, beta, baseline=0.0):
    """Outlier score ``o(x) = -log(sum_j alpha_j exp(-gamma d_j)) / gamma``
    (``d_j = ||x - u_j||^2``) and the relevance of ``o(x) - baseline`` per
    feature: ``R_j = (o - baseline) softmax_j(-beta e_j)`` with
    ``e_j = d_j - log(alpha_j) / gamma``, then feature i takes
    ``(x_i - u_ji)^2 / d_j`` of ``R_j`` (Kauffmann et al., Pattern
    Recognition 2020). Also the relevance of support points with d_j = 0."""
    x = [float(v) for v in x]
    d = len(x)
    distances = [sum((x[i] - float(u[i])) ** 2 for i in range(d)) for u in support]
    pooled = [dj - math.log(a) / gamma for dj, a in zip(distances, alphas)]
    least = min(pooled)
    total = sum(math.exp(-gamma * (e - least)) for e in pooled)
    score = least - math.log(total) / gamma
    weights = [math.exp(-beta * (e - least)) for e in pooled]
    total = sum(weights)
    relevance, dead = [0.0] * d, 0.0
    for u, dj, weight in zip(support, distances, weights):
        share = (score - baseline) * weight / total
        if dj == 0:
            dead += share
            continue
        for i in range(d):
            relevance[i] += (x[i] - float(u[i])) ** 2 / dj * share
    return score, np.array(relevance), dead
