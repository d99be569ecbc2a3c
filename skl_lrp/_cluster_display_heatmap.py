"""ClusterHeatmapDisplay: the clusters side by side, column by column."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._cluster_display import CLUSTER_REPORT, ClusterDisplayMixin
from ._display import AX, DATA, ESTIMATOR, MAX_FEATURES, pyplot, shorten
from ._ranking import descending_order

DIVERGING = "RdBu_r"  # red: pulls rows into the cluster; blue: away


class ClusterHeatmapDisplay(ClusterDisplayMixin):
    """The clusters side by side: mean relevance of members per column.

    One row per cluster, one column per feature: each cell is the mean
    relevance of the cluster's members for their margin (red: the column
    pulls them into their cluster; blue: toward another), the columns with
    the largest relevance in any cluster first. Each row sums to the
    cluster's mean margin, less what the ledger absorbed.

    Build it with :meth:`from_report` (a :class:`ClusterReport`) or
    :meth:`from_estimator` (a fitted k-means model and data), then call
    :meth:`plot` to draw it again elsewhere.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_clusters, n_features)
        The mean relevance of each cluster's members for its margin.
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
    image_ : matplotlib AxesImage
        The cells: clusters by the columns shown.
    columns_ : ndarray of int
        The columns shown, left to right.
    artists_ : list of matplotlib artists
        `image_`.
    colorbar_ : matplotlib Colorbar
        The colour bar.

    See Also
    --------
    ClusterBarDisplay : One cluster's columns, with their intervals.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import ClusterHeatmapDisplay
    >>> display = ClusterHeatmapDisplay(
    ...     feature_names=["a", "b"], relevance=np.array([[2.0, 0.1], [0.3, 1.5]]))
    >>> display.plot().image_.get_array().shape
    (2, 2)
    """

    def __init__(self, *, feature_names, relevance, sizes=None, mean_margins=None):
        self.feature_names = feature_names
        self.relevance = relevance
        self.sizes = sizes
        self.mean_margins = mean_margins

    @classmethod
    @validate_params(
        {"report": CLUSTER_REPORT, "ax": AX, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, ax=None, max_features=10):
        """Plot the clusters of a :class:`ClusterReport` side by side.

        Parameters
        ----------
        report : ClusterReport
            From :func:`cluster_relevance`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown, the most relevant in any cluster first.

        Returns
        -------
        display : ClusterHeatmapDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterHeatmapDisplay, cluster_relevance
        >>> X, _ = make_blobs(100, n_features=3, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> ClusterHeatmapDisplay.from_report(report).image_.get_array().shape
        (2, 3)
        """
        display = cls._from_cluster_report(report)
        return display.plot(ax=ax, max_features=max_features)

    @classmethod
    @validate_params(
        {"estimator": ESTIMATOR, "X": DATA, "ax": AX, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def from_estimator(cls, estimator, X, *, ax=None, max_features=10):
        """Explain the rows of `X` for their own clusters and plot the means.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer of a k-means model, or a fitted
            :class:`~sklearn.cluster.KMeans` (or a Pipeline ending in one),
            explained as it is.
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows; each is explained for the cluster it is assigned to.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown, the most relevant in any cluster first.

        Returns
        -------
        display : ClusterHeatmapDisplay
            The display, plotted.

        Raises
        ------
        TypeError
            When the model is not a k-means model.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterHeatmapDisplay
        >>> X, _ = make_blobs(100, n_features=3, centers=3, random_state=0)
        >>> model = KMeans(3, n_init=3, random_state=0).fit(X)
        >>> ClusterHeatmapDisplay.from_estimator(model, X).relevance.shape
        (3, 3)
        """
        display = cls._from_cluster_estimator(estimator, X)
        return display.plot(ax=ax, max_features=max_features)

    @validate_params(
        {"ax": AX, "max_features": MAX_FEATURES}, prefer_skip_nested_validation=True
    )
    def plot(self, ax=None, *, max_features=10):
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown, the most relevant in any cluster first.

        Returns
        -------
        self : ClusterHeatmapDisplay
            With ``ax_``, ``figure_``, ``image_``, ``columns_``,
            ``artists_`` and ``colorbar_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import ClusterHeatmapDisplay
        >>> display = ClusterHeatmapDisplay(
        ...     feature_names=["a", "b"], relevance=np.array([[0.2, -3.0], [0.3, 1.5]]))
        >>> ax = display.plot(max_features=1).ax_
        >>> [t.get_text() for t in ax.get_xticklabels()]
        ['b']
        """
        relevance = np.asarray(self.relevance, dtype=float)
        n_clusters = len(relevance)
        self.columns_ = descending_order(np.abs(relevance).max(axis=0))[:max_features]
        values = relevance[:, self.columns_]
        if ax is None:
            width = max(6, 0.7 * len(self.columns_) + 3)
            _, ax = pyplot().subplots(figsize=(width, max(3, 0.45 * n_clusters + 2)))
        limit = float(np.abs(values).max()) or 1.0
        self.image_ = ax.imshow(
            values, cmap=DIVERGING, vmin=-limit, vmax=limit, aspect="auto"
        )
        for (k, j), value in np.ndenumerate(values):
            # Light text on the strong colours, dark on the pale ones.
            colour = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(j, k, f"{value:.2g}", ha="center", va="center", color=colour,
                    fontsize=8)  # fmt: skip
        ax.set_xticks(
            np.arange(len(self.columns_)),
            [shorten(self.feature_names[j], 25) for j in self.columns_],
            rotation=40,
            ha="right",
        )
        ax.set_yticks(
            np.arange(n_clusters), [self._cluster_label(k) for k in range(n_clusters)]
        )
        ax.set_title(
            "Mean relevance of each cluster's members for its margin\n"
            "(red: pulls them into the cluster; blue: toward another)"
        )
        colorbar = ax.figure.colorbar(self.image_, ax=ax, label="mean relevance")
        return self._drawn(ax, [self.image_], colorbar)
