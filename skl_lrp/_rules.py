"""Relevance rules for dense layers: what each rule's contributions are.

A rule chooses the contributions ``z_ij`` of input ``i`` to neuron ``j``;
relevance then flows as ``R_i = sum_j z_ij / s(sum_i' z_i'j) * R_j``. Every
rule here writes its contributions as one or more *groups*, each a sum of
products of a modified input and a modified weight,
``z_ij = sum_k A_k(a)_i * V_k[i, j]``, plus the contribution of the bias (an
input fixed at 1) when the rule's ``bias`` is True. A group has its own
denominator and a share of the neuron's relevance (AlphaBeta: ``alpha`` and
``-beta``; Gamma: the group matching the sign of the neuron's output). A
*fallback* group serves only the neurons whose denominator vanished in the
group before it (z^+: a neuron whose output is negative and that no input
pushes up passes its relevance on through the inputs that push it down,
instead of losing it).

A *secant* group (:class:`Rescale`) explains a difference from reference
rows: its modified input is ``a - a(r)`` and its denominator the difference
of the neuron's pre-activations at ``x`` and at ``r`` (see
:meth:`BoundLayer.secant`); the batch then holds one row per (sample,
reference) pair.

Rules only *describe*: :meth:`Rule.bind` resolves a rule's parameters on one
fitted layer (ZBeta its box, Rescale its reference rows) into a
:class:`BoundLayer` of plain arrays. The
engines compute with it: ``_lrp`` as the textbook writes it, ``_fast`` with
the shortcuts that make it fast.
"""

from dataclasses import dataclass, replace
from numbers import Real

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

# Modified inputs A_k, by name.
IDENTITY, POSITIVE, NEGATIVE, ONES, ABOVE_LOW, BELOW_HIGH, DIFFERENCE = (
    "a",
    "a+",
    "a-",
    "1",
    "x-low",
    "high-x",
    "a-ref",
)

# The hidden activations and their derivatives, in terms of the
# pre-activation z and the activation a = f(z).
_ACTIVATIONS = {
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "logistic": (expit, lambda z, a: a * (1 - a)),
}


def stabilizer_eps(dtype):
    """Default stabilizer of the denominators for a float dtype.

    ``sqrt(tiny)`` (about 1.5e-154 for float64, 1.1e-19 for float32) leaves
    every non-vanishing denominator exact to rounding, so conservation holds
    to machine precision, while ``R / eps`` stays finite for any relevance
    below ``sqrt(max)``.
    """
    return np.sqrt(np.finfo(dtype).tiny)


def stabilize(z, eps, nonnegative=False):
    """Return ``z + eps * sign(z)`` with ``sign(0) = +1``, in place.

    With ``nonnegative=True`` the caller guarantees ``z >= 0`` (a sum of
    non-negative contributions, where -0.0 counts as 0), so the sign is +1.
    """
    z += eps if nonnegative else np.where(z >= 0, eps, -eps)
    return z


@dataclass
class Group:
    """One denominator's worth of contributions, bound to a layer.

    Parameters
    ----------
    parts : tuple of str
        Names of the modified inputs ``A_k``.
    weights : ndarray of shape (len(parts) * n_in, n_out)
        The modified weights ``V_k``, stacked along the input axis.
    bias : ndarray of shape (n_out,) or None
        Contribution of the bias input (fixed at 1), or None.
    share : float
        Factor of the neuron's relevance this group distributes.
    sign : {None, 1, -1}
        If set, the group serves only neurons whose output has this sign
        (output >= 0 counts as positive).
    nonnegative : bool
        Whether every contribution is >= 0, so that the denominator is too.
    fallback : bool
        If True, the group serves only the neurons whose denominator in the
        group before it is exactly 0 (and that its `sign` admits).
    secant : bool
        If True, the denominators are the differences of the neurons'
        pre-activations between each row and its reference row, not the
        sums of the contributions (equal to them but for rounding), and
        relevance passes through each neuron by the activation's secant
        slope (:meth:`BoundLayer.secant`).
    preactivation : bool
        Whether the denominators are the layer's own pre-activation (the
        input times the layer's weights, plus its bias: LRP-0 and LRP-ε),
        which the forward pass computes anyway.
    """

    parts: tuple
    weights: np.ndarray
    bias: np.ndarray = None
    share: float = 1.0
    sign: int = None
    nonnegative: bool = False
    fallback: bool = False
    secant: bool = False
    preactivation: bool = False

    def split_weights(self):
        """The modified weights ``V_k``, one per part."""
        return np.split(self.weights, len(self.parts))


@dataclass
class BoundLayer:
    """A rule bound to one fitted dense layer: all the engines need.

    Parameters
    ----------
    groups : list of Group
        The rule's contributions.
    eps : float
        Stabilizer of the denominators (absolute, or relative to the RMS of
        each sample's pre-activations with `relative_eps`).
    relative_eps : bool
        Scale `eps` per sample by the RMS of the layer's pre-activations.
    weight : ndarray of shape (n_in, n_out)
        The layer's weights.
    bias : ndarray of shape (n_out,)
        The layer's bias.
    low, high : ndarray of shape (n_in,) or None
        The z^β box in the layer's float type; equal, a root point.
    box : tuple of two ndarray of shape (n_in,) or None
        The same box as the rule resolved it, in float64: what the
        explainer reports as ``low_`` and ``high_``.
    units : ndarray of shape (n_in,) or None
        With a root point: inputs with the same value encode one column of
        the user's data and contribute as one (their net push, when > 0).
    share_dead : bool
        With a root point: a neuron no deviation pushes up hands its
        relevance to the other neurons of the row (in proportion to their
        absolute relevance) instead of losing it.
    reference : ndarray of shape (n_references, n_in) or None
        With a secant group: the layer's input at each reference row. Row
        ``p`` of a batch is paired with reference ``p % n_references``.
    reference_output : ndarray of shape (n_references, n_out) or None
        With a secant group: the layer's pre-activation at each reference.
    activation : str
        The activation that follows the layer ("identity" for the output).
    """

    groups: list
    eps: float
    relative_eps: bool
    weight: np.ndarray
    bias: np.ndarray
    low: np.ndarray = None
    high: np.ndarray = None
    box: tuple = None
    units: np.ndarray = None
    share_dead: bool = False
    reference: np.ndarray = None
    reference_output: np.ndarray = None
    activation: str = "identity"

    @property
    def needs_preactivation(self):
        """Whether the rule reads the layer's pre-activation on every row (a
        fallback group reads it only on the rows it serves, which are few)."""
        return self.relative_eps or any(
            g.sign is not None and not g.fallback for g in self.groups
        )

    def part(self, name, a, out=None):
        """The modified input `name` of the layer input `a` (written into
        `out` when given: the fast engine stacks a group's parts in one
        array)."""
        if name == POSITIVE:
            return np.maximum(a, 0, out=out)
        if name == NEGATIVE:
            return np.minimum(a, 0, out=out)
        # z^β: the box is widened per sample so that it contains x; both
        # terms then stay >= 0, and relevance finite outside it.
        if name in (ABOVE_LOW, BELOW_HIGH):
            if name == ABOVE_LOW:
                difference = np.subtract(a, self.low, out=out)
            else:
                difference = np.subtract(self.high, a, out=out)
            return np.maximum(difference, 0, out=difference)
        if name == IDENTITY:
            value = a
        elif name == ONES:
            value = np.ones_like(a) if out is None else 1
        else:  # DIFFERENCE
            value = paired(a, self.reference, np.subtract)
        if out is None:
            return value
        out[...] = value
        return out

    def secant(self, preactivation, references=slice(None)):
        """The secant slope of the activation that follows the layer, per
        neuron, between each row of a batch of (sample, reference) pairs
        and its reference row.

        Relevance passes through a neuron in proportion to ``da / dz``
        (``da``, ``dz``: the differences of its activation and of its
        pre-activation). Where ``dz`` is within rounding of 0,
        ``|dz| <= sqrt(eps) * (|z| + |z_r|)`` (0 included), that ratio is
        mostly rounding error or undefined, and the activation is
        linearized at the row: its derivative there is the slope. For the
        identity (the output layer) the slope is 1.

        Parameters
        ----------
        preactivation : ndarray of shape (n_pairs, n_out)
            The layer's pre-activation at each row of the batch.
        references : slice, default=slice(None)
            The reference rows the batch's pairs use (row ``p`` is paired
            with the ``p % n``-th of them).

        Returns
        -------
        slope, dz, da : ndarray of shape (n_pairs, n_out)
        linearized : ndarray of bool of shape (n_pairs, n_out) or None
            Where the derivative replaced the secant; None for the identity.
        """
        reference = self.reference_output[references]
        dz = paired(preactivation, reference, np.subtract)
        if self.activation == "identity":
            return np.ones_like(dz), dz, dz, None
        function, derivative = _ACTIVATIONS[self.activation]
        a = function(preactivation)
        da = paired(a, function(reference), np.subtract)
        size = paired(np.abs(preactivation), np.abs(reference), np.add)
        linearized = np.abs(dz) <= np.sqrt(np.finfo(dz.dtype).eps) * size
        slope = np.divide(da, dz, out=np.zeros_like(dz), where=~linearized)
        if linearized.any():
            rows = np.flatnonzero(linearized.any(axis=1))
            tangent = derivative(preactivation[rows], a[rows])
            slope[rows] = np.where(linearized[rows], tangent, slope[rows])
        return slope, dz, da, linearized

    def stabilizer(self, preactivation=None):
        """The stabilizer: a scalar, or one per sample (n, 1) when relative."""
        if not self.relative_eps:
            return self.eps
        rms = np.sqrt(np.mean(np.square(preactivation), axis=1, keepdims=True))
        return np.maximum(self.eps * rms, stabilizer_eps(preactivation.dtype))

    def astype(self, dtype):
        """This layer with its arrays in the float type `dtype`."""

        def cast(value):
            return None if value is None else np.asarray(value, dtype=dtype)

        groups = [
            replace(g, weights=cast(g.weights), bias=cast(g.bias)) for g in self.groups
        ]
        default = self.eps == stabilizer_eps(np.asarray(self.eps).dtype)
        return replace(
            self,
            groups=groups,
            eps=cast(stabilizer_eps(dtype) if default else self.eps),
            weight=cast(self.weight),
            bias=cast(self.bias),
            low=cast(self.low),
            high=cast(self.high),
            reference=cast(self.reference),
            reference_output=cast(self.reference_output),
        )


def paired(rows, references, operation):
    """``operation(row, its reference)`` for every row of a batch of
    (sample, reference) pairs: row ``p`` is paired with reference
    ``p % len(references)``."""
    n_references, width = references.shape
    pairs = rows.reshape(-1, n_references, width)
    return operation(pairs, references).reshape(rows.shape)


@dataclass(frozen=True)
class Context:
    """What a rule may need to know of its layer beyond the weights.

    Parameters
    ----------
    nonnegative_input : bool
        Whether the layer's input is >= 0 (after relu or logistic units).
    statistics : dict or None
        "min", "max" and "mean" of the layer's inputs over the fit data,
        where a rule learns from them (:meth:`Rule.learns_from_data`).
    bounds : str, tuple or None
        The explainer's ``bounds``, on the first layer only.
    units : ndarray of shape (n_in,) or None
        The column of the user's data each input is made from (first layer).
    reference : tuple of ndarray or None
        The layer's inputs (n_references, n_in) and pre-activations
        (n_references, n_out) at the explainer's baseline rows, or None
        without a baseline.
    activation : str
        The activation that follows the layer ("identity" for the output).
    where : str
        How to name the rule in error messages.
    """

    nonnegative_input: bool = False
    statistics: dict = None
    bounds: object = None
    units: np.ndarray = None
    reference: tuple = None
    activation: str = "identity"
    where: str = "rule"


# The named root points of the first layer's z^β rule, the default first.
ROOT_POINTS = ("column-mean", "mean", "data")


def check_box(low, high, width, name):
    """Validated float64 copies of a box given as scalars or arrays."""
    box = []
    for side, value in (("low", low), ("high", high)):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} {side} must be numeric; got {value!r}.") from None
        if value.ndim == 0:
            value = np.full(width, value)
        if value.shape != (width,):
            raise ValueError(
                f"{name} {side} must be a scalar or have shape ({width},) to "
                f"match the layer's inputs; got shape {value.shape}."
            )
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} {side} must be finite.")
        box.append(value.copy())
    if np.any(box[0] > box[1]):
        bad = np.flatnonzero(box[0] > box[1]).tolist()
        raise ValueError(f"{name} need low <= high; violated for inputs {bad}.")
    return tuple(box)


def resolve_box(bounds, statistics, width):
    """The first layer's box that the explainer's `bounds` names.

    A named root point is read off `statistics` (of the layer's inputs over
    the fit data); a tuple ``(low, high)`` is checked.
    """
    if isinstance(bounds, str):
        if bounds == "data":
            return statistics["min"], statistics["max"]
        return statistics["mean"], statistics["mean"]
    if len(bounds) != 2:
        raise ValueError(
            f"bounds must be one of {ROOT_POINTS} or a tuple (low, high); got a "
            f"tuple of length {len(bounds)}."
        )
    return check_box(*bounds, width, "bounds")


def named(value, name):
    """Whether a parameter's `value` is the string `name` (it may also be an
    array, a list or a tuple, which numpy would compare elementwise)."""
    return isinstance(value, str) and value == name


class Rule(BaseEstimator):
    """Base class of the relevance rules.

    A rule is a stateless description: its parameters say how to build the
    contributions ``z_ij``; :meth:`bind` resolves them on one layer.
    Subclasses implement ``_groups(weight, bias)``, returning a list of
    ``(terms, bias_contribution, options)`` with ``terms`` a list of
    ``(input_part, modified_weight)`` pairs and ``options`` the keyword
    arguments of :class:`Group` beyond parts, weights and bias.
    """

    _parameter_constraints = {"bias": ["boolean"]}

    def _eps(self, dtype):
        return stabilizer_eps(dtype), False

    def learns_from_data(self, context):
        """Whether :meth:`bind` needs ``context.statistics`` of the layer's
        inputs over the fit data.

        Parameters
        ----------
        context : Context
            What the rule knows of its layer.

        Returns
        -------
        learns : bool
            False for this rule.
        """
        return False

    def bind(self, weight, bias, context=None):
        """Resolve the rule on a dense layer.

        Parameters
        ----------
        weight : ndarray of shape (n_in, n_out)
            The layer's weights.
        bias : ndarray of shape (n_out,)
            The layer's bias; used only when the rule's ``bias`` is True.
        context : Context, default=None
            What else the rule may need: whether the input is >= 0 (which
            lets it drop terms that vanish), statistics of the inputs.

        Returns
        -------
        layer : BoundLayer
            The rule's groups and constants on this layer.
        """
        self._validate_params()
        context = context or Context()
        groups = []
        for terms, bias_part, options in self._groups(
            weight, bias if self.bias else None
        ):
            if context.nonnegative_input:  # a^- = 0 and a^+ = a
                terms = [
                    (IDENTITY if part == POSITIVE else part, v)
                    for part, v in terms
                    if part != NEGATIVE
                ]
            parts = tuple(part for part, _ in terms)
            stacked = np.vstack([v for _, v in terms]).astype(weight.dtype, copy=False)
            if bias_part is not None:
                bias_part = np.asarray(bias_part, dtype=weight.dtype)
            groups.append(Group(parts, stacked, bias_part, **options))
        eps, relative = self._eps(weight.dtype)
        return BoundLayer(
            groups,
            eps,
            relative,
            weight=weight,
            bias=np.asarray(bias, dtype=weight.dtype),
        )


def _pos(values):
    return np.maximum(values, 0)


def _neg(values):
    return np.minimum(values, 0)


class LRP0(Rule):
    """The basic rule (LRP-0, "z rule"): ``z_ij = a_i w_ij``.

    Relevance is redistributed in proportion to each input's signed
    contribution to the neuron's output; denominators near zero make it
    noisy, which is what :class:`Epsilon` fixes.

    Parameters
    ----------
    bias : bool, default=True
        Treat the bias as an input fixed at 1 (contribution ``b_j``).

    References
    ----------
    S. Bach et al., "On pixel-wise explanations for non-linear classifier
    decisions by layer-wise relevance propagation", PLoS ONE 10(7), 2015.

    Examples
    --------
    >>> from skl_lrp.rules import LRP0
    >>> LRP0(bias=False)
    LRP0(bias=False)
    """

    def __init__(self, bias=True):
        self.bias = bias

    def _groups(self, weight, bias):
        return [([(IDENTITY, weight)], bias, {"preactivation": bias is not None})]


class Epsilon(Rule):
    """LRP-ε: ``z_ij = a_i w_ij`` with the denominator pushed away from zero.

    The denominator is ``z_j + eps * sign(z_j)``: weak or contradictory
    contributions are absorbed by the stabilizer instead of being amplified,
    which gives sparser, less noisy explanations.

    Parameters
    ----------
    epsilon : float, default=1e-6
        The stabilizer ``eps`` (absolute), or its factor when ``scale="rms"``.
    bias : bool, default=True
        Treat the bias as an input fixed at 1 (contribution ``b_j``).
    scale : {None, "rms"}, default=None
        "rms" makes the stabilizer ``epsilon`` times the root mean square of
        the layer's pre-activations, computed for each sample on its own (as
        in the tutorial of Montavon et al., 2019, but never across rows).

    References
    ----------
    S. Bach et al., PLoS ONE 10(7), 2015; G. Montavon et al., "Layer-wise
    relevance propagation: an overview", 2019.

    Examples
    --------
    >>> from skl_lrp.rules import Epsilon
    >>> Epsilon(epsilon=0.25, scale="rms")
    Epsilon(epsilon=0.25, scale='rms')
    """

    _parameter_constraints = {
        **Rule._parameter_constraints,
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "scale": [StrOptions({"rms"}), None],
    }

    def __init__(self, epsilon=1e-6, bias=True, scale=None):
        self.epsilon = epsilon
        self.bias = bias
        self.scale = scale

    def _eps(self, dtype):
        # Never below the default: 0 (all-zero pre-activations, or an epsilon
        # that rounds to 0 in float32) would divide by zero.
        return max(self.epsilon, stabilizer_eps(dtype)), self.scale == "rms"

    def _groups(self, weight, bias):
        return [([(IDENTITY, weight)], bias, {"preactivation": bias is not None})]


class ZPlus(Rule):
    """The z^+ rule: ``z_ij = max(0, a_i w_ij)``.

    Only positive contributions count. For non-negative inputs (after relu
    or logistic units) this is ``a_i w_ij^+``, the Deep Taylor rule for
    layers above the first; without bias, relevance is conserved exactly.
    A neuron whose output is negative and that no input pushes up (every
    ``a_i w_ij <= 0``; an output unit predicting below 0 whose active inputs
    all meet negative weights, say) owes its output to the inputs that push
    it down: they take its relevance, ``z_ij = min(0, a_i w_ij)``, rather
    than it being lost. A neuron with no input pushing it up and an output
    >= 0 (its bias's doing) passes nothing on (the ledger's dead).

    Parameters
    ----------
    bias : bool, default=False
        Treat the bias as an input fixed at 1 (contribution ``b_j^+``).

    References
    ----------
    G. Montavon et al., "Explaining nonlinear classification decisions with
    deep Taylor decomposition", Pattern Recognition 65, 2017.

    Examples
    --------
    >>> from skl_lrp.rules import ZPlus
    >>> ZPlus().get_params()
    {'bias': False}
    """

    def __init__(self, bias=False):
        self.bias = bias

    def _groups(self, weight, bias):
        terms = [(POSITIVE, _pos(weight)), (NEGATIVE, _neg(weight))]
        down = [(POSITIVE, _neg(weight)), (NEGATIVE, _pos(weight))]
        return [
            (terms, None if bias is None else _pos(bias), {"nonnegative": True}),
            (
                down,
                None if bias is None else _neg(bias),
                {"fallback": True, "sign": -1},
            ),
        ]


class AlphaBeta(Rule):
    """LRP-αβ: positive and negative contributions normalized apart.

    ``R_i = sum_j (alpha * z+_ij / sum_i' z+_i'j - beta * z-_ij / sum_i' z-_i'j) R_j``
    with ``z+_ij = max(0, a_i w_ij)`` and ``z-_ij = min(0, a_i w_ij)``.
    ``alpha - beta = 1`` keeps the total; a neuron with no positive (or no
    negative) contribution loses that part, which the ledger reports.

    Parameters
    ----------
    alpha : float, default=2
        Weight of the positive contributions.
    beta : float, default=1
        Weight of the negative contributions; ``alpha - beta`` must be 1.
    bias : bool, default=True
        Treat the bias as an input fixed at 1 (``b_j^+`` joins the positive
        and ``b_j^-`` the negative contributions).

    References
    ----------
    S. Bach et al., PLoS ONE 10(7), 2015.

    Examples
    --------
    >>> from skl_lrp.rules import AlphaBeta
    >>> AlphaBeta(alpha=1, beta=0)
    AlphaBeta(alpha=1, beta=0)
    """

    _parameter_constraints = {
        **Rule._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, alpha=2, beta=1, bias=True):
        self.alpha = alpha
        self.beta = beta
        self.bias = bias

    def _groups(self, weight, bias):
        if not np.isclose(self.alpha - self.beta, 1.0, rtol=0, atol=1e-12):
            raise ValueError(
                f"AlphaBeta needs alpha - beta == 1 to conserve relevance; got "
                f"alpha={self.alpha}, beta={self.beta}."
            )
        positive, negative = _pos(weight), _neg(weight)
        groups = [
            (
                [(POSITIVE, positive), (NEGATIVE, negative)],
                None if bias is None else _pos(bias),
                {"share": float(self.alpha), "nonnegative": True},
            )
        ]
        if self.beta:
            groups.append(
                (
                    [(POSITIVE, negative), (NEGATIVE, positive)],
                    None if bias is None else _neg(bias),
                    {"share": -float(self.beta)},
                )
            )
        return groups


class Gamma(Rule):
    """LRP-γ, generalized: contributions of the neuron's own sign are boosted.

    For a neuron whose output ``z_j`` (the pre-activation) is >= 0,
    ``z_ij = a_i w_ij + gamma * max(0, a_i w_ij)``; for ``z_j < 0``,
    ``z_ij = a_i w_ij + gamma * min(0, a_i w_ij)`` (Zennit's generalized
    form, which keeps the denominator away from zero for either sign).

    Parameters
    ----------
    gamma : float, default=0.25
        How much the contributions of the output's sign are boosted.
    bias : bool, default=True
        Treat the bias as an input fixed at 1 (contribution
        ``b_j + gamma * b_j^+`` or ``b_j + gamma * b_j^-``).

    References
    ----------
    G. Montavon et al., "Layer-wise relevance propagation: an overview", in
    Explainable AI, LNCS 11700, 2019; C. J. Anders et al., "Software for
    dataset-wide XAI: from local explanations to global insights with
    Zennit, CoRelAy, and ViRelAy", 2021.

    Examples
    --------
    >>> from skl_lrp.rules import Gamma
    >>> Gamma(gamma=0.5)
    Gamma(gamma=0.5)
    """

    _parameter_constraints = {
        **Rule._parameter_constraints,
        "gamma": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, gamma=0.25, bias=True):
        self.gamma = gamma
        self.bias = bias

    def _groups(self, weight, bias):
        boost_pos = weight + self.gamma * _pos(weight)
        boost_neg = weight + self.gamma * _neg(weight)
        return [
            (
                [(POSITIVE, boost_pos), (NEGATIVE, boost_neg)],
                None if bias is None else bias + self.gamma * _pos(bias),
                {"sign": 1},
            ),
            (
                [(POSITIVE, boost_neg), (NEGATIVE, boost_pos)],
                None if bias is None else bias + self.gamma * _neg(bias),
                {"sign": -1},
            ),
        ]


class ZBeta(Rule):
    """The z^β rule for inputs in a box ``low <= x <= high``.

    ``z_ij = x_i w_ij - low_i w_ij^+ - high_i w_ij^-``: every term is >= 0
    inside the box. A sample outside it is explained with the box widened
    just enough to contain it (``low -> min(low, x)``, ``high -> max(high,
    x)``), so relevance stays finite and conserved. The Deep Taylor rule for
    the first layer of a network on real-valued inputs.

    Parameters
    ----------
    low, high : float, array-like of shape (n_in,) or None, default=None
        The box. None learns it in the explainer's ``fit``: the explainer's
        ``bounds`` on the first layer, the range of the layer's inputs over
        the fit data on a hidden layer.
    bias : bool, default=False
        Treat the bias as an input fixed at 1; its box is [1, 1], so its
        three terms cancel and it takes no relevance either way.

    References
    ----------
    G. Montavon et al., Pattern Recognition 65, 2017.

    Examples
    --------
    >>> from skl_lrp.rules import ZBeta
    >>> ZBeta(low=-1, high=1)
    ZBeta(high=1, low=-1)
    """

    _parameter_constraints = {
        **Rule._parameter_constraints,
        "low": ["array-like", Real, None],
        "high": ["array-like", Real, None],
    }

    def __init__(self, low=None, high=None, bias=False):
        self.low = low
        self.high = high
        self.bias = bias

    def learns_from_data(self, context):
        """Whether the box comes from the fit data: the named root point of
        the first layer, or the range of a hidden layer's inputs.

        Parameters
        ----------
        context : Context
            What the rule knows of its layer (``bounds`` on the first).

        Returns
        -------
        learns : bool
            True when ``bind`` needs ``context.statistics``.
        """
        if context.bounds is not None:  # the first layer
            explicit = self.low is not None and self.high is not None
            return not explicit and isinstance(context.bounds, str)
        return self.low is None or self.high is None

    def bind(self, weight, bias, context=None):
        """Resolve the rule, and its box, on a dense layer.

        Parameters
        ----------
        weight : ndarray of shape (n_in, n_out)
            The layer's weights.
        bias : ndarray of shape (n_out,)
            The layer's bias (takes no relevance under this rule).
        context : Context, default=None
            Where the box comes from when ``low`` or ``high`` is None: the
            explainer's ``bounds`` on the first layer (with "column-mean"
            for the whole box, a root point: the inputs of one column,
            ``context.units``, count as one and no relevance is lost at a
            neuron no deviation pushes up), the range of the layer's inputs
            on a hidden layer.

        Returns
        -------
        layer : BoundLayer
            The rule's groups, its box and constants on this layer.
        """
        context = context or Context()
        low, high = self.box(weight.shape[0], context)
        extra = {}
        at_mean = self.low is None and self.high is None
        if at_mean and named(context.bounds, "column-mean"):
            units = context.units
            extra = {"units": np.arange(len(low)) if units is None else units}
            extra["share_dead"] = True
        dtype = weight.dtype
        return replace(
            Rule.bind(self, weight, bias, replace(context, nonnegative_input=False)),
            low=low.astype(dtype),
            high=high.astype(dtype),
            box=(low, high),
            **extra,
        )

    def _learned(self):
        return self.low is None or self.high is None

    def box(self, width, context):
        """The box ``(low, high)`` on a layer of `width` inputs, in float64:
        the rule's own, or learned as :meth:`bind` says (`context`).

        Parameters
        ----------
        width : int
            Number of the layer's inputs.
        context : Context
            Where a box that is not given comes from.

        Returns
        -------
        low, high : ndarray of shape (width,)
            The box, validated.
        """
        learned = self._learned()
        if not learned:
            low, high = self.low, self.high
        elif context.bounds is not None:
            low, high = resolve_box(context.bounds, context.statistics, width)
        elif context.statistics is not None:
            low, high = context.statistics["min"], context.statistics["max"]
        else:
            raise ValueError("ZBeta needs the input bounds low and high.")
        if learned and self.low is not None:
            low = self.low
        if learned and self.high is not None:
            high = self.high
        return check_box(low, high, width, context.where)

    def _groups(self, weight, bias):
        terms = [(ABOVE_LOW, _pos(weight)), (BELOW_HIGH, _pos(-weight))]
        bias_part = None if bias is None else np.zeros_like(bias)
        return [(terms, bias_part, {"nonnegative": True})]


class Rescale(Rule):
    """LRP-0 on differences from a reference: DeepLIFT's Rescale rule.

    The explainer's ``baseline`` gives reference rows ``r``; each sample is
    explained against each of them, and the relevance averaged. Against one
    reference, ``z_ij = (a_i - a_i(r)) w_ij`` and the denominator is the
    difference of the neuron's pre-activations, ``z_j - z_j(r)``: the
    relevance of ``f(x) - f(r)`` flows down with the reference's activations
    as root points at every layer (a Deep Taylor decomposition), biases
    cancel, and relevance is signed: positive where an input's change from
    the reference pushes the score up, negative where it pulls it down.

    Per neuron, relevance is passed on through the activation's secant
    slope ``(a - a(r)) / (z - z(r))``, as a multiplier when the layer above
    is a Rescale one too (DeepLIFT's form). Where ``z - z(r)`` is within
    rounding of 0, or is 0, the activation is linearized at ``x``: its
    derivative replaces the secant (what that leaves over, second order in
    the difference, goes to the ledger's stabilizer column). Below another
    rule, a neuron whose relevance cannot be passed that way (it holds
    relevance, but neither its pre-activation nor its activation differs
    from the reference's) loses it to the ledger's dead column.

    The rule has no parameters: biases cancel in the differences.

    References
    ----------
    A. Shrikumar, P. Greenside and A. Kundaje, "Learning important features
    through propagating activation differences", ICML 2017; S. M. Lundberg
    and S.-I. Lee, "A unified approach to interpreting model predictions",
    NeurIPS 2017 (DeepSHAP: averaged over background rows).

    Examples
    --------
    >>> from skl_lrp.rules import Rescale
    >>> Rescale()
    Rescale()
    """

    _parameter_constraints = {}
    bias = False  # (biases cancel; read by Rule.bind)

    def bind(self, weight, bias, context=None):
        """Resolve the rule, and its reference rows, on a dense layer.

        Parameters
        ----------
        weight : ndarray of shape (n_in, n_out)
            The layer's weights.
        bias : ndarray of shape (n_out,)
            The layer's bias (cancels: it takes no relevance).
        context : Context
            ``context.reference``: the layer's inputs and pre-activations at
            the explainer's baseline rows; ``context.activation``: the
            activation that follows the layer.

        Returns
        -------
        layer : BoundLayer
            The rule's group, its reference rows and constants on this layer.
        """
        context = context or Context()
        if context.reference is None:
            raise ValueError(
                f"{context.where} explains a difference from reference rows: "
                "give the explainer a baseline (baseline='mean', a number of "
                "background rows, or rows of X)."
            )
        inputs, outputs = context.reference
        dtype = weight.dtype
        return replace(
            Rule.bind(self, weight, bias, replace(context, nonnegative_input=False)),
            reference=np.asarray(inputs, dtype=dtype),
            reference_output=np.asarray(outputs, dtype=dtype),
            activation=context.activation,
        )

    def _groups(self, weight, bias):
        return [([(DIFFERENCE, weight)], None, {"secant": True})]


class WSquare(Rule):
    """The w² rule: ``z_ij = w_ij ** 2``, independent of the input.

    Each neuron's relevance goes to its inputs in proportion to the squared
    weights: the Taylor expansion at the nearest root point along ``w``
    (Montavon et al., 2017; the seed article of this project). Suited to a
    first layer whose inputs are unbounded.

    Parameters
    ----------
    bias : bool, default=False
        Treat the bias as an input fixed at 1 (contribution ``b_j ** 2``).

    References
    ----------
    G. Montavon et al., Pattern Recognition 65, 2017.

    Examples
    --------
    >>> from skl_lrp.rules import WSquare
    >>> WSquare(bias=True)
    WSquare(bias=True)
    """

    def __init__(self, bias=False):
        self.bias = bias

    def _groups(self, weight, bias):
        bias_part = None if bias is None else np.square(bias)
        return [([(ONES, np.square(weight))], bias_part, {"nonnegative": True})]


class Flat(Rule):
    """The flat rule: ``z_ij = 1``; every input gets an equal share.

    Parameters
    ----------
    bias : bool, default=False
        Treat the bias as an input fixed at 1 (contribution 1).

    References
    ----------
    S. Lapuschkin et al., "Unmasking Clever Hans predictors and assessing
    what machines really learn", Nature Communications 10, 2019.

    Examples
    --------
    >>> from skl_lrp.rules import Flat
    >>> Flat()
    Flat()
    """

    def __init__(self, bias=False):
        self.bias = bias

    def _groups(self, weight, bias):
        bias_part = None if bias is None else np.ones_like(bias)
        return [([(ONES, np.ones_like(weight))], bias_part, {"nonnegative": True})]
