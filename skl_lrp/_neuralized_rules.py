"""Rules for neuralized models: k-means and one-class models rewritten as
small networks of squared distances pooled by a minimum (NEON).

The network has two layers: distance units (k-means: the linear
``h_k = ||x - mu_k||^2 - ||x - mu_c||^2``; one-class: the squared distances
to the support points) and a min-pooling on top. :class:`SoftMin` says how
the pooled score is shared among the units, the first rule
(:class:`Midpoint`, :class:`DistanceShare`) how each unit's share is split
among the input features. The arithmetic is in ``skl_lrp._neuralized``.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

# The stiffness that SoftMin(beta="auto") gives a k-means model, in units of
# 1 / m, m the mean margin of the fit data for their own clusters: chosen by
# measurement (`python benchmarks/clusters.py`: 8 tables x K = 2, 4, 8, 60
# rows each; columns perturbed most relevant first). Toward the nearest
# competitor a stiffer soft-min does better, toward the other clusters a
# softer one (mean AOPC, midpoint / members of the competitor / rows of other
# clusters: beta m = 1: .806/.857/.834, 4: .813/.861/.828, 8: .815/.862/.826,
# inf: .816/.863/.823, each +-.002); 4 has the best mean rank over the three
# (6.76 of 18 methods; 1: 7.10, 8: 6.94, inf: 7.35), within noise of the best
# mean AOPC, and moves less with the input than stiffer ones (||dR|| / ||R||
# for a 0.05 sd move: 0.083; 8: 0.088, inf: 0.097).
AUTO_STIFFNESS = 4.0
# The one-class models' SoftMin(beta="auto"), in units of 1 / s, s the mean
# squared distance of the fit rows to the support points (weighted as the
# model weights them). The kernel's own gamma (the density's posterior) puts
# nearly all of a training row's score on the row itself, as its own support
# point, which has no feature to give it to: planted outliers (5-8 sd in one
# column, fitted with the rest; KernelDensity with bandwidth 1 and 0.5,
# OneClassSVM(nu=0.1); 4 tables x 3 seeds) were found in their column for
# 0.64-0.72 of the rows, with 59-99% of the score dead. 1 / s found them for
# 1.00 (density) and 0.94 (SVM), with 5-10% dead; 4 / s: 0.73-0.84.
AUTO_OUTLIER_STIFFNESS = 1.0


class NeuralizedRule(BaseEstimator):
    """Base class of the rules that explain neuralized models."""

    _parameter_constraints: dict = {}


class Midpoint(NeuralizedRule):
    """Split each k-means unit ``h_k`` at the midpoint of its two centroids.

    The unit ``h_k(x) = ||x - mu_k||^2 - ||x - mu_c||^2`` comparing cluster
    ``c`` with a competitor ``k`` is linear in ``x``:
    ``h_k = w_k . (x - m_k)`` with ``w_k = 2 (mu_c - mu_k)`` and the root
    point ``m_k = (mu_c + mu_k) / 2`` on the boundary between the two
    clusters. Its relevance ``R_k`` goes to the input features in proportion
    to their terms: ``R_i = sum_k w_ik (x_i - m_ik) / h_k * R_k``, which sum
    to ``R_k`` exactly. A unit with ``|h_k|`` within rounding of 0 (a sample
    on that boundary) passes nothing on: its relevance is counted in the
    ledger's ``absorbed_dead`` column.

    References
    ----------
    J. Kauffmann et al., "From clustering to cluster explanations via neural
    networks", IEEE TNNLS 35(2), 2024.

    Examples
    --------
    >>> from skl_lrp.rules import Midpoint, SoftMin
    >>> [Midpoint(), SoftMin(beta=2.0)]
    [Midpoint(), SoftMin(beta=2.0)]
    """


class DistanceShare(NeuralizedRule):
    """Split a squared distance among the features by their terms.

    A one-class model's unit ``d_j = ||x - u_j||^2`` (the squared distance
    to support point ``u_j``) gives feature ``i`` the share
    ``(x_i - u_ji)^2 / d_j`` of its relevance: all of it is passed on, and
    every share is >= 0. A sample on a support point (``d_j = 0``) has no
    feature to give that unit's relevance to: it is counted in the ledger's
    ``absorbed_dead`` column.

    References
    ----------
    J. Kauffmann et al., "Towards explaining anomalies: a deep Taylor
    decomposition of one-class models", Pattern Recognition 101, 2020.

    Examples
    --------
    >>> from skl_lrp.rules import DistanceShare, SoftMin
    >>> [DistanceShare(), SoftMin()]
    [DistanceShare(), SoftMin()]
    """


class SoftMin(NeuralizedRule):
    """Share a min-pooled score among its units by a soft minimum.

    The score ``f`` (k-means: the margin, the hard minimum of the units
    ``h_k``, k != c; one-class: the model's soft minimum) goes to the units
    in proportions ``softmax(-beta * h)``: ``R_k = f * exp(-beta h_k) /
    sum_k' exp(-beta h_k')``, which sum to ``f``. The larger ``beta``, the
    more of it goes to the nearest competitor (``beta=inf``: all of it,
    split evenly among ties); ``beta=0`` shares it evenly.

    Parameters
    ----------
    beta : float or "auto", default="auto"
        The stiffness, in the inverse units of the pooled values (squared
        distances of the model's inputs). "auto": for k-means,
        ``4 / (mean margin of the fit data's own clusters)``, chosen by
        measurement (``benchmarks/clusters.py``: the margin falls about as
        fast as with the hardest minimum when the most relevant columns move
        toward the nearest competitor, and the relevance moves less with the
        input); for one-class models, ``1 / (mean squared distance of the
        fit rows to the support points)``, also chosen by measurement
        (``beta=gamma``, the kernel's own, makes ``R_j`` the share of
        support point ``j`` in the density at ``x``, which puts most of a
        training row's score on itself; see "Clusters and outliers"; it is
        the default only where that mean is 0: every fit row the same).

    References
    ----------
    J. Kauffmann et al., IEEE TNNLS 35(2), 2024.

    Examples
    --------
    >>> from skl_lrp.rules import SoftMin
    >>> SoftMin(beta=0.5)
    SoftMin(beta=0.5)
    """

    _parameter_constraints = {
        "beta": [Interval(Real, 0, np.inf, closed="both"), StrOptions({"auto"})],
    }

    def __init__(self, beta="auto"):
        self.beta = beta

    def weights(self, values, beta):
        """The share of each unit: ``softmax(-beta * values)`` along the
        last axis; entries of `values` that are ``+inf`` (no unit) get 0.

        Parameters
        ----------
        values : ndarray of shape (n_samples, n_units)
            The pooled values.
        beta : float
            The stiffness in effect (``beta`` with "auto" resolved).

        Returns
        -------
        weights : ndarray of shape (n_samples, n_units)
            Non-negative, each row summing to 1.
        """
        units = np.isfinite(values)
        gaps = np.where(units, values - values.min(axis=1, keepdims=True), 0)
        if np.isinf(beta):  # the nearest units, evenly
            weights = (gaps == 0) & units
        else:
            weights = np.where(units, np.exp(-beta * gaps), 0)
        weights = weights.astype(values.dtype, copy=False)
        weights /= weights.sum(axis=1, keepdims=True)
        return weights


def resolve_neuralized(rules, kind):
    """The (unit rule, SoftMin) pair that `rules` names for a neuralized
    model of `kind` ("clusters" or "outliers"): "auto", or the two rules
    bottom-up, as a list or tuple."""
    first = Midpoint if kind == "clusters" else DistanceShare
    if isinstance(rules, str):
        if rules != "auto":
            raise ValueError(
                f"rules={rules!r} applies to neural networks; a "
                f"{_MODELS[kind]} is explained with rules='auto' or "
                f"rules=[{first.__name__}(), SoftMin(beta=...)]."
            )
        return first(), SoftMin()
    listed = list(rules) if isinstance(rules, (list, tuple)) else None
    if (
        listed is None
        or len(listed) != 2
        or not isinstance(listed[0], first)
        or not isinstance(listed[1], SoftMin)
    ):
        raise ValueError(
            f"A {_MODELS[kind]} is explained with rules='auto' or "
            f"rules=[{first.__name__}(), SoftMin(beta=...)] (the distance "
            f"units' rule, then the pooling's); got rules={rules!r}."
        )
    for rule in listed:
        rule._validate_params()
    return listed[0], listed[1]


_MODELS = {"clusters": "k-means model", "outliers": "one-class model"}
