"""Known identities of the rules, checked against independent computations."""

import copy

import numpy as np
import pytest
from conftest import make_network
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression

from skl_lrp import RelevanceExplainer, explain
from skl_lrp.rules import LRP0, Flat, WSquare, ZBeta, ZPlus


def _gradient_times_input(model, X, unit):
    """d logit_unit / dx * x for a ReLU MLP, by explicit backpropagation."""
    activations, masks = [X], []
    a = X
    for w, b in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        z = a @ w + b
        masks.append(z > 0)
        a = np.maximum(z, 0)
        activations.append(a)
    grad = np.tile(model.coefs_[-1][:, unit], (len(X), 1))
    for w, mask in zip(reversed(model.coefs_[:-1]), reversed(masks)):
        grad = (grad * mask) @ w.T
    return grad * X


@pytest.mark.parametrize("seed", range(3))
def test_lrp0_with_bias_equals_gradient_times_input(seed):
    model, X = make_network("multiclass", "relu", (7, 5), seed=seed)
    relevance = explain(model, X, rules=[LRP0()] * 3, target=7).relevance[:, 0]
    np.testing.assert_allclose(
        relevance, _gradient_times_input(model, X, 1), atol=1e-10
    )


def test_lrp0_without_bias_on_a_bias_free_net_equals_gradient_times_input():
    model, X = make_network("multiclass", "relu", (7, 5), seed=4)
    model.intercepts_ = [np.zeros_like(b) for b in model.intercepts_]
    rules = [LRP0(bias=False)] * 3
    explanation = explain(model, X, rules=rules, target=11)
    np.testing.assert_allclose(
        explanation.relevance[:, 0], _gradient_times_input(model, X, 2), atol=1e-10
    )


def test_flat_first_layer_spreads_uniformly():
    model, X = make_network("regressor", "tanh", (6, 4), seed=1)
    explanation = explain(
        model, X, rules=[Flat(), ZPlus(), ZPlus()], return_layers=True
    )
    reaching = explanation.layers[0].sum(-1)  # relevance of the first hidden layer
    expected = np.repeat(reaching / X.shape[1], X.shape[1], axis=1)
    np.testing.assert_allclose(explanation.relevance[:, 0], expected, rtol=1e-12)


def test_wsquare_on_one_neuron_is_the_root_point_expansion():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5, 3.0] + 1.0)
    relevance = explain(model, X, rules=[WSquare()]).relevance[:, 0]
    # Nearest root of f(x) = w.x + b along w, then R_i = df/dx_i (x_i - root_i).
    w, b = model.coef_, model.intercept_
    f = X @ w + b
    root = X - np.outer(f / (w @ w), w)
    np.testing.assert_allclose(relevance, w * (X - root), rtol=1e-12)
    np.testing.assert_allclose(relevance, np.outer(f, w**2 / (w @ w)), rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_zbeta_is_invariant_to_folding_a_scaler_into_the_first_layer(activation):
    model, X_scaled = make_network("multiclass", activation, (6, 4), seed=2)
    rng = np.random.RandomState(1)
    mean, scale = rng.normal(size=5) * 3, rng.uniform(0.1, 10, size=5)
    X_raw = mean + scale * X_scaled
    raw_model = copy.deepcopy(model)
    raw_model.coefs_[0] = model.coefs_[0] / scale[:, np.newaxis]
    raw_model.intercepts_[0] = model.intercepts_[0] - (mean / scale) @ model.coefs_[0]
    np.testing.assert_allclose(
        raw_model.predict_proba(X_raw), model.predict_proba(X_scaled), rtol=1e-10
    )
    X_test = rng.normal(size=(20, 5)) * 1.5  # some outside the box
    scaled = RelevanceExplainer(FrozenEstimator(model)).fit(X_scaled)
    raw = RelevanceExplainer(FrozenEstimator(raw_model)).fit(X_raw)
    np.testing.assert_allclose(raw.low_, mean + scale * scaled.low_)
    np.testing.assert_allclose(
        raw.transform(mean + scale * X_test), scaled.transform(X_test), atol=1e-10
    )


def test_deep_taylor_conserves_at_every_layer():
    model, X = make_network("binary", "relu", (8, 6, 4), seed=6)
    explanation = explain(
        model, X, rules=[ZBeta(), ZPlus(), ZPlus(), ZPlus()], return_layers=True
    )
    assert [layer.shape[-1] for layer in explanation.layers] == [8, 6, 4]
    kept = explanation.absorbed_dead[:, 0] == 0
    for layer in [*explanation.layers, explanation.relevance]:
        np.testing.assert_allclose(
            layer[kept, 0].sum(-1), explanation.scores[kept, 0], rtol=1e-12
        )
