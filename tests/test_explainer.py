"""RelevanceExplainer's behaviour as a scikit-learn estimator."""

import pickle
import tracemalloc

import joblib
import numpy as np
import pytest
from conftest import make_network
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skl_lrp import RelevanceExplainer, explain
from skl_lrp.metrics import feature_flipping_curve
from skl_lrp.rules import LRP0, ZBeta, ZPlus


@pytest.fixture
def frozen():
    model, X = make_network("multiclass", "relu", (7, 5), seed=11)
    return FrozenEstimator(model), X


def _mlp(**params):
    return MLPClassifier(
        hidden_layer_sizes=(6,), max_iter=100, random_state=0, **params
    )


@pytest.mark.parametrize("batch_size", [1, 7, 64, 10_000])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batch_size_and_n_jobs_do_not_change_the_result(frozen, batch_size, n_jobs):
    estimator, X = frozen
    X_test = np.random.RandomState(0).normal(size=(150, X.shape[1]))
    expected = RelevanceExplainer(estimator).fit(X).transform(X_test)
    explainer = RelevanceExplainer(estimator, batch_size=batch_size, n_jobs=n_jobs)
    relevance = explainer.fit(X).transform(X_test)
    np.testing.assert_allclose(relevance, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_batches_in_other_processes_give_the_same_results(backend):
    # Threads write their rows into the outputs in place; processes send
    # theirs back. Both with all targets, hidden layers, the ledger, and a
    # pipeline whose one-hot columns are summed into the column they encode.
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(3, size=120), rng.normal(size=(120, 3))])
    y = (X[:, 0] + X[:, 1] > 1).astype(int) + (X[:, 2] > 0)
    preprocessing = make_column_transformer(
        (OneHotEncoder(), [0]), remainder=StandardScaler()
    )
    model = make_pipeline(preprocessing, _mlp()).fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=16).fit(X)
    expected = explainer.explain(X, target="all", return_layers=True)
    with joblib.parallel_config(backend=backend):
        explainer.set_params(n_jobs=2)
        relevance = explainer.transform(X)
        explanation = explainer.explain(X, target="all", return_layers=True)
    assert explanation.relevance.shape == (120, 3, 4)
    np.testing.assert_allclose(relevance, explainer.set_params(n_jobs=1).transform(X))
    for key in ("relevance", "scores", "absorbed", "targets"):
        np.testing.assert_allclose(explanation[key], expected[key], rtol=1e-12)
    for layer, layer_expected in zip(explanation.layers, expected.layers, strict=True):
        np.testing.assert_allclose(layer, layer_expected, rtol=1e-12, atol=1e-15)


def test_memory_beyond_the_output_does_not_grow_with_the_rows():
    # Traced allocations, not time: the batches reuse their work arrays, and
    # nothing is kept per batch, so ten times the rows cost no more memory.
    model, X = make_network("multiclass", "relu", (64, 32), seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=128).fit(X)
    rng = np.random.RandomState(0)
    beyond = []
    for n in (2_000, 20_000):
        X_test = rng.normal(size=(n, X.shape[1]))
        tracemalloc.start()
        relevance = explainer.transform(X_test)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        beyond.append(peak - relevance.nbytes)
    unit = 128 * 64 * 8  # batch_size x widest layer x itemsize
    # (traced peaks vary by ~30 kB from call to call, so the slack is one
    # unit: anything kept per row of 4 bytes or more would exceed it)
    assert beyond[1] < beyond[0] + unit
    assert beyond[1] < 12 * unit


def test_memory_with_every_target_is_that_of_one_target():
    # The same with all four classes, the ledger and the hidden layers: the
    # targets share a batch's forward pass, run backward a chunk of rows at a
    # time, and the batch writes its results straight into the outputs, so
    # beyond them it holds no more than with one target.
    model, X = make_network("multiclass", "relu", (64, 32), seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=128).fit(X)
    rng = np.random.RandomState(0)
    unit = 128 * 64 * 8  # batch_size x widest layer x itemsize
    for n in (2_000, 20_000):
        X_test = rng.normal(size=(n, X.shape[1]))
        beyond = {}
        for columns in (None, np.arange(4)):
            tracemalloc.start()
            out = explainer._propagate(X_test, columns, ledger=True, return_layers=True)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            outputs = [*out.pop("layers"), *out.values()]
            beyond[columns is None] = peak - sum(array.nbytes for array in outputs)
        assert out["relevance"].shape == (n, 4, X.shape[1])
        # (the results of a batch alone, 4 targets x (64 + 32 + 5) widths,
        # would be 6.5 units)
        assert beyond[False] < beyond[True] + unit
        assert beyond[False] < 8 * unit


def test_memory_with_every_target_of_a_pipeline_is_that_of_one_target():
    # With a Pipeline, the relevance of the one-hot columns is summed into
    # their source column a chunk of rows at a time, straight into the
    # outputs: no batch holds it on the network's 100+ columns for all
    # targets.
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(100, size=2_000), rng.normal(size=(2_000, 3))])
    y = rng.randint(4, size=2_000)
    preprocessing = make_column_transformer(
        (OneHotEncoder(), [0]), remainder=StandardScaler()
    )
    model = make_pipeline(preprocessing, _mlp()).fit(X, y)
    # (batches of 512 rows: a unit, below, of 422 kB stands well above the
    # tens of kB by which the peaks of both calls vary with what ran before)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=512).fit(X)
    beyond = {}
    for columns in (None, np.arange(4)):
        tracemalloc.start()
        out = explainer._propagate(X, columns, ledger=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        beyond[columns is None] = peak - sum(array.nbytes for array in out.values())
    assert out["relevance"].shape == (2_000, 4, 4)
    unit = 512 * 103 * 8  # batch_size x widest layer (the one-hot input) x itemsize
    # (a batch's network-width relevance for the 4 targets would be 4 units)
    assert beyond[False] < beyond[True] + unit


def test_frozen_estimator_is_used_as_it_is(frozen):
    estimator, X = frozen
    before = [w.copy() for w in estimator.estimator.coefs_]
    explainer = RelevanceExplainer(estimator).fit(X[:10], np.zeros(10))
    assert explainer.estimator_ is estimator
    for w, w_before in zip(estimator.estimator.coefs_, before):
        np.testing.assert_array_equal(w, w_before)
    # The default reference point is the mean of the data given to fit;
    # bounds="data" takes its range.
    np.testing.assert_allclose(explainer.low_, X[:10].mean(0), rtol=1e-15)
    np.testing.assert_array_equal(explainer.high_, explainer.low_)
    explainer.set_params(bounds="data").fit(X[:10])
    np.testing.assert_array_equal(explainer.low_, X[:10].min(0))
    np.testing.assert_array_equal(explainer.high_, X[:10].max(0))


def test_fit_trains_a_clone(classifier_data):
    X, y = classifier_data
    mlp = _mlp()
    explainer = RelevanceExplainer(mlp).fit(X, y)
    assert not hasattr(mlp, "coefs_")
    assert explainer.estimator_ is not mlp
    np.testing.assert_array_equal(
        explainer.estimator_.predict(X), clone(mlp).fit(X, y).predict(X)
    )


def test_clone_and_pickle(classifier_data):
    X, y = classifier_data
    explainer = RelevanceExplainer(_mlp(), bounds=(-3, 3), batch_size=5).fit(X, y)
    cloned = clone(explainer)
    assert cloned.get_params()["bounds"] == (-3, 3)
    assert not hasattr(cloned, "estimator_")
    restored = pickle.loads(pickle.dumps(explainer))
    np.testing.assert_array_equal(restored.transform(X), explainer.transform(X))


def test_explain_all_targets_matches_single_targets(frozen):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator).fit(X)
    explanation = explainer.explain(X, target="all")
    assert explanation.relevance.shape == (len(X), 4, X.shape[1])
    for k, label in enumerate(estimator.classes_):
        single = explainer.set_params(target=label).transform(X)
        np.testing.assert_allclose(explanation.relevance[:, k], single, rtol=1e-12)
    predicted = explainer.explain(X, target="predicted")
    np.testing.assert_array_equal(predicted.targets[:, 0], estimator.predict(X))
    np.testing.assert_array_equal(predicted.feature_names, [f"x{i}" for i in range(5)])


def test_sparse_input_matches_dense(frozen):
    estimator, X = frozen
    X = np.where(np.abs(X) < 0.7, 0.0, X)
    for bounds, low in (("column-mean", X.mean(0)), ("data", X.min(0))):
        explainer = RelevanceExplainer(estimator, bounds=bounds)
        explainer.fit(sparse.csr_matrix(X))
        np.testing.assert_allclose(explainer.low_, low, rtol=1e-15)
        for container in (sparse.csr_matrix, sparse.csc_matrix):
            np.testing.assert_allclose(
                explainer.transform(container(X)),
                clone(explainer).fit(X).transform(X),
                rtol=1e-12,
            )


def test_read_only_input_is_not_written(frozen, tmp_path):
    estimator, X = frozen
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_mmap = np.load(path, mmap_mode="r")
    relevance = (
        RelevanceExplainer(estimator, batch_size=8).fit(X_mmap).transform(X_mmap)
    )
    np.testing.assert_array_equal(np.load(path), X)
    assert relevance.shape == X.shape


def test_dtype_follows_the_network(classifier_data):
    X, y = classifier_data
    explainer = RelevanceExplainer(_mlp()).fit(X.astype(np.float32), y)
    assert explainer.estimator_.coefs_[0].dtype == np.float32
    assert explainer.transform(X).dtype == np.float32
    frozen64 = FrozenEstimator(_mlp().fit(X, y))
    explainer = RelevanceExplainer(frozen64).fit(X)
    assert explainer.transform(X.astype(np.float32)).dtype == np.float64


def test_bounds_scalars_and_arrays(classifier_data):
    X, y = classifier_data
    frozen = FrozenEstimator(_mlp().fit(X, y))
    explainer = RelevanceExplainer(frozen, bounds=(-1, 2)).fit(X)
    np.testing.assert_array_equal(explainer.low_, [-1.0] * 4)
    np.testing.assert_array_equal(explainer.high_, [2.0] * 4)
    low, high = [-1, -2, -3, -4], [1, 2, 3, 4]
    explainer = RelevanceExplainer(frozen, bounds=(low, high)).fit(X)
    np.testing.assert_array_equal(explainer.low_, low)
    np.testing.assert_array_equal(explainer.high_, high)


def test_the_box_reported_is_the_one_the_first_layer_uses(classifier_data):
    # low_ and high_ are read off the first bound layer: a rule's own box
    # wins over `bounds`, and a rule without a box reports none.
    X, y = classifier_data
    frozen = FrozenEstimator(_mlp().fit(X, y))
    own = RelevanceExplainer(frozen, rules=[ZBeta(low=-1, high=1), ZPlus()]).fit(X)
    np.testing.assert_array_equal(own.low_, [-1.0] * 4)
    np.testing.assert_array_equal(own.high_, [1.0] * 4)
    named = RelevanceExplainer(frozen, rules=[ZBeta(), ZPlus()], bounds=(-1, 1))
    np.testing.assert_array_equal(own.transform(X), named.fit(X).transform(X))
    half = RelevanceExplainer(frozen, rules=[ZBeta(low=-1), ZPlus()]).fit(X)
    np.testing.assert_array_equal(half.low_, [-1.0] * 4)
    np.testing.assert_allclose(half.high_, X.mean(0), rtol=1e-15)
    # (a box, not the root point: its inputs are not taken unit by unit)
    box = RelevanceExplainer(frozen, rules=[ZBeta(), ZPlus()], bounds=(-1, half.high_))
    np.testing.assert_allclose(half.transform(X), box.fit(X).transform(X), rtol=1e-12)
    for rules in ("epsilon", [LRP0(), ZPlus()]):
        explainer = RelevanceExplainer(frozen, rules=rules).fit(X)
        assert explainer.low_ is None and explainer.high_ is None


def test_pandas_feature_names(classifier_data):
    pd = pytest.importorskip("pandas")
    X, y = classifier_data
    df = pd.DataFrame(X, columns=["age", "bmi", "bp", "s1"])
    explainer = RelevanceExplainer(_mlp()).fit(df, y).set_output(transform="pandas")
    relevance = explainer.transform(df)
    assert list(relevance.columns) == ["age", "bmi", "bp", "s1"]
    assert list(explainer.explain(df).feature_names) == ["age", "bmi", "bp", "s1"]


@pytest.mark.parametrize(
    "bounds, message",
    [
        ((1, 0), r"low <= high; violated for inputs \[0, 1, 2, 3\]"),
        (([0, 0], [1, 1]), r"bounds low must be a scalar or have shape \(4,\)"),
        ((0, np.inf), "bounds high must be finite"),
        ((0, 1, 2), "tuple of length 3"),
    ],
)
def test_bad_bounds(classifier_data, bounds, message):
    X, y = classifier_data
    with pytest.raises(ValueError, match=message):
        RelevanceExplainer(_mlp(), bounds=bounds).fit(X, y)


def test_unsupported_estimator(classifier_data):
    X, y = classifier_data
    with pytest.raises(
        TypeError, match="MLPClassifier and MLPRegressor.*got DecisionTreeClassifier"
    ):
        RelevanceExplainer(DecisionTreeClassifier()).fit(X, y)


def test_missing_estimator(classifier_data):
    X, y = classifier_data
    with pytest.raises(ValueError, match="needs an estimator"):
        RelevanceExplainer().fit(X, y)


def test_trained_model_without_y_points_to_frozen_estimator(classifier_data):
    X, y = classifier_data
    with pytest.raises(
        ValueError, match=r"RelevanceExplainer\(FrozenEstimator\(model\)\)"
    ):
        RelevanceExplainer(_mlp().fit(X, y)).fit(X)
    with pytest.raises(ValueError, match="fit needs y to train the MLPClassifier"):
        RelevanceExplainer(_mlp()).fit(X)


def test_unfitted_models(classifier_data):
    X, _ = classifier_data
    with pytest.raises(NotFittedError, match="inside FrozenEstimator is not fitted"):
        RelevanceExplainer(FrozenEstimator(_mlp())).fit(X)
    with pytest.raises(NotFittedError):
        RelevanceExplainer(_mlp()).transform(X)


def test_wrong_number_of_features(frozen):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator).fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but RelevanceExplainer"):
        explainer.transform(X[:, :4])
    with pytest.raises(ValueError, match="estimator was fitted with 5 features"):
        RelevanceExplainer(estimator).fit(np.c_[X, X])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input(frozen, bad):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator).fit(X)
    X_bad = X.copy()
    X_bad[3, 1] = bad
    message = r"X's row 3 has (a missing \(NaN\)|an infinite) value in column 1"
    with pytest.raises(ValueError, match=message):
        explainer.transform(X_bad)
    with pytest.raises(ValueError, match=message):
        RelevanceExplainer(estimator).fit(X_bad)


def test_unknown_target(frozen):
    estimator, X = frozen
    with pytest.raises(
        ValueError, match=r"target=5 is not a class label.*\[3, 7, 11, 20\]"
    ):
        RelevanceExplainer(estimator, target=5).fit(X)
    explainer = RelevanceExplainer(estimator).fit(X)
    with pytest.raises(ValueError, match="target=5 is not a class label"):
        explainer.set_params(target=5).transform(X)
    with pytest.raises(ValueError, match="target='7' is not a class label"):
        explainer.explain(X, target=["7"])
    with pytest.raises(ValueError, match="transform explains one score per sample"):
        explainer.set_params(target=[3, 7]).transform(X)


@pytest.mark.parametrize("kind", ["multilabel", "multi-regressor"])
def test_predicted_target_needs_a_single_output(kind):
    model, X = make_network(kind, seed=0)
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    with pytest.raises(
        ValueError, match=r'target="predicted" is undefined.*\[0, 1, 2\]'
    ):
        explainer.transform(X)
    assert explainer.set_params(target=2).transform(X).shape == X.shape


def test_regressor_target_is_an_output_index():
    model, X = make_network("multi-regressor", seed=1)
    explainer = RelevanceExplainer(FrozenEstimator(model), target=1).fit(X)
    explanation = explainer.explain(X)
    # Identity output: the explained score is the prediction itself.
    np.testing.assert_allclose(explanation.scores[:, 0], model.predict(X)[:, 1])
    with pytest.raises(ValueError, match="not an output index"):
        explainer.explain(X, target=3)


def test_poisson_regressor_is_explained_in_log_space():
    model, X = make_network("poisson", seed=2)
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X)
    np.testing.assert_allclose(explanation.scores[:, 0], np.log(model.predict(X)))


@pytest.mark.parametrize("rules", ["auto", "deep-taylor"])
def test_overflow_raises_a_clear_error(rules):
    model, X = make_network("regressor", "relu", (4,), seed=0)
    model.coefs_[0] = model.coefs_[0] * 1e200
    model.coefs_[1] = np.abs(model.coefs_[1]) * 1e200
    explainer = RelevanceExplainer(FrozenEstimator(model), rules=rules)
    with pytest.raises(FloatingPointError, match="too large for float64"):
        # fit forwards the baseline; feature_importances_ explains X
        _ = explainer.fit(X).feature_importances_
    explainer.fit(np.zeros_like(X))
    with pytest.raises(FloatingPointError, match=r"rows 0-39: .*too large"):
        explainer.transform(X)


@pytest.mark.parametrize("rules", ["auto", "deep-taylor"])
def test_huge_but_representable_weights_give_finite_conserving_relevance(rules):
    model, X = make_network("regressor", "relu", (6,), seed=0)
    model.coefs_[0] = model.coefs_[0] * 1e100
    explainer = RelevanceExplainer(FrozenEstimator(model), rules=rules).fit(X)
    explanation = explainer.explain(X)
    assert np.all(np.isfinite(explanation.relevance))
    kept = np.abs(explanation.relevance).sum(-1)[:, 0] > 0
    change = explanation.scores - explanation.baseline
    np.testing.assert_allclose(
        explanation.relevance[kept, 0].sum(-1), change[kept, 0], rtol=1e-12
    )


def test_regressor_fit_with_y():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(80, 3))
    y = 2 * X[:, 0] - X[:, 2]
    mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    explainer = RelevanceExplainer(mlp).fit(X, y)
    explanation = explainer.explain(X)
    np.testing.assert_allclose(
        explanation.scores[:, 0], explainer.estimator_.predict(X)
    )


def test_transform_needs_a_single_target(frozen):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator, target="all").fit(X)
    with pytest.raises(ValueError, match="transform explains one score per sample"):
        explainer.transform(X)
    with pytest.raises(
        ValueError,
        match=r"target='predicted' is not a class label.*"
        r"expected one of \[3,",
    ):
        explainer.explain(X, target=["predicted"])


def test_later_updates_of_the_model_do_not_leak_into_a_fitted_explainer(
    classifier_data,
):
    X, y = classifier_data
    model = _mlp().fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    before = explainer.explain(X)
    model.partial_fit(X, y)  # updates coefs_ in place
    after = explainer.explain(X)
    np.testing.assert_array_equal(after.relevance, before.relevance)
    np.testing.assert_array_equal(after.scores, before.scores)


def test_columns_must_match_the_frozen_model(classifier_data):
    pd = pytest.importorskip("pandas")
    X, y = classifier_data
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = _mlp().fit(df, y)
    with pytest.raises(ValueError, match=r"expected \['a', 'b', 'c', 'd'\]"):
        RelevanceExplainer(FrozenEstimator(model)).fit(df[["d", "c", "b", "a"]])


def test_predicted_class_follows_predict_at_a_vanishing_logit():
    model, X = make_network("binary", seed=0)
    model.coefs_[-1][:] = 0.0
    model.intercepts_[-1][:] = 1e-17  # predict_proba is exactly 0.5
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X)
    np.testing.assert_array_equal(explanation.targets[:, 0], model.predict(X))
    assert set(model.predict(X)) == {"no"}


@pytest.mark.parametrize("scale", [1.0, 1e-12])
@pytest.mark.parametrize("ulps", [0, 1, 2, 3, 1000])
def test_predicted_class_follows_predict_at_near_tied_logits(ulps, scale):
    # Logits a few ulps apart can get equal softmax probabilities (after
    # rounding); predict then takes the first class, and so must "predicted".
    # The model passes its first four inputs through unchanged (identity
    # activations, unit weights, zero biases), so predict sees these logits.
    model, X = make_network("multiclass", "identity", (4,), seed=0)
    model.coefs_ = [np.eye(5, 4), np.eye(4)]
    model.intercepts_ = [np.zeros(4), np.zeros(4)]
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    # (tiny logits: their probabilities tie although the logits differ)
    base = scale * np.random.RandomState(0).uniform(-3, 3, size=300)
    if scale != 1.0:
        ulps *= 10_000
    above = base + ulps * np.abs(np.spacing(base))  # (about `ulps` ulps above)
    logits = np.column_stack([base, above, base - 1, base - 2])
    rows = np.column_stack([logits, np.zeros(len(logits))])
    predicted = model.predict(rows)
    np.testing.assert_array_equal(explainer.explain(rows).targets[:, 0], predicted)
    if ulps in (1, 10_000):  # some rows do tie: predict's decision exercised
        assert np.any(predicted != model.classes_[np.argmax(logits, axis=1)])
    # The metrics track the same class.
    curve = feature_flipping_curve(
        model, rows, np.ones_like(rows), baseline="zero", steps=1
    )
    columns = np.searchsorted(model.classes_, predicted)
    np.testing.assert_array_equal(curve.curves[:, 0], logits[np.arange(300), columns])


def test_one_call_explain_matches_the_explainer(frozen):
    estimator, X = frozen
    one_call = explain(estimator.estimator, X, target="all", rules="epsilon")
    explainer = RelevanceExplainer(estimator, rules="epsilon").fit(X)
    np.testing.assert_array_equal(
        one_call.relevance, explainer.explain(X, target="all").relevance
    )
    np.testing.assert_array_equal(
        explain(estimator, X, bounds=(-5, 5)).relevance,
        RelevanceExplainer(estimator, bounds=(-5, 5)).fit(X).explain(X).relevance,
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"batch_size": 0}, "'batch_size' parameter .* range \\[1, inf\\)"),
        ({"batch_size": -1}, "'batch_size' parameter"),
        ({"n_jobs": 0}, "'n_jobs' parameter"),
        ({"batch_size": 2.5}, "'batch_size' parameter"),
    ],
)
def test_parameters_are_validated_at_fit_and_after_set_params(frozen, params, message):
    estimator, X = frozen
    with pytest.raises(ValueError, match=message):
        RelevanceExplainer(estimator, **params).fit(X)
    explainer = RelevanceExplainer(estimator).fit(X).set_params(**params)
    for method in (explainer.transform, explainer.explain):
        with pytest.raises(ValueError, match=message):
            method(X)


def test_float32_network_on_data_beyond_float32_is_a_clear_error(classifier_data):
    X, y = classifier_data
    frozen = FrozenEstimator(_mlp().fit(X.astype(np.float32), y))
    X_huge = X.copy()
    X_huge[5, 2] = 1e40
    with pytest.raises(ValueError, match=r"row 5 has a value too large .*float32"):
        RelevanceExplainer(frozen).fit(X_huge)
    explainer = RelevanceExplainer(frozen).fit(X)
    with pytest.raises(ValueError, match=r"row 5 .* column 2\); rescale X"):
        explainer.transform(X_huge)


def test_explain_each_explains_every_sample_for_its_own_label(frozen):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator).fit(X)
    labels = np.resize(estimator.classes_, len(X))
    each = explainer.explain_each(X, labels)
    everything = explainer.explain(X, target="all")
    columns = np.searchsorted(estimator.classes_, labels)
    rows = np.arange(len(X))
    np.testing.assert_array_equal(each.targets[:, 0], labels)
    np.testing.assert_allclose(
        each.relevance[:, 0], everything.relevance[rows, columns], rtol=1e-12
    )
    with pytest.raises(ValueError, match="one label per sample"):
        explainer.explain_each(X, labels[:-1])


def test_non_finite_weights_are_a_clear_error(frozen):
    estimator, X = frozen
    model = clone(estimator.estimator).fit(X, estimator.predict(X))
    model.coefs_[1] = model.coefs_[1].copy()
    model.coefs_[1][0, 0] = np.inf
    with pytest.raises(ValueError, match="layer 1 has non-finite weights"):
        RelevanceExplainer(FrozenEstimator(model)).fit(X)


def test_one_explainer_from_eight_threads_gives_the_sequential_results():
    # Work arrays are per thread and the fitted plan is read only: calls
    # that overlap in time do not see each other's batches.
    from concurrent.futures import ThreadPoolExecutor

    model, X = make_network("multiclass", "relu", (32, 16), seed=1)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=16).fit(X)
    rng = np.random.RandomState(0)
    inputs = [rng.normal(size=(200, X.shape[1])) * (k + 1) for k in range(8)]
    expected = [explainer.explain(x, target="all").relevance for x in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            got = list(
                pool.map(lambda x: explainer.explain(x, target="all").relevance, inputs)
            )
            for g, e in zip(got, expected):
                np.testing.assert_array_equal(g, e)


def test_a_million_rows_from_a_read_only_memmap_in_bounded_memory(tmp_path):
    model, X = make_network("binary", "relu", (8, 4), seed=2)
    explainer = RelevanceExplainer(FrozenEstimator(model), batch_size=4096).fit(X)
    path = tmp_path / "big.npy"
    big = np.lib.format.open_memmap(path, mode="w+", shape=(10**6, X.shape[1]))
    big[:] = np.random.RandomState(0).normal(size=(10**6, X.shape[1]))
    big.flush()
    del big
    X_big = np.load(path, mmap_mode="r")
    tracemalloc.start()
    relevance = explainer.transform(X_big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert relevance.shape == X_big.shape and np.all(np.isfinite(relevance))
    # Beyond the output: a few batches' work, not the rows (1e6 x 5 x 8 B
    # = 40 MB each for the input and the output).
    assert peak - relevance.nbytes < 4096 * 64 * 8 * 6
    np.testing.assert_array_equal(relevance[-5:], explainer.transform(X_big[-5:]))


@pytest.mark.parametrize("bounds", ["column-mean", "data"])
def test_predicted_class_follows_predict_on_the_decision_boundary(bounds):
    # Rows put on a logistic regression's decision boundary: their decision
    # value is a rounding error whose sign the explainer's own forward pass
    # (another summation order) gets wrong for about a third of them; the
    # model's predict decides those rows (before: 800 of 2,000 differed).
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    X = 3 * rng.normal(size=(200, 6))
    model = LogisticRegression().fit(X, X[:, 0] + X[:, 1] > 0)
    X_edge = 3 * rng.normal(size=(500, 6))
    w, b = model.coef_[0], model.intercept_[0]
    X_edge[:, -1] = -(b + X_edge[:, :-1] @ w[:-1]) / w[-1]
    explainer = RelevanceExplainer(FrozenEstimator(model), bounds=bounds).fit(X)
    predicted = model.predict(X_edge)
    assert 0 < predicted.sum() < len(predicted)  # both sides: a real test
    explanation = explainer.explain(X_edge)
    np.testing.assert_array_equal(explanation.targets[:, 0], predicted)
    np.testing.assert_array_equal(
        explainer.set_params(batch_size=7).explain(X_edge).targets[:, 0], predicted
    )
    # transform explains the same classes (in the same single settling call).
    # Not compared with explain_each(X_edge, predicted): a row that predict
    # settles is explained again in a batch of its own, and these rows'
    # scores are rounding errors (~1e-16) whose value, even sign, depends on
    # the batch a BLAS sums them in (it did with numpy 1.25's OpenBLAS).
    np.testing.assert_array_equal(
        explainer.transform(X_edge), explainer.explain(X_edge).relevance[:, 0]
    )


def test_fit_explains_nothing_and_feature_importances_explains_once(
    frozen, monkeypatch
):
    import skl_lrp._explainer as module

    estimator, X = frozen
    runs = []

    def counting(*args, **kwargs):
        runs.append(len(args[1]))
        return propagate(*args, **kwargs)

    propagate = module.propagate
    monkeypatch.setattr(module, "propagate", counting)
    explainer = RelevanceExplainer(estimator)
    assert not hasattr(explainer, "feature_importances_")  # (before fit)
    explainer.fit(X)
    assert runs == []
    first = explainer.feature_importances_
    assert runs == [len(X)]  # the fit rows, explained once
    assert explainer.feature_importances_ is first  # (then kept)
    assert runs == [len(X)]
    # The mean absolute relevance of the fit rows, as transform gives it.
    expected = np.abs(explainer.transform(X)).mean(axis=0)
    np.testing.assert_allclose(first, expected, rtol=1e-12)


def test_feature_importances_survive_pickling_and_drop_their_rows(frozen):
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator).fit(X)
    expected = clone(explainer).fit(X).feature_importances_
    # Saved before feature_importances_ was read: computed first, so that
    # the file carries no rows of X.
    saved = pickle.dumps(explainer)
    assert np.ascontiguousarray(X[:3]).tobytes() not in saved
    copy = pickle.loads(saved)
    np.testing.assert_array_equal(copy.feature_importances_, expected)
    np.testing.assert_array_equal(explainer.feature_importances_, expected)
    # (nothing left to drop: the rows would add X.nbytes)
    assert abs(len(pickle.dumps(copy)) - len(saved)) < X.nbytes // 2


def test_feature_importances_of_many_rows_come_from_a_drawn_sample(frozen, monkeypatch):
    import skl_lrp._explainer as module
    from skl_lrp._baseline import draw_rows

    monkeypatch.setattr(module, "IMPORTANCE_ROWS", 25)
    estimator, X = frozen
    explainer = RelevanceExplainer(estimator, random_state=3).fit(X)
    rows = draw_rows(25, len(X), random_state=3)
    assert len(rows) == 25 < len(X)
    expected = np.abs(explainer.transform(X[rows])).mean(axis=0)
    np.testing.assert_allclose(explainer.feature_importances_, expected, rtol=1e-12)
    # The same rows at every fit with the same random_state.
    again = clone(explainer).fit(X).feature_importances_
    np.testing.assert_array_equal(again, explainer.feature_importances_)
