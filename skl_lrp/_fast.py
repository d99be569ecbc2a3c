"""The fast engine: the plain engine's arithmetic, with a few named shortcuts.

The same relevance as ``skl_lrp._lrp`` (``tests/test_engines.py`` checks it,
rule by rule and root point by root point), dispatched as it dispatches
(:func:`prepare`): groups of contributions (:class:`FastLayer`), z^β at a
root point with inputs counted by unit (:class:`UnitLayer`, the plain
``_relprop_by_unit`` on whole batches), Rescale's secant group
(:class:`SecantLayer`, the plain ``_relprop_secant``). Each shortcut below
was measured on workload W of ``benchmarks/run.py`` (CPU time, one BLAS
thread, as multiples of a batched forward pass, 7 December 2026); a
shortcut that bought less than 20% where it applies was removed (the z^β
denominators fused into the forward product: 0-9% with the default root
point, 4-16% with ``bounds="data"``).

- LRP-0 and LRP-ε take their denominators from the forward product, which
  computes them anyway (``FastLayer._from_output``): ``rules="epsilon"``
  3.19 instead of 3.97 forward passes (25%); the default rules have none.
- Relevance travels *factored* between layers, times the activation of the
  layer's input (shared by every target), so that the division by the
  denominators and that product are one pass per target: 3.70 instead of
  3.84 (4%). Rescale's multipliers are the same form, and arithmetic the
  plain engine does too (its ``multiplier``).
- Work arrays are reused from one batch to the next (``take``, kept by
  ``_propagation.Scratch``): 3.70 instead of 3.86 (4%) in CPU time; on a
  virtual machine that hands freed memory back to the host, fresh arrays
  cost as much again in page faults.
- Precision rather than speed: the default stabilizer is not added (it
  would change no denominator beyond rounding); the rare rows whose
  denominators are small enough for it to matter, and the rows a fallback
  group serves, are handed to the plain engine (in a wider float type).
"""

from dataclasses import dataclass

import numpy as np

from . import _lrp
from ._rules import (
    IDENTITY,
    ONES,
    paired,
    stabilize,
    stabilizer_eps,
)


def prepare(bound):
    """The fast layer for a bound rule, as the plain engine dispatches:
    Rescale's secant group, z^β with inputs counted by unit, or groups of
    contributions."""
    if bound.reference is not None:
        return SecantLayer(bound)
    if bound.units is not None:
        return UnitLayer(bound)
    return FastLayer(bound)


@dataclass
class Step:
    """What the forward pass left a layer for its backward pass on a batch.

    Parameters
    ----------
    a : ndarray of shape (n, n_in)
        The layer's input.
    preactivation : ndarray of shape (n, n_out) or None
        Its output before the activation, when its rule reads it.
    cache : dict or None
        What the layer's ``forward`` computed for the relevance pass: "z"
        and "least", denominators and a lower bound of their size (the
        whole batch's smallest, when the pass runs on some of its rows), by
        group (a :class:`UnitLayer` keeps its own).
    take : callable or None
        ``take(name, shape)`` gives the layer's work arrays; None allocates.
    secant_above : bool
        Whether the layer above is a Rescale one: relevance then comes as a
        multiplier, factored by the differences of this layer's outputs.
    references : slice or None
        Which of a Rescale layer's reference rows the batch's pairs use
        (None: all).
    """

    a: np.ndarray
    preactivation: np.ndarray = None
    cache: dict = None
    take: object = None
    secant_above: bool = False
    references: slice = None  # (None: all)


class FastLayer:
    """A bound rule, with the per-fit constants of the fast engine.

    Parameters
    ----------
    bound : BoundLayer
        The rule on its layer (see ``skl_lrp._rules``).
    """

    def __init__(self, bound):
        self.bound = bound
        # Fallback groups serve only neurons whose denominator vanished in
        # the group before: their rows go to the plain engine (rare), and
        # the batch skips their products.
        self.groups, self._handed_on = [], []  # (groups a fallback follows)
        for group in bound.groups:
            if group.fallback:
                self._handed_on.append(len(self.groups) - 1)
            else:
                self.groups.append(group)
        self.eps = eps = bound.eps
        # On the default stabilizer only an exactly-zero denominator may lose
        # relevance; tiny ones are handed to the plain engine, wider.
        dtype = np.asarray(eps).dtype
        self.exact = not bound.relative_eps and eps == stabilizer_eps(dtype)
        # Denominators below this, but not 0, are redone at a wider precision.
        self._guard = eps / np.finfo(dtype).eps if self.exact else 0
        self.weight, self.bias = bound.weight, bound.bias
        # Shortcut: LRP-0 and LRP-ε (with the bias) divide by the layer's own
        # pre-activation, which the forward pass computes anyway (25% on
        # rules="epsilon"; see the module's docstring).
        self._from_output = [
            index for index, group in enumerate(self.groups) if group.preactivation
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
        return self.bound.needs_preactivation

    def _stacked_parts(self, a, take):
        """Each group's modified inputs side by side, ``[A_1(a), A_2(a), ...]``,
        by their names (groups with the same parts share them)."""
        stacked = {}
        for index, group in enumerate(self.groups):
            names = group.parts
            if names in stacked:
                continue
            if len(names) == 1:  # (a itself, for the identity: no copy)
                stacked[names] = self.bound.part(names[0], a)
                continue
            n, width = a.shape
            out = take(f"parts{index}", (n, len(names) * width))
            for k, name in enumerate(names):
                self.bound.part(name, a, out=out[:, k * width : (k + 1) * width])
            stacked[names] = out
        return stacked

    def relprop(self, step, relevance, scale=None, ledger=None):
        """Propagate relevance of shape (n, n_targets, n_out) to the layer input.

        Relevance travels factored: ``relevance * scale[:, np.newaxis, :]``,
        where `scale` (shared by all targets) is the activation of the layer
        above's input. The division by the denominators and that product
        then make one pass per target instead of two.

        Parameters
        ----------
        step : Step
            What the forward pass left this layer on the batch's rows.
        relevance : ndarray of shape (n, n_targets, n_out)
            Relevance of the layer's neurons (times `scale`); overwritten
            (the propagation owns its buffers).
        scale : ndarray of shape (n, n_out), default=None
            The factor of `relevance` per neuron, or None for 1.
        ledger : ndarray of shape (n, n_targets, 3), default=None
            If given, the relevance absorbed by biases, by stabilizers and by
            neurons whose denominator vanished is added to its three columns.

        Returns
        -------
        relevance : ndarray of shape (n, n_targets, n_in)
            The input relevance (times the scale below); a work array.
        scale : ndarray of shape (n, n_in) or None
            `a` when the rule's contributions are ``a_i * v_ij``, else None.
        """
        a, preactivation = step.a, step.preactivation
        take = step.take or _allocate(relevance.dtype)
        cache = step.cache or {}
        parts = self._stacked_parts(a, take)
        denominators, least = self._denominators(parts, cache, take, relevance.shape)
        redo = tiny = self._rows_to_redo(denominators, least)
        handed = self._rows_handed_on(
            denominators, least, relevance, scale, preactivation
        )
        if handed.size:
            redo = np.union1d(tiny, handed)
        if redo.size:  # kept before the buffers below are overwritten
            saved = (
                a[redo],
                unfactored(relevance[redo], None if scale is None else scale[redo]),
                None if preactivation is None else preactivation[redo],
                None if ledger is None else ledger[redo],
            )
        eps = self.bound.stabilizer(preactivation)
        # Shortcut: with contributions a_i * v_ij, the input relevance is a_i
        # times the product below, and stays factored (4% on workload W; see
        # the module's docstring).
        factored = all(group.parts == (IDENTITY,) for group in self.groups)
        lower = None
        for index, (group, z, smallest) in enumerate(
            zip(self.groups, denominators, least)
        ):
            factor, offset = self._factor(
                group, z, smallest, eps, redo, relevance, scale, preactivation, ledger
            )
            # The ratios go to the relevance buffer, unless another group
            # still needs it.
            out = relevance if len(self.groups) == 1 else None
            if out is None:
                out = take(f"ratio{index}", relevance.shape)
            ratio = np.multiply(relevance, factor[:, np.newaxis, :], out=out)
            _lrp.account(ledger, ratio, group.bias, offset)
            total = self._back(index, group, ratio, parts[group.parts], factored, take)
            lower = total if lower is None else np.add(lower, total, out=lower)
        if redo.size:
            if factored:  # the exact rows come unfactored
                lower *= a[:, np.newaxis, :]
                factored = False
            lower[redo] = self._plain_rows(redo, saved, ledger, wide=tiny.size > 0)
        return lower, (a if factored else None)

    def _denominators(self, parts, cache, take, shape):
        """Each group's denominators (from the cache where the forward pass
        left them) and a lower bound of their size."""
        n, _, n_out = shape
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
        return denominators, least

    def _factor(
        self, group, z, smallest, eps, redo, relevance, scale, preactivation, ledger
    ):
        """``scale * share * [output of the group's sign] / s(z)``, one per
        neuron for all targets, written over the denominators `z`; and the
        stabilizer's part ``s(z) - z`` for the ledger. A neuron whose ``z``
        vanished passes nothing (0), and its relevance goes to the ledger."""
        vanished = z == 0 if smallest <= 0 else None
        offset = 0  # (the stabilizer takes nothing when it is not added)
        if ledger is not None and not self.exact:
            offset = _stabilizer_offset(z, eps, group.nonnegative, vanished)
        # The default stabilizer changes no denominator left after the
        # vanished and tiny ones are set aside beyond rounding: the division
        # uses them as they are.
        denominator = z if self.exact else stabilize(z, eps, group.nonnegative)
        # No 0/0 or overflow: vanished neurons get 0 below, and the rows with
        # tiny denominators are redone.
        if vanished is not None:
            np.copyto(denominator, 1, where=vanished)
        if redo.size:
            denominator[redo] = 1
        numerator = group.share if scale is None else scale
        factor = np.divide(numerator, denominator, out=denominator)
        if scale is not None and group.share != 1.0:
            factor *= group.share
        keep = None
        if group.sign is not None:
            keep = preactivation >= 0 if group.sign > 0 else preactivation < 0
            factor *= keep
        if vanished is not None:
            if ledger is not None:
                given = relevance * group.share
                for weight in (scale, keep):
                    if weight is not None:
                        given *= weight[:, np.newaxis, :]
                _lrp.account(ledger, given=given, vanished=vanished)
            np.copyto(factor, 0, where=vanished)
        return factor, offset

    def _back(self, index, group, ratio, stacked, factored, take):
        """A group's share of the input relevance: ``sum_k A_k * (ratio @ V_k.T)``
        (without the ``A_k`` while it stays factored)."""
        n, n_targets, n_out = ratio.shape
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
        return total

    def _plain_rows(self, rows, saved, ledger, wide=True):
        """The plain engine on `rows`: their relevance (unfactored); their
        ledger is written into `ledger`. With `wide`, in a float type wider
        than the layer's, where the stabilizer is far below any of their
        denominators (rows a fallback group serves need no more than the
        layer's own)."""
        a, relevance, preactivation, ledger_rows = saved
        dtype = relevance.dtype
        if preactivation is None:  # (kept only for rules that read it always)
            preactivation = a @ self.weight + self.bias
        if not wide:
            wide = dtype
        elif dtype == np.float32:
            wide = np.float64
        else:
            wide = np.longdouble
        if np.finfo(wide).tiny >= np.finfo(dtype).tiny:  # no wider type here
            wide = dtype
        # (keyed by name: a saved explainer's state has only string keys)
        widened, key = self.__dict__.setdefault("_widened", {}), np.dtype(wide).name
        if key not in widened:
            widened[key] = self.bound.astype(wide)
        wide_ledger = None if ledger is None else ledger_rows.astype(wide)
        lower, _ = _lrp.relprop(
            widened[key],
            a.astype(wide),
            relevance.astype(wide),
            preactivation.astype(wide),
            wide_ledger,
        )
        if ledger is not None:
            ledger[rows] = wide_ledger
        return lower

    def _rows_handed_on(self, denominators, least, relevance, scale, preactivation):
        """Rows where a neuron holding relevance has a vanished denominator
        in a group that a fallback group follows (of the fallback's sign,
        where the pre-activation is at hand): the plain engine does them."""
        rows = []
        for index in self._handed_on:
            if least[index] <= 0:
                handed = (relevance != 0).any(axis=1) & (denominators[index] == 0)
                if scale is not None:
                    handed &= scale != 0
                if preactivation is not None:  # (the fallbacks: sign -1)
                    handed &= preactivation < 0
                rows.append(np.flatnonzero(handed.any(axis=1)))
        return np.unique(np.concatenate(rows)) if rows else np.arange(0)

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


class UnitLayer(FastLayer):
    """z^β at a root point ``r``, the inputs of each unit counted as one.

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
    """

    def __init__(self, bound):
        super().__init__(bound)
        self.share_dead = bound.share_dead
        self.low = bound.low  # (the root point r)
        n_in = len(self.low)
        _, inverse, counts = np.unique(
            np.asarray(bound.units), return_inverse=True, return_counts=True
        )
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
        # Parts of a single input: u^+ and (-u)^+, with weights W^+ and -W^-.
        self._single_weights = np.vstack(
            [np.maximum(weight[:n_s], 0), np.maximum(-weight[:n_s], 0)]
        )
        self._block_weights = [weight[block] for block in self._blocks]
        self._reference = self.low if self._order is None else self.low[self._order]

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
        z = np.matmul(parts, self._single_weights, out=take("z0", pre.shape))
        pushes = []
        for block, weight in zip(self._blocks, self._block_weights):
            push = np.matmul(shifted[:, block], weight, out=take("push", pre.shape))
            pushes.append(push > 0)  # the unit's net push counts where it is up
            np.maximum(push, 0, out=push)
            z += push
        cache = {"shifted": shifted, "parts": parts, "z": z, "pushes": pushes}
        return pre, {**cache, "least": z.min(initial=np.inf)}

    @property
    def needs_preactivation(self):
        return False

    def relprop(self, step, relevance, scale=None, ledger=None):
        a, take = step.a, step.take or _allocate(relevance.dtype)
        cache = step.cache or self.forward(a)[1]
        z = cache["z"]
        n, n_targets, n_out = relevance.shape
        numerator = 1 if scale is None else scale
        # (the whole batch's smallest, when these are some of its rows)
        least = cache["least"] if "least" in cache else z.min(initial=np.inf)
        tiny = dead = np.arange(0)
        if least <= self.eps:  # rows are looked at only then
            dead = z == 0
            tiny = np.flatnonzero(((z < self.eps) & ~dead).any(axis=1))
            if tiny.size:  # kept before the buffers below are overwritten
                saved = (
                    a[tiny],
                    unfactored(relevance[tiny], None if scale is None else scale[tiny]),
                    None,
                    None if ledger is None else ledger[tiny],
                )
                z[tiny] = 1
            if least == 0:
                self._pass_on_dead(relevance, scale, dead, ledger)
            np.copyto(z, 1, where=dead)
        # factor = scale / z, one per neuron for all targets, in place of z.
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
            lower[tiny] = self._plain_rows(tiny, saved, ledger)
        return lower, None

    def _pass_on_dead(self, relevance, scale, dead, ledger):
        """Account for the neurons whose denominator vanished: they pass
        nothing on; with ``share_dead`` their relevance goes to the row's
        other neurons (written back into `relevance`, factored again),
        otherwise to the ledger (as the plain engine does)."""
        # Only rows where a vanished neuron holds relevance (a relu unit that
        # is off holds none: its scale is 0).
        holding = dead if scale is None else dead & (scale != 0)
        rows = np.flatnonzero(holding.any(axis=1))
        if not rows.size:
            return
        gone = dead[rows]
        true = unfactored(relevance[rows], None if scale is None else scale[rows])
        if self.share_dead:
            true = _lrp.share_dead(true, gone)
        if ledger is not None:  # (what stays at a vanished neuron is lost)
            lost = np.zeros_like(ledger[rows])
            _lrp.account(lost, given=true, vanished=gone)
            ledger[rows] += lost
        if self.share_dead:
            if scale is not None:  # factored again; R is 0 where scale is
                rows_scale = scale[rows][:, np.newaxis, :]
                np.divide(true, rows_scale, out=true, where=rows_scale != 0)
            relevance[rows] = true


class SecantLayer(FastLayer):
    """Rescale on a batch of (sample, reference) pairs.

    The denominators are the differences of the layer's pre-activations at
    the sample and at its reference, from the forward pass. Below another
    Rescale layer (or at the output) relevance comes factored as a
    multiplier times the differences of this layer's outputs, so that
    dividing by the denominators multiplies by the activation's secant
    slope; it leaves factored by the differences of the layer's inputs.
    """

    def __init__(self, bound):
        super().__init__(bound)
        # log2 of the most a multiplier can grow through the layer (slopes
        # are at most 1): |W g| <= max_i sum_j |w_ij| max |g|.
        gain = np.abs(self.weight).sum(axis=1).max(initial=0)
        self.log_gain = float(np.log2(gain)) if gain > 0 else 0.0

    @property
    def needs_preactivation(self):
        return True

    def relprop(self, step, relevance, scale=None, ledger=None):
        bound, take = self.bound, step.take or _allocate(relevance.dtype)
        references = slice(None) if step.references is None else step.references
        slope, dz, da, linearized = bound.secant(step.preactivation, references)
        if step.secant_above:  # relevance: the multiplier; scale: da
            factor = slope
            if ledger is not None and linearized is not None and linearized.any():
                # What a linearized neuron does not pass on: g (da - slope dz).
                left = np.where(linearized, da - slope * dz, 0)
                ledger[..., 1] += np.einsum("nkj,nj->nk", relevance, left)
        else:  # the relevance itself (times scale): divided, as _lrp does
            factor = _lrp._secant_inverse(slope, dz, da, linearized)
            if ledger is not None:
                self._account(
                    ledger, unfactored(relevance, scale), factor, dz, linearized
                )
            if scale is not None:
                factor *= scale
        ratio = np.multiply(relevance, factor[:, np.newaxis, :], out=relevance)
        n, n_targets, n_out = ratio.shape
        lower = np.matmul(
            ratio.reshape(n * n_targets, n_out),
            self.weight.T,
            out=take("back0", (n * n_targets, self.weight.shape[0])),
        )
        difference = paired(step.a, bound.reference[references], np.subtract)
        return lower.reshape(n, n_targets, -1), difference

    @staticmethod
    def _account(ledger, relevance, inverse, dz, linearized):
        """The ledger of relevance divided by `inverse` (not a multiplier):
        what linearized neurons leave over, and what neurons that cannot
        pass theirs on (inverse 0) lose."""
        lost = inverse == 0
        if linearized is not None and linearized.any():
            left = np.where(linearized & ~lost, 1 - inverse * dz, 0)
            ledger[..., 1] += np.einsum("nkj,nj->nk", relevance, left)
        _lrp.account(ledger, given=relevance, vanished=lost)


def backward(
    layers,
    inputs,
    preactivations,
    caches,
    takes,
    n_outputs,
    out,
    aggregation,
    references=None,
):
    """Propagate the scores of some rows (``out["scores"]``, of the outputs
    ``out["columns"]``) down to their inputs, into `out` (its "relevance",
    and its "layers" and "ledger" when it has them).

    Rows paired with reference rows (`references`, of the Rescale layers'
    own) have the differences of all their outputs in ``out["differences"]``:
    a Rescale output layer then starts from a multiplier of 1 on the
    target, factored by them.

    Between the layers relevance travels factored (see
    :meth:`FastLayer.relprop`); what leaves this function does not.
    """
    columns, scores = out["columns"], out["scores"]
    n, n_targets = columns.shape
    relevance = np.zeros((n, n_targets, n_outputs), scores.dtype)
    secant = "differences" in out and isinstance(layers[-1], SecantLayer)
    start = np.ones_like(scores) if secant else scores
    np.put_along_axis(relevance, columns[:, :, np.newaxis], start[:, :, np.newaxis], 2)
    scale = out["differences"] if secant else None
    # Relevance is linear in the scores: scores of extreme size (beyond 2**±64)
    # travel down divided by a power of two (exactly), and are multiplied
    # back at the end, so that no product on the way overflows or vanishes.
    # A multiplier start scales the same way (what reaches the inputs is
    # proportional to it); it is scaled down by as much as the multipliers
    # may grow on the way, so that they never overflow where the relevance
    # (a difference times them) would not.
    shift = _exponent(scores)
    if secant:
        growth = _most_growth(layers)
        if growth > 64:
            shift = max(shift, int(np.ceil(growth)))
    if shift:
        relevance = np.ldexp(relevance, -shift)
    for index in reversed(range(len(layers))):
        step = Step(
            inputs[index],
            preactivations[index],
            caches[index],
            takes[index],
            secant_above=secant,
            references=references,
        )
        relevance, scale = layers[index].relprop(
            step, relevance, scale, out.get("ledger")
        )
        secant = isinstance(layers[index], SecantLayer)
        if "layers" in out and index > 0:
            unfactored(relevance, scale, out=out["layers"][index - 1])
    # Out of the work arrays, which the next chunk reuses.
    if aggregation is None:
        unfactored(relevance, scale, out=out["relevance"])
    else:
        np.matmul(unfactored(relevance, scale), aggregation, out=out["relevance"])
    if shift:
        for key in ("relevance", "ledger"):
            if key in out:
                np.ldexp(out[key], shift, out=out[key])
        for layer in out.get("layers", []):
            np.ldexp(layer, shift, out=layer)


def _most_growth(layers):
    """log2 of the most a multiplier may grow on its way down the Rescale
    layers from the output (the largest partial sum of their gains)."""
    total, most = 0.0, 0.0
    for layer in reversed(layers):
        if not isinstance(layer, SecantLayer):
            break
        total += layer.log_gain
        most = max(most, total)
    return most


def _exponent(scores):
    """The power of two that brings `scores` near 1, or 0 where they are
    of ordinary size (between 2**-64 and 2**64) or not all finite."""
    largest = np.max(np.abs(scores), initial=0)
    if not np.isfinite(largest) or largest == 0 or 2.0**-64 < largest < 2.0**64:
        return 0
    return int(np.frexp(largest)[1])


def _stabilizer_offset(z, eps, nonnegative, vanished):
    """``s(z) - z`` per neuron, 0 where z vanished (a mask, or None if no z
    did); `eps` itself if it is that throughout."""
    uniform = nonnegative and np.ndim(eps) == 0
    if uniform and vanished is None:
        return eps
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
