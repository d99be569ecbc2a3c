"""RelevanceDisplay: plots of relevance, after scikit-learn's Display API.

A view: :meth:`RelevanceDisplay.from_report` reads the report it is given and
never imports the report's module; features are ranked and their values read
with the report's own helpers (:mod:`skl_lrp._guardrails`).
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

from ._explainer import RelevanceExplainer
from ._guardrails import best_and_worst_ranks, descending_order, float_values

KINDS = ("bar", "beeswarm", "stability", "waterfall")
# Shared by the constraints of from_report, from_estimator and plot.
_KIND = [StrOptions(set(KINDS))]
_AX = [HasMethods(["barh", "scatter", "imshow"]), None]


def _pyplot():
    # scikit-learn's check_matplotlib_support has been private since 1.5
    # (sklearn.utils._optional_dependencies); this one also names the extra.
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, the optional extra 'plot': "
            'pip install "skl_lrp[plot]"'
        ) from exc
    return plt


def _shorten(name, limit=35):
    """A feature name short enough for an axis label (the tables keep it whole)."""
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


class RelevanceDisplay:
    """Plots of relevance: ranking, per-sample spread, stability, one sample.

    Build it with :meth:`from_report` (cross-validated relevance) or
    :meth:`from_estimator` (a fitted explainer and data), then call
    :meth:`plot`. The data are stored, so a display can be re-plotted on
    other axes or as another kind.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_samples, n_features)
        Per-sample relevance.
    scores : ndarray of shape (n_samples,), default=None
        The explained scores (for "waterfall").
    absorbed : ndarray of shape (n_samples,), default=None
        Relevance the ledger says did not reach the inputs (for "waterfall").
    values : ndarray of shape (n_samples, n_features), default=None
        Feature values, colouring "beeswarm" (NaN: not numeric).
    relevances : ndarray of shape (n_features, n_folds), default=None
        Mean absolute relevance per fold: error bars of "bar" and the ranks of
        "stability".

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib artists
        What :meth:`plot` drew (bars, points, image).
    kind_ : str
        The kind last plotted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceDisplay
    >>> display = RelevanceDisplay(
    ...     feature_names=["a", "b"], relevance=np.array([[0.5, -0.2], [0.1, 0.3]]))
    >>> display.plot(kind="bar").kind_
    'bar'
    """

    def __init__(
        self,
        *,
        feature_names,
        relevance,
        scores=None,
        absorbed=None,
        values=None,
        relevances=None,
    ):
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.relevance = np.asarray(relevance)
        self.scores = scores
        self.absorbed = absorbed
        self.values = values
        self.relevances = relevances

    @classmethod
    @validate_params(
        {"report": [HasMethods(["feature_table"])], "kind": _KIND, "ax": _AX},
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_report(cls, report, *, kind="bar", ax=None, **kwargs):
        """Plot a :class:`RelevanceReport`.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance`.
        kind : {"bar", "beeswarm", "stability", "waterfall"}, default="bar"
            What to draw; see :meth:`plot`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RelevanceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> RelevanceDisplay.from_report(report, kind="stability").kind_
        'stability'
        """
        display = cls(
            feature_names=report.feature_names,
            relevance=report.relevance,
            scores=report.scores,
            absorbed=report.absorbed.sum(axis=1),
            values=report.values,
            relevances=report.relevances,
        )
        return display.plot(ax=ax, kind=kind, **kwargs)

    @classmethod
    @validate_params(
        {
            "estimator": [HasMethods(["fit"])],
            "X": ["array-like", "sparse matrix"],
            "kind": _KIND,
            "ax": _AX,
            "target": "no_validation",  # "predicted" or any label
        },
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_estimator(
        cls, estimator, X, *, kind="beeswarm", ax=None, target=None, **kwargs
    ):
        """Explain `X` and plot the result.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer, or a trained model (explained as it is, with
            bounds learned from `X`).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples to explain.
        kind : {"bar", "beeswarm", "stability", "waterfall"}, default="beeswarm"
            What to draw; see :meth:`plot`.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        target : "predicted" or label, default=None
            What to explain; None uses the explainer's ``target``.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RelevanceDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> display = RelevanceDisplay.from_estimator(model, X, kind="waterfall")
        >>> len(display.artists_) > 0
        True
        """
        explainer = estimator
        if not isinstance(estimator, RelevanceExplainer):
            explainer = RelevanceExplainer(FrozenEstimator(estimator)).fit(X)
        explanation = explainer.explain(X, target=target)
        names = explanation.feature_names
        display = cls(
            feature_names=names,
            relevance=explanation.relevance[:, 0],
            scores=explanation.scores[:, 0],
            absorbed=explanation.absorbed[:, 0],
            values=float_values(X, len(names)),
        )
        return display.plot(ax=ax, kind=kind, **kwargs)

    @validate_params(
        {
            "ax": _AX,
            "kind": _KIND,
            "max_features": [Interval(Integral, 1, None, closed="left")],
            "sample": [Integral],
            "color": [str, tuple, None],
        },
        prefer_skip_nested_validation=True,
    )
    def plot(self, ax=None, *, kind="bar", max_features=10, sample=0, color=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        kind : {"bar", "beeswarm", "stability", "waterfall"}, default="bar"
            "bar": mean absolute relevance per feature, with the standard deviation
            across folds as error bars when there are folds. "beeswarm": each
            sample's relevance per feature, coloured by the feature's value.
            "stability": each feature's rank in each fold (needs folds).
            "waterfall": one sample's score built up from its features'
            relevance, the rest of the features, and the ledger's remainder.
        max_features : int, default=10
            Features shown, most relevant first.
        sample : int, default=0
            Row shown by "waterfall".
        color : str or tuple, default=None
            Colour of the bars ("bar"), in any form matplotlib takes.

        Returns
        -------
        self : RelevanceDisplay
            With ``ax_``, ``figure_``, ``artists_`` and ``kind_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceDisplay
        >>> display = RelevanceDisplay(feature_names=["a", "b"],
        ...     relevance=np.array([[0.5, -0.2]]), scores=np.array([0.3]),
        ...     absorbed=np.array([0.0]))
        >>> display.plot(kind="waterfall").ax_.get_title()
        'Sample 0: score 0.3 decomposed'
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, max(3, 0.35 * max_features + 1.5)))
        shown = descending_order(self._importance())[:max_features]
        draw = getattr(self, f"_plot_{kind}")
        self.artists_ = draw(ax, shown, sample=sample, color=color)
        self.ax_, self.figure_, self.kind_ = ax, ax.figure, kind
        return self

    def _importance(self):
        """Mean |relevance| per feature: the mean over folds when there are
        folds (as the report's table), else over samples."""
        if self.relevances is not None:
            return self.relevances.mean(axis=1)
        return np.abs(self.relevance).mean(axis=0)

    def _labels(self, shown):
        return [_shorten(self.feature_names[i]) for i in shown]

    def _plot_bar(self, ax, shown, color, **_):
        mean = self._importance()[shown]
        error = None
        if self.relevances is not None and self.relevances.shape[1] > 1:
            error = self.relevances[shown].std(axis=1)
        positions = np.arange(len(shown))[::-1]
        bars = ax.barh(
            positions, mean, xerr=error, color=color or "tab:blue", capsize=3
        )
        ax.set_yticks(positions, self._labels(shown))
        ax.set_xlabel(
            "mean |relevance|"
            + (" (error bars: std across folds)" if error is not None else "")
        )
        ax.set_title("Feature relevance")
        return list(bars)

    def _plot_beeswarm(self, ax, shown, **_):
        rng = np.random.RandomState(0)  # jitter only; the same picture each time
        artists = []
        for row, j in enumerate(shown):
            y = len(shown) - 1 - row + rng.uniform(-0.3, 0.3, len(self.relevance))
            values = None if self.values is None else self.values[:, j]
            if values is not None and np.isfinite(values).any():
                low, high = np.nanpercentile(values, [5, 95])
                colour = np.clip((values - low) / ((high - low) or 1.0), 0, 1)
                artists.append(
                    ax.scatter(
                        self.relevance[:, j],
                        y,
                        c=colour,
                        s=8,
                        cmap="coolwarm",
                        vmin=0,
                        vmax=1,
                    )
                )
            else:
                artists.append(ax.scatter(self.relevance[:, j], y, s=8, c="grey"))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(np.arange(len(shown))[::-1], self._labels(shown))
        ax.set_xlabel("relevance (colour: feature value, low blue to high red)")
        ax.set_title("Relevance per sample")
        return artists

    def _plot_stability(self, ax, shown, **_):
        if self.relevances is None:
            raise ValueError(
                'kind="stability" needs relevance per fold: use '
                "from_report with a cross-validated report."
            )
        # Ranked as the report ranks them (RelevanceReport.ranks).
        ranks = np.array([best_and_worst_ranks(fold)[0] for fold in self.relevances.T])
        ranks = ranks.T[shown]
        image = ax.imshow(ranks, cmap="viridis_r", aspect="auto")
        middle = (ranks.min() + ranks.max()) / 2
        for (i, k), rank in np.ndenumerate(ranks):
            # Dark text on the light (top) ranks, light text on the dark ones.
            colour = "black" if rank <= middle else "white"
            ax.text(k, i, int(rank), ha="center", va="center", color=colour, fontsize=8)
        ax.set_yticks(np.arange(len(shown)), self._labels(shown))
        ax.set_xticks(
            np.arange(ranks.shape[1]), [f"fold {k + 1}" for k in range(ranks.shape[1])]
        )
        ax.set_title("Rank of each feature in each fold (1: most relevant)")
        ax.figure.colorbar(image, ax=ax, label="rank")
        return [image]

    def _plot_waterfall(self, ax, shown, sample, **_):
        if self.scores is None:
            raise ValueError('kind="waterfall" needs the explained scores.')
        relevance = self.relevance[sample]
        order = descending_order(np.abs(relevance))[: len(shown)]
        steps = [(_shorten(self.feature_names[i]), relevance[i]) for i in order]
        rest = relevance.sum() - relevance[order].sum()
        if len(order) < len(relevance):
            steps.append((f"{len(relevance) - len(order)} other features", rest))
        absorbed = 0.0 if self.absorbed is None else float(self.absorbed[sample])
        score = float(self.scores[sample])
        if abs(absorbed) > 1e-9 * max(1.0, abs(score)):  # more than rounding
            steps.append(("absorbed (ledger)", absorbed))
        start, artists = 0.0, []
        for row, (label, value) in enumerate(steps):
            colour = "tab:red" if value >= 0 else "tab:blue"
            if label == "absorbed (ledger)":  # not a feature: kept apart
                colour = "tab:gray"
            artists.append(
                ax.barh(
                    len(steps) - row,
                    value,
                    left=start,
                    color=colour,
                )
            )
            start += value
        ax.margins(x=0.08)
        ax.axvline(score, color="black", linestyle="--", linewidth=1)
        ax.set_yticks(np.arange(len(steps), 0, -1), [label for label, _ in steps])
        ax.set_xlabel("cumulative relevance (dashed: the score)")
        ax.set_title(f"Sample {sample}: score {score:.4g} decomposed")
        return artists
