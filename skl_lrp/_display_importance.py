"""RelevanceImportanceDisplay: relevance beside permutation importance."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._checks import disagreements
from ._display import AX, MAX_FEATURES, REPORT, RelevanceDisplayMixin
from ._ranking import importance_agreement

RELEVANCE, IMPORTANCE, FLAGGED = "tab:blue", "tab:orange", "mistyrose"


class RelevanceImportanceDisplay(RelevanceDisplayMixin):
    """Relevance beside permutation importance, feature by feature.

    Two bars per feature: mean absolute relevance (what the model's scores
    are made of) and permutation importance (the drop in held-out score
    when the column is shuffled: what the score needs), each as a share of
    its own largest feature's value, with its standard deviation across
    folds as error bars. The title gives their Spearman rank agreement
    (``report.permutation.agreement``); the features the report flags as
    rankings that part ways (its "disagreement" warnings) are shaded and
    labelled in red, and shown even when they are not among the most
    relevant.

    Build it with :meth:`from_report` (a cross-validated report with
    permutation importance), then call :meth:`plot` to draw it again
    elsewhere.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features,)
        Column names.
    relevances : ndarray of shape (n_features, n_folds)
        Mean absolute relevance per fold.
    importances : ndarray of shape (n_features, n_folds)
        Permutation importance per fold.
    scoring : str, default=None
        Name of the score whose drop `importances` measures (such as
        "accuracy"); None: "held-out score".

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    relevance_bars_ : matplotlib BarContainer
        Mean absolute relevance of the features shown, top to bottom, each
        divided by the largest feature's.
    importance_bars_ : matplotlib BarContainer
        Their permutation importance, each divided by the largest feature's.
    flagged_ : list of str
        The features flagged as rankings that part ways, shown shaded.
    artists_ : list of matplotlib Rectangle
        The bars of `relevance_bars_`, then those of `importance_bars_`.
    colorbar_ : None
        No colour shows a value here.

    See Also
    --------
    RelevanceBarDisplay : Mean absolute relevance per feature, with its spread
        across folds.
    RelevanceStabilityDisplay : Each feature's rank in each fold.

    Notes
    -----
    There is no ``from_estimator``: permutation importance needs held-out
    scores, which only the folds of :func:`cross_val_relevance` give
    (run it with ``n_repeats`` of at least 1).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skl_lrp import RelevanceImportanceDisplay
    >>> display = RelevanceImportanceDisplay(feature_names=["a", "b", "c"],
    ...     relevances=np.array([[4.0, 4.0], [2.0, 2.0], [1.0, 1.0]]),
    ...     importances=np.array([[0.2, 0.2], [0.1, 0.1], [0.05, 0.05]]))
    >>> display = display.plot()
    >>> [float(bar.get_width()) for bar in display.importance_bars_]
    [1.0, 0.5, 0.25]
    >>> display.ax_.get_title().splitlines()[1]
    'Spearman rank agreement 1.00 over all 3 features'
    """

    def __init__(self, *, feature_names, relevances, importances, scoring=None):
        self.feature_names = feature_names
        self.relevances = relevances
        self.importances = importances
        self.scoring = scoring

    @classmethod
    @validate_params(
        {"report": REPORT, "ax": AX, "max_features": MAX_FEATURES},
        prefer_skip_nested_validation=True,
    )
    def from_report(cls, report, *, ax=None, max_features=10):
        """Plot a :class:`RelevanceReport`'s relevance beside its permutation
        importance.

        Parameters
        ----------
        report : RelevanceReport
            From :func:`cross_val_relevance` with ``n_repeats`` of at least 1.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first (then any flagged one).

        Returns
        -------
        display : RelevanceImportanceDisplay
            The display, plotted.

        Raises
        ------
        ValueError
            When the report has no permutation importance.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceImportanceDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> display = RelevanceImportanceDisplay.from_report(report)
        >>> len(display.relevance_bars_), len(display.importance_bars_)
        (4, 4)
        """
        if report.permutation is None:
            raise ValueError(
                "This report has no permutation importance to compare relevance "
                "with: it was built with n_repeats=0, or the importance could "
                "not be computed (report.guardrails.warnings says why). Run "
                "cross_val_relevance with n_repeats >= 1."
            )
        display = cls(
            feature_names=report.feature_names,
            relevances=report.relevance_stats.per_fold,
            importances=report.permutation.per_fold,
            scoring=report.settings.get("scoring"),
        )
        return display.plot(ax=ax, max_features=max_features)

    @validate_params(
        {"ax": AX, "max_features": MAX_FEATURES}, prefer_skip_nested_validation=True
    )
    def plot(self, ax=None, *, max_features=10):
        """Draw the pairs of bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Features shown, most relevant first; a feature flagged as
            rankings that part ways is added below them.

        Returns
        -------
        self : RelevanceImportanceDisplay
            With ``ax_``, ``figure_``, ``relevance_bars_``,
            ``importance_bars_``, ``flagged_``, ``artists_`` and
            ``colorbar_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skl_lrp import RelevanceImportanceDisplay
        >>> display = RelevanceImportanceDisplay(feature_names=["a", "b"],
        ...     relevances=np.array([[2.0, 2.0], [1.0, 1.0]]),
        ...     importances=np.array([[0.0, 0.0], [0.3, 0.3]]))
        >>> [float(bar.get_width()) for bar in display.plot().relevance_bars_]
        [1.0, 0.5]
        """
        relevances, importances = (
            np.asarray(self.relevances),
            np.asarray(self.importances),
        )
        names = [str(name) for name in self.feature_names]
        relevance, importance = relevances.mean(axis=1), importances.mean(axis=1)
        # The report's own flags (RelevanceReport.guardrails.warnings).
        self.flagged_ = [
            w["column"] for w in disagreements(names, relevance, importance)
        ]
        shown = list(self._shown(max_features))
        shown += [
            i
            for i in self._shown(len(names))
            if names[i] in self.flagged_ and i not in shown
        ]
        ax = self._axes(ax, 0.5 * len(shown) + 2)
        positions = np.arange(len(shown))[::-1]
        self.relevance_bars_ = self._bars(
            ax, positions + 0.2, relevances, shown, RELEVANCE, "relevance: mean |R|"
        )
        self.importance_bars_ = self._bars(
            ax,
            positions - 0.2,
            importances,
            shown,
            IMPORTANCE,
            self._importance_label(),
        )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(positions, self._labels(shown))
        self._flag(ax, positions, [names[i] in self.flagged_ for i in shown])
        self._label(ax, relevances.shape[1] > 1)
        return self._drawn(ax, [*self.relevance_bars_, *self.importance_bars_])

    @staticmethod
    def _bars(ax, positions, values, shown, colour, label):
        """The bars of one measure (features x folds) for the `shown`
        features: each mean as a share of the largest in absolute value
        (each measure on its own scale), with the std across folds on the
        same scale as error bars (none with one fold)."""
        mean = values.mean(axis=1)
        largest = mean[np.argmax(np.abs(mean))]
        scale = abs(largest) or 1.0
        error = values.std(axis=1)[shown] / scale if values.shape[1] > 1 else None
        return ax.barh(
            positions,
            mean[shown] / scale,
            height=0.4,
            xerr=error,
            color=colour,
            capsize=2,
            label=f"{label} (1 = {largest:.3g})",
        )

    @staticmethod
    def _flag(ax, positions, flagged):
        """Shade the rows of flagged features and write their names in red."""
        for row, tick, flag in zip(positions, ax.get_yticklabels(), flagged):
            if flag:
                ax.axhspan(row - 0.5, row + 0.5, color=FLAGGED, zorder=0)
                tick.set_color("tab:red")
                tick.set_fontweight("bold")

    def _importance_label(self):
        score = "held-out score" if self.scoring is None else f"held-out {self.scoring}"
        return f"permutation importance: drop in {score}"

    def _label(self, ax, folds):
        """Title, axis label and legend: what each number is measured against."""
        from matplotlib.patches import Patch

        relevance = np.asarray(self.relevances).mean(axis=1)
        agreement = importance_agreement(
            relevance, np.asarray(self.importances).mean(1)
        )
        shown = f"{agreement:.2f}" if np.isfinite(agreement) else "n/a"
        ax.set_xlabel(
            "each bar as a share of its measure's largest value"
            + ("\n(error bars: std across folds)" if folds else "")
        )
        ax.set_ylabel("feature (most relevant first)")
        handles, _ = ax.get_legend_handles_labels()
        if self.flagged_:
            handles.append(
                Patch(color=FLAGGED, label="flagged: the rankings part ways")
            )
        # Above the bars, which it would hide; the title above it.
        ax.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.01),
            fontsize="small",
            frameon=False,
        )
        ax.set_title(
            "Relevance beside permutation importance\n"
            f"Spearman rank agreement {shown} over all {len(relevance)} features",
            pad=8 + 15 * len(handles),
        )
