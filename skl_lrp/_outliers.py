"""The most outlying rows of a table, each with its relevance waterfall.

:func:`outlier_relevance` scores every row out of fold: a one-class model
(Gaussian KernelDensity, RBF OneClassSVM) fitted on the other folds scores
and explains it. A row scored by a model fitted on it is one of its own
support points, at distance 0: the soft minimum gives most of an isolated
row's score to that point, and the rule has no feature to pass it to (the
ledger's dead column). Held out, its relevance goes to its columns.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from ._describe import categorical_columns, describe_model, without_addresses
from ._explainer import RelevanceExplainer
from ._optional import import_optional
from ._ranking import descending_order
from ._unsupervised import check_one_class, fold_splits, named_columns
from ._values import feature_values, row_labels

# What the score is measured against, by model.
AGAINST = {
    "KernelDensity": "0, the least score there is (a row on every support "
    "point at once); the score is -log of the density, up to a constant, "
    "divided by gamma = 1 / (2 bandwidth^2)",
    "OneClassSVM": "the model's decision boundary (decision_function = 0): "
    "above it, the row is an outlier",
}


@validate_params(
    {
        "estimator": "no_validation",  # checked below, naming what is supported
        "X": ["array-like", "sparse matrix"],
        "cv": ["cv_object"],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "rules": RelevanceExplainer._parameter_constraints["rules"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "feature_names": ["array-like", None],
    },
    prefer_skip_nested_validation=False,
)
def outlier_relevance(
    estimator,
    X,
    *,
    cv=5,
    top_k=10,
    rules="auto",
    random_state=None,
    n_jobs=None,
    feature_names=None,
):
    """Score every row out of fold, and explain the most outlying ones.

    Each fold fits a clone of `estimator` on the other folds and explains
    the outlier score of its own rows,
    ``o(x) = -log(sum_j alpha_j exp(-gamma ||x - u_j||^2)) / gamma``,
    against the model's baseline (see :class:`OutlierReport`): every row's
    relevance plus the ledger's share sums to ``score - baseline``.

    Parameters
    ----------
    estimator : estimator
        An unfitted :class:`~sklearn.neighbors.KernelDensity`
        (``kernel="gaussian"``) or :class:`~sklearn.svm.OneClassSVM`
        (``kernel="rbf"``), or a Pipeline ending in one.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The rows.
    cv : int, cross-validation generator or iterable, default=5
        The folds; an int is a shuffled :class:`~sklearn.model_selection.KFold`
        seeded by `random_state`. The test folds must cover every row once.
    top_k : int, default=10
        The rows reported, largest ``score - baseline`` first.
    rules : "auto" or list, default="auto"
        As in :class:`RelevanceExplainer`: ``[DistanceShare(), SoftMin()]``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds of an int `cv`.
    n_jobs : int, default=None
        Folds run in parallel through joblib.
    feature_names : array-like of str, default=None
        Names of the columns relevance is reported on, when `X` has none.

    Returns
    -------
    report : OutlierReport
        Every row's score and relevance, and the top rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KernelDensity
    >>> from skl_lrp import outlier_relevance
    >>> X = np.random.RandomState(0).normal(size=(200, 3))
    >>> X[7, 2] = 8.0  # an outlier in the third column
    >>> report = outlier_relevance(KernelDensity(bandwidth=0.5), X, top_k=3,
    ...                            random_state=0)
    >>> int(report.top[0]), report.top_table()[0]["features"][0]["name"]
    (7, 'x2')
    """
    model = check_one_class(estimator)
    n = _num_samples(X)
    splits, cv = fold_splits(cv, n, random_state)
    covered = np.concatenate([test for _, test in splits])
    if len(covered) != n or len(np.unique(covered)) != n:
        raise ValueError(
            "outlier_relevance needs test folds that cover every row exactly "
            "once (each row is scored by a model that did not see it); got a "
            "splitter that does not."
        )
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_fold)(estimator, rules, X, train, test) for train, test in splits
    )
    report = OutlierReport._assemble(folds, splits, X, top_k, cv, type(model).__name__)
    report.feature_names = named_columns(folds[0][1], feature_names)
    return report


def _fold(estimator, rules, X, train, test):
    """A clone fitted on `train`, explaining `test`."""
    explainer = RelevanceExplainer(clone(estimator), rules=rules)
    explainer.fit(_safe_indexing(X, train))
    explanation = explainer.explain(_safe_indexing(X, test))
    return explainer, explanation


@dataclass(kw_only=True, eq=False, repr=False)
class OutlierReport:
    """Out-of-fold outlier scores, their relevance, and the top rows.

    Made by :func:`outlier_relevance`. Each row's score
    ``o(x) = -log(sum_j alpha_j exp(-gamma ||x - u_j||^2)) / gamma`` comes
    from a model that did not see the row; its relevance (plus `absorbed`)
    sums to ``scores - baseline``: a column's relevance is its share of
    how far the row lies beyond the baseline.

    Parameters
    ----------
    feature_names, scores, baseline, relevance, absorbed, folds, top, \
values : ndarray
        See Attributes (all parameters are keyword-only).
    categories : list
        See Attributes.
    row_labels : ndarray or None
        See Attributes.
    settings : dict
        See Attributes.

    Attributes
    ----------
    feature_names : ndarray of shape (n_features,)
        The columns relevance is reported on.
    scores : ndarray of shape (n_samples,)
        Each row's outlier score.
    baseline : ndarray of shape (n_samples,)
        What it is measured against: 0 for KernelDensity; for OneClassSVM,
        the score on the decision boundary of the fold's model.
    relevance : ndarray of shape (n_samples, n_features)
        Each row's relevance.
    absorbed : ndarray of shape (n_samples,)
        What the ledger absorbed (a row on a support point).
    folds : ndarray of shape (n_samples,)
        The fold that held each row out.
    top : ndarray of shape (top_k,)
        The rows with the largest ``scores - baseline``, largest first.
    values : ndarray of shape (n_samples, n_features)
        Feature values as floats (categories as level indices), to label
        the waterfalls.
    categories : list of length n_features
        The levels of each categorical column (None for numbers).
    row_labels : ndarray of shape (n_samples,) or None
        The DataFrame index of the rows (None: rows are numbered from 0).
    settings : dict
        The model, rules, folds and what the score is measured against.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import OneClassSVM
    >>> from skl_lrp import outlier_relevance
    >>> X = np.random.RandomState(0).normal(size=(100, 2))
    >>> report = outlier_relevance(OneClassSVM(nu=0.1), X, top_k=2, random_state=0)
    >>> report.relevance.shape, report.top.shape
    ((100, 2), (2,))
    """

    feature_names: np.ndarray
    scores: np.ndarray
    baseline: np.ndarray
    relevance: np.ndarray
    absorbed: np.ndarray
    folds: np.ndarray
    top: np.ndarray
    values: np.ndarray
    categories: list
    row_labels: np.ndarray | None
    settings: dict

    @classmethod
    def _assemble(cls, folds, splits, X, top_k, cv, model_name):
        explainer, first = folds[0]
        n, names = _num_samples(X), first.feature_names
        arrays = {
            "scores": np.empty(n),
            "baseline": np.empty(n),
            "relevance": np.empty((n, len(names))),
            "absorbed": np.empty(n),
            "folds": np.empty(n, dtype=int),
        }
        for k, ((_, explanation), (_, test)) in enumerate(zip(folds, splits)):
            arrays["scores"][test] = explanation.scores[:, 0]
            arrays["baseline"][test] = explanation.baseline[:, 0]
            arrays["relevance"][test] = explanation.relevance[:, 0]
            arrays["absorbed"][test] = explanation.absorbed[:, 0]
            arrays["folds"][test] = k
        values, categories = feature_values(
            X, len(names), categorical_columns(explainer.estimator_, len(names))
        )
        return cls(
            feature_names=np.asarray(names, dtype=object),
            **arrays,
            top=descending_order(arrays["scores"] - arrays["baseline"])[:top_k],
            values=values,
            categories=categories,
            row_labels=row_labels(X),
            settings={
                "estimator": describe_model(explainer.estimator_),
                "rules": without_addresses(repr(explainer.rules_)),
                "folds": f"{len(splits)} ({without_addresses(repr(cv))}); each "
                "row is scored by the model fitted on the other folds",
                "measured against": AGAINST[model_name],
            },
        )

    def __repr__(self):
        return (
            f"OutlierReport(n_samples={len(self.scores)}, "
            f"n_features={len(self.feature_names)}, top={self.top.tolist()})"
        )

    def _row_name(self, row):
        """How row `row` (a position) is named: its index label, or
        ``row i``."""
        if self.row_labels is not None:
            return f"index {self.row_labels[row]}"
        return f"row {row}"

    def _value_text(self, row, j):
        """Row `row`'s value of column `j`, as text."""
        value = float(self.values[row, j])
        if not np.isfinite(value):
            return "missing"
        if self.categories[j] is not None:
            return str(self.categories[j][int(value)])
        return f"{value:.4g}"

    def top_table(self):
        """One entry per top row, most outlying first.

        Returns
        -------
        rows : list of dict
            Keys "rank" (from 1), "row" (its position in ``X``), "name"
            (its index label, or ``row i``), "score", "baseline",
            "absorbed", and "features": every column by relevance, largest
            first, each a dict of "name", "value" (as text) and "relevance".

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KernelDensity
        >>> from skl_lrp import outlier_relevance
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> report = outlier_relevance(KernelDensity(), X, top_k=1, random_state=0)
        >>> sorted(report.top_table()[0])
        ['absorbed', 'baseline', 'features', 'name', 'rank', 'row', 'score']
        """
        return [
            {
                "rank": rank,
                "row": int(i),
                "name": self._row_name(i),
                "score": float(self.scores[i]),
                "baseline": float(self.baseline[i]),
                "absorbed": float(self.absorbed[i]),
                "features": [
                    {
                        "name": str(self.feature_names[j]),
                        "value": self._value_text(i, j),
                        "relevance": float(self.relevance[i, j]),
                    }
                    for j in descending_order(self.relevance[i])
                ],
            }
            for rank, i in enumerate(self.top, start=1)
        ]

    def to_dict(self):
        """The report as plain Python values, ready for :func:`json.dump`.

        Returns
        -------
        report : dict
            "settings", "n_samples", "feature_names" and "top" (see
            :meth:`top_table`).

        Examples
        --------
        >>> import json
        >>> import numpy as np
        >>> from sklearn.neighbors import KernelDensity
        >>> from skl_lrp import outlier_relevance
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> report = outlier_relevance(KernelDensity(), X, top_k=2, random_state=0)
        >>> sorted(json.loads(json.dumps(report.to_dict())))
        ['feature_names', 'n_samples', 'settings', 'top']
        """
        return {
            "settings": dict(self.settings),
            "n_samples": int(len(self.scores)),
            "feature_names": [str(name) for name in self.feature_names],
            "top": self.top_table(),
        }

    def to_frame(self):
        """The relevance of the top rows as a pandas DataFrame.

        Returns
        -------
        table : pandas.DataFrame of shape (top_k, n_features)
            One row per top row (indexed by its name), one column per
            feature.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KernelDensity
        >>> from skl_lrp import outlier_relevance
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> outlier_relevance(KernelDensity(), X, top_k=3).to_frame().shape
        (3, 2)
        """
        pd = import_optional("pandas", "OutlierReport.to_frame")
        return pd.DataFrame(
            self.relevance[self.top],
            index=pd.Index([self._row_name(i) for i in self.top], name="row"),
            columns=[str(name) for name in self.feature_names],
        )

    def plot_waterfall(self, rank=1, *, ax=None, max_features=10):
        """One top row's score, built up from the baseline by its columns.

        Parameters
        ----------
        rank : int, default=1
            Which top row: 1 is the most outlying.
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        max_features : int, default=10
            Columns shown; the others are one bar.

        Returns
        -------
        display : RelevanceWaterfallDisplay
            The waterfall.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklearn.neighbors import KernelDensity
        >>> from skl_lrp import outlier_relevance
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> report = outlier_relevance(KernelDensity(), X, top_k=2, random_state=0)
        >>> type(report.plot_waterfall(2)).__name__
        'RelevanceWaterfallDisplay'
        """
        from ._display import pyplot
        from ._display_waterfall import RelevanceWaterfallDisplay

        if not (isinstance(rank, Integral) and 1 <= rank <= len(self.top)):
            raise ValueError(
                f"rank must be from 1 (the most outlying row) to {len(self.top)}; "
                f"got rank={rank!r}."
            )
        rows = self.top[[rank - 1]]
        display = RelevanceWaterfallDisplay(
            feature_names=self.feature_names,
            relevance=self.relevance[rows],
            scores=self.scores[rows],
            absorbed=self.absorbed[rows],
            baseline=self.baseline[rows],
            values=self.values[rows],
            categories=self.categories,
            row_labels=(None if self.row_labels is None else self.row_labels[rows]),
        )
        if ax is None:  # (wide enough for the labels and the legend)
            height = 0.35 * min(max_features + 1, len(self.feature_names)) + 2
            ax = pyplot().subplots(figsize=(9, max(3, height)))[1]
        display.plot(ax=ax, max_features=max_features)
        title = display.ax_.get_title().replace(": score", ": outlier score", 1)
        if self.row_labels is None:  # (the display numbers its own rows)
            title = title.replace("row 0", self._row_name(rows[0]), 1)
        if not self.baseline[rows[0]]:  # (the display names a nonzero one)
            first, *rest = title.split("\n")
            against = "measured against 0, the least outlier score there is"
            title = "\n".join([first, against, *rest])
        display.ax_.set_title(title, fontsize="medium")
        return display

    def to_html(self, path, *, title=None):
        """Write the report as one self-contained HTML file.

        Parameters
        ----------
        path : str or path-like
            Where to write.
        title : str, default=None
            Heading of the page.

        Returns
        -------
        path : str or path-like
            The path written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import numpy as np
        >>> from sklearn.neighbors import KernelDensity
        >>> from skl_lrp import outlier_relevance
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> report = outlier_relevance(KernelDensity(), X, top_k=2, random_state=0)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "outliers.html"
        >>> report.to_html(out) == out
        True
        """
        from ._cluster_html import render_outliers

        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render_outliers(self, title=title))
        return path
