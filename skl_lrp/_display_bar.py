"""RelevanceBarDisplay: the ranking, one bar of mean |relevance| per feature."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._display import (
    AX,
    COLOR,
    DATA,
    ESTIMATOR,
    EXPLANATION,
    LOWERS,
    MAX_FEATURES,
    RAISES,
    REPORT,
    RelevanceDisplayMixin,
)


class RelevanceBarDisplay(RelevanceDisplayMixin):
    """Mean absolute relevance per feature, most relevant first.

    With folds (a cross-validated report) the bar is the mean over folds
    and its error bar the standard deviation across folds. For rules whose
    relevance takes both signs, each bar is split into the part that raises
    the score (red) and the part that lowers it (blue).

    Build it with :meth:`from_report` or :meth:`from_estimator`, then call
    :meth:`plot` to draw it again elsewhere.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_samples, n_features)
        Per-sample relevance.
    relevances : ndarray of shape (n_features, n_folds), default=None
        Mean absolute relevance per fold: the bars are their mean and the
        error bars their standard deviation. None: the mean over samples,
        without error bars.
    positive_only : bool, default=None
        Whether every relevance has the sign of its score (the
        "deep-taylor" preset): the bars are then not split. None: whether
        every relevance is at least 0.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib Rectangle
        The bars, top to bottom (with a split, the parts that raise the
        score, then those that lower it).
    colorbar_ : None
        No colour shows a value here.

    See Also
    --------
    RelevanceBeeswarmDisplay : Every sample's relevance per feature.
    RelevanceStabilityDisplay : Each feature's rank in each fold.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceBarDisplay
    >>> display = RelevanceBarDisplay(
    ...     feature_names=["a", "b"], relevance=np.array([[0.5, -0.2], [0.1, 0.3]]))
    >>> display = display.plot()
    >>> [label.get_text() for label in display.ax_.get_yticklabels()]
    ['a', 'b']
    """

    def __init__(
        self, *, feature_names, relevance, relevances=None, positive_only=None
    ):
        self.feature_names = feature_names
        self.relevance = relevance
        self.relevances = relevances
        self.positive_only = positive_only

    @classmethod
    @validate_params(
        {"report": REPORT, "ax": AX, "max_features": MAX_FEATURES, "color": COLOR},
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, ax=None, max_features=10, color=None):
        """Plot the ranking of a :class:`RelevanceReport`.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.
        color : str or tuple, default=None
            Colour of the bars, in any form matplotlib takes; None splits
            them by sign (red raises the score, blue lowers it) unless every
            relevance has its score's sign.

        Returns
        -------
        display : RelevanceBarDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBarDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> display = RelevanceBarDisplay.from_report(report, max_features=2)
        >>> len(display.ax_.get_yticklabels())
        2
        """
        display = cls._from_report_data(report)
        return display.plot(ax=ax, max_features=max_features, color=color)

    @classmethod
    @validate_params(
        {
            "estimator": ESTIMATOR,
            "X": DATA,
            "target": "no_validation",  # "predicted" or any label
            "ax": AX,
            "max_features": MAX_FEATURES,
            "color": COLOR,
        },
        prefer_skip_nested_validation=True,
    )
    def from_estimator(
        cls, estimator, X, *, target=None, ax=None, max_features=10, color=None
    ):
        """Explain `X` and plot the ranking of its features.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer, or a trained model (explained as it is, with
            bounds learned from `X`).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples to explain.
        target : "predicted" or label, default=None
            What to explain; None uses the explainer's ``target``.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.
        color : str or tuple, default=None
            Colour of the bars; None splits them by sign (see
            :meth:`from_report`).

        Returns
        -------
        display : RelevanceBarDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBarDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> display = RelevanceBarDisplay.from_estimator(model, X, color="grey")
        >>> len(display.artists_)
        4
        """
        display = cls._from_estimator_data(estimator, X, target)
        return display.plot(ax=ax, max_features=max_features, color=color)

    @classmethod
    @validate_params(
        {
            "explanation": EXPLANATION,
            "ax": AX,
            "max_features": MAX_FEATURES,
            "color": COLOR,
        },
        prefer_skip_nested_validation=True,
    )
    def from_explanation(cls, explanation, *, ax=None, max_features=10, color=None):
        """Plot the ranking of an explanation already computed.

        Parameters
        ----------
        explanation : Bunch
            From :meth:`RelevanceExplainer.explain` or :func:`explain`, of one
            target (``target="predicted"`` or one label).
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.
        color : str or tuple, default=None
            Colour of the bars; None splits them by sign (see
            :meth:`from_report`).

        Returns
        -------
        display : RelevanceBarDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBarDisplay, explain
        >>> X, y = load_iris(return_X_y=True)
        >>> explanation = explain(LogisticRegression(max_iter=500).fit(X, y), X)
        >>> display = RelevanceBarDisplay.from_explanation(explanation)
        >>> len(display.ax_.get_yticklabels())
        4
        """
        display = cls._from_explanation_data(explanation, None)
        return display.plot(ax=ax, max_features=max_features, color=color)

    @validate_params(
        {"ax": AX, "max_features": MAX_FEATURES, "color": COLOR},
        prefer_skip_nested_validation=True,
    )
    def plot(self, ax=None, *, max_features=10, color=None):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.
        color : str or tuple, default=None
            Colour of the bars; None splits them by sign (see
            :meth:`from_report`).

        Returns
        -------
        self : RelevanceBarDisplay
            With ``ax_``, ``figure_``, ``artists_`` and ``colorbar_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceBarDisplay
        >>> display = RelevanceBarDisplay(feature_names=["a", "b"],
        ...     relevance=np.array([[1.0, 0.5], [3.0, 0.5]]))
        >>> [float(bar.get_width()) for bar in display.plot().artists_]
        [2.0, 0.5]
        """
        from matplotlib.patches import Patch

        ax = self._axes(ax, 0.35 * max_features + 1.5)
        shown = self._shown(max_features)
        mean = self._importance()[shown]
        error = None
        if self.relevances is not None and np.shape(self.relevances)[1] > 1:
            error = np.asarray(self.relevances)[shown].std(axis=1)
        positions = np.arange(len(shown))[::-1]
        label = "mean |relevance|"
        if color is None and not self._is_positive_only():
            # A bar's length is the ranking's mean |relevance|; its two
            # parts, in proportion, what raises and what lowers the score.
            relevance = np.asarray(self.relevance)[:, shown]
            up, size = np.maximum(relevance, 0).sum(0), np.abs(relevance).sum(0)
            raising = mean * np.divide(up, size, out=np.zeros_like(up), where=size > 0)
            up_bars = ax.barh(positions, raising, color=RAISES)
            down_bars = ax.barh(positions, mean - raising, left=raising, color=LOWERS)
            if error is not None:
                ax.errorbar(mean, positions, xerr=error, fmt="none", ecolor="black")
            artists = [*up_bars, *down_bars]
            label += ", split into what raises and what lowers the score"
            ax.legend(
                handles=[
                    Patch(color=RAISES, label="raises the score"),
                    Patch(color=LOWERS, label="lowers the score"),
                ],
                loc="lower right",
                fontsize="small",
            )
        else:
            bars = ax.barh(
                positions, mean, xerr=error, color=color or "tab:blue", capsize=3
            )
            artists = list(bars)
        ax.set_yticks(positions, self._labels(shown))
        ax.set_xlabel(
            label + ("\n(error bars: std across folds)" if error is not None else "")
        )
        ax.set_ylabel("feature")
        ax.set_title("Feature relevance")
        return self._drawn(ax, artists)
