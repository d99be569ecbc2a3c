"""cross_val_relevance, RelevanceReport and RelevanceDisplay."""

import ast
import copy
import dataclasses
import json
import pathlib
import pickle
import warnings
from itertools import combinations

import numpy as np
import pytest
from conftest import HtmlTags
from scipy import sparse, stats
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_wine
from sklearn.dummy import DummyClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

import skl_lrp
from skl_lrp import (
    RelevanceDisplay,
    RelevanceExplainer,
    RelevanceReport,
    _html,
    _summaries,
    cross_val_relevance,
)
from skl_lrp._checks import (
    agreement_warning,
    cardinality_warnings,
    constant_warnings,
    disagreements,
    sign_warning,
)
from skl_lrp._ranking import (
    importance_agreement,
    importance_agreement_reason,
    rank_agreement_reason,
)
from skl_lrp._scoring import fold_seeds, permutation_scores

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

# RelevanceDisplay is deprecated: the tests of its behaviour expect the warning.
DEPRECATED = "RelevanceDisplay is deprecated in 0.1 and will be removed in 0.3"


def deprecated():
    return pytest.warns(FutureWarning, match=DEPRECATED)


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0),
    )
    return X, y, model


@pytest.fixture(scope="module")
def report(wine):
    X, y, model = wine
    return cross_val_relevance(model, X, y, cv=4, random_state=1, top_k=3)


@pytest.fixture(scope="module")
def direct(wine):
    """The report's folds, computed one by one: (train, test, explainer)."""
    X, y, model = wine
    folds = StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)
    return [
        (train, test, RelevanceExplainer(clone(model)).fit(X[train], y[train]))
        for train, test in folds
    ]


def test_report_matches_a_direct_computation(wine, report, direct):
    X, y, model = wine
    per_fold, oof = [], np.empty(X.shape)
    for _, test, explainer in direct:
        explanation = explainer.explain(X[test], target="all")
        columns = np.searchsorted(explainer.estimator_.classes_, y[test])
        relevance = explanation.relevance[np.arange(len(test)), columns]
        oof[test] = relevance
        per_fold.append(np.abs(relevance).mean(axis=0))
    per_fold = np.array(per_fold).T
    np.testing.assert_allclose(report.relevance, oof, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(report.relevance_stats.per_fold, per_fold, rtol=1e-10)
    np.testing.assert_allclose(
        report.relevance_stats.mean, per_fold.mean(1), rtol=1e-10
    )
    np.testing.assert_allclose(report.relevance_stats.std, per_fold.std(1), rtol=1e-10)
    half = stats.t.ppf(0.975, 3) * per_fold.std(1, ddof=1) / 2
    np.testing.assert_allclose(
        report.relevance_stats.ci[:, 1] - per_fold.mean(1), half, rtol=1e-8
    )
    np.testing.assert_allclose(
        report.relevance_stats.signed_mean, oof.mean(0), rtol=1e-10, atol=1e-14
    )
    ranks = np.array([stats.rankdata(-per_fold[:, k], method="min") for k in range(4)])
    np.testing.assert_array_equal(report.stability.ranks, ranks)
    pairs = list(combinations(range(4), 2))
    spearman = np.mean(
        [stats.spearmanr(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    )
    kendall = np.mean(
        [stats.kendalltau(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    )
    assert report.stability.spearman == pytest.approx(spearman)
    assert report.stability.kendall == pytest.approx(kendall)
    np.testing.assert_allclose(report.stability.top_k_frequency, (ranks <= 3).mean(0))
    for c, row in zip(report.relevance_stats.classes, report.relevance_stats.by_class):
        np.testing.assert_allclose(row, np.abs(oof[y == c]).mean(0), rtol=1e-10)
    np.testing.assert_array_equal(report.targets, y)
    assert report.guardrails.ledger["max_conservation_error"] < 1e-10
    assert (
        report.performance.test_scores.shape
        == report.performance.fit_times.shape
        == (4,)
    )


def test_progress_is_called_once_per_fold(wine, report):
    X, y, model = wine
    calls = []
    again = cross_val_relevance(
        model,
        X,
        y,
        cv=4,
        random_state=1,
        top_k=3,
        progress=lambda done, total, fold: calls.append((done, total, fold)),
    )
    assert [(done, total) for done, total, _ in calls] == [(k, 4) for k in (1, 2, 3, 4)]
    folds = sorted(fold["index"] for _, _, fold in calls)
    assert folds == [0, 1, 2, 3]
    for _, _, fold in calls:
        assert set(fold) == {"index", "score", "fit_time", "explain_time"}
        assert fold["score"] == report.performance.test_scores[fold["index"]]
        assert fold["fit_time"] > 0 and fold["explain_time"] > 0
    np.testing.assert_array_equal(again.relevance, report.relevance)


def test_parallel_folds_give_the_same_report(wine, report):
    X, y, model = wine
    parallel = cross_val_relevance(model, X, y, cv=4, random_state=1, top_k=3, n_jobs=2)
    np.testing.assert_array_equal(parallel.relevance, report.relevance)
    np.testing.assert_array_equal(
        parallel.relevance_stats.per_fold, report.relevance_stats.per_fold
    )
    np.testing.assert_array_equal(
        parallel.performance.test_scores, report.performance.test_scores
    )
    # The permutations' seeds travel with the folds.
    np.testing.assert_array_equal(
        parallel.permutation.per_fold, report.permutation.per_fold
    )


def test_to_dict_is_json_and_to_frame_is_ranked(report):
    data = json.loads(json.dumps(report.to_dict()))
    assert [f["name"] for f in data["features"]] == report.ranked_features()
    assert data["settings"]["n_splits"] == 4
    table = report.to_frame()
    assert list(table.index) == report.ranked_features()
    assert table["mean_abs_relevance"].is_monotonic_decreasing


def test_targets_and_regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ [2.0, 0.0, -1.0]
    report = cross_val_relevance(Ridge(), X, y, cv=KFold(3), rules="epsilon")
    assert (
        report.relevance_stats.classes is None
        and report.relevance_stats.by_class is None
    )
    assert report.ranked_features()[-1] == "x1"
    # No class-target setting ('true') for a regressor: what is explained,
    # in words, only.
    assert "target" not in report.settings
    assert "target" not in report.to_dict()["settings"]
    assert report.settings["target_meaning"] == (
        "each row is explained for the model's output (its prediction)"
    )
    html = _html.render_report(report)
    assert "<td>target</td>" not in html and "&#x27;true&#x27;" not in html
    assert "<td>target_meaning</td>" in html
    classified = cross_val_relevance(LogisticRegression(), X, y > 0, cv=KFold(3))
    assert classified.settings["target"] == "'true'"
    assert "<td>target</td>" in _html.render_report(classified)
    X, y, model = load_wine(return_X_y=True) + (None,)
    predicted = cross_val_relevance(
        make_pipeline(
            StandardScaler(), MLPClassifier((8,), max_iter=200, random_state=0)
        ),
        X,
        y,
        cv=3,
        target="predicted",
        return_estimator=True,
    )
    assert len(predicted.explainers) == 3
    np.testing.assert_array_equal(
        predicted.targets[predicted.folds == 0],
        predicted.explainers[0].estimator_.predict(X[predicted.folds == 0]),
    )


def test_deep_taylor_on_negative_predictions_says_what_it_cannot_show():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = X @ [2.0, 0.5, -1.0]  # centred: about half the predictions < 0
    kinds = {}
    for name, target, rules in [
        ("centred", y, "deep-taylor"),
        ("positive", y + 20, "deep-taylor"),
        ("epsilon", y, "epsilon"),
        ("default", y, "auto"),  # Rescale against background rows
    ]:
        report = cross_val_relevance(Ridge(), X, target, cv=3, rules=rules)
        kinds[name] = [w["kind"] for w in report.guardrails.warnings]
        if name == "centred":
            share = np.mean(report.scores < 0)
            assert 0.3 < share < 0.7
            (message,) = [
                w["message"] for w in report.guardrails.warnings if w["kind"] == "sign"
            ]
            assert message.startswith(f"{share:.0%} of the held-out rows")
            assert np.all(report.relevance[report.scores < 0] <= 0)
            assert "sign" in [w["kind"] for w in report.to_dict()["warnings"]]
    assert kinds == {"centred": ["sign"], "positive": [], "epsilon": [], "default": []}


def test_deep_taylor_on_negative_multiclass_logits_says_what_it_cannot_show():
    # A softmax reads only the differences of a row's logits: lowering them
    # all by 20 changes no prediction, but every explained score turns
    # negative, and so does every relevance.
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(max_iter=200).fit(X, y)
    report = cross_val_relevance(FrozenEstimator(model), X, y, cv=3)
    assert np.all(report.scores > 0)  # (this fit's logits, as it happens)
    assert "sign" not in [w["kind"] for w in report.guardrails.warnings]
    shifted = copy.deepcopy(model)
    shifted.intercept_ = shifted.intercept_ - 20
    np.testing.assert_array_equal(shifted.predict(X), model.predict(X))
    report = cross_val_relevance(FrozenEstimator(shifted), X, y, cv=3)
    assert np.all(report.relevance <= 0)
    (message,) = [
        w["message"] for w in report.guardrails.warnings if w["kind"] == "sign"
    ]
    assert message.startswith("100% of the held-out rows have a negative")
    assert "the differences between a row's logits" in message
    # A binary classifier's negative score is that of a class the row leans
    # away from: not flagged, however many.
    negative = -np.ones(10)
    deep_taylor = {"rules": "deep-taylor", "bounds": "column-mean", "baseline": None}
    assert sign_warning(negative, deep_taylor, True, multiclass=False) is None
    assert sign_warning(negative, deep_taylor, True, multiclass=True) is not None
    # Measured against a baseline, relevance is signed whatever the score.
    against = {**deep_taylor, "baseline": "mean"}
    assert sign_warning(negative, against, True, multiclass=True) is None
    assert sign_warning(negative, against, False) is None


def test_very_low_agreement_with_permutation_importance_is_said_first(monkeypatch):
    message = agreement_warning(0.04)["message"]
    assert message.startswith(
        "Relevance and permutation importance rank the columns very "
        "differently (Spearman 0.04, below 0.3)"
    )
    for fine in (0.3, 0.9, None, float("nan")):
        assert agreement_warning(fine) is None
    # In a report: right after the model's own checks, before the columns'.
    monkeypatch.setattr(_summaries, "importance_agreement", lambda *_: -0.2)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    report = cross_val_relevance(Ridge(), X, X @ [2.0, 0.5, -1.0], cv=3)
    assert [w["kind"] for w in report.guardrails.warnings][:1] == ["agreement"]


def test_splitters_must_partition_the_samples():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    with pytest.raises(ValueError, match="cover every sample exactly once"):
        cross_val_relevance(Ridge(), X, y, cv=ShuffleSplit(3, random_state=0))


@pytest.mark.parametrize(
    "kind", ["bar", "beeswarm", "dependence", "stability", "waterfall"]
)
def test_display_from_report(report, kind):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    extra = {"feature": 0} if kind == "dependence" else {}
    with deprecated():
        display = RelevanceDisplay.from_report(
            report, kind=kind, ax=ax, max_features=5, **extra
        )
    assert display.ax_ is ax and display.figure_ is fig and display.kind_ == kind
    assert display.artists_
    again = display.plot(kind="bar")  # the data are kept: plot again elsewhere
    assert again is display and again.ax_ is not ax
    plt.close("all")


def test_display_bar_heights_are_the_mean_absolute_relevance(report):
    import matplotlib.pyplot as plt

    with deprecated():
        display = RelevanceDisplay.from_report(report, kind="bar", max_features=3)
    widths = sorted((bar.get_width() for bar in display.artists_), reverse=True)
    np.testing.assert_allclose(widths, np.sort(report.relevance_stats.mean)[::-1][:3])
    plt.close("all")


def test_display_errors(report):
    with deprecated():
        display = RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1)))
    with pytest.raises(ValueError, match="'kind' parameter of RelevanceDisplay.plot"):
        display.plot(kind="pie")
    with pytest.raises(ValueError, match="needs relevance per fold"):
        display.plot(kind="stability")
    with pytest.raises(ValueError, match="needs the explained scores"):
        display.plot(kind="waterfall")


def test_html_report_is_self_contained(report, tmp_path):
    path = report.to_html(tmp_path / "r.html", title="Wine <test>")
    page = path.read_text()
    # Five displays, and relevance beside permutation importance.
    assert page.count("data:image/png;base64,") == 6
    assert "Wine &lt;test&gt;" in page
    # Nothing to fetch and nothing to run: no scripts, links or remote sources.
    assert "<script" not in page and "<link" not in page
    assert 'src="http' not in page


def test_plotting_without_matplotlib_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with deprecated():
        display = RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1)))
    with pytest.raises(ImportError, match=r'pip install "skl_lrp\[plot\]"'):
        display.plot()


# Guardrails: permutation importance, a trivial baseline and the warnings.


def test_permutation_importance_matches_a_direct_computation(wine, report, direct):
    X, y, model = wine
    expected, baseline = [], []
    for k, (train, test, explainer) in enumerate(direct):
        seed = int(np.random.SeedSequence([1, k]).generate_state(1)[0])
        result = permutation_importance(
            explainer.estimator_, X[test], y[test], n_repeats=5, random_state=seed
        )
        expected.append(result.importances_mean)
        dummy = DummyClassifier(strategy="prior").fit(X[train], y[train])
        baseline.append(dummy.score(X[test], y[test]))
    expected = np.array(expected).T
    assert report.permutation.per_fold.shape == (13, 4)
    np.testing.assert_allclose(
        report.permutation.per_fold, expected, rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(report.permutation.mean, expected.mean(1))
    np.testing.assert_allclose(report.permutation.std, expected.std(1))
    agreement = stats.spearmanr(report.relevance_stats.mean, expected.mean(1))[0]
    assert report.permutation.agreement == pytest.approx(agreement)
    np.testing.assert_allclose(report.performance.baseline_scores, baseline)
    assert fold_seeds(1, 4) == [
        int(np.random.SeedSequence([1, k]).generate_state(1)[0]) for k in range(4)
    ]


def test_permutation_seeds_none_and_random_state_instances():
    assert fold_seeds(None, 3) == [None, None, None]
    first = fold_seeds(np.random.RandomState(5), 3)
    assert first == fold_seeds(np.random.RandomState(5), 3)
    assert len(set(first)) == 3


def test_n_repeats_zero_skips_permutation_importance():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ [2.0, 0.0, -1.0] + 10  # (positive: no sign warning)
    report = cross_val_relevance(Ridge(), X, y, cv=3, n_repeats=0)
    assert report.permutation is None
    assert report.guardrails.warnings == []
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["importance_agreement"] is None
    assert all(f["permutation_importance_mean"] is None for f in data["features"])
    assert report.to_frame()["permutation_importance_mean"].isna().all()


def test_a_random_target_warns_that_the_model_is_no_better_than_a_baseline():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(90, 4)), rng.randint(0, 2, size=90)
    with pytest.warns(UserWarning, match="no better than that of a trivial model"):
        report = cross_val_relevance(LogisticRegression(), X, y, cv=3)
    assert report.performance.baseline_scores.shape == (3,)
    assert (
        report.performance.test_scores.mean()
        <= report.performance.baseline_scores.mean()
    )
    (baseline,) = [w for w in report.guardrails.warnings if w["kind"] == "baseline"]
    assert baseline["column"] is None
    assert f"{report.performance.test_scores.mean():.4g}" in baseline["message"]


def test_a_scorer_that_cannot_score_a_trivial_model_skips_the_baseline():
    def r2_of_a_linear_model(model, X, y):  # needs the model's own coef_
        return 1 - np.mean((X @ model.coef_ - y) ** 2) / np.var(y)

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    report = cross_val_relevance(
        Ridge(), X, X @ [2.0, 0.0, -1.0] + 10, cv=3, scoring=r2_of_a_linear_model
    )
    assert np.isnan(report.performance.baseline_scores).all()
    (skipped,) = report.guardrails.warnings
    assert skipped["kind"] == "skipped" and skipped["column"] is None
    assert "The baseline check was skipped" in skipped["message"]
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["baseline_scores"] == [None, None, None]


def test_permutation_importance_that_cannot_run_is_skipped_with_a_note():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ [2.0, 0.0, -1.0] + 10
    report = cross_val_relevance(Ridge(), sparse.csr_matrix(X), y, cv=3)
    assert report.permutation is None
    assert [w["kind"] for w in report.guardrails.warnings] == ["skipped"]
    assert "does not take sparse matrices" in report.guardrails.warnings[0]["message"]
    # Relevance on other columns than X's (a Pipeline explained without
    # aggregation) cannot be compared column by column.
    model = Ridge().fit(X, y)
    importance, note = permutation_scores(model, X, y, None, 2, 0, ["a", "b"])
    assert importance is None and "on 2 columns but X has 3" in note
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "id": np.arange(60)})
    with pytest.warns(UserWarning, match="'id' holds 60 distinct whole numbers"):
        report = cross_val_relevance(Ridge(), frame, y, cv=3)
    assert report.permutation is None
    assert (
        "not DataFrame; pass a pandas DataFrame"
        in report.guardrails.warnings[-1]["message"]
    )


@pytest.fixture(scope="module")
def id_report():
    """A unique-string ID column, one-hot encoded: the network memorizes it.

    Explained against the corner of the data's range (``bounds="data"``, named
    so the test does not follow the default), where every zero one-hot input
    with a negative weight gains relevance: the ID then draws the most.
    """
    rng = np.random.RandomState(0)
    n = 120
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        {
            "x0": rng.normal(size=n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "<b>id</b>": [f"row{i:03d}" for i in range(n)],
        }
    )
    y = (X["x0"] + 0.5 * rng.normal(size=n) > 0).astype(int)
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), ["x0", "x1", "x2"]),
            ("id", OneHotEncoder(handle_unknown="ignore"), ["<b>id</b>"]),
        ]
    )
    model = make_pipeline(
        prep, MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    )
    with pytest.warns(UserWarning, match="120 distinct values in 120 rows"):
        return cross_val_relevance(model, X, y, cv=3, random_state=0, bounds="data")


def test_a_regressors_background_rows_come_from_the_held_out_part():
    # A memorized identifier: every held-out row's ID is unseen (its one-hot
    # inputs all 0), and so are the background rows', drawn from the same
    # held-out part; the ID's relevance is then exactly 0, as its
    # permutation importance is.
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 150
    X = pd.DataFrame(
        {
            "x0": rng.normal(size=n),
            "x1": rng.normal(size=n),
            "id": [f"row{i:03d}" for i in range(n)],
        }
    )
    y = 2 * X["x0"] - X["x1"] + rng.normal(size=n)
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), ["x0", "x1"]),
            ("id", OneHotEncoder(handle_unknown="ignore"), ["id"]),
        ]
    )
    model = make_pipeline(prep, MLPRegressor(hidden_layer_sizes=(16,), max_iter=500))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the ID's cardinality; convergence)
        report = cross_val_relevance(
            model, X, y, cv=3, random_state=0, return_estimator=True
        )
    assert report.settings["rules"] == "'rescale'"
    assert report.settings["baseline"].startswith(
        "32 background rows drawn from each fold's held-out part"
    )
    assert report.relevance_stats.mean[2] == 0
    for fold, explainer in enumerate(report.explainers):
        held_out = explainer.estimator_[0].transform(X[report.folds == fold])
        rows = explainer.baseline_inputs_
        assert len(rows) == 32
        assert all((row == held_out).all(axis=1).any() for row in rows)
    change = report.scores - report.relevance_baseline
    np.testing.assert_allclose(report.relevance.sum(1), change, atol=1e-10)


def test_an_id_column_is_flagged_for_cardinality_and_disagreement(id_report):
    flags = {(w["kind"], w["column"]) for w in id_report.guardrails.warnings}
    assert ("cardinality", "<b>id</b>") in flags
    # The ID draws most of the relevance, yet shuffling it among held-out
    # rows (all unknown to the encoder) changes nothing.
    assert id_report.ranked_features()[0] == "<b>id</b>"
    assert id_report.permutation.mean[3] == 0
    assert ("disagreement", "<b>id</b>") in flags
    assert ("convergence", None) in flags  # max_iter=300 is too few here
    rows = {row["name"]: row for row in id_report.to_dict()["features"]}
    assert rows["<b>id</b>"]["flagged"] and not rows["x1"]["flagged"]


def test_disagreement_definition():
    names = [f"c{i}" for i in range(8)]
    relevance = np.arange(8.0, 0.0, -1)
    importance = np.array([0.2, 0.1, -0.01, 0.05, 0.04, 0.03, 0.02, 0.3])
    found = disagreements(names, relevance, importance)
    # c2: third by relevance, importance <= 0; c7: first by permutation
    # importance, last by relevance. c3 (fourth) is outside the top 3.
    assert [w["column"] for w in found] == ["c2", "c7"]
    assert "ranks 3 of 8 by relevance" in found[0]["message"]
    assert "ranks 1 of 8 by permutation importance" in found[1]["message"]
    assert disagreements(names, relevance, relevance / 10) == []
    # Ties never make a flag: four columns share the top relevance.
    tied = np.array([3.0, 3.0, 3.0, 3.0, 1.0, 1.0])
    assert disagreements(names[:6], tied, np.zeros(6)) == []
    # Three columns: only the strict first by one against the last by the other.
    found = disagreements(names[:3], [3, 1, 2], [0.1, 0.3, 0.2])
    assert [w["column"] for w in found] == ["c0", "c1"]
    assert disagreements(names[:3], [3, 1, 2], [0.3, 0.1, 0.2]) == []
    assert disagreements(names[:2], [2, 1], [-1.0, 1.0]) == []
    assert disagreements(names[:3], [3, 1, 2], [np.nan, 0.3, 0.1]) == []
    # Second by both, but its importance is negligible: 5% of the largest or
    # less (c1 below; not at 6%).
    found = disagreements(names[:4], [4, 3, 2, 1], [0.4, 0.02, 0.01, 0.0])
    assert [w["column"] for w in found] == ["c1"]
    message = found[0]["message"]
    assert "its permutation importance (+0.02) is 5% of the largest" in message
    assert disagreements(names[:4], [4, 3, 2, 1], [0.4, 0.024, 0.01, 0.0]) == []


def test_importance_agreement_is_nan_when_undefined():
    assert np.isnan(importance_agreement([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]))
    assert np.isnan(importance_agreement([1.0], [2.0]))
    assert importance_agreement([1.0, 2.0, 3.0], [0.1, 0.3, 0.2]) == pytest.approx(0.5)


def test_cardinality_rules():
    rng = np.random.RandomState(0)
    numbers = np.c_[np.arange(20), rng.normal(size=20), np.arange(20) % 5]
    assert [w["column"] for w in cardinality_warnings(numbers, ["id", "x", "k"])] == [
        "id"
    ]
    assert cardinality_warnings(numbers[:9], ["id", "x", "k"]) == []  # too few rows
    text = np.empty((20, 3), dtype=object)
    text[:, 0] = [f"u{i % 11}" for i in range(20)]  # 11 of 20 distinct: > 50%
    text[:, 1] = [f"c{i % 10}" for i in range(20)]  # 10 of 20: not more than half
    text[:, 2] = np.arange(20.0) % 3  # numbers in an object column
    found = cardinality_warnings(text, ["u", "c", "n"])
    assert [w["column"] for w in found] == ["u"]
    assert "11 distinct values in 20 rows" in found[0]["message"]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "zip": pd.Categorical([f"z{i % 150}" for i in range(1000)]),
            "city": [["a", "b", None][i % 3] for i in range(1000)],
            "flag": np.arange(1000) % 2 == 0,
        }
    )
    assert [w["column"] for w in cardinality_warnings(frame, list(frame))] == ["zip"]


def test_report_json_is_strict_and_has_the_checks(id_report):
    data = json.loads(json.dumps(id_report.to_dict(), allow_nan=False))
    assert {w["kind"] for w in data["warnings"]} >= {"cardinality", "disagreement"}
    assert set(data["warnings"][0]) == {"kind", "column", "message"}
    assert len(data["baseline_scores"]) == 3
    assert data["importance_agreement"] == pytest.approx(
        id_report.permutation.agreement
    )
    feature = data["features"][0]
    assert feature["name"] == "<b>id</b>" and feature["flagged"] is True
    assert feature["permutation_importance_mean"] == 0
    assert feature["permutation_rank"] == 2
    table = id_report.to_frame()
    assert {"permutation_importance_std", "permutation_rank", "flagged"} <= set(
        table.columns
    )


def test_html_report_shows_the_warnings_escaped(id_report, tmp_path):
    page = id_report.to_html(tmp_path / "r.html").read_text()
    parser = HtmlTags()
    parser.feed(page)
    assert "b" not in parser.tags  # the column name <b>id</b> stays text
    box = page[page.index('<div class="warnings"') : page.index("</div>")]
    assert "&#x27;&lt;b&gt;id&lt;/b&gt;&#x27; is a categorical column" in box
    assert box.index("<h2>Warnings") < box.index("disagreement:")
    assert page.index('<div class="warnings"') < page.index("<h2>Data and model")
    assert "permutation importance</th>" in page
    assert '<tr class="flagged"><td>&lt;b&gt;id&lt;/b&gt;</td>' in page


def test_html_report_without_warnings_says_so():
    assert "found nothing to warn about" in _html._warnings([])


def test_the_report_says_what_the_relevance_means(report, tmp_path):
    meaning = report.settings["meaning"]
    assert "average training sample" in meaning
    assert report.to_dict()["settings"]["meaning"] == meaning
    html = report.to_html(tmp_path / "r.html").read_text()
    assert "How to read the relevance" in html and meaning.split(":")[0] in html


def test_report_is_a_documented_dataclass_with_a_short_repr(report):
    from numpydoc.docscrape import ClassDoc

    fields = [field.name for field in dataclasses.fields(RelevanceReport)]
    assert set(fields) == set(vars(report))  # no attribute outside the fields
    documented = [
        name.strip()
        for entry in ClassDoc(RelevanceReport)["Attributes"]
        for name in entry.name.split(",")
    ]
    assert sorted(documented) == sorted(fields)
    text = repr(report)
    assert text.startswith(
        "RelevanceReport(n_samples=178, n_features=13, n_folds=4, score="
    )
    top = report.ranked_features()[:3]
    assert f"top={top!r}"[:-1] + ", ...]" in text and "warnings=" in text
    assert "array" not in text and len(text) < 200
    again = pickle.loads(pickle.dumps(report))
    np.testing.assert_array_equal(again.relevance, report.relevance)
    assert again.to_dict() == report.to_dict()


def test_the_report_parts_are_documented_frozen_dataclasses(report):
    from numpydoc.docscrape import ClassDoc

    parts = [
        report.relevance_stats,
        report.stability,
        report.permutation,
        report.performance,
        report.guardrails,
    ]
    assert [type(part).__name__ for part in parts] == [
        "RelevanceStatistics",
        "RankStability",
        "PermutationImportance",
        "FoldPerformance",
        "Guardrails",
    ]
    for part in parts:
        fields = [field.name for field in dataclasses.fields(part)]
        doc = ClassDoc(type(part))
        documented = [
            name.strip()
            for entry in doc["Attributes"]
            for name in entry.name.split(",")
        ]
        assert sorted(documented) == sorted(fields), type(part).__name__
        assert doc["Examples"], type(part).__name__
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(part, fields[0], None)


# Where each flat attribute of the report before its grouping now lives.
MOVED = {
    "relevances": "relevance_stats.per_fold",
    "relevances_mean": "relevance_stats.mean",
    "relevances_std": "relevance_stats.std",
    "relevances_ci": "relevance_stats.ci",
    "signed_relevances": "relevance_stats.signed_per_fold",
    "signed_mean": "relevance_stats.signed_mean",
    "classes": "relevance_stats.classes",
    "class_relevance": "relevance_stats.by_class",
    "ranks": "stability.ranks",
    "rank_spearman": "stability.spearman",
    "rank_kendall": "stability.kendall",
    "top_k": "stability.top_k",
    "top_k_frequency": "stability.top_k_frequency",
    "permutation_importances": "permutation.per_fold",
    "permutation_importances_mean": "permutation.mean",
    "permutation_importances_std": "permutation.std",
    "importance_agreement": "permutation.agreement",
    "fold_scores": "performance.test_scores",
    "baseline_scores": "performance.baseline_scores",
    "fit_times": "performance.fit_times",
    "explain_times": "performance.explain_times",
    "warnings": "guardrails.warnings",
    "ledger": "guardrails.ledger",
}
# The report's fields before the grouping: every one still reads.
FLAT = [
    "feature_names",
    "relevance",
    "scores",
    "outputs",
    "targets",
    "absorbed",
    "relevance_baseline",
    "values",
    "folds",
    "categories",
    "row_labels",
    "relevances",
    "relevances_mean",
    "relevances_std",
    "relevances_ci",
    "signed_relevances",
    "signed_mean",
    "ranks",
    "rank_spearman",
    "rank_kendall",
    "top_k",
    "top_k_frequency",
    "classes",
    "class_relevance",
    "fold_scores",
    "fit_times",
    "explain_times",
    "baseline_scores",
    "permutation_importances",
    "permutation_importances_mean",
    "permutation_importances_std",
    "importance_agreement",
    "warnings",
    "ledger",
    "settings",
    "explainers",
]


def test_the_flat_names_still_read_with_a_future_warning(report):
    fields = {field.name for field in dataclasses.fields(RelevanceReport)}
    assert set(FLAT) - fields == set(MOVED)
    for old, path in MOVED.items():
        part, name = path.split(".")
        message = rf"RelevanceReport\.{old} was deprecated .* use report\.{path} "
        with pytest.warns(FutureWarning, match=message):
            value = getattr(report, old)
        assert value is getattr(getattr(report, part), name)
    # Without permutation importance its part is None, and so are its names.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    bare = cross_val_relevance(Ridge(), X, X @ [1.0, 2.0] + 5, cv=2, n_repeats=0)
    assert bare.permutation is None
    for old in ("permutation_importances_mean", "importance_agreement"):
        with pytest.warns(FutureWarning, match="use report.permutation"):
            assert getattr(bare, old) is None


def test_every_view_shows_the_feature_table(report):
    table = report.feature_table()
    assert [row["name"] for row in table] == report.ranked_features()
    assert report.to_dict()["features"] == table
    assert list(report.to_frame().index) == [row["name"] for row in table]
    with deprecated():
        display = RelevanceDisplay.from_report(report, kind="bar", max_features=3)
    labels = [label.get_text() for label in display.ax_.get_yticklabels()]
    assert labels == [row["name"] for row in table[:3]]
    import matplotlib.pyplot as plt

    plt.close("all")


CROSS_VAL_RELEVANCE_CASES = [
    ("estimator", "a model"),
    ("X", 3.0),
    ("y", 3.0),
    ("groups", 3.0),
    ("cv", "five"),
    ("rules", "no-such-preset"),
    ("bounds", "corner"),
    ("baseline", "median"),
    ("baseline", 0),
    ("scoring", "no_such_scorer"),
    ("n_repeats", -1),
    ("n_repeats", 1.5),
    ("n_repeats", "5"),
    ("n_jobs", 1.5),
    ("return_estimator", "yes"),
    ("verbose", -1),
    ("progress", "a bar"),
    ("random_state", "seed"),
    ("top_k", 0),
    ("feature_names", 3.0),
]


@pytest.mark.parametrize("param, value", CROSS_VAL_RELEVANCE_CASES)
def test_cross_val_relevance_validates_its_parameters(param, value):
    X, y = np.random.RandomState(0).normal(size=(30, 3)), np.arange(30.0)
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of cross_val_relevance must be",
    ):
        cross_val_relevance(**{"estimator": Ridge(), "X": X, "y": y, param: value})


DISPLAY_CASES = [
    ("from_report", "report", "a report"),
    ("from_report", "kind", "pie"),
    ("from_report", "ax", "axes"),
    ("from_estimator", "estimator", "a model"),
    ("from_estimator", "X", 3.0),
    ("from_estimator", "kind", "pie"),
    ("from_estimator", "ax", "axes"),
    ("plot", "ax", "axes"),
    ("plot", "kind", "pie"),
    ("plot", "max_features", 0),
    ("plot", "sample", 1.5),
    ("plot", "color", 3),
    ("plot", "feature", 1.5),
    ("plot", "color_by", 1.5),
]


@pytest.mark.parametrize("method, param, value", DISPLAY_CASES)
def test_display_validates_its_parameters(report, method, param, value):
    required = {
        "from_report": {"report": report},
        "from_estimator": {
            "estimator": Ridge().fit(np.eye(3), [0, 1, 2]),
            "X": np.eye(3),
        },
        "plot": {},
    }[method]
    with deprecated():
        display = RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1)))
    owner = display if method == "plot" else RelevanceDisplay
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of RelevanceDisplay.{method} must be",
    ):
        getattr(owner, method)(**{**required, param: value})


@pytest.mark.parametrize(
    "function, tested",
    [
        (cross_val_relevance, {p for p, _ in CROSS_VAL_RELEVANCE_CASES}),
        *[
            (
                getattr(RelevanceDisplay, method),
                {p for m, p, _ in DISPLAY_CASES if m == method},
            )
            for method in ("from_report", "from_estimator", "plot")
        ],
    ],
)
def test_every_validated_parameter_is_tested(function, tested):
    constraints = function._skl_parameter_constraints
    assert tested == {k for k, v in constraints.items() if v != "no_validation"}


def _imports(path):
    """The package modules that a module of skl_lrp imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):  # function level too
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:  # from . import a, b
                found.update(alias.name for alias in node.names)
            else:  # from .a import b
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "skl_lrp":
                found.add("__init__")
            elif node.module.startswith("skl_lrp."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1] if "." in alias.name else "__init__"
                for alias in node.names
                if alias.name.split(".")[0] == "skl_lrp"
            )
    return found


def _cycle(graph):
    """A cycle of `graph` as a list of modules, or None."""
    state = dict.fromkeys(graph, "new")

    def visit(module, path):
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                return [*path[path.index(other) :], other]
            if state.get(other) == "new":
                cycle = visit(other, [*path, other])
                if cycle:
                    return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if state[module] == "new":
            cycle = visit(module, [module])
            if cycle:
                return cycle
    return None


def test_the_package_modules_import_each_other_without_cycles():
    package = pathlib.Path(skl_lrp.__file__).parent
    graph = {path.stem: _imports(path) for path in package.glob("*.py")}
    assert graph["_display"] >= {"_ranking", "_explainer"}  # the parser works
    assert graph["__init__"] >= {"metrics", "rules", "_report"}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    # The views take the report object: they never import the report's module.
    displays = [module for module in graph if module.startswith("_display")]
    assert len(displays) >= 6  # the base, one per kind and the deprecated one
    for view in ("_html", "_report_json", "_summaries", "_checks", *displays):
        assert "_report" not in graph[view]


def test_why_a_correlation_is_undefined():
    assert importance_agreement_reason([1.0, 2.0], [0.5, 0.5]).startswith(
        "permutation importance is the same for every feature"
    )
    assert importance_agreement_reason([1.0, 1.0], [0.1, 0.5]).startswith(
        "every feature has the same mean relevance"
    )
    assert importance_agreement_reason([1.0, np.nan], [0.1, 0.5]).startswith(
        "some relevance or permutation importance is not a finite number"
    )
    assert importance_agreement_reason([1.0, 2.0], [0.1, 0.5]) is None
    assert rank_agreement_reason(np.ones((1, 3))).startswith("a single feature")
    assert rank_agreement_reason(np.ones((3, 1))).startswith("a single fold")
    assert rank_agreement_reason(np.array([[1.0, 2.0], [1.0, 3.0]])) == (
        "fold 1 gives every feature the same mean relevance: nothing to rank"
    )
    assert rank_agreement_reason(np.array([[1.0, 2.0], [2.0, 3.0]])) is None
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    report = cross_val_relevance(Ridge(), X, X @ [1.0, 2.0, 3.0], cv=2, n_repeats=0)
    assert report.undefined_figures() == {
        "rank_agreement": None,
        "importance_agreement": "no permutation importance: n_repeats=0, or it "
        "could not run (the warnings say why)",
    }
    data = report.to_dict()
    assert data["importance_agreement"] is None
    assert data["importance_agreement_reason"].startswith("no permutation importance")
    assert data["rank_agreement_reason"] is None


def test_constant_columns_are_flagged():
    X = np.c_[np.arange(12.0), np.full(12, 3.0), np.r_[np.nan, np.full(11, 2.0)]]
    found = constant_warnings(X, ["a", "three", "two"])
    assert [(w["kind"], w["column"]) for w in found] == [
        ("constant", "three"),
        ("constant", "two"),
    ]
    assert "holds the same value (3) in every row" in found[0]["message"]
    assert "in every filled row" in found[1]["message"]
    X[:, 0] += 0.5  # (not whole numbers: not an identifier)
    with pytest.warns(UserWarning, match="'x1' holds the same value"):
        report = cross_val_relevance(Ridge(), X[:, :2], X[:, 0], cv=2, n_repeats=0)
    assert [
        w["column"] for w in report.guardrails.warnings if w["kind"] == "constant"
    ] == ["x1"]
