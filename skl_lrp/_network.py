"""Read a fitted scikit-learn MLP into a plain list of dense layers.

This is the only module that knows scikit-learn's MLP internals; everything
downstream sees :class:`DenseNetwork`, a description made of numpy arrays.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network._base import ACTIVATIONS
from sklearn.utils.validation import check_is_fitted

SUPPORTED = (MLPClassifier, MLPRegressor)


def unwrap(estimator):
    """Return the model inside a :class:`~sklearn.frozen.FrozenEstimator`."""
    if isinstance(estimator, FrozenEstimator):
        return estimator.estimator
    return estimator


def check_supported(estimator):
    """Raise a TypeError naming what is supported unless `estimator` is an MLP."""
    model = unwrap(estimator)
    if not isinstance(model, SUPPORTED):
        raise TypeError(
            "RelevanceExplainer explains MLPClassifier and MLPRegressor models "
            "(optionally wrapped in sklearn.frozen.FrozenEstimator); got "
            f"{type(model).__name__}."
        )
    return model


@dataclass(frozen=True)
class DenseNetwork:
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
    """

    weights: list
    biases: list
    hidden_activation: str
    labels: np.ndarray
    single_output: bool
    is_classifier: bool

    @property
    def activate(self):
        """In-place hidden activation function."""
        return ACTIVATIONS[self.hidden_activation]

    @property
    def dtype(self):
        """Float dtype of the network's weights."""
        return self.weights[0].dtype

    @property
    def n_features(self):
        """Number of network inputs."""
        return self.weights[0].shape[0]

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
            return np.array([self._column_of(label) for label in target])
        return np.array([self._column_of(target)])

    def _column_of(self, label):
        if _comparable(label, self.labels):
            matches = np.flatnonzero(self.labels == label)
            if len(matches) == 1:
                return matches[0]
        what = "a class label" if self.is_classifier else "an output index"
        raise ValueError(
            f"target={label!r} is not {what} of the model; expected "
            f'"predicted", "all" or one of {self.labels.tolist()}.'
        )


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
    """Describe a fitted MLP (possibly frozen) as a :class:`DenseNetwork`.

    A binary classifier's single logit ``z`` scores ``classes_[1]``; it is
    expanded to two columns ``(-z, z)`` by negating the output weights and
    bias, so that every class has its own column.
    """
    model = check_supported(estimator)
    check_is_fitted(model)
    weights = list(model.coefs_)
    biases = list(model.intercepts_)
    if isinstance(model, MLPClassifier):
        labels = np.asarray(model.classes_)
        multilabel = model._label_binarizer.y_type_ == "multilabel-indicator"
        if model.n_outputs_ == 1 and not multilabel:
            weights[-1] = np.hstack([-weights[-1], weights[-1]])
            biases[-1] = np.concatenate([-biases[-1], biases[-1]])
        single_output = not multilabel
    else:
        labels = np.arange(model.n_outputs_)
        single_output = model.n_outputs_ == 1
    return DenseNetwork(
        weights=weights,
        biases=biases,
        hidden_activation=model.activation,
        labels=labels,
        single_output=single_output,
        is_classifier=isinstance(model, MLPClassifier),
    )
