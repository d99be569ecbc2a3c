"""ClusterRelevanceDisplay: which columns define each cluster, as a plot.

A view after scikit-learn's Display API: :meth:`from_report` reads a
:class:`~skl_lrp.ClusterReport` through its attributes; :meth:`from_estimator`
explains the rows of a fitted k-means model itself.
"""

from numbers import Integral

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from ._display import pyplot, shorten
from ._explainer import RelevanceExplainer
from ._network import split_pipeline
from ._ranking import descending_order
from ._unsupervised import check_clustering, group_means

KINDS = ("heatmap", "bar")
_KIND = [StrOptions(set(KINDS))]
_AX = [HasMethods(["barh", "imshow"]), None]
_DIVERGING = "RdBu_r"  # red: pulls rows into the cluster; blue: away
_INTO, _AWAY = "tab:red", "tab:blue"


class ClusterRelevanceDisplay:
    """The clusters side by side: mean relevance of members per column.

    Build it with :meth:`from_report` (a :class:`ClusterReport`, with
    intervals) or :meth:`from_estimator` (a fitted k-means model and data),
    then call :meth:`plot`.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_clusters, n_features)
        The mean relevance of each cluster's members for its margin.
    relevance_ci : ndarray of shape (n_clusters, n_features, 2), default=None
        Intervals of `relevance` (error bars of "bar").
    sizes : ndarray of shape (n_clusters,), default=None
        Members of each cluster (shown in the labels).
    mean_margins : ndarray of shape (n_clusters,), default=None
        The mean margin of each cluster (shown in the labels).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib artists
        What :meth:`plot` drew.
    colorbar_ : matplotlib Colorbar or None
        The colour bar of "heatmap".
    kind_ : str
        The kind last plotted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import ClusterRelevanceDisplay
    >>> display = ClusterRelevanceDisplay(
    ...     feature_names=["a", "b"], relevance=np.array([[2.0, 0.1], [0.3, 1.5]]))
    >>> display.plot().kind_
    'heatmap'
    """

    def __init__(
        self,
        *,
        feature_names,
        relevance,
        relevance_ci=None,
        sizes=None,
        mean_margins=None,
    ):
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.relevance = np.asarray(relevance, dtype=float)
        self.relevance_ci = relevance_ci
        self.sizes = sizes
        self.mean_margins = mean_margins

    @classmethod
    @validate_params(
        {"report": [HasMethods(["cluster_table"])], "kind": _KIND, "ax": _AX},
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_report(cls, report, *, kind="heatmap", ax=None, **kwargs):
        """Plot a :class:`ClusterReport`.

        Parameters
        ----------
        report : ClusterReport
            From :func:`cluster_relevance`.
        kind : {"heatmap", "bar"}, default="heatmap"
            What to draw; see :meth:`plot`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ClusterRelevanceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterRelevanceDisplay, cluster_relevance
        >>> X, _ = make_blobs(100, n_features=3, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> ClusterRelevanceDisplay.from_report(report, kind="bar", cluster=1).kind_
        'bar'
        """
        display = cls(
            feature_names=report.feature_names,
            relevance=report.relevance,
            relevance_ci=report.relevance_ci,
            sizes=report.sizes,
            mean_margins=report.mean_margins,
        )
        return display.plot(ax=ax, kind=kind, **kwargs)

    @classmethod
    @validate_params(
        {
            "estimator": [HasMethods(["fit"])],
            "X": ["array-like", "sparse matrix"],
            "kind": _KIND,
            "ax": _AX,
        },
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_estimator(cls, estimator, X, *, kind="heatmap", ax=None, **kwargs):
        """Explain the rows of `X` for their own clusters and plot the means.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer of a k-means model, or a fitted
            :class:`~sklearn.cluster.KMeans` (or a Pipeline ending in one),
            explained as it is.
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows; each is explained for the cluster it is assigned to.
        kind : {"heatmap", "bar"}, default="heatmap"
            What to draw; see :meth:`plot`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ClusterRelevanceDisplay
            The display, plotted (without intervals).

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterRelevanceDisplay
        >>> X, _ = make_blobs(100, n_features=3, centers=3, random_state=0)
        >>> model = KMeans(3, n_init=3, random_state=0).fit(X)
        >>> ClusterRelevanceDisplay.from_estimator(model, X).relevance.shape
        (3, 3)
        """
        explainer = estimator
        if not isinstance(estimator, RelevanceExplainer):
            check_clustering(estimator, "ClusterRelevanceDisplay.from_estimator")
            explainer = RelevanceExplainer(FrozenEstimator(estimator)).fit(X)
        else:
            check_clustering(
                explainer.estimator_, "ClusterRelevanceDisplay.from_estimator"
            )
        explanation = explainer.explain(X, target="predicted")
        n_clusters = len(split_pipeline(explainer.estimator_)[1].cluster_centers_)
        assigned = np.asarray(explanation.targets[:, 0], dtype=int)
        display = cls(
            feature_names=explanation.feature_names,
            relevance=group_means(explanation.relevance[:, 0], assigned, n_clusters),
            sizes=np.bincount(assigned, minlength=n_clusters),
            mean_margins=group_means(explanation.scores[:, 0], assigned, n_clusters),
        )
        return display.plot(ax=ax, kind=kind, **kwargs)

    @validate_params(
        {
            "ax": _AX,
            "kind": _KIND,
            "max_features": [Interval(Integral, 1, None, closed="left")],
            "cluster": [Integral],
        },
        prefer_skip_nested_validation=True,
    )
    def plot(self, ax=None, *, kind="heatmap", max_features=10, cluster=0):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        kind : {"heatmap", "bar"}, default="heatmap"
            "heatmap": clusters (rows) by columns, each cell the mean
            relevance of the cluster's members (red: the column pulls them
            into their cluster; blue: toward another), the columns with the
            largest relevance in any cluster first. "bar": one cluster's
            columns, most relevant first, with the intervals as error bars
            when there are some.
        max_features : int, default=10
            Columns shown.
        cluster : int, default=0
            The cluster of "bar".

        Returns
        -------
        self : ClusterRelevanceDisplay
            With ``ax_``, ``figure_``, ``artists_``, ``colorbar_`` and
            ``kind_`` set.

        Raises
        ------
        ValueError
            When `cluster` is not a cluster index.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import ClusterRelevanceDisplay
        >>> display = ClusterRelevanceDisplay(
        ...     feature_names=["a", "b"], relevance=np.array([[2.0, -0.1], [0.3, 1.5]]))
        >>> ax = display.plot(kind="bar", cluster=1).ax_
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['b', 'a']
        """
        plt = pyplot()
        n_clusters = len(self.relevance)
        if not 0 <= cluster < n_clusters:
            raise ValueError(
                f"cluster must be a cluster index, from 0 to {n_clusters - 1}; "
                f"got cluster={cluster}."
            )
        shown = min(max_features, self.relevance.shape[1])
        if ax is None:
            rows = n_clusters if kind == "heatmap" else shown
            width = max(6, 0.7 * shown + 3) if kind == "heatmap" else 7
            _, ax = plt.subplots(figsize=(width, max(3, 0.45 * rows + 2)))
        self.colorbar_ = None
        if kind == "heatmap":
            self.artists_ = self._plot_heatmap(ax, shown)
        else:
            self.artists_ = self._plot_bar(ax, shown, cluster)
        self.ax_, self.figure_, self.kind_ = ax, ax.figure, kind
        return self

    def _cluster_label(self, k):
        """``cluster 2 (n=40, margin 3.1)``: a row of the heatmap."""
        details = []
        if self.sizes is not None:
            details.append(f"n={int(self.sizes[k])}")
        if self.mean_margins is not None:
            details.append(f"margin {float(self.mean_margins[k]):.3g}")
        return f"cluster {k}" + (f" ({', '.join(details)})" if details else "")

    def _plot_heatmap(self, ax, shown):
        columns = descending_order(np.abs(self.relevance).max(axis=0))[:shown]
        values = self.relevance[:, columns]
        limit = float(np.abs(values).max()) or 1.0
        image = ax.imshow(
            values, cmap=_DIVERGING, vmin=-limit, vmax=limit, aspect="auto"
        )
        for (k, j), value in np.ndenumerate(values):
            # Light text on the strong colours, dark on the pale ones.
            colour = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(j, k, f"{value:.2g}", ha="center", va="center", color=colour,
                    fontsize=8)  # fmt: skip
        ax.set_xticks(
            np.arange(len(columns)),
            [shorten(self.feature_names[j], 25) for j in columns],
            rotation=40,
            ha="right",
        )
        ax.set_yticks(
            np.arange(len(values)), [self._cluster_label(k) for k in range(len(values))]
        )
        ax.set_title(
            "Mean relevance of each cluster's members for its margin\n"
            "(red: pulls them into the cluster; blue: toward another)"
        )
        self.colorbar_ = ax.figure.colorbar(image, ax=ax, label="mean relevance")
        return [image]

    def _plot_bar(self, ax, shown, cluster):
        from matplotlib.patches import Patch

        row = self.relevance[cluster]
        order = descending_order(np.abs(row))[:shown]
        order = order[np.argsort(-row[order], kind="stable")]  # into it first
        errors = None
        if self.relevance_ci is not None:
            low, high = self.relevance_ci[cluster, order].T
            errors = np.nan_to_num(np.vstack([row[order] - low, high - row[order]]))
        positions = np.arange(len(order))[::-1]
        bars = ax.barh(
            positions,
            row[order],
            xerr=errors,
            color=[_INTO if v >= 0 else _AWAY for v in row[order]],
            capsize=3,
        )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(positions, [shorten(self.feature_names[j]) for j in order])
        ax.set_xlabel(
            "mean relevance for the margin (0: the cluster boundary)"
            + ("; bars: 95% interval" if errors is not None else "")
        )
        ax.set_title(f"What puts rows in {self._cluster_label(cluster)}")
        ax.legend(
            handles=[
                Patch(color=_INTO, label="pulls into the cluster"),
                Patch(color=_AWAY, label="pulls toward another"),
            ],
            fontsize="small",
            loc="lower right",
        )
        return [bars]
