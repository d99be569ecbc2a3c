"""RelevanceStabilityDisplay: each feature's rank in each fold."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._display import AX, MAX_FEATURES, REPORT, RelevanceDisplayMixin
from ._ranking import best_and_worst_ranks


class RelevanceStabilityDisplay(RelevanceDisplayMixin):
    """How stable the ranking is: each feature's rank in each fold.

    A grid of features (most relevant over all folds first) by folds; each
    cell holds the feature's rank by mean absolute relevance in that fold
    (1: most relevant; ties share their best rank, as
    :meth:`RelevanceReport.feature_table` ranks them). The report sums it up
    in ``rank_spearman`` and ``rank_kendall``.

    Build it with :meth:`from_report` (a cross-validated report: ranks need
    folds), then call :meth:`plot` to draw it again elsewhere.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevances : ndarray of shape (n_features, n_folds)
        Mean absolute relevance per fold.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    im_ : matplotlib AxesImage
        The grid of ranks.
    text_ : ndarray of shape (n_shown, n_folds), dtype=object
        The rank written in each cell.
    artists_ : list of matplotlib AxesImage
        ``[im_]``.
    colorbar_ : matplotlib Colorbar
        The colour bar of the ranks.

    See Also
    --------
    RelevanceBarDisplay : Mean absolute relevance per feature, with its spread
        across folds.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceStabilityDisplay
    >>> display = RelevanceStabilityDisplay(feature_names=["a", "b", "c"],
    ...     relevances=np.array([[3.0, 2.0], [2.0, 3.0], [1.0, 1.0]]))
    >>> display = display.plot()
    >>> [[text.get_text() for text in row] for row in display.text_]
    [['1', '2'], ['2', '1'], ['3', '3']]
    """

    def __init__(self, *, feature_names, relevances):
        self.feature_names = feature_names
        self.relevances = relevances

    @classmethod
    @validate_params(
        {"report": REPORT, "ax": AX, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, ax=None, max_features=10):
        """Plot the ranks of a :class:`RelevanceReport`'s features in its folds.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.

        Returns
        -------
        display : RelevanceStabilityDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceStabilityDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> RelevanceStabilityDisplay.from_report(report).text_.shape
        (4, 3)
        """
        return cls._from_report_data(report).plot(ax=ax, max_features=max_features)

    @validate_params(
        {"ax": AX, "max_features": MAX_FEATURES}, prefer_skip_nested_validation=True
    )
    def plot(self, ax=None, *, max_features=10):
        """Draw the grid of ranks.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.

        Returns
        -------
        self : RelevanceStabilityDisplay
            With ``ax_``, ``figure_``, ``im_``, ``text_``, ``artists_`` and
            ``colorbar_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceStabilityDisplay
        >>> display = RelevanceStabilityDisplay(feature_names=["a", "b"],
        ...     relevances=np.array([[3.0, 2.0, 1.0], [2.0, 3.0, 0.0]]))
        >>> [label.get_text() for label in display.plot().ax_.get_xticklabels()]
        ['fold 1', 'fold 2', 'fold 3']
        """
        ax = self._axes(ax, 0.35 * max_features + 1.5)
        shown = self._shown(max_features)
        # Ranked as the report ranks them (RelevanceReport.ranks).
        relevances = np.asarray(self.relevances)
        ranks = np.array([best_and_worst_ranks(fold)[0] for fold in relevances.T])
        ranks = ranks.T[shown]
        self.im_ = ax.imshow(ranks, cmap="viridis_r", aspect="auto")
        middle = (ranks.min() + ranks.max()) / 2
        self.text_ = np.empty(ranks.shape, dtype=object)
        for (i, k), rank in np.ndenumerate(ranks):
            # Dark text on the light (top) ranks, light text on the dark ones.
            colour = "black" if rank <= middle else "white"
            self.text_[i, k] = ax.text(
                k, i, int(rank), ha="center", va="center", color=colour, fontsize=8
            )
        ax.set_yticks(np.arange(len(shown)), self._labels(shown))
        ax.set_xticks(
            np.arange(ranks.shape[1]), [f"fold {k + 1}" for k in range(ranks.shape[1])]
        )
        ax.set_xlabel("fold")
        ax.set_ylabel("feature")
        ax.set_title("Rank of each feature in each fold (1: most relevant)")
        colorbar = ax.figure.colorbar(self.im_, ax=ax, label="rank")
        return self._drawn(ax, [self.im_], colorbar)
