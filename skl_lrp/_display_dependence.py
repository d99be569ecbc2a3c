"""RelevanceDependenceDisplay: one feature's relevance against its value."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._display import (
    AX,
    COLOR,
    DATA,
    ESTIMATOR,
    EXPLANATION,
    FEATURE,
    REPORT,
    RelevanceDisplayMixin,
    feature_index,
    shorten,
)
from ._display_colours import marker, scatter_by_feature, value_colorbar

# Shared by the constraints of from_report, from_estimator and plot.
_PLOT = {"ax": AX, "feature": FEATURE, "color_by": FEATURE + [None], "color": COLOR}


class RelevanceDependenceDisplay(RelevanceDisplayMixin):
    """One feature's relevance against its value, one dot per sample.

    A categorical feature is drawn as a jittered strip of dots per level.
    The dots may be coloured by a second feature (``color_by``): numbers by
    their quantile (blue low to red high, with a colour bar), categories by
    one colour per level (with a legend). Samples whose value is missing are
    left out.

    Build it with :meth:`from_report` or :meth:`from_estimator`, then call
    :meth:`plot` to draw another feature.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_samples, n_features)
        Per-sample relevance.
    values : ndarray of shape (n_samples, n_features)
        Feature values as floats: numbers, or for a categorical feature the
        index of the level in ``categories[j]``; NaN where missing.
    categories : list of length n_features, default=None
        The levels (strings) of each categorical feature, None for numeric
        ones; None: every feature is numeric.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib PathCollection
        The dots, one collection per colour.
    colorbar_ : matplotlib Colorbar or None
        The colour bar of a numeric `color_by` feature (None without one).

    See Also
    --------
    RelevanceBeeswarmDisplay : Every feature's relevance, coloured by value.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceDependenceDisplay
    >>> display = RelevanceDependenceDisplay(feature_names=["a", "b"],
    ...     relevance=np.array([[0.5, -0.2], [0.1, 0.3]]),
    ...     values=np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> display.plot(feature="a").ax_.get_title()
    'Relevance of a against its value'
    """

    def __init__(self, *, feature_names, relevance, values, categories=None):
        self.feature_names = feature_names
        self.relevance = relevance
        self.values = values
        self.categories = categories

    @classmethod
    @validate_params({"report": REPORT, **_PLOT}, prefer_skip_nested_validation=True)
    def from_report(cls, report, *, feature, color_by=None, ax=None, color=None):
        """Plot one feature of a :class:`RelevanceReport` against its value.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance`.
        feature : str or int
            The feature: a name or a column index.
        color_by : str or int, default=None
            A second feature colouring the dots.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        color : str or tuple, default=None
            Colour of the dots without `color_by`, in any form matplotlib
            takes.

        Returns
        -------
        display : RelevanceDependenceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDependenceDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> display = RelevanceDependenceDisplay.from_report(report, feature="x2")
        >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
        ('x2', 'relevance of x2')
        """
        display = cls._from_report_data(report)
        return display.plot(ax=ax, feature=feature, color_by=color_by, color=color)

    @classmethod
    @validate_params(
        {
            "estimator": ESTIMATOR,
            "X": DATA,
            "target": "no_validation",  # "predicted" or any label
            **_PLOT,
        },
        prefer_skip_nested_validation=True,
    )
    def from_estimator(
        cls, estimator, X, *, feature, color_by=None, target=None, ax=None, color=None
    ):
        """Explain `X` and plot one feature's relevance against its value.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer, or a trained model (explained as it is, with
            bounds learned from `X`).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples to explain.
        feature : str or int
            The feature: a name or a column index.
        color_by : str or int, default=None
            A second feature colouring the dots.
        target : "predicted" or label, default=None
            What to explain; None uses the explainer's ``target``.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        color : str or tuple, default=None
            Colour of the dots without `color_by`.

        Returns
        -------
        display : RelevanceDependenceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDependenceDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> display = RelevanceDependenceDisplay.from_estimator(
        ...     model, X, feature=2, color_by=3)
        >>> display.colorbar_.ax.get_ylabel()
        'x3 (low → high)'
        """
        display = cls._from_estimator_data(estimator, X, target)
        return display.plot(ax=ax, feature=feature, color_by=color_by, color=color)

    @classmethod
    @validate_params(
        {"explanation": EXPLANATION, "X": DATA, **_PLOT},
        prefer_skip_nested_validation=True,
    )
    def from_explanation(
        cls, explanation, X, *, feature, color_by=None, ax=None, color=None
    ):
        """Plot one feature's relevance against its value, from an
        explanation already computed.

        Parameters
        ----------
        explanation : Bunch
            From :meth:`RelevanceExplainer.explain` or :func:`explain`, of one
            target (``target="predicted"`` or one label).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The explained samples (a column holding anything but numbers is
            categorical).
        feature : str or int
            The feature: a name or a column index.
        color_by : str or int, default=None
            A second feature colouring the dots.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        color : str or tuple, default=None
            Colour of the dots without `color_by`.

        Returns
        -------
        display : RelevanceDependenceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDependenceDisplay, explain
        >>> X, y = load_iris(return_X_y=True)
        >>> explanation = explain(LogisticRegression(max_iter=500).fit(X, y), X)
        >>> display = RelevanceDependenceDisplay.from_explanation(
        ...     explanation, X, feature="x3")
        >>> len(display.artists_[0].get_offsets())
        150
        """
        display = cls._from_explanation_data(explanation, X)
        return display.plot(ax=ax, feature=feature, color_by=color_by, color=color)

    @validate_params(_PLOT, prefer_skip_nested_validation=True)
    def plot(self, ax=None, *, feature, color_by=None, color=None):
        """Draw `feature`'s relevance against its value.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        feature : str or int
            The feature: a name or a column index.
        color_by : str or int, default=None
            A second feature colouring the dots.
        color : str or tuple, default=None
            Colour of the dots without `color_by`.

        Returns
        -------
        self : RelevanceDependenceDisplay
            With ``ax_``, ``figure_``, ``artists_`` and ``colorbar_`` set.

        Raises
        ------
        ValueError
            When `feature` or `color_by` is not a feature.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceDependenceDisplay
        >>> display = RelevanceDependenceDisplay(feature_names=["a", "b"],
        ...     relevance=np.array([[0.5, -0.2], [0.1, 0.3]]),
        ...     values=np.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> display.plot(feature="b").artists_[0].get_offsets().tolist()
        [[2.0, -0.2], [4.0, 0.3]]
        """
        # Both checked before a figure is made for nothing.
        j = feature_index(self.feature_names, feature, "feature")
        if color_by is not None:
            color_by = feature_index(self.feature_names, color_by, "color_by")
        ax = self._axes(ax, 5)
        name = shorten(self.feature_names[j])
        values = np.asarray(self.values, dtype=float)
        x, y = values[:, j], np.asarray(self.relevance)[:, j]
        levels = self._levels(j)
        if levels is not None:  # a jittered strip per level
            x = x + np.random.RandomState(0).uniform(-0.25, 0.25, len(x))
        keep = np.isfinite(x)
        x, y = x[keep], y[keep]
        if color_by is None:
            artists = [ax.scatter(x, y, s=10, color=color or "tab:blue")]
            colorbar = None
        else:
            artists, colorbar = self._coloured_by(ax, x, y, color_by, keep)
        ax.axhline(0, color="black", linewidth=0.8)
        if levels is not None:
            ax.set_xticks(
                np.arange(len(levels)),
                [shorten(level, 20) for level in levels],
                rotation=30 if len(levels) > 5 else 0,
            )
            ax.set_xlabel(f"{name} (one strip per level)")
        else:
            ax.set_xlabel(name)
        ax.set_ylabel(f"relevance of {name}")
        ax.set_title(f"Relevance of {name} against its value")
        return self._drawn(ax, artists, colorbar)

    def _coloured_by(self, ax, x, y, k, keep):
        """The dots coloured by feature `k`, with their colour bar or legend;
        returns the dots and the colour bar (or None)."""
        other = shorten(self.feature_names[k], 25)
        values = np.asarray(self.values)[:, k]
        how, artists, coloured = scatter_by_feature(
            ax, x, y, values, self._levels(k), size=10, keep=keep
        )
        colorbar = None
        if how == "value":
            colorbar = value_colorbar(ax, f"{other} (low \u2192 high)")
        handles = [marker(colour, level) for colour, level in coloured]
        if how in ("many", None):
            note = (
                f"{len(self._levels(k))} levels: too many to colour"
                if how == "many"
                else "no values to colour by"
            )
            handles.append(marker("grey", note))
        if handles:
            ax.legend(handles=handles, title=other, fontsize="small")
        return artists, colorbar
