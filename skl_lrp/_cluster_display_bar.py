"""ClusterBarDisplay: one cluster's columns, with their intervals."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._cluster_display import CLUSTER_REPORT, ClusterDisplayMixin
from ._display import AX, DATA, ESTIMATOR, LOWERS, MAX_FEATURES, RAISES
from ._ranking import descending_order

CLUSTER = [Integral]


class ClusterBarDisplay(ClusterDisplayMixin):
    """One cluster's columns: the mean relevance of its members, with their
    intervals.

    One bar per column, the most relevant first (those that pull the
    members into the cluster above those that pull them toward another),
    with the report's 95% intervals as error bars when there are some.

    Build it with :meth:`from_report` (a :class:`ClusterReport`, with
    intervals) or :meth:`from_estimator` (a fitted k-means model and data,
    without), then call :meth:`plot` to draw another cluster.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_clusters, n_features)
        The mean relevance of each cluster's members for its margin.
    relevance_ci : ndarray of shape (n_clusters, n_features, 2), default=None
        Intervals of `relevance` (the error bars); None draws none.
    sizes : ndarray of shape (n_clusters,), default=None
        Members of each cluster (shown in the title).
    mean_margins : ndarray of shape (n_clusters,), default=None
        The mean margin of each cluster (shown in the title).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    bars_ : matplotlib BarContainer
        The bars, top to bottom; ``bars_.errorbar`` holds the intervals.
    columns_ : ndarray of int
        The columns shown, top to bottom.
    artists_ : list of matplotlib Rectangle
        The bars of `bars_`.
    colorbar_ : None
        No colour bar: red and blue only tell the sign.

    See Also
    --------
    ClusterHeatmapDisplay : The clusters side by side.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import ClusterBarDisplay
    >>> display = ClusterBarDisplay(
    ...     feature_names=["a", "b"], relevance=np.array([[2.0, 0.1], [0.3, 1.5]]))
    >>> [float(bar.get_width()) for bar in display.plot(cluster=1).bars_]
    [1.5, 0.3]
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
        self.feature_names = feature_names
        self.relevance = relevance
        self.relevance_ci = relevance_ci
        self.sizes = sizes
        self.mean_margins = mean_margins

    @classmethod
    @validate_params(
        {
            "report": CLUSTER_REPORT,
            "cluster": CLUSTER,
            "ax": AX,
            "max_features": MAX_FEATURES,
        },
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, cluster=0, ax=None, max_features=10):
        """Plot one cluster of a :class:`ClusterReport`, with its intervals.

        Parameters
        ----------
        report : ClusterReport
            From :func:`cluster_relevance`.
        cluster : int, default=0
            The cluster drawn.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown, most relevant first.

        Returns
        -------
        display : ClusterBarDisplay
            The display, plotted.

        Raises
        ------
        ValueError
            When `cluster` is not a cluster index.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterBarDisplay, cluster_relevance
        >>> X, _ = make_blobs(100, n_features=3, centers=2, random_state=0)
        >>> report = cluster_relevance(KMeans(2, n_init=3, random_state=0), X,
        ...                            n_bootstrap=3, random_state=0)
        >>> len(ClusterBarDisplay.from_report(report, cluster=1).bars_)
        3
        """
        display = cls._from_cluster_report(report)
        return display.plot(ax=ax, cluster=cluster, max_features=max_features)

    @classmethod
    @validate_params(
        {
            "estimator": ESTIMATOR,
            "X": DATA,
            "cluster": CLUSTER,
            "ax": AX,
            "max_features": MAX_FEATURES,
        },
        prefer_skip_nested_validation=True,
    )
    def from_estimator(cls, estimator, X, *, cluster=0, ax=None, max_features=10):
        """Explain the rows of `X` for their own clusters and plot one
        cluster's means (without intervals).

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer of a k-means model, or a fitted
            :class:`~sklearn.cluster.KMeans` (or a Pipeline ending in one),
            explained as it is.
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows; each is explained for the cluster it is assigned to.
        cluster : int, default=0
            The cluster drawn.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown, most relevant first.

        Returns
        -------
        display : ClusterBarDisplay
            The display, plotted.

        Raises
        ------
        TypeError
            When the model is not a k-means model.
        ValueError
            When `cluster` is not a cluster index.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.cluster import KMeans
        >>> from sklearn.datasets import make_blobs
        >>> from skl_lrp import ClusterBarDisplay
        >>> X, _ = make_blobs(100, n_features=3, centers=3, random_state=0)
        >>> model = KMeans(3, n_init=3, random_state=0).fit(X)
        >>> ClusterBarDisplay.from_estimator(model, X, cluster=2).relevance.shape
        (3, 3)
        """
        display = cls._from_cluster_estimator(estimator, X)
        return display.plot(ax=ax, cluster=cluster, max_features=max_features)

    @validate_params(
        {"ax": AX, "cluster": CLUSTER, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def plot(self, ax=None, *, cluster=0, max_features=10):
        """Draw cluster `cluster`'s bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        cluster : int, default=0
            The cluster drawn.
        max_features : int, default=10
            Columns shown, most relevant first.

        Returns
        -------
        self : ClusterBarDisplay
            With ``ax_``, ``figure_``, ``bars_``, ``columns_``,
            ``artists_`` and ``colorbar_`` set.

        Raises
        ------
        ValueError
            When `cluster` is not a cluster index.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import ClusterBarDisplay
        >>> display = ClusterBarDisplay(
        ...     feature_names=["a", "b"], relevance=np.array([[2.0, -0.1], [0.3, 1.5]]))
        >>> ax = display.plot(cluster=1).ax_
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['b', 'a']
        """
        relevance = np.asarray(self.relevance, dtype=float)
        if not 0 <= cluster < len(relevance):
            raise ValueError(
                f"cluster must be a cluster index, from 0 to {len(relevance) - 1}; "
                f"got cluster={cluster}."
            )
        row = relevance[cluster]
        order = descending_order(np.abs(row))[:max_features]
        order = order[np.argsort(-row[order], kind="stable")]  # into it first
        errors = self._errors(row, cluster, order)
        ax = self._axes(ax, 0.45 * len(order) + 2)
        positions = np.arange(len(order))[::-1]
        self.columns_ = order
        self.bars_ = ax.barh(
            positions,
            row[order],
            xerr=errors,
            color=[RAISES if v >= 0 else LOWERS for v in row[order]],
            capsize=3,
        )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(positions, self._labels(order))
        self._label(ax, cluster, errors is not None)
        return self._drawn(ax, list(self.bars_))

    def _errors(self, row, cluster, order):
        """The error bars (below, above) of the `order` columns from the
        intervals, or None without intervals; an undefined interval is 0."""
        if self.relevance_ci is None:
            return None
        low, high = np.asarray(self.relevance_ci, dtype=float)[cluster, order].T
        return np.nan_to_num(np.vstack([row[order] - low, high - row[order]]))

    def _label(self, ax, cluster, intervals):
        from matplotlib.patches import Patch

        ax.set_xlabel(
            "mean relevance for the margin (0: the cluster boundary)"
            + ("\n(error bars: 95% interval)" if intervals else "")
        )
        ax.set_title(f"What puts rows in {self._cluster_label(cluster)}")
        ax.legend(
            handles=[
                Patch(color=RAISES, label="pulls into the cluster"),
                Patch(color=LOWERS, label="pulls toward another"),
            ],
            fontsize="small",
            loc="lower right",
        )
