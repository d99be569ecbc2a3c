"""The fast engine gives what the plain one gives: every rule, every root point.

``skl_lrp._lrp`` is the textbook arithmetic; ``skl_lrp._fast`` adds the
shortcuts (denominators from the forward product, factored relevance, work
arrays reused, the default stabilizer left out). Both run on the same bound
layers here, on random networks with inputs inside and outside the boxes.
"""

import itertools

import numpy as np
import pytest
from conftest import KINDS, make_network, make_one_hot_pipeline
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer, _lrp
from skl_lrp.rules import (
    LRP0,
    AlphaBeta,
    Epsilon,
    Flat,
    Gamma,
    Rescale,
    WSquare,
    ZBeta,
    ZPlus,
)

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
    relevance, scores, ledger, baseline = _lrp.explain(
        plan.network,
        [layer.bound for layer in plan.layers],
        x_network,
        columns,
        plan.reference_scores,
    )
    if plan.aggregation is not None:
        relevance = relevance @ plan.aggregation
    size = max(np.abs(scores).max(), np.abs(relevance).max(), np.abs(ledger).max())
    atol = TOLERANCE[fast.relevance.dtype.type] * size
    np.testing.assert_allclose(fast.scores, scores, rtol=0, atol=atol)
    np.testing.assert_allclose(fast.baseline, baseline, rtol=0, atol=atol)
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


BASELINES = {
    "rescale": ("rescale", "column-mean"),
    "deep-taylor": ("deep-taylor", "column-mean"),
    "z^beta under rescale": ([ZBeta(), Rescale(), Rescale()], "data"),
    "rescale under z^+": ([Rescale(), ZPlus(), Rescale()], "column-mean"),
}


@pytest.mark.parametrize("baseline", ["mean", 1, 6])
@pytest.mark.parametrize("rules", BASELINES)
def test_fast_engine_equals_the_plain_one_against_a_baseline(rules, baseline):
    # Rows paired with each reference row, through a pipeline whose one-hot
    # columns are summed back into their column.
    model, X = make_one_hot_pipeline(n_samples=120, max_iter=200)
    rules, bounds = BASELINES[rules]
    explainer = RelevanceExplainer(
        FrozenEstimator(model),
        rules=rules,
        bounds=bounds,
        baseline=baseline,
        random_state=0,
        batch_size=7,
    ).fit(X)
    _compare(explainer, model[0].transform(X[:30]), X[:30])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fast_engine_equals_the_plain_one_where_no_input_pushes_up(activation, dtype):
    # z^+ neurons that no input pushes up: the output unit (all-negative
    # weights, a negative bias: negative scores), whose relevance goes to
    # the inputs that push it down; and two hidden units kept on by their
    # bias (output >= 0), whose relevance is lost. The fast engine hands
    # those rows to the plain one (at hidden layers without the
    # pre-activation at hand), in batches where other rows take the fast
    # path.
    model, X = make_network("regressor", activation, (6, 5, 4), dtype, seed=7)
    model.coefs_[-1] = -np.abs(model.coefs_[-1])
    model.intercepts_[-1][:] = -1.0
    model.coefs_[1][:, :2] = -np.abs(model.coefs_[1][:, :2])
    model.intercepts_[1][:2] = 5.0
    model.coefs_[2][:2] = np.abs(model.coefs_[2][:2])  # (they take relevance)
    rng = np.random.RandomState(0)
    X_test = 1.5 * rng.normal(size=(40, X.shape[1])).astype(dtype)
    for rules in ["deep-taylor", [ZBeta(), ZPlus(bias=True), ZPlus(), ZPlus()]]:
        explainer = RelevanceExplainer(
            FrozenEstimator(model), rules=rules, batch_size=9
        ).fit(X)
        _compare(explainer, X_test, X_test)
        explanation = explainer.explain(X_test, return_layers=True)
        scores = explanation.scores[:, 0]
        top = explanation.layers[-1][:, 0]  # the last hidden layer's
        pushed_up = (top > 0).any(axis=1)  # (z^+ proper: the score's sign)
        assert np.all(scores < 0)
        passed = np.isclose(top.sum(1), scores, rtol=TOLERANCE[dtype])
        assert passed.sum() > 30 and not pushed_up.any()
        if activation == "relu":  # (tanh inputs < 0 push them up too)
            assert np.any(explanation.absorbed[:, 0] != 0)  # bias-held units


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bounds", BOUNDS)
def test_fast_engine_equals_the_plain_one_on_half_a_given_box(bounds, dtype):
    # One side of the first layer's box given, the other from `bounds`: a
    # box for both engines (the root point's unit-by-unit form is the
    # column mean's alone).
    model, X = make_network("multiclass", "relu", (6, 5), dtype, seed=3)
    rng = np.random.RandomState(3)
    X_test = np.vstack([1.5 * rng.normal(size=(25, X.shape[1])), X[:4]]).astype(dtype)
    rules = [ZBeta(low=-1.0), ZPlus(), ZPlus()]
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules=rules, bounds=bounds, batch_size=9
    ).fit(X)
    assert explainer._plan.layers[0].bound.units is None
    _compare(explainer, X_test, X_test)
