"""Relevance rules for dense layers and the one mechanism they share.

A rule chooses the contributions ``z_ij`` of input ``i`` to neuron ``j``;
relevance then flows as ``R_i = sum_j z_ij / s(sum_i' z_i'j) * R_j``. Every
rule here writes its contributions as one or more *groups*, each a sum of
products of a modified input and a modified weight,
``z_ij = sum_k A_k(a)_i * V_k[i, j]``, plus the contribution of the bias (an
input fixed at 1) when the rule's ``bias`` is True. A group has its own
denominator and a share of the neuron's relevance (AlphaBeta: ``alpha`` and
``-beta``; Gamma: the group matching the sign of the neuron's output).

The modified weights ``V_k`` do not depend on the sample: a rule builds them
once per fit (:meth:`Rule.prepare`), and :class:`PreparedLayer` does the matrix
work of a batch with one product upward (the denominators) and one downward.
"""

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

# Modified inputs A_k, by name.
IDENTITY, POSITIVE, NEGATIVE, ONES, ABOVE_LOW, BELOW_HIGH = (
    "a",
    "a+",
    "a-",
    "1",
    "x-low",
    "high-x",
)


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
    """

    def __init__(
        self, parts, weights, bias=None, share=1.0, sign=None, nonnegative=False
    ):
        self.parts = parts
        self.weights = weights
        self.bias = bias
        self.share = share
        self.sign = sign
        self.nonnegative = nonnegative


class PreparedLayer:
    """A rule bound to one fitted dense layer: the per-fit constants.

    Parameters
    ----------
    groups : list of Group
        The rule's contributions.
    eps : float
        Stabilizer of the denominators (absolute, or relative to the RMS of
        each sample's pre-activations when `relative_eps`).
    relative_eps : bool
        Scale `eps` per sample by the RMS of the layer's pre-activations.
    low, high : ndarray of shape (n_in,) or None
        Input bounds, for the z^β parts.
    weight : ndarray of shape (n_in, n_out)
        The layer's weights, for the forward pass.
    bias : ndarray of shape (n_out,)
        The layer's bias, for the forward pass.
    """

    def __init__(
        self,
        groups,
        eps,
        relative_eps=False,
        low=None,
        high=None,
        weight=None,
        bias=None,
    ):
        self.groups = groups
        self.eps = eps
        # On the default stabilizer only an exactly-zero denominator may lose
        # relevance; tiny ones are handled at a higher precision.
        dtype = np.asarray(eps).dtype
        self.exact = not relative_eps and eps == stabilizer_eps(dtype)
        # Denominators below this, but not 0, are redone at a wider precision.
        self._guard = eps / np.finfo(dtype).eps if self.exact else 0
        self.relative_eps = relative_eps
        self.low = low
        self.high = high
        self.weight = weight
        self.bias = bias
        # LRP-0 and LRP-ε (with the bias) divide by the layer's own
        # pre-activation, which the forward pass computes anyway.
        self._from_output = [
            index
            for index, g in enumerate(groups)
            if weight is not None
            and g.parts == (IDENTITY,)
            and g.bias is not None
            and np.array_equal(g.weights, weight)
            and np.array_equal(g.bias, bias)
        ]

    def forward(self, a, take=None):
        """The layer's pre-activation, and what relprop may reuse (or None).

        `take(name, shape)` gives the work arrays (see :class:`Scratch`);
        None allocates them.
        """
        take = take or _allocate(a.dtype)
        z = np.matmul(
            a, self.weight, out=take("output", (len(a), self.weight.shape[1]))
        )
        z += self.bias
        known = {}
        for index in self._from_output:
            known[index] = take(f"z{index}", z.shape)
            known[index][...] = z  # before the activation overwrites z
        return z, {"z": known}

    @property
    def needs_preactivation(self):
        """Whether relprop reads the layer's pre-activation."""
        return self.relative_eps or any(g.sign is not None for g in self.groups)

    def _part(self, name, a):
        if name == IDENTITY:
            return a
        if name == POSITIVE:
            return np.maximum(a, 0)
        if name == NEGATIVE:
            return np.minimum(a, 0)
        if name == ONES:
            return np.ones_like(a)
        # z^β: the box is widened per sample so that it contains x; both
        # terms then stay >= 0, and relevance finite outside it.
        if name == ABOVE_LOW:
            return np.maximum(a - self.low, 0)
        return np.maximum(self.high - a, 0)

    def _stacked_parts(self, a):
        cache = {}
        for group in self.groups:
            if group.parts not in cache:
                pieces = [self._part(name, a) for name in group.parts]
                cache[group.parts] = (
                    pieces[0] if len(pieces) == 1 else np.hstack(pieces)
                )
        return cache

    def relprop(
        self,
        a,
        relevance,
        preactivation=None,
        ledger=None,
        cache=None,
        take=None,
        scale=None,
    ):
        """Propagate relevance of shape (n, n_targets, n_out) to the layer input.

        Relevance travels factored: ``relevance * scale[:, np.newaxis, :]``,
        where `scale` (shared by all targets) is the activation of the layer
        above's input. The division by the denominators and that product
        then make one pass per target instead of two.

        Parameters
        ----------
        a : ndarray of shape (n, n_in)
            The layer's input.
        relevance : ndarray of shape (n, n_targets, n_out)
            Relevance of the layer's neurons (times `scale`); overwritten
            (the propagation owns its buffers).
        preactivation : ndarray of shape (n, n_out), default=None
            The layer's output before activation, when `needs_preactivation`.
        ledger : ndarray of shape (n, n_targets, 3), default=None
            If given, the relevance absorbed by biases, by stabilizers and by
            neurons whose denominator vanished is added to its three columns.
        cache : dict, default=None
            What :meth:`forward` computed for this batch and relprop reuses:
            "parts", the modified inputs by name; "z" and "least", the
            denominators and a lower bound of their absolute values (the
            whole batch's smallest, when relprop runs on some of its rows),
            by group index.
        take : callable, default=None
            ``take(name, shape)`` gives the work arrays; None allocates them.
        scale : ndarray of shape (n, n_out), default=None
            The factor of `relevance` per neuron, or None for 1.

        Returns
        -------
        relevance : ndarray of shape (n, n_targets, n_in)
            The input relevance (times the scale below); a work array.
        scale : ndarray of shape (n, n_in) or None
            `a` when the rule's contributions are ``a_i * v_ij``, else None.
        """
        take = take or _allocate(relevance.dtype)
        n, n_targets, n_out = relevance.shape
        eps = self.eps
        if self.relative_eps:
            rms = np.sqrt(np.mean(np.square(preactivation), axis=1, keepdims=True))
            eps = np.maximum(eps * rms, stabilizer_eps(relevance.dtype))
        cache = cache or {}
        parts = cache.get("parts") or self._stacked_parts(a)
        known, known_least = cache.get("z", {}), cache.get("least", {})
        denominators, least = [], []
        for index, group in enumerate(self.groups):
            z = known.get(index)
            if z is None:
                z = np.matmul(
                    parts[group.parts], group.weights, out=take(f"z{index}", (n, n_out))
                )
                if group.bias is not None:
                    z += group.bias
            smallest = known_least.get(index)
            if smallest is None:
                # One reduction over the whole batch: rows are looked at only
                # when a denominator vanished or is tiny.
                smallest = z.min() if group.nonnegative else np.abs(z).min()
            denominators.append(z)
            least.append(smallest)
        redo = self._rows_to_redo(denominators, least)
        if redo.size:  # kept before the buffers below are overwritten
            saved = (
                a[redo],
                unfactored(relevance[redo], None if scale is None else scale[redo]),
                None if preactivation is None else preactivation[redo],
                None if ledger is None else ledger[redo],
            )
        # With contributions a_i * v_ij, the input relevance is a_i times the
        # product below: it stays factored.
        factored = all(group.parts == (IDENTITY,) for group in self.groups)
        lower = None
        for index, (group, z, smallest) in enumerate(
            zip(self.groups, denominators, least)
        ):
            vanished = z == 0 if smallest <= 0 else None
            if ledger is not None and not self.exact:
                offset = _stabilizer_offset(z, eps, group.nonnegative, vanished)
            # The default stabilizer changes no denominator left after the
            # vanished and tiny ones are set aside beyond rounding: the
            # division uses them as they are.
            denominator = z if self.exact else stabilize(z, eps, group.nonnegative)
            # factor = scale * share * [output of the group's sign] / s(z),
            # one per neuron for all targets, in the place of the denominator.
            numerator = group.share if scale is None else scale
            # No 0/0 or overflow: vanished neurons get 0 below, and the rows
            # with tiny denominators are redone.
            if vanished is not None:
                np.copyto(denominator, 1, where=vanished)
            if redo.size:
                denominator[redo] = 1
            factor = np.divide(numerator, denominator, out=denominator)
            if scale is not None and group.share != 1.0:
                factor *= group.share
            keep = None
            if group.sign is not None:
                keep = preactivation >= 0 if group.sign > 0 else preactivation < 0
                factor *= keep
            if vanished is not None:
                # A neuron whose contributions sum to exactly 0 passes on
                # nothing (its relevance is "dead"), rather than z_ij / eps.
                if ledger is not None:
                    dead = np.where(vanished, group.share, 0).astype(factor.dtype)
                    for weight in (scale, keep):
                        if weight is not None:
                            dead *= weight
                    ledger[..., 2] += np.einsum("nkj,nj->nk", relevance, dead)
                np.copyto(factor, 0, where=vanished)
            # The ratios go to the relevance buffer, unless another group
            # still needs it.
            out = relevance if len(self.groups) == 1 else None
            if out is None:
                out = take(f"ratio{index}", relevance.shape)
            ratio = np.multiply(relevance, factor[:, np.newaxis, :], out=out)
            if ledger is not None:
                # Of a neuron's share R, the inputs get (z - bias) / s(z) * R,
                # the bias bias / s(z) * R and the stabilizer the rest; all of
                # R when z vanished (counted above).
                if self.exact:  # the stabilizer took nothing
                    pass
                elif offset is None:  # the same eps for every neuron
                    ledger[..., 1] += eps * ratio.sum(axis=-1)
                else:
                    ledger[..., 1] += np.einsum("nkj,nj->nk", ratio, offset)
                if group.bias is not None:
                    ledger[..., 0] += ratio @ group.bias
            stacked = parts[group.parts]
            n_parts, n_in = len(group.parts), stacked.shape[1] // len(group.parts)
            back = np.matmul(
                ratio.reshape(n * n_targets, n_out),
                group.weights.T,
                out=take(f"back{index}", (n * n_targets, n_parts * n_in)),
            ).reshape(n, n_targets, n_parts, n_in)
            if not factored and group.parts != (ONES,):
                back *= stacked.reshape(n, 1, n_parts, n_in)
            total = back[:, :, 0, :]
            if n_parts > 1:  # (adding slices beats a sum over the short axis)
                total = np.add(
                    total, back[:, :, 1, :], out=take(f"sum{index}", total.shape)
                )
                for part in range(2, n_parts):
                    total += back[:, :, part, :]
            lower = total if lower is None else np.add(lower, total, out=lower)
        if redo.size:
            if factored:  # the exact rows come unfactored
                lower *= a[:, np.newaxis, :]
                factored = False
            lower[redo] = self._relprop_precisely(redo, saved, ledger, lower.dtype)
        return lower, (a if factored else None)

    def _rows_to_redo(self, denominators, least):
        """Rows with a denominator so small, yet not 0, that the stabilizer
        would change it beyond rounding: they are recomputed at a higher
        precision (only for rules on the default stabilizer)."""
        guard = self._guard
        rows = []
        for z, smallest in zip(denominators, least):
            if smallest < guard:
                small = np.abs(z)
                rows.append(np.flatnonzero(((small > 0) & (small < guard)).any(axis=1)))
        return np.unique(np.concatenate(rows)) if rows else np.arange(0)

    def _relprop_precisely(self, rows, saved, ledger, dtype):
        """relprop of `rows` in a wider float type, where the default
        stabilizer is far below any denominator of the narrower one."""
        wide = np.float64 if dtype == np.float32 else np.longdouble
        if np.finfo(wide).tiny >= np.finfo(dtype).tiny:  # no wider type here
            wide = dtype
        layer = self._widened(wide)
        a, relevance, preactivation, ledger_rows = saved
        wide_ledger = None if ledger is None else ledger_rows.astype(wide)
        result = layer.relprop(
            a.astype(wide),
            relevance.astype(wide),
            None if preactivation is None else preactivation.astype(wide),
            wide_ledger,
        )
        if ledger is not None:
            ledger[rows] = wide_ledger
        return unfactored(*result)

    def _widened(self, wide):
        """This layer with its constants in the float type `wide` (cached)."""
        widened = getattr(self, "_wide_layer", None)
        if widened is None or widened.eps.dtype != wide:
            groups = [
                Group(
                    g.parts,
                    g.weights.astype(wide),
                    None if g.bias is None else g.bias.astype(wide),
                    g.share,
                    g.sign,
                    g.nonnegative,
                )
                for g in self.groups
            ]

            def cast(v):
                return None if v is None else np.asarray(v, dtype=wide)

            widened = PreparedLayer(
                groups,
                np.asarray(stabilizer_eps(wide), dtype=wide),
                low=cast(self.low),
                high=cast(self.high),
            )
            # nothing wider to fall back on
            widened.exact, widened._guard = False, 0
            self._wide_layer = widened
        return widened


# The fused z^β denominators of a row are kept when they exceed this many
# times their rounding bound (2**35: off by less than 3e-11 of themselves).
_FUSED_MARGIN = 2.0**35


class _BoxLayer(PreparedLayer):
    """z^β bound to a layer: its forward product also gives the denominators.

    With the input shifted by the box's low corner, one product
    ``P = (x - low) @ W`` yields both the pre-activation ``P + low @ W + b``
    and, inside the box, the denominators ``P - (high - low) @ W^-`` (the
    per-fit constants), so z^β needs no product of its own to get them.
    The contributions are ``(x - low) w^+`` and ``(high - x) (-w^-)``: both
    parts, and both weights, are >= 0 inside the box, so that one test
    finds the inputs outside it.
    A row outside the box has the box widened to contain it. When few rows
    of a batch are outside (at most one in 16), they get their denominators
    from the exact sum of the (non-negative) contributions; otherwise each
    gets the terms of its few inputs outside as a sparse correction. The
    fused sum can cancel, so a row whose smallest denominator is not far
    above its rounding bound (2**35 times it), or that lies more than a box
    width outside, gets the exact sum too; in float32 every row does.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        (group,) = self.groups
        width = len(self.low)
        self._width = self.high - self.low
        self._shifted_bias = self.low @ self.weight + self.bias
        self._offset = self._width @ group.weights[width:]  # (weights -W^-)
        # Inside the box 0 <= x - low <= high - low, so the rounding error of
        # P + offset has a bound (generous) that is the same for every row.
        self._tolerance = 4 * (width + 2) * np.finfo(self.weight.dtype).eps
        self._column_max = np.abs(self.weight).sum(axis=0).max(initial=0)
        self._threshold = self._bound(self._width.max(initial=0))
        # Only float64 is precise enough for the shortcut to pass that test:
        # float32 takes the exact sums for every row, without trying it.
        self._fused = self._tolerance * _FUSED_MARGIN < 1

    def __setstate__(self, state):
        # Layers pickled before the parts became (x - low, high - x) hold
        # (x - low, x - high) with weights (W+, W-): the same terms, the
        # second pair with both signs flipped. Convert rather than explain
        # with mismatched signs.
        (group,) = state["groups"]
        if group.parts == (ABOVE_LOW, "x-high"):
            width = len(state["low"])
            group.parts = (ABOVE_LOW, BELOW_HIGH)
            group.weights = np.vstack([group.weights[:width], -group.weights[width:]])
            state.pop("_wide_layer", None)  # a cache, in the old layout
        self.__dict__.update(state)

    def _bound(self, largest_part):
        """The smallest denominator a row may have for its fused ones to be
        used, when its parts ``x - low`` and ``high - x`` are at most
        `largest_part` in size: their rounding bound times `_FUSED_MARGIN`,
        so that fused denominators are off by less than 3e-11 of themselves
        (in practice by far less: 3e-13 at worst on rows built to cancel)."""
        offset = np.abs(self._offset).max(initial=0)
        rounding = self._tolerance * (largest_part * self._column_max + offset)
        return rounding * _FUSED_MARGIN

    def forward(self, x, take=None):
        take = take or _allocate(x.dtype)
        n, width = x.shape
        (group,) = self.groups
        parts = take("parts", (n, 2 * width))
        shifted = parts[:, :width]
        np.subtract(x, self.low, out=shifted)  # x - low
        np.subtract(self._width, shifted, out=parts[:, width:])  # high - x
        product = np.matmul(
            shifted, self.weight, out=take("output", (n, len(self.bias)))
        )
        z = take("z0", product.shape)
        if self._fused:
            least = self._fused_denominators(parts, product, z)
        else:
            # The box widened to contain x: max(x - low, 0), max(high - x, 0).
            np.clip(parts, 0, np.inf, out=parts)
            least = np.matmul(parts, group.weights, out=z).min()
        product += self._shifted_bias  # the pre-activation
        return product, {
            "parts": {group.parts: parts},
            "z": {0: z},
            "least": {0: least},
        }

    def _fused_denominators(self, parts, product, z):
        """Write the denominators into `z` from the forward product, widen
        the box in `parts`, and return the smallest denominator."""
        (group,) = self.groups
        np.add(product, self._offset, out=z)
        # Rows where a denominator is not far above its rounding error (the
        # fused sum cancels) need the exact sum.
        least = z.min()
        suspect = np.zeros(len(z), dtype=bool)
        if least <= self._threshold:
            suspect = z.min(axis=1) <= self._threshold
        if parts.min() < 0:  # some x outside the box: widen it
            entries = np.flatnonzero(parts < 0)  # row by row, in order
            entry_rows = entries // parts.shape[1]
            starts = np.flatnonzero(np.diff(entry_rows, prepend=-1))  # each row's first
            outside = entry_rows[starts]
            if 16 * len(outside) <= len(z):
                # Few rows: their exact sums cost less than a correction.
                np.put(parts, entries, 0)
                suspect[outside] = True
            else:
                excess = self._widen_box(parts, z, entries, starts, outside)
                # The correction cancels terms that grow with how far out x
                # is: rows more than a box width out, or with a denominator
                # not far above that rounding, get the exact sum instead.
                widest = self._width.max(initial=0)
                suspect[outside] = (excess > widest) | (
                    z[outside].min(axis=1) <= self._bound(widest + excess)
                )
                least = z.min()
        rows = np.flatnonzero(suspect)
        if rows.size:
            z[rows] = parts[rows] @ group.weights
            least = z.min()  # (z >= 0 now) for relprop
        return least

    def _widen_box(self, parts, z, entries, starts, outside):
        """Widen the box to contain each row: add to `z` the terms of the
        inputs outside it (``low - x`` times ``w+`` below it, ``x - high``
        times ``-w-`` above it) and zero their out-of-box parts.

        `entries` are the flat indices of the negative `parts`, in order,
        `starts` where each row's begin among them, and `outside` those rows.
        Few inputs are outside (with many features, one or two in most rows),
        so this is a sparse product. Returns how far out each row goes at
        most.
        """
        (group,) = self.groups
        values = -parts.take(entries)  # low - x, x - high: > 0
        terms = sparse.csr_matrix(
            (values, entries % parts.shape[1], np.append(starts, len(entries))),
            shape=(len(starts), parts.shape[1]),
        )
        z[outside] += terms @ group.weights
        np.put(parts, entries, 0)  # the box widened: max(x - low, 0), max(high - x, 0)
        return np.maximum.reduceat(values, starts)


class _ReferenceLayer(PreparedLayer):
    """z^β bound to a layer whose box is a single point: a reference ``r``.

    Each sample's box is ``[min(x, r), max(x, r)]``, so an input contributes
    the push of its deviation ``u = x - r``, ``(u_i w_ij)^+``: relevance
    measures each input against the reference, never against a corner of
    the data. Inputs that encode one column of the user's data (a one-hot
    encoded categorical, a spline basis; ``units``) count as one: the column
    contributes ``(sum_{i in unit} u_i w_ij)^+``, its net push, shared among
    its inputs by their terms ``u_i w_ij``. For a single input both forms
    are the same.

    A neuron that no deviation pushes up has no contribution at all (its
    denominator vanishes). With ``share_dead`` its relevance goes to the
    layer's other neurons in proportion to their absolute relevance, so that
    nothing is lost unless no neuron of the row is left to take it.

    There is no stabilizer: denominators are sums of non-negative terms, and
    the rare rows with one below ``eps`` (but not 0) are computed in a wider
    float type, where dividing by it cannot overflow.

    The layer works with twice the denominators, ``2 z = |u| @ |W| + u @ W``
    (with no units, in float64), so that the forward product gives half of
    them; a row whose doubled denominators are not far above that sum's
    rounding bound gets the exact sum ``2 (u^+ @ W^+ - u^- @ W^-)`` instead.
    """

    def __init__(self, *args, units=None, share_dead=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.share_dead = share_dead
        n_in = len(self.low)
        ids = np.arange(n_in) if units is None else np.asarray(units)
        _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
        single = counts[inverse] == 1
        blocks = [np.flatnonzero(inverse == k) for k in np.flatnonzero(counts > 1)]
        # Singles first, then each unit's inputs side by side.
        order = np.concatenate([np.flatnonzero(single), *blocks]).astype(np.intp)
        self._order = None if np.array_equal(order, np.arange(n_in)) else order
        self._n_singles = n_s = int(single.sum())
        ends = np.cumsum([n_s] + [len(block) for block in blocks])
        self._blocks = [
            slice(int(start), int(end)) for start, end in zip(ends[:-1], ends[1:])
        ]
        weight = self.weight if self._order is None else self.weight[self._order]
        # Parts of a single input: u^+ and (-u)^+, with weights 2 W^+ and
        # -2 W^- (doubled: see above).
        self._single_weights = 2 * np.vstack(
            [np.maximum(weight[:n_s], 0), np.maximum(-weight[:n_s], 0)]
        )
        self._block_weights = [weight[block] for block in self._blocks]
        self._reference = self.low if self._order is None else self.low[self._order]
        self._shifted_bias = self.low @ self.weight + self.bias
        dtype = self.weight.dtype
        # Only float64 is precise enough for the fused sum to pass its test
        # (as in the box layer): float32 takes the exact sums.
        self._fused = not self._blocks and dtype == np.float64
        if self._fused:
            # 2z = [|u|, 1] @ [|W|; -(r @ W + b)] + (x @ W + b): the constant
            # rides along in the product. The rounding error is below
            # `_tolerance` times this row's (|u| + 2 |r|) @ |W| plus the
            # biases' size (|x| <= |u| + |r|).
            self._abs_weight = np.vstack([np.abs(self.weight), -self._shifted_bias])
            self._tolerance = 8 * (n_in + 2) * np.finfo(dtype).eps * _FUSED_MARGIN
            self._column_max = np.abs(self.weight).sum(axis=0).max(initial=0)
            self._offset = 2 * np.abs(self._reference).max(initial=0)
            self._bias_max = 2 * np.abs(self.bias).max(initial=0) + np.abs(
                self._shifted_bias
            ).max(initial=0)

    def forward(self, x, take=None):
        take = take or _allocate(x.dtype)
        n, n_s = len(x), self._n_singles
        pre = np.matmul(x, self.weight, out=take("output", (n, len(self.bias))))
        pre += self.bias
        shifted = take("shifted", x.shape)  # u = x - r, singles first
        np.subtract(
            x if self._order is None else x[:, self._order],
            self._reference,
            out=shifted,
        )
        parts = take("parts", (n, 2 * n_s))
        np.maximum(shifted[:, :n_s], 0, out=parts[:, :n_s])  # u^+
        np.subtract(parts[:, :n_s], shifted[:, :n_s], out=parts[:, n_s:])  # (-u)^+
        z = take("z0", pre.shape)  # twice the denominators
        least = None
        if self._fused:
            least = self._fused_denominators(shifted, parts, pre, z, take)
        else:
            np.matmul(parts, self._single_weights, out=z)
        pushes = []
        for block, weight in zip(self._blocks, self._block_weights):
            push = np.matmul(shifted[:, block], weight, out=take("push", pre.shape))
            pushes.append(push > 0)  # the unit's net push counts where it is up
            np.maximum(push, 0, out=push)
            z += push
            z += push
        if least is None:  # (relprop needs it)
            least = z.min(initial=np.inf)
        cache = {"shifted": shifted, "parts": parts, "z": z, "pushes": pushes}
        return pre, {**cache, "least": least}

    def _fused_denominators(self, shifted, parts, pre, z, take):
        """Write twice the denominators into `z`: ``|u| @ |W| + u @ W``, with
        ``u @ W`` from the forward product, and the exact sums on the rows
        where that may have cancelled; return the smallest."""
        n, width = shifted.shape
        size = take("absolute", (n, width + 1))
        np.abs(shifted, out=size[:, :width])
        size[:, width] = 1
        np.matmul(size, self._abs_weight, out=z)
        z += pre
        largest = size[:, :width].max(initial=0) + self._offset
        least = z.min(initial=np.inf)
        if least <= self._tolerance * (largest * self._column_max + self._bias_max):
            largest = size[:, :width].max(axis=1, initial=0) + self._offset
            bound = self._tolerance * (largest * self._column_max + self._bias_max)
            rows = np.flatnonzero(z.min(axis=1) <= bound)
            if rows.size:
                z[rows] = parts[rows] @ self._single_weights
                least = z.min()
        return least

    @property
    def needs_preactivation(self):
        return False

    def relprop(
        self,
        a,
        relevance,
        preactivation=None,
        ledger=None,
        cache=None,
        take=None,
        scale=None,
    ):
        take = take or _allocate(relevance.dtype)
        cache = cache or self.forward(a)[1]
        z = cache["z"]  # twice the denominators
        n, n_targets, n_out = relevance.shape
        numerator = 1 if scale is None else scale
        # (the whole batch's smallest, when these are some of its rows)
        least = cache["least"] if "least" in cache else z.min(initial=np.inf)
        tiny = dead = np.arange(0)
        if least <= 2 * self.eps:  # rows are looked at only then
            dead = z == 0
            tiny = np.flatnonzero(((z < 2 * self.eps) & ~dead).any(axis=1))
            if tiny.size:  # kept before the buffers below are overwritten
                saved = (
                    a[tiny],
                    unfactored(relevance[tiny], None if scale is None else scale[tiny]),
                    None if ledger is None else ledger[tiny],
                )
                z[tiny] = 1
            if least == 0:
                self._pass_on_dead(relevance, scale, dead, ledger)
            np.copyto(z, 1, where=dead)
        # factor = scale / 2z, one per neuron for all targets, in place of z.
        factor = np.divide(numerator, z, out=z)
        if dead.size:
            np.copyto(factor, 0, where=dead)
        ratio = np.multiply(relevance, factor[:, np.newaxis, :], out=relevance)
        flat = ratio.reshape(n * n_targets, n_out)
        n_s = self._n_singles
        lower = take("lower", (n, n_targets, len(self.low)))
        back = np.matmul(
            flat, self._single_weights.T, out=take("back", (n * n_targets, 2 * n_s))
        ).reshape(n, n_targets, 2, n_s)
        back *= cache["parts"].reshape(n, 1, 2, n_s)
        np.add(back[:, :, 0], back[:, :, 1], out=lower[:, :, :n_s])
        masked = take("masked", ratio.shape) if self._blocks else None
        for block, weight, push in zip(
            self._blocks, self._block_weights, cache["pushes"]
        ):
            np.multiply(ratio, push[:, np.newaxis, :], out=masked)
            masked *= 2  # (the ratio is to twice the denominators)
            part = (masked.reshape(n * n_targets, n_out) @ weight.T).reshape(
                n, n_targets, -1
            )
            np.multiply(
                part, cache["shifted"][:, np.newaxis, block], out=lower[:, :, block]
            )
        if self._order is not None:
            ordered = np.empty_like(lower)
            ordered[:, :, self._order] = lower
            lower = ordered
        if tiny.size:
            lower[tiny] = self._relprop_widened(tiny, saved, ledger, lower.dtype)
        return lower, None

    def _pass_on_dead(self, relevance, scale, dead, ledger):
        """Account for the neurons whose denominator vanished.

        Such a neuron passes nothing on. Its relevance goes to the ledger or,
        with ``share_dead``, to the row's other neurons in proportion to
        their absolute relevance (written back into `relevance`, factored).
        """
        # Only rows where a vanished neuron holds relevance (a relu unit that
        # is off holds none: its scale is 0).
        holding = dead if scale is None else dead & (scale != 0)
        rows = np.flatnonzero(holding.any(axis=1))
        if not rows.size:
            return
        gone = dead[rows].astype(relevance.dtype)
        true = unfactored(relevance[rows], None if scale is None else scale[rows])
        lost = np.einsum("rkj,rj->rk", true, gone)
        if self.share_dead:
            live = 1 - gone
            size = np.abs(true)
            mass = np.einsum("rkj,rj->rk", size, live)
            shared = mass > 0
            # R_j + lost * |R_j| / (sum of |R| over the live neurons).
            weights = np.divide(lost, mass, out=np.zeros_like(lost), where=shared)
            size *= weights[..., np.newaxis]
            true += size
            true *= live[:, np.newaxis, :]
            if scale is not None:  # factored again; R is 0 where scale is
                rows_scale = scale[rows][:, np.newaxis, :]
                np.divide(true, rows_scale, out=true, where=rows_scale != 0)
            relevance[rows] = true
            lost[shared] = 0
        if ledger is not None:
            ledger[rows, :, 2] += lost

    def _relprop_widened(self, rows, saved, ledger, dtype):
        """relprop of `rows` in a wider float type, where no denominator of
        the narrower one is small enough for a division to overflow."""
        wide = np.float64 if dtype == np.float32 else np.longdouble
        layer = self._widened(wide)
        a, relevance, ledger_rows = saved
        wide_ledger = None if ledger is None else ledger_rows.astype(wide)
        result = layer.relprop(
            a.astype(wide), relevance.astype(wide), None, wide_ledger
        )
        if ledger is not None:
            ledger[rows] = wide_ledger
        return unfactored(*result)

    def _widened(self, wide):
        """This layer with its constants in the float type `wide` (cached)."""
        widened = getattr(self, "_wide_layer", None)
        if widened is None or widened.weight.dtype != wide:
            widened = _ReferenceLayer(
                self.groups,
                np.asarray(0, dtype=wide),  # nothing to redo: no tiny rows
                low=self.low.astype(wide),
                high=self.high.astype(wide),
                weight=self.weight.astype(wide),
                bias=self.bias.astype(wide),
                units=self.units,
                share_dead=self.share_dead,
            )
            self._wide_layer = widened
        return widened


def _stabilizer_offset(z, eps, nonnegative, vanished):
    """``s(z) - z`` per neuron, 0 where z vanished (a mask, or None if no z
    did); None if it is `eps` throughout."""
    uniform = nonnegative and np.ndim(eps) == 0
    if uniform and vanished is None:
        return None
    offset = eps if uniform else np.where(z >= 0, eps, -eps)
    return offset if vanished is None else np.where(vanished, 0, offset)


def unfactored(relevance, scale, out=None):
    """The relevance that ``(relevance, scale)`` stands for, in a new array
    (or in `out`)."""
    if scale is not None:
        return np.multiply(relevance, scale[:, np.newaxis, :], out=out)
    if out is None:
        return relevance.copy()
    out[...] = relevance
    return out


def _allocate(dtype):
    """A ``take(name, shape)`` that allocates a fresh array every time."""

    def take(name, shape):
        return np.empty(shape, dtype=dtype)

    return take


class Rule(BaseEstimator):
    """Base class of the relevance rules.

    A rule is a stateless description: its parameters say how to build the
    contributions ``z_ij``; :meth:`prepare` binds it to one layer's weights.
    Subclasses implement ``_groups(weight, bias)``, returning a list of
    ``(terms, bias_contribution, options)`` with ``terms`` a list of
    ``(input_part, modified_weight)`` pairs and ``options`` the keyword
    arguments of :class:`Group` beyond parts, weights and bias.
    """

    _parameter_constraints = {"bias": ["boolean"]}
    _prepared_class = PreparedLayer

    def _eps(self, dtype):
        return stabilizer_eps(dtype), False

    def prepare(self, weight, bias, *, nonnegative_input=False, low=None, high=None):
        """Bind the rule to a dense layer.

        Parameters
        ----------
        weight : ndarray of shape (n_in, n_out)
            The layer's weights.
        bias : ndarray of shape (n_out,)
            The layer's bias; used only when the rule's ``bias`` is True.
        nonnegative_input : bool, default=False
            Whether the layer's input is known to be >= 0 (after relu or
            logistic units), which lets the rule drop terms that vanish.
        low, high : ndarray of shape (n_in,), default=None
            Input bounds, for rules that need them.

        Returns
        -------
        layer : PreparedLayer
            The per-fit constants of the rule on this layer.
        """
        return self._prepare(
            weight, bias, nonnegative_input, low, high, self._prepared_class
        )

    def _prepare(self, weight, bias, nonnegative_input, low, high, layer, **extra):
        """:meth:`prepare`, binding into the prepared class `layer`."""
        self._validate_params()
        groups = []
        for terms, bias_part, options in self._groups(
            weight, bias if self.bias else None
        ):
            if nonnegative_input:  # a^- = 0 and a^+ = a
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
        dtype = weight.dtype
        return layer(
            groups,
            eps,
            relative,
            low=None if low is None else np.asarray(low, dtype=dtype),
            high=None if high is None else np.asarray(high, dtype=dtype),
            weight=weight,
            bias=np.asarray(bias, dtype=dtype),
            **extra,
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
        return [([(IDENTITY, weight)], bias, {})]


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
        return [([(IDENTITY, weight)], bias, {})]


class ZPlus(Rule):
    """The z^+ rule: ``z_ij = max(0, a_i w_ij)``.

    Only positive contributions count. For non-negative inputs (after relu
    or logistic units) this is ``a_i w_ij^+``, the Deep Taylor rule for
    layers above the first; without bias, relevance is conserved exactly.

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
        bias_part = None if bias is None else _pos(bias)
        return [(terms, bias_part, {"nonnegative": True})]


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

    def prepare(
        self,
        weight,
        bias,
        *,
        nonnegative_input=False,
        low=None,
        high=None,
        units=None,
        share_dead=False,
    ):
        """Bind the rule to a dense layer and its input box.

        Parameters
        ----------
        weight : ndarray of shape (n_in, n_out)
            The layer's weights.
        bias : ndarray of shape (n_out,)
            The layer's bias (takes no relevance under this rule).
        nonnegative_input : bool, default=False
            Ignored: the box decides the sign of every term.
        low, high : ndarray of shape (n_in,)
            The box, required. ``low == high`` everywhere makes it a
            reference point ``r``: each sample's box is then
            ``[min(x, r), max(x, r)]``.
        units : ndarray of shape (n_in,), default=None
            With a reference point only: inputs with equal values encode one
            column of the user's data and contribute as one (their net push,
            when it is positive). None: every input on its own.
        share_dead : bool, default=False
            With a reference point only: a neuron that no deviation pushes up
            hands its relevance to the other neurons of the row, in
            proportion to theirs, instead of losing it.

        Returns
        -------
        layer : PreparedLayer
            The per-fit constants of the rule on this layer.
        """
        if low is None or high is None:
            raise ValueError("ZBeta needs the input bounds low and high.")
        if np.all(np.asarray(low) == np.asarray(high)):
            return self._prepare(
                weight,
                bias,
                False,
                low,
                high,
                _ReferenceLayer,
                units=units,
                share_dead=share_dead,
            )
        return self._prepare(weight, bias, False, low, high, _BoxLayer)

    def _groups(self, weight, bias):
        terms = [(ABOVE_LOW, _pos(weight)), (BELOW_HIGH, _pos(-weight))]
        bias_part = None if bias is None else np.zeros_like(bias)
        return [(terms, bias_part, {"nonnegative": True})]


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
