"""RelevanceWaterfallDisplay: one sample's score built up from its baseline
by its features' relevance."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._display import (
    ABSORBED,
    AX,
    DATA,
    ESTIMATOR,
    EXPLANATION,
    LOWERS,
    MAX_FEATURES,
    RAISES,
    REPORT,
    SHARE,
    RelevanceDisplayMixin,
    check_sample,
    literal,
    shorten,
)
from ._ranking import descending_order

# Shared by the constraints of from_report, from_estimator and plot.
_PLOT = {
    "ax": AX,
    "sample": [Integral],
    "max_features": MAX_FEATURES,
}


class RelevanceWaterfallDisplay(RelevanceDisplayMixin):
    """One sample's score, built up from its baseline by its features.

    From what the score is measured against (its baseline, a dotted line; 0
    without one), a bar per feature (most relevant in this row first, each
    labelled with the feature's value) adds its relevance, then one bar the
    rest of the features and one what the ledger says was absorbed (biases,
    stabilizers, vanished neurons), up to the score (a dashed line). Red
    bars raise the score, blue ones lower it; under a preset whose relevance
    has the score's sign (Deep Taylor) every bar is a share of the score.
    The title names the row, the explained class and what the score means.

    Build it with :meth:`from_report` or :meth:`from_estimator`, then call
    :meth:`plot` to draw another sample.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevance : ndarray of shape (n_samples, n_features)
        Per-sample relevance.
    scores : ndarray of shape (n_samples,)
        The explained scores.
    absorbed : ndarray of shape (n_samples,), default=None
        Relevance the ledger says did not reach the inputs; None: 0.
    baseline : ndarray of shape (n_samples,), default=None
        What each score is measured against (the mean score of the
        explainer's baseline rows). None: 0, the score itself is explained.
    values : ndarray of shape (n_samples, n_features), default=None
        Feature values as floats: numbers, or for a categorical feature the
        index of the level in ``categories[j]``; NaN where missing. They
        label the bars (None: names alone).
    categories : list of length n_features, default=None
        The levels (strings) of each categorical feature, None for numeric
        ones; None: every feature is numeric.
    targets : ndarray of shape (n_samples,), default=None
        The class (or output) explained for each sample.
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
    artists_ : list of matplotlib BarContainer
        The bars, top to bottom, each of one Rectangle.
    score_line_ : matplotlib Line2D
        The dashed line at the score.
    baseline_line_ : matplotlib Line2D or None
        The dotted line at the baseline (None when it is 0).
    colorbar_ : None
        No colour shows a value here.

    See Also
    --------
    RelevanceBarDisplay : The features' relevance over all samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceWaterfallDisplay
    >>> display = RelevanceWaterfallDisplay(feature_names=["a", "b"],
    ...     relevance=np.array([[0.5, -0.2]]), scores=np.array([0.3]),
    ...     values=np.array([[1.0, 2.0]]))
    >>> print(display.plot().ax_.get_title())
    row 0: score 0.3
    >>> [t.get_text() for t in display.ax_.get_yticklabels()]
    ['a = 1', 'b = 2']
    """

    def __init__(
        self,
        *,
        feature_names,
        relevance,
        scores,
        absorbed=None,
        baseline=None,
        values=None,
        categories=None,
        targets=None,
        outputs=None,
        row_labels=None,
        task=None,
        positive_only=None,
    ):
        self.feature_names = feature_names
        self.relevance = relevance
        self.scores = scores
        self.absorbed = absorbed
        self.baseline = baseline
        self.values = values
        self.categories = categories
        self.targets = targets
        self.outputs = outputs
        self.row_labels = row_labels
        self.task = task
        self.positive_only = positive_only

    @classmethod
    @validate_params({"report": REPORT, **_PLOT}, prefer_skip_nested_validation=True)
    def from_report(cls, report, *, sample=0, ax=None, max_features=10):
        """Plot one held-out sample of a :class:`RelevanceReport`.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance`.
        sample : int, default=0
            The row shown, from 0 to ``n_samples - 1``.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features given a bar of their own, most relevant in this row
            first; the others share one.

        Returns
        -------
        display : RelevanceWaterfallDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceWaterfallDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> display = RelevanceWaterfallDisplay.from_report(report, max_features=2)
        >>> display.ax_.get_yticklabels()[-1].get_text()
        '2 other features'
        """
        display = cls._from_report_data(report)
        return display.plot(ax=ax, sample=sample, max_features=max_features)

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
        cls, estimator, X, *, sample=0, target=None, ax=None, max_features=10
    ):
        """Explain `X` and plot one of its samples.

        Parameters
        ----------
        estimator : RelevanceExplainer or fitted model
            A fitted explainer, or a trained model (explained as it is, with
            bounds learned from `X`).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples to explain.
        sample : int, default=0
            The row of `X` shown, from 0 to ``n_samples - 1``.
        target : "predicted" or label, default=None
            What to explain; None uses the explainer's ``target``.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features given a bar of their own; the others share one.

        Returns
        -------
        display : RelevanceWaterfallDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceWaterfallDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> display = RelevanceWaterfallDisplay.from_estimator(model, X, sample=100)
        >>> display.ax_.get_title().splitlines()[0]
        'row 100: explained class 2'
        """
        display = cls._from_estimator_data(estimator, X, target)
        return display.plot(ax=ax, sample=sample, max_features=max_features)

    @classmethod
    @validate_params(
        {"explanation": EXPLANATION, "X": DATA + [None], **_PLOT},
        prefer_skip_nested_validation=True,
    )
    def from_explanation(
        cls, explanation, X=None, *, sample=0, ax=None, max_features=10
    ):
        """Plot one sample of an explanation already computed.

        Without the model, the title gives the score but not what it
        means (a class's logit or a prediction): :meth:`from_estimator` says.

        Parameters
        ----------
        explanation : Bunch
            From :meth:`RelevanceExplainer.explain` or :func:`explain`, of one
            target (``target="predicted"`` or one label).
        X : {array-like, sparse matrix, DataFrame} of shape \
(n_samples, n_features), default=None
            The explained samples, whose values label the bars (and a
            DataFrame's index names the row); None: names alone.
        sample : int, default=0
            The row shown, from 0 to ``n_samples - 1``.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features given a bar of their own; the others share one.

        Returns
        -------
        display : RelevanceWaterfallDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceWaterfallDisplay, explain
        >>> X, y = load_iris(return_X_y=True)
        >>> explanation = explain(LogisticRegression(max_iter=500).fit(X, y), X)
        >>> display = RelevanceWaterfallDisplay.from_explanation(
        ...     explanation, X, sample=100, max_features=2)
        >>> [t.get_text() for t in display.ax_.get_yticklabels()]
        ['x2 = 6', 'x3 = 2.5', '2 other features']
        """
        display = cls._from_explanation_data(explanation, X)
        return display.plot(ax=ax, sample=sample, max_features=max_features)

    @validate_params(_PLOT, prefer_skip_nested_validation=True)
    def plot(self, ax=None, *, sample=0, max_features=10):
        """Draw row `sample`'s waterfall.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        sample : int, default=0
            The row shown, from 0 to ``n_samples - 1``.
        max_features : int, default=10
            Features given a bar of their own; the others share one.

        Returns
        -------
        self : RelevanceWaterfallDisplay
            With ``ax_``, ``figure_``, ``artists_``, ``score_line_``,
            ``baseline_line_`` and ``colorbar_`` set.

        Raises
        ------
        ValueError
            When `sample` is not a row.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceWaterfallDisplay
        >>> display = RelevanceWaterfallDisplay(feature_names=["a", "b", "c"],
        ...     relevance=np.array([[0.5, -0.2, 0.1]]), scores=np.array([1.4]),
        ...     baseline=np.array([1.0]))
        >>> display = display.plot(max_features=1)
        >>> [t.get_text() for t in display.ax_.get_yticklabels()]
        ['a', '2 other features']
        >>> display.baseline_line_.get_xdata()[0], display.score_line_.get_xdata()[0]
        (1.0, 1.4)
        """
        check_sample(sample, len(self.relevance))
        ax = self._axes(ax, 0.35 * max_features + 1.5)
        steps, with_absorbed = self._steps(sample, max_features)
        score, baseline = float(self.scores[sample]), self._baseline_of(sample)
        positive_only = self._is_positive_only()
        start, artists, ends = baseline, [], [baseline, score]
        for row, (_, value) in enumerate(steps):
            colour = SHARE if positive_only else RAISES if value >= 0 else LOWERS
            if with_absorbed and row == len(steps) - 1:  # not a feature: apart
                colour = ABSORBED
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
        self.score_line_ = ax.axvline(score, color="black", linestyle="--", linewidth=1)
        self.baseline_line_ = None
        ax.set_yticks(np.arange(len(steps), 0, -1), [label for label, _ in steps])
        if baseline:
            self.baseline_line_ = ax.axvline(
                baseline, color="black", linestyle=":", linewidth=1
            )
            ax.set_xlabel(
                "cumulative relevance, from the baseline (dotted line) to the "
                "score (dashed line)"
            )
        else:
            ax.set_xlabel("cumulative relevance, from 0 to the score (dashed line)")
        ax.set_ylabel("feature = its value in this row")
        ax.set_title(self._title(sample), fontsize="medium")
        self._legend(ax, positive_only, with_absorbed)
        return self._drawn(ax, artists)

    def _steps(self, sample, max_features):
        """The bars of row `sample` as ``(label, relevance)``: its
        `max_features` most relevant features, the rest of them, and what
        was absorbed (unless it is rounding); and whether that last one is
        there."""
        relevance = np.asarray(self.relevance)[sample]
        order = descending_order(np.abs(relevance))[:max_features]
        steps = []
        for j in order:
            value = self._value_text(sample, j)
            label = shorten(self.feature_names[j])
            steps.append(
                (label if value is None else f"{label} = {value}", relevance[j])
            )
        rest = relevance.sum() - relevance[order].sum()
        if len(order) < len(relevance):
            steps.append((f"{len(relevance) - len(order)} other features", rest))
        absorbed = 0.0 if self.absorbed is None else float(self.absorbed[sample])
        score = float(self.scores[sample])
        with_absorbed = abs(absorbed) > 1e-9 * max(1.0, abs(score))  # not rounding
        if with_absorbed:
            steps.append(("absorbed (ledger)", absorbed))
        return steps, with_absorbed

    @staticmethod
    def _legend(ax, positive_only, with_absorbed):
        from matplotlib.patches import Patch

        legend = (
            [Patch(color=SHARE, label="share of the score")]
            if positive_only
            else [
                Patch(color=RAISES, label="raises the score"),
                Patch(color=LOWERS, label="lowers the score"),
            ]
        )
        if with_absorbed:
            legend.append(Patch(color=ABSORBED, label="absorbed (not a feature)"))
        ax.legend(
            handles=legend,
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize="small",
            frameon=False,
        )

    def _value_text(self, i, j):
        """The value of feature `j` in row `i`, as the bars' labels show it."""
        if self.values is None:
            return None
        value = float(self.values[i][j])
        if not np.isfinite(value):
            return "missing"
        levels = self._levels(j)
        if levels is not None:
            return shorten(levels[int(value)], 20)
        return f"{value:.4g}"

    def _baseline_of(self, sample):
        """What row `sample`'s score is measured against (0: nothing)."""
        return 0.0 if self.baseline is None else float(self.baseline[sample])

    def _title(self, sample):
        """Which row, which class, the score, its baseline and what they
        mean."""
        score = float(self.scores[sample])
        output = None if self.outputs is None else float(self.outputs[sample])
        known = output is not None and np.isfinite(output)
        lines = [
            f"index {literal(self.row_labels[sample])}"
            if self.row_labels is not None
            else f"row {sample}"
        ]
        if self.task == "classification":
            if self.targets is not None:
                lines[0] += f": explained class {literal(self.targets[sample])}"
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


def _probability(p):
    """A probability to three decimals, never rounded to a certainty."""
    if p > 0.9995:
        return "> 0.999"
    if p < 0.0005:
        return "< 0.001"
    return f"{p:.3f}"
