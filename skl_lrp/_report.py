"""Cross-validated relevance: which features a kind of model relies on.

:func:`cross_val_relevance` plans and runs the folds (:mod:`skl_lrp._folds`)
and assembles a :class:`RelevanceReport` from what they sent back: the
out-of-fold rows, and the named parts of :mod:`skl_lrp._summaries`, among
them the guardrails, read through one function
(:func:`skl_lrp._checks.check_folds`). The report is data: its views (the
HTML page, the plots, the command line, the JSON file) read it through its
attributes and :meth:`RelevanceReport.feature_table`, and never import this
module. The one way down is :meth:`RelevanceReport.to_html`, which hands the
report to the HTML view.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from ._checks import check_folds
from ._composites import describe, describe_baseline, resolve_auto
from ._describe import scoring_name, target_meaning, without_addresses
from ._explainer import RelevanceExplainer
from ._folds import FoldTask, check_names, out_of_fold, plan_folds, run_folds
from ._html import render_report
from ._optional import import_optional
from ._ranking import (
    descending_order,
    importance_agreement_reason,
    rank_agreement_reason,
)
from ._report_json import feature_rows, report_dict
from ._rules import named
from ._scoring import fold_seeds
from ._summaries import (
    FoldPerformance,
    Guardrails,
    PermutationImportance,
    RankStability,
    RelevanceStatistics,
    fold_performance,
    ledger,
    permutation_summary,
    rank_stability,
    relevance_statistics,
)
from ._values import feature_values, row_labels

# Where a report draws its background rows from (see _folds._background).
HELD_OUT = "each fold's held-out part"


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"]), HasMethods(["score_samples"])],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "groups": ["array-like", None],
        "cv": ["cv_object"],
        # As the explainer of each fold checks them.
        "rules": RelevanceExplainer._parameter_constraints["rules"],
        "bounds": RelevanceExplainer._parameter_constraints["bounds"],
        "baseline": RelevanceExplainer._parameter_constraints["baseline"],
        "target": "no_validation",  # "true", "predicted" or any label
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "n_repeats": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "return_estimator": ["boolean"],
        "verbose": ["verbose"],
        "progress": [callable, None],
        "random_state": ["random_state"],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "feature_names": ["array-like", None],
    },
    # The estimator and the explainer's settings are validated in each fold.
    prefer_skip_nested_validation=False,
)
def cross_val_relevance(
    estimator,
    X,
    y,
    *,
    cv=5,
    groups=None,
    rules="auto",
    bounds="auto",
    baseline="auto",
    target="true",
    scoring=None,
    n_repeats=5,
    n_jobs=None,
    return_estimator=False,
    verbose=0,
    progress=None,
    random_state=None,
    top_k=5,
    feature_names=None,
):
    """Out-of-fold relevance, its spread across folds and its stability.

    For each split, a clone of `estimator` is fitted on the training part,
    the root point is learned on the training part only, the held-out
    part is explained, and the fold is scored. Folds run in parallel through
    joblib (any backend chosen with :func:`joblib.parallel_config`); batches
    inside a fold then run one after the other.

    Beside relevance, each fold computes checks that do not depend on it
    (``report.guardrails.warnings``; see :ref:`guardrails` in the user guide):
    the permutation importance of every column on the held-out part, and
    the score of a trivial model (class prior or training mean). The report
    flags columns the two importances rank very differently, a model no
    better than the trivial one, unfinished training and identifier-like
    columns.

    Parameters
    ----------
    estimator : estimator
        An unfitted model :class:`RelevanceExplainer` supports: an MLP, a
        linear model, or a Pipeline ending in one.
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,)
        The target.
    cv : int, cross-validation generator or iterable, default=5
        Splitting strategy, as in :func:`~sklearn.model_selection.cross_validate`.
        The test folds must cover every sample exactly once (out-of-fold
        relevance is one row per sample, as in ``cross_val_predict``).
    groups : array-like of shape (n_samples,), default=None
        Group labels for group-aware splitters.
    rules : str, list or dict, default="auto"
        As in :class:`RelevanceExplainer` ("auto": Rescale against background
        rows for a regressor, Deep Taylor for a classifier).
    bounds : {"auto", "column-mean", "mean", "data"} or tuple, default="auto"
        The first layer's root point, as in :class:`RelevanceExplainer`; a
        named one is learned on each training part only.
    baseline : "auto", None, "mean", int or array-like, default="auto"
        What each score is explained against, as in
        :class:`RelevanceExplainer`, with one difference: background rows
        (an int, or "auto" for Rescale) are drawn from each fold's held-out
        part (with the fold's seed, below), so that held-out rows are
        compared with rows the model has not seen either (the average
        prediction on new data); rows of the training part would bring
        what the model memorized of them, an identifier's effect for
        instance, into every explanation. "mean" is the training part's.
    target : "true", "predicted" or label, default="true"
        What is explained for each held-out sample: "true" its true class
        (classifiers) or the output (single-output regressors); "predicted"
        the predicted class; a label that class for every sample.
    scoring : str or callable, default=None
        Fold score; None uses the estimator's ``score``. The permutation
        importance and the trivial baseline are scored the same way.
    n_repeats : int, default=5
        Shuffles of each column in
        :func:`~sklearn.inspection.permutation_importance`, computed in each
        fold on the held-out part, on the columns of `X` as given. 0 skips
        permutation importance (and the disagreement flags built on it).
    n_jobs : int, default=None
        Folds run in parallel (None: 1 unless in a joblib context).
    return_estimator : bool, default=False
        Keep the fitted explainer of every fold in ``report.explainers``.
    verbose : int, default=0
        With 1 or more, a line on standard error as each fold finishes (a
        progress bar when standard error is a terminal).
    progress : callable, default=None
        Called as ``progress(done, total, fold)`` each time a fold ends (in
        the order they end), with `fold` a dict of that fold's "index"
        (from 0), "score", "fit_time" and "explain_time" (seconds): for a
        progress bar of your own. Independent of `verbose`.
    random_state : int, RandomState instance or None, default=None
        With an integer `cv`, shuffle the samples before splitting, with this
        seed; None keeps the order (scikit-learn's default splitters). It
        also seeds the permutations: fold ``k`` passes
        ``numpy.random.SeedSequence([random_state, k]).generate_state(1)[0]``
        to ``permutation_importance`` (for a RandomState instance, one draw
        of ``randint(2**31)`` from it takes the place of `random_state`;
        None leaves the permutations unseeded), and the same seed draws the
        fold's background rows (None: unseeded).
    top_k : int, default=5
        How many top-ranked features the stability figures look at.
    feature_names : array-like of str, default=None
        Column names when `X` has none.

    Returns
    -------
    report : RelevanceReport
        Out-of-fold relevance and its summaries.

    Warns
    -----
    UserWarning
        When the model scores no better than the trivial baseline, and for
        each identifier-like column (``report.guardrails.warnings`` has them
        all).
    ConvergenceWarning
        When a fold's network stopped before converging.

    See Also
    --------
    sklearn.inspection.permutation_importance : Model-agnostic importance.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neural_network import MLPClassifier
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, random_state=0)
    >>> report = cross_val_relevance(mlp, X / 8, y, cv=3, random_state=0)
    >>> report.relevance_stats.per_fold.shape  # features x folds
    (4, 3)
    >>> report.ranked_features()[:2]
    ['x3', 'x2']
    """
    plan = plan_folds(estimator, X, y, groups, cv, random_state)
    if feature_names is not None and not hasattr(estimator, "steps"):
        # (a bare model's relevance is on X's columns: checked before any fold)
        check_names(feature_names, np.shape(plan.X[:1])[1])
    task = FoldTask(
        rules, bounds, baseline, target, scoring, n_repeats, return_estimator
    )
    seeds = fold_seeds(random_state, len(plan.splits))
    folds = run_folds(estimator, plan, task, seeds, n_jobs, verbose, progress)
    for category, message in dict.fromkeys(
        warning for fold in folds for warning in fold.warnings
    ):
        warnings.warn(message, category, stacklevel=2)
    settings = _settings(folds, plan, task, top_k)
    report = RelevanceReport._from_folds(
        folds, plan, task, top_k, feature_names, settings
    )
    for warning in report.guardrails.warnings:
        if warning["kind"] in ("baseline", "cardinality", "constant"):
            warnings.warn(warning["message"], UserWarning, stacklevel=2)
    return report


def _settings(folds, plan, task, top_k):
    """The settings of the report, in words and without memory addresses."""
    used = folds[0].settings  # (the folds resolve "auto" alike)
    drawn = resolve_auto(task.rules, task.bounds, task.baseline, plan.classifier)[2]
    source = HELD_OUT if isinstance(drawn, Integral) else "the training data"
    against = drawn if isinstance(drawn, Integral) else used["baseline"]
    settings = {
        # In words, without memory addresses: the fitted model of the first
        # fold, its helper wrappers left out.
        "estimator": folds[0].model_description,
        "rules": without_addresses(repr(used["rules"])),
        "bounds": (
            "not used: Rescale has no root point"
            if named(used["rules"], "rescale")
            else without_addresses(repr(used["bounds"]))
        ),
        "baseline": describe_baseline(against, source),
        "target": without_addresses(repr(task.target)),
        "target_meaning": target_meaning(task.target, plan.classifier),
        "cv": without_addresses(repr(plan.cv)),
        "scoring": scoring_name(task.scoring, plan.classifier),
        "n_repeats": task.n_repeats,
        "n_splits": len(plan.splits),
        "top_k": top_k,
        "meaning": describe(used["rules"], used["bounds"], against, source),
    }
    if not plan.classifier and isinstance(task.target, str):
        # "true" and "predicted" are classes' words: a regressor's single
        # output is explained either way (target_meaning says so).
        del settings["target"]
    return settings


class _Moved:
    """A flat attribute of the report before its results were grouped: read
    from its new place (`path`, "part.name"), with a FutureWarning."""

    def __init__(self, path):
        self.path = path

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, report, owner=None):
        if report is None:
            return self
        warnings.warn(
            f"RelevanceReport.{self.name} was deprecated in 0.1 and will be "
            f"removed in 0.3; use report.{self.path} instead.",
            FutureWarning,
            stacklevel=2,
        )
        part, name = self.path.split(".")
        part = getattr(report, part)
        return None if part is None else getattr(part, name)


@dataclass(kw_only=True, eq=False, repr=False)
class RelevanceReport:
    """Out-of-fold relevance with its spread and stability across folds.

    Made by :func:`cross_val_relevance`. The per-sample arrays are at the
    top; what the report computes from them is grouped into named parts:
    `relevance_stats`, `stability`, `permutation`, `performance` and
    `guardrails`. Per-feature figures are computed on the mean absolute
    relevance of each fold's held-out samples. :meth:`feature_table` is the
    ranked table that the JSON file, the HTML page and the command line
    show; the plots rank the features alike.

    .. versionchanged:: 0.1
       The figures moved into named parts; the flat names of the earlier
       layout (``relevances_mean``, ``fold_scores``, ``warnings``, ...) still
       read, with a FutureWarning that names the new place, until 0.3.

    Parameters
    ----------
    feature_names, relevance, scores, outputs, targets, absorbed, \
relevance_baseline, values, folds : ndarray
        Per sample; see Attributes (all parameters are keyword-only).
    categories : list
        The levels of the categorical features; see Attributes.
    row_labels : ndarray or None, default=None
        The DataFrame index of the samples; see Attributes.
    relevance_stats : RelevanceStatistics
        Mean absolute relevance per feature and fold, and its summaries.
    stability : RankStability
        How alike the folds rank the features.
    permutation : PermutationImportance or None, default=None
        Permutation importance (None when skipped).
    performance : FoldPerformance
        Fold scores, the trivial model's scores and times.
    guardrails : Guardrails
        What the sanity checks found, and the conservation ledger.
    settings : dict
        The settings used.
    explainers : list of RelevanceExplainer or None, default=None
        The fitted explainers.

    Attributes
    ----------
    feature_names : ndarray of shape (n_features,)
        The columns relevance is reported on.
    relevance : ndarray of shape (n_samples, n_features)
        Out-of-fold relevance of every sample, from the fold that held it out.
    scores : ndarray of shape (n_samples,)
        The explained scores (logits).
    outputs : ndarray of shape (n_samples,)
        What each explained score stands for: the predicted probability of
        the explained class (classifiers) or the predicted value
        (regressors), from the fold's model; NaN where the model cannot
        say (multilabel).
    targets : ndarray of shape (n_samples,)
        The label (or output index) explained for each sample.
    absorbed : ndarray of shape (n_samples, 3)
        The ledger per sample: relevance taken by biases, stabilizers and
        vanished denominators.
    relevance_baseline : ndarray of shape (n_samples,)
        What each sample's relevance is measured against: the mean score of
        its fold's baseline rows (0 without a baseline), so that
        ``relevance.sum(1) + absorbed.sum(1) == scores - relevance_baseline``.
        (Not ``performance.baseline_scores``, the trivial model's scores.)
    values : ndarray of shape (n_samples, n_features)
        Feature values as floats, for plots: the value of a numeric feature,
        the index of its level in ``categories[j]`` for a categorical one;
        NaN where missing.
    categories : list of length n_features
        The levels (strings) of each categorical feature: the columns the
        model encodes as categories (OneHotEncoder, OrdinalEncoder,
        TargetEncoder) and columns holding other values than numbers; None
        for numeric features.
    row_labels : ndarray of shape (n_samples,) or None
        The index labels of the samples when `X` was a DataFrame, else None
        (the plots then name a sample by its row number).
    folds : ndarray of shape (n_samples,)
        The fold that held each sample out.
    relevance_stats : RelevanceStatistics
        ``per_fold`` (features × folds mean absolute relevance, like
        ``permutation_importance``'s ``importances``), its ``mean``, ``std``
        and 95% interval ``ci``, the signed means, and per class relevance
        (``classes``, ``by_class``) for classifiers.
    stability : RankStability
        The rank of every feature in every fold (``ranks``), the mean rank
        correlation between folds (``spearman``, ``kendall``) and how often
        each feature is in a fold's top k (``top_k``, ``top_k_frequency``).
    permutation : PermutationImportance or None
        Permutation importance of each column on each fold's held-out part
        (``per_fold``, ``mean``, ``std``) and its ``agreement`` with the
        relevance ranking; None with ``n_repeats=0`` or when it could not be
        computed (the warnings say why).
    performance : FoldPerformance
        Per fold: the held-out score (``test_scores``), that of a trivial
        model (``baseline_scores``), ``fit_times`` and ``explain_times``.
    guardrails : Guardrails
        What the sanity checks found (``warnings``, a list of dicts with the
        keys "kind", "column" and "message") and the conservation
        ``ledger``.
    settings : dict
        The settings used.
    explainers : list of RelevanceExplainer or None
        The fitted explainer of every fold, with ``return_estimator=True``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skl_lrp import cross_val_relevance
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
    >>> report
    RelevanceReport(n_samples=150, n_features=4, n_folds=3, score=0.973±0.009,
                    top=['petal length (cm)', 'petal width (cm)',
                         'sepal width (cm)', ...], warnings=0)
    >>> report.ranked_features()[:2]
    ['petal length (cm)', 'petal width (cm)']
    >>> report.relevance_stats.mean.shape, report.stability.top_k
    ((4,), 4)
    >>> first = report.feature_table()[0]  # what the JSON, HTML and CLI show
    >>> first["name"], first["permutation_rank"], first["flagged"]
    ('petal length (cm)', 1, False)
    """

    feature_names: np.ndarray
    relevance: np.ndarray
    scores: np.ndarray
    outputs: np.ndarray
    targets: np.ndarray
    absorbed: np.ndarray
    relevance_baseline: np.ndarray
    values: np.ndarray
    folds: np.ndarray
    categories: list
    row_labels: np.ndarray | None = None
    relevance_stats: RelevanceStatistics
    stability: RankStability
    permutation: PermutationImportance | None = None
    performance: FoldPerformance
    guardrails: Guardrails
    settings: dict
    explainers: list[RelevanceExplainer] | None = None

    # The flat names of the earlier layout, for one deprecation cycle.
    relevances = _Moved("relevance_stats.per_fold")
    relevances_mean = _Moved("relevance_stats.mean")
    relevances_std = _Moved("relevance_stats.std")
    relevances_ci = _Moved("relevance_stats.ci")
    signed_relevances = _Moved("relevance_stats.signed_per_fold")
    signed_mean = _Moved("relevance_stats.signed_mean")
    classes = _Moved("relevance_stats.classes")
    class_relevance = _Moved("relevance_stats.by_class")
    ranks = _Moved("stability.ranks")
    rank_spearman = _Moved("stability.spearman")
    rank_kendall = _Moved("stability.kendall")
    top_k = _Moved("stability.top_k")
    top_k_frequency = _Moved("stability.top_k_frequency")
    permutation_importances = _Moved("permutation.per_fold")
    permutation_importances_mean = _Moved("permutation.mean")
    permutation_importances_std = _Moved("permutation.std")
    importance_agreement = _Moved("permutation.agreement")
    fold_scores = _Moved("performance.test_scores")
    baseline_scores = _Moved("performance.baseline_scores")
    fit_times = _Moved("performance.fit_times")
    explain_times = _Moved("performance.explain_times")
    warnings = _Moved("guardrails.warnings")
    ledger = _Moved("guardrails.ledger")

    @classmethod
    def _from_folds(cls, folds, plan, task, top_k, feature_names, settings):
        """Assemble the report from the folds' results."""
        names = folds[0].feature_names
        if feature_names is not None:
            check_names(feature_names, len(names))
            names = np.asarray(feature_names, dtype=object)
        rows = out_of_fold(folds, plan.splits, len(plan.y), len(names))
        values, categories = feature_values(plan.X, len(names), folds[0].categorical)
        relevance = relevance_statistics(
            folds, rows["relevance"], rows["targets"], plan.classifier
        )
        permutation = permutation_summary(folds, relevance.mean)
        change = rows["scores"] - rows["relevance_baseline"]
        return cls(
            feature_names=np.asarray(names, dtype=object),
            **rows,
            values=values,
            categories=categories,
            row_labels=row_labels(plan.X),
            relevance_stats=relevance,
            stability=rank_stability(relevance.per_fold, top_k),
            permutation=permutation,
            performance=fold_performance(folds),
            guardrails=Guardrails(
                warnings=check_folds(folds, plan, names, relevance.mean, permutation),
                ledger=ledger(rows["relevance"], change, rows["absorbed"]),
            ),
            settings=settings,
            explainers=[f.explainer for f in folds] if task.return_estimator else None,
        )

    def __repr__(self):
        n_samples, n_features = self.relevance.shape
        top = self.ranked_features()
        shown = repr(top[:3])[:-1] + (", ...]" if len(top) > 3 else "]")
        scores = self.performance.test_scores
        score = f"{scores.mean():.3f}\u00b1{scores.std():.3f}"  # as the command line
        return (
            f"RelevanceReport(n_samples={n_samples}, n_features={n_features}, "
            f"n_folds={len(scores)}, score={score}, top={shown}, "
            f"warnings={len(self.guardrails.warnings)})"
        )

    def ranked_features(self):
        """Feature names, most relevant (largest mean absolute relevance) first.

        Returns
        -------
        names : list of str
            All features, in decreasing order of ``relevance_stats.mean``.

        See Also
        --------
        feature_table : The ranked table, with every figure per feature.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import cross_val_relevance
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> report.ranked_features()[0]
        'petal length (cm)'
        """
        order = descending_order(self.relevance_stats.mean)
        return [str(self.feature_names[i]) for i in order]

    def feature_table(self):
        """One row per feature, most relevant first: the table every view shows.

        The JSON file (``to_dict()["features"]``), :meth:`to_frame`, the HTML
        page and ``skl-lrp report`` show these rows, in this order.

        Returns
        -------
        rows : list of dict
            Per feature, with JSON values only (None where a number is
            missing): "name", "mean_abs_relevance", "std", "ci_low",
            "ci_high", "signed_mean", "mean_rank", "top_k_frequency",
            "permutation_importance_mean", "permutation_importance_std",
            "permutation_rank" (None without permutation importance),
            "flagged" (a warning names the feature) and "per_fold" (mean
            absolute relevance in each fold).

        See Also
        --------
        to_frame : The same table as a pandas DataFrame.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import cross_val_relevance
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> report.feature_table()[0]["name"]
        'petal length (cm)'
        """
        return feature_rows(self)

    def undefined_figures(self):
        """Why each of the report's correlations that is not a number is so.

        Every view (the command line, the HTML page, the JSON file) shows
        such a figure as "n/a" or null with this reason, never as NaN.

        Returns
        -------
        reasons : dict
            ``{"rank_agreement": reason, "importance_agreement": reason}``,
            each reason a sentence, or None when the figure is defined
            (``rank_agreement`` covers ``stability.spearman`` and
            ``stability.kendall``).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skl_lrp import cross_val_relevance
        >>> x = np.linspace(0.0, 1.0, 20).reshape(-1, 1)
        >>> report = cross_val_relevance(LinearRegression(), x, x[:, 0], cv=2)
        >>> report.undefined_figures()["rank_agreement"]
        'a single feature: there is no ranking to compare'
        """
        relevance, stability = self.relevance_stats, self.stability
        if self.permutation is None:
            importance = (
                "no permutation importance: n_repeats=0, or it could not run "
                "(the warnings say why)"
            )
        else:
            importance = importance_agreement_reason(
                relevance.mean, self.permutation.mean
            )
        rank = rank_agreement_reason(relevance.per_fold)
        if rank is None and not (
            np.isfinite(stability.spearman) and np.isfinite(stability.kendall)
        ):  # (defined on the ranks, not a number all the same)
            rank = "the correlations between folds are not finite numbers"
        return {"rank_agreement": rank, "importance_agreement": importance}

    def to_dict(self):
        """The report as plain Python values, ready for :func:`json.dump`.

        The layout is the JSON Schema ``docs/_static/report.schema.json``
        (see :ref:`report-json`), whose version the output carries as
        ``"schema_version"``.

        Returns
        -------
        report : dict
            The schema version, settings, fold and baseline scores, times,
            stability figures,
            the agreement with permutation importance (with
            "rank_agreement_reason" and "importance_agreement_reason": why a
            correlation is null, or null), the ledger, the
            warnings, one entry per feature (ranked, with its permutation
            importance and whether a warning names it; see
            :meth:`feature_table`) and, for classifiers, one entry per
            explained class (each feature's mean absolute and mean signed
            relevance over the samples explained for it), without per-sample
            arrays. Missing numbers are None, so the values are valid JSON.

        Examples
        --------
        >>> import json
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
        >>> data["schema_version"]
        '1.0'
        >>> sorted(data)[:5]
        ['baseline_scores', 'classes', 'explain_times', 'features', 'fit_times']
        >>> data["warnings"]  # what the sanity checks found
        []
        """
        return report_dict(self)

    def to_frame(self):
        """The ranked feature table as a pandas DataFrame.

        Returns
        -------
        table : pandas.DataFrame
            One row per feature, most relevant first: :meth:`feature_table`
            indexed by name, without the per-fold lists.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> list(report.to_frame().columns)[:3]
        ['mean_abs_relevance', 'std', 'ci_low']
        """
        pd = import_optional("pandas", "RelevanceReport.to_frame")
        table = pd.DataFrame(self.feature_table()).set_index("name")
        for name in (
            "permutation_importance_mean",
            "permutation_importance_std",
            "permutation_rank",
        ):
            if table[name].isna().all():  # all None (no permutation): NaN
                table[name] = table[name].astype(float)
        return table.drop(columns="per_fold")

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
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skl_lrp import cross_val_relevance
        >>> X, y = load_iris(return_X_y=True)
        >>> report = cross_val_relevance(LogisticRegression(max_iter=500), X, y, cv=3)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
        >>> report.to_html(out) == out
        True
        """
        html = render_report(self, title=title)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(html)
        return path
