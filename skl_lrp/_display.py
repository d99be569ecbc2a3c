"""RelevanceDisplay: plots of relevance, after scikit-learn's Display API.

A view: :meth:`RelevanceDisplay.from_report` reads the report it is given and
never imports the report's module; features are ranked and their values read
with the report's own helpers (:mod:`skl_lrp._ranking`, :mod:`skl_lrp._values`).

Every piece of user text (feature names, levels, class and row labels) is
drawn literally: its dollar signs are escaped, so matplotlib never reads it
as mathtext.
"""

from numbers import Integral

import numpy as np
from scipy import stats
from sklearn.base import is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from ._describe import categorical_columns
from ._explainer import RelevanceExplainer
from ._ranking import best_and_worst_ranks, descending_order
from ._scoring import explained_outputs
from ._summaries import follows_score
from ._values import feature_values, row_labels

KINDS = ("bar", "beeswarm", "dependence", "stability", "waterfall")
# Shared by the constraints of from_report, from_estimator and plot.
_KIND = [StrOptions(set(KINDS))]
_AX = [HasMethods(["barh", "scatter", "imshow"]), None]
# A categorical feature gets one colour per level up to this many levels
# (the qualitative palette "tab10"), and grey beyond.
MAX_LEVELS = 10
_LOW_HIGH = "coolwarm"  # blue = low, red = high
_RAISES, _LOWERS, _SHARE, _ABSORBED = "tab:red", "tab:blue", "tab:orange", "tab:gray"


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


def _literal(text):
    """`text` as matplotlib draws it literally: no mathtext (``\\$`` is
    drawn as ``$``, and no unescaped ``$`` is left to start a formula)."""
    return str(text).replace("$", r"\$")


def _shorten(name, limit=35):
    """A feature name short enough for an axis label (the tables keep it
    whole), drawn literally."""
    name = str(name)
    name = name if len(name) <= limit else name[: limit - 1] + "\u2026"
    return _literal(name)


def _quantiles(values):
    """Each value's quantile among the finite values of its column, in
    [0, 1] (ties share one), so that a few extreme values do not wash the
    colours out; NaN stays NaN."""
    scaled = np.full(len(values), np.nan)
    finite = np.isfinite(values)
    n = int(finite.sum())
    if n:
        ranks = stats.rankdata(values[finite], method="average")
        scaled[finite] = (ranks - 1) / (n - 1) if n > 1 else 0.5
    return scaled


def _level_colours(n_levels):
    """One colour per level (qualitative palette); at most MAX_LEVELS, since
    more are drawn grey."""
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    return [palette(k) for k in range(n_levels)]


class RelevanceDisplay:
    """Plots of relevance: ranking, per-sample spread, dependence, stability,
    one sample.

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
    baseline : ndarray of shape (n_samples,), default=None
        What each score is measured against (the mean score of the
        explainer's baseline rows); "waterfall" starts there. None: 0, the
        score itself is explained.
    values : ndarray of shape (n_samples, n_features), default=None
        Feature values as floats: numbers, or for a categorical feature the
        index of the level in ``categories[j]``; NaN where missing. They
        colour "beeswarm", place "dependence" and label "waterfall".
    relevances : ndarray of shape (n_features, n_folds), default=None
        Mean absolute relevance per fold: error bars of "bar" and the ranks of
        "stability".
    categories : list of length n_features, default=None
        The levels (strings) of each categorical feature, None for numeric
        ones; None: every feature is numeric.
    targets : ndarray of shape (n_samples,), default=None
        The class (or output) explained for each sample (for "waterfall").
    outputs : ndarray of shape (n_samples,), default=None
        What each score stands for: the predicted probability of the
        explained class (classifiers) or the predicted value (regressors).
    row_labels : ndarray of shape (n_samples,), default=None
        The samples' index labels (a DataFrame's index); None names a sample
        "row i".
    task : {"classification", "regression"}, default=None
        What the scores are: logits of a classifier or outputs of a
        regressor (None: not said).
    positive_only : bool, default=None
        Whether every relevance has the sign of its score (the
        "deep-taylor" preset): the bars then explain the score rather than
        raise or lower it. None works it out from `relevance` and `scores`.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    artists_ : list of matplotlib artists
        What :meth:`plot` drew (bars, points, image).
    colorbar_ : matplotlib Colorbar or None
        The colour bar of the last plot, when colour shows a value.
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
        baseline=None,
        values=None,
        relevances=None,
        categories=None,
        targets=None,
        outputs=None,
        row_labels=None,
        task=None,
        positive_only=None,
    ):
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.relevance = np.asarray(relevance)
        self.scores = scores
        self.absorbed = absorbed
        self.baseline = baseline
        self.values = values
        self.relevances = relevances
        self.categories = categories
        self.targets = targets
        self.outputs = outputs
        self.row_labels = row_labels
        self.task = task
        self.positive_only = positive_only

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
        kind : {"bar", "beeswarm", "dependence", "stability", "waterfall"}, \
default="bar"
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
            baseline=report.relevance_baseline,
            values=report.values,
            relevances=report.relevance_stats.per_fold,
            categories=getattr(report, "categories", None),
            targets=report.targets,
            outputs=getattr(report, "outputs", None),
            row_labels=getattr(report, "row_labels", None),
            task=(
                "regression"
                if report.relevance_stats.classes is None
                else "classification"
            ),
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
        kind : {"bar", "beeswarm", "dependence", "stability", "waterfall"}, \
default="beeswarm"
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
        model = explainer.estimator_
        classifier = is_classifier(model)
        values, categories = feature_values(
            X, len(names), categorical_columns(model, len(names))
        )
        targets = explanation.targets[:, 0]
        display = cls(
            feature_names=names,
            relevance=explanation.relevance[:, 0],
            scores=explanation.scores[:, 0],
            absorbed=explanation.absorbed[:, 0],
            baseline=explanation.baseline[:, 0],
            values=values,
            categories=categories,
            targets=targets,
            outputs=explained_outputs(model, X, targets, classifier),
            row_labels=row_labels(X),
            task="classification" if classifier else "regression",
        )
        return display.plot(ax=ax, kind=kind, **kwargs)

    @validate_params(
        {
            "ax": _AX,
            "kind": _KIND,
            "max_features": [Interval(Integral, 1, None, closed="left")],
            "sample": [Integral],
            "color": [str, tuple, None],
            "feature": [str, Integral, None],
            "color_by": [str, Integral, None],
        },
        prefer_skip_nested_validation=True,
    )
    def plot(
        self,
        ax=None,
        *,
        kind="bar",
        max_features=10,
        sample=0,
        color=None,
        feature=None,
        color_by=None,
    ):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        kind : {"bar", "beeswarm", "dependence", "stability", "waterfall"}, \
default="bar"
            "bar": mean absolute relevance per feature, with the standard
            deviation across folds as error bars when there are folds; for
            rules whose relevance takes both signs, each bar is split into
            the part that raises the score (red) and the part that lowers
            it (blue).
            "beeswarm": each sample's relevance per feature, coloured by the
            feature's value (numbers: their quantile, blue low to red high;
            categories: one colour per level). "dependence": one feature's
            relevance against its value (`feature`), optionally coloured by
            another feature (`color_by`); a categorical feature as a
            jittered strip per level. "stability": each feature's rank in
            each fold (needs folds). "waterfall": one sample's score built
            up from its baseline (dotted line; 0 without one) by its
            features' relevance (each label shows the feature's value), the
            rest of the features, and the ledger's remainder.
        max_features : int, default=10
            Features shown, most relevant first.
        sample : int, default=0
            Row shown by "waterfall", from 0 to ``n_samples - 1``.
        color : str or tuple, default=None
            Colour of the bars ("bar") or points ("dependence" without
            `color_by`), in any form matplotlib takes.
        feature : str or int, default=None
            The feature of "dependence" (required there): a name or a column
            index.
        color_by : str or int, default=None
            A second feature colouring the points of "dependence".

        Returns
        -------
        self : RelevanceDisplay
            With ``ax_``, ``figure_``, ``artists_``, ``colorbar_`` and
            ``kind_`` set.

        Raises
        ------
        ValueError
            When `sample` is not a row, `feature` or `color_by` not a
            feature, or the display lacks the data a kind needs.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceDisplay
        >>> display = RelevanceDisplay(feature_names=["a", "b"],
        ...     relevance=np.array([[0.5, -0.2]]), scores=np.array([0.3]),
        ...     absorbed=np.array([0.0]), values=np.array([[1.0, 2.0]]))
        >>> print(display.plot(kind="waterfall").ax_.get_title())
        row 0: score 0.3
        >>> [t.get_text() for t in display.ax_.get_yticklabels()]
        ['a = 1', 'b = 2']
        """
        plt = _pyplot()
        n_samples = len(self.relevance)
        if not 0 <= sample < n_samples:
            raise ValueError(
                f"sample must be a row of the explained data, from 0 to "
                f"{n_samples - 1}; got sample={sample}."
            )
        if kind == "dependence":  # before a figure is made for nothing
            feature = self._feature_index(feature, "feature", required=True)
            color_by = self._feature_index(color_by, "color_by")
        if ax is None:
            height = 5 if kind == "dependence" else 0.35 * max_features + 1.5
            _, ax = plt.subplots(figsize=(7, max(3, height)))
        shown = descending_order(self._importance())[:max_features]
        self.colorbar_ = None
        draw = getattr(self, f"_plot_{kind}")
        self.artists_ = draw(
            ax, shown, sample=sample, color=color, feature=feature, color_by=color_by
        )
        self.ax_, self.figure_, self.kind_ = ax, ax.figure, kind
        return self

    def _feature_index(self, feature, param, required=False):
        """The column index of `feature` (a name or an index), or None."""
        names = [str(name) for name in self.feature_names]
        if feature is None:
            if required:
                raise ValueError(
                    f'kind="dependence" needs {param}=: the feature to plot, '
                    f"by name or index, e.g. {param}={names[0]!r}."
                )
            return None
        if isinstance(feature, str):
            if feature not in names:
                shown = names[:10] + (["..."] if len(names) > 10 else [])
                raise ValueError(
                    f"{param}={feature!r} is not a feature; the features are {shown}."
                )
            return names.index(feature)
        if not 0 <= feature < len(names):
            raise ValueError(
                f"{param}={feature} is not a feature index: from 0 to {len(names) - 1}."
            )
        return int(feature)

    def _importance(self):
        """Mean |relevance| per feature: the mean over folds when there are
        folds (as the report's table), else over samples."""
        if self.relevances is not None:
            return self.relevances.mean(axis=1)
        return np.abs(self.relevance).mean(axis=0)

    def _labels(self, shown):
        return [_shorten(self.feature_names[i]) for i in shown]

    def _levels(self, j):
        """The levels of feature `j` if it is categorical, else None."""
        if self.categories is None:
            return None
        return self.categories[j]

    def _is_positive_only(self):
        """Whether every relevance has its score's sign (bars then explain
        the score, they do not raise or lower it)."""
        if self.positive_only is not None:
            return bool(self.positive_only)
        return follows_score(self.relevance, self.scores)

    def _relevance_label(self):
        if self._is_positive_only():
            return "relevance (its share of the explained score)"
        return "relevance (> 0 raises the explained score, < 0 lowers it)"

    def _plot_bar(self, ax, shown, color, **_):
        from matplotlib.patches import Patch

        mean = self._importance()[shown]
        error = None
        if self.relevances is not None and self.relevances.shape[1] > 1:
            error = self.relevances[shown].std(axis=1)
        positions = np.arange(len(shown))[::-1]
        label = "mean |relevance|"
        if color is None and not self._is_positive_only():
            # A bar's length is the ranking's mean |relevance|; its two
            # parts, in proportion, what raises and what lowers the score.
            relevance = self.relevance[:, shown]
            up, size = np.maximum(relevance, 0).sum(0), np.abs(relevance).sum(0)
            raising = mean * np.divide(up, size, out=np.zeros_like(up), where=size > 0)
            up_bars = ax.barh(positions, raising, color=_RAISES)
            down_bars = ax.barh(positions, mean - raising, left=raising, color=_LOWERS)
            if error is not None:
                ax.errorbar(mean, positions, xerr=error, fmt="none", ecolor="black")
            artists = [*up_bars, *down_bars]
            label += ", split into what raises and what lowers the score"
            ax.legend(
                handles=[
                    Patch(color=_RAISES, label="raises the score"),
                    Patch(color=_LOWERS, label="lowers the score"),
                ],
                loc="lower right",
                fontsize="small",
            )
        else:
            artists = list(
                ax.barh(
                    positions, mean, xerr=error, color=color or "tab:blue", capsize=3
                )
            )
        ax.set_yticks(positions, self._labels(shown))
        ax.set_xlabel(
            label + ("\n(error bars: std across folds)" if error is not None else "")
        )
        ax.set_ylabel("feature")
        ax.set_title("Feature relevance")
        return artists

    def _colour_by_value(self, j):
        """How to colour the samples by feature `j`: ``("value", quantiles)``
        for numbers, ``("level", codes)`` for up to MAX_LEVELS levels,
        ``("many", None)`` beyond, ``(None, None)`` without values."""
        if self.values is None:
            return None, None
        values = np.asarray(self.values[:, j], dtype=float)
        levels = self._levels(j)
        if levels is not None:
            return ("level", values) if len(levels) <= MAX_LEVELS else ("many", None)
        if not np.isfinite(values).any():
            return None, None
        return "value", _quantiles(values)

    def _plot_beeswarm(self, ax, shown, **_):
        from matplotlib.lines import Line2D

        rng = np.random.RandomState(0)  # jitter only; the same picture each time
        artists, handles, any_value = [], [], False
        for row, j in enumerate(shown):
            y = len(shown) - 1 - row + rng.uniform(-0.3, 0.3, len(self.relevance))
            x = self.relevance[:, j]
            name = _shorten(self.feature_names[j], 25)
            how, points, levels = self._scatter_by_feature(ax, x, y, j, size=8)
            artists += points
            any_value |= how == "value"
            handles += [
                _marker(Line2D, colour, f"{name} = {level}") for colour, level in levels
            ]
            if how == "many":
                handles.append(
                    _marker(
                        Line2D,
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
            self.colorbar_ = self._value_colorbar(ax, "feature value (low \u2192 high)")
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
        return artists

    def _scatter_by_feature(self, ax, x, y, j, size, keep=slice(None)):
        """The points ``(x, y)`` coloured by feature `j` (`keep`: which of
        its rows they are). Returns how they are coloured (see
        :meth:`_colour_by_value`), their artists, and ``(colour, level)``
        of each level coloured. Missing values are light grey; features
        with too many levels or no values, grey."""
        how, colour = self._colour_by_value(j)
        if how is not None and how != "many":
            colour = colour[keep]
        if how == "value":
            finite = np.isfinite(colour)
            points = [
                ax.scatter(
                    x[finite],
                    y[finite],
                    c=colour[finite],
                    cmap=_LOW_HIGH,
                    vmin=0,
                    vmax=1,
                    s=size,
                )
            ]
            levels = []
        elif how == "level":
            palette = _level_colours(len(self._levels(j)))
            levels = [
                (palette[k], _literal(level)) for k, level in enumerate(self._levels(j))
            ]
            points = [
                ax.scatter(x[colour == k], y[colour == k], s=size, color=palette[k])
                for k in range(len(levels))
            ]
        else:
            return how, [ax.scatter(x, y, s=size, color="grey")], []
        missing = ~np.isfinite(colour)
        if missing.any():
            points.append(ax.scatter(x[missing], y[missing], s=size, color="lightgrey"))
        return how, points, levels

    @staticmethod
    def _value_colorbar(ax, label):
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        mappable = ScalarMappable(norm=Normalize(0, 1), cmap=_LOW_HIGH)
        colorbar = ax.figure.colorbar(mappable, ax=ax, pad=0.02, fraction=0.05)
        colorbar.set_ticks([0, 1], labels=["low", "high"])
        colorbar.set_label(label)
        return colorbar

    def _plot_dependence(self, ax, shown, feature, color_by, color, **_):
        from matplotlib.lines import Line2D

        if self.values is None:
            raise ValueError('kind="dependence" needs the feature values (values=).')
        j = feature
        name = _shorten(self.feature_names[j])
        x = np.asarray(self.values[:, j], dtype=float)
        y = self.relevance[:, j]
        levels = self._levels(j)
        if levels is not None:  # a jittered strip per level
            x = x + np.random.RandomState(0).uniform(-0.25, 0.25, len(x))
        keep = np.isfinite(x)
        x, y = x[keep], y[keep]
        artists, handles = [], []
        if color_by is None:
            artists.append(ax.scatter(x, y, s=10, color=color or "tab:blue"))
        else:
            other = _shorten(self.feature_names[color_by], 25)
            how, artists, colours = self._scatter_by_feature(
                ax, x, y, color_by, size=10, keep=keep
            )
            if how == "value":
                self.colorbar_ = self._value_colorbar(ax, f"{other} (low \u2192 high)")
            handles = [_marker(Line2D, colour, level) for colour, level in colours]
            if how in ("many", None):
                note = (
                    f"{len(self._levels(color_by))} levels: too many to colour"
                    if how == "many"
                    else "no values to colour by"
                )
                handles.append(_marker(Line2D, "grey", note))
            if handles:
                ax.legend(handles=handles, title=other, fontsize="small")
        ax.axhline(0, color="black", linewidth=0.8)
        if levels is not None:
            ax.set_xticks(
                np.arange(len(levels)),
                [_shorten(level, 20) for level in levels],
                rotation=30 if len(levels) > 5 else 0,
            )
            ax.set_xlabel(f"{name} (one strip per level)")
        else:
            ax.set_xlabel(name)
        ax.set_ylabel(f"relevance of {name}")
        ax.set_title(f"Relevance of {name} against its value")
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
        ax.set_xlabel("fold")
        ax.set_ylabel("feature")
        ax.set_title("Rank of each feature in each fold (1: most relevant)")
        self.colorbar_ = ax.figure.colorbar(image, ax=ax, label="rank")
        return [image]

    def _value_text(self, i, j):
        """The value of feature `j` in row `i`, as the waterfall shows it."""
        if self.values is None:
            return None
        value = float(self.values[i, j])
        if not np.isfinite(value):
            return "missing"
        levels = self._levels(j)
        if levels is not None:
            return _shorten(levels[int(value)], 20)
        return f"{value:.4g}"

    def _row_name(self, sample):
        if self.row_labels is not None:
            return f"index {_literal(self.row_labels[sample])}"
        return f"row {sample}"

    def _baseline_of(self, sample):
        """What row `sample`'s score is measured against (0: nothing)."""
        return 0.0 if self.baseline is None else float(self.baseline[sample])

    def _waterfall_title(self, sample):
        """Which row, which class, the score, its baseline and what they
        mean."""
        score = float(self.scores[sample])
        output = None if self.outputs is None else float(self.outputs[sample])
        known = output is not None and np.isfinite(output)
        lines = [self._row_name(sample)]
        if self.task == "classification":
            if self.targets is not None:
                lines[0] += f": explained class {_literal(self.targets[sample])}"
            lines.append(
                f"score (logit) {score:.4g}"
                + (f", probability {_probability(output)}" if known else "")
            )
        elif self.task == "regression" and known:
            if np.isclose(output, score, rtol=1e-6, atol=1e-9):
                lines.append(f"score {score:.4g} = the predicted value")
            else:  # a log link (Poisson): the score is the log of the output
                lines.append(f"score {score:.4g}, predicted value {output:.4g}")
        else:
            lines[0] += f": score {score:.4g}"
        baseline = self._baseline_of(sample)
        if baseline:
            lines.append(
                f"measured against the baseline {baseline:.4g}: change "
                f"{score - baseline:+.4g}"
            )
        if self._is_positive_only():
            lines.append(
                "every relevance has the score's sign: bars explain the "
                "score, they do not raise or lower it"
            )
        return "\n".join(lines)

    def _plot_waterfall(self, ax, shown, sample, **_):
        from matplotlib.patches import Patch

        if self.scores is None:
            raise ValueError('kind="waterfall" needs the explained scores.')
        relevance = self.relevance[sample]
        order = descending_order(np.abs(relevance))[: len(shown)]
        steps = []
        for j in order:
            value = self._value_text(sample, j)
            label = _shorten(self.feature_names[j])
            steps.append(
                (label if value is None else f"{label} = {value}", relevance[j])
            )
        rest = relevance.sum() - relevance[order].sum()
        if len(order) < len(relevance):
            steps.append((f"{len(relevance) - len(order)} other features", rest))
        absorbed = 0.0 if self.absorbed is None else float(self.absorbed[sample])
        score, baseline = float(self.scores[sample]), self._baseline_of(sample)
        with_absorbed = abs(absorbed) > 1e-9 * max(1.0, abs(score))  # not rounding
        if with_absorbed:
            steps.append(("absorbed (ledger)", absorbed))
        positive_only = self._is_positive_only()
        start, artists, ends = baseline, [], [baseline, score]
        for row, (_, value) in enumerate(steps):
            colour = _SHARE if positive_only else _RAISES if value >= 0 else _LOWERS
            if with_absorbed and row == len(steps) - 1:  # not a feature: apart
                colour = _ABSORBED
            artists.append(ax.barh(len(steps) - row, value, left=start, color=colour))
            start += value
            ends.append(start)
        # Set by hand: every bar's left end is a sticky edge that margins
        # would not pass, clipping the bars that reach beyond it.
        low, high = min(ends), max(ends)
        pad = 0.06 * ((high - low) or 1.0)
        if baseline:  # around the bars
            ax.set_xlim(low - pad, high + pad)
        else:  # from 0, where the bars start
            ax.set_xlim(low - pad if low < 0 else 0, high + pad if high > 0 else 0)
        ax.axvline(score, color="black", linestyle="--", linewidth=1)
        ax.set_yticks(np.arange(len(steps), 0, -1), [label for label, _ in steps])
        if baseline:
            ax.axvline(baseline, color="black", linestyle=":", linewidth=1)
            ax.set_xlabel(
                "cumulative relevance, from the baseline (dotted line) to the "
                "score (dashed line)"
            )
        else:
            ax.set_xlabel("cumulative relevance, from 0 to the score (dashed line)")
        ax.set_ylabel("feature = its value in this row")
        ax.set_title(self._waterfall_title(sample), fontsize="medium")
        legend = (
            [Patch(color=_SHARE, label="share of the score")]
            if positive_only
            else [
                Patch(color=_RAISES, label="raises the score"),
                Patch(color=_LOWERS, label="lowers the score"),
            ]
        )
        if with_absorbed:
            legend.append(Patch(color=_ABSORBED, label="absorbed (not a feature)"))
        ax.legend(
            handles=legend,
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize="small",
            frameon=False,
        )
        return artists


def _probability(p):
    """A probability to three decimals, never rounded to a certainty."""
    if p > 0.9995:
        return "> 0.999"
    if p < 0.0005:
        return "< 0.001"
    return f"{p:.3f}"


def _marker(line_class, colour, label):
    """A legend entry: one round marker of `colour`."""
    return line_class(
        [], [], marker="o", linestyle="", color=colour, markersize=6, label=label
    )
