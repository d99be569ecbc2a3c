"""The cluster report (cluster_relevance, ClusterReport,
ClusterHeatmapDisplay, ClusterBarDisplay) and the outlier report (outlier_relevance,
OutlierReport)."""

import json

import matplotlib
import numpy as np
import pytest
from conftest import HtmlTags
from scipy import stats
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM
from sklearn.utils._param_validation import InvalidParameterError

from skl_lrp import (
    ClusterBarDisplay,
    ClusterHeatmapDisplay,
    ClusterReport,
    OutlierReport,
    RelevanceExplainer,
    RelevanceWaterfallDisplay,
    cluster_relevance,
    outlier_relevance,
)
from skl_lrp._clusters import match_clusters

matplotlib.use("Agg")


def _tags(text):
    """The start tags of an HTML page."""
    parser = HtmlTags()
    parser.feed(text)
    return parser.tags


# Columns 1 and 3 decide the clusters; the others are noise of one law.
PLANTED = [1, 3]


def planted_blobs(n_per_cluster=60, n_features=6, seed=0):
    """Three blobs apart in the PLANTED columns only, with unequal scales."""
    rng = np.random.RandomState(seed)
    centres = np.zeros((3, n_features))
    centres[1, PLANTED[0]] = 8.0
    centres[2, PLANTED[1]] = 8.0
    centres[2, PLANTED[0]] = 4.0
    X = np.vstack([c + rng.normal(size=(n_per_cluster, n_features)) for c in centres])
    scales = np.array([1.0, 3.0, 0.5, 10.0, 2.0, 1e-2])[:n_features]
    return X * scales, np.repeat(np.arange(3), n_per_cluster)


@pytest.fixture(scope="module")
def blobs():
    return planted_blobs()


@pytest.fixture(scope="module")
def report(blobs):
    X, _ = blobs
    model = make_pipeline(StandardScaler(), KMeans(3, n_init=5, random_state=0))
    return cluster_relevance(model, X, n_bootstrap=8, random_state=0)


def test_planted_columns_top_every_cluster(report):
    names = [f"x{j}" for j in PLANTED]
    for k in range(3):
        assert report.ranked_features(k)[0] in names
        planted = np.abs(report.relevance[k, PLANTED]).sum()
        assert planted >= 0.9 * np.abs(report.relevance[k]).sum()
    # Both planted columns take part: each tops some cluster.
    assert {report.ranked_features(k)[0] for k in range(3)} == set(names)


def test_table_matches_the_explainers_own_relevance(blobs, report):
    X, _ = blobs
    model = make_pipeline(StandardScaler(), KMeans(3, n_init=5, random_state=0))
    explainer = RelevanceExplainer(FrozenEstimator(model.fit(X))).fit(X)
    explanation = explainer.explain(X)
    clusters = explanation.targets[:, 0]
    np.testing.assert_array_equal(report.assignments, clusters)
    np.testing.assert_array_equal(report.sizes, np.bincount(clusters))
    for k in range(3):
        members = clusters == k
        np.testing.assert_allclose(
            report.relevance[k], explanation.relevance[members, 0].mean(axis=0)
        )
        np.testing.assert_allclose(
            report.mean_margins[k], explanation.scores[members, 0].mean()
        )
    np.testing.assert_allclose(report.sample_relevance, explanation.relevance[:, 0])
    frame = report.to_frame()
    np.testing.assert_array_equal(frame.to_numpy(), report.relevance)
    assert list(frame.columns) == [f"x{j}" for j in range(6)]


def test_relevance_sums_to_the_mean_margin(report):
    change = report.relevance.sum(axis=1) + report.absorbed
    np.testing.assert_allclose(change, report.mean_margins, rtol=1e-10)
    assert np.all(report.mean_margins > 0)  # (members are inside their cluster)


def test_intervals_contain_the_point_and_come_from_the_resamples(report):
    low, high = report.relevance_ci[..., 0], report.relevance_ci[..., 1]
    assert np.all(low <= report.relevance) and np.all(report.relevance <= high)
    assert np.all(high - low > 0)
    # Bootstrap: the normal interval, point +- z * sd of the resamples.
    sd = np.nanstd(report.resampled, axis=0, ddof=1)
    np.testing.assert_allclose(high - low, 2 * stats.norm.ppf(0.975) * sd)
    low, high = report.margins_ci.T
    assert np.all(low <= report.mean_margins) and np.all(report.mean_margins <= high)


def test_clusters_are_matched_across_resamples(report):
    assert report.resampled.shape == (8, 3, 6)
    assert report.matching.shape == (8, 3)
    for matching in report.matching:  # one-to-one
        assert sorted(matching.tolist()) == [0, 1, 2]
    # Well-apart blobs: every refit puts the held-out members in the
    # matched cluster, and its profile is the reference's, give or take.
    assert np.all(report.stability > 0.98)  # (a swapped pair would be ~0)
    gap = np.abs(report.resampled - report.relevance).max()
    assert gap < 0.25 * np.abs(report.relevance).max()


def test_refits_with_shuffled_labels_are_matched(blobs):
    X, _ = blobs
    # MiniBatchKMeans with a different seed in each fold: its labels come in
    # other orders, which matching must undo.
    report = cluster_relevance(
        MiniBatchKMeans(3, n_init=3, random_state=0), X, cv=4, random_state=3
    )
    assert report.resampled.shape[0] == 4
    assert report.settings["resampling"].startswith("4 folds")
    assert np.all(report.stability > 0.98)  # (a swapped pair would be ~0)
    gap = np.abs(report.resampled - report.relevance).max()
    assert gap < 0.25 * np.abs(report.relevance).max()
    # Folds: point +- t * sd / sqrt(k).
    sd = np.nanstd(report.resampled, axis=0, ddof=1)
    half = stats.t.ppf(0.975, 3) * sd / 2
    np.testing.assert_allclose(report.relevance_ci[..., 1] - report.relevance, half)


def test_match_clusters_recovers_a_permutation():
    rng = np.random.RandomState(0)
    reference = rng.normal(size=(5, 3)) * 10
    order = rng.permutation(5)
    centres = reference[order] + rng.normal(scale=0.1, size=(5, 3))
    matching = match_clusters(reference, centres)
    np.testing.assert_array_equal(order[matching], np.arange(5))


def test_json_round_trip(report):
    data = report.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["feature_names"] == [f"x{j}" for j in range(6)]
    np.testing.assert_array_equal(data["relevance"], report.relevance)
    first = data["clusters"][0]
    assert first["size"] == report.sizes[0]
    assert first["features"][0]["name"] == report.ranked_features(0)[0]
    low, high = first["features"][0]["ci_low"], first["features"][0]["ci_high"]
    assert low <= first["features"][0]["mean_relevance"] <= high
    assert "boundary" in data["settings"]["measured against"]


def test_html_page(report, tmp_path):
    path = report.to_html(tmp_path / "clusters.html", title="Blobs <3>")
    text = path.read_text(encoding="utf-8")
    tags = _tags(text)
    assert tags.count("html") == 1
    assert "<h1>Blobs &lt;3&gt;</h1>" in text
    assert tags.count("img") == 1 + 3  # the heatmap and one bar chart per cluster
    assert "Each cluster's columns" in text
    assert text.count("<table>") == 3 + 3  # summary, clusters, side by side + 3


def test_user_text_is_escaped_in_the_page(blobs, tmp_path):
    X, _ = blobs
    names = ["<b>x</b>", *[f"c{j}" for j in range(1, 6)]]
    report = cluster_relevance(
        KMeans(3, n_init=3, random_state=0),
        X,
        n_bootstrap=3,
        random_state=0,
        feature_names=names,
    )
    text = report.to_html(tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text


def test_heatmap_shows_the_clusters_side_by_side(report):
    display = ClusterHeatmapDisplay.from_report(report, max_features=4)
    image = display.artists_[0].get_array()
    assert display.artists_ == [display.image_]
    # One cell per cluster and column shown, each the report's number.
    assert image.shape == (3, 4)
    shown = np.argsort(-np.abs(report.relevance).max(axis=0), kind="stable")[:4]
    np.testing.assert_array_equal(display.columns_, shown)
    np.testing.assert_array_equal(image, report.relevance[:, shown])
    texts = [float(t.get_text()) for t in display.ax_.texts]
    np.testing.assert_allclose(texts, report.relevance[:, shown].ravel(), rtol=0.06)
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert ticks == [report.feature_names[j] for j in shown]
    rows = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert rows[2] == (
        f"cluster 2 (n={report.sizes[2]}, margin {report.mean_margins[2]:.3g})"
    )
    assert display.colorbar_ is not None
    assert display.figure_ is display.ax_.figure
    # All the columns: as many cells as the report has numbers.
    whole = ClusterHeatmapDisplay.from_report(report, max_features=100)
    assert whole.image_.get_array().size == report.relevance.size


def test_bars_show_one_cluster_with_its_intervals(report):
    display = ClusterBarDisplay.from_report(report, cluster=2, max_features=4)
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels[0] == report.ranked_features(2)[0]  # (the top bar)
    assert display.figure_ is display.ax_.figure
    assert display.artists_ == list(display.bars_) and display.colorbar_ is None
    # One bar per column shown, each the report's number ...
    assert len(display.bars_) == 4
    columns = display.columns_
    widths = [bar.get_width() for bar in display.bars_]
    np.testing.assert_array_equal(widths, report.relevance[2, columns])
    assert labels == [report.feature_names[j] for j in columns]
    # ... and its whisker the report's interval.
    segments = display.bars_.errorbar.lines[2][0].get_segments()
    whiskers = np.array([[seg[0][0], seg[1][0]] for seg in segments])
    np.testing.assert_allclose(whiskers, report.relevance_ci[2, columns])
    assert "95% interval" in display.ax_.get_xlabel()
    # Another cluster on the same display; every column when asked.
    display.plot(cluster=0, max_features=100)
    assert len(display.bars_) == report.relevance.shape[1]
    assert display.ax_.get_title().startswith("What puts rows in cluster 0 (n=")
    with pytest.raises(ValueError, match="cluster must be a cluster index"):
        display.plot(cluster=3)
    with pytest.raises(ValueError, match="cluster must be a cluster index"):
        ClusterBarDisplay.from_report(report, cluster=-1)


def test_display_from_estimator(blobs):
    X, _ = blobs
    model = KMeans(3, n_init=3, random_state=0).fit(X)
    display = ClusterBarDisplay.from_estimator(model, X, cluster=1)
    explanation = RelevanceExplainer(FrozenEstimator(model)).fit(X).explain(X)
    members = explanation.targets[:, 0] == 1
    np.testing.assert_allclose(
        display.relevance[1], explanation.relevance[members, 0].mean(axis=0)
    )
    assert display.relevance_ci is None and display.bars_.errorbar is None
    assert "interval" not in display.ax_.get_xlabel()
    np.testing.assert_array_equal(display.sizes, np.bincount(model.labels_))
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    heatmap = ClusterHeatmapDisplay.from_estimator(explainer, X)
    np.testing.assert_allclose(heatmap.relevance, display.relevance)
    np.testing.assert_allclose(
        heatmap.mean_margins[1], explanation.scores[members, 0].mean()
    )
    network = MLPClassifier((4,), max_iter=20, random_state=0)
    explainer = RelevanceExplainer(network).fit(X, (X[:, 1] > 0).astype(int))
    for cls in (ClusterHeatmapDisplay, ClusterBarDisplay):
        with pytest.raises(TypeError, match=f"{cls.__name__}.from_estimator"):
            cls.from_estimator(KernelDensity().fit(X), X)
        with pytest.raises(TypeError, match="KMeans or MiniBatchKMeans"):
            cls.from_estimator(explainer, X)


@pytest.mark.parametrize(
    "method, foreign",
    [("from_report", "cluster"), ("plot", "cluster"), ("plot", "kind")],
)
def test_heatmap_refuses_the_arguments_of_other_kinds(report, method, foreign):
    owner = ClusterHeatmapDisplay.from_report(report)
    required = {}
    if method == "from_report":
        owner, required = ClusterHeatmapDisplay, {"report": report}
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{foreign}'"):
        getattr(owner, method)(**required, **{foreign: 1})


@pytest.mark.parametrize("method", ["from_report", "plot"])
def test_bars_refuse_the_arguments_of_other_kinds(report, method):
    owner, required = ClusterBarDisplay.from_report(report), {}
    if method == "from_report":
        owner, required = ClusterBarDisplay, {"report": report}
    with pytest.raises(TypeError, match="unexpected keyword argument 'kind'"):
        getattr(owner, method)(**required, kind="heatmap")


def test_each_cluster_constructor_takes_only_its_data(report):
    data = {
        "feature_names": report.feature_names,
        "relevance": report.relevance,
        "sizes": report.sizes,
        "mean_margins": report.mean_margins,
    }
    ClusterHeatmapDisplay(**data)
    with pytest.raises(TypeError, match="unexpected keyword argument 'relevance_ci'"):
        ClusterHeatmapDisplay(**data, relevance_ci=report.relevance_ci)
    ClusterBarDisplay(**data, relevance_ci=report.relevance_ci)
    with pytest.raises(TypeError, match="relevance"):
        ClusterBarDisplay(feature_names=report.feature_names)


@pytest.mark.parametrize("cls", [ClusterHeatmapDisplay, ClusterBarDisplay])
def test_cluster_display_parameters_are_validated(report, blobs, cls):
    X, _ = blobs
    display = cls.from_report(report)
    with pytest.raises(InvalidParameterError, match="'max_features' parameter"):
        display.plot(max_features=0)
    with pytest.raises(InvalidParameterError, match="'ax' parameter"):
        cls.from_report(report, ax="axes")
    with pytest.raises(InvalidParameterError, match="'report' parameter"):
        cls.from_report(report.to_dict())
    with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
        cls.from_estimator("KMeans", X)
    if cls is ClusterBarDisplay:
        with pytest.raises(InvalidParameterError, match="'cluster' parameter"):
            display.plot(cluster="0")
        with pytest.raises(InvalidParameterError, match="'cluster' parameter"):
            cls.from_report(report, cluster=1.0)


def test_bad_input_is_refused_clearly(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="got MLPClassifier"):
        cluster_relevance(MLPClassifier(), X)
    with pytest.raises(TypeError, match="use outlier_relevance"):
        cluster_relevance(make_pipeline(StandardScaler(), KernelDensity()), X)
    with pytest.raises(ValueError, match="either n_bootstrap .* or cv"):
        cluster_relevance(KMeans(3), X, n_bootstrap=5, cv=3)
    with pytest.raises(InvalidParameterError, match="n_bootstrap"):
        cluster_relevance(KMeans(3), X, n_bootstrap=1)
    with pytest.raises(ValueError, match="feature_names has 2 names"):
        cluster_relevance(KMeans(3), X, n_bootstrap=2, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="Midpoint"):
        cluster_relevance(KMeans(3), X, n_bootstrap=2, rules="epsilon")
    with pytest.raises(TypeError, match="use cluster_relevance"):
        outlier_relevance(KMeans(3), X)


def test_report_methods_check_their_arguments(report):
    with pytest.raises(ValueError, match=r"cluster=7 is not a cluster index"):
        report.ranked_features(7)
    assert isinstance(report, ClusterReport)
    assert "n_clusters=3" in repr(report)


def planted_outliers(n=300, n_features=5, seed=0):
    """Normal rows, and ten rows far out in one known column each (each
    column and direction once: no two outliers keep each other company)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    rows = np.arange(10) * 7
    columns = np.arange(10) % n_features
    X[rows, columns] = 7.0 * np.where(np.arange(10) < 5, 1, -1)
    return X, rows, columns


@pytest.mark.parametrize(
    "model",
    [KernelDensity(bandwidth=0.7), OneClassSVM(nu=0.05, gamma=0.1)],
    ids=["kde", "ocsvm"],
)
def test_outliers_planted_columns_are_found(model):
    X, rows, columns = planted_outliers()
    report = outlier_relevance(model, X, top_k=10, random_state=0)
    assert set(report.top.tolist()) == set(rows.tolist())
    top_column = np.argmax(report.relevance[rows], axis=1)
    assert np.mean(top_column == columns) >= 0.9
    # Conservation, out of fold: no row is its own support point.
    change = report.relevance.sum(axis=1) + report.absorbed
    np.testing.assert_allclose(change, report.scores - report.baseline, atol=1e-8)
    np.testing.assert_array_equal(report.absorbed, 0.0)


def test_outlier_report_views(tmp_path):
    X, rows, columns = planted_outliers()
    report = outlier_relevance(
        make_pipeline(StandardScaler(), KernelDensity(bandwidth=0.7)),
        X,
        top_k=3,
        random_state=0,
    )
    assert isinstance(report, OutlierReport)
    data = report.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    first = data["top"][0]
    assert first["rank"] == 1 and first["row"] == report.top[0]
    total = sum(f["relevance"] for f in first["features"]) + first["absorbed"]
    assert total == pytest.approx(first["score"] - first["baseline"])
    assert report.to_frame().shape == (3, 5)
    display = report.plot_waterfall(1)
    assert isinstance(display, RelevanceWaterfallDisplay)
    np.testing.assert_allclose(display.scores, report.scores[report.top[:1]])
    assert display.ax_.get_title().startswith(f"row {report.top[0]}: outlier score")
    assert "measured against" in display.ax_.get_title()
    with pytest.raises(ValueError, match="rank must be from 1"):
        report.plot_waterfall(4)
    text = report.to_html(tmp_path / "outliers.html").read_text(encoding="utf-8")
    assert _tags(text).count("img") == 3


def test_outliers_need_folds_that_cover_every_row():
    X = np.random.RandomState(0).normal(size=(40, 3))
    partial = [(np.arange(20, 40), np.arange(20))]
    with pytest.raises(ValueError, match="cover every row exactly once"):
        outlier_relevance(KernelDensity(), X, cv=partial)
    report = outlier_relevance(KernelDensity(), X, cv=KFold(4), top_k=2)
    assert set(np.unique(report.folds)) == {0, 1, 2, 3}
