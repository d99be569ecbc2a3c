"""The deep-taylor preset against the loop-based reference, and conservation."""

import itertools

import numpy as np
import pytest
from _reference import reference_relevance
from conftest import KINDS, make_network, make_one_hot_pipeline, unit_of
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer, explain
from skl_lrp._fast import _allocate, prepare
from skl_lrp.rules import ZPlus

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
# float32 relevance is computed in float32: compare it at float32 rounding.
RTOL = {np.float64: 1e-10, np.float32: 1e-4}

CASES = [
    (kind, activation, n_hidden, dtype)
    for kind, activation, n_hidden, dtype in itertools.product(
        KINDS, ACTIVATIONS, [1, 2, 3, 4], [np.float64, np.float32]
    )
]


def _targets(model, kind):
    labels = getattr(model, "classes_", np.arange(model.n_outputs_))
    if kind in ("multilabel", "multi-regressor"):
        return list(labels)
    return ["predicted", *labels]


@pytest.mark.parametrize("seed, case", list(enumerate(CASES)))
def test_matches_reference(seed, case):
    kind, activation, n_hidden, dtype = case
    rng = np.random.RandomState(seed)
    hidden = tuple(rng.randint(2, 7, size=n_hidden))
    model, X = make_network(kind, activation, hidden, dtype, seed)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds="data"
    ).fit(X)
    # Wider than the training data: some samples fall outside the box (in
    # float64 the first layer corrects them sparsely); then one row far out
    # among 31 in it (recomputed exactly; float32 takes the exact sums for
    # every row, so has no such branch).
    X_test = (1.5 * rng.normal(size=(6, X.shape[1]))).astype(dtype)
    _check_against_reference(model, kind, explainer, X_test, dtype)
    if dtype == np.float64:
        X_test = np.vstack([3 * X_test[:1] + 3, X[:31]])
        _check_against_reference(model, kind, explainer, X_test, dtype)
    # The reference points, every other case each: the training mean, and
    # the default (with the relevance of neurons no input pushes up shared).
    explainer.set_params(bounds="column-mean" if seed % 2 else "mean").fit(X)
    np.testing.assert_array_equal(explainer.low_, explainer.high_)
    np.testing.assert_allclose(explainer.low_, X.mean(0, dtype=float), rtol=1e-12)
    _check_against_reference(model, kind, explainer, X_test, dtype)


def _check_against_reference(model, kind, explainer, X_test, dtype):
    share = explainer.bounds == "column-mean"
    for target in _targets(model, kind):
        relevance = explainer.set_params(target=target).transform(X_test)
        assert relevance.dtype == dtype
        if target == "predicted":
            labels = (
                model.predict(X_test)
                if hasattr(model, "classes_")
                else [0] * len(X_test)
            )
        else:
            labels = [target] * len(X_test)
        for x, label, row in zip(X_test, labels, relevance):
            unit, negate = unit_of(model, label)
            expected, score, _ = reference_relevance(
                model, x, unit, explainer.low_, explainer.high_, negate, share=share
            )
            scale = max(abs(score), np.max(np.abs(expected)))
            np.testing.assert_allclose(row, expected, rtol=0, atol=RTOL[dtype] * scale)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regressor"])
def test_conservation(kind, activation):
    model, X = make_network(kind, activation, (8, 6, 4), seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor").fit(X)
    X_test = 2 * np.random.RandomState(1).normal(size=(200, X.shape[1]))
    explanation = explainer.explain(X_test)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    checked = 0
    for x, row, score in zip(X_test, relevance, scores):
        unit, negate = (
            unit_of(model, model.predict([x])[0])
            if kind != ("regressor")
            else (0, False)
        )
        _, expected_score, lost = reference_relevance(
            model, x, unit, explainer.low_, explainer.high_, negate
        )
        assert score == pytest.approx(expected_score, rel=1e-12, abs=1e-12)
        if not lost:
            checked += 1
            assert row.sum() == pytest.approx(score, rel=1e-12, abs=1e-12)
    assert checked > 100


def test_scores_are_the_logits_of_the_explained_classes():
    model, X = make_network("multiclass", seed=5)
    explanation = (
        RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor")
        .fit(X)
        .explain(X, "all")
    )
    # Logits equal log-probabilities up to a per-sample constant.
    log_proba = np.log(model.predict_proba(X))
    np.testing.assert_allclose(
        explanation.scores - explanation.scores[:, :1], log_proba - log_proba[:, :1]
    )
    np.testing.assert_array_equal(explanation.targets[0], model.classes_)


def test_binary_classes_score_opposite_logits():
    model, X = make_network("binary", seed=2)
    explanation = (
        RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor")
        .fit(X)
        .explain(X, ["no", "yes"])
    )
    proba = model.predict_proba(X)
    logit = np.log(proba[:, 1]) - np.log(proba[:, 0])
    np.testing.assert_allclose(explanation.scores, np.c_[-logit, logit])


@pytest.mark.parametrize("bounds", ["column-mean", "data"])
def test_output_unit_no_input_pushes_up_passes_on_through_those_pushing_down(bounds):
    # All output weights negative: the z^+ output denominator is 0 wherever
    # a hidden unit is on. The score goes to the units that push it down
    # (each by its share of the push), and on to the inputs: nothing lost.
    model, X = make_network("regressor", "relu", (4,), seed=0)
    model.coefs_[-1] = -np.abs(model.coefs_[-1])
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds=bounds
    ).fit(X)
    explanation = explainer.explain(X, return_layers=True)
    scores, hidden = explanation.scores[:, 0], explanation.layers[0][:, 0]
    h = np.maximum(X @ model.coefs_[0] + model.intercepts_[0], 0)
    on = h.sum(1) > 0
    assert on.sum() > len(X) // 2 and np.all(scores[on] < 0)
    push = h[on] * model.coefs_[-1][:, 0]
    expected = scores[on, np.newaxis] * push / push.sum(1, keepdims=True)
    np.testing.assert_allclose(hidden[on], expected, rtol=1e-12)
    relevance = explanation.relevance[on, 0]
    np.testing.assert_allclose(relevance.sum(1), scores[on], rtol=1e-12)
    assert np.all(relevance <= 0)
    np.testing.assert_array_equal(explanation.absorbed_dead[on], 0)
    share = bounds == "column-mean"
    for x, row in zip(X[on][:10], explanation.relevance[on][:10, 0]):
        expected, _, lost = reference_relevance(
            model, x, 0, explainer.low_, explainer.high_, share=share
        )
        assert not lost
        np.testing.assert_allclose(row, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("output_bias, score", [(10.0, 5.0), (0.0, -5.0)])
def test_an_output_no_input_pushes_up_is_explained_by_its_sign(output_bias, score):
    # Hidden units copy the inputs (relu); the output is h1 - h2 + bias. At
    # x = (0, 5) nothing pushes it up. A positive score is the bias's doing:
    # it reaches no input (the ledger's dead). A negative one is the doing of
    # the input that pushes it down, which takes all of it.
    model, _ = make_network("regressor", "relu", (5,), seed=0)
    model.coefs_ = [np.eye(5)[:, :2], np.array([[1.0], [-1.0]])]
    model.intercepts_ = [np.zeros(2), np.array([output_bias])]
    x = np.array([[0.0, 5.0, 0.0, 0.0, 0.0]])
    explanation = explain(model, x, rules=[ZPlus(), ZPlus()])
    assert explanation.scores[0, 0] == score
    relevance, dead = explanation.relevance[0, 0], explanation.absorbed_dead[0, 0]
    if score > 0:
        np.testing.assert_array_equal(relevance, 0.0)
        assert dead == score
    else:
        np.testing.assert_array_equal(relevance, [0.0, score, 0.0, 0.0, 0.0])
        assert dead == 0


def test_constant_feature_gets_no_relevance_inside_the_box():
    model, X = make_network("regressor", "relu", (6,), seed=1)
    X[:, 2] = 0.5
    relevance = (
        RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor")
        .fit(X)
        .transform(X)
    )
    np.testing.assert_array_equal(relevance[:, 2], 0.0)
    assert np.all(np.isfinite(relevance))


def test_samples_outside_the_box_are_finite_and_conserve():
    model, X = make_network("regressor", "relu", (6, 5), seed=4)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds=(-0.1, 0.1)
    ).fit(X)
    X_far = 100 * np.random.RandomState(0).normal(size=(50, X.shape[1]))
    explanation = explainer.explain(X_far)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    assert np.all(np.isfinite(relevance))
    nonzero = np.abs(relevance).sum(1) > 0
    np.testing.assert_allclose(relevance[nonzero].sum(1), scores[nonzero], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiny_denominators_are_not_absorbed_by_the_stabilizer(dtype):
    # A saturated logistic unit carries an activation of about 1e-25: far
    # below float32's stabilizer, yet not zero, so its relevance must pass.
    model, X = make_network("regressor", "logistic", (1, 1), dtype, seed=0)
    X = np.linspace(0, 5, 20, dtype=dtype)[:, None]
    model.coefs_ = [np.ones((1, 1), dtype)] * 3
    model.intercepts_ = [
        np.array([-60.0], dtype),
        np.zeros(1, dtype),
        np.zeros(1, dtype),
    ]
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds="data"
    ).fit(X)
    explanation = explainer.explain(X[10:11])
    np.testing.assert_allclose(
        explanation.relevance.sum(-1), explanation.scores, rtol=1e-6
    )
    assert abs(explanation.absorbed_stabilizer[0, 0]) < 1e-15


def test_rows_with_tiny_denominators_and_rows_without_both_conserve():
    # float32: logistic units below ~1e-12 give the hidden layer tiny
    # denominators on the rows x < 32 only; those rows are redone at a wider
    # precision and the others are not, within one batch.
    dtype = np.float32
    model, _ = make_network("regressor", "logistic", (1, 1), dtype, seed=0)
    X = np.linspace(0, 70, 30, dtype=dtype)[:, None]
    model.coefs_ = [np.ones((1, 1), dtype)] * 3
    model.intercepts_ = [np.array([-60.0], dtype)] + [np.zeros(1, dtype)] * 2
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds="data"
    ).fit(X)
    explanation = explainer.explain(X[1:])  # (x = low would be a dead row)
    np.testing.assert_allclose(
        explanation.relevance.sum(-1), explanation.scores, rtol=1e-5
    )
    assert np.all(explanation.absorbed == 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_box_denominators_match_their_exact_sums(dtype):
    # The box is widened to contain each row (many rows outside, or few).
    # Near the root corner (z ~ 0), outside the box and far outside it, the
    # denominators the fast layer divides by must match the exact sums of
    # the widened box's contributions to the dtype's precision.
    from skl_lrp.rules import ZBeta

    rng = np.random.RandomState(5)
    rtol = 1e-9 if dtype == np.float64 else 1e-5
    for _ in range(100):
        d, h = rng.randint(1, 12), rng.randint(1, 8)
        W = (rng.normal(size=(d, h)) * 10 ** rng.uniform(-2, 2)).astype(dtype)
        low = (rng.normal(size=d) - 1).astype(dtype)
        high = (low + rng.uniform(0, 3, size=d) * (rng.rand(d) > 0.2)).astype(dtype)
        high[0] += 1  # (a box, not a point)
        X = low + (high - low) * rng.uniform(-0.5, 1.5, size=(40, d))
        corner = np.where(W[:, 0] > 0, low, high)  # where neuron 0's z is 0
        X[:10] = corner + rng.normal(size=(10, d)) * 10.0 ** rng.uniform(-12, -1)
        X[5:10, 0] = low[0] - rng.uniform(0, 5, size=5)  # and outside the box
        X[10:15] = low + (high - low) * rng.uniform(-20, 20, size=(5, d))  # far out
        # Two rows out of 40 (outside near the corner, far out), the rest in.
        inside = low + (high - low) * rng.uniform(0, 1, size=(38, d))
        few_outside = np.vstack([X[[8, 12]], inside])
        bias = rng.normal(size=h).astype(dtype)
        layer = prepare(ZBeta(low=low, high=high).bind(W, bias))
        for sample in (X.astype(dtype), few_outside.astype(dtype)):
            _check_box_denominators(layer, sample, low, high, rtol)


def _check_box_denominators(layer, X, low, high, rtol):
    dtype = X.dtype
    # (what relprop computes: the parts, then the denominators from them)
    take = _allocate(dtype)
    stacked = layer._stacked_parts(X, take)
    (z,), (least,) = layer._denominators(
        stacked, {}, take, (len(X), 1, layer.weight.shape[1])
    )
    # (the parts are compared first; the sums are then taken over them)
    parts = stacked[layer.groups[0].parts].astype(np.float64)
    wide = X.astype(np.float64)
    expected = np.hstack([np.maximum(wide - low, 0), np.maximum(high - wide, 0)])
    eps = np.finfo(dtype).eps
    size = np.abs(wide).max() + np.abs(low).max() + np.abs(high).max()
    np.testing.assert_allclose(parts, expected, rtol=0, atol=4 * eps * size)
    exact = parts @ layer.groups[0].weights.astype(np.float64)
    assert z.dtype == dtype
    np.testing.assert_allclose(z, exact, rtol=rtol, atol=1e-300)
    # relprop takes `least` for the smallest denominator (<= 0: maybe one
    # vanished), so it must not exceed the exact one beyond rounding.
    assert least <= exact.min() + rtol * abs(exact.min())


def test_default_root_point_takes_the_inputs_of_a_column_as_one():
    # A categorical column one-hot encoded into four inputs, placed before
    # the numeric ones: its inputs contribute to a neuron only through their
    # net push, which the loop reference checks input by input.
    model, X = make_one_hot_pipeline()
    preprocessing, mlp = model[0], model[-1]
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", aggregate=False
    ).fit(X)
    explanation = explainer.explain(X[:30])
    Z = preprocessing.transform(X[:30])
    np.testing.assert_allclose(explainer.low_, preprocessing.transform(X).mean(0))
    units = [0, 0, 0, 0, 1, 2]
    for z, row, label in zip(Z, explanation.relevance[:, 0], explanation.targets[:, 0]):
        unit, negate = unit_of(mlp, label)
        expected, score, _ = reference_relevance(
            mlp, z, unit, explainer.low_, explainer.high_, negate, units, share=True
        )
        scale = max(abs(score), np.max(np.abs(expected)))
        np.testing.assert_allclose(row, expected, rtol=0, atol=1e-10 * scale)
    # On the user's columns: the sums of those.
    aggregated = explainer.set_params(aggregate=True).fit(X).transform(X[:30])
    per_input = explanation.relevance[:, 0]
    np.testing.assert_allclose(
        aggregated,
        np.c_[per_input[:, :4].sum(1), per_input[:, 4:]],
        rtol=1e-12,
        atol=1e-15,
    )


def test_default_root_point_conserves_where_the_mean_alone_loses_relevance():
    # With five inputs, some active neurons get no push up from any
    # deviation from the mean: under bounds="mean" their relevance is lost
    # (the ledger's "dead"); the default hands it to the row's other
    # first-layer neurons, in proportion to their relevance.
    model, X = make_network("multiclass", "relu", (16, 8), seed=2)
    X_test = np.random.RandomState(1).normal(size=(300, X.shape[1]))
    mean = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds="mean"
    ).fit(X)
    mean = mean.explain(X_test)
    lost = mean.absorbed_dead[:, 0] != 0
    assert 0 < lost.sum() < len(X_test)
    default = RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor").fit(X)
    default = default.explain(X_test, return_layers=True)
    scores = default.scores[:, 0]
    # (rows where z^+ above loses relevance, at an output unit that only
    # negative weights reach, are not the first layer's doing)
    reaching = np.isclose(default.layers[0][:, 0].sum(1), scores, rtol=1e-12)
    assert reaching.sum() > 250 and lost[reaching].sum() > 0
    assert np.all(default.absorbed[reaching] == 0)
    np.testing.assert_allclose(
        default.relevance[reaching, 0].sum(1), scores[reaching], rtol=1e-12
    )
    np.testing.assert_allclose(
        default.relevance[~lost], mean.relevance[~lost], rtol=1e-13, atol=1e-15
    )
    # Deep Taylor on a relu network: the relevance has the score's sign.
    assert np.all(default.relevance[scores > 0] >= 0)
    assert np.all(default.relevance[scores < 0] <= 0)


def test_an_input_at_its_reference_value_gets_no_relevance():
    model, X = make_network("regressor", "tanh", (6, 4), seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor").fit(X)
    X_test = np.random.RandomState(0).normal(size=(40, X.shape[1]))
    X_test[:, 2] = explainer.low_[2]
    relevance = explainer.transform(X_test)
    np.testing.assert_array_equal(relevance[:, 2], 0.0)
    assert np.all(np.abs(relevance).sum(1) > 0)


@pytest.mark.parametrize("dtype, size", [(np.float64, 1e-200), (np.float32, 1e-25)])
def test_tiny_deviations_from_the_reference_are_computed_wider(dtype, size):
    # Every denominator is far below the default stabilizer (but not zero):
    # those rows are computed in a wider float type, exactly, not lost.
    model, X = make_network("regressor", "relu", (5,), dtype, seed=4)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", bounds=(0, 0)
    ).fit(X)
    X_test = size * np.random.RandomState(0).normal(size=(10, X.shape[1]))
    X_test = np.vstack([X_test, np.ones((3, X.shape[1]))]).astype(dtype)
    explanation = explainer.explain(X_test)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    assert relevance.dtype == dtype and np.all(np.isfinite(relevance))
    kept = explanation.absorbed_dead[:, 0] == 0
    assert kept.sum() >= 8
    np.testing.assert_allclose(
        relevance[kept].sum(1),
        scores[kept],
        rtol=1e-5 if dtype == np.float32 else 1e-12,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reference_denominators_match_their_exact_sums(dtype):
    # The default root point r (each input its own unit), where the
    # deviations u = x - r mostly push a neuron down, far from r and at r:
    # the denominators must match the exact sums to the dtype's precision.
    from skl_lrp._rules import Context
    from skl_lrp.rules import ZBeta

    rng = np.random.RandomState(7)
    rtol = 1e-9 if dtype == np.float64 else 1e-5
    for _ in range(100):
        d, h = rng.randint(1, 12), rng.randint(1, 8)
        W = (rng.normal(size=(d, h)) * 10 ** rng.uniform(-2, 2)).astype(dtype)
        r = (rng.normal(size=d) * 10 ** rng.uniform(-1, 2)).astype(dtype)
        X = r + rng.normal(size=(40, d)) * 10 ** rng.uniform(-3, 1)
        # Deviations against neuron 0's weights but for one tiny push up.
        X[:10] = r - np.sign(W[:, 0]) * rng.uniform(0, 2, size=(10, d))
        X[:10, 0] += np.sign(W[0, 0]) * 10.0 ** rng.uniform(-14, -1, size=10)
        X[10:12] = r  # no deviation at all: every denominator 0
        X[12:15] *= 1e6  # far from r
        at_r = Context(bounds="column-mean", statistics={"mean": r})
        layer = prepare(ZBeta().bind(W, rng.normal(size=h).astype(dtype), at_r))
        assert layer.bound.units is not None
        X = X.astype(dtype)
        _, cache = layer.forward(X)
        u = X.astype(np.float64) - r
        exact = np.maximum(u, 0) @ np.maximum(W, 0) + np.maximum(-u, 0) @ np.maximum(
            -W.astype(np.float64), 0
        )
        z = cache["z"].astype(np.float64)
        assert cache["z"].dtype == dtype
        size = np.abs(u) @ np.abs(W.astype(np.float64))
        np.testing.assert_allclose(
            z, exact, rtol=rtol, atol=np.finfo(dtype).eps * 1e-3 * size.max()
        )
        np.testing.assert_array_equal(z[10:12], 0)
