"""The Python rows of docs/errors.rst: each bad input gets its one specific
error (type and message), and each degenerate case its documented finite
result. The table and these cases are kept in step by the last test."""

import copy
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

import skl_lrp
from skl_lrp import RelevanceExplainer, cross_val_relevance
from skl_lrp.metrics import aopc
from skl_lrp.rules import AlphaBeta, Epsilon, ZBeta, ZPlus

pd = pytest.importorskip("pandas")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)


def _fit(model, X=X, y=Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (few iterations, on purpose)
        return model.fit(X, y)


MLP = _fit(MLPClassifier((6,), max_iter=50, random_state=0))
FRAME = pd.DataFrame(X, columns=["a", "b", "c", "d"])
FRAME_MLP = _fit(MLPClassifier((6,), max_iter=50, random_state=0), FRAME)
MIXED = FRAME.assign(k=np.tile(["x", "y", "z"], 20))
PIPELINE = _fit(
    make_pipeline(
        make_column_transformer(
            (StandardScaler(), ["a", "b", "c", "d"]), (OneHotEncoder(), ["k"])
        ),
        MLPClassifier((6,), max_iter=50, random_state=0),
    ),
    MIXED,
)


def explainer(model=MLP, data=X, **params):
    return RelevanceExplainer(FrozenEstimator(model), **params).fit(data)


def with_value(data, row, column, value):
    data = data.copy()
    if hasattr(data, "iloc"):
        data.iloc[row, column] = value
    else:
        data[row, column] = value
    return data


def huge_linear_regression():
    return _fit(LinearRegression(), X, X[:, 0] * 1e300)


def all_hidden_units_dead():
    model = copy.deepcopy(_fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=20)))
    model.coefs_[0][:] = -np.abs(model.coefs_[0])
    model.intercepts_[0][:] = -5.0
    return model


def non_finite_weights():
    model = copy.deepcopy(MLP)
    model.coefs_[0][1, 2] = np.nan
    return model


def float32_network():
    return _fit(MLPClassifier((6,), max_iter=20), X.astype(np.float32))


def fold_missing_a_class():
    y = np.r_[np.zeros(30), np.ones(29), 2].astype(int)
    return cross_val_relevance(MLPClassifier((4,), max_iter=20), X, y, cv=2)


# id: (call, error type, message pattern)
ERRORS = {
    "nan-in-x": (
        lambda: explainer().transform(with_value(X, 3, 2, np.nan)),
        ValueError,
        r"X's row 3 has a missing \(NaN\) value in column 2.*SimpleImputer",
    ),
    "inf-in-x": (
        lambda: explainer().transform(with_value(X, 5, 1, -np.inf)),
        ValueError,
        r"X's row 5 has an infinite value in column 1",
    ),
    "nan-through-pipeline": (
        lambda: explainer(PIPELINE, MIXED).transform(with_value(MIXED, 7, 1, np.nan)),
        ValueError,
        r"X's row 7 has a missing or infinite value in column 'b'.*impute it inside "
        r"the pipeline",
    ),
    "object-array": (
        lambda: explainer().transform(np.array([[1.0, "x", 2.0, 3.0]], dtype=object)),
        ValueError,
        r"X's column 1 holds values that are not numbers, such as 'x'",
    ),
    "complex-x": (
        lambda: explainer().transform(X + 1j),
        ValueError,
        r"Complex data not supported",
    ),
    "text-column": (
        lambda: explainer(FRAME_MLP, FRAME).transform(FRAME.assign(b="high")),
        ValueError,
        r"X's column 'b' holds values that are not numbers, such as 'high'.*"
        r"OneHotEncoder",
    ),
    "datetime-column": (
        lambda: explainer(FRAME_MLP, FRAME).transform(
            FRAME.assign(c=pd.date_range("2020-01-01", periods=60))
        ),
        ValueError,
        r"X's column 'c' holds dates",
    ),
    "datetime-column-in-pipeline": (
        lambda: explainer(PIPELINE, MIXED).transform(
            MIXED.assign(c=pd.date_range("2020-01-01", periods=60))
        ),
        ValueError,
        r"X's column 'c' held numbers when the explainer was fitted and now "
        r"holds datetime64",
    ),
    "empty-x": (
        lambda: explainer().transform(X[:0]),
        ValueError,
        r"Found array with 0 sample\(s\)",
    ),
    "one-dimensional-x": (
        lambda: explainer().transform(X[0]),
        ValueError,
        r"Expected 2D array, got 1D array instead",
    ),
    "wrong-number-of-features": (
        lambda: explainer().transform(X[:, :3]),
        ValueError,
        r"X has 3 features, but RelevanceExplainer is expecting 4",
    ),
    "dataframe-column-order": (
        lambda: explainer(FRAME_MLP, FRAME).transform(FRAME[["b", "a", "c", "d"]]),
        ValueError,
        r"Feature names must be in the same order as they were in fit",
    ),
    "dataframe-unknown-column": (
        lambda: explainer(FRAME_MLP, FRAME).transform(FRAME.rename(columns={"d": "e"})),
        ValueError,
        r"Feature names unseen at fit time:\n- e",
    ),
    "untrained-model-without-y": (
        lambda: RelevanceExplainer(MLPClassifier()).fit(X),
        ValueError,
        r"requires y to be passed.*fit needs y to train the MLPClassifier",
    ),
    "trained-model-not-frozen": (
        lambda: RelevanceExplainer(MLP).fit(X),
        ValueError,
        r"already fitted, but fit was called without y.*FrozenEstimator",
    ),
    "explain-untrained-model": (
        lambda: skl_lrp.explain(MLPRegressor(), X),
        NotFittedError,
        r"^The MLPRegressor given to explain is not fitted: explain explains a "
        r"trained model as it is",
    ),
    "explain-untrained-pipeline": (
        lambda: skl_lrp.explain(make_pipeline(StandardScaler(), MLPClassifier()), X),
        NotFittedError,
        r"^The MLPClassifier at the end of the Pipeline given to explain is not "
        r"fitted",
    ),
    "unsupported-model": (
        lambda: RelevanceExplainer(_fit(DecisionTreeClassifier())).fit(X),
        TypeError,
        r"RelevanceExplainer explains MLPClassifier and MLPRegressor models",
    ),
    "explainer-not-fitted": (
        lambda: RelevanceExplainer(MLP).transform(X),
        NotFittedError,
        r"not fitted yet",
    ),
    "unknown-target": (
        lambda: explainer().explain(X, target=7),
        ValueError,
        r"target=7 is not a class label of the model; expected \"predicted\", "
        r"\"all\" or one of \[0, 1\]",
    ),
    "return-layers-not-boolean": (
        lambda: explainer().explain(X, return_layers="yes"),
        InvalidParameterError,
        r"'return_layers' parameter of RelevanceExplainer.explain must be an "
        r"instance of 'bool'",
    ),
    "explain-not-a-model": (
        lambda: skl_lrp.explain("model.pkl", X),
        InvalidParameterError,
        r"'estimator' parameter of explain must be an object implementing 'predict'",
    ),
    "allow-pickle-not-boolean": (
        lambda: skl_lrp.load_explainer(__file__, allow_pickle="no"),
        InvalidParameterError,
        r"'allow_pickle' parameter of load_explainer must be an instance of 'bool'",
    ),
    "unknown-bounds": (
        lambda: explainer(bounds="median"),
        InvalidParameterError,
        r"'bounds' parameter of RelevanceExplainer must be a str among",
    ),
    "bounds-low-above-high": (
        lambda: explainer(bounds=(1.0, -1.0)),
        ValueError,
        r"bounds need low <= high; violated for inputs \[0, 1, 2, 3\]",
    ),
    "bounds-not-finite": (
        lambda: explainer(bounds=(np.nan, 1.0)),
        ValueError,
        r"bounds low must be finite",
    ),
    "bounds-wrong-shape": (
        lambda: explainer(bounds=(np.zeros(3), np.ones(3))),
        ValueError,
        r"bounds low must be a scalar or have shape \(4,\).*got shape \(3,\)",
    ),
    "huge-finite-x": (
        lambda: explainer().transform(np.full((2, 4), 1e308)),
        FloatingPointError,
        r"overflowed for rows 0-1: the weights or inputs are too large for float64",
    ),
    "unknown-baseline": (
        lambda: explainer(baseline="median"),
        InvalidParameterError,
        r"'baseline' parameter of RelevanceExplainer must be None, a str among",
    ),
    "baseline-no-rows": (
        lambda: explainer(baseline=np.zeros((0, 4))),
        ValueError,
        r"baseline has no rows: give at least one",
    ),
    "baseline-wrong-width": (
        lambda: explainer(baseline=np.zeros((2, 3))),
        ValueError,
        r"baseline: X has 3 features, but RelevanceExplainer is expecting 4",
    ),
    "baseline-not-rows": (
        lambda: explainer(baseline=np.zeros(4)),
        ValueError,
        r"baseline must be None, 'mean', a number of background rows",
    ),
    "rescale-without-baseline": (
        lambda: explainer(rules="rescale", baseline=None),
        ValueError,
        r"rules\[0\] \(Rescale\) explains a difference from reference rows: "
        r"give the explainer a baseline",
    ),
    "baseline-with-other-rules": (
        lambda: explainer(rules="epsilon", baseline="mean"),
        ValueError,
        r"A baseline is explained by rules='rescale', by rules that include "
        r"Rescale, or by rules='deep-taylor'",
    ),
    "deep-taylor-baseline-not-relu": (
        lambda: explainer(
            _fit(MLPClassifier((6,), activation="tanh", max_iter=50)),
            rules="deep-taylor",
            baseline="mean",
        ),
        ValueError,
        r"rules='deep-taylor' with a baseline needs ReLU hidden units",
    ),
    "baseline-overflow": (
        lambda: explainer(rules="rescale", baseline=np.full((1, 4), 1e308)),
        FloatingPointError,
        r"The network's scores at the baseline rows overflowed",
    ),
    "rule-parameter-out-of-range": (
        lambda: explainer(rules=[Epsilon(-1.0), ZPlus()]),
        InvalidParameterError,
        r"'epsilon' parameter of Epsilon must be a float in the range \(0.0, inf\)",
    ),
    "alpha-beta-not-conserving": (
        lambda: explainer(rules=[AlphaBeta(1, 1), ZPlus()]),
        ValueError,
        r"AlphaBeta needs alpha - beta == 1 to conserve relevance",
    ),
    "rules-count-mismatch": (
        lambda: explainer(rules=[ZPlus()]),
        ValueError,
        r"rules has 1 entries, but the network has 2 dense layers",
    ),
    "rule-not-a-rule": (
        lambda: explainer(rules=["zz", ZPlus()]),
        TypeError,
        r"rules\[0\] must be a rule from skl_lrp.rules",
    ),
    "rule-box-low-above-high": (
        lambda: explainer(rules=[ZBeta(low=1.0, high=0.0), ZPlus()]),
        ValueError,
        r"rules\[0\] \(ZBeta\) need low <= high",
    ),
    "unknown-preset": (
        lambda: explainer(rules="foo"),
        InvalidParameterError,
        r"'rules' parameter of RelevanceExplainer must be a str among",
    ),
    "batch-size-zero": (
        lambda: explainer(batch_size=0),
        InvalidParameterError,
        r"'batch_size' parameter of RelevanceExplainer must be an int in the "
        r"range \[1, inf\)",
    ),
    "batch-size-zero-after-fit": (
        lambda: explainer().set_params(batch_size=0).transform(X),
        InvalidParameterError,
        r"'batch_size' parameter of RelevanceExplainer",
    ),
    "n-jobs-zero": (
        lambda: explainer(n_jobs=0),
        InvalidParameterError,
        r"'n_jobs' parameter of RelevanceExplainer",
    ),
    "n-jobs-zero-after-fit": (
        lambda: explainer().set_params(n_jobs=0).transform(X),
        InvalidParameterError,
        r"'n_jobs' parameter of RelevanceExplainer",
    ),
    "non-finite-weights": (
        lambda: explainer(non_finite_weights()),
        ValueError,
        r"layer 0 has non-finite weights or biases",
    ),
    "float32-overflow": (
        lambda: explainer(float32_network(), X.astype(np.float32)).transform(X * 1e39),
        ValueError,
        r"X's row 0 has a value too large for the network's dtype float32",
    ),
    "fold-missing-a-class": (
        fold_missing_a_class,
        ValueError,
        r"y's class 2 is in the held-out part of fold \d but not in its "
        r"training part",
    ),
    "feature-names-wrong-length": (
        lambda: cross_val_relevance(
            MLPClassifier((4,), max_iter=20), X, Y, feature_names=["a", "b"]
        ),
        ValueError,
        r"feature_names has 2 names, but relevance is reported on 4 columns",
    ),
    "estimator-parameter-invalid": (
        lambda: cross_val_relevance(MLPClassifier(solver="newton"), X, Y, cv=2),
        ValueError,
        r"^estimator: The 'solver' parameter of MLPClassifier must be",
    ),
    "metrics-target-all": (
        lambda: aopc(MLP, X, X, target="all"),
        ValueError,
        r"target='all' names several scores per sample; these metrics track "
        r"one: pass 'predicted', one label, or one label per sample",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_gets_its_error(case):
    call, error, message = ERRORS[case]
    with pytest.raises(error, match=message) as raised, warnings.catch_warnings():
        # numpy's warnings must not leak out on the way to the error
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*converge")
        call()
    assert type(raised.value) is error


def _conserves(explanation):
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    total = relevance.sum(axis=1) + explanation.absorbed[:, 0]
    # Against a baseline, the change in the score is a difference of two
    # rounded scores: exact to rounding relative to their size.
    baseline = explanation.baseline[:, 0]
    atol = 1e-12 * np.abs(baseline).max()
    return np.allclose(total, scores - baseline, rtol=1e-12, atol=atol)


def _one_sample(**params):
    relevance = explainer(**params).transform(X[:1])
    assert relevance.shape == (1, 4)
    assert np.all(np.isfinite(relevance))


def _one_feature(**params):
    model = _fit(MLPClassifier((4,), max_iter=30, random_state=0), X[:, :1])
    explanation = explainer(model, X[:, :1], **params).explain(X[:, :1])
    assert explanation.relevance.shape == (60, 1, 1)
    assert _conserves(explanation)


def _huge_scores(**params):
    explanation = explainer(huge_linear_regression(), **params).explain(X)
    assert np.all(np.isfinite(explanation.relevance))
    assert np.abs(explanation.scores).max() > 1e299
    assert _conserves(explanation)


def _tiny_inputs(**params):
    model = _fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=50), X, X[:, 0])
    explanation = explainer(model, X * 1e-300, **params).explain(X * 1e-300)
    assert np.all(np.isfinite(explanation.relevance))
    assert _conserves(explanation)


def _denormal_inputs(**params):
    model = _fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=50), X, X[:, 0])
    explanation = explainer(model, X * 1e-310, **params).explain(X * 1e-310)
    assert np.all(np.isfinite(explanation.relevance))
    assert _conserves(explanation)


def _float32_wide_range(**params):
    data = (X * np.logspace(-30, 30, len(X))[:, np.newaxis]).astype(np.float32)
    network = float32_network()
    explanation = explainer(network, X.astype(np.float32), **params).explain(data)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    baseline = explanation.baseline[:, 0]
    assert relevance.dtype == np.float32
    assert np.all(np.isfinite(relevance))
    gap = relevance.sum(axis=1) + explanation.absorbed[:, 0] - (scores - baseline)
    size = np.maximum(np.abs(scores), 1e-30) + np.abs(baseline)
    assert np.all(np.abs(gap) <= 1e-5 * size)


def _dead_units(**params):
    explanation = explainer(all_hidden_units_dead(), **params).explain(X)
    np.testing.assert_array_equal(explanation.relevance, 0)
    if explanation.baseline.any():
        # Against a baseline: every row scores the output bias, as the
        # baseline rows do; there is no change to explain.
        np.testing.assert_array_equal(explanation.scores, explanation.baseline)
        np.testing.assert_array_equal(explanation.absorbed, 0)
    else:
        # Nothing reaches the inputs; the score (the output bias) is in the
        # ledger, as relevance of neurons whose denominators vanished.
        np.testing.assert_allclose(explanation.absorbed_dead, explanation.scores)


def _constant_feature(**params):
    data = with_value(X, slice(None), 2, 3.0)
    model = _fit(MLPClassifier((6,), max_iter=50, random_state=0), data)
    explanation = explainer(model, data, **params).explain(data)
    # At the training mean, a constant column deviates by nothing.
    np.testing.assert_array_equal(explanation.relevance[:, 0, 2], 0)
    assert _conserves(explanation)


def _far_outside_the_data(**params):
    explanation = explainer(**params).explain(X * 1e6)
    assert np.all(np.isfinite(explanation.relevance))
    assert _conserves(explanation)


def _huge_relevance_across_folds(**params):
    report = cross_val_relevance(
        LinearRegression(),
        X,
        X[:, 0] * 1e160,
        cv=3,
        n_repeats=2,
        random_state=0,
        **params,
    )
    assert np.all(np.isfinite(report.relevance_stats.std))
    assert np.all(np.isfinite(report.relevance_stats.ci))
    assert report.relevance_stats.std.max() > 1e158  # not zero either
    np.testing.assert_allclose(report.performance.test_scores, 1.0)


RESULTS = {
    "one-sample": _one_sample,
    "one-feature": _one_feature,
    "huge-scores": _huge_scores,
    "tiny-inputs": _tiny_inputs,
    "denormal-inputs": _denormal_inputs,
    "float32-wide-range": _float32_wide_range,
    "all-hidden-units-dead": _dead_units,
    "constant-feature": _constant_feature,
    "far-outside-the-data": _far_outside_the_data,
    "huge-relevance-across-folds": _huge_relevance_across_folds,
}


@pytest.mark.parametrize("rules", ["auto", "deep-taylor"])
@pytest.mark.parametrize("case", list(RESULTS))
def test_degenerate_input_gets_a_finite_documented_result(case, rules):
    # The defaults (Rescale against background rows for a regressor) and
    # Deep Taylor on the raw score alike.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*converge")
        RESULTS[case](rules=rules)


# Rows of the table checked by tests elsewhere: (module, test function).
ELSEWHERE = {
    "display-sample-out-of-range": (
        "test_display",
        "test_sample_out_of_range_names_the_valid_rows",
    ),
    "display-max-features-not-positive": (
        "test_display",
        "test_max_features_must_be_positive",
    ),
    "dollar-signs-in-names": (
        "test_display",
        "test_dollar_signs_in_names_are_drawn_literally",
    ),
    "markup-in-names": (
        "test_display",
        "test_html_and_json_escape_user_text_and_hold_no_addresses",
    ),
    "metrics-on-a-dataframe-with-categoricals": (
        "test_metrics",
        "test_metrics_replace_columns_of_a_dataframe_in_the_users_space",
    ),
    "predicted-class-at-the-boundary": (
        "test_explainer",
        "test_predicted_class_follows_predict_on_the_decision_boundary",
    ),
}


def test_rows_checked_elsewhere_have_their_tests():
    import importlib

    for module, function in ELSEWHERE.values():
        assert callable(getattr(importlib.import_module(module), function))


def test_the_docs_table_lists_exactly_these_cases():
    page = Path(__file__).parents[1] / "docs" / "errors.rst"
    text = page.read_text(encoding="utf-8")
    python = text.split("Python API")[1].split("Command line")[0]
    listed = re.findall(r"^\s+\* - ``([a-z0-9-]+)``", python, flags=re.MULTILINE)
    assert sorted(listed) == sorted([*ERRORS, *RESULTS, *ELSEWHERE])
