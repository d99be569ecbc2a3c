"""Linear models are explained as one-layer networks."""

import numpy as np
import pytest
from _reference import reference_rules
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from skl_lrp import RelevanceExplainer
from skl_lrp.rules import LRP0, AlphaBeta, Epsilon, Flat, Gamma, WSquare, ZBeta, ZPlus

RULES = {
    "lrp0": LRP0(),
    "epsilon": Epsilon(epsilon=0.1),
    "zplus": ZPlus(bias=True),
    "alphabeta": AlphaBeta(),
    "gamma": Gamma(),
    "zbeta": ZBeta(),
    "wsquare": WSquare(bias=True),
    "flat": Flat(),
}


def _data(kind, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(60, 4))
    if kind == "binary":
        y = np.where(X[:, 0] - X[:, 1] > 0, "pos", "neg")
    elif kind == "multiclass":
        y = np.digitize(X[:, 0] + X[:, 2], [-0.5, 0.5])
    elif kind == "regressor":
        y = X @ [1.0, -2.0, 0.0, 0.5] + 0.3
    else:
        y = np.c_[X @ [1.0, -2.0, 0.0, 0.5], X[:, 3]]
    return X, y


MODELS = [
    (LogisticRegression(), "binary"),
    (LogisticRegression(), "multiclass"),
    (SGDClassifier(random_state=0), "multiclass"),
    (LinearSVC(), "binary"),
    (LinearSVC(), "multiclass"),
    (LinearRegression(), "regressor"),
    (LinearRegression(), "multi-regressor"),
    (Ridge(), "multi-regressor"),
    (SGDRegressor(random_state=0), "regressor"),
    (LinearSVR(random_state=0), "regressor"),
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("model, kind", MODELS, ids=lambda v: str(v))
def test_linear_model_matches_reference(model, kind, rule):
    X, y = _data(kind)
    model = model.fit(X, y)
    explainer = RelevanceExplainer(FrozenEstimator(model), rules=[RULES[rule]]).fit(X)
    explanation = explainer.explain(X[:5], target="all")
    decision = (
        model.decision_function(X[:5])
        if hasattr(model, "decision_function")
        else model.predict(X[:5])
    )
    decision = decision.reshape(5, -1)
    if decision.shape[1] == 1 and explanation.scores.shape[1] == 2:  # binary
        decision = np.c_[-decision, decision]
    np.testing.assert_allclose(explanation.scores, decision, rtol=1e-12, atol=1e-12)
    name, params = rule, RULES[rule].get_params()
    box = (explainer.low_, explainer.high_)
    for n, x in enumerate(X[:5]):
        for k in range(explanation.scores.shape[1]):
            # A binary model's one unit scores classes_[1]; classes_[0] is -z.
            unit, negate = (0, k == 0) if kind == "binary" else (k, False)
            expected, score, ledger = reference_rules(
                model, x, unit, [(name, params)], [box], negate
            )
            scale = max(abs(score), np.abs(expected).max(), np.abs(ledger).max())
            np.testing.assert_allclose(
                explanation.relevance[n, k], expected, rtol=0, atol=1e-10 * scale
            )
            np.testing.assert_allclose(
                explanation.absorbed[n, k], sum(ledger), rtol=0, atol=1e-10 * scale
            )


def test_predicted_follows_predict():
    X, y = _data("multiclass")
    model = LinearSVC().fit(X, y)
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X)
    np.testing.assert_array_equal(explanation.targets[:, 0], model.predict(X))
    X, y = _data("binary")
    model = LogisticRegression().fit(X, y)
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X)
    np.testing.assert_array_equal(explanation.targets[:, 0], model.predict(X))


def test_linear_model_fit_with_y():
    X, y = _data("regressor")
    explainer = RelevanceExplainer(Ridge(alpha=0.1), rules=[LRP0()]).fit(X, y)
    # LRP-0 with the bias on a linear model: R_i = w_i x_i, the bias absorbs b.
    explanation = explainer.explain(X)
    w, b = explainer.estimator_.coef_, explainer.estimator_.intercept_
    np.testing.assert_allclose(explanation.relevance[:, 0], X * w, rtol=1e-10)
    np.testing.assert_allclose(explanation.absorbed_bias[:, 0], b, rtol=1e-10)
