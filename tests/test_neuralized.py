"""Neuralized models: k-means cluster margins and one-class outlier scores,
against the loop references of tests/_reference.py."""

import numpy as np
import pytest
from _reference import reference_kmeans, reference_one_class
from scipy import sparse
from sklearn.cluster import DBSCAN, KMeans, MiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.frozen import FrozenEstimator
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from skl_lrp import RelevanceExplainer
from skl_lrp import explain as explain_model
from skl_lrp.rules import DistanceShare, Midpoint, SoftMin, ZPlus


def _blobs(n_clusters, n_features, seed, n_samples=200):
    """Blobs on unequal scales and offsets, and a k-means fitted on them."""
    rng = np.random.RandomState(seed)
    X, _ = make_blobs(n_samples, n_features, centers=n_clusters, random_state=seed)
    X = X * rng.uniform(0.1, 10, n_features) + rng.uniform(-50, 50, n_features)
    kmeans = KMeans(n_clusters, n_init=2, random_state=seed).fit(X)
    return X, kmeans


@pytest.mark.parametrize("beta", [0.05, 2.0, np.inf])
@pytest.mark.parametrize(
    "n_clusters, n_features", [(2, 2), (3, 9), (4, 5), (5, 3), (6, 7)]
)
def test_kmeans_matches_reference(n_clusters, n_features, beta):
    X, kmeans = _blobs(n_clusters, n_features, seed=n_clusters * 10 + n_features)
    explainer = RelevanceExplainer(
        FrozenEstimator(kmeans), rules=[Midpoint(), SoftMin(beta=beta)]
    ).fit(X)
    rows = X[:12]
    explanation = explainer.explain(rows, target="all")
    assert explanation.relevance.shape == (12, n_clusters, n_features)
    np.testing.assert_array_equal(explanation.targets[0], np.arange(n_clusters))
    for r, x in enumerate(rows):
        for c in range(n_clusters):
            margin, relevance = reference_kmeans(kmeans.cluster_centers_, x, c, beta)
            tolerance = 1e-8 * abs(margin)
            assert abs(explanation.scores[r, c] - margin) <= tolerance
            np.testing.assert_allclose(
                explanation.relevance[r, c], relevance, rtol=0, atol=tolerance
            )
    assert np.all(explanation.absorbed == 0)
    np.testing.assert_array_equal(explanation.baseline, 0)


def test_kmeans_predicted_is_the_assigned_cluster():
    X, kmeans = _blobs(4, 3, seed=1)
    explainer = RelevanceExplainer(FrozenEstimator(kmeans), random_state=0).fit(X)
    explanation = explainer.explain(X)
    np.testing.assert_array_equal(explanation.targets[:, 0], kmeans.predict(X))
    assert np.all(explanation.scores > 0)  # own cluster: nearer than any other
    np.testing.assert_allclose(
        explanation.relevance.sum(-1), explanation.scores, rtol=1e-12
    )
    np.testing.assert_allclose(
        explainer.transform(X), explanation.relevance[:, 0], rtol=0, atol=0
    )
    one = explainer.explain(X[:5], target=2)
    assert np.all(one.targets == 2)
    assert np.all(one.scores[kmeans.predict(X[:5]) != 2] < 0)


def test_kmeans_pipeline_sums_to_margin_in_scaled_space():
    X, _ = _blobs(3, 4, seed=7)
    pipeline = make_pipeline(StandardScaler(), KMeans(3, n_init=2, random_state=0))
    explainer = RelevanceExplainer(pipeline).fit(X)  # fits the clone, no y
    fitted = explainer.estimator_
    Z = fitted[0].transform(X)
    distances = ((Z[:, None] - fitted[-1].cluster_centers_) ** 2).sum(-1)
    rows = np.arange(len(X))
    assigned = fitted.predict(X)
    own = distances[rows, assigned]
    distances[rows, assigned] = np.inf
    margin = distances.min(1) - own
    relevance = explainer.transform(X)
    assert relevance.shape == X.shape
    assert np.all(np.abs(relevance.sum(1) - margin) <= 1e-8 * margin)
    assert isinstance(explainer.rules_[0], Midpoint)
    beta = explainer.rules_[1].beta
    assert isinstance(beta, float) and beta > 0


def test_auto_beta_is_scaled_by_the_mean_margin():
    X, kmeans = _blobs(3, 3, seed=3)
    explainer = RelevanceExplainer(FrozenEstimator(kmeans)).fit(X)
    margin = explainer.explain(X).scores.mean()
    beta = explainer.rules_[1].beta
    # Scaling the data by 10 scales margins by 100 and beta by 1/100.
    scaled = KMeans(3, n_init=2, random_state=3).fit(10 * X)
    again = RelevanceExplainer(FrozenEstimator(scaled)).fit(10 * X)
    assert again.rules_[1].beta == pytest.approx(beta / 100, rel=1e-6)
    assert beta == pytest.approx(4 / margin, rel=1e-10)  # (AUTO_STIFFNESS / m)
    relevance = explainer.transform(X)
    np.testing.assert_allclose(again.transform(10 * X), 100 * relevance, rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_kernel_density_matches_reference(weighted):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4)) * [1, 3, 0.3, 1]
    weights = rng.uniform(0.5, 2, len(X)) if weighted else None
    kde = KernelDensity(bandwidth=0.8).fit(X, sample_weight=weights)
    gamma = 1 / (2 * 0.8**2)
    explainer = RelevanceExplainer(
        FrozenEstimator(kde), rules=[DistanceShare(), SoftMin(beta=gamma)]
    ).fit(X)
    alphas = np.ones(len(X)) if weights is None else weights
    alphas = alphas / alphas.sum()
    # The default stiffness: 1 / (mean squared distance of the fit rows to
    # the support points, weighted as the model weighs them).
    auto = RelevanceExplainer(FrozenEstimator(kde)).fit(X).rules_
    assert isinstance(auto[0], DistanceShare) and isinstance(auto[1], SoftMin)
    spread = (((X[:, None] - X[None]) ** 2).sum(-1) @ alphas).mean()
    assert auto[1].beta == pytest.approx(1 / spread, rel=1e-10)
    rows = np.vstack([X[:3], X[:5] + 2.5])
    explanation = explainer.explain(rows)
    for r, x in enumerate(rows):
        score, relevance, dead = reference_one_class(X, alphas, gamma, x, gamma)
        assert explanation.scores[r, 0] == pytest.approx(score, rel=1e-10)
        np.testing.assert_allclose(
            explanation.relevance[r, 0], relevance, rtol=0, atol=1e-10 * score
        )
        assert explanation.absorbed_dead[r, 0] == pytest.approx(dead, abs=1e-12)
    # The training rows sit on their own support point: that share is dead.
    assert np.all(explanation.absorbed_dead[:3] > 0)
    assert np.all(explanation.absorbed_dead[3:] == 0)
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(total, explanation.scores, rtol=1e-12)


def test_one_class_svm_matches_reference_against_its_boundary():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 3))
    svm = OneClassSVM(gamma=0.3, nu=0.2).fit(X)
    explainer = RelevanceExplainer(
        FrozenEstimator(svm), rules=[DistanceShare(), SoftMin(beta=0.1)]
    ).fit(X)
    baseline = -np.log(svm.offset_[0]) / 0.3
    np.testing.assert_allclose(explainer.baseline_scores_, [baseline])
    rows = rng.normal(size=(6, 3)) * 2
    explanation = explainer.explain(rows)
    np.testing.assert_allclose(explanation.baseline, baseline)
    alphas = svm.dual_coef_.ravel()
    for r, x in enumerate(rows):
        score, relevance, _ = reference_one_class(
            svm.support_vectors_, alphas, 0.3, x, 0.1, baseline
        )
        assert explanation.scores[r, 0] == pytest.approx(score, rel=1e-10)
        np.testing.assert_allclose(
            explanation.relevance[r, 0], relevance, rtol=0, atol=1e-10 * abs(score)
        )
    # Outside the boundary (decision_function < 0) the relevance sums to > 0.
    outside = svm.decision_function(rows) < 0
    assert outside.any() and not outside.all()
    np.testing.assert_array_equal(explanation.relevance.sum(-1)[:, 0] > 0, outside)


@pytest.mark.parametrize(
    "model", [KernelDensity(bandwidth=0.5), OneClassSVM(gamma=0.2, nu=0.1)]
)
def test_planted_outliers_are_found_in_their_columns(model):
    rng = np.random.RandomState(0)
    scales = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    X = rng.normal(size=(400, 5)) * scales
    planted = rng.normal(size=(50, 5)) * scales
    columns = rng.randint(0, 5, 50)
    planted[np.arange(50), columns] += 6 * scales[columns] * rng.choice([-1, 1], 50)
    pipeline = make_pipeline(StandardScaler(), model).fit(X)
    relevance = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X).transform(planted)
    assert np.mean(relevance.argmax(1) == columns) >= 0.9
    explanation = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X).explain(planted)
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(
        total, explanation.scores - explanation.baseline, rtol=0, atol=1e-8
    )


def test_batches_jobs_dtypes_and_sparse_agree():
    X, kmeans = _blobs(5, 6, seed=5, n_samples=300)
    expected = (
        RelevanceExplainer(FrozenEstimator(kmeans), rules=[Midpoint(), SoftMin(1.0)])
        .fit(X)
        .explain(X, target="all")
    )
    parallel = RelevanceExplainer(
        FrozenEstimator(kmeans),
        rules=[Midpoint(), SoftMin(1.0)],
        batch_size=37,
        n_jobs=2,
    ).fit(X)
    again = parallel.explain(X, target="all")
    np.testing.assert_allclose(again.relevance, expected.relevance, rtol=1e-12)
    Xs = sparse.csr_matrix(np.where(np.abs(X) < 1, 0, X))
    sparse_kmeans = KMeans(5, n_init=2, random_state=0).fit(Xs)
    dense = RelevanceExplainer(FrozenEstimator(sparse_kmeans)).fit(Xs.toarray())
    np.testing.assert_allclose(
        RelevanceExplainer(FrozenEstimator(sparse_kmeans)).fit(Xs).transform(Xs),
        dense.transform(Xs.toarray()),
        rtol=1e-12,
    )
    X32 = X.astype(np.float32)
    kmeans32 = KMeans(5, n_init=2, random_state=0).fit(X32)
    relevance32 = RelevanceExplainer(FrozenEstimator(kmeans32)).fit(X32).transform(X32)
    assert relevance32.dtype == np.float32
    margin = RelevanceExplainer(FrozenEstimator(kmeans32)).fit(X32).explain(X32).scores
    np.testing.assert_allclose(relevance32.sum(1), margin[:, 0], rtol=1e-3)


def test_return_layers_gives_each_competitor_its_share():
    X, kmeans = _blobs(4, 3, seed=2)
    explanation = (
        RelevanceExplainer(FrozenEstimator(kmeans))
        .fit(X)
        .explain(X[:20], target="all", return_layers=True)
    )
    (units,) = explanation.layers
    assert units.shape == (20, 4, 4)
    np.testing.assert_allclose(units.sum(-1), explanation.scores, rtol=1e-12)
    own = units[:, np.arange(4), np.arange(4)]
    np.testing.assert_array_equal(own, 0)  # no cluster competes with itself


def test_degenerate_rows_are_finite_and_accounted():
    centres = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    kmeans = KMeans(3, init=centres, n_init=1, max_iter=1).fit(centres)
    kmeans.cluster_centers_ = centres  # (exactly these centres)
    explainer = RelevanceExplainer(
        FrozenEstimator(kmeans), rules=[Midpoint(), SoftMin(beta=1.0)]
    ).fit(centres + 0.1)
    # On the boundary of 0 and 1 (cluster 2 is farther: its units do not
    # vanish, and it loses nothing).
    boundary = np.array([[1.0, 0.0]])
    explanation = explainer.explain(boundary, target="all")
    assert np.all(np.isfinite(explanation.relevance))
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(total, explanation.scores, atol=1e-12)
    assert explanation.scores[0, 0] == pytest.approx(0)
    assert explanation.absorbed_dead[0, 2] == pytest.approx(0)
    kde = KernelDensity(bandwidth=1.0).fit(centres)
    on_point = RelevanceExplainer(FrozenEstimator(kde)).fit(centres).explain(centres)
    assert np.all(np.isfinite(on_point.relevance))
    assert np.all(on_point.absorbed_dead > 0)


@pytest.mark.parametrize(
    "beta, expected", [(0.0, "even"), (np.inf, "nearest")], ids=["zero", "inf"]
)
def test_soft_min_limits(beta, expected):
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    kmeans = KMeans(3, init=centres, n_init=1, max_iter=1).fit(centres)
    kmeans.cluster_centers_ = centres
    explainer = RelevanceExplainer(
        FrozenEstimator(kmeans), rules=[Midpoint(), SoftMin(beta=beta)]
    ).fit(centres)
    (units,) = explainer.explain([[0.1, 0.1]], return_layers=True).layers
    shares = units[0, 0, 1:] / units[0, 0, 1:].sum()
    np.testing.assert_allclose(shares, [0.5, 0.5] if expected == "even" else [1, 0])


def test_clear_errors():
    X, kmeans = _blobs(3, 2, seed=0)
    frozen = FrozenEstimator(kmeans)
    with pytest.raises(TypeError, match="KMeans and MiniBatchKMeans"):
        RelevanceExplainer(DBSCAN()).fit(X)
    with pytest.raises(ValueError, match="kernel='gaussian'"):
        RelevanceExplainer(KernelDensity(kernel="tophat")).fit(X)
    with pytest.raises(ValueError, match="kernel='rbf'"):
        RelevanceExplainer(OneClassSVM(kernel="linear")).fit(X)
    with pytest.raises(ValueError, match=r"rules=\[Midpoint\(\), SoftMin"):
        RelevanceExplainer(frozen, rules="deep-taylor").fit(X)
    with pytest.raises(ValueError, match=r"rules=\[Midpoint\(\), SoftMin"):
        RelevanceExplainer(frozen, rules=[ZPlus(), SoftMin()]).fit(X)
    with pytest.raises(ValueError, match=r"rules=\[DistanceShare\(\)"):
        RelevanceExplainer(KernelDensity(), rules=[Midpoint(), SoftMin()]).fit(X)
    with pytest.raises(ValueError, match="beta"):
        RelevanceExplainer(frozen, rules=[Midpoint(), SoftMin(beta=-1)]).fit(X)
    for name, value in (("bounds", "data"), ("baseline", "mean")):
        with pytest.raises(ValueError, match=f"{name}='.*' does not apply"):
            RelevanceExplainer(frozen, **{name: value}).fit(X)
    with pytest.raises(ValueError, match="one cluster"):
        RelevanceExplainer(KMeans(1, n_init=1)).fit(X)
    explainer = RelevanceExplainer(frozen).fit(X)
    with pytest.raises(ValueError, match="not a cluster index"):
        explainer.explain(X, target=7)
    with pytest.raises(ValueError, match="X has 3 features"):
        explainer.transform(np.hstack([X, X[:, :1]]))


def test_minibatch_and_the_explain_function():
    X, _ = _blobs(3, 4, seed=4)
    model = MiniBatchKMeans(3, n_init=3, random_state=0).fit(X)
    explanation = explain_model(model, X[:10])
    np.testing.assert_array_equal(explanation.targets[:, 0], model.predict(X[:10]))
    np.testing.assert_allclose(
        explanation.relevance.sum(-1), explanation.scores, rtol=1e-10
    )


def test_dask_collections_match_numpy():
    da = pytest.importorskip("dask.array")
    X, kmeans = _blobs(3, 4, seed=6)
    explainer = RelevanceExplainer(FrozenEstimator(kmeans))
    expected = explainer.fit(X).transform(X)
    lazy = da.from_array(X, chunks=(50, 4))
    fitted = RelevanceExplainer(FrozenEstimator(kmeans)).fit(lazy)
    assert fitted.rules_[1].beta == pytest.approx(explainer.rules_[1].beta)
    np.testing.assert_allclose(fitted.transform(lazy).compute(), expected, rtol=1e-12)


def test_one_class_svm_without_outside_points_warns():
    X = np.random.RandomState(0).normal(size=(30, 2))
    svm = OneClassSVM(gamma=0.5).fit(X)
    svm.offset_ = np.array([-1.0])  # (as if no point lay outside)
    with pytest.warns(UserWarning, match="explained against 0"):
        explainer = RelevanceExplainer(FrozenEstimator(svm)).fit(X)
    np.testing.assert_array_equal(explainer.baseline_scores_, [0.0])


@pytest.mark.parametrize(
    "model, report",
    [
        (KMeans(3, n_init=1), "cluster_relevance"),
        (KernelDensity(), "outlier_relevance"),
    ],
)
def test_cross_val_relevance_points_to_the_unsupervised_reports(model, report):
    from skl_lrp import cross_val_relevance

    X, _ = _blobs(3, 2, seed=0)
    with pytest.raises(TypeError, match=f"use {report}"):
        cross_val_relevance(make_pipeline(StandardScaler(), model), X, np.zeros(len(X)))


@pytest.mark.parametrize(
    "model", [KernelDensity(), KernelDensity(bandwidth=0.5), OneClassSVM(nu=0.1)]
)
def test_planted_outliers_are_found_among_the_fit_rows(model):
    # Outliers fitted with the rest are their own support points; the
    # default stiffness still finds them in their column (the kernel's own
    # gamma found 0.45-0.7 of them: most of each score was on the row itself).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 6))
    rows = rng.choice(500, 20, replace=False)
    columns = rng.randint(0, 6, 20)
    X[rows, columns] += rng.choice([-1, 1], 20) * rng.uniform(5, 8, 20)
    pipeline = make_pipeline(StandardScaler(), model).fit(X)
    explanation = RelevanceExplainer(FrozenEstimator(pipeline)).fit(X).explain(X[rows])
    found = explanation.relevance[:, 0].argmax(1) == columns
    outside = explanation.scores[:, 0] > explanation.baseline[:, 0]
    assert outside.mean() >= 0.9  # (the model's own judgement)
    assert found[outside].mean() >= 0.9
    change = explanation.scores - explanation.baseline
    dead = explanation.absorbed[:, 0] / change[:, 0]
    assert dead[outside].mean() < 0.2  # (the kernel's gamma: 0.6-1.0)


def test_a_unit_on_its_boundary_hands_its_share_to_the_dead_column():
    centres = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.5]])
    kmeans = KMeans(3, init=centres, n_init=1, max_iter=1).fit(centres)
    kmeans.cluster_centers_ = centres
    explainer = RelevanceExplainer(
        FrozenEstimator(kmeans), rules=[Midpoint(), SoftMin(beta=1.0)]
    ).fit(centres)
    # x is on the boundary of clusters 0 and 1: for either, the unit that
    # compares them vanishes, and its (nonzero) share cannot be split.
    explanation = explainer.explain([[1.0, 0.0]], target="all")
    dead = explanation.absorbed_dead[0]
    assert dead[0] < 0 and dead[1] < 0 and dead[2] == 0
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(total, explanation.scores, atol=1e-12)
    assert np.all(np.isfinite(explanation.relevance))


def test_baseline_none_explains_a_one_class_svm_score_itself():
    X = np.random.RandomState(0).normal(size=(60, 2))
    svm = OneClassSVM(gamma=0.5).fit(X)
    explanation = (
        RelevanceExplainer(FrozenEstimator(svm), baseline=None).fit(X).explain(X[:3])
    )
    np.testing.assert_array_equal(explanation.baseline, 0)
    total = explanation.relevance.sum(-1) + explanation.absorbed
    np.testing.assert_allclose(total, explanation.scores, rtol=1e-12)


def test_predicted_clusters_follow_predict_far_from_the_origin():
    rng = np.random.RandomState(0)
    for dtype, offset in ((np.float32, 1e3), (np.float64, 1e7)):
        X = (rng.normal(size=(3000, 4)) + offset).astype(dtype)
        kmeans = KMeans(6, n_init=1, random_state=0).fit(X)
        explanation = RelevanceExplainer(FrozenEstimator(kmeans)).fit(X).explain(X)
        np.testing.assert_array_equal(explanation.targets[:, 0], kmeans.predict(X))


def test_outlier_relevance_refuses_a_frozen_model():
    from skl_lrp import outlier_relevance

    X = np.random.RandomState(0).normal(size=(40, 2))
    with pytest.raises(TypeError, match="cannot refit a FrozenEstimator"):
        outlier_relevance(FrozenEstimator(KernelDensity().fit(X)), X)
