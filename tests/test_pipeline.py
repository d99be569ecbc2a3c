"""Pipelines: relevance on the user's columns, and scikit-learn integration."""

import pickle

import joblib
import numpy as np
import pytest
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectFromModel, SelectKBest, f_classif
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    SplineTransformer,
    StandardScaler,
    TargetEncoder,
)

from skl_lrp import RelevanceExplainer

pd = pytest.importorskip("pandas")


def _mlp(cls=MLPClassifier, **params):
    return cls(hidden_layer_sizes=(8, 6), max_iter=200, random_state=0, **params)


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    n = 120
    df = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "color": rng.choice(["red", "green", "blue"], n),
            "income": rng.lognormal(10, 1, n),
            "size": rng.choice(["S", "M", "L", "XL"], n),
            "noise": rng.normal(size=n),
        }
    )
    y = np.where((df["age"] > 40) ^ (df["color"] == "red"), "yes", "no")
    return df, y


def _column_transformer():
    return ColumnTransformer(
        [
            ("num", StandardScaler(), ["age", "income"]),
            ("cat", OneHotEncoder(), ["color"]),
            ("ord", OrdinalEncoder(), ["size"]),
            ("skip", "drop", ["noise"]),
        ],
        remainder="passthrough",
    )


@pytest.mark.parametrize(
    "params", [{"rules": "deep-taylor"}, {"random_state": 0}], ids=["dt", "auto"]
)
def test_scaler_pipeline_equals_the_bare_network_on_scaled_data(params):
    # Deep Taylor's root point, or the default's background rows (the same
    # rows drawn), come through the scaler as the network sees them.
    rng = np.random.RandomState(1)
    X = rng.normal(3, 2, size=(100, 4))
    y = X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=100)
    explainer = RelevanceExplainer(
        make_pipeline(StandardScaler(), _mlp(MLPRegressor)), **params
    )
    explainer.fit(X, y)
    pipeline = explainer.estimator_
    scaled = pipeline[0].transform(X)
    bare = RelevanceExplainer(FrozenEstimator(pipeline[-1]), **params).fit(scaled)
    if "rules" in params:
        np.testing.assert_allclose(explainer.low_, bare.low_)
    else:
        np.testing.assert_allclose(explainer.baseline_inputs_, bare.baseline_inputs_)
    np.testing.assert_allclose(
        explainer.transform(X), bare.transform(scaled), rtol=1e-12
    )


def test_column_transformer_sums_into_source_columns(table):
    df, y = table
    pipeline = Pipeline([("prep", _column_transformer()), ("mlp", _mlp())]).fit(df, y)
    frozen = FrozenEstimator(pipeline)
    explainer = RelevanceExplainer(frozen).fit(df)
    explanation = explainer.explain(df, target="all")
    assert list(explanation.feature_names) == list(df.columns)
    # The ledger identity survives the summation.
    np.testing.assert_allclose(
        explanation.relevance.sum(-1) + explanation.absorbed,
        explanation.scores,
        rtol=1e-10,
        atol=1e-12,
    )
    # The same sums by hand from relevance on the network's own columns.
    raw = RelevanceExplainer(frozen, aggregate=False).fit(df)
    names = raw.get_feature_names_out()
    np.testing.assert_array_equal(names, pipeline[:-1].get_feature_names_out())
    by_name = dict(
        zip(names, raw.explain(df, target="all").relevance.transpose(2, 0, 1))
    )
    colors = pipeline[0].named_transformers_["cat"].categories_[0]
    expected = {
        "age": by_name["num__age"],
        "income": by_name["num__income"],
        "color": sum(by_name[f"cat__color_{c}"] for c in colors),
        "size": by_name["ord__size"],
        "noise": np.zeros_like(by_name["num__age"]),
    }
    for k, column in enumerate(df.columns):
        np.testing.assert_allclose(explanation.relevance[..., k], expected[column])


def test_dropped_and_passthrough_columns(table):
    df, y = table
    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(drop="first"), ["color", "size"]),
            ("x", "drop", ["age"]),
        ],
        remainder="passthrough",
    )
    pipeline = make_pipeline(prep, StandardScaler(), _mlp()).fit(df, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(df)
    relevance = explainer.transform(df)
    np.testing.assert_array_equal(relevance[:, 0], 0.0)  # age was dropped
    assert np.all(np.any(relevance[:, [2, 4]] != 0, axis=0))  # passed through
    explanation = explainer.explain(df)
    np.testing.assert_allclose(
        relevance.sum(1) + explanation.absorbed[:, 0],
        explanation.scores[:, 0],
        rtol=1e-10,
    )


def test_untraceable_step_names_the_way_out():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(80, 5)), rng.randint(0, 2, 80)
    pipeline = make_pipeline(StandardScaler(), PCA(3), _mlp()).fit(X, y)
    with pytest.raises(
        ValueError, match=r"preprocessing > pca \(PCA\).*aggregate=False"
    ):
        RelevanceExplainer(FrozenEstimator(pipeline)).fit(X)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline), aggregate=False).fit(X)
    assert explainer.transform(X).shape == (80, 3)
    assert list(explainer.get_feature_names_out()) == ["pca0", "pca1", "pca2"]


def test_function_transformer_needs_one_to_one_names():
    rng = np.random.RandomState(0)
    X, y = np.abs(rng.normal(size=(60, 3))), rng.randint(0, 2, 60)
    plain = make_pipeline(FunctionTransformer(np.log1p), _mlp()).fit(X, y)
    with pytest.raises(ValueError, match="feature_names_out='one-to-one'"):
        RelevanceExplainer(FrozenEstimator(plain)).fit(X)
    named = make_pipeline(
        FunctionTransformer(np.log1p, feature_names_out="one-to-one"), _mlp()
    ).fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(named)).fit(X)
    bare = RelevanceExplainer(FrozenEstimator(named[-1])).fit(np.log1p(X))
    np.testing.assert_allclose(explainer.transform(X), bare.transform(np.log1p(X)))


@pytest.mark.parametrize(
    "step, widths",
    [
        (SimpleImputer(add_indicator=True), None),
        (
            make_pipeline(
                SimpleImputer(),
                KBinsDiscretizer(n_bins=3, quantile_method="averaged_inverted_cdf"),
            ),
            None,
        ),
        (make_pipeline(SimpleImputer(), SplineTransformer(n_knots=3)), None),
        (
            FeatureUnion(
                [("a", SimpleImputer()), ("b", SimpleImputer(strategy="median"))]
            ),
            None,
        ),
        (make_pipeline(SimpleImputer(), SelectKBest(f_classif, k=2)), None),
    ],
    ids=["imputer+indicator", "kbins", "splines", "union", "select"],
)
def test_traceable_steps_conserve_and_map_onto_sources(step, widths):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    X[rng.rand(100, 3) < 0.1] = np.nan
    y = (np.nan_to_num(X[:, 0]) > 0).astype(int)
    pipeline = make_pipeline(step, _mlp()).fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X)
    explanation = explainer.explain(X)
    assert explanation.relevance.shape == (100, 1, 3)
    np.testing.assert_allclose(
        explanation.relevance.sum(-1) + explanation.absorbed,
        explanation.scores,
        rtol=1e-10,
        atol=1e-12,
    )
    raw = RelevanceExplainer(FrozenEstimator(pipeline), aggregate=False).fit(X)
    np.testing.assert_allclose(
        raw.transform(X).sum(1), explainer.transform(X).sum(1), rtol=1e-12
    )


def test_target_encoder_multiclass_groups_its_columns():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {"city": rng.choice(list("abcdef"), 150), "x": rng.normal(size=150)}
    )
    y = rng.choice(["p", "q", "r"], 150)
    prep = ColumnTransformer(
        [("te", TargetEncoder(), ["city"])], remainder=MinMaxScaler()
    )
    pipeline = make_pipeline(prep, _mlp()).fit(df, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(df)
    raw = RelevanceExplainer(FrozenEstimator(pipeline), aggregate=False).fit(df)
    assert raw.transform(df).shape == (150, 4)  # three class columns + x
    np.testing.assert_allclose(
        explainer.transform(df)[:, 0], raw.transform(df)[:, :3].sum(1)
    )


def test_nan_after_preprocessing_is_a_clear_error():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(50, 2)), rng.randint(0, 2, 50)
    pipeline = make_pipeline(StandardScaler(), _mlp()).fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X)
    X[3, 1] = np.nan
    with pytest.raises(
        ValueError,
        match=r"X's row 3 has a missing or infinite value in column 1, and the "
        r"pipeline's preprocessing passes it on to the network; impute it",
    ):
        explainer.transform(X)
    # A DataFrame names the column; the batch does not hide the row.
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["age", "income"])
    pipeline = make_pipeline(StandardScaler(), _mlp()).fit(df.drop(index=3), y[1:])
    explainer = RelevanceExplainer(FrozenEstimator(pipeline), batch_size=2)
    explainer.fit(df.drop(index=3))
    with pytest.raises(ValueError, match=r"row 3 .* column 'income'"):
        explainer.transform(df)


def test_nan_made_by_the_preprocessing_names_its_output_column():
    rng = np.random.RandomState(0)
    X, y = rng.uniform(1, 2, size=(40, 2)), rng.randint(0, 2, 40)
    log = FunctionTransformer(np.log, feature_names_out="one-to-one")
    pipeline = make_pipeline(log, _mlp()).fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X)
    X[7, 0] = -1.0  # finite in X, NaN after the log
    with (
        pytest.raises(ValueError, match=r"turned X's row 7 into a NaN .* 'x0'"),
        np.errstate(invalid="ignore"),
    ):
        explainer.transform(X)


def test_explainer_as_the_last_step_of_a_pipeline():
    rng = np.random.RandomState(0)
    X = rng.normal(5, 3, size=(100, 3))
    y = (X[:, 0] > 5).astype(int)
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("lrp", RelevanceExplainer(_mlp()))]
    ).fit(X, y)
    relevance = pipeline.transform(X)
    assert relevance.shape == (100, 3)
    explainer = pipeline[-1]
    scaled = pipeline[0].transform(X)
    np.testing.assert_allclose(relevance, explainer.transform(scaled))
    assert list(pipeline.get_feature_names_out()) == ["x0", "x1", "x2"]


def test_sparse_pipeline_output_is_explained_batch_by_batch(table):
    df, y = table
    prep = ColumnTransformer(
        [("cat", OneHotEncoder(sparse_output=True), ["color", "size"])],
        sparse_threshold=1.0,
    )
    pipeline = make_pipeline(prep, _mlp()).fit(df, y)
    assert sparse.issparse(pipeline[0].transform(df))
    explainer = RelevanceExplainer(FrozenEstimator(pipeline), batch_size=16).fit(df)
    dense_prep = ColumnTransformer(
        [("cat", OneHotEncoder(sparse_output=False), ["color", "size"])]
    )
    dense = make_pipeline(dense_prep.fit(df), pipeline[-1])
    expected = RelevanceExplainer(FrozenEstimator(dense)).fit(df).transform(df)
    np.testing.assert_allclose(explainer.transform(df), expected, rtol=1e-12)


def test_float32_stays_float32_end_to_end():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    explainer = RelevanceExplainer(make_pipeline(StandardScaler(), _mlp())).fit(X, y)
    assert explainer.transform(X).dtype == np.float32
    csr = sparse.csr_matrix(X)
    explainer = RelevanceExplainer(_mlp()).fit(csr, y)
    assert explainer.transform(csr).dtype == np.float32


def test_select_from_model_keeps_the_informative_columns():
    X, y = make_classification(
        n_samples=400,
        n_features=12,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )
    mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=800, random_state=0)
    explainer = RelevanceExplainer(make_pipeline(StandardScaler(), mlp))
    selector = SelectFromModel(explainer, max_features=5, threshold=-np.inf).fit(X, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), np.arange(5))
    importances = selector.estimator_.feature_importances_
    assert importances.shape == (12,)
    assert importances[:5].min() > importances[5:].max()


@pytest.mark.parametrize("container", ["pandas", "polars"])
def test_set_output_gives_original_column_names(table, container):
    if container == "polars":
        pytest.importorskip("polars")
    df, y = table
    pipeline = Pipeline([("prep", _column_transformer()), ("mlp", _mlp())]).fit(df, y)
    explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(df)
    out = explainer.set_output(transform=container).transform(df)
    assert list(out.columns) == list(df.columns)
    np.testing.assert_allclose(
        np.asarray(out), explainer.set_output(transform="default").transform(df)
    )


def test_polars_input():
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    frame = pl.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    y = (frame["a"].to_numpy() > 0).astype(int)
    explainer = RelevanceExplainer(make_pipeline(StandardScaler(), _mlp())).fit(
        frame, y
    )
    assert list(explainer.get_feature_names_out()) == ["a", "b"]
    assert explainer.transform(frame).shape == (60, 2)


def test_persistence_round_trips(table, tmp_path):
    df, y = table
    pipeline = Pipeline([("prep", _column_transformer()), ("mlp", _mlp())])
    explainer = RelevanceExplainer(pipeline, rules="montavon-2019").fit(df, y)
    expected = explainer.explain(df, target="all")
    restored = [pickle.loads(pickle.dumps(explainer))]
    joblib.dump(explainer, tmp_path / "e.joblib")
    restored.append(joblib.load(tmp_path / "e.joblib"))
    for other in restored:
        again = other.explain(df, target="all")
        np.testing.assert_array_equal(again.relevance, expected.relevance)
        np.testing.assert_array_equal(again.absorbed, expected.absorbed)


def test_skops_round_trip(table, tmp_path):
    sio = pytest.importorskip("skops.io")
    df, y = table
    pipeline = Pipeline([("prep", _column_transformer()), ("mlp", _mlp())])
    explainer = RelevanceExplainer(pipeline).fit(df, y)
    path = tmp_path / "e.skops"
    sio.dump(explainer, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert all(
        name.startswith(("skl_lrp.", "numpy.", "sklearn.", "builtins."))
        for name in untrusted
    ), untrusted
    restored = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(restored.transform(df), explainer.transform(df))
