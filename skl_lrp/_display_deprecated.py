"""RelevanceDisplay, deprecated: one display for every kind of plot, which
hands each kind to its own display (:mod:`skl_lrp._display`)."""

import os
import sys
import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from ._display import (
    AX,
    COLOR,
    DATA,
    ESTIMATOR,
    MAX_FEATURES,
    REPORT,
    RelevanceDisplayMixin,
    check_sample,
    estimator_data,
    report_data,
)
from ._display_bar import RelevanceBarDisplay
from ._display_beeswarm import RelevanceBeeswarmDisplay
from ._display_dependence import RelevanceDependenceDisplay
from ._display_stability import RelevanceStabilityDisplay
from ._display_waterfall import RelevanceWaterfallDisplay

# Each kind: its display, and the arguments of plot() it takes.
_KINDS = {
    "bar": (RelevanceBarDisplay, ("max_features", "color")),
    "beeswarm": (RelevanceBeeswarmDisplay, ("max_features",)),
    "dependence": (RelevanceDependenceDisplay, ("feature", "color_by", "color")),
    "stability": (RelevanceStabilityDisplay, ("max_features",)),
    "waterfall": (RelevanceWaterfallDisplay, ("sample", "max_features")),
}
KINDS = tuple(_KINDS)
_KIND = [StrOptions(set(KINDS))]
DEPRECATION = (
    "RelevanceDisplay is deprecated in 0.1 and will be removed in 0.3; use "
    "one display per kind: RelevanceBarDisplay, RelevanceBeeswarmDisplay, "
    "RelevanceDependenceDisplay, RelevanceStabilityDisplay or "
    "RelevanceWaterfallDisplay (kind='bar', 'beeswarm', 'dependence', "
    "'stability', 'waterfall'), which take the same data and only the "
    "arguments of their kind."
)


class RelevanceDisplay(RelevanceDisplayMixin):
    """Plots of relevance, of every kind (deprecated).

    .. deprecated:: 0.1
        ``RelevanceDisplay`` is deprecated in 0.1 and will be removed in
        0.3. Use one display per kind: :class:`RelevanceBarDisplay`
        (``kind="bar"``), :class:`RelevanceBeeswarmDisplay`,
        :class:`RelevanceDependenceDisplay`,
        :class:`RelevanceStabilityDisplay` and
        :class:`RelevanceWaterfallDisplay`, which have the same
        ``from_report`` and ``from_estimator`` without ``kind``, and take
        only the arguments their kind uses.

    Build it with :meth:`from_report` (cross-validated relevance) or
    :meth:`from_estimator` (a fitted explainer and data), then call
    :meth:`plot`; each kind is drawn by its own display.

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
        What each score is measured against; "waterfall" starts there.
    values : ndarray of shape (n_samples, n_features), default=None
        Feature values as floats (see :class:`RelevanceBeeswarmDisplay`).
    relevances : ndarray of shape (n_features, n_folds), default=None
        Mean absolute relevance per fold: error bars of "bar" and the ranks
        of "stability".
    categories : list of length n_features, default=None
        The levels (strings) of each categorical feature, None for numeric
        ones.
    targets : ndarray of shape (n_samples,), default=None
        The class (or output) explained for each sample (for "waterfall").
    outputs : ndarray of shape (n_samples,), default=None
        What each score stands for (for "waterfall").
    row_labels : ndarray of shape (n_samples,), default=None
        The samples' index labels; None names a sample "row i".
    task : {"classification", "regression"}, default=None
        What the scores are (for "waterfall").
    positive_only : bool, default=None
        Whether every relevance has the sign of its score; None works it
        out from `relevance` and `scores`.

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

    See Also
    --------
    RelevanceBarDisplay : ``kind="bar"``.
    RelevanceBeeswarmDisplay : ``kind="beeswarm"``.
    RelevanceDependenceDisplay : ``kind="dependence"``.
    RelevanceStabilityDisplay : ``kind="stability"``.
    RelevanceWaterfallDisplay : ``kind="waterfall"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import warnings
    >>> import numpy as np
    >>> from skl_lrp import RelevanceDisplay
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     display = RelevanceDisplay(feature_names=["a", "b"],
    ...         relevance=np.array([[0.5, -0.2], [0.1, 0.3]]))
    >>> caught[0].category.__name__
    'FutureWarning'
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
        warnings.warn(DEPRECATION, FutureWarning, stacklevel=_caller_level())
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
        {"report": REPORT, "kind": _KIND, "ax": AX},
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_report(cls, report, *, kind="bar", ax=None, **kwargs):
        """Plot a :class:`RelevanceReport` (deprecated).

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

        See Also
        --------
        RelevanceBarDisplay.from_report : The same, for ``kind="bar"``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import warnings
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDisplay, cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     display = RelevanceDisplay.from_report(report, kind="stability")
        >>> display.kind_
        'stability'
        """
        return cls._from_data(report_data(report)).plot(ax=ax, kind=kind, **kwargs)

    @classmethod
    @validate_params(
        {
            "estimator": ESTIMATOR,
            "X": DATA,
            "kind": _KIND,
            "ax": AX,
            "target": "no_validation",  # "predicted" or any label
        },
        prefer_skip_nested_validation=False,  # plot() validates **kwargs
    )
    def from_estimator(
        cls, estimator, X, *, kind="beeswarm", ax=None, target=None, **kwargs
    ):
        """Explain `X` and plot the result (deprecated).

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

        See Also
        --------
        RelevanceBeeswarmDisplay.from_estimator : The same, for
            ``kind="beeswarm"``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import warnings
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import RelevanceDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = LogisticRegression(max_iter=500).fit(X, y)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     display = RelevanceDisplay.from_estimator(model, X, kind="waterfall")
        >>> len(display.artists_) > 0
        True
        """
        data = estimator_data(estimator, X, target, cls._parameters())
        return cls._from_data(data).plot(ax=ax, kind=kind, **kwargs)

    @validate_params(
        {
            "ax": AX,
            "kind": _KIND,
            "max_features": MAX_FEATURES,
            "sample": [Integral],
            "color": COLOR,
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
        """Draw the display (deprecated).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        kind : {"bar", "beeswarm", "dependence", "stability", "waterfall"}, \
default="bar"
            What to draw: the plot of :class:`RelevanceBarDisplay`,
            :class:`RelevanceBeeswarmDisplay`,
            :class:`RelevanceDependenceDisplay`,
            :class:`RelevanceStabilityDisplay` (needs folds) or
            :class:`RelevanceWaterfallDisplay` (needs the scores).
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

        See Also
        --------
        RelevanceWaterfallDisplay.plot : The same, for ``kind="waterfall"``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import warnings
        >>> import numpy as np
        >>> from skl_lrp import RelevanceDisplay
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     display = RelevanceDisplay(feature_names=["a", "b"],
        ...         relevance=np.array([[0.5, -0.2]]), scores=np.array([0.3]),
        ...         absorbed=np.array([0.0]), values=np.array([[1.0, 2.0]]))
        >>> print(display.plot(kind="waterfall").ax_.get_title())
        row 0: score 0.3
        >>> [t.get_text() for t in display.ax_.get_yticklabels()]
        ['a = 1', 'b = 2']
        """
        check_sample(sample, len(self.relevance))
        self._check_data(kind, feature)
        display_class, takes = _KINDS[kind]
        data = {name: getattr(self, name) for name in self._parameters()}
        data["positive_only"] = self._is_positive_only()
        options = {"max_features": max_features, "sample": sample, "color": color}
        options.update(feature=feature, color_by=color_by)
        shown = display_class._from_data(data).plot(
            ax, **{name: options[name] for name in takes}
        )
        self.ax_, self.figure_, self.kind_ = shown.ax_, shown.figure_, kind
        self.artists_, self.colorbar_ = shown.artists_, shown.colorbar_
        return self

    def _check_data(self, kind, feature):
        """A ValueError when the display lacks what `kind` needs."""
        if kind == "dependence" and feature is None:
            names = [str(name) for name in self.feature_names]
            raise ValueError(
                'kind="dependence" needs feature=: the feature to plot, '
                f"by name or index, e.g. feature={names[0]!r}."
            )
        if kind == "dependence" and self.values is None:
            raise ValueError('kind="dependence" needs the feature values (values=).')
        if kind == "stability" and self.relevances is None:
            raise ValueError(
                'kind="stability" needs relevance per fold: use '
                "from_report with a cross-validated report."
            )
        if kind == "waterfall" and self.scores is None:
            raise ValueError('kind="waterfall" needs the explained scores.')


def _caller_level():
    """The ``stacklevel`` of the first frame outside skl_lrp and
    scikit-learn (whose parameter validation wraps the constructors), as
    seen from the function that calls this one: the user's call."""
    import sklearn

    inside = (os.path.dirname(__file__), os.path.dirname(sklearn.__file__))
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(inside):
        frame, level = frame.f_back, level + 1
    return level
