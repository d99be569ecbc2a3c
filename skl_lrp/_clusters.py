"""Which columns define each cluster of a k-means model, with intervals.

:func:`cluster_relevance` fits the clustering once on all rows (the
reference) and explains every row's margin for its own cluster; the mean
over a cluster's members is the report's point estimate. Each resample
(bootstrap or cross-validation fold) refits the clustering step on its
rows, matches its clusters to the reference's (Hungarian matching on the
distances between centroids) and explains the rows it held out: the spread
of their means gives the intervals. The preprocessing of a Pipeline is
fitted once, with the reference, so that every refit's centroids live in
one space and can be matched.

The report is data; its views (:mod:`skl_lrp._cluster_html`,
:mod:`skl_lrp._cluster_display` and its displays) read its attributes and
:meth:`ClusterReport.cluster_table`.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import stats
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from ._describe import describe_model, without_addresses
from ._explainer import RelevanceExplainer
from ._network import split_pipeline
from ._optional import import_optional
from ._ranking import descending_order
from ._report_json import _json_float
from ._scoring import fold_seeds
from ._unsupervised import check_clustering, fold_splits, group_means, named_columns

# What a cluster's relevance is measured against, in words.
AGAINST = (
    "the cluster boundary: a margin of 0 (a row as near a competitor's "
    "centroid as its own)"
)
# The intervals' coverage.
LEVEL = 0.95


@validate_params(
    {
        "estimator": "no_validation",  # checked below, naming what is supported
        "X": ["array-like", "sparse matrix"],
        "n_bootstrap": [Interval(Integral, 2, None, closed="left"), None],
        "cv": ["cv_object"],
        "rules": RelevanceExplainer._parameter_constraints["rules"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "feature_names": ["array-like", None],
    },
    prefer_skip_nested_validation=False,
)
def cluster_relevance(
    estimator,
    X,
    *,
    n_bootstrap=None,
    cv=None,
    rules="auto",
    random_state=None,
    n_jobs=None,
    feature_names=None,
):
    """Which columns define each cluster of a k-means model, with intervals.

    The clustering is fitted on all of `X` (the reference). Each row's
    margin for its own cluster,
    ``f_c(x) = min_{k != c} ||x - mu_k||^2 - ||x - mu_c||^2``, is explained
    by :class:`RelevanceExplainer`; a cluster's profile is the mean
    relevance of its members: positive for the columns that pull its
    members into it, negative for those that pull them toward another
    cluster. Relevance is measured against the cluster boundary (a margin
    of 0): a profile sums to the cluster's mean margin (less what the
    ledger absorbed).

    Intervals come from resamples: each refits the clustering step (the
    preprocessing of a Pipeline is the reference's, fitted once) on its
    rows, matches its clusters to the reference's by their centroids
    (:func:`scipy.optimize.linear_sum_assignment` on squared distances),
    and explains the rows it did not see, each for its own cluster.

    Parameters
    ----------
    estimator : estimator
        A :class:`~sklearn.cluster.KMeans` or
        :class:`~sklearn.cluster.MiniBatchKMeans`, or a Pipeline ending in
        one; cloned and fitted on `X` (wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`, it is used as fitted).
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The rows to cluster.
    n_bootstrap : int, default=None
        Bootstrap resamples (rows drawn with replacement; the rows left out
        are explained). None: 20, unless `cv` is given.
    cv : int, cross-validation generator or iterable, default=None
        Folds instead of bootstrap resamples: the clustering is refitted on
        each training part and explains its test part. An int is a shuffled
        :class:`~sklearn.model_selection.KFold` seeded by `random_state`.
    rules : "auto" or list, default="auto"
        As in :class:`RelevanceExplainer`: ``[Midpoint(), SoftMin(beta=...)]``.
    random_state : int, RandomState instance or None, default=None
        Seeds the resamples and each refit's ``random_state``.
    n_jobs : int, default=None
        Resamples run in parallel through joblib.
    feature_names : array-like of str, default=None
        Names of the columns relevance is reported on, when `X` has none.

    Returns
    -------
    report : ClusterReport
        Per-cluster relevance, intervals, sizes, margins and stability.

    See Also
    --------
    ClusterHeatmapDisplay : The clusters side by side.
    ClusterBarDisplay : One cluster's columns, with their intervals.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from skl_lrp import cluster_relevance
    >>> X, _ = make_blobs(200, n_features=3, centers=3, random_state=0)
    >>> report = cluster_relevance(KMeans(3, n_init=3, random_state=0), X,
    ...                            n_bootstrap=5, random_state=0)
    >>> report.relevance.shape  # clusters x columns
    (3, 3)
    >>> bool(abs(report.relevance.sum(1) + report.absorbed - report.mean_margins).max()
    ...      < 1e-8)
    True
    """
    check_clustering(estimator, "cluster_relevance")
    if n_bootstrap is not None and cv is not None:
        raise ValueError(
            "Give either n_bootstrap (bootstrap resamples) or cv (folds), not "
            f"both; got n_bootstrap={n_bootstrap!r} and cv={cv!r}."
        )
    explainer = RelevanceExplainer(estimator, rules=rules).fit(X)
    explanation = explainer.explain(X)
    explanation.feature_names = named_columns(explanation, feature_names)
    n_clusters = len(split_pipeline(explainer.estimator_)[1].cluster_centers_)
    assigned = explanation.targets[:, 0].astype(int)
    sizes = np.bincount(assigned, minlength=n_clusters)
    if np.any(sizes == 0):
        raise ValueError(
            f"Cluster {int(np.argmin(sizes))} of the model fitted on X has no "
            "member: there is nothing to profile. Use fewer clusters."
        )
    splits, method, folds = _resamples(_num_samples(X), n_bootstrap, cv, random_state)
    seeds = fold_seeds(random_state, len(splits))
    fits = Parallel(n_jobs=n_jobs)(
        delayed(_resample)(explainer, X, assigned, fit, held_out, seed)
        for (fit, held_out), seed in zip(splits, seeds)
    )
    return ClusterReport._assemble(explainer, explanation, fits, method, folds)


def _resamples(n, n_bootstrap, cv, random_state):
    """``[(rows to fit, rows to explain)]`` of `n` rows, the method in
    words, and whether they are folds."""
    if cv is None:
        rng = check_random_state(random_state)
        n_bootstrap = 20 if n_bootstrap is None else n_bootstrap
        splits = []
        for _ in range(n_bootstrap):
            drawn = rng.randint(0, n, n)
            splits.append((drawn, np.setdiff1d(np.arange(n), drawn)))
        method = f"{n_bootstrap} bootstrap resamples (out-of-bag rows explained)"
        return splits, method, False
    splits, cv = fold_splits(cv, n, random_state)
    method = f"{len(splits)} folds ({without_addresses(repr(cv))})"
    return splits, method, True


def match_clusters(reference, centres):
    """The cluster of `centres` that matches each reference centre.

    Parameters
    ----------
    reference : ndarray of shape (n_clusters, n_features)
        The reference clustering's centroids.
    centres : ndarray of shape (n_clusters, n_features)
        Another clustering's centroids, in the same space.

    Returns
    -------
    matching : ndarray of shape (n_clusters,)
        ``matching[k]``: the index in `centres` matched with reference
        cluster ``k``; the sum of squared distances between matched
        centroids is the least of any one-to-one matching.

    Examples
    --------
    >>> import numpy as np
    >>> from skl_lrp._clusters import match_clusters
    >>> match_clusters(np.array([[0.0], [5.0], [9.0]]), np.array([[9.2], [0.1], [4.0]]))
    array([1, 2, 0])
    """
    gaps = reference[:, np.newaxis] - centres[np.newaxis]
    rows, columns = linear_sum_assignment(np.einsum("kjd,kjd->kj", gaps, gaps))
    return columns[np.argsort(rows)]


def _resample(reference, X, assigned, fit, held_out, seed):
    """Refit the clustering step on the rows `fit`, match it to the
    reference, and explain the rows `held_out` for their own clusters."""
    preprocessing, model = split_pipeline(reference.estimator_)
    X_fit = _safe_indexing(X, fit)
    inputs = X_fit if preprocessing is None else preprocessing.transform(X_fit)
    refit = clone(model)
    if "random_state" in refit.get_params():
        refit.set_params(random_state=seed)
    refit.fit(inputs)
    matching = match_clusters(model.cluster_centers_, refit.cluster_centers_)
    fitted = (
        refit
        if preprocessing is None
        else Pipeline([("preprocessing", preprocessing), ("clusters", refit)])
    )
    explainer = clone(reference).set_params(estimator=FrozenEstimator(fitted))
    explainer.fit(X_fit)
    explanation = explainer.explain(_safe_indexing(X, held_out))
    # The refit's cluster j is the reference's cluster back[j].
    back = np.argsort(matching)
    clusters = back[explanation.targets[:, 0].astype(int)]
    n_clusters = len(matching)
    return {
        "relevance": group_means(explanation.relevance[:, 0], clusters, n_clusters),
        "margins": group_means(explanation.scores[:, 0], clusters, n_clusters),
        "stability": group_means(
            clusters == assigned[held_out], assigned[held_out], n_clusters
        ),
        "matching": matching,
    }


def _interval(point, per_resample, folds):
    """A 95% interval around `point` from the resamples' estimates (axis 0):
    ``point +- z * sd`` (bootstrap: the sd of the estimates is the standard
    error) or ``point +- t * sd / sqrt(k)`` (k folds, each an estimate from
    a share of the rows). NaN where fewer than two resamples had members."""
    available = np.sum(np.isfinite(per_resample), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.nanstd(per_resample, axis=0, ddof=1) if len(per_resample) > 1 else None
    if sd is None:
        sd = np.full_like(point, np.nan)
    sd = np.where(available > 1, sd, np.nan)
    if folds:
        half = stats.t.ppf(0.5 + LEVEL / 2, np.maximum(available - 1, 1))
        half = half * sd / np.sqrt(np.maximum(available, 1))
    else:
        half = stats.norm.ppf(0.5 + LEVEL / 2) * sd
    return np.stack([point - half, point + half], axis=-1)


@dataclass(kw_only=True, eq=False, repr=False)
class ClusterReport:
    """Which columns define each cluster, measured against its boundary.

    Made by :func:`cluster_relevance`. Relevance explains each row's margin
    for its own cluster, ``min_{k != c} ||x - mu_k||^2 - ||x - mu_c||^2``
    (in the model's input space: after a Pipeline's preprocessing), mapped
    back to the columns of ``X``. The margin is 0 on the boundary of the
    cluster: a cluster's relevance (plus the ledger's share, `absorbed`)
    sums to its mean margin.

    Parameters
    ----------
    feature_names, labels, sizes, mean_margins, relevance, relevance_ci, \
margins_ci, absorbed, stability, resampled, resampled_margins, matching, \
assignments, margins, sample_relevance : ndarray
        See Attributes (all parameters are keyword-only).
    settings : dict
        See Attributes.

    Attributes
    ----------
    feature_names : ndarray of shape (n_features,)
        The columns relevance is reported on.
    labels : ndarray of shape (n_clusters,)
        The cluster indices, as the reference model's ``predict`` gives them.
    sizes : ndarray of shape (n_clusters,)
        Members of each cluster in the reference clustering.
    mean_margins : ndarray of shape (n_clusters,)
        The mean margin of each cluster's members for their cluster.
    relevance : ndarray of shape (n_clusters, n_features)
        The clusters side by side: the mean relevance of each cluster's
        members for its margin (> 0: the column pulls them into the cluster;
        < 0: toward a competitor).
    relevance_ci : ndarray of shape (n_clusters, n_features, 2)
        A 95% interval for each entry of `relevance`, from the resamples
        (see :func:`cluster_relevance`; approximate: the resamples share
        rows). NaN where fewer than two resamples had members of the cluster.
    margins_ci : ndarray of shape (n_clusters, 2)
        The same for `mean_margins`.
    absorbed : ndarray of shape (n_clusters,)
        The mean relevance the ledger absorbed (rows on a boundary of two
        centroids), so that ``relevance.sum(1) + absorbed == mean_margins``.
    stability : ndarray of shape (n_clusters,)
        The mean, over resamples, of the share of a cluster's held-out
        members that the refit (matched) puts in the same cluster.
    resampled : ndarray of shape (n_resamples, n_clusters, n_features)
        Each resample's mean relevance of its held-out members, by matched
        cluster (NaN: none held out).
    resampled_margins : ndarray of shape (n_resamples, n_clusters)
        Their mean margins.
    matching : ndarray of shape (n_resamples, n_clusters)
        The refit's cluster matched with each reference cluster.
    assignments : ndarray of shape (n_samples,)
        Each row's cluster (reference).
    margins : ndarray of shape (n_samples,)
        Each row's margin for its cluster.
    sample_relevance : ndarray of shape (n_samples, n_features)
        Each row's relevance for its cluster's margin.
    settings : dict
        The model, rules, resampling and what relevance is measured against.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import load_iris
    >>> from skl_lrp import cluster_relevance
    >>> X = load_iris(as_frame=True).data
    >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
    ...                            n_bootstrap=5, random_state=0)
    >>> report
    ClusterReport(n_samples=150, n_features=4, n_clusters=2, sizes=[53, 97],
                  resampling='5 bootstrap resamples (out-of-bag rows explained)')
    >>> report.ranked_features(0)[:2]
    ['petal length (cm)', 'petal width (cm)']
    """

    feature_names: np.ndarray
    labels: np.ndarray
    sizes: np.ndarray
    mean_margins: np.ndarray
    relevance: np.ndarray
    relevance_ci: np.ndarray
    margins_ci: np.ndarray
    absorbed: np.ndarray
    stability: np.ndarray
    resampled: np.ndarray
    resampled_margins: np.ndarray
    matching: np.ndarray
    assignments: np.ndarray
    margins: np.ndarray
    sample_relevance: np.ndarray
    settings: dict

    @classmethod
    def _assemble(cls, explainer, explanation, fits, method, folds):
        """The report of the reference explanation and the resamples."""
        assigned = explanation.targets[:, 0].astype(int)
        n_clusters = len(split_pipeline(explainer.estimator_)[1].cluster_centers_)
        relevance = explanation.relevance[:, 0]
        point = group_means(relevance, assigned, n_clusters)
        margins = explanation.scores[:, 0]
        mean_margins = group_means(margins, assigned, n_clusters)
        resampled = np.array([fit["relevance"] for fit in fits])
        resampled_margins = np.array([fit["margins"] for fit in fits])
        return cls(
            feature_names=np.asarray(explanation.feature_names, dtype=object),
            labels=np.arange(n_clusters),
            sizes=np.bincount(assigned, minlength=n_clusters),
            mean_margins=mean_margins,
            relevance=point,
            relevance_ci=_interval(point, resampled, folds),
            margins_ci=_interval(mean_margins, resampled_margins, folds),
            absorbed=group_means(explanation.absorbed[:, 0], assigned, n_clusters),
            stability=np.nanmean([fit["stability"] for fit in fits], axis=0),
            resampled=resampled,
            resampled_margins=resampled_margins,
            matching=np.array([fit["matching"] for fit in fits]),
            assignments=assigned,
            margins=margins,
            sample_relevance=relevance,
            settings={
                "estimator": describe_model(explainer.estimator_),
                "rules": without_addresses(repr(explainer.rules_)),
                "resampling": method,
                "explained": "each row's margin for its own cluster",
                "measured against": AGAINST,
            },
        )

    def __repr__(self):
        return (
            f"ClusterReport(n_samples={len(self.assignments)}, "
            f"n_features={len(self.feature_names)}, "
            f"n_clusters={len(self.labels)}, sizes={self.sizes.tolist()},\n"
            f"              resampling={self.settings['resampling']!r})"
        )

    def ranked_features(self, cluster):
        """The columns by mean relevance for `cluster`, largest first.

        Parameters
        ----------
        cluster : int
            A cluster index (one of `labels`).

        Returns
        -------
        names : list of str
            The columns that pull the cluster's members into it most come
            first; those that pull them away, last.

        Examples
        --------
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import cluster_relevance
        >>> X, _ = make_blobs(100, n_features=2, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> report.ranked_features(1)
        ['x1', 'x0']
        """
        k = self._index(cluster)
        return [str(self.feature_names[j]) for j in descending_order(self.relevance[k])]

    def _index(self, cluster):
        if isinstance(cluster, Integral) and 0 <= cluster < len(self.labels):
            return int(cluster)
        raise ValueError(
            f"cluster={cluster!r} is not a cluster index; expected one of "
            f"{self.labels.tolist()}."
        )

    def cluster_table(self):
        """One entry per cluster: its size, margin, stability and columns.

        Returns
        -------
        rows : list of dict
            Keys "cluster", "size", "mean_margin", "margin_ci" ([low, high]),
            "absorbed", "stability" and "features": the columns by mean
            relevance, largest first, each a dict of "name",
            "mean_relevance", "ci_low" and "ci_high". Undefined numbers
            (an interval without two resamples) are None.

        Examples
        --------
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import cluster_relevance
        >>> X, _ = make_blobs(100, n_features=2, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> row = report.cluster_table()[0]
        >>> row["size"], row["features"][0]["name"]
        (48, 'x1')
        """
        return [self._cluster_row(k) for k in range(len(self.labels))]

    def _cluster_row(self, k):
        return {
            "cluster": int(self.labels[k]),
            "size": int(self.sizes[k]),
            "mean_margin": _json_float(self.mean_margins[k]),
            "margin_ci": [_json_float(v) for v in self.margins_ci[k]],
            "absorbed": _json_float(self.absorbed[k]),
            "stability": _json_float(self.stability[k]),
            "features": [
                {
                    "name": str(self.feature_names[j]),
                    "mean_relevance": _json_float(self.relevance[k, j]),
                    "ci_low": _json_float(self.relevance_ci[k, j, 0]),
                    "ci_high": _json_float(self.relevance_ci[k, j, 1]),
                }
                for j in descending_order(self.relevance[k])
            ],
        }

    def to_dict(self):
        """The report as plain Python values, ready for :func:`json.dump`.

        Returns
        -------
        report : dict
            "settings", "n_samples", "feature_names", "clusters" (see
            :meth:`cluster_table`) and "relevance" (the clusters side by
            side: one list per cluster, in the order of "feature_names").
            Undefined numbers are None, so the values are valid JSON.

        Examples
        --------
        >>> import json
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import cluster_relevance
        >>> X, _ = make_blobs(100, n_features=2, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
        >>> sorted(data)
        ['clusters', 'feature_names', 'n_samples', 'relevance', 'settings']
        """
        return {
            "settings": dict(self.settings),
            "n_samples": int(len(self.assignments)),
            "feature_names": [str(name) for name in self.feature_names],
            "clusters": self.cluster_table(),
            "relevance": [[_json_float(v) for v in row] for row in self.relevance],
        }

    def to_frame(self):
        """The clusters side by side as a pandas DataFrame.

        Returns
        -------
        table : pandas.DataFrame of shape (n_clusters, n_features)
            `relevance`, indexed by cluster, one column per feature.

        Examples
        --------
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import cluster_relevance
        >>> X, _ = make_blobs(100, n_features=2, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> report.to_frame().shape
        (2, 2)
        """
        pd = import_optional("pandas", "ClusterReport.to_frame")
        return pd.DataFrame(
            self.relevance,
            index=pd.Index(self.labels, name="cluster"),
            columns=[str(name) for name in self.feature_names],
        )

    def to_html(self, path, *, title=None):
        """Write the report as one self-contained HTML file.

        Parameters
        ----------
        path : str or path-like
            Where to write.
        title : str, default=None
            Heading of the page.

        Returns
        -------
        path : str or path-like
            The path written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import cluster_relevance
        >>> X, _ = make_blobs(100, n_features=2, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "clusters.html"
        >>> report.to_html(out) == out
        True
        """
        from ._cluster_html import render_clusters

        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render_clusters(self, title=title))
        return path
