"""One batch of a neuralized model (k-means, one-class): its scores and the
relevance of every input feature. Pure numpy, no scikit-learn.

The model is the two-layer network of ``skl_lrp._network.Prototypes``:
distance units, then a min-pooling. The pooled score goes to the units by
the :class:`~skl_lrp.rules.SoftMin` rule, then to the features by the
units' own rule (:class:`~skl_lrp.rules.Midpoint` for k-means,
:class:`~skl_lrp.rules.DistanceShare` for one-class models). Both keep
every bit of relevance, but a unit with nothing to split (a sample on its
root point) hands its share to the ledger's dead column.
"""

import numpy as np
from scipy.spatial.distance import cdist

from ._propagation import _slices

# Elements of a (samples, support points, features) block of squared
# differences computed at once: a few MB.
_BLOCK = 2**19
# Elements of a (samples, support points) table: a one-class batch explains
# this many (row, support point) pairs at a time, in a few such tables.
_TABLE = 2**21


class NeuralizedLayers:
    """The arithmetic of a neuralized model, fixed at fit and shared by all
    batches.

    Parameters
    ----------
    model : Prototypes
        The model's prototypes (``skl_lrp._network``).
    softmin : SoftMin
        The pooling's rule.
    beta : float
        Its stiffness, "auto" resolved.
    """

    def __init__(self, model, softmin, beta):
        self.model, self.softmin, self.beta = model, softmin, beta
        # Every formula is invariant to a shift of x and the prototypes
        # together: centred, the products below lose no digits to a
        # common offset of the data.
        self.centre = model.prototypes.mean(axis=0)
        self.prototypes = model.prototypes - self.centre
        if model.kind == "clusters":
            mu = self.prototypes
            self.norms = np.einsum("kd,kd->k", mu, mu)
            self.stacked = np.hstack([mu, mu * mu])  # (s @ [mu, mu^2] at once)
            self.gap_norms = cdist(mu, mu).astype(model.dtype, copy=False)
            self.widest = self.gap_norms.max(axis=1)
            self.rounding = np.sqrt(np.finfo(model.dtype).eps)
            # (predict's own distances, on the raw data, round to this much)
            raw = model.prototypes.astype(float)
            self.raw_norm = np.einsum("kd,kd->k", raw, raw).max()
            self.eps = np.finfo(model.dtype).eps * max(64, 4 * mu.shape[1])

    def scale_sum(self, x):
        """Sum over the rows of `x` of the scale that ``SoftMin(beta="auto")``
        divides by: the margin of each row for its own cluster (k-means), or
        its mean squared distance to the support points, weighted by the
        model's weights (one-class)."""
        if self.model.kind == "clusters":
            columns, _, forwarded = self.predicted(x)
            return float(self._margins(x, columns, False, forwarded, None)[0].sum())
        weights = np.exp(self.model.log_weights - self.model.log_weights.max())
        weights /= weights.sum()
        support = self.prototypes
        xc = x - self.centre
        # sum_r sum_j w_j ||x_r - u_j||^2, without the (rows, points) table.
        squares = np.einsum("nd,nd->", xc, xc)
        cross = xc.sum(axis=0) @ (weights @ support)
        spread = weights @ np.einsum("jd,jd->j", support, support)
        return float(squares - 2 * cross + len(x) * spread)

    @property
    def width(self):
        """Number of distance units (the hidden layer of ``return_layers``)."""
        return len(self.prototypes)

    def predicted(self, x):
        """Each row's nearest centre (k-means) or the single column, the
        rows within rounding of a tie between two centres, and what
        :meth:`explain` reuses of this pass."""
        n = len(x)
        if self.model.kind != "clusters":
            return np.zeros(n, dtype=np.intp), np.arange(0), None
        forwarded = self.forward(x)
        xc, products, _ = forwarded
        half = self.norms / 2 - products  # ||x - mu_k||^2 / 2 - ||x||^2 / 2
        first = np.argmin(half, axis=1)
        # The two smallest: the first, and the least of the others (a
        # partition of short rows costs several times more).
        rows = np.arange(n)
        least = half[rows, first]
        half[rows, first] = np.inf
        # predict compares distances of the raw (uncentred) data, which
        # round to about eps times their size: rows that close to a tie
        # are for it to settle.
        size = np.einsum("nd,nd->n", x, x, dtype=float) + self.raw_norm
        near = (_least(half) - least) <= self.eps * size
        return first, np.flatnonzero(near), forwarded

    def forward(self, x):
        """What every target of a k-means batch shares: the centred rows,
        their products with the centres and their lengths; a
        FloatingPointError where they overflow the dtype."""
        xc = x - self.centre
        products = xc @ self.prototypes.T
        lengths = np.sqrt(np.einsum("nd,nd->n", xc, xc))
        if not (np.all(np.isfinite(lengths)) and np.all(np.isfinite(products))):
            raise FloatingPointError(
                "The k-means distances overflowed: the inputs or centres are "
                f"too large for {x.dtype}."
            )
        return xc, products, lengths

    def explain(self, x, columns, want_layers, forwarded=None, into=None):
        """Scores, baselines, relevance, dead relevance and unit relevance
        of one target column per row (`columns`, shape (n,)); the
        relevance is written into `into` when given."""
        if self.model.kind == "clusters":
            return self._margins(x, columns, want_layers, forwarded, into)
        # A few (rows, support points) tables at a time: rows in chunks.
        parts = [
            self._outliers(x[rows], want_layers)
            for rows in _slices(len(x), max(1, _TABLE // len(self.prototypes)))
        ]
        score, baseline, relevance, dead = (
            np.concatenate([part[i] for part in parts]) for i in range(4)
        )
        units = np.concatenate([part[4] for part in parts]) if want_layers else None
        if into is not None:
            into[...] = relevance
        return score, baseline, relevance, dead, units

    def _margins(self, x, columns, want_layers, forwarded, into):
        """K-means: the margin of cluster ``columns[r]`` for each row r."""
        xc, products, lengths = forwarded or self.forward(x)
        rows = np.arange(len(x))
        # h_k = ||x - mu_k||^2 - ||x - mu_c||^2, the unit comparing c with k.
        h = products[rows, columns][:, np.newaxis] - products
        h *= 2
        h += self.norms - self.norms[columns][:, np.newaxis]
        h[rows, columns] = np.inf  # (c is not its own competitor)
        margin = _least(h)
        shares = margin[:, np.newaxis] * self.softmin.weights(h, self.beta)
        per_unit, dead = self._split(h, shares, columns, lengths, margin)
        # Midpoint rule: R_i = sum_k s_k w_ik (x_i - m_ik), s_k = R_k / h_k,
        # which is s_k (mu_c - mu_k)_i (2 x_i - mu_ci - mu_ki), or
        # V_i - 2 x_i W_i with [W, V] = sum_k s_k [mu_k, mu_k^2] over all k,
        # s_c = -sum_{k != c} s_k: one product, then three n x d passes
        # (most of the time).
        per_unit[rows, columns] = -per_unit.sum(axis=1)
        weighted = per_unit @ self.stacked
        d = xc.shape[1]
        relevance = np.multiply(xc, weighted[:, :d], out=into)
        relevance *= -2
        relevance += weighted[:, d:]
        shares[rows, columns] = 0
        units = shares if want_layers else None
        return margin, np.zeros_like(margin), relevance, dead, units

    def _split(self, h, shares, columns, lengths, margin):
        """Midpoint: each unit's share per unit of h_k, and the dead
        relevance of the units within rounding of 0 (x on the boundary of
        c and k: no split), which get none."""
        rows = np.arange(len(h))
        with np.errstate(divide="ignore", invalid="ignore"):
            per_unit = shares / h
        per_unit[rows, columns] = 0
        dead = np.zeros(len(h), dtype=h.dtype)
        # |h_k| >= margin for every k != c: only rows whose margin is within
        # the largest tolerance of their centre can hold such a unit (the
        # same bound, rounded alike, as the per-unit test below).
        largest = self.widest[columns]
        bound = self.rounding * (largest * (2 * lengths + largest))
        suspects = np.flatnonzero(~(margin > bound))
        if suspects.size:
            mine = columns[suspects]
            scale = self.gap_norms[mine]
            scale *= 2 * lengths[suspects][:, np.newaxis] + scale
            vanished = np.abs(h[suspects]) <= self.rounding * scale
            vanished[np.arange(len(suspects)), mine] = False
            per_unit[suspects] = np.where(vanished, 0, per_unit[suspects])
            dead[suspects] = np.where(vanished, shares[suspects], 0).sum(axis=1)
        return per_unit, dead

    def _outliers(self, x, want_layers):
        """One-class: the outlier score, against the model's baseline."""
        model, support = self.model, self.prototypes
        xc = x - self.centre
        distances = np.empty((len(x), len(support)), dtype=x.dtype)
        for block in self._blocks(x):
            squares = (xc[:, np.newaxis] - support[block]) ** 2
            distances[:, block] = squares.sum(axis=2)
        # o(x) = softmin_gamma(e_j), e_j = d_j - log(alpha_j) / gamma.
        pooled = distances - model.log_weights.astype(x.dtype) / model.gamma
        least = pooled.min(axis=1)
        gamma = model.gamma
        score = (
            least
            - np.log(np.exp(-gamma * (pooled - least[:, np.newaxis])).sum(axis=1))
            / gamma
        )
        baseline = np.full_like(score, model.baseline)
        shares = (score - baseline)[:, np.newaxis] * self.softmin.weights(
            pooled, self.beta
        )
        # DistanceShare: feature i takes (x_i - u_ji)^2 / d_j of R_j.
        on_point = distances == 0
        dead = np.where(on_point, shares, 0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_unit = np.where(on_point, 0, shares / distances)
        relevance = np.zeros_like(xc)
        for block in self._blocks(x):
            squares = (xc[:, np.newaxis] - support[block]) ** 2
            relevance += np.einsum("nj,njd->nd", per_unit[:, block], squares)
        units = shares if want_layers else None
        return score, baseline, relevance, dead, units

    def _blocks(self, x):
        """Slices of the support points, a block of squares each."""
        m = len(self.prototypes)
        size = max(1, _BLOCK // max(1, x.shape[0] * x.shape[1]))
        return [slice(start, min(start + size, m)) for start in range(0, m, size)]


def _least(values):
    """``values.min(axis=1)`` of a (samples, units) array, taken over a
    copy laid out unit by unit: the same values, at a third of the cost of
    a minimum over the few units of each row in turn."""
    return np.asfortranarray(values).min(axis=1)


def neuralized_batch(
    layers,
    x,
    columns,
    ledger=False,
    return_layers=False,
    out=None,
    aggregation=None,
    undecided=False,
):
    """Relevance of every input of `x` for one or more scores of a
    neuralized model, as ``skl_lrp._propagation.relevance_batch`` gives
    it for a network (same arguments and keys).

    Parameters
    ----------
    layers : NeuralizedLayers
        The model's arithmetic.
    x : ndarray of shape (n, n_features)
        A batch in the model's dtype.
    columns : ndarray of shape (n_targets,) or (n, n_targets), or None
        Output columns (clusters) to explain for every sample, or each
        sample's own; None: each sample's assigned cluster (the single
        outlier score).
    ledger, return_layers : bool, default=False
        Also return the ledger (only its dead column can be nonzero), and
        the relevance of the distance units.
    out : dict, default=None
        Arrays to write results into, by key.
    aggregation : ndarray of shape (n_features, n_columns), default=None
        Sums the relevance of the model's inputs into the user's columns.
    undecided : bool, default=False
        With `columns` None, also return the rows within rounding of a tie
        between two clusters, for the model's predict to settle.

    Returns
    -------
    result : dict
        ``relevance``, ``scores``, ``baseline``, ``columns``, and
        ``ledger``, ``layers``, ``undecided`` when asked.
    """
    out = out or {}
    n, forwarded = len(x), None
    result = {}
    if columns is None:
        predicted, near, forwarded = layers.predicted(x)
        columns = predicted[:, np.newaxis]
        if undecided:
            result["undecided"] = near
    elif columns.ndim == 1:
        columns = np.broadcast_to(columns, (n, len(columns)))
    if forwarded is None and layers.model.kind == "clusters":  # (once for all)
        forwarded = layers.forward(x)
    n_targets = columns.shape[1]
    dtype = x.dtype
    width = x.shape[1] if aggregation is None else aggregation.shape[1]
    shapes = {
        "relevance": (n, n_targets, width),
        "scores": (n, n_targets),
        "baseline": (n, n_targets),
        "columns": (n, n_targets),
    }
    if ledger:
        shapes["ledger"] = (n, n_targets, 3)
    for key, shape in shapes.items():
        kind = columns.dtype if key == "columns" else dtype
        result[key] = out[key] if key in out else np.empty(shape, kind)
    result["columns"][...] = columns
    if ledger:
        result["ledger"][...] = 0
    if return_layers:
        result["layers"] = out.get("layers") or [
            np.empty((n, n_targets, layers.width), dtype)
        ]
    with np.errstate(over="ignore"):  # (overflow: for the caller to report)
        for t in range(n_targets):
            into = None if aggregation is not None else result["relevance"][:, t]
            score, baseline, relevance, dead, units = layers.explain(
                x, columns[:, t], return_layers, forwarded, into
            )
            result["scores"][:, t] = score
            result["baseline"][:, t] = baseline
            if aggregation is not None:
                result["relevance"][:, t] = relevance @ aggregation
            if ledger:
                result["ledger"][:, t, 2] = dead
            if return_layers:
                result["layers"][0][:, t] = units
    return result
