"""Read a fitted scikit-learn MLP or linear model into a list of dense layers.

This is the only module that knows scikit-learn's model internals; everything
downstream sees :class:`DenseNetwork`, a description made of numpy arrays.
"""

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import is_classifier
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.compose import TransformedTargetRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC, LinearSVR, OneClassSVM
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted

MLPS = (MLPClassifier, MLPRegressor)
LINEAR_MODELS = (
    LogisticRegression,
    LinearRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
    LinearSVC,
    LinearSVR,
)
# Models that are rewritten as small networks (neuralized) to be explained.
CLUSTERINGS = (KMeans, MiniBatchKMeans)
ONE_CLASS = (KernelDensity, OneClassSVM)
NEURALIZED = CLUSTERINGS + ONE_CLASS
SUPPORTED = MLPS + LINEAR_MODELS + NEURALIZED


def _relu(a):
    """``max(a, 0)`` in place, as scikit-learn's relu but faster: numpy's
    clip has a vectorized path that its maximum lacks."""
    return np.clip(a, 0, np.inf, out=a)


# scikit-learn's MLP activations, written here in place as scikit-learn
# computes them (its own table, sklearn.neural_network._base.ACTIVATIONS, is
# private); tests/test_sklearn_internals.py checks that they still reproduce
# the models' predictions.
def _identity(a):
    """The identity: ``a`` as it is."""
    return a


def _logistic(a):
    """``1 / (1 + exp(-a))`` in place."""
    return expit(a, out=a)


def _tanh(a):
    """``tanh(a)`` in place."""
    return np.tanh(a, out=a)


def _softmax(a):
    """Softmax of each row in place, with the same rounding as ``predict_proba``."""
    a -= a.max(axis=1)[:, np.newaxis]
    np.exp(a, out=a)
    a /= a.sum(axis=1)[:, np.newaxis]
    return a


ACTIVATIONS = {
    "identity": _identity,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
    "softmax": _softmax,
}


def unwrap(estimator):
    """Return the model inside a :class:`~sklearn.frozen.FrozenEstimator`
    (however deeply frozen)."""
    while isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return estimator


def _regressor_of(wrapper):
    """The regressor inside a TransformedTargetRegressor: the fitted one,
    or before fit the one given (scikit-learn's default, LinearRegression,
    for None)."""
    regressor = getattr(wrapper, "regressor_", wrapper.regressor)
    return LinearRegression() if regressor is None else regressor


def _walk(estimator):
    """The preprocessing of each Pipeline met on the way to the model
    (outermost first), the TransformedTargetRegressors met, and the model,
    through FrozenEstimator wrappers."""
    estimator = unwrap(estimator)
    parts, wrappers = [], []
    while isinstance(estimator, (Pipeline, TransformedTargetRegressor)):
        if isinstance(estimator, TransformedTargetRegressor):
            wrappers.append(estimator)
            estimator = unwrap(_regressor_of(estimator))
            continue
        if len(estimator.steps) > 1:
            parts.append(estimator[:-1])
        estimator = unwrap(estimator.steps[-1][1])
    return parts, wrappers, estimator


def split_pipeline(estimator):
    """(preprocessing, model): the steps before the model (None if there are
    none) and the model itself, for a model or a Pipeline ending in one,
    through FrozenEstimator and TransformedTargetRegressor wrappers."""
    parts, _, model = _walk(estimator)
    if len(parts) > 1:  # (nested: one Pipeline of them)
        parts = [Pipeline([(f"part{i}", part) for i, part in enumerate(parts)])]
    return (parts[0] if parts else None), model


def target_map(wrappers, n_outputs):
    """``(scale, shift)`` of the affine map from the target that the
    TransformedTargetRegressors `wrappers` (outermost first) make for their
    regressor back to the user's target, one per output, or None if an
    inverse transform is not affine."""
    scale, shift = 1.0, 0.0
    for wrapper in wrappers:
        inner = _affine_inverse(wrapper, n_outputs)
        if inner is None:
            return None
        # y = s_out * (s_in * f + t_in) + t_out
        scale, shift = scale * inner[0], scale * inner[1] + shift
    return scale, shift


def _affine_inverse(wrapper, n_outputs):
    """``(scale, shift)`` with ``inverse_transform(t) == scale * t + shift``
    for a fitted TransformedTargetRegressor of `n_outputs` targets, or None
    if that map is not affine (checked at a few points, to rounding)."""
    check_is_fitted(wrapper)
    points = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 2.0, 7.0])
    t = np.repeat(points[:, np.newaxis], n_outputs, axis=1)
    with warnings.catch_warnings():  # (a probe: out-of-range points may warn)
        warnings.simplefilter("ignore")
        y = wrapper.transformer_.inverse_transform(t)
    y = np.asarray(y, dtype=float).reshape(len(t), -1)
    shift = y[points == 0][0]
    scale = y[points == 1][0] - shift
    affine = np.allclose(y, shift + points[:, np.newaxis] * scale, rtol=1e-9, atol=0)
    if not affine:
        return None
    return (scale, shift) if y.shape[1] > 1 else (scale[0], shift[0])


def check_supported(estimator):
    """Return the model, or raise a TypeError (ValueError: a supported
    model with a kernel or metric that is not) naming what is supported."""
    model = split_pipeline(estimator)[1]
    if not isinstance(model, SUPPORTED):
        linear = ", ".join(cls.__name__ for cls in LINEAR_MODELS)
        raise TypeError(
            "RelevanceExplainer explains MLPClassifier and MLPRegressor models, "
            f"the linear models {linear}, KMeans and MiniBatchKMeans "
            "(cluster assignments), KernelDensity(kernel='gaussian') and "
            "OneClassSVM(kernel='rbf') (outlier scores), alone or as the last "
            "step of a Pipeline, optionally wrapped in "
            "sklearn.frozen.FrozenEstimator or TransformedTargetRegressor; "
            f"got {type(model).__name__}."
        )
    kernel = None
    if isinstance(model, KernelDensity):
        if model.kernel != "gaussian" or model.metric != "euclidean":
            kernel = f"kernel={model.kernel!r}, metric={model.metric!r}"
    elif isinstance(model, OneClassSVM) and model.kernel != "rbf":
        kernel = f"kernel={model.kernel!r}"
    if kernel is not None:
        supported = (
            "kernel='gaussian' and metric='euclidean'"
            if isinstance(model, KernelDensity)
            else "kernel='rbf'"
        )
        raise ValueError(
            f"A {type(model).__name__} is explained by neuralization only with "
            f"{supported} (a soft minimum over squared distances); got {kernel}."
        )
    return model


class Outputs:
    """What a model's output columns score (``labels``), and the columns
    that a ``target`` names; shared by every model the explainer reads.

    Subclasses have ``labels`` (ndarray), ``single_output`` (whether
    "predicted" is defined) and ``is_classifier``.
    """

    label_kind = "an output index"

    def columns_of(self, labels):
        """The output column of each of `labels` (values of ``labels``)."""
        index = {label: column for column, label in enumerate(self.labels.tolist())}
        return np.array([index[label] for label in np.asarray(labels).tolist()])

    def columns_for(self, target):
        """Output columns that score `target`, or None for "predicted".

        `target` is "predicted", "all", one label, or a list of labels.
        """
        if isinstance(target, str) and target == "predicted":
            if not self.single_output:
                kind = (
                    "multilabel classifier"
                    if self.is_classifier
                    else ("multi-output regressor")
                )
                raise ValueError(
                    f'target="predicted" is undefined for a {kind}: pass an '
                    f"explicit target, one of {self.labels.tolist()}."
                )
            return None
        if isinstance(target, str) and target == "all":
            return np.arange(len(self.labels))
        if isinstance(target, (list, tuple, np.ndarray)):
            if len(target) == 0:
                raise ValueError("target must name at least one label.")
            return np.array([self._column_of(label, listed=True) for label in target])
        return np.array([self._column_of(target)])

    def _column_of(self, label, listed=False):
        if _comparable(label, self.labels):
            matches = np.flatnonzero(self.labels == label)
            if len(matches) == 1:
                return matches[0]
        expected = "" if listed else '"predicted", "all" or '
        raise ValueError(
            f"target={label!r} is not {self.label_kind} of the model; expected "
            f"{expected}one of {self.labels.tolist()}."
        )


@dataclass(frozen=True)
class DenseNetwork(Outputs):
    """A fitted MLP as dense layers, with one output column per explainable score.

    Attributes
    ----------
    weights : list of ndarray of shape (n_in, n_out)
        Layer weights, first to last.
    biases : list of ndarray of shape (n_out,)
        Layer biases, first to last.
    hidden_activation : str
        Name of the hidden activation ("relu", "tanh", "logistic", "identity").
    labels : ndarray
        What each output column scores: class labels for classifiers, output
        indices for regressors.
    single_output : bool
        Whether "predicted" is defined (a single regression output or a
        single-label classifier).
    is_classifier : bool
        Whether the model is a classifier.
    output_activation : str
        The model's output activation ("softmax", "logistic", "identity",
        "exp"): what the logits become (``predict_proba``, or the prediction
        of a Poisson regressor).
    transformed_target : bool
        Whether the scores are those of a TransformedTargetRegressor's
        transformed target (its inverse transform is not affine); with an
        affine one, the map is folded into the output layer, and the scores
        are the target's.
    offset : ndarray of shape (n_outputs,) or None
        What the output layer leaves out of the model's scores: a network
        rewritten to output each score minus a baseline (see
        ``skl_lrp._baseline.restructure``) has the baseline here, and the
        model's score is its output plus the offset. None: no offset.
    """

    weights: list
    biases: list
    hidden_activation: str
    labels: np.ndarray
    single_output: bool
    is_classifier: bool
    output_activation: str = "identity"
    offset: np.ndarray = None
    transformed_target: bool = False

    def scores(self, logits):
        """The model's scores (its logits) from the network's outputs."""
        return logits if self.offset is None else logits + self.offset

    @property
    def activate(self):
        """In-place hidden activation function."""
        if self.hidden_activation == "relu":
            return _relu
        return ACTIVATIONS[self.hidden_activation]

    def predicted_columns(self, logits):
        """Column of each sample's largest logit: its predicted class, but
        for rows within rounding of a tie, where ``predict`` (which sums in
        its own order, and compares probabilities) may differ. The explainer
        has ``predict`` settle those (:meth:`undecided_rows`)."""
        if not self.is_classifier or logits.shape[1] == 1:
            return np.zeros(len(logits), dtype=np.intp)
        return np.argmax(logits, axis=1)

    def undecided_rows(self, logits, last_input, predicted):
        """Rows whose predicted class (`predicted`, the columns) is within
        rounding of another: another logit as large but for a margin that is
        a tiny part of the terms that made them (the output layer's
        ``|a| @ |W| + |b|``; a binary model's columns are -z and z). A
        forward pass that sums in another order than the model's own
        ``predict`` may decide them otherwise, so ``predict`` decides them."""
        if not self.is_classifier or logits.shape[1] == 1:
            return np.arange(0)
        # Generous: the fast forward pass sums in other orders than predict's
        # (and on the data's box, from its corner); rows within this of a
        # tie are few, and one call of predict settles them all. The sizes
        # count as at least 1: predict compares probabilities, which round
        # to equal for logits closer than about eps, whatever their size.
        tolerance = 1e-9 if logits.dtype == np.float64 else 1e-3
        weight, bias, column_sum, bias_max = self._output_sizes
        # First with one bound of the terms' size for the whole batch...
        largest = last_input.max(initial=0)
        if self.hidden_activation not in ("relu", "logistic"):  # (else >= 0)
            largest = max(largest, -last_input.min(initial=0))
        bound = max(largest * column_sum + bias_max, 1.0)
        top = np.take_along_axis(logits, predicted[:, np.newaxis], axis=1)
        close = logits >= top - 2 * tolerance * bound
        if np.count_nonzero(close) == len(close):  # (each row: its own top)
            return np.arange(0)
        # ... then with each remaining row's own.
        rows = np.flatnonzero(np.count_nonzero(close, axis=1) > 1)
        size = np.abs(last_input[rows]) @ weight + bias
        top, size_top = top[rows], np.take_along_axis(size, predicted[rows, None], 1)
        others = logits[rows] >= top - tolerance * np.maximum(size + size_top, 1.0)
        return rows[np.count_nonzero(others, axis=1) > 1]

    @cached_property
    def _output_sizes(self):
        """The output layer's |W| and |b|, its largest column sum of |W| and
        largest |b| (computed once, not per batch)."""
        weight, bias = np.abs(self.weights[-1]), np.abs(self.biases[-1])
        return weight, bias, weight.sum(axis=0).max(initial=0), bias.max(initial=0)

    @property
    def dtype(self):
        """Float dtype of the network's weights."""
        return self.weights[0].dtype

    @property
    def n_features(self):
        """Number of network inputs."""
        return self.weights[0].shape[0]

    @property
    def label_kind(self):
        """How a label is named in error messages."""
        return "a class label" if self.is_classifier else "an output index"


def _comparable(target, labels):
    # Guard elementwise comparison against arrays, bools-vs-ints and mixed types.
    if np.ndim(target) != 0:
        return False
    if isinstance(target, (bool, np.bool_)) and labels.dtype.kind != "b":
        return False
    try:
        return bool(np.any(labels == target))
    except (TypeError, ValueError):
        return False


def read_network(estimator):
    """Describe a fitted model (possibly frozen) as a :class:`DenseNetwork`.

    The arrays are copies: a model updated later (``partial_fit``,
    ``warm_start``) does not change a fitted explainer. A binary classifier's
    single logit ``z`` scores ``classes_[1]``; it is expanded to two columns
    ``(-z, z)`` by negating the output weights and bias, so that every class
    has its own column. A linear model is a network with one dense layer.
    """
    model = check_supported(estimator)
    check_is_fitted(model)
    if isinstance(model, MLPS):
        weights = [np.array(w) for w in model.coefs_]
        biases = [np.array(b) for b in model.intercepts_]
        hidden_activation = model.activation
        output_activation = model.out_activation_
        n_outputs = model.n_outputs_
    else:
        coef = model.coef_
        coef = np.atleast_2d(coef.toarray() if sparse.issparse(coef) else coef)
        weights = [coef.T.copy()]
        intercept = np.broadcast_to(model.intercept_, (coef.shape[0],))
        biases = [intercept.astype(coef.dtype)]
        hidden_activation, output_activation = "identity", "identity"
        n_outputs = coef.shape[0]
    multilabel = False
    if is_classifier(model):
        labels = np.asarray(model.classes_)
        # A multilabel MLP has one logistic output per label; a binary one
        # has a single logistic output, a multiclass one a softmax.
        multilabel = isinstance(model, MLPClassifier) and (
            model.out_activation_ == "logistic" and model.n_outputs_ > 1
        )
        if n_outputs == 1 and not multilabel:
            weights[-1] = np.hstack([-weights[-1], weights[-1]])
            biases[-1] = np.concatenate([-biases[-1], biases[-1]])
    else:
        labels = np.arange(n_outputs)
    transformed_target = False
    wrappers = _walk(estimator)[1]
    if wrappers:
        # An affine inverse transform of the target is folded into the
        # output layer: the scores, and relevance, come in the target's
        # units. Otherwise they are those of the transformed target.
        identity = output_activation == "identity"
        mapping = target_map(wrappers, n_outputs) if identity else None
        transformed_target = mapping is None
        if mapping is not None:
            scale, shift = (np.asarray(v, dtype=weights[-1].dtype) for v in mapping)
            weights[-1] = weights[-1] * scale
            biases[-1] = biases[-1] * scale + shift
    for index, (weight, bias) in enumerate(zip(weights, biases)):
        if not (np.all(np.isfinite(weight)) and np.all(np.isfinite(bias))):
            raise ValueError(
                f"The {type(model).__name__}'s layer {index} has non-finite "
                "weights or biases (NaN or infinite; training diverged, or they "
                "overflow their dtype): it cannot be explained."
            )
    return DenseNetwork(
        weights=weights,
        biases=biases,
        hidden_activation=hidden_activation,
        labels=labels,
        single_output=not multilabel and (is_classifier(model) or n_outputs == 1),
        is_classifier=is_classifier(model),
        output_activation=output_activation,
        transformed_target=transformed_target,
    )


@dataclass(frozen=True)
class Prototypes(Outputs):
    """A k-means or one-class model as the small network that explains it
    (neuralized): squared distances to prototypes, pooled by a minimum.

    K-means (``kind="clusters"``): the evidence for cluster ``c`` is the
    margin ``f_c(x) = min_{k != c} ||x - mu_k||^2 - ||x - mu_c||^2``, one
    output column per cluster. One-class (``kind="outliers"``): the outlier
    score ``o(x) = -log(sum_j alpha_j exp(-gamma ||x - u_j||^2)) / gamma``,
    a soft minimum of ``||x - u_j||^2 - log(alpha_j) / gamma``, one column.

    Attributes
    ----------
    prototypes : ndarray of shape (n_prototypes, n_features)
        The cluster centres, or the support points ``u_j``.
    kind : {"clusters", "outliers"}
        Which model it is.
    labels : ndarray
        The cluster indices (as ``predict`` gives them), or ``[0]``.
    log_weights : ndarray of shape (n_prototypes,) or None
        ``log(alpha_j)`` of the support points (outliers).
    gamma : float or None
        The kernel's stiffness: ``1 / (2 bandwidth**2)`` for a Gaussian
        KernelDensity, the RBF kernel's ``gamma`` for a OneClassSVM.
    baseline : float
        What the outlier score is measured against: 0 for a KernelDensity
        (whose weights sum to 1, so that ``o(x) >= 0``); for a OneClassSVM,
        the score on its decision boundary, ``-log(offset_) / gamma``
        (``decision_function(x) == 0``), when ``offset_ > 0``.
    """

    prototypes: np.ndarray
    kind: str
    labels: np.ndarray
    log_weights: np.ndarray = None
    gamma: float = None
    baseline: float = 0.0
    single_output: bool = True

    @property
    def is_classifier(self):
        """K-means assigns clusters as a classifier assigns classes."""
        return self.kind == "clusters"

    @property
    def label_kind(self):
        """How a label is named in error messages."""
        return "a cluster index" if self.kind == "clusters" else "an output index"

    @property
    def dtype(self):
        """Float dtype of the prototypes."""
        return self.prototypes.dtype

    @property
    def n_features(self):
        """Number of model inputs."""
        return self.prototypes.shape[1]


def read_prototypes(estimator):
    """Describe a fitted KMeans, MiniBatchKMeans, Gaussian KernelDensity or
    RBF OneClassSVM (possibly frozen, or at the end of a Pipeline) as
    :class:`Prototypes`; copies of its arrays, in its own float dtype."""
    model = check_supported(estimator)
    check_is_fitted(model)
    if isinstance(model, CLUSTERINGS):
        centres = np.array(model.cluster_centers_)
        return Prototypes(centres, "clusters", np.arange(len(centres)))
    if isinstance(model, KernelDensity):
        support = np.array(model.tree_.data)
        weight = model.tree_.sample_weight
        weight = np.ones(len(support)) if weight is None else np.asarray(weight)
        with np.errstate(divide="ignore"):  # (a weight of 0: log 0 = -inf)
            log_weights = np.log(weight / weight.sum())
        gamma = 1.0 / (2.0 * float(model.bandwidth_) ** 2)
        baseline = 0.0
    else:
        # (sparse when the model was fitted on sparse data)
        support, alphas = (
            value.toarray() if sparse.issparse(value) else np.array(value)
            for value in (model.support_vectors_, model.dual_coef_)
        )
        log_weights = np.log(alphas.astype(float).ravel())
        gamma = float(model._gamma)  # ("scale" and "auto" resolved at fit)
        rho = float(np.ravel(model.offset_)[0])
        baseline = -np.log(rho) / gamma if rho > 0 else 0.0
        if rho <= 0:  # (no point is outside: the boundary has no score)
            warnings.warn(
                f"The OneClassSVM's offset_ is {rho:g} <= 0: no point lies "
                "outside its decision boundary, whose outlier score is "
                "undefined; the scores are explained against 0 instead.",
                UserWarning,
                stacklevel=2,
            )
    if not np.all(np.isfinite(support)):
        raise ValueError(
            f"The {type(model).__name__}'s support points are not finite: it "
            "cannot be explained."
        )
    return Prototypes(
        support,
        "outliers",
        np.arange(1),
        log_weights=log_weights,
        gamma=gamma,
        baseline=baseline,
    )


def forward(network, x, layers=None, takes=None):
    """Run the network on `x`, layer by layer: the one forward pass.

    Parameters
    ----------
    network : DenseNetwork
        The network.
    x : ndarray of shape (n, n_features)
        Its inputs, in its dtype.
    layers : list, default=None
        The fast engine's layers (see ``skl_lrp._fast``), one per dense
        layer: each computes its own product, with what its relevance pass
        reuses, and only the pre-activations their rules read are kept.
        None: plain products, and every pre-activation kept.
    takes : list of callable, default=None
        With `layers`, each layer's work arrays (see ``skl_lrp._propagation``).

    Returns
    -------
    inputs : list of ndarray
        Each layer's input (the first is `x`).
    preactivations : list of ndarray or None
        Each layer's output before its activation (the last: the logits).
    logits : ndarray of shape (n, n_outputs)
        The output layer's pre-activation.
    caches : list
        What each layer of `layers` keeps for its relevance pass (None
        without `layers`).
    """
    inputs, preactivations, caches = [], [], []
    a = x
    last = len(network.weights) - 1
    for index, (weight, bias) in enumerate(zip(network.weights, network.biases)):
        inputs.append(a)
        if layers is None:
            z, cache, keep = a @ weight, None, True
            z += bias
        else:
            z, cache = layers[index].forward(a, takes[index])
            keep = layers[index].needs_preactivation
        caches.append(cache)
        if index == last:
            preactivations.append(z)
            break
        kept = None
        if keep and layers is None:
            kept = z.copy()  # (before the activation overwrites z)
        elif keep:
            kept = takes[index]("preactivation", z.shape)
            kept[...] = z
        preactivations.append(kept)
        network.activate(z)
        a = z
    return inputs, preactivations, z, caches


def network_input(X, rows, preprocessing, dtype):
    """Rows of X as the network sees them: preprocessed, dense, in `dtype`.

    Raises a ValueError naming the first row (and column) that reaches the
    network as NaN or infinite, rather than explaining it into NaN.
    """
    raw = X[rows] if preprocessing is None else _safe_indexing(X, rows)
    x = raw if preprocessing is None else preprocessing.transform(raw)
    if hasattr(x, "to_numpy"):  # a DataFrame from set_output
        x = x.to_numpy()
    x = x.toarray() if sparse.issparse(x) else x
    with np.errstate(over="ignore"):
        x = np.asarray(x, dtype=dtype)
    if not np.all(np.isfinite(x)):
        raise ValueError(_not_finite(x, raw, rows, preprocessing))
    return x


def _not_finite(x, raw, rows, preprocessing):
    """What to say of the non-finite values in a batch's network input `x`."""
    row, column = np.argwhere(~np.isfinite(x))[0]
    where = f"row {rows.start + row}"
    if preprocessing is None:  # X was checked finite: the cast overflowed
        largest = np.max(np.abs(np.asarray(raw[row], dtype=np.float64)))
        return (
            f"X's {where} has a value too large for the network's dtype "
            f"{x.dtype} (|x| up to {largest:.3g} in column {column}); rescale X "
            "or explain a float64 network."
        )
    missing = _missing_columns(raw, row)
    if missing:
        return (
            f"X's {where} has a missing or infinite value in column "
            f"{missing[0]!r}, and the pipeline's preprocessing passes it on to "
            "the network; impute it inside the pipeline (e.g. SimpleImputer) or "
            "drop the row."
        )
    try:
        name = preprocessing.get_feature_names_out()[column]
    except (AttributeError, ValueError, TypeError, IndexError):
        name = column
    return (
        f"The pipeline's preprocessing turned X's {where} into a NaN or "
        f"infinite value at its output column {name!r}, which the network "
        "cannot be explained on."
    )


def _missing_columns(raw, row):
    """Columns of row `row` of `raw` (a DataFrame or an array) that hold a
    missing or non-finite number."""
    if hasattr(raw, "iloc"):
        values, names = raw.iloc[row].to_numpy(dtype=object), list(raw.columns)
    else:
        values = np.asarray(raw[row], dtype=object).ravel()
        names = list(range(len(values)))
    missing = []
    for name, value in zip(names, values):
        try:
            if value is None or not np.isfinite(float(value)):
                missing.append(name)
        except (TypeError, ValueError):  # a category, not a number
            continue
    return missing
