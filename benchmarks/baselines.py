"""Attribution baselines to compare LRP with: gradients, random, permutation, SHAP.

Each function returns relevance of shape (n_samples, n_features) for the
score (logit) of `target`, so that the metrics of :mod:`skl_lrp.metrics`
treat every method alike. Models are MLPs or linear models on numeric
columns (no Pipeline).
"""

import numpy as np
from sklearn.inspection import permutation_importance

from skl_lrp._network import forward, read_network

_DERIVATIVES = {
    "relu": lambda z, a: (z > 0).astype(z.dtype),
    "tanh": lambda z, a: 1.0 - a * a,
    "logistic": lambda z, a: a * (1.0 - a),
    "identity": lambda z, a: np.ones_like(z),
}


def gradient(model, X, target="predicted"):
    """d score / d x for every sample, by backpropagation through the network."""
    network = read_network(model)
    X = np.asarray(X, dtype=network.dtype)
    n_layers = len(network.weights)
    inputs, pre, logits = forward(network, X)[:3]
    if isinstance(target, str) and target == "predicted":
        columns = network.predicted_columns(logits)
    else:
        columns = np.full(len(X), network.columns_for(target)[0])
    grad = network.weights[-1][:, columns].T  # d logit / d (last hidden layer)
    derivative = _DERIVATIVES[network.hidden_activation]
    for index in range(n_layers - 2, -1, -1):
        grad = grad * derivative(pre[index], inputs[index + 1])
        grad = grad @ network.weights[index].T
    return grad


def gradient_x_input(model, X, target="predicted"):
    """Gradient times input (Shrikumar et al., 2016)."""
    return gradient(model, X, target) * np.asarray(X)


def saliency(model, X, target="predicted"):
    """Absolute gradient (Simonyan et al., 2014)."""
    return np.abs(gradient(model, X, target))


def random_relevance(model, X, target="predicted", random_state=0):
    """Gaussian noise: what any method should beat."""
    return np.random.RandomState(random_state).normal(size=np.shape(X))


def permutation_relevance(model, X, y, random_state=0):
    """sklearn's permutation importance (global), the same for every sample."""
    result = permutation_importance(model, X, y, n_repeats=5, random_state=random_state)
    return np.tile(result.importances_mean, (len(X), 1))


def shap_relevance(model, X, background, target="predicted", max_evals=None):
    """SHAP's PermutationExplainer on the score, or None if shap is missing."""
    try:
        import shap
    except ImportError:
        return None
    network = read_network(model)

    def score(rows):
        logits = forward(network, np.asarray(rows, dtype=network.dtype))[2]
        if isinstance(target, str) and target == "predicted":
            return logits  # all outputs; the predicted column is picked below
        return logits[:, network.columns_for(target)[0]]

    explainer = shap.PermutationExplainer(score, shap.maskers.Independent(background))
    values = explainer(X, max_evals=max_evals or 2 * X.shape[1] + 1).values
    if values.ndim == 3:
        logits = forward(network, np.asarray(X, dtype=network.dtype))[2]
        values = values[np.arange(len(X)), :, network.predicted_columns(logits)]
    return values
