"""Faithfulness metrics against hand-computed values and known invariances."""

import numpy as np
import pytest
from conftest import make_network
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from skl_lrp import RelevanceExplainer, explain
from skl_lrp.metrics import (
    aopc,
    completeness,
    faithfulness_correlation,
    feature_flipping_curve,
    make_explanation_scorer,
    morf_lerf_difference,
)
from skl_lrp.rules import Flat


@pytest.fixture
def linear():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    w = np.array([3.0, -2.0, 1.0, 0.5, 0.0])
    model = LinearRegression().fit(X, X @ w + 1.0)
    return model, X, w


def test_flipping_curve_of_a_linear_model_by_hand(linear):
    model, X, w = linear
    baseline = X.mean(axis=0)
    relevance = (X - baseline) * w
    curve = feature_flipping_curve(model, X, relevance, baseline="mean")
    np.testing.assert_array_equal(curve.counts, np.arange(6))
    expected = np.empty((len(X), 6))
    for i, (x, r) in enumerate(zip(X, relevance)):
        z = x.copy()
        expected[i, 0] = z @ w + 1.0
        for k, j in enumerate(np.argsort(-r, kind="stable"), start=1):
            z[j] = baseline[j]
            expected[i, k] = z @ w + 1.0
    np.testing.assert_allclose(curve.curves, expected, rtol=1e-10)
    np.testing.assert_allclose(curve.mean_curve, expected.mean(0), rtol=1e-10)
    drops = expected[:, :1] - expected
    assert aopc(model, X, relevance) == pytest.approx(drops.mean())
    coarse = feature_flipping_curve(model, X, relevance, steps=2)
    np.testing.assert_array_equal(coarse.counts, [0, 2, 5])  # rounded halves
    np.testing.assert_allclose(coarse.curves, expected[:, [0, 2, 5]], rtol=1e-10)


def test_lerf_is_the_reversed_order(linear):
    model, X, w = linear
    relevance = (X - X.mean(0)) * w
    lerf = feature_flipping_curve(model, X, relevance, order="lerf")
    morf_of_negated = feature_flipping_curve(model, X, -relevance, order="morf")
    np.testing.assert_allclose(lerf.curves, morf_of_negated.curves)
    gap = morf_lerf_difference(model, X, relevance)
    assert gap == pytest.approx(
        aopc(model, X, relevance) - aopc(model, X, relevance, order="lerf")
    )
    assert gap > 0


def test_random_order_averages_to_half_the_total_drop(linear):
    model, X, w = linear
    X = X + 1.0  # away from the zero baseline, so that the drops are large
    total = (X @ w).mean()  # f(x) - f(0), on average
    values = [
        aopc(
            model, X, np.zeros_like(X), order="random", baseline="zero", random_state=s
        )
        for s in range(200)
    ]
    # A random k of d features removes k/d of the drop on average; over
    # k = 0..d that averages to one half.
    assert np.mean(values) == pytest.approx(total / 2, abs=0.02 * abs(total) + 0.01)


def test_perfect_linear_explanation_is_complete_and_correlated(linear):
    model, X, w = linear
    exact = X * w
    assert completeness(model, X, exact, baseline="zero") == pytest.approx(0, abs=1e-10)
    assert completeness(model, X, exact) == pytest.approx(1.0)  # the intercept
    relative = (X - X.mean(0)) * w
    assert faithfulness_correlation(model, X, relative, random_state=0) == (
        pytest.approx(1.0)
    )
    assert faithfulness_correlation(model, X, -relative, random_state=0) == (
        pytest.approx(-1.0)
    )


def test_lrp_relevance_is_complete_for_the_score():
    model, X = make_network("multiclass", "relu", (8, 6), seed=1)
    e = explain(model, X)
    kept = e.absorbed_dead[:, 0] == 0
    assert kept.sum() > 20
    assert completeness(model, X[kept], e.relevance[kept, 0]) < 1e-10


def test_classifier_target_is_the_logit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    model = LogisticRegression().fit(X, np.where(X[:, 0] > 0, "b", "a"))
    curve = feature_flipping_curve(model, X, np.ones_like(X), steps=[0], target="b")
    np.testing.assert_allclose(curve.curves[:, 0], model.decision_function(X))
    other = feature_flipping_curve(model, X, np.ones_like(X), steps=[0], target="a")
    np.testing.assert_allclose(other.curves[:, 0], -model.decision_function(X))
    predicted = feature_flipping_curve(model, X, np.ones_like(X), steps=[0])
    np.testing.assert_allclose(
        predicted.curves[:, 0], np.abs(model.decision_function(X))
    )


def test_scorer_chooses_rules_in_a_grid_search():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 6))
    model = LogisticRegression().fit(X, X @ [3, -2, 1, 0, 0, 0] > 0)
    search = GridSearchCV(
        RelevanceExplainer(FrozenEstimator(model)),
        {"rules": ["epsilon", [Flat()]]},
        scoring=make_explanation_scorer("aopc"),
        cv=2,
    ).fit(X)
    # Flat relevance is uniform: its order says nothing, so it flips worse.
    assert search.best_params_["rules"] == "epsilon"
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] > scores[1]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda m, X: aopc(m, X, X[:, :2]),
            r"relevance must have one value per row and column of X, shape \(40, 5\)",
        ),
        (lambda m, X: aopc(m, X, X * np.nan), "relevance must be finite"),
        (lambda m, X: aopc(m, X, X, baseline=[0, 1]), "baseline must be a name"),
        (lambda m, X: aopc(m, X, X, baseline=np.inf), "baseline must be finite"),
        (lambda m, X: aopc(m, X, X, order="best"), "'order' parameter of aopc"),
        (lambda m, X: aopc(m, X, X, baseline="min"), "'baseline' parameter of aopc"),
        (lambda m, X: aopc(m, X, X, steps=0), "'steps' parameter of aopc"),
        (lambda m, X: aopc(m, X, X, steps=[0, 9]), "counts between 0 and 5"),
        (
            lambda m, X: faithfulness_correlation(m, X, X, subset_size=9),
            "subset_size must be between 1 and 5",
        ),
        (
            lambda m, X: make_explanation_scorer("auc"),
            "'metric' parameter of make_explanation_scorer",
        ),
    ],
)
def test_errors(linear, call, message):
    model, X, _ = linear
    with pytest.raises(ValueError, match=message):
        call(model, X)


# Invalid values for the parameters of each public metric; those passed on
# through **params are checked by feature_flipping_curve, and the error
# names the function called.
METRIC_CASES = {
    feature_flipping_curve: [
        ("estimator", "a model"),
        ("X", 3.0),
        ("relevance", 3.0),
        ("target", None),
        ("order", "best"),
        ("baseline", "min"),
        ("steps", 0),
        ("reference", 3.0),
        ("random_state", "seed"),
    ],
    aopc: [
        ("estimator", "a model"),
        ("X", 3.0),
        ("relevance", 3.0),
        ("order", "best"),
        ("baseline", "min"),
        ("steps", 0),
    ],
    morf_lerf_difference: [
        ("estimator", "a model"),
        ("X", 3.0),
        ("relevance", 3.0),
        ("baseline", "min"),
        ("target", None),
    ],
    faithfulness_correlation: [
        ("estimator", "a model"),
        ("X", 3.0),
        ("relevance", 3.0),
        ("target", None),
        ("baseline", "min"),
        ("subset_size", 0),
        ("n_subsets", 0),
        ("reference", 3.0),
        ("random_state", "seed"),
    ],
    completeness: [
        ("estimator", "a model"),
        ("X", 3.0),
        ("relevance", 3.0),
        ("target", None),
        ("baseline", "min"),
        ("reference", 3.0),
    ],
    make_explanation_scorer: [("metric", "auc")],
}


@pytest.mark.parametrize(
    "function, param, value",
    [(f, p, v) for f, cases in METRIC_CASES.items() for p, v in cases],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_metrics_validate_their_parameters(linear, function, param, value):
    model, X, w = linear
    required = {"estimator": model, "X": X, "relevance": X * w}
    if function is make_explanation_scorer:
        required = {}
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of {function.__name__} must be",
    ):
        function(**{**required, param: value})


@pytest.mark.parametrize("function", list(METRIC_CASES), ids=lambda f: f.__name__)
def test_every_validated_parameter_of_the_metrics_is_tested(function):
    constraints = function._skl_parameter_constraints
    tested = {param for param, _ in METRIC_CASES[function]}
    assert tested >= {k for k, v in constraints.items() if v != "no_validation"}


def _mixed_table_model(classifier):
    """A DataFrame with a categorical column, and a fitted pipeline that
    selects its columns by name (in another order than X's)."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=60),
            "cat": rng.choice(["a", "b", "c"], 60, p=[0.5, 0.3, 0.2]),
            "other": rng.normal(size=60),
        }
    )
    X["cat"] = X["cat"].astype("category")
    score = X["num"] + (X["cat"] == "b") - 0.5 * X["other"]
    pre = ColumnTransformer(
        [("c", OneHotEncoder(), ["cat"]), ("n", StandardScaler(), ["other", "num"])]
    )
    if classifier:
        mlp, y = MLPClassifier((8,), max_iter=300, random_state=0), score > 0.3
    else:
        mlp, y = (
            MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0),
            score,
        )
    return X, make_pipeline(pre, mlp).fit(X, y)


def _logit(model, X):
    """The explained score of a pipeline's MLP, computed by scikit-learn."""
    proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    if proba is None:
        return model.predict(X)
    p = proba[:, 1]
    return np.log(p) - np.log1p(-p)  # the binary MLP's logit


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("classifier", [False, True])
def test_metrics_replace_columns_of_a_dataframe_in_the_users_space(classifier):
    # Each replaced column takes its baseline as the user sees it: the mean
    # of a numeric column, the most frequent level of a categorical one;
    # the replaced rows go through the whole pipeline.
    X, model = _mixed_table_model(classifier)
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    relevance = explainer.transform(X)
    assert relevance.shape == (60, 3)  # X's own columns
    target = 1 if classifier else "predicted"
    rows = X.iloc[:12]
    curve = feature_flipping_curve(
        explainer, rows, relevance[:12], baseline="mean", reference=X, target=target
    )
    baseline = {"num": X["num"].mean(), "cat": "a", "other": X["other"].mean()}
    expected = np.empty((12, 4))
    for i in range(12):
        replaced = rows.iloc[[i]].copy()
        order = np.argsort(-relevance[i], kind="stable")
        expected[i, 0] = _logit(model, replaced)[0]
        for k, j in enumerate(order, start=1):
            replaced[X.columns[j]] = baseline[X.columns[j]]
            replaced["cat"] = replaced["cat"].astype(X["cat"].dtype)
            expected[i, k] = _logit(model, replaced)[0]
    np.testing.assert_allclose(curve.curves, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        aopc(explainer, rows, relevance[:12], target=target, reference=X),
        np.mean(expected[:, :1] - expected),
        rtol=1e-9,
    )
    # Completeness against the score of the baseline row, by hand.
    base_row = X.iloc[[0]].copy()
    for name, value in baseline.items():
        base_row[name] = value
    base_row["cat"] = base_row["cat"].astype(X["cat"].dtype)
    gap = completeness(
        explainer, rows, relevance[:12], target=target, baseline="mean", reference=X
    )
    by_hand = np.abs(
        relevance[:12].sum(axis=1) - (expected[:, 0] - _logit(model, base_row)[0])
    )
    assert gap == pytest.approx(by_hand.mean(), rel=1e-9)


def test_a_categorical_column_takes_given_values_as_baseline():
    X, model = _mixed_table_model(classifier=False)
    relevance = np.zeros((5, 3))
    relevance[:, 1] = 1.0  # the categorical first
    curve = feature_flipping_curve(
        model, X.iloc[:5], relevance, baseline=[0.0, "c", 0.0], steps=[0, 1]
    )
    replaced = X.iloc[:5].copy()
    replaced["cat"] = "c"
    replaced["cat"] = replaced["cat"].astype(X["cat"].dtype)
    np.testing.assert_allclose(curve.curves[:, 1], model.predict(replaced), rtol=1e-9)
