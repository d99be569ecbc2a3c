"""TransformedTargetRegressor: explained in the target's units when its
inverse transform is affine, in the transformed target's space otherwise."""

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, StandardScaler

from skl_lrp import RelevanceExplainer


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = 1000 + 300 * X[:, 0] - 200 * X[:, 1] ** 2 + rng.normal(size=200)
    return X, y


def _mlp():
    return MLPRegressor(hidden_layer_sizes=(12,), max_iter=400, random_state=0)


WRAPPED = {
    "scaler": lambda: TransformedTargetRegressor(_mlp(), transformer=StandardScaler()),
    "min-max": lambda: TransformedTargetRegressor(_mlp(), transformer=MinMaxScaler()),
    "in a pipeline": lambda: make_pipeline(
        StandardScaler(),
        TransformedTargetRegressor(_mlp(), transformer=StandardScaler()),
    ),
    "around a pipeline": lambda: TransformedTargetRegressor(
        make_pipeline(StandardScaler(), _mlp()), transformer=StandardScaler()
    ),
    "nested": lambda: TransformedTargetRegressor(
        TransformedTargetRegressor(_mlp(), transformer=StandardScaler()),
        transformer=MinMaxScaler(),
    ),
}


@pytest.mark.parametrize("rules", ["auto", "deep-taylor", "epsilon"])
@pytest.mark.parametrize("wrapped", WRAPPED)
def test_an_affine_target_transform_is_explained_in_the_targets_units(wrapped, rules):
    X, y = _data()
    explainer = RelevanceExplainer(WRAPPED[wrapped](), rules=rules, random_state=0)
    explanation = explainer.fit(X, y).explain(X[:20])
    assert not explainer._plan.network.transformed_target
    np.testing.assert_allclose(
        explanation.scores[:, 0], explainer.estimator_.predict(X[:20]), rtol=1e-12
    )
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(
        total, explanation.scores - explanation.baseline, rtol=1e-9, atol=1e-9
    )


def test_the_baseline_is_the_average_prediction_in_the_targets_units():
    X, y = _data()
    model = WRAPPED["scaler"]().fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(model), baseline=X[:50]).fit(X)
    np.testing.assert_allclose(
        explainer.baseline_scores_, model.predict(X[:50]).mean(), rtol=1e-12
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: TransformedTargetRegressor(_mlp(), func=np.log, inverse_func=np.exp),
        lambda: TransformedTargetRegressor(
            _mlp(), transformer=QuantileTransformer(n_quantiles=50)
        ),
    ],
    ids=["log", "quantile"],
)
def test_a_nonlinear_transform_is_explained_in_the_transformed_space(make):
    X, y = _data()
    model = make().fit(X, np.abs(y) + 1)  # (a log needs y > 0)
    explainer = RelevanceExplainer(FrozenEstimator(model), random_state=0).fit(X)
    explanation = explainer.explain(X[:10])
    assert explainer._plan.network.transformed_target
    np.testing.assert_allclose(
        explanation.scores[:, 0], model.regressor_.predict(X[:10]), rtol=1e-12
    )


def test_several_targets_through_a_pipeline_are_each_in_their_units():
    X, y = _data()
    Y = np.column_stack([y, -3 * y + 50])
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), _mlp()), transformer=StandardScaler()
    ).fit(X, Y)
    explainer = RelevanceExplainer(FrozenEstimator(model), random_state=0).fit(X)
    explanation = explainer.explain(X[:7], target="all")
    np.testing.assert_allclose(explanation.scores, model.predict(X[:7]), rtol=1e-12)
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(
        total, explanation.scores - explanation.baseline, rtol=1e-9, atol=1e-9
    )
