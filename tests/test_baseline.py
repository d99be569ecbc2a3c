"""Explanations measured against a baseline: Rescale and Deep Taylor.

Every setting is checked against the slow loop references of
``tests/_reference.py`` (written from the formulas, sharing no code with
the package) and against conservation: ``relevance.sum(-1) + absorbed ==
scores - baseline``.
"""

import itertools

import numpy as np
import pytest
from _reference import reference_deep_taylor_baseline, reference_rescale
from conftest import KINDS, make_network, unit_of
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skl_lrp import RelevanceExplainer, _lrp, explain
from skl_lrp.rules import LRP0, Epsilon, Rescale, ZBeta, ZPlus

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-4}


def _assert_conserved(explanation, tolerance=1e-12):
    total = explanation.relevance.sum(-1) + explanation.absorbed
    expected = explanation.scores - explanation.baseline
    size = max(np.abs(explanation.relevance).sum(-1).max(), 1.0)
    np.testing.assert_allclose(total, expected, rtol=0, atol=tolerance * size)


def _check_against(explanation, x, model, reference, dtype):
    """Every target's relevance, score, baseline and ledger in
    `explanation` of the rows `x` against ``reference(x_row, unit,
    negate)``, a loop reference of tests/_reference.py."""
    size = np.abs(explanation.scores - explanation.baseline).max() + 1.0
    atol = TOLERANCE[dtype] * size
    for row, targets in enumerate(explanation.targets):
        for column, label in enumerate(targets):
            relevance, score, base, ledger = reference(
                x[row].astype(np.float64), *unit_of(model, label)
            )
            for got, expected in [
                (explanation.relevance[row, column], relevance),
                (explanation.scores[row, column], score),
                (explanation.baseline[row, column], base),
                (explanation.ledger[row, column], ledger),
            ]:
                np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


RESCALE_CASES = list(
    itertools.product(
        KINDS,
        ["relu", "tanh", "logistic", "identity"],
        ["mean", "one row", "seven rows", 5],
        [np.float64, np.float32],
    )
)


@pytest.mark.parametrize("seed, case", list(enumerate(RESCALE_CASES)))
def test_rescale_matches_the_loop_reference(seed, case):
    kind, activation, baseline, dtype = case
    model, X = make_network(kind, activation, (5, 4), dtype, seed)
    given = {"one row": X[3:4], "seven rows": X[10:17]}
    explainer = RelevanceExplainer(
        FrozenEstimator(model),
        rules="rescale",
        baseline=given.get(baseline, baseline),
        random_state=seed,
        batch_size=4,
    ).fit(X)
    x = np.vstack([X[:6], 3 * X[6:8], X[10:11]])  # one row is a reference
    explanation = explainer.explain(x, target="all")
    references = explainer.baseline_inputs_.astype(np.float64)
    n_references = {"mean": 1, "one row": 1, "seven rows": 7, 5: 5}[baseline]
    assert references.shape == (n_references, X.shape[1])

    def reference(row, unit, negate):
        return reference_rescale(model, row, references, unit, negate)

    _check_against(explanation, x, model, reference, dtype)
    assert not explanation.absorbed_bias.any() and not explanation.absorbed_dead.any()
    _assert_conserved(explanation, 1e-12 if dtype == np.float64 else 1e-5)


DEEP_TAYLOR_CASES = list(
    itertools.product(
        KINDS, [1, 2, 3], ["mean", "column-mean"], ["mean", 6], [np.float64]
    )
)


@pytest.mark.parametrize("seed, case", list(enumerate(DEEP_TAYLOR_CASES)))
def test_deep_taylor_against_a_baseline_matches_the_loop_reference(seed, case):
    kind, n_hidden, bounds, baseline, dtype = case
    model, X = make_network(kind, "relu", (6,) * n_hidden, dtype, seed)
    explainer = RelevanceExplainer(
        FrozenEstimator(model),
        rules="deep-taylor",
        bounds=bounds,
        baseline=baseline,
        random_state=seed,
        batch_size=5,
    ).fit(X)
    # (Not the mean row: there z^beta splits relevance among deviations
    # that are rounding errors, which no two implementations share.)
    x = np.vstack([X[:8], 4 * X[8:10]])
    explanation = explainer.explain(x, target="all")
    references = explainer.baseline_inputs_.astype(np.float64)
    share = bounds == "column-mean"

    def reference(row, unit, negate):
        return reference_deep_taylor_baseline(
            model,
            row,
            references,
            unit,
            explainer.low_,
            explainer.high_,
            negate,
            units=list(range(X.shape[1])) if share else None,
            share_first=share,
        )

    _check_against(explanation, x, model, reference, dtype)
    _assert_conserved(explanation)


def test_rescale_on_a_linear_model_is_the_weights_times_the_change():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.0, 0.5] + 3)
    background = X[:9]
    for rules in ("rescale", "deep-taylor"):
        explanation = explain(model, X[20:25], rules=rules, baseline=background)
        expected = model.coef_ * (X[20:25] - background.mean(axis=0))
        np.testing.assert_allclose(explanation.relevance[:, 0], expected, atol=1e-12)
        np.testing.assert_allclose(
            explanation.baseline[:, 0], model.predict(background).mean(), atol=1e-12
        )


def test_rescale_is_signed_and_zero_at_the_reference():
    # y falls with the first column: a row above average there gets a
    # negative relevance for it; the reference row itself gets none.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(400, 3))
    y = -2 * X[:, 0] + np.abs(X[:, 1])
    model = MLPRegressor(hidden_layer_sizes=(16,), max_iter=800, random_state=0)
    model.fit(X, y)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="rescale", baseline=X[:1]
    ).fit(X)
    row = X[:1] + [[2.0, 0.0, 0.0]]
    relevance = explainer.transform(np.vstack([row, X[:1]]))
    assert relevance[0, 0] < -1 and abs(relevance[0, 1:]).max() < 1e-12
    assert not relevance[1].any()


def test_tiny_differences_are_linearized_and_accounted():
    # A reference within 1e-9 of the row: every tanh unit is linearized at
    # the row (the secant slope would be mostly rounding error). What that
    # leaves over, in the ledger, is second order in the change: at the
    # level of the rounding of the pre-activations, as is conservation.
    model, X = make_network("regressor", "tanh", (6, 5), np.float64, 3)
    x = X[:1] + 1e-9 * np.arange(1, 6)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="rescale", baseline=X[:1]
    ).fit(X)
    explanation = explainer.explain(x)
    relevance, score, base, ledger = reference_rescale(model, x[0], X[:1], 0)
    np.testing.assert_allclose(
        explanation.relevance[0, 0], relevance, rtol=1e-6, atol=1e-22
    )
    assert abs(explanation.absorbed_stabilizer[0, 0]) <= 1e-15
    assert abs(ledger[1]) <= 1e-15
    change = explanation.scores - explanation.baseline
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(total, change, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_results_do_not_depend_on_the_batches(n_jobs):
    model, X = make_network("multiclass", "relu", (7, 5), np.float64, 4)
    params = dict(rules="rescale", baseline=6, random_state=3)
    whole = RelevanceExplainer(FrozenEstimator(model), **params).fit(X)
    split = RelevanceExplainer(
        FrozenEstimator(model), batch_size=3, n_jobs=n_jobs, **params
    ).fit(X)
    a, b = whole.explain(X, target="all"), split.explain(X, target="all")
    for key in ("relevance", "scores", "baseline", "absorbed"):
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-13)
    np.testing.assert_allclose(whole.transform(X), split.transform(X), atol=1e-13)


def test_background_rows_are_drawn_reproducibly():
    model, X = make_network("regressor", "relu", (5,), np.float64, 5)

    def rows(**params):
        explainer = RelevanceExplainer(FrozenEstimator(model), rules="rescale")
        return explainer.set_params(**params).fit(X).baseline_inputs_

    np.testing.assert_array_equal(
        rows(baseline=8, random_state=0), rows(baseline=8, random_state=0)
    )
    assert not np.array_equal(
        rows(baseline=8, random_state=0), rows(baseline=8, random_state=1)
    )
    # As many rows as the data has, or more: all of them, in order.
    np.testing.assert_array_equal(rows(baseline=len(X) + 5), X)
    # The rows are rows of X.
    drawn = rows(baseline=8, random_state=2)
    assert all((row == X).all(axis=1).any() for row in drawn)


def test_restructured_layers_are_folded_back():
    model, X = make_network("regressor", "relu", (6, 4), np.float64, 6)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", baseline="mean"
    ).fit(X)
    explanation = explainer.explain(X[:5], return_layers=True)
    assert [layer.shape[-1] for layer in explanation.layers] == [6, 4]
    # The top hidden layer's relevance is each unit's signed contribution
    # w_j (a_j - a_j(mean)), before anything is lost below.
    top = explanation.layers[-1][:, 0]
    np.testing.assert_allclose(
        top.sum(-1), (explanation.scores - explanation.baseline)[:, 0], atol=1e-12
    )


def test_baseline_attributes():
    model, X = make_network("binary", "relu", (5,), np.float64, 7)
    plain = RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor").fit(X)
    assert plain.baseline_inputs_ is None and plain.baseline_scores_ is None
    assert not plain.explain(X[:3]).baseline.any()
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="rescale", baseline="mean"
    ).fit(X)
    np.testing.assert_allclose(explainer.baseline_inputs_, X.mean(0, keepdims=True))
    logit = model.predict_proba(X.mean(0, keepdims=True))
    # binary: columns score -z and z, with z the logit of classes_[1]
    z = np.log(logit[0, 1] / logit[0, 0])
    np.testing.assert_allclose(explainer.baseline_scores_, [-z, z], atol=1e-10)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"baseline": "median"}, InvalidParameterError, "baseline"),
        ({"baseline": 0}, InvalidParameterError, "baseline"),
        ({"baseline": np.zeros((0, 5))}, ValueError, "baseline has no rows"),
        ({"baseline": np.zeros((2, 4))}, ValueError, "4 features"),
        (
            {"rules": "rescale", "baseline": None},
            ValueError,
            "give the explainer a baseline",
        ),
        (
            {"rules": [ZBeta(), Rescale()], "baseline": None},
            ValueError,
            r"rules\[1\] \(Rescale\) explains a difference",
        ),
        ({"rules": "epsilon", "baseline": "mean"}, ValueError, "A baseline is"),
        ({"rules": [ZBeta(), ZPlus()], "baseline": 4}, ValueError, "A baseline is"),
    ],
)
def test_bad_baselines_are_refused(params, error, match):
    model, X = make_network("regressor", "relu", (5,), np.float64, 8)
    explainer = RelevanceExplainer(FrozenEstimator(model), **params)
    with pytest.raises(error, match=match):
        explainer.fit(X)


def test_deep_taylor_against_a_baseline_needs_relu():
    model, X = make_network("regressor", "tanh", (5,), np.float64, 9)
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules="deep-taylor", baseline="mean"
    )
    with pytest.raises(ValueError, match="needs ReLU hidden units"):
        explainer.fit(X)


def test_rescale_mixes_with_other_rules():
    # Rescale above z^beta: the relevance of f(x) - f(r) reaches the first
    # layer, which splits it from its root point; conserved all the same.
    model, X = make_network("regressor", "relu", (6, 4), np.float64, 10)
    for rules in ([ZBeta(), Rescale(), Rescale()], [Rescale(), Epsilon(), Rescale()]):
        explainer = RelevanceExplainer(
            FrozenEstimator(model), rules=rules, baseline=5, random_state=0
        ).fit(X)
        _assert_conserved(explainer.explain(X[:10]))


def test_a_logistic_regression_is_explained_against_its_average_logit():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    explanation = explain(model, X[:4], rules="rescale", baseline=X)
    expected = model.coef_[0] * (X[:4] - X.mean(0))
    # the predicted class's score: +z for class 1, -z for class 0
    sign = np.where(explanation.targets[:, 0] == 1, 1, -1)[:, np.newaxis]
    np.testing.assert_allclose(explanation.relevance[:, 0], sign * expected, atol=1e-12)


@pytest.mark.parametrize(
    "kind, params, rules, n_references, box",
    [
        ("regressor", {}, "rescale", 32, False),
        ("multi-regressor", {}, "rescale", 32, False),
        ("binary", {}, "deep-taylor", None, True),
        ("multiclass", {}, "deep-taylor", None, True),
        # A root point asks for z^beta, hence Deep Taylor, on the raw score.
        ("regressor", {"bounds": "data"}, "deep-taylor", None, True),
        # baseline=None asks for the raw score: Deep Taylor, not Rescale.
        ("regressor", {"baseline": None}, "deep-taylor", None, True),
        ("regressor", {"rules": "epsilon"}, "epsilon", None, False),
        ("binary", {"rules": "rescale"}, "rescale", 32, False),
        ("regressor", {"baseline": "mean"}, "rescale", 1, False),
        ("regressor", {"rules": "deep-taylor", "baseline": 4}, "deep-taylor", 4, True),
    ],
)
def test_auto_settings(kind, params, rules, n_references, box):
    model, X = make_network(kind, "relu", (5,), np.float64, 11)
    X = np.vstack([X, X + 0.5])  # 80 rows: more than the 32 drawn
    explainer = RelevanceExplainer(FrozenEstimator(model), **params).fit(X)
    assert explainer.rules_ == rules
    if n_references is None:
        assert explainer.baseline_inputs_ is None
    else:
        assert len(explainer.baseline_inputs_) == n_references
    assert (explainer.low_ is not None) == box
    _assert_conserved(explainer.explain(X[:5], target="all"))


@pytest.mark.parametrize("kind", ["array", "frame"])
def test_background_rows_from_a_dask_collection_are_those_of_the_data(kind):
    # The same positions are drawn, and only they are computed.
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    model, X = make_network("regressor", "relu", (5,), np.float64, 12)
    if kind == "frame":
        names = [f"c{i}" for i in range(X.shape[1])]
        X = pd.DataFrame(X, columns=names)
        lazy = dd.from_pandas(X, npartitions=4)
    else:
        lazy = da.from_array(X, chunks=(7, X.shape[1]))
    params = dict(rules="rescale", baseline=9, random_state=4)
    eager = RelevanceExplainer(FrozenEstimator(model), **params).fit(X)
    dask_fit = RelevanceExplainer(FrozenEstimator(model), **params).fit(lazy)
    np.testing.assert_array_equal(eager.baseline_inputs_, dask_fit.baseline_inputs_)


def test_baseline_rows_may_be_sparse_as_x_may():
    from scipy import sparse

    model, X = make_network("regressor", "relu", (5,), np.float64, 13)
    dense = RelevanceExplainer(
        FrozenEstimator(model), rules="rescale", baseline=X[:6]
    ).fit(X)
    sparse_rows = RelevanceExplainer(
        FrozenEstimator(model), rules="rescale", baseline=sparse.csr_matrix(X[:6])
    ).fit(sparse.csr_matrix(X))
    np.testing.assert_array_equal(dense.baseline_inputs_, sparse_rows.baseline_inputs_)
    np.testing.assert_allclose(
        dense.transform(X), sparse_rows.transform(sparse.csr_matrix(X)), atol=1e-13
    )


def _hand_network(weights, biases, activation="relu"):
    """An MLPRegressor whose layers are set by hand."""
    model = MLPRegressor(hidden_layer_sizes=(len(biases[0]),), activation=activation)
    model.fit(np.zeros((4, len(weights[0]))), np.arange(4.0))
    model.coefs_ = [np.array(w, dtype=float) for w in weights]
    model.intercepts_ = [np.array(b, dtype=float) for b in biases]
    return model


def test_a_unit_whose_inputs_cancel_passes_by_its_derivative():
    # x = (1, 0) and r = (0, 1) meet units whose pre-activations are the
    # same at both (the inputs' changes cancel): the slope is then the
    # activation's derivative, as DeepLIFT's multipliers have it, and each
    # input still gets its own change times its weight.
    linear = LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0.0, 1.0, 1.0])
    x, r = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    explanation = explain(linear, x, rules="rescale", baseline=r)
    np.testing.assert_allclose(explanation.relevance[0, 0], [1, -1], atol=1e-12)
    two = np.array([[0.0, 1.0], [0.0, 0.0]])  # DeepSHAP: w (x - mean r)
    explanation = explain(linear, x, rules="rescale", baseline=two)
    np.testing.assert_allclose(explanation.relevance[0, 0], [1, -0.5], atol=1e-12)
    # A hidden ReLU unit on in both, and one off in both.
    model = _hand_network([[[1.0, 1.0], [1.0, 1.0]], [[2.0], [3.0]]], [[0.5, -5], [0]])
    explainer = RelevanceExplainer(FrozenEstimator(model), rules="rescale", baseline=r)
    explanation = explainer.fit(r).explain(x)
    np.testing.assert_allclose(explanation.relevance[0, 0], [2, -2], atol=1e-12)
    relevance, _, _, _ = reference_rescale(model, x[0], r, 0)
    np.testing.assert_allclose(relevance, [2, -2], atol=1e-12)
    assert not explanation.absorbed.any()


def test_relevance_rescale_cannot_pass_on_is_in_the_ledger():
    # Below z^+, a Rescale unit that sees only the first input, which is the
    # same in x and r, holds relevance and has no difference to pass it by:
    # it is lost, and the ledger says so.
    model = _hand_network([[[1.0, 0.5], [0.0, 1.0]], [[1.0], [2.0]]], [[0.1, 0.1], [0]])
    x, r = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]])
    for top in (ZPlus(), LRP0(bias=False)):
        explainer = RelevanceExplainer(
            FrozenEstimator(model), rules=[Rescale(), top], baseline=r
        )
        explanation = explainer.fit(r).explain(x)
        assert explanation.absorbed_dead[0, 0] > 0.5
        _assert_conserved(explanation)


@pytest.mark.parametrize("n_targets", [1, 3])
def test_memory_does_not_grow_with_the_reference_rows(n_targets):
    # More reference rows than the batch holds pairs: they go through a
    # group at a time, and each sample's mean is added up across groups.
    import tracemalloc

    model, X = make_network("multiclass", "relu", (64, 32), np.float64, 14)
    rng = np.random.RandomState(0)
    X_test = rng.normal(size=(50, X.shape[1]))
    target = "all" if n_targets == 3 else None
    peaks, results = {}, {}
    for k in (16, 256):
        background = rng.normal(size=(k, X.shape[1]))
        explainer = RelevanceExplainer(
            FrozenEstimator(model), rules="rescale", baseline=background, batch_size=64
        ).fit(X[:4])
        tracemalloc.start()
        explanation = explainer.explain(X_test, target=target)
        peaks[k] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[k] = explanation
        _assert_conserved(explanation)
    unit = 64 * 64 * 8  # batch_size x widest layer x itemsize
    assert peaks[256] < peaks[16] + 2 * unit
    # The groups add up to the plain engine's average over all the rows.
    plan = explainer._plan
    columns = np.searchsorted(plan.network.labels, results[256].targets)
    relevance = _lrp.explain(
        plan.network,
        [layer.bound for layer in plan.layers],
        X_test,
        columns,
        plan.reference_scores,
    )[0]
    np.testing.assert_allclose(results[256].relevance, relevance, atol=1e-10)


def test_multipliers_of_extreme_weights_stay_finite():
    # Multipliers grow as the weights above them: scaled down by a power of
    # two (exactly) where they could overflow, not where the weights above
    # are tiny and those below huge (they then stay ordinary numbers).
    x, r = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    for first, second, expected in [
        (1e200, 1e-200, [1.0, 2.0]),  # the gradient is ordinary
        (1e200, 1e100, [1e300, 2e300]),  # huge, but representable
    ]:
        model = _hand_network([[[first], [first]], [[second]]], [[0.0], [0.0]])
        explainer = RelevanceExplainer(FrozenEstimator(model), rules="rescale")
        explanation = explainer.set_params(baseline=r).fit(r).explain(x)
        np.testing.assert_allclose(explanation.relevance[0, 0], expected, rtol=1e-12)
        # At the reference itself the gradient (1e300) is not needed: 0.
        assert not explainer.transform(r).any()
