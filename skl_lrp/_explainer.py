"""RelevanceExplainer: the scikit-learn face of the relevance propagation."""

from dataclasses import replace
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils import Bunch, gen_batches, get_tags
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._baseline import (
    check_rows,
    draw_rows,
    fold_top_layer,
    forward_finite,
    measured_against,
)
from ._batches import Plan, propagate
from ._columns import UntraceableError, source_columns
from ._composites import PRESETS, resolve_auto, resolve_rules
from ._dask import checked, lazily, reduced, refuse_training, rows_at
from ._inputs import check_finite, check_numeric, check_still_numeric, numeric_columns
from ._layers import bind_layers, input_statistics, layer_contexts
from ._network import (
    NEURALIZED,
    ONE_CLASS,
    check_supported,
    network_input,
    read_network,
    read_prototypes,
    split_pipeline,
    unwrap,
)
from ._neuralized import NeuralizedLayers
from ._neuralized_rules import (
    AUTO_OUTLIER_STIFFNESS,
    AUTO_STIFFNESS,
    resolve_neuralized,
)
from ._rules import ROOT_POINTS, named, resolve_box

_FLOATS = (np.float64, np.float32)
# At most this many rows of the data given to fit are kept for
# feature_importances_ (as scikit-learn's gradient boosting scores its
# training data on a subsample of 10,000 rows).
IMPORTANCE_ROWS = 10_000


class RelevanceExplainer(
    MetaEstimatorMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Explain a scikit-learn MLP with Layer-wise Relevance Propagation.

    For every sample, the explained output score (the logit of the target
    class, or a regression output before its output activation) is split into
    one relevance value per input feature. The values add up to the score
    minus what it is measured against, the *baseline* (0 when the score
    itself is explained), up to what the ledger of :meth:`explain` reports.

    By default a classifier is explained with the Deep Taylor rules: z^β on
    the first layer, z^+ on every later one (Montavon et al., 2017), from a
    root point (``bounds``, the average training sample); relevance then has
    the sign of the score and adds up to it exactly. A regressor's score is
    signed, and is explained against the average prediction instead: with
    the Rescale rule (LRP-0 on differences, DeepLIFT's rule) against 32
    background rows drawn from the data given to :meth:`fit`, so that a
    feature's relevance is positive where it pushes the prediction above
    the average and negative where it pulls it below, and the values add up
    to the prediction minus the average prediction over those rows.

    Parameters
    ----------
    estimator : estimator, default=None
        The model to explain: an MLPClassifier or MLPRegressor, a linear
        model (LogisticRegression, LinearRegression, Ridge, SGDClassifier,
        SGDRegressor, LinearSVC, LinearSVR: a network with one layer), or a
        Pipeline ending in one of these. :meth:`fit` fits a clone of it on
        ``X, y``. To explain an already trained model as it is, wrap it in
        :class:`sklearn.frozen.FrozenEstimator`; ``fit(X)`` then only learns
        the root point. Required: None raises an error at fit.

    rules : "auto", str, list of Rule or dict, default="auto"
        Which rule each dense layer uses (see :mod:`skl_lrp.rules`): a preset
        ("deep-taylor": z^β first, z^+ on every later layer; "rescale":
        Rescale on every layer, against the ``baseline``; "epsilon";
        "alpha-beta"; "montavon-2019"), a list with one rule per layer, first
        to last, or a dict with keys among "first", "hidden" and "output".
        "auto" is "rescale" for a regressor, the most faithful conserving
        choice measured on data whose per-feature effects are known (see
        "Checking explanations against known truth" in the documentation),
        unless ``bounds`` is given (any value but "auto": a root point or
        box, which only z^β uses) or ``baseline=None`` (the raw score);
        "deep-taylor" otherwise, and for a classifier. ``rules_`` says which
        was used.

    bounds : {"auto", "column-mean", "mean", "data"} or tuple (low, high), \
default="auto"
        Where the z^β rule of the first layer puts its root point, the point
        each sample's relevance is measured against; learned from the ``X``
        given to :meth:`fit` (see "Root points" in the documentation);
        "auto" is "column-mean":

        - "column-mean": the training mean of the network's inputs. Each
          sample's box is ``[min(x, mean), max(x, mean)]``, so an input
          contributes ``((x_i - mean_i) w_ij)^+``: what its deviation from
          the average pushes up. The inputs a Pipeline makes from one column
          of ``X`` (one-hot columns of a categorical, spline bases) count as
          one: the column contributes its net push. A first-layer neuron that
          no deviation pushes up hands its relevance to the sample's other
          first-layer neurons (in proportion to theirs) rather than losing
          it, so relevance is conserved.
        - "mean": the same root point, every network input on its own, and
          nothing handed on: relevance at a neuron no deviation pushes up is
          lost (reported as ``absorbed_dead`` by :meth:`explain`).
        - "data": the corner of the training data's range, per feature
          ``[min, max]``: an input counts from the end of its range that
          lowers each neuron (Montavon et al., 2017). A heavy tail, or a
          one-hot column at 0 with a negative weight, then gets relevance
          whatever the sample's value.
        - a tuple ``(low, high)``: scalars or arrays of length
          ``n_features_in_`` (the network's inputs), ``low <= high``, all
          finite; ``low == high`` is a root point.

        A sample outside the box is explained with the box widened just
        enough to contain it, so its relevance stays finite and conserved.

    baseline : "auto", None, "mean", int, array-like or sparse matrix, \
default="auto"
        What each score is explained against, for the Rescale rule and for
        Deep Taylor (see "Baselines" in the documentation):

        - None: nothing; the score itself is explained (Rescale then has no
          reference and raises an error; a OneClassSVM's outlier score is
          explained against 0 instead of its decision boundary).
        - "mean": one reference row, the training mean of the network's
          inputs (after a Pipeline's preprocessing).
        - an int K: K background rows drawn uniformly without replacement
          from the ``X`` given to :meth:`fit` (all of its rows when it has
          no more than K), reproducibly with ``random_state``. Rescale
          explains each sample against each of them and averages: the
          relevance adds up to the score minus the rows' mean score, and
          approaches the Shapley values of an additive model's features.
          Rows the network was trained on carry what it memorized of them
          (an identifier's effect, say), which then shows in every
          explanation: to compare new rows with the average prediction on
          new data, fit on held-out rows or pass them as the baseline (as
          :func:`cross_val_relevance` does).
        - an array-like of shape (n_rows, n_features): the reference rows,
          like the ``X`` given to :meth:`fit` (the user's columns, for a
          Pipeline).

        "auto" is 32 background rows for rules that include Rescale, and
        None otherwise. Deep Taylor against a baseline (ReLU networks)
        rewrites the top hidden layer so that the network outputs the score
        minus the baseline rows' mean score (Letzgus et al., 2022), then
        propagates with the same rules. The reference rows are forwarded
        once, in :meth:`fit`; each explained sample costs one backward pass
        per reference row.

    target : "predicted" or label, default="predicted"
        Which output score :meth:`transform` explains. "predicted" explains
        the class each sample is predicted as (classifiers) or the single
        output (single-output regressors); multilabel classifiers and
        multi-output regressors need an explicit target. Otherwise a value of
        ``classes_`` (classifiers) or an output index (regressors).

    batch_size : int, default=1024
        Rows propagated together. All targets of a row share its forward
        pass; with several, the backward pass runs on about ``batch_size``
        (row, target) pairs at a time. Memory beyond the outputs is about 6
        times ``batch_size`` times the widest layer times the itemsize per
        batch in flight (``n_jobs`` of them), growing neither with the
        samples nor with the targets: batches write their rows into the
        outputs in place. (Batches that a joblib backend runs in other
        processes or on a cluster send their results back instead.) The
        result does not depend on it.

    n_jobs : int, default=None
        Number of batches explained in parallel through joblib (threads are
        preferred: the work is numpy that releases the GIL; a backend chosen
        with :func:`joblib.parallel_config` takes precedence). None means 1
        unless in a joblib context; -1 uses all processors.

    aggregate : bool, default=True
        For a Pipeline, sum the relevance of the columns the preprocessing
        makes into the columns of ``X`` they come from (one-hot columns into
        their categorical column, and so on; see "Pipelines and tabular
        data" in the documentation). False returns relevance on the
        network's own input columns, named by the preprocessing's
        ``get_feature_names_out``.

    random_state : int, RandomState instance or None, default=None
        Draws the background rows of an integer ``baseline`` (as the
        regressor's default is), and the rows ``feature_importances_``
        explains when :meth:`fit` gets more than 10,000. None draws other
        rows at every fit, so that explanations differ slightly from fit to
        fit; pass an int for the same rows, and the same explanations, every
        time.

    Attributes
    ----------
    estimator_ : estimator
        The fitted network (the FrozenEstimator itself when one was given).

    rules_ : str, list of Rule or dict
        The rules used: ``rules``, with "auto" resolved to a preset name.

    low_ : ndarray of shape (n_network_inputs,) or None
        Lower bounds of the first layer's z^β box on the network's inputs
        (after a Pipeline's preprocessing); with a root point, the point
        itself. None when the first layer's rule has no box.

    high_ : ndarray of shape (n_network_inputs,) or None
        Upper bounds of the box; equal to ``low_`` for a root point.

    baseline_inputs_ : ndarray of shape (n_references, n_network_inputs) or None
        The baseline's reference rows as the network sees them (after a
        Pipeline's preprocessing), or None without a baseline.

    baseline_scores_ : ndarray of shape (n_outputs,) or None
        What each output's relevance is measured against: the mean score of
        the reference rows, or None without a baseline.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during :meth:`fit`. Defined only when ``X``
        has feature names that are all strings.

    feature_importances_ : ndarray of shape (n_features_out,)
        Mean absolute relevance per output column of the explained target
        (``target``; each sample's predicted class by default) over the data
        given to :meth:`fit`; for models where "predicted" is undefined, the
        mean over all outputs. Lets :class:`~sklearn.feature_selection.SelectFromModel`
        select features by relevance. It is computed when first read, and
        kept: :meth:`fit` itself explains no row, and the first read costs
        about a :meth:`transform` of those rows (all outputs' worth, for
        multi-output models). For it, :meth:`fit` keeps up to 10,000 rows of
        its data as the network's inputs (after a Pipeline's preprocessing),
        dropped once it is computed: all of them when there are no more,
        else 10,000 drawn uniformly with ``random_state``, as an integer
        ``baseline``'s are (scikit-learn's gradient boosting scores its
        training data on such a subsample; the mean over 10,000 rows differs
        from that over all of them by about 1% of the standard deviation of
        the absolute relevance). Saving the explainer (pickle, skops, or
        joblib sending it to another process) computes it first, so that
        the saved file carries no rows of the data. Reading it before
        :meth:`fit` raises :class:`~sklearn.exceptions.NotFittedError`
        (``hasattr`` is False).

    See Also
    --------
    sklearn.inspection.permutation_importance : Model-agnostic global importance.

    Notes
    -----
    The denominators are stabilized as ``s(z) = z + eps * sign(z)`` with
    ``sign(0) = +1`` and ``eps = sqrt(tiny)`` of the network's dtype (about
    1.5e-154 for float64, 1.1e-19 for float32) unless the rule sets its own.
    That default changes no non-vanishing denominator beyond rounding, so it
    is not added at all (rows with a denominator small enough for it to
    matter are recomputed in a wider float type). A neuron
    whose contributions sum to exactly zero passes on no relevance; when it
    held relevance, the row no longer sums to the score, and
    :meth:`explain` reports the difference as ``absorbed_dead`` (for
    instance a hidden unit kept on by its bias alone under z^+; a z^+
    neuron with a negative output and no input pushing it up passes its
    relevance to the inputs pushing it down instead).

    References
    ----------
    G. Montavon, S. Lapuschkin, A. Binder, W. Samek and K.-R. Müller,
    "Explaining nonlinear classification decisions with deep Taylor
    decomposition", Pattern Recognition 65, 2017.

    A. Shrikumar, P. Greenside and A. Kundaje, "Learning important features
    through propagating activation differences", ICML 2017.

    S. Letzgus, P. Wagner, J. Lederer, W. Samek, K.-R. Müller and G.
    Montavon, "Toward explainable artificial intelligence for regression
    models", IEEE Signal Processing Magazine 39(4), 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skl_lrp import RelevanceExplainer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)
    >>> explainer = RelevanceExplainer(mlp).fit(X, y)
    >>> relevance = explainer.transform(X[:3])
    >>> relevance.shape
    (3, 30)
    """

    _parameter_constraints = {
        # (what it must be is checked at fit, with an error naming the models)
        "estimator": [HasMethods(["fit"]), None],
        "rules": [StrOptions({"auto", *PRESETS}), list, tuple, dict],
        "bounds": [StrOptions({"auto", *ROOT_POINTS}), tuple],
        "target": "no_validation",
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "aggregate": ["boolean"],
        "baseline": [
            None,
            StrOptions({"auto", "mean"}),
            Interval(Integral, 1, None, closed="left"),
            "array-like",
            "sparse matrix",
        ],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        rules="auto",
        bounds="auto",
        baseline="auto",
        target="predicted",
        batch_size=1024,
        n_jobs=None,
        aggregate=True,
        random_state=None,
    ):
        self.estimator = estimator
        self.rules = rules
        self.bounds = bounds
        self.baseline = baseline
        self.target = target
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.aggregate = aggregate
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Fit the network (unless frozen), learn the root point and draw
        the baseline.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; a named ``bounds`` is learned from it.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets for fitting the network. Not needed when ``estimator`` is
            a :class:`~sklearn.frozen.FrozenEstimator`.
        **fit_params : dict
            Passed to the network's ``fit``.

        Returns
        -------
        self : RelevanceExplainer
            The fitted explainer.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.frozen import FrozenEstimator
        >>> from sklearn.neural_network import MLPRegressor
        >>> from skl_lrp import RelevanceExplainer
        >>> rng = np.random.RandomState(0)
        >>> X = rng.uniform(-1, 1, size=(100, 3))
        >>> y = X @ [1.0, -2.0, 0.5]
        >>> mlp = MLPRegressor(max_iter=300, random_state=0).fit(X, y)
        >>> explainer = RelevanceExplainer(FrozenEstimator(mlp), random_state=0)
        >>> explainer.fit(X).rules_  # a regressor: Rescale, against rows of X
        'rescale'
        >>> explainer.baseline_inputs_.shape
        (32, 3)
        >>> explainer.set_params(rules="deep-taylor").fit(X).low_.round(2)
        array([ 0.  , -0.03,  0.04])
        >>> explainer.set_params(bounds="data").fit(X).high_.round(2)
        array([0.98, 0.98, 1.  ])
        """
        estimator = self._fit_estimator(X, y, **fit_params)
        self._preprocessing, model = split_pipeline(estimator)
        if isinstance(model, NEURALIZED):
            return self._fit_neuralized(estimator, X)
        # The model, read into a network of dense layers.
        network = read_network(estimator)
        X = self._validate_input(X, reset=True)
        sources = self._source_columns(network)
        aggregation = self._aggregation(network, sources)
        _check_same_columns(self, estimator)
        self.rules_, bounds, baseline = resolve_auto(
            self.rules, self.bounds, self.baseline, network.is_classifier
        )
        self._settings = {"rules": self.rules_, "bounds": bounds, "baseline": baseline}
        # The layers: each rule bound to its layer, with what it learns from X.
        rules = resolve_rules(self.rules_, len(network.weights))
        network, rules, contexts, statistics, reference_scores = self._learn(
            X, network, rules, sources, bounds, baseline
        )
        layers = bind_layers(network, rules, contexts, statistics)
        # The box the first layer's bound rule uses (None: it has none).
        self.low_, self.high_ = layers[0].bound.box or (None, None)
        self._plan = Plan(
            network, layers, self._preprocessing, aggregation, model, reference_scores
        )
        self.estimator_ = estimator
        # (feature_importances_ explains these rows when it is first read)
        self._importance_rows = self._rows_to_rank(X, network)
        self._importances = None
        return self

    def _fit_neuralized(self, estimator, X):
        """fit for a k-means or one-class model, explained as the small
        network that neuralization rewrites it into."""
        prototypes = read_prototypes(estimator)
        kind = prototypes.kind
        if kind == "clusters" and len(prototypes.prototypes) < 2:
            raise ValueError(
                "A k-means model with one cluster has no margin to explain: "
                "fit it with n_clusters >= 2."
            )
        for name, allowed in (("bounds", ("auto",)), ("baseline", ("auto", None))):
            value = getattr(self, name)
            if not any(value is a or named(value, a) for a in allowed):
                raise ValueError(
                    f"{name}={value!r} does not apply to a neuralized "
                    f"{type(split_pipeline(estimator)[1]).__name__}: its scores "
                    "are measured against the model's own boundary (the cluster "
                    "boundaries; a one-class model's decision boundary). Leave "
                    f"{name} at its default."
                )
        X = self._validate_input(X, reset=True)
        sources = self._source_columns(prototypes)
        aggregation = self._aggregation(prototypes, sources)
        _check_same_columns(self, estimator)
        unit_rule, softmin = resolve_neuralized(self.rules, kind)
        beta = softmin.beta
        if named(beta, "auto"):  # (a constant over the data's own scale)
            probe = NeuralizedLayers(prototypes, softmin, 1.0)
            stiffness = AUTO_STIFFNESS if kind == "clusters" else AUTO_OUTLIER_STIFFNESS
            scale = _mean_scale(X, self, probe)
            if scale > 0:
                beta = stiffness / scale
            elif kind == "outliers":  # (every fit row on a support point)
                beta = prototypes.gamma
            else:
                raise ValueError(
                    "The k-means model's clusters have no margin on the fit data "
                    "(every row is on a boundary): SoftMin(beta='auto') cannot be "
                    "scaled to it. Give SoftMin a beta."
                )
        if self.baseline is None:  # the score itself, against 0
            prototypes = replace(prototypes, baseline=0.0)
        layers = NeuralizedLayers(prototypes, softmin, float(beta))
        self.rules_ = [clone(unit_rule), clone(softmin).set_params(beta=float(beta))]
        self._settings = {"rules": self.rules_, "bounds": None, "baseline": kind}
        self.low_, self.high_, self.baseline_inputs_ = None, None, None
        n_outputs = len(prototypes.labels)
        self.baseline_scores_ = np.full(n_outputs, prototypes.baseline)
        model = split_pipeline(estimator)[1]
        self._plan = Plan(prototypes, layers, self._preprocessing, aggregation, model)
        self.estimator_ = estimator
        # (feature_importances_ explains these rows when it is first read)
        self._importance_rows = self._rows_to_rank(X, prototypes)
        self._importances = None
        return self

    def _learn(self, X, network, rules, sources, bounds, baseline):
        """What the `rules` learn from X (one pass over it for the
        statistics of the layers' inputs: ZBeta's box, the root point that
        `bounds` names, the mean baseline), and the baseline's reference
        rows: ``(network, rules, contexts, statistics, reference_scores)``
        of the explanation measured against them."""
        contexts = layer_contexts(network, rules, sources, bounds)
        learning = {i for i, r in enumerate(rules) if r.learns_from_data(contexts[i])}
        if isinstance(bounds, str) or named(baseline, "mean"):
            learning.add(0)
        statistics = input_statistics(
            network, X, sorted(learning), self._preprocessing, self.batch_size
        )
        resolve_box(bounds, statistics.get(0), network.n_features)  # (checks it)
        self.baseline_inputs_ = self._baseline_inputs(baseline, X, network, statistics)
        network, rules, references = measured_against(
            network, rules, self.baseline_inputs_, self.rules_
        )
        self.baseline_scores_, reference_scores = None, None
        if references is not None:  # (forwarded once: each layer's share)
            at_references = forward_finite(network, references)
            reference_scores = at_references[2]
            self.baseline_scores_ = reference_scores.mean(axis=0)
            contexts = layer_contexts(network, rules, sources, bounds, at_references)
        elif network.offset is not None:
            self.baseline_scores_ = network.offset
        return network, rules, contexts, statistics, reference_scores

    def _baseline_inputs(self, baseline, X, network, statistics):
        """The `baseline`'s reference rows on the network's inputs (after the
        preprocessing), or None without a baseline."""
        if baseline is None:
            return None
        if named(baseline, "mean"):
            return statistics[0]["mean"][np.newaxis].astype(network.dtype)
        if isinstance(baseline, Integral):
            draw = partial(draw_rows, baseline, random_state=self.random_state)
            X = rows_at(X, draw, partial(self._check_input, reset=False))
        else:
            check_rows(baseline)
            if _num_samples(baseline) == 0:
                raise ValueError("baseline has no rows: give at least one.")
            try:
                X = self._validate_input(baseline, reset=False)
            except ValueError as error:
                raise ValueError(f"baseline: {error}") from None
        rows = slice(0, _num_samples(X))
        return network_input(X, rows, self._preprocessing, network.dtype)

    def _rows_to_rank(self, X, network):
        """The rows of X that ``feature_importances_`` explains, as the
        network's inputs (at most ``IMPORTANCE_ROWS``, drawn as an integer
        baseline's are), and the output columns it explains: the target's
        (None: each row's predicted class), or every output where
        "predicted" is undefined."""
        columns = None
        if not network.single_output:  # "predicted" is undefined: every output
            columns = np.arange(len(network.labels))
        if not named(self.target, "predicted"):
            target_columns = network.columns_for(self.target)
            columns = target_columns if len(target_columns) == 1 else columns
        draw = partial(draw_rows, IMPORTANCE_ROWS, random_state=self.random_state)
        rows = rows_at(X, draw, partial(self._check_input, reset=False))
        x = network_input(
            rows, slice(0, _num_samples(rows)), self._preprocessing, network.dtype
        )
        return x, columns

    @property
    def feature_importances_(self):
        """Mean absolute relevance per output column over the fit data.

        See the class's Attributes: computed when first read, from at most
        10,000 rows kept by :meth:`fit`, and then kept.

        See Also
        --------
        sklearn.feature_selection.SelectFromModel : Selects the features
            whose importance passes a threshold.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceExplainer
        >>> X, y = load_iris(return_X_y=True)
        >>> explainer = RelevanceExplainer(LogisticRegression(max_iter=500)).fit(X, y)
        >>> explainer.feature_importances_.round(2)
        array([0.4 , 0.53, 2.96, 0.77])
        """
        self._check_fitted()
        if self._importances is None:
            x, columns = self._importance_rows
            # (the rows are kept as the network's inputs: no preprocessing)
            plan = replace(self._plan, preprocessing=None)
            relevance = self._propagate(x, columns, scores=False, plan=plan)
            relevance = relevance["relevance"]
            n_pairs = relevance.shape[0] * relevance.shape[1]
            self._importances = np.abs(relevance).sum(axis=(0, 1)) / n_pairs
            self._importance_rows = None  # (no longer needed)
        return self._importances

    def __getstate__(self):
        # A saved explainer carries no training rows: the rows kept for
        # feature_importances_ are explained first (as reading it would).
        if getattr(self, "_importance_rows", None) is not None:
            self.feature_importances_  # noqa: B018 (computes, drops the rows)
        return super().__getstate__()

    def _check_fitted(self):
        """Fitted, and the parameters used at explanation time (batch_size,
        n_jobs, target) still valid after any set_params."""
        check_is_fitted(self)
        self._validate_params()

    def _validate_input(self, X, reset):
        """X checked against the columns seen in fit (`reset`: learned from
        it), as ``checked`` checks data held elsewhere: by its columns."""
        return checked(X, partial(self._check_input, reset=reset))

    def _check_input(self, X, reset, ensure_min_samples):
        """Check X; a Pipeline's own steps take raw columns, checked per batch."""
        if self._preprocessing is not None:
            if not hasattr(X, "columns"):  # a DataFrame goes to the steps as is;
                # other array-likes become arrays of any dtype (strings too).
                X = check_array(
                    X,
                    accept_sparse=True,
                    dtype=None,
                    ensure_all_finite=False,
                    ensure_min_samples=ensure_min_samples,
                )
            validate_data(self, X, reset=reset, skip_check_array=True)
            if reset:
                self._numeric_columns = numeric_columns(X)
            else:
                check_still_numeric(X, self._numeric_columns)
            return X
        if getattr(getattr(X, "dtype", None), "kind", None) in ("M", "m"):
            check_numeric(X, None)  # (numpy would take dates as nanoseconds)
        try:
            checked = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc"),
                dtype=_FLOATS,
                ensure_all_finite=False,
                ensure_min_samples=ensure_min_samples,
                reset=reset,
            )
        except (ValueError, TypeError) as error:
            check_numeric(X, error)
            raise
        check_finite(checked, getattr(self, "feature_names_in_", None))
        return checked

    def _source_columns(self, network):
        """For every network input, the column of X it is made from (None:
        each input is its own column, or the preprocessing cannot be traced
        and ``aggregate=False`` does not need it)."""
        preprocessing = self._preprocessing
        if preprocessing is None:
            if self.n_features_in_ != network.n_features:
                raise ValueError(
                    f"X has {self.n_features_in_} features, but the estimator "
                    f"was fitted with {network.n_features} features."
                )
            return None
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = np.array(
                [f"x{i}" for i in range(self.n_features_in_)], dtype=object
            )
        try:
            sources = source_columns(preprocessing, names)
        except UntraceableError:
            if self.aggregate:
                raise
            return None
        if len(sources) != network.n_features:
            raise ValueError(
                f"The preprocessing makes {len(sources)} columns, but the "
                f"network takes {network.n_features}."
            )
        return sources

    def _aggregation(self, network, sources):
        """Matrix summing relevance on the network's inputs into X's columns."""
        if self._preprocessing is None or not self.aggregate:
            return None
        mapping = np.zeros((network.n_features, self.n_features_in_), network.dtype)
        mapping[np.arange(len(sources)), sources] = 1
        return mapping

    def _fit_estimator(self, X, y, **fit_params):
        if self.estimator is None:
            raise ValueError(
                "RelevanceExplainer needs an estimator: an MLPClassifier or "
                "MLPRegressor, or a trained one wrapped in FrozenEstimator."
            )
        model = check_supported(self.estimator)
        if isinstance(self.estimator, FrozenEstimator):
            try:
                check_is_fitted(model)
            except NotFittedError as exc:
                raise NotFittedError(
                    f"The {type(model).__name__} inside FrozenEstimator is not "
                    "fitted; fit it before freezing it."
                ) from exc
            return self.estimator
        refuse_training(X)
        if y is None and not isinstance(model, NEURALIZED):  # (unsupervised)
            try:
                check_is_fitted(model)
            except NotFittedError:
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the "
                    f"target y is None: fit needs y to train the "
                    f"{type(model).__name__}."
                ) from None
            raise ValueError(
                f"The {type(model).__name__} is already fitted, but fit was "
                "called without y, and fit always trains a clone of "
                "`estimator`. To explain the trained network as it is, pass "
                "RelevanceExplainer(FrozenEstimator(model)); "
                "FrozenEstimator is in sklearn.frozen."
            )
        return clone(self.estimator).fit(X, y, **fit_params)

    @lazily
    def transform(self, X):
        """Relevance of every input feature for the target's output score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to explain.

        Returns
        -------
        relevance : ndarray of shape (n_samples, n_features)
            Per-feature relevance in the network's float dtype; each row sums
            to the explained score, up to what biases, stabilizers and
            vanished denominators absorb (none under "deep-taylor" but the
            last; see :meth:`explain`), less the baseline that the score is
            measured against (``baseline_scores_``; 0 without a baseline).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neural_network import MLPClassifier
        >>> from skl_lrp import RelevanceExplainer
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 4))
        >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
        >>> mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, random_state=0)
        >>> explainer = RelevanceExplainer(mlp).fit(X, y)
        >>> relevance = explainer.transform(X[:2])
        >>> relevance.shape
        (2, 4)
        """
        self._check_fitted()
        X = self._validate_input(X, reset=False)
        columns = self._plan.network.columns_for(self.target)
        if columns is not None and (len(columns) != 1 or np.ndim(self.target)):
            raise ValueError(
                "transform explains one score per sample: target must be "
                f"'predicted' or a single label; got {self.target!r}. Use "
                "explain() for several targets."
            )
        return self._propagate(X, columns, scores=False)["relevance"][:, 0, :]

    @validate_params(
        {
            "X": "no_validation",  # (checked against the fitted columns)
            "target": "no_validation",  # (any label of the network)
            "return_layers": ["boolean"],
        },
        prefer_skip_nested_validation=True,
    )
    @lazily
    def explain(self, X, target=None, return_layers=False):
        """Relevance, explained scores and targets for one or more targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to explain.
        target : "predicted", "all", label or list of labels, default=None
            Scores to explain; None uses the ``target`` parameter. "all"
            explains every output; the targets share one forward pass.
        return_layers : bool, default=False
            Also return the relevance of every hidden neuron.

        Returns
        -------
        explanation : :class:`~sklearn.utils.Bunch`
            With keys

            relevance : ndarray of shape (n_samples, n_targets, n_features)
                Per-feature relevance of each target's score.
            scores : ndarray of shape (n_samples, n_targets)
                The explained scores (logits, before the output activation).
            baseline : ndarray of shape (n_samples, n_targets)
                What each score is measured against: the mean score of the
                baseline's rows for that output, or 0 without a baseline.
            targets : ndarray of shape (n_samples, n_targets)
                The label (classifiers) or output index (regressors) explained.
            feature_names : ndarray of shape (n_features,)
                Names of the features, as :meth:`get_feature_names_out`.
            absorbed : ndarray of shape (n_samples, n_targets)
                Relevance that did not reach the inputs (the ledger's total),
                so that ``relevance.sum(-1) + absorbed == scores - baseline``
                up to rounding (relative to the largest relevance, score or
                baseline involved).
            ledger : ndarray of shape (n_samples, n_targets, 3)
                The ledger: relevance taken by biases (rules with
                ``bias=True``), by the stabilizers of the denominators, and by
                neurons whose denominator vanished (all of their relevance).
            absorbed_bias, absorbed_stabilizer, absorbed_dead : ndarray of \
shape (n_samples, n_targets)
                The ledger's three columns, by name.
            layers : list of ndarray of shape (n_samples, n_targets, width)
                Only with ``return_layers=True``: relevance of the neurons of
                each hidden layer, first to last.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neural_network import MLPClassifier
        >>> from skl_lrp import RelevanceExplainer
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 4))
        >>> y = np.where(X[:, 0] > 0, "high", "low")
        >>> mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, random_state=0)
        >>> explanation = RelevanceExplainer(mlp).fit(X, y).explain(X[:2], target="all")
        >>> explanation.relevance.shape
        (2, 2, 4)
        >>> explanation.targets
        array([['high', 'low'],
               ['high', 'low']], dtype='<U4')
        >>> bool(np.allclose(explanation.relevance.sum(-1), explanation.scores))
        True
        >>> explanation.baseline  # a classifier's logits: explained as they are
        array([[0., 0.],
               [0., 0.]])
        """
        self._check_fitted()
        X = self._validate_input(X, reset=False)
        columns = self._plan.network.columns_for(
            self.target if target is None else target
        )
        out = self._propagate(X, columns, ledger=True, return_layers=return_layers)
        return self._bundle(out)

    def explain_each(self, X, labels):
        """Explain, for each sample, the score of its own label.

        For instance the true class of every sample, which may not be the
        one predicted: why did the model score it as it did?

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to explain.
        labels : array-like of shape (n_samples,)
            For each sample, a value of ``classes_`` (classifiers) or an
            output index (regressors).

        Returns
        -------
        explanation : :class:`~sklearn.utils.Bunch`
            As :meth:`explain` returns it, with one target per sample.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceExplainer
        >>> X, y = load_iris(return_X_y=True)
        >>> explainer = RelevanceExplainer(LogisticRegression(max_iter=500)).fit(X, y)
        >>> explanation = explainer.explain_each(X[48:52], y[48:52])
        >>> explanation.targets[:, 0].tolist(), explanation.relevance.shape
        ([0, 0, 1, 1], (4, 1, 4))
        """
        self._check_fitted()
        X = self._validate_input(X, reset=False)
        labels = np.asarray(labels)
        if labels.shape != (_num_samples(X),):
            raise ValueError(
                f"labels must hold one label per sample, shape ({_num_samples(X)},); "
                f"got shape {labels.shape}."
            )
        columns = np.array(
            [self._plan.network.columns_for(label)[0] for label in labels]
        )
        out = self._propagate(X, columns[:, np.newaxis], ledger=True)
        return self._bundle(out)

    def _bundle(self, out):
        """The Bunch that explain() returns, from the gathered batch results."""
        ledger = out["ledger"]
        explanation = Bunch(
            relevance=out["relevance"],
            scores=out["scores"],
            baseline=out["baseline"],
            targets=self._plan.network.labels[out["columns"]],
            feature_names=self.get_feature_names_out(),
            absorbed=ledger.sum(axis=-1),
            ledger=ledger,
            absorbed_bias=ledger[..., 0],
            absorbed_stabilizer=ledger[..., 1],
            absorbed_dead=ledger[..., 2],
        )
        if "layers" in out:
            explanation.layers = out["layers"]
            if getattr(self._plan.network, "offset", None) is not None:  # 3 units
                explanation.layers[-1] = fold_top_layer(out["layers"][-1])
        return explanation

    def _propagate(self, X, columns, plan=None, **options):
        """The batches of X run through ``_batches.propagate`` with this
        explainer's `batch_size` and `n_jobs` (and its fitted plan, unless
        `plan` is given); `options` ask for what to keep."""
        return propagate(
            self._plan if plan is None else plan,
            X,
            columns,
            batch_size=self.batch_size,
            n_jobs=self.n_jobs,
            **options,
        )

    def get_feature_names_out(self, input_features=None):
        """Names of the columns :meth:`transform` returns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; checked against ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
            The input columns, or with ``aggregate=False`` on a Pipeline, the
            names of the columns its preprocessing makes.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neural_network import MLPRegressor
        >>> from skl_lrp import RelevanceExplainer
        >>> X, y = np.random.RandomState(0).normal(size=(50, 2)), np.arange(50.0)
        >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0)
        >>> RelevanceExplainer(mlp).fit(X, y).get_feature_names_out()
        array(['x0', 'x1'], dtype=object)
        """
        check_is_fitted(self)
        preprocessing = self._plan.preprocessing
        if preprocessing is None or self._plan.aggregation is not None:
            return super().get_feature_names_out(input_features)
        return preprocessing.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Sparse input works wherever the model (or its pipeline) takes it.
        tags.input_tags.sparse = (
            self.estimator is None or get_tags(self.estimator).input_tags.sparse
        )
        # Relevance comes in the network's dtype: a clone fitted on float32
        # data is float32, a frozen network keeps its own dtype.
        frozen = isinstance(self.estimator, FrozenEstimator)
        unsupervised = isinstance(split_pipeline(self.estimator)[1], NEURALIZED)
        tags.target_tags.required = not (frozen or unsupervised)
        if frozen and hasattr(self.estimator.estimator, "coefs_"):
            dtype = self.estimator.estimator.coefs_[0].dtype.name
            tags.transformer_tags.preserves_dtype = [dtype]
        elif isinstance(split_pipeline(self.estimator)[1], ONE_CLASS):
            # Their support points are float64, whatever the data.
            tags.transformer_tags.preserves_dtype = ["float64"]
        else:
            tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _scale_sum(X, explainer, layers):
    """Sum of the scales of X's rows (one part of it) that
    ``SoftMin(beta="auto")`` divides by, and its number of rows."""
    total = 0.0
    for rows in gen_batches(_num_samples(X), explainer.batch_size):
        x = network_input(X, rows, explainer._preprocessing, layers.model.dtype)
        total += layers.scale_sum(x)
    return total, _num_samples(X)


def _mean_scale(X, explainer, layers):
    """The mean over X's rows of their margin for their own cluster
    (k-means) or their mean squared distance to the support points."""
    parts = reduced(_scale_sum, X, explainer, layers)
    total, n = (sum(values) for values in zip(*parts))
    return total / n


def _check_same_columns(explainer, estimator):
    """A model fitted on named columns must be explained on the same columns."""
    model_names = getattr(unwrap(estimator), "feature_names_in_", None)
    names = getattr(explainer, "feature_names_in_", None)
    if model_names is None or names is None:
        return
    if len(model_names) != len(names) or np.any(model_names != names):
        raise ValueError(
            "X's columns differ from those the estimator was fitted with: "
            f"expected {list(model_names)}, got {list(names)}. Reorder X's "
            "columns to match."
        )


@validate_params(
    {
        "estimator": [HasMethods(["predict"]), HasMethods(["score_samples"])],
        "X": "no_validation",  # (by the explainer's fit)
        "target": "no_validation",  # (any label of the network)
        "return_layers": ["boolean"],
        "baseline": "no_validation",  # (by the explainer's fit)
    },
    # The explainer built from `params` validates them in its fit.
    prefer_skip_nested_validation=False,
)
def explain(
    estimator,
    X,
    *,
    target="predicted",
    return_layers=False,
    baseline="auto",
    **params,
):
    """Explain a trained model's predictions in one call.

    Wraps the model in :class:`~sklearn.frozen.FrozenEstimator` (unless it
    already is), fits a :class:`RelevanceExplainer` on ``X`` (which learns
    the root point, and draws the baseline's rows, from it, unless
    ``bounds`` and ``baseline`` give them) and explains ``X``.

    Parameters
    ----------
    estimator : fitted estimator
        The trained model, used as it is: an MLPClassifier, MLPRegressor,
        linear model, KMeans, MiniBatchKMeans, Gaussian KernelDensity or RBF
        OneClassSVM, alone or at the end of a Pipeline.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Samples to explain; a named ``bounds`` is also learned from them.
    target : "predicted", "all", label or list of labels, default="predicted"
        Scores to explain, as in :meth:`RelevanceExplainer.explain`.
    return_layers : bool, default=False
        Also return the relevance of every hidden neuron.
    baseline : "auto", None, "mean", int or array-like, default="auto"
        What each score is explained against, as in
        :class:`RelevanceExplainer` (by default: a regressor's average
        prediction over 32 rows of ``X``; a classifier's logit as it is).
    **params : dict
        Other parameters of :class:`RelevanceExplainer` (``rules``,
        ``bounds``, ``random_state``, ``batch_size``, ``n_jobs``).

    Returns
    -------
    explanation : :class:`~sklearn.utils.Bunch`
        As returned by :meth:`RelevanceExplainer.explain`.

    See Also
    --------
    RelevanceExplainer : The transformer behind this function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skl_lrp
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [0.5, 3.0]])
    >>> model = LogisticRegression().fit(X, [0, 1, 1, 0])
    >>> explanation = skl_lrp.explain(model, X, rules="epsilon")
    >>> explanation.relevance.shape
    (4, 1, 2)
    >>> bool(np.allclose(
    ...     explanation.relevance.sum(-1) + explanation.absorbed, explanation.scores))
    True
    """
    if not isinstance(estimator, FrozenEstimator):
        # (checked here, in the user's terms: the wrapper is ours, not theirs)
        model = check_supported(estimator)
        try:
            check_is_fitted(model)
        except NotFittedError:
            where = "" if model is estimator else " at the end of the Pipeline"
            raise NotFittedError(
                f"The {type(model).__name__}{where} given to explain is not "
                "fitted: explain explains a trained model as it is. Fit it "
                "first, or train and explain in one go with "
                "RelevanceExplainer(model).fit(X, y)."
            ) from None
        estimator = FrozenEstimator(estimator)
    explainer = RelevanceExplainer(estimator, baseline=baseline, **params).fit(X)
    return explainer.explain(X, target=target, return_layers=return_layers)
