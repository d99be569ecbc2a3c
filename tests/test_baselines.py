"""The gradient baselines of benchmarks/ against finite differences."""

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_network

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from baselines import gradient, gradient_x_input  # noqa: E402


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regressor"])
def test_gradient_matches_finite_differences(kind, activation):
    model, X = make_network(kind, activation, (6, 4), seed=3)
    target = {"binary": "yes", "multiclass": 11, "regressor": 0}[kind]
    grad = gradient(model, X, target)
    from skl_lrp._network import read_network
    from skl_lrp._propagation import forward

    network = read_network(model)
    column = network.columns_for(target)[0]
    step = 1e-6
    for j in range(X.shape[1]):
        shift = np.zeros(X.shape[1])
        shift[j] = step
        up = forward(network, X + shift)[2][:, column]
        down = forward(network, X - shift)[2][:, column]
        numeric = (up - down) / (2 * step)
        # relu kinks make single samples disagree; most must match closely
        close = np.isclose(grad[:, j], numeric, rtol=1e-5, atol=1e-6)
        assert close.mean() > 0.9
    np.testing.assert_allclose(gradient_x_input(model, X, target), grad * X)
