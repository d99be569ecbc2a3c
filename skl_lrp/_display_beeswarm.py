"""RelevanceBeeswarmDisplay: every sample's relevance, one row of dots per
feature, coloured by the feature's value."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._display import (
    AX,
    DATA,
    ESTIMATOR,
    EXPLANATION,
    MAX_FEATURES,
    REPORT,
    RelevanceDisplayMixin,
    shorten,
)
from ._display_colours import marker, scatter_by_feature, value_colorbar


class RelevanceBeeswarmDisplay(RelevanceDisplayMixin):
    """Every sample's relevance per feature, coloured by the feature's value.

    One row of dots per feature (most relevant first), one dot per sample at
    its relevance, jittered vertically. A numeric feature is coloured by its
    value's quantile (blue low to red high, with a colour bar), a
    categorical one by one colour per level (with a legend; grey beyond ten
    levels); missing values are light grey.

    Build it with :meth:`from_report` or :meth:`from_estimator`, then call
    :meth:`plot` to draw it again elsewhere.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_samples, n_features)
        Per-sample relevance.
    values : ndarray of shape (n_samples, n_features), default=None
        Feature values as floats: numbers, or for a categorical feature the
        index of the level in ``categories[j]``; NaN where missing. None:
        the dots are grey.
    categories : list of length n_features, default=None
        The levels (strings) of each categorical feature, None for numeric
        ones; None: every feature is numeric.
    relevances : ndarray of shape (n_features, n_folds), default=None
        Mean absolute relevance per fold, which ranks the features (their
        mean over folds, as the report's table); None ranks them by mean
        absolute relevance over samples.
    positive_only : bool, default=None
        Whether every relevance has the sign of its score (the
        "deep-taylor" preset), which the axis label says. None: whether
        every relevance is at least 0.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib PathCollection
        The dots, one collection per feature and colour.
    colorbar_ : matplotlib Colorbar or None
        The colour bar of the numeric features' values (None without one).

    See Also
    --------
    RelevanceBarDisplay : The mean over samples, as bars.
    RelevanceDependenceDisplay : One feature's relevance against its value.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceBeeswarmDisplay
    >>> rng = np.random.RandomState(0)
    >>> display = RelevanceBeeswarmDisplay(feature_names=["a", "b"],
    ...     relevance=rng.normal(size=(20, 2)), values=rng.normal(size=(20, 2)))
    >>> display = display.plot()
    >>> sum(len(points.get_offsets()) for points in display.artists_)
    40
    """

    def __init__(
        self,
        *,
        feature_names,
        relevance,
        values=None,
        categories=None,
        relevances=None,
        positive_only=None,
    ):
        self.feature_names = feature_names
        self.relevance = relevance
        self.values = values
        self.categories = categories
        self.relevances = relevances
        self.positive_only = positive_only

    @classmethod
    @validate_params(
        {"report": REPORT, "ax": AX, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, ax=None, max_features=10):
        """Plot the held-out samples of a :class:`RelevanceReport`.

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
        display : RelevanceBeeswarmDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBeeswarmDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> display = RelevanceBeeswarmDisplay.from_report(report)
        >>> display.colorbar_.ax.get_ylabel()
        'feature value (low → high)'
        """
        display = cls._from_report_data(report)
        return display.plot(ax=ax, max_features=max_features)

    @classmethod
    @validate_params(
        {
            "estimator": ESTIMATOR,
            "X": DATA,
            "target": "no_validation",  # "predicted" or any label
            "ax": AX,
            "max_features": MAX_FEATURES,
        },
        prefer_skip_nested_validation=True,
    )
    def from_estimator(cls, estimator, X, *, target=None, ax=None, max_features=10):
        """Explain `X` and plot every sample's relevance.

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

        Returns
        -------
        display : RelevanceBeeswarmDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBeeswarmDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> display = RelevanceBeeswarmDisplay.from_estimator(model, X, max_features=2)
        >>> sum(len(points.get_offsets()) for points in display.artists_)
        300
        """
        display = cls._from_estimator_data(estimator, X, target)
        return display.plot(ax=ax, max_features=max_features)

    @classmethod
    @validate_params(
        {
            "explanation": EXPLANATION,
            "X": DATA + [None],
            "ax": AX,
            "max_features": MAX_FEATURES,
        },
        prefer_skip_nested_validation=True,
    )
    def from_explanation(cls, explanation, X=None, *, ax=None, max_features=10):
        """Plot every sample's relevance from an explanation already computed.

        Parameters
        ----------
        explanation : Bunch
            From :meth:`RelevanceExplainer.explain` or :func:`explain`, of one
            target (``target="predicted"`` or one label).
        X : {array-like, sparse matrix, DataFrame} of shape \
(n_samples, n_features), default=None
            The explained samples, whose values colour the dots (a column
            holding anything but numbers is categorical); None: grey dots.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.

        Returns
        -------
        display : RelevanceBeeswarmDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceBeeswarmDisplay, explain
        >>> X, y = load_iris(return_X_y=True)
        >>> explanation = explain(LogisticRegression(max_iter=500).fit(X, y), X)
        >>> display = RelevanceBeeswarmDisplay.from_explanation(explanation, X)
        >>> display.colorbar_ is not None
        True
        """
        display = cls._from_explanation_data(explanation, X)
        return display.plot(ax=ax, max_features=max_features)

    @validate_params(
        {"ax": AX, "max_features": MAX_FEATURES}, prefer_skip_nested_validation=True
    )
    def plot(self, ax=None, *, max_features=10):
        """Draw the dots.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first.

        Returns
        -------
        self : RelevanceBeeswarmDisplay
            With ``ax_``, ``figure_``, ``artists_`` and ``colorbar_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceBeeswarmDisplay
        >>> display = RelevanceBeeswarmDisplay(feature_names=["a", "b"],
        ...     relevance=np.array([[0.5, -0.2], [0.1, 0.3]]))
        >>> [label.get_text() for label in display.plot().ax_.get_yticklabels()]
        ['a', 'b']
        """
        ax = self._axes(ax, 0.35 * max_features + 1.5)
        shown = self._shown(max_features)
        relevance = np.asarray(self.relevance)
        rng = np.random.RandomState(0)  # jitter only; the same picture each time
        artists, handles, colorbar, any_value = [], [], None, False
        for row, j in enumerate(shown):
            y = len(shown) - 1 - row + rng.uniform(-0.3, 0.3, len(relevance))
            name = shorten(self.feature_names[j], 25)
            values = None if self.values is None else np.asarray(self.values)[:, j]
            how, points, coloured = scatter_by_feature(
                ax, relevance[:, j], y, values, self._levels(j), size=8
            )
            artists += points
            any_value |= how == "value"
            handles += [
                marker(colour, f"{name} = {level}") for colour, level in coloured
            ]
            if how == "many":
                handles.append(
                    marker(
                        "grey",
                        f"{name}: {len(self._levels(j))} levels, too many "
                        "to colour (grey)",
                    )
                )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(np.arange(len(shown))[::-1], self._labels(shown))
        ax.set_xlabel(self._relevance_label())
        ax.set_ylabel("feature")
        ax.set_title("Relevance of every sample (one dot per row)")
        if any_value:
            colorbar = value_colorbar(ax, "feature value (low \u2192 high)")
        if handles:
            ax.legend(
                handles=handles,
                title="categorical features",
                loc="upper left",
                bbox_to_anchor=(0, -0.12),
                ncol=2,
                fontsize="small",
                frameon=False,
            )
        return self._drawn(ax, artists, colorbar)
