"""The plain engine: relevance propagation as the textbook writes it.

A forward pass keeps every layer's input ``a``; then, from the output down,
each layer splits its neurons' relevance ``R`` among its inputs, group of
contributions by group (see :mod:`skl_lrp._rules`)::

    z     = sum_k A_k(a) @ V_k  (+ bias)        the denominators
    s     = share * R / (z + eps * sign(z))     0 where z vanished
    R_in += sum_k A_k(a) * (s @ V_k.T)

A *fallback* group takes the neurons whose ``z`` in the group before it is
exactly 0. A *secant* group (Rescale) divides by the difference of the
neuron's pre-activations at the row and at its reference instead; below
another secant layer, or at the output, it multiplies what one unit of the
difference is worth above (a *multiplier*) by the activation's secant slope
(``BoundLayer.secant``). Against reference rows, every sample is explained
once per reference and the relevance averaged. What the
inputs do not receive (the bias's and the stabilizer's parts, and all of a
neuron no group could serve) goes to the ledger, kept by
:func:`account`, which the fast engine uses too. The fast engine must give
what this one gives (the tests check it); it hands this one the rows it does
not trust its shortcuts with, in a wider float type.
"""

import numpy as np

from ._network import forward
from ._rules import stabilize


def explain(network, layers, x, columns, reference_scores=None):
    """Relevance of the inputs `x` for the logits `columns` (n, n_targets).

    With `reference_scores` (n_references, n_outputs), the network's scores
    at the reference rows that secant layers are bound to, each row is
    explained against each reference (the relevance of its score minus the
    reference's) and the results averaged. A network with an ``offset``
    outputs the score minus that offset.

    Returns the relevance (n, n_targets, n_inputs), the scores, the ledger
    (n, n_targets, 3: bias, stabilizer, dead) and the baseline, what the
    relevance is measured against (n, n_targets): ``relevance.sum(-1) +
    ledger.sum(-1) == scores - baseline``.
    """
    n = len(x)
    k = 1 if reference_scores is None else len(reference_scores)
    pairs = np.repeat(x, k, axis=0)  # row p: sample p // k, reference p % k
    inputs, preactivations, logits = forward(network, pairs)[:3]
    columns = np.repeat(columns, k, axis=0)
    rows = np.arange(len(pairs))[:, np.newaxis]
    start = logits[rows, columns]
    baseline = np.zeros_like(start)
    if reference_scores is not None:
        baseline = reference_scores[rows % k, columns]
    relevance = np.zeros((*columns.shape, logits.shape[1]), logits.dtype)
    targets = (rows, np.arange(columns.shape[1]), columns)
    relevance[targets] = start - baseline
    multiplier = None  # (one unit of the score's difference is worth 1)
    if reference_scores is not None and layers[-1].reference is not None:
        multiplier = np.zeros_like(relevance)
        multiplier[targets] = 1
    ledger = np.zeros((*columns.shape, 3), logits.dtype)
    for layer, a, z in reversed(list(zip(layers, inputs, preactivations))):
        relevance, multiplier = relprop(layer, a, relevance, z, ledger, multiplier)
    scores = start if network.offset is None else start + network.offset[columns]
    if network.offset is not None:
        baseline = baseline + network.offset[columns]

    def average(values):  # over each sample's references
        return values.reshape(n, k, *values.shape[1:]).mean(axis=1)

    return average(relevance), average(scores), average(ledger), average(baseline)


def relprop(layer, a, relevance, preactivation=None, ledger=None, multiplier=None):
    """Relevance (n, n_targets, n_out) of a layer's neurons, split among its
    inputs `a` (n, n_in); what they do not receive is added to `ledger`.

    Returns the inputs' relevance and, for a secant layer, what one unit of
    each input's difference is worth (the relevance is the difference times
    it), which the secant layer below takes as `multiplier`; else None.
    """
    if layer.units is not None:
        return _relprop_by_unit(layer, a, relevance, ledger), None
    eps = layer.stabilizer(preactivation)
    lower = np.zeros((*relevance.shape[:2], a.shape[1]), relevance.dtype)
    groups, vanished = layer.groups, None
    for index, group in enumerate(groups):
        parts = [layer.part(name, a) for name in group.parts]
        if group.secant:
            return _relprop_secant(
                layer, parts[0], relevance, preactivation, ledger, multiplier
            )
        weights = group.split_weights()
        z = sum(part @ weight for part, weight in zip(parts, weights))
        if group.bias is not None:
            z = z + group.bias
        # Gamma: the group of the neuron's sign; a fallback: only the
        # neurons the group before could not serve.
        share = group.share * _serves(group, preactivation)
        if group.fallback:
            share = share * vanished
        share = np.broadcast_to(share, z.shape).astype(z.dtype)
        denominator = stabilize(z.copy(), eps, group.nonnegative)
        vanished = z == 0
        given = relevance * share[:, np.newaxis, :]
        ratio = _divide(given, denominator, vanished)
        for part, weight in zip(parts, weights):
            lower += part[:, np.newaxis, :] * (ratio @ weight.T)
        lost = vanished
        if index + 1 < len(groups) and groups[index + 1].fallback:
            lost = vanished & ~_serves(groups[index + 1], preactivation)
        account(ledger, ratio, group.bias, denominator - z, given, lost)
    return lower, None


def _serves(group, preactivation):
    """Where `group` serves by the sign of the neurons' output (True
    everywhere for a group without a sign)."""
    if group.sign is None:
        return np.True_
    return preactivation >= 0 if group.sign > 0 else preactivation < 0


def _relprop_by_unit(layer, a, relevance, ledger):
    """z^β at a root point r, the inputs of each unit (one column of the
    user's data) counted as one: a unit contributes its net push
    ``sum_{i in unit} u_i w_ij`` (u = x - r) where that is positive, shared
    among its inputs by their terms ``u_i w_ij``."""
    u = a - layer.low
    units = [np.flatnonzero(layer.units == unit) for unit in np.unique(layer.units)]
    pushes = [u[:, unit] @ layer.weight[unit] for unit in units]
    z = sum(np.maximum(push, 0) for push in pushes)
    vanished = z == 0
    if layer.share_dead:
        relevance = share_dead(relevance, vanished)
    ratio = _divide(relevance, z, vanished)
    lower = np.zeros((*relevance.shape[:2], a.shape[1]), relevance.dtype)
    for unit, push in zip(units, pushes):
        up = (ratio * (push > 0)[:, np.newaxis, :]) @ layer.weight[unit].T
        lower[:, :, unit] = u[:, np.newaxis, unit] * up
    account(ledger, ratio, given=relevance, vanished=vanished)
    return lower


def _relprop_secant(layer, difference, relevance, preactivation, ledger, multiplier):
    """Rescale: ``R_i = sum_j da_i w_ij R_j / dz_j``, each row against its
    reference.

    With a `multiplier` from above (the relevance is the activations'
    difference times it), ``R_j / dz_j`` is the multiplier times the
    secant slope. Otherwise the relevance is divided by ``dz``, or, where
    the activation is linearized, multiplied by ``slope / da``; a neuron
    with relevance and no difference at all loses it (the ledger's dead).
    What linearized neurons leave over, ``R_j - (R_j / dz_j) dz_j``, goes to
    the ledger's stabilizer column.
    """
    slope, dz, da, linearized = layer.secant(preactivation)
    lost = None
    if multiplier is not None:
        ratio = multiplier * slope[:, np.newaxis, :]
    else:
        inverse = _secant_inverse(slope, dz, da, linearized)
        ratio = relevance * inverse[:, np.newaxis, :]
        lost = inverse == 0
    if ledger is not None:
        if linearized is not None:
            left = relevance - ratio * dz[:, np.newaxis, :]
            kept = linearized if lost is None else linearized & ~lost
            ledger[..., 1] += np.where(kept[:, np.newaxis, :], left, 0).sum(axis=-1)
        if lost is not None:
            account(ledger, given=relevance, vanished=lost)
    back = ratio @ layer.weight.T
    return difference[:, np.newaxis, :] * back, back


def _secant_inverse(slope, dz, da, linearized):
    """What a neuron's relevance (not a multiplier) is multiplied by to
    pass it on: ``1 / dz``, or where linearized ``slope / da`` (0 where
    that vanishes: the neuron cannot pass its relevance on)."""
    inverse = np.divide(1, dz, out=np.zeros_like(dz), where=dz != 0)
    if linearized is not None and linearized.any():
        tangent = np.divide(slope, da, out=np.zeros_like(da), where=da != 0)
        inverse = np.where(linearized, tangent, inverse)
    return inverse


def _divide(relevance, denominator, vanished):
    """``relevance / denominator`` per neuron, 0 where it vanished."""
    keep = ~vanished[:, np.newaxis, :]
    out = np.zeros_like(relevance)
    return np.divide(relevance, denominator[:, np.newaxis, :], out=out, where=keep)


def share_dead(relevance, vanished):
    """Relevance with that of the neurons whose denominator vanished handed
    to the row's other neurons, in proportion to their absolute relevance
    (what no neuron is left to take stays, for the ledger to count)."""
    gone = vanished[:, np.newaxis, :]
    lost = np.where(gone, relevance, 0).sum(axis=-1)
    size = np.where(gone, 0, np.abs(relevance))
    mass = size.sum(axis=-1)
    shared = mass > 0
    weights = np.divide(lost, mass, out=np.zeros_like(lost), where=shared)
    kept = relevance + size * weights[..., np.newaxis]
    return np.where(gone & shared[..., np.newaxis], 0, kept)


def account(ledger, ratio=None, bias=None, offset=0, given=None, vanished=None):
    """Add to `ledger` (n, n_targets, 3) what a group's inputs do not get.

    Of a neuron's relevance `given`, divided as ``ratio = given / s(z)``,
    the bias takes ``ratio * bias``, the stabilizer ``ratio * (s(z) - z)``
    (`offset`: per neuron, or one number for all), and a neuron whose ``z``
    vanished (`vanished`) all of it.
    """
    if ledger is None:
        return
    if bias is not None:
        ledger[..., 0] += ratio @ bias
    if np.ndim(offset):
        ledger[..., 1] += np.einsum("nkj,nj->nk", ratio, offset)
    elif offset:
        ledger[..., 1] += offset * ratio.sum(axis=-1)
    if vanished is not None and vanished.any():
        ledger[..., 2] += np.einsum("nkj,nj->nk", given, vanished.astype(given.dtype))
