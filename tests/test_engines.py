"""The fast engine gives what the plain one gives: every rule, every root point.

``skl_lrp._lrp`` is the textbook arithmetic; ``skl_lrp._fast`` adds the
shortcuts (fused denominators, box corrections, factored relevance, work
arrays reused, the default stabilizer left out). Both run on the same bound
layers here, on random networks with inputs inside and outside the boxes.
"""

import itertools

import numpy as np
import pytest
from conftest import KINDS, make_network, make_one_hot_pipeline
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer, _lrp
from skl_lrp.rules import LRP0, AlphaBeta, Epsilon, Flat, Gamma, WSquare, ZBeta, ZPlus

RULES = {
    "deep-taylor": "deep-taylor",
    "epsilon": "epsilon",
    "alpha-beta": "alpha-beta",
    "montavon-2019": "montavon-2019",
    "gamma": [ZBeta(), Gamma(), Gamma(bias=False), LRP0()],
    "mixed": [WSquare(), Epsilon(0.1, scale="rms"), AlphaBeta(1, 0), ZPlus(bias=True)],
    "flat": [Flat(), ZBeta(), ZPlus(), LRP0(bias=False)],
}
BOUNDS = ["column-mean", "mean", "data", (-1.0, 1.0), (0.0, 0.0)]
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-4}


def _compare(explainer, x_network, X):
    """explain() (fast) against the plain engine on the same bound layers."""
    fast = explainer.explain(X, target="all")
    plan = explainer._plan
    columns = np.searchsorted(plan.network.labels, fast.targets)
    relevance, scores, ledger = _lrp.explain(
        plan.network, [layer.bound for layer in plan.layers], x_network, columns
    )
    if plan.aggregation is not None:
        relevance = relevance @ plan.aggregation
    size = max(np.abs(scores).max(), np.abs(relevance).max(), np.abs(ledger).max())
    atol = TOLERANCE[fast.relevance.dtype.type] * size
    np.testing.assert_allclose(fast.scores, scores, rtol=0, atol=atol)
    np.testing.assert_allclose(fast.relevance, relevance, rtol=0, atol=atol)
    got = np.stack(
        [fast.absorbed_bias, fast.absorbed_stabilizer, fast.absorbed_dead], axis=-1
    )
    np.testing.assert_allclose(got, ledger, rtol=0, atol=atol)


CASES = list(itertools.product(KINDS, RULES, [np.float64, np.float32]))


@pytest.mark.parametrize("seed, case", list(enumerate(CASES)))
def test_fast_engine_equals_the_plain_one(seed, case):
    kind, rules, dtype = case
    activation = ["relu", "tanh", "logistic", "identity"][seed % 4]
    model, X = make_network(kind, activation, (6, 5, 4), dtype, seed)
    rng = np.random.RandomState(seed)
    X_test = np.vstack(
        [1.5 * rng.normal(size=(25, X.shape[1])), 5 * rng.normal(size=(3, 5)), X[:4]]
    ).astype(dtype)
    X_test[-1] = X.mean(0)  # at the mean: deviations all but zero
    bounds = BOUNDS[seed % len(BOUNDS)]
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules=RULES[rules], bounds=bounds, batch_size=9
    ).fit(X)
    _compare(explainer, X_test, X_test)


@pytest.mark.parametrize("bounds", BOUNDS[:3])
@pytest.mark.parametrize("rules", ["deep-taylor", "montavon-2019"])
def test_fast_engine_equals_the_plain_one_through_a_pipeline(rules, bounds):
    # One-hot columns of a categorical placed first: the default root point
    # takes them as one unit.
    model, X = make_one_hot_pipeline(n_samples=120, max_iter=200)
    preprocessing = model[0]
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules=rules, bounds=bounds, batch_size=16
    ).fit(X)
    _compare(explainer, preprocessing.transform(X[:40]), X[:40])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fast_engine_equals_the_plain_one_where_no_input_pushes_up(activation, dtype):
    # z^+ neurons that no input pushes up (all-negative incoming weights; a
    # hidden unit kept on by its bias) pass their relevance on through the
    # inputs that push them down: the fast engine hands those rows to the
    # plain one, in batches where other rows take the fast path.
    model, X = make_network("regressor", activation, (6, 5, 4), dtype, seed=7)
    model.coefs_[-1] = -np.abs(model.coefs_[-1])
    model.coefs_[1][:, :2] = -np.abs(model.coefs_[1][:, :2])
    model.intercepts_[1][:2] = 1.0
    rng = np.random.RandomState(0)
    X_test = 1.5 * rng.normal(size=(40, X.shape[1])).astype(dtype)
    for rules in ["deep-taylor", [ZBeta(), ZPlus(bias=True), ZPlus(), ZPlus()]]:
        explainer = RelevanceExplainer(
            FrozenEstimator(model), rules=rules, batch_size=9
        ).fit(X)
        _compare(explainer, X_test, X_test)
        explanation = explainer.explain(X_test)
        kept = explanation.absorbed_dead[:, 0] == 0
        assert kept.sum() > 30
