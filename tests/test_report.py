"""cross_val_relevance, RelevanceReport and RelevanceDisplay."""

import json
from itertools import combinations

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import load_wine
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import RelevanceDisplay, RelevanceExplainer, cross_val_relevance

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


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


def test_report_matches_a_direct_computation(wine, report):
    X, y, model = wine
    folds = StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)
    per_fold, oof = [], np.empty(X.shape)
    for train, test in folds:
        explainer = RelevanceExplainer(clone(model)).fit(X[train], y[train])
        explanation = explainer.explain(X[test], target="all")
        columns = np.searchsorted(explainer.estimator_.classes_, y[test])
        relevance = explanation.relevance[np.arange(len(test)), columns]
        oof[test] = relevance
        per_fold.append(np.abs(relevance).mean(axis=0))
    per_fold = np.array(per_fold).T
    np.testing.assert_allclose(report.relevance, oof, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(report.relevances, per_fold, rtol=1e-10)
    np.testing.assert_allclose(report.relevances_mean, per_fold.mean(1), rtol=1e-10)
    np.testing.assert_allclose(report.relevances_std, per_fold.std(1), rtol=1e-10)
    half = stats.t.ppf(0.975, 3) * per_fold.std(1, ddof=1) / 2
    np.testing.assert_allclose(
        report.relevances_ci[:, 1] - per_fold.mean(1), half, rtol=1e-8
    )
    np.testing.assert_allclose(report.signed_mean, oof.mean(0), rtol=1e-10, atol=1e-14)
    ranks = np.array([stats.rankdata(-per_fold[:, k], method="min") for k in range(4)])
    np.testing.assert_array_equal(report.ranks, ranks)
    pairs = list(combinations(range(4), 2))
    spearman = np.mean(
        [stats.spearmanr(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    )
    kendall = np.mean(
        [stats.kendalltau(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    )
    assert report.rank_spearman == pytest.approx(spearman)
    assert report.rank_kendall == pytest.approx(kendall)
    np.testing.assert_allclose(report.top_k_frequency, (ranks <= 3).mean(0))
    for c, row in zip(report.classes, report.class_relevance):
        np.testing.assert_allclose(row, np.abs(oof[y == c]).mean(0), rtol=1e-10)
    np.testing.assert_array_equal(report.targets, y)
    assert report.ledger["max_conservation_error"] < 1e-10
    assert report.fold_scores.shape == report.fit_times.shape == (4,)


def test_parallel_folds_give_the_same_report(wine, report):
    X, y, model = wine
    parallel = cross_val_relevance(model, X, y, cv=4, random_state=1, top_k=3, n_jobs=2)
    np.testing.assert_array_equal(parallel.relevance, report.relevance)
    np.testing.assert_array_equal(parallel.relevances, report.relevances)
    np.testing.assert_array_equal(parallel.fold_scores, report.fold_scores)


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
    assert report.classes is None and report.class_relevance is None
    assert report.ranked_features()[-1] == "x1"
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


def test_splitters_must_partition_the_samples():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    with pytest.raises(ValueError, match="cover every sample exactly once"):
        cross_val_relevance(Ridge(), X, y, cv=ShuffleSplit(3, random_state=0))


@pytest.mark.parametrize("kind", ["bar", "beeswarm", "stability", "waterfall"])
def test_display_from_report(report, kind):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    display = RelevanceDisplay.from_report(report, kind=kind, ax=ax, max_features=5)
    assert display.ax_ is ax and display.figure_ is fig and display.kind_ == kind
    assert display.artists_
    again = display.plot(kind="bar")  # the data are kept: plot again elsewhere
    assert again is display and again.ax_ is not ax
    plt.close("all")


def test_display_bar_heights_are_the_mean_absolute_relevance(report):
    import matplotlib.pyplot as plt

    display = RelevanceDisplay.from_report(report, kind="bar", max_features=3)
    widths = sorted((bar.get_width() for bar in display.artists_), reverse=True)
    np.testing.assert_allclose(widths, np.sort(report.relevances_mean)[::-1][:3])
    plt.close("all")


def test_display_errors(report):
    display = RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1)))
    with pytest.raises(ValueError, match="kind must be one of"):
        display.plot(kind="pie")
    with pytest.raises(ValueError, match="needs relevance per fold"):
        display.plot(kind="stability")
    with pytest.raises(ValueError, match="needs the explained scores"):
        display.plot(kind="waterfall")


def test_html_report_is_self_contained(report, tmp_path):
    path = report.to_html(tmp_path / "r.html", title="Wine <test>")
    page = path.read_text()
    assert page.count("data:image/png;base64,") == 4
    assert "Wine &lt;test&gt;" in page
    # Nothing to fetch and nothing to run: no scripts, links or remote sources.
    assert "<script" not in page and "<link" not in page
    assert 'src="http' not in page


def test_plotting_without_matplotlib_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    display = RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1)))
    with pytest.raises(ImportError, match=r'pip install "skl_lrp\[plot\]"'):
        display.plot()
