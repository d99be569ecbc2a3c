"""Properties that hold for any network, rule set, root point and input.

Random networks (shapes, activations, dtypes) and random inputs, drawn by
hypothesis. The default profile ("ci", registered in conftest.py) keeps the
example counts small; ``python -m pytest tests/test_properties.py
--hypothesis-profile=thorough`` runs many more.
"""

import numpy as np
import pytest
from conftest import make_network
from hypothesis import given
from hypothesis import strategies as st
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer
from skl_lrp.rules import LRP0, AlphaBeta, Epsilon, Flat, Gamma, WSquare, ZBeta, ZPlus

RULES = st.sampled_from(
    [
        "deep-taylor",
        "epsilon",
        "alpha-beta",
        "montavon-2019",
        {"first": WSquare(), "hidden": Gamma(), "output": LRP0()},
        {"first": Flat(), "hidden": AlphaBeta(1, 0), "output": Epsilon(0.1)},
        {"first": ZBeta(), "hidden": ZPlus(bias=True)},
    ]
)
BOUNDS = st.sampled_from(["column-mean", "mean", "data", (-2.0, 2.0), (0.0, 0.0)])


@st.composite
def cases(draw, kinds=("binary", "multiclass", "regressor", "multi-regressor")):
    """A random network, the data it was fitted on, and inputs to explain."""
    kind = draw(st.sampled_from(kinds))
    activation = draw(st.sampled_from(["relu", "tanh", "logistic", "identity"]))
    hidden = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    seed = draw(st.integers(0, 2**16))
    model, X = make_network(kind, activation, hidden, dtype, seed)
    n_rows = draw(st.integers(1, 12))
    scale = 10.0 ** draw(st.integers(-3, 3))
    rng = np.random.RandomState(seed)
    X_test = (scale * rng.normal(size=(n_rows, X.shape[1]))).astype(dtype)
    return model, X, X_test


def _explainer(model, X, **params):
    return RelevanceExplainer(FrozenEstimator(model), **params).fit(X)


def _tolerance(dtype, *arrays):
    size = max(max(np.abs(a).max(initial=0) for a in arrays), 1e-30)
    return (1e-9 if dtype == np.float64 else 1e-3) * size


@given(cases(), RULES, BOUNDS)
def test_finite_and_the_ledger_closes_the_account(case, rules, bounds):
    model, X, X_test = case
    explainer = _explainer(model, X, rules=rules, bounds=bounds)
    explanation = explainer.explain(X_test, target="all")
    for key in ("relevance", "scores", "ledger"):
        assert np.all(np.isfinite(explanation[key]))
    total = explanation.relevance.sum(-1) + explanation.absorbed
    scale = [explanation.relevance, explanation.scores, explanation.ledger]
    atol = _tolerance(X_test.dtype, *scale)
    np.testing.assert_allclose(total, explanation.scores, rtol=0, atol=atol)


@given(
    cases(kinds=("binary", "multiclass", "regressor")),
    RULES,
    BOUNDS,
    st.integers(1, 13),
    st.sampled_from([None, 2]),
)
def test_batch_size_and_n_jobs_do_not_change_the_result(
    case, rules, bounds, batch_size, n_jobs
):
    model, X, X_test = case
    explainer = _explainer(model, X, rules=rules, bounds=bounds)
    expected = explainer.transform(X_test)
    got = explainer.set_params(batch_size=batch_size, n_jobs=n_jobs).transform(X_test)
    np.testing.assert_allclose(
        got, expected, rtol=0, atol=_tolerance(got.dtype, expected)
    )


@given(cases(kinds=("binary", "multiclass", "regressor")), RULES, BOUNDS, st.data())
def test_permuting_the_rows_permutes_the_output(case, rules, bounds, data):
    model, X, X_test = case
    order = data.draw(st.permutations(range(len(X_test))))
    explainer = _explainer(model, X, rules=rules, bounds=bounds)
    relevance = explainer.transform(X_test)
    permuted = explainer.transform(X_test[list(order)])
    np.testing.assert_allclose(
        permuted,
        relevance[list(order)],
        rtol=0,
        atol=_tolerance(permuted.dtype, relevance),
    )


@given(cases(kinds=("binary", "multiclass", "regressor")), BOUNDS)
def test_default_rules_on_relu_networks_give_the_score_its_sign(case, bounds):
    model, X, X_test = case
    model.set_params(activation="relu")
    explanation = _explainer(model, X, bounds=bounds).explain(X_test)
    scores, relevance = explanation.scores[:, 0], explanation.relevance[:, 0]
    assert np.all(relevance[scores > 0] >= 0)
    assert np.all(relevance[scores < 0] <= 0)


# Rules whose output layer has no absolute stabilizer (an epsilon that would
# not scale with the layer).
SCALE_FREE_RULES = st.sampled_from(
    [
        "deep-taylor",
        "alpha-beta",
        "montavon-2019",
        {"first": WSquare(), "hidden": Gamma(), "output": LRP0()},
        {"first": ZBeta(), "hidden": ZPlus(bias=True)},
    ]
)


@given(
    cases(kinds=("binary", "multiclass", "regressor")),
    SCALE_FREE_RULES,
    BOUNDS,
    st.floats(0.01, 100),
)
def test_scaling_the_last_layer_scales_the_relevance(case, rules, bounds, factor):
    model, X, X_test = case
    dtype = X_test.dtype.type
    explainer = _explainer(model, X, rules=rules, bounds=bounds)
    columns = explainer.explain(X_test).targets[:, 0]
    before = explainer.explain_each(X_test, columns).relevance
    model.coefs_[-1] = (model.coefs_[-1] * factor).astype(dtype)
    model.intercepts_[-1] = (model.intercepts_[-1] * factor).astype(dtype)
    after = _explainer(model, X, rules=rules, bounds=bounds).explain_each(
        X_test, columns
    )
    scaled = before * np.asarray(factor, dtype)
    atol = _tolerance(X_test.dtype, scaled, after.relevance)
    np.testing.assert_allclose(after.relevance, scaled, rtol=0, atol=atol)


@pytest.mark.parametrize("profile", ["ci", "thorough"])
def test_profiles_are_registered(profile):
    from hypothesis import settings

    assert settings.get_profile(profile).deadline is None
