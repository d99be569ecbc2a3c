"""Relevance rules for dense layers and the one mechanism they share.

A rule chooses the contributions ``z_ij`` of input ``i`` to neuron ``j``;
relevance then flows as ``R_i = sum_j z_ij / s(sum_i' z_i'j) * R_j``. Every
rule here writes its contributions as a sum of products of a modified input
and a modified weight, ``z_ij = sum_k A_k[i] * V_k[ij]``. The modified weights
``V_k`` do not depend on the sample: a rule stacks them once per fit (in
:meth:`prepare`), and :class:`PreparedLayer` does the matrix work for a batch
with one product upward (the denominators) and one downward.
"""

import numpy as np


def stabilizer_eps(dtype):
    """Stabilizer used by the Deep Taylor rules for a float dtype.

    ``sqrt(tiny)`` (about 1.5e-154 for float64, 1.1e-19 for float32) leaves
    every non-negligible denominator exact to rounding, so conservation holds
    to machine precision, while ``R / eps`` stays finite for any relevance
    below ``sqrt(max)``. A zero denominator means every contribution to that
    neuron is zero (the Deep Taylor contributions are non-negative), so the
    neuron passes on no relevance.
    """
    return np.sqrt(np.finfo(dtype).tiny)


def stabilize(z, eps, nonnegative=False):
    """Return ``z + eps * sign(z)`` with ``sign(0) = +1``, in place.

    With ``nonnegative=True`` the caller guarantees ``z >= 0`` (a sum of
    non-negative contributions, where -0.0 counts as 0), so the sign is +1.
    """
    z += eps if nonnegative else np.where(z >= 0, eps, -eps)
    return z


class PreparedLayer:
    """A rule bound to one fitted dense layer: the per-fit constants.

    Parameters
    ----------
    stacked_weights : ndarray of shape (n_parts * n_in, n_out)
        The modified weights ``V_k`` stacked along the input axis.
    n_parts : int
        Number of terms ``k`` in the rule's contributions.
    eps : float
        Stabilizer of the denominators.
    """

    #: Whether every contribution is >= 0, so that denominators are too.
    nonnegative = False

    def __init__(self, stacked_weights, n_parts, eps):
        self.stacked_weights = stacked_weights
        self.n_parts = n_parts
        self.eps = eps

    def parts(self, a):
        """Modified inputs ``A_k`` side by side, shape (n, n_parts * n_in)."""
        raise NotImplementedError

    def relprop(self, a, relevance):
        """Propagate relevance of shape (n, n_targets, n_out) to the layer input.

        `relevance` is overwritten: the propagation owns its buffers.
        """
        n, n_targets, n_out = relevance.shape
        parts = self.parts(a)
        z = stabilize(parts @ self.stacked_weights, self.eps, self.nonnegative)
        ratio = np.divide(relevance, z[:, np.newaxis, :], out=relevance)
        back = ratio.reshape(n * n_targets, n_out) @ self.stacked_weights.T
        back = back.reshape(n, n_targets, self.n_parts, -1)
        back *= parts.reshape(n, 1, self.n_parts, -1)
        if self.n_parts == 1:
            return back[:, :, 0, :]
        return back.sum(axis=2)


class _SignSplitLayer(PreparedLayer):
    """z^+ contributions ``(a_i w_ij)^+ = a_i^+ w_ij^+ + a_i^- w_ij^-``."""

    nonnegative = True

    def parts(self, a):
        if self.n_parts == 1:  # the input is known to be >= 0
            return a
        return np.hstack([np.maximum(a, 0), np.minimum(a, 0)])


class _BoxLayer(PreparedLayer):
    """z^β contributions ``(x_i - l_i) w_ij^+ + (x_i - h_i) w_ij^-``."""

    nonnegative = True

    def __init__(self, stacked_weights, low, high, eps):
        super().__init__(stacked_weights, 2, eps)
        self.low = low
        self.high = high

    def parts(self, x):
        n, d = x.shape
        parts = np.empty((n, 2 * d), dtype=self.stacked_weights.dtype)
        # Widen the box per sample so that it contains x: then both terms keep
        # their sign and relevance stays finite and conserved outside the box.
        np.maximum(np.subtract(x, self.low, out=parts[:, :d]), 0, out=parts[:, :d])
        np.minimum(np.subtract(x, self.high, out=parts[:, d:]), 0, out=parts[:, d:])
        return parts


def _split_weights(weight):
    return np.maximum(weight, 0), np.minimum(weight, 0)


class ZPlus:
    """The z^+ rule: ``z_ij = max(0, a_i w_ij)``, bias excluded.

    For layers whose inputs are non-negative (after ReLU or logistic units)
    this is ``a_i w_ij^+``, the Deep Taylor rule for ReLU layers.
    """

    def prepare(self, weight, *, nonnegative_input, **context):
        """Bind the rule to one layer's weights of shape (n_in, n_out)."""
        positive, negative = _split_weights(weight)
        eps = stabilizer_eps(weight.dtype)
        if nonnegative_input:
            return _SignSplitLayer(positive, 1, eps)
        return _SignSplitLayer(np.vstack([positive, negative]), 2, eps)


class ZBeta:
    """The z^β rule for inputs bounded by ``low <= x <= high``, bias excluded.

    ``z_ij = x_i w_ij - low_i w_ij^+ - high_i w_ij^-``; every term is
    non-negative inside the box, which is widened per sample to contain x.
    """

    def prepare(self, weight, *, low, high, **context):
        """Bind the rule to the first layer's weights and input bounds."""
        positive, negative = _split_weights(weight)
        dtype = weight.dtype
        return _BoxLayer(
            np.vstack([positive, negative]),
            np.asarray(low, dtype=dtype),
            np.asarray(high, dtype=dtype),
            stabilizer_eps(dtype),
        )


def deep_taylor(n_layers):
    """Rules of the "deep-taylor" preset: z^β first, z^+ on every later layer."""
    return [ZBeta()] + [ZPlus() for _ in range(n_layers - 1)]
