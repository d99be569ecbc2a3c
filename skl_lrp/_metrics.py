"""Faithfulness of explanations: feature flipping, AOPC, correlation, completeness.

Every metric perturbs the inputs and reads the model's *score* (the logit of
the explained class, or the regression output before its output activation),
for all samples and all perturbations in a few large batched calls.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state, gen_batches
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from ._explainer import RelevanceExplainer
from ._network import forward, network_input, read_network, split_pipeline
from ._replaced_columns import Table

_BATCH_ROWS = 8192

# The constraints the metrics share (each is documented once, in
# feature_flipping_curve).
_INPUTS = {
    "estimator": [HasMethods(["fit"])],
    "X": ["array-like"],
    "relevance": ["array-like"],
}
_TARGET = [str, Real, "array-like"]  # "predicted", a label, or one per sample
_BASELINE = [StrOptions({"mean", "median", "zero"}), Real, "array-like"]
_ORDER = [StrOptions({"morf", "lerf", "random"})]


class _Scorer:
    """The score function of a fitted model: logits for rows of X."""

    def __init__(self, estimator):
        if isinstance(estimator, RelevanceExplainer):
            estimator = estimator.estimator_
        self.estimator = estimator
        self.preprocessing, _ = split_pipeline(estimator)
        self.network = read_network(estimator)

    def logits(self, X):
        n = len(X)
        out = np.empty((n, len(self.network.labels)))
        for rows in gen_batches(n, _BATCH_ROWS):
            x = network_input(X, rows, self.preprocessing, self.network.dtype)
            out[rows] = forward(self.network, x)[2]
        return out

    def columns(self, X, target):
        """Output column explained for each sample."""
        if isinstance(target, str) and target == "predicted":
            self.network.columns_for(target)  # (defined for this model?)
            if not self.network.is_classifier:
                return np.zeros(len(X), dtype=np.intp)
            # The model's own predict decides, as in the explainer.
            return self.network.columns_of(self.estimator.predict(X))
        if isinstance(target, str) and target == "all":
            raise ValueError(
                "target='all' names several scores per sample; these metrics "
                "track one: pass 'predicted', one label, or one label per sample."
            )
        if np.ndim(target) == 0:
            column = self.network.columns_for(target)[0]
            return np.full(len(X), column)
        target = np.asarray(target)
        if target.shape != (len(X),):
            raise ValueError(
                "target must be 'predicted', one label, or one label per sample "
                f"(shape ({len(X)},)); got shape {target.shape}."
            )
        return np.array([self.network.columns_for(t)[0] for t in target])


def _check_inputs(X, relevance):
    """X as a :class:`Table` of its columns, and relevance (one per column)."""
    table = Table(X)
    relevance = np.asarray(relevance, dtype=float)
    if relevance.ndim == 3 and relevance.shape[1] == 1:  # explain()'s layout
        relevance = relevance[:, 0]
    if relevance.shape != table.shape:
        raise ValueError(
            "relevance must have one value per row and column of X, shape "
            f"{table.shape}; got {relevance.shape}."
        )
    if table.shape[0] == 0:
        raise ValueError("X needs at least one sample.")
    if not np.all(np.isfinite(relevance)):
        raise ValueError("relevance must be finite.")
    return table, relevance


def _baseline(baseline, table, reference):
    """The value that replaces each column of `table`."""
    if isinstance(baseline, str):  # one of the names validate_params allows
        return (table if reference is None else Table(reference)).baseline(baseline)
    n_columns = table.shape[1]
    values = np.asarray(baseline, dtype=object)
    if values.ndim == 0:
        values = np.full(n_columns, values.item(), dtype=object)
    if values.shape != (n_columns,):
        raise ValueError(
            f"baseline must be a name, one value or {n_columns} values (one "
            f"per column of X); got shape {values.shape}."
        )
    for j, value in enumerate(values):
        if table.numeric(j) and not np.isfinite(float(value)):
            raise ValueError(
                f"baseline must be finite; got {value!r} for column {table.name(j)!r}."
            )
    return list(values)


def _order(relevance, order, random_state):
    """Per sample, the features in the order they are removed."""
    if order == "morf":  # most relevant first
        return np.argsort(-relevance, axis=1, kind="stable")
    if order == "lerf":  # least relevant first
        return np.argsort(relevance, axis=1, kind="stable")
    rng = check_random_state(random_state)  # "random"
    return np.argsort(rng.random_sample(relevance.shape), axis=1)


def _counts(steps, n_features):
    if steps is None:
        return np.arange(n_features + 1)
    if isinstance(steps, Integral):  # >= 1 (validate_params)
        return np.unique(np.round(np.linspace(0, n_features, steps + 1)).astype(int))
    counts = np.asarray(steps, dtype=int)
    if counts.ndim != 1 or counts.min() < 0 or counts.max() > n_features:
        raise ValueError(
            f"steps must be None, an int or counts between 0 and {n_features}."
        )
    return counts


def _scores_of_masks(scorer, table, masks, baseline, columns):
    """Score of each sample with the columns in each mask replaced.

    `masks` has shape (n_samples, n_masks, n_columns); returns (n_samples,
    n_masks). The replaced rows are built and scored chunk by chunk.
    """
    n, n_masks, _ = masks.shape
    out = np.empty((n, n_masks))
    per_chunk = max(1, _BATCH_ROWS // n_masks)
    for rows in gen_batches(n, per_chunk):
        replaced = table.replaced(rows, masks[rows], baseline)
        logits = scorer.logits(replaced).reshape(
            -1, n_masks, len(scorer.network.labels)
        )
        out[rows] = np.take_along_axis(
            logits,
            np.broadcast_to(columns[rows, None, None], (len(logits), n_masks, 1)),
            axis=2,
        )[..., 0]
    return out


@validate_params(
    {
        **_INPUTS,
        "target": _TARGET,
        "order": _ORDER,
        "baseline": _BASELINE,
        "steps": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "reference": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def feature_flipping_curve(
    estimator,
    X,
    relevance,
    *,
    target="predicted",
    order="morf",
    baseline="mean",
    steps=None,
    reference=None,
    random_state=None,
):
    """Score of each sample as its features are replaced, in relevance order.

    Features are replaced by a baseline value one by one (or in `steps`),
    most relevant first ("morf"), least relevant first ("lerf") or at random,
    and the explained score (the logit) is recorded. A faithful explanation
    makes the MoRF curve fall fast and the LeRF curve slowly.

    Parameters
    ----------
    estimator : fitted model or RelevanceExplainer
        A model :class:`RelevanceExplainer` supports (an explainer stands for
        its ``estimator_``), alone or ending a Pipeline.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The samples, as the model takes them: a DataFrame keeps its column
        names and types (categorical columns too) when columns are replaced.
    relevance : array-like of shape (n_samples, n_features)
        Their relevance for `target` (any attribution method).
    target : "predicted", label or array-like of shape (n_samples,), \
default="predicted"
        Whose score is tracked: each sample's predicted class (on the
        unperturbed input), one label, or a label per sample.
    order : {"morf", "lerf", "random"}, default="morf"
        Removal order.
    baseline : {"mean", "median", "zero"} or array-like, default="mean"
        Value a removed column takes, in the user's space: the mean, median
        or zero for a numeric column of `reference` (missing values left
        out), the most frequent value for any other column (a categorical
        one, whatever the name); or one value per column.
    steps : int, array-like of int or None, default=None
        None removes one feature per step; an int spreads that many steps
        over the features; an array gives the numbers of removed features.
    reference : array-like of shape (n_ref, n_features), default=None
        Data for "mean" and "median"; None uses `X`.
    random_state : int, RandomState instance or None, default=None
        For ``order="random"``.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``curves`` (n_samples, n_steps): the score after each step;
        ``mean_curve`` (n_steps,); ``counts`` (n_steps,): features removed
        at each step (the first is 0: the unperturbed score).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp.metrics import feature_flipping_curve
    >>> X = np.array([[1.0, 2.0], [3.0, 1.0]])
    >>> model = LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0, 2, 1])
    >>> curve = feature_flipping_curve(model, X, X * model.coef_, baseline="zero")
    >>> curve.curves.round(6)
    array([[4., 2., 0.],
           [7., 1., 0.]])
    """
    table, relevance = _check_inputs(X, relevance)
    scorer = _Scorer(estimator)
    base = _baseline(baseline, table, reference)
    n_columns = table.shape[1]
    counts = _counts(steps, n_columns)
    ordered = _order(relevance, order, random_state)
    position = np.empty_like(ordered)
    np.put_along_axis(position, ordered, np.arange(n_columns)[None, :], axis=1)
    masks = position[:, None, :] < counts[None, :, None]
    columns = scorer.columns(X, target)
    curves = _scores_of_masks(scorer, table, masks, base, columns)
    return Bunch(curves=curves, mean_curve=curves.mean(axis=0), counts=counts)


@validate_params(
    {
        **_INPUTS,
        "order": _ORDER,
    },
    # feature_flipping_curve validates **params.
    prefer_skip_nested_validation=False,
)
def aopc(estimator, X, relevance, *, order="morf", **params):
    """Area over the perturbation curve (Samek et al., 2017).

    ``AOPC = mean over samples of 1/(L+1) * sum_{k=0..L} (f(x) - f(x_k))``,
    with ``x_k`` the sample after k steps of :func:`feature_flipping_curve`.
    Larger is better for "morf" (the score falls early); for "lerf" smaller.

    Parameters
    ----------
    estimator : fitted model or RelevanceExplainer
        As in :func:`feature_flipping_curve`.
    X : array-like of shape (n_samples, n_features)
        The samples.
    relevance : array-like of shape (n_samples, n_features)
        Their relevance.
    order : {"morf", "lerf", "random"}, default="morf"
        Removal order.
    **params : dict
        ``target``, ``baseline``, ``steps``, ``reference``, ``random_state``
        of :func:`feature_flipping_curve`.

    Returns
    -------
    aopc : float
        The area, in units of the score.

    References
    ----------
    W. Samek, A. Binder, G. Montavon, S. Lapuschkin and K.-R. Müller,
    "Evaluating the visualization of what a deep neural network has
    learned", IEEE TNNLS 28(11), 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp.metrics import aopc
    >>> model = LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0, 2, 1])
    >>> X = np.array([[1.0, 2.0]])
    >>> round(aopc(model, X, X * model.coef_, baseline="zero"), 6)  # (0+2+4)/3
    2.0
    """
    curves = feature_flipping_curve(estimator, X, relevance, order=order, **params)
    drops = curves.curves[:, :1] - curves.curves
    return float(drops.mean())


@validate_params(
    _INPUTS,
    # feature_flipping_curve validates **params.
    prefer_skip_nested_validation=False,
)
def morf_lerf_difference(estimator, X, relevance, **params):
    """AOPC of the MoRF order minus AOPC of the LeRF order.

    Both curves start at the same score, so this is the area between them:
    large when removing the most relevant features hurts much more than
    removing the least relevant ones.

    Parameters
    ----------
    estimator : fitted model or RelevanceExplainer
        As in :func:`feature_flipping_curve`.
    X : array-like of shape (n_samples, n_features)
        The samples.
    relevance : array-like of shape (n_samples, n_features)
        Their relevance.
    **params : dict
        ``target``, ``baseline``, ``steps``, ``reference`` of
        :func:`feature_flipping_curve`.

    Returns
    -------
    difference : float
        ``aopc(order="morf") - aopc(order="lerf")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp.metrics import morf_lerf_difference
    >>> model = LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0, 2, 1])
    >>> X = np.array([[1.0, 3.0]])  # f = 5; relevance (2, 3)
    >>> round(morf_lerf_difference(model, X, X * model.coef_, baseline="zero"), 6)
    0.333333
    """
    return aopc(estimator, X, relevance, order="morf", **params) - aopc(
        estimator, X, relevance, order="lerf", **params
    )


@validate_params(
    {
        **_INPUTS,
        "target": _TARGET,
        "baseline": _BASELINE,
        "subset_size": [Interval(Integral, 1, None, closed="left"), None],
        "n_subsets": [Interval(Integral, 1, None, closed="left")],
        "reference": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def faithfulness_correlation(
    estimator,
    X,
    relevance,
    *,
    target="predicted",
    baseline="mean",
    subset_size=None,
    n_subsets=64,
    reference=None,
    random_state=None,
):
    """Correlation between relevance sums and score drops (Bhatt et al., 2020).

    For each sample, random feature subsets of size `subset_size` are
    replaced by the baseline; the Pearson correlation between the summed
    relevance of each subset and the drop of the score it causes is averaged
    over samples. 1: the relevance predicts the effect of removing features.

    Parameters
    ----------
    estimator : fitted model or RelevanceExplainer
        As in :func:`feature_flipping_curve`.
    X : array-like of shape (n_samples, n_features)
        The samples.
    relevance : array-like of shape (n_samples, n_features)
        Their relevance.
    target : "predicted", label or array-like, default="predicted"
        As in :func:`feature_flipping_curve`.
    baseline : {"mean", "median", "zero"} or array-like, default="mean"
        As in :func:`feature_flipping_curve`.
    subset_size : int, default=None
        Features per subset; None uses a quarter of them (at least 1).
    n_subsets : int, default=64
        Random subsets per sample.
    reference : array-like, default=None
        As in :func:`feature_flipping_curve`.
    random_state : int, RandomState instance or None, default=None
        Seed of the subsets.

    Returns
    -------
    correlation : float
        Mean over samples (samples whose drops or sums do not vary count as
        0).

    References
    ----------
    U. Bhatt, A. Weller and J. M. F. Moura, "Evaluating and aggregating
    feature-based model explanations", IJCAI 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp.metrics import faithfulness_correlation
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(20, 6))
    >>> model = LinearRegression().fit(X, X @ np.arange(6.0))
    >>> exact = (X - X.mean(0)) * model.coef_  # what each feature adds
    >>> round(faithfulness_correlation(model, X, exact, random_state=0), 6)
    1.0
    """
    table, relevance = _check_inputs(X, relevance)
    n, d = table.shape
    size = max(1, d // 4) if subset_size is None else int(subset_size)
    if size > d:
        raise ValueError(f"subset_size must be between 1 and {d}; got {subset_size}.")
    scorer = _Scorer(estimator)
    base = _baseline(baseline, table, reference)
    rng = check_random_state(random_state)
    picks = np.argsort(rng.random_sample((n, n_subsets, d)), axis=2)[..., :size]
    masks = np.zeros((n, n_subsets, d), dtype=bool)
    np.put_along_axis(masks, picks, True, axis=2)
    columns = scorer.columns(X, target)
    full = np.concatenate([np.zeros((n, 1, d), dtype=bool), masks], axis=1)
    scores = _scores_of_masks(scorer, table, full, base, columns)
    drops = scores[:, :1] - scores[:, 1:]
    sums = np.einsum("nsd,nd->ns", masks, relevance)
    return float(np.mean(_rowwise_pearson(sums, drops)))


def _rowwise_pearson(a, b):
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    safe = denominator > 1e-12 * (
        np.abs(a).max(axis=1) * np.abs(b).max(axis=1) + 1e-300
    )
    out = np.zeros(len(a))
    out[safe] = (a * b).sum(axis=1)[safe] / denominator[safe]
    return out


@validate_params(
    {
        **_INPUTS,
        "target": _TARGET,
        "baseline": [None, *_BASELINE],
        "reference": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def completeness(
    estimator, X, relevance, *, target="predicted", baseline=None, reference=None
):
    """How far the relevance sums are from what they should add up to.

    Mean over samples of ``|sum_i R_i - (f(x) - f(baseline))|``, with
    ``f(baseline) = 0`` when `baseline` is None (LRP decomposes the score
    itself). 0 for a complete explanation.

    Parameters
    ----------
    estimator : fitted model or RelevanceExplainer
        As in :func:`feature_flipping_curve`.
    X : array-like of shape (n_samples, n_features)
        The samples.
    relevance : array-like of shape (n_samples, n_features)
        Their relevance.
    target : "predicted", label or array-like, default="predicted"
        As in :func:`feature_flipping_curve`.
    baseline : None, {"mean", "median", "zero"} or array-like, default=None
        Reference input whose score the relevance is relative to.
    reference : array-like, default=None
        As in :func:`feature_flipping_curve`.

    Returns
    -------
    gap : float
        Mean absolute gap, in units of the score.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp.metrics import completeness
    >>> model = LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0.5, 2.5, 1.5])
    >>> X = np.array([[1.0, 2.0], [3.0, 1.0]])
    >>> round(completeness(model, X, X * model.coef_, baseline="zero"), 10)
    0.0
    """
    table, relevance = _check_inputs(X, relevance)
    scorer = _Scorer(estimator)
    logits = scorer.logits(X)
    columns = scorer.columns(X, target)
    scores = logits[np.arange(len(logits)), columns]
    if baseline is not None:
        base = _baseline(baseline, table, reference)
        everything = np.ones((1, 1, table.shape[1]), dtype=bool)
        scores = (
            scores - scorer.logits(table.replaced([0], everything, base))[0, columns]
        )
    return float(np.mean(np.abs(relevance.sum(axis=1) - scores)))


_METRICS = {
    "aopc": (aopc, 1.0),
    "morf_lerf_difference": (morf_lerf_difference, 1.0),
    "faithfulness_correlation": (faithfulness_correlation, 1.0),
    "neg_completeness": (completeness, -1.0),
}


@validate_params(
    {"metric": [StrOptions(set(_METRICS))]},
    # The scorer's metric validates **params when it is called.
    prefer_skip_nested_validation=True,
)
def make_explanation_scorer(metric="aopc", **params):
    """A scorer that rates an explainer's settings by a faithfulness metric.

    The scorer explains ``X`` with the (fitted) explainer and evaluates the
    metric on its model, so that :class:`~sklearn.model_selection.GridSearchCV`
    over a :class:`RelevanceExplainer`'s parameters (``rules``, ``bounds``)
    picks the most faithful setting. Greater is better.

    Parameters
    ----------
    metric : {"aopc", "morf_lerf_difference", "faithfulness_correlation", \
"neg_completeness"}, default="aopc"
        The metric; completeness is negated so that greater is better.
    **params : dict
        Passed to the metric (``baseline``, ``steps``, ...).

    Returns
    -------
    scorer : callable
        ``scorer(explainer, X, y=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skl_lrp import RelevanceExplainer
    >>> from skl_lrp.metrics import make_explanation_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4))
    >>> model = LogisticRegression().fit(X, X[:, 0] > 0)
    >>> search = GridSearchCV(
    ...     RelevanceExplainer(FrozenEstimator(model)),
    ...     {"rules": ["deep-taylor", "epsilon"]},
    ...     scoring=make_explanation_scorer("aopc", steps=4), cv=2,
    ... ).fit(X)
    >>> search.best_params_["rules"] in ("deep-taylor", "epsilon")
    True
    """
    function, sign = _METRICS[metric]

    def scorer(explainer, X, y=None):
        explanation = explainer.explain(X)
        target = explanation.targets[:, 0]
        value = function(
            explainer, X, explanation.relevance[:, 0], target=target, **params
        )
        return sign * value

    scorer.__name__ = f"{metric}_scorer"
    return scorer
