"""The deep-taylor preset against the loop-based reference, and conservation."""

import itertools

import numpy as np
import pytest
from _reference import reference_relevance
from conftest import KINDS, make_network
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
# float32 relevance is computed in float32: compare it at float32 rounding.
RTOL = {np.float64: 1e-10, np.float32: 1e-4}

CASES = [
    (kind, activation, n_hidden, dtype)
    for kind, activation, n_hidden, dtype in itertools.product(
        KINDS, ACTIVATIONS, [1, 2, 3, 4], [np.float64, np.float32]
    )
]


def _unit_of(model, label):
    """(output unit, negate) that scores `label`, read from the model directly."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return int(label), False
    index = int(np.flatnonzero(classes == label)[0])
    if model.n_outputs_ == 1:  # binary: one unit scoring classes_[1]
        return 0, index == 0
    return index, False


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
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    # Wider than the training data: some samples fall outside the box (in
    # float64 the first layer corrects them sparsely); then one row far out
    # among 31 in it (recomputed exactly; float32 takes the exact sums for
    # every row, so has no such branch).
    X_test = (1.5 * rng.normal(size=(6, X.shape[1]))).astype(dtype)
    _check_against_reference(model, kind, explainer, X_test, dtype)
    if dtype == np.float64:
        X_test = np.vstack([3 * X_test[:1] + 3, X[:31]])
        _check_against_reference(model, kind, explainer, X_test, dtype)


def _check_against_reference(model, kind, explainer, X_test, dtype):
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
            unit, negate = _unit_of(model, label)
            expected, score, _ = reference_relevance(
                model, x, unit, explainer.low_, explainer.high_, negate
            )
            scale = max(abs(score), np.max(np.abs(expected)))
            np.testing.assert_allclose(row, expected, rtol=0, atol=RTOL[dtype] * scale)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regressor"])
def test_conservation(kind, activation):
    model, X = make_network(kind, activation, (8, 6, 4), seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    X_test = 2 * np.random.RandomState(1).normal(size=(200, X.shape[1]))
    explanation = explainer.explain(X_test)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    checked = 0
    for x, row, score in zip(X_test, relevance, scores):
        unit, negate = (
            _unit_of(model, model.predict([x])[0])
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
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X, "all")
    # Logits equal log-probabilities up to a per-sample constant.
    log_proba = np.log(model.predict_proba(X))
    np.testing.assert_allclose(
        explanation.scores - explanation.scores[:, :1], log_proba - log_proba[:, :1]
    )
    np.testing.assert_array_equal(explanation.targets[0], model.classes_)


def test_binary_classes_score_opposite_logits():
    model, X = make_network("binary", seed=2)
    explanation = (
        RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X, ["no", "yes"])
    )
    proba = model.predict_proba(X)
    logit = np.log(proba[:, 1]) - np.log(proba[:, 0])
    np.testing.assert_allclose(explanation.scores, np.c_[-logit, logit])


def test_vanished_output_denominator_passes_no_relevance():
    # All output weights negative: the z^+ output denominator is 0, the
    # score (bias only under z^+) reaches no input and the result stays finite.
    model, X = make_network("regressor", "relu", (4,), seed=0)
    model.coefs_[-1] = -np.abs(model.coefs_[-1])
    relevance = RelevanceExplainer(FrozenEstimator(model)).fit(X).transform(X)
    np.testing.assert_array_equal(relevance, 0.0)


def test_constant_feature_gets_no_relevance_inside_the_box():
    model, X = make_network("regressor", "relu", (6,), seed=1)
    X[:, 2] = 0.5
    relevance = RelevanceExplainer(FrozenEstimator(model)).fit(X).transform(X)
    np.testing.assert_array_equal(relevance[:, 2], 0.0)
    assert np.all(np.isfinite(relevance))


def test_samples_outside_the_box_are_finite_and_conserve():
    model, X = make_network("regressor", "relu", (6, 5), seed=4)
    explainer = RelevanceExplainer(FrozenEstimator(model), bounds=(-0.1, 0.1)).fit(X)
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
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X[10:11])
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
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    explanation = explainer.explain(X[1:])  # (x = low would be a dead row)
    np.testing.assert_allclose(
        explanation.relevance.sum(-1), explanation.scores, rtol=1e-5
    )
    assert np.all(explanation.absorbed == 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_box_denominators_match_their_exact_sums(dtype):
    # The first layer takes z^β's denominators from its forward product; it
    # corrects the rows outside the box sparsely when they are many, and
    # recomputes them when they are few, as it does rows where the fused sum
    # may cancel. Near the root corner (z ~ 0), outside the box and far
    # outside it, the denominators must match the exact sums of the widened
    # box's contributions to the dtype's precision.
    from skl_lrp.rules import ZBeta

    rng = np.random.RandomState(5)
    rtol = 1e-9 if dtype == np.float64 else 1e-5
    for _ in range(100):
        d, h = rng.randint(1, 12), rng.randint(1, 8)
        W = (rng.normal(size=(d, h)) * 10 ** rng.uniform(-2, 2)).astype(dtype)
        low = (rng.normal(size=d) - 1).astype(dtype)
        high = (low + rng.uniform(0, 3, size=d) * (rng.rand(d) > 0.2)).astype(dtype)
        X = low + (high - low) * rng.uniform(-0.5, 1.5, size=(40, d))
        corner = np.where(W[:, 0] > 0, low, high)  # where neuron 0's z is 0
        X[:10] = corner + rng.normal(size=(10, d)) * 10.0 ** rng.uniform(-12, -1)
        X[5:10, 0] = low[0] - rng.uniform(0, 5, size=5)  # and outside the box
        X[10:15] = low + (high - low) * rng.uniform(-20, 20, size=(5, d))  # far out
        # Two rows out of 40 (outside near the corner, far out), the rest in.
        inside = low + (high - low) * rng.uniform(0, 1, size=(38, d))
        few_outside = np.vstack([X[[8, 12]], inside])
        layer = ZBeta().prepare(W, rng.normal(size=h).astype(dtype), low=low, high=high)
        for sample in (X.astype(dtype), few_outside.astype(dtype)):
            _check_box_denominators(layer, sample, low, high, rtol)


def _check_box_denominators(layer, X, low, high, rtol):
    dtype = X.dtype
    _, cache = layer.forward(X)
    # (high - x is computed as (high - low) - (x - low): the same up to
    # rounding, compared first; the sums are then taken over those parts)
    parts = cache["parts"][layer.groups[0].parts].astype(np.float64)
    wide = X.astype(np.float64)
    expected = np.hstack([np.maximum(wide - low, 0), np.maximum(high - wide, 0)])
    eps = np.finfo(dtype).eps
    size = np.abs(wide).max() + np.abs(low).max() + np.abs(high).max()
    np.testing.assert_allclose(parts, expected, rtol=0, atol=4 * eps * size)
    exact = parts @ layer.groups[0].weights.astype(np.float64)
    z = cache["z"][0]
    assert z.dtype == dtype
    np.testing.assert_allclose(z, exact, rtol=rtol, atol=1e-300)
    # relprop takes `least` for the smallest denominator (<= 0: maybe one
    # vanished), so it must not exceed the exact one beyond rounding.
    assert cache["least"][0] <= exact.min() + rtol * abs(exact.min())


def test_box_layer_pickled_in_the_old_layout_is_converted():
    # Before the parts became (x - low, high - x) with weights (W+, -W-),
    # layers stored (x - low, x - high) with (W+, W-); one loaded from such
    # a pickle must explain as a new one does, not with flipped signs.
    import pickle

    from skl_lrp.rules import ZBeta

    rng = np.random.RandomState(0)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    low, high = -np.ones(4), np.ones(4)
    layer = ZBeta().prepare(W, b, low=low, high=high)
    old = pickle.loads(pickle.dumps(layer))
    (group,) = old.groups
    group.parts = (group.parts[0], "x-high")
    group.weights = np.vstack([np.maximum(W, 0), np.minimum(W, 0)])
    loaded = pickle.loads(pickle.dumps(old))
    X = rng.uniform(-1.5, 1.5, size=(20, 4))  # some outside the box
    relevance = rng.normal(size=(20, 2, 3))
    expected = layer.relprop(X, relevance.copy(), cache=layer.forward(X)[1])
    result = loaded.relprop(X, relevance.copy(), cache=loaded.forward(X)[1])
    np.testing.assert_allclose(result[0], expected[0], rtol=1e-14, atol=1e-15)
    assert loaded.groups[0].parts == layer.groups[0].parts
