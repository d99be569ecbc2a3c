"""Cross-validated relevance: which features a kind of model relies on.

:func:`cross_val_relevance` works in three steps: validate the inputs and plan
the folds, run the folds (in parallel), and assemble a
:class:`RelevanceReport` from what they sent back. The report is data: its
views (the HTML page, the plots, the command line) read it through its
attributes and :meth:`RelevanceReport.feature_table`, and never import this
module. The one way down is :meth:`RelevanceReport.to_html`, which hands the
report to the HTML view.
"""

import contextlib
import sys
import time
import warnings
from dataclasses import dataclass
from itertools import combinations
from numbers import Integral

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed

from . import _guardrails as guard
from ._baseline import held_out_background
from ._composites import describe, describe_baseline, resolve_auto
from ._explainer import RelevanceExplainer, results_as
from ._html import render_report
from ._rules import named

# Where a report draws its background rows from (see _background).
HELD_OUT = "each fold's held-out part"

# The columns of ``RelevanceReport.absorbed`` and the totals of its ledger:
# relevance taken by biases, by stabilizers and by vanished denominators.
LEDGER = ("bias", "stabilizer", "dead")


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
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
    (``report.warnings``; see :ref:`guardrails` in the user guide):
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
        each identifier-like column (``report.warnings`` has them all).
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
    >>> report.relevances.shape  # features x folds, like permutation_importance
    (4, 3)
    >>> report.ranked_features()[:2]
    ['x3', 'x2']
    """
    plan = _plan_folds(estimator, X, y, groups, cv, random_state)
    if feature_names is not None and not hasattr(estimator, "steps"):
        # (a bare model's relevance is on X's columns: checked before any fold)
        _check_names(feature_names, np.shape(plan.X[:1])[1])
    task = FoldTask(
        rules, bounds, baseline, target, scoring, n_repeats, return_estimator
    )
    seeds = guard.fold_seeds(random_state, len(plan.splits))
    folds = _run_folds(estimator, plan, task, seeds, n_jobs, verbose, progress)
    used = folds[0].settings  # (the folds resolve "auto" alike)
    drawn = resolve_auto(rules, bounds, baseline, plan.classifier)[2]
    source = HELD_OUT if isinstance(drawn, Integral) else "the training data"
    against = drawn if isinstance(drawn, Integral) else used["baseline"]
    for category, message in dict.fromkeys(
        warning for fold in folds for warning in fold.warnings
    ):
        warnings.warn(message, category, stacklevel=2)
    settings = {
        # In words, without memory addresses: the fitted model of the first
        # fold, its helper wrappers left out.
        "estimator": folds[0].model_description,
        "rules": guard.without_addresses(repr(used["rules"])),
        "bounds": (
            "not used: Rescale has no root point"
            if named(used["rules"], "rescale")
            else guard.without_addresses(repr(used["bounds"]))
        ),
        "baseline": describe_baseline(against, source),
        "target": guard.without_addresses(repr(target)),
        "target_meaning": guard.target_meaning(target, plan.classifier),
        "cv": guard.without_addresses(repr(plan.cv)),
        "scoring": guard.scoring_name(scoring, plan.classifier),
        "n_repeats": n_repeats,
        "n_splits": len(plan.splits),
        "top_k": top_k,
        "meaning": describe(used["rules"], used["bounds"], against, source),
    }
    if not plan.classifier and isinstance(target, str):
        # "true" and "predicted" are classes' words: a regressor's single
        # output is explained either way (target_meaning says so).
        del settings["target"]
    report = RelevanceReport._from_folds(
        folds, plan, task, top_k, feature_names, settings
    )
    for warning in report.warnings:
        if warning["kind"] in ("baseline", "cardinality", "constant"):
            warnings.warn(warning["message"], UserWarning, stacklevel=2)
    return report


@dataclass
class FoldPlan:
    """The data, made indexable, and the splits that the folds work on."""

    X: object
    y: np.ndarray
    classifier: bool
    cv: object
    splits: list


@dataclass(frozen=True)
class FoldTask:
    """What every fold does with its split (sent to each worker)."""

    rules: object
    bounds: object
    baseline: object
    target: object
    scoring: object
    n_repeats: int
    return_estimator: bool


@dataclass
class FoldResult:
    """What one fold sends back: its held-out rows' relevance and its checks."""

    index: int
    relevance: np.ndarray  # (n_test, n_features)
    scores: np.ndarray  # (n_test,)
    targets: np.ndarray  # (n_test,)
    absorbed: np.ndarray  # (n_test, len(LEDGER))
    relevance_baseline: np.ndarray  # (n_test,) what the relevance is against
    feature_names: np.ndarray
    settings: dict  # the explainer's rules, bounds and baseline in effect
    explainer: RelevanceExplainer
    fit_time: float
    explain_time: float
    score: float
    baseline: float  # the trivial model's score (NaN: could not be scored)
    permutation: np.ndarray | None  # mean importance of each column of X
    outputs: np.ndarray  # (n_test,) probability or prediction of the target
    categorical: list  # columns of X the model encodes as categories
    model_description: str  # the fitted model, in words
    notes: list  # why a check was skipped
    warnings: list  # (category, message) of what the fold raised


def _plan_folds(estimator, X, y, groups, cv, random_state):
    """Split the data; the test folds must cover every sample exactly once."""
    X, y, groups = indexable(X, y, groups)
    classifier = is_classifier(_final_step(estimator))
    if isinstance(cv, Integral) and random_state is not None:
        splitter = StratifiedKFold if classifier else KFold
        cv = splitter(n_splits=cv, shuffle=True, random_state=random_state)
    cv = check_cv(cv, y, classifier=classifier)
    splits = list(cv.split(X, y, groups))
    n_samples = len(y)
    covered = np.concatenate([test for _, test in splits])
    if len(covered) != n_samples or len(np.unique(covered)) != n_samples:
        raise ValueError(
            "cross_val_relevance needs test folds that cover every sample "
            "exactly once (like cross_val_predict); got a splitter that does "
            "not."
        )
    y = np.asarray(y)
    if classifier:
        _check_fold_classes(y, splits)
    return FoldPlan(X, y, classifier, cv, splits)


def _check_names(feature_names, n_columns):
    """`feature_names` must name each of the `n_columns` relevance columns."""
    n_names = len(feature_names)
    if n_names != n_columns:
        raise ValueError(
            f"feature_names has {n_names} names, but relevance is reported on "
            f"{n_columns} columns; give one name per column (or leave "
            "feature_names=None to use X's)."
        )


def _check_fold_classes(y, splits):
    """Every class of a test part must be in its training part: a fold's
    model cannot explain (target="true") or score a class it never saw."""
    for index, (train, test) in enumerate(splits):
        unseen = np.setdiff1d(y[test], y[train])
        if unseen.size:
            raise ValueError(
                f"y's class {unseen.tolist()[0]!r} is in the held-out part of fold "
                f"{index} but not in its training part, so that fold's model "
                "cannot predict it. Use fewer folds (cv), a stratified "
                "splitter, or drop classes with fewer members than folds."
            )


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _run_folds(estimator, plan, task, seeds, n_jobs, verbose, progress):
    """The results of the folds, in fold order, whatever order they end in."""
    parallel = Parallel(
        n_jobs=n_jobs, return_as=results_as("generator_unordered", n_jobs)
    )
    jobs = (
        delayed(_run_fold)(
            estimator, plan.X, plan.y, train, test, index, plan.classifier, task, seed
        )
        for index, ((train, test), seed) in enumerate(zip(plan.splits, seeds))
    )
    folds = [None] * len(plan.splits)
    for done, fold in enumerate(parallel(jobs), start=1):
        folds[fold.index] = fold
        if verbose:
            _print_progress(done, len(folds), fold)
        if progress is not None:
            progress(done, len(folds), _progress_info(fold))
    return folds


def _run_fold(estimator, X, y, train, test, index, classifier, task, seed):
    """Fit on the training part; explain, score and check the held-out part."""
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = y[train], y[test]
    baseline = _background(task, X_test, classifier, seed)
    explainer, fit_time, fit_warnings = _fit_explainer(
        estimator, X_train, y_train, task, seed, baseline
    )
    start = time.perf_counter()
    explanation = _explain_held_out(explainer, X_test, y_test, task.target, classifier)
    explain_time = time.perf_counter() - start
    model = explainer.estimator_
    score = guard.score(model, X_test, y_test, task.scoring)
    with _recorded_warnings() as check_warnings:
        baseline, baseline_note = guard.baseline_score(
            classifier, X_train, y_train, X_test, y_test, task.scoring
        )
        permutation, permutation_note = guard.permutation_scores(
            model,
            X_test,
            y_test,
            task.scoring,
            task.n_repeats,
            seed,
            explanation.feature_names,
        )
    return FoldResult(
        index=index,
        **_held_out_rows(explanation),
        settings=explainer._settings,
        # (sent back only when asked for: it holds the fitted network)
        explainer=explainer if task.return_estimator else None,
        fit_time=fit_time,
        explain_time=explain_time,
        score=score,
        baseline=baseline,
        permutation=permutation,
        outputs=guard.explained_outputs(
            model, X_test, explanation.targets[:, 0], classifier
        ),
        categorical=guard.categorical_columns(model, len(explanation.feature_names)),
        model_description=guard.describe_model(model),
        notes=[note for note in (baseline_note, permutation_note) if note],
        warnings=[(w.category, str(w.message)) for w in fit_warnings + check_warnings],
    )


def _held_out_rows(explanation):
    """The fold's share of the report's per-sample fields (one target each)."""
    return {
        "relevance": explanation.relevance[:, 0],
        "scores": explanation.scores[:, 0],
        "targets": explanation.targets[:, 0],
        "absorbed": explanation.ledger[:, 0],  # (bias, stabilizer, dead)
        "relevance_baseline": explanation.baseline[:, 0],
        "feature_names": explanation.feature_names,
    }


@contextlib.contextmanager
def _recorded_warnings():
    """Record every warning, to raise it again in the caller's process (a
    worker's warnings, under loky or Dask, would otherwise be lost)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _background(task, X_test, classifier, seed):
    """The fold's baseline, background rows drawn from its held-out part."""
    baseline = resolve_auto(task.rules, task.bounds, task.baseline, classifier)[2]
    return held_out_background(X_test, baseline, seed)


def _fit_explainer(estimator, X_train, y_train, task, seed, baseline):
    """An explainer of a fresh clone, fitted; its fit time and warnings."""
    with _recorded_warnings() as caught:
        start = time.perf_counter()
        # One batch after the other inside a fold: the folds are parallel.
        explainer = RelevanceExplainer(
            clone(estimator),
            rules=task.rules,
            bounds=task.bounds,
            baseline=baseline,
            random_state=seed,
            n_jobs=1,
        )
        try:
            explainer.fit(X_train, y_train)
        except InvalidParameterError as exc:
            # A plain ValueError: validate_params would reword the model's
            # message as if it were about a parameter of cross_val_relevance.
            raise ValueError(f"estimator: {exc}") from exc
        fit_time = time.perf_counter() - start
    return explainer, fit_time, caught


def _explain_held_out(explainer, X_test, y_test, target, classifier):
    """The explanation of the held-out rows, for `target`."""
    if isinstance(target, str) and target == "true":
        if classifier:  # each row's own class
            return explainer.explain_each(X_test, y_test)
        return explainer.explain(X_test, target="predicted")
    return explainer.explain(X_test, target=target)


def _progress_info(fold):
    """What a `progress` callback learns of a fold that ended."""
    names = ("index", "score", "fit_time", "explain_time")
    return {name: getattr(fold, name) for name in names}


def _print_progress(done, total, fold):
    line = (
        f"fold {fold.index + 1}: score {fold.score:.4g}, fit "
        f"{fold.fit_time:.2f}s, explain {fold.explain_time:.3f}s"
    )
    if sys.stderr.isatty():
        bar = "#" * round(20 * done / total)
        end = "\n" if done == total else ""
        print(
            f"\r[{bar:<20}] {done}/{total} folds; {line}",
            end=end,
            file=sys.stderr,
            flush=True,
        )
    else:
        print(f"[{done}/{total}] {line}", file=sys.stderr, flush=True)


@dataclass(kw_only=True, eq=False, repr=False)
class RelevanceReport:
    """Out-of-fold relevance with its spread and stability across folds.

    Made by :func:`cross_val_relevance`. Per-feature figures are computed on
    the mean absolute relevance of each fold's held-out samples; the names
    follow :func:`~sklearn.inspection.permutation_importance`.
    :meth:`feature_table` is the ranked table that the JSON file, the HTML
    page and the command line show; the plots rank the features alike.

    Parameters
    ----------
    feature_names, relevance, scores, outputs, targets, absorbed, \
relevance_baseline, values, folds : ndarray
        Per sample; see Attributes (all parameters are keyword-only).
    categories : list
        The levels of the categorical features; see Attributes.
    row_labels : ndarray or None, default=None
        The DataFrame index of the samples; see Attributes.
    relevances, relevances_mean, relevances_std, relevances_ci : ndarray
        Mean absolute relevance per fold and its summaries.
    signed_relevances, signed_mean, ranks : ndarray
        Signed relevance, and the rank of every feature in every fold.
    rank_spearman, rank_kendall : float
        Rank agreement between folds.
    top_k : int
        The k of `top_k_frequency`.
    top_k_frequency : ndarray
        How often each feature is in a fold's top k.
    classes, class_relevance : ndarray or None, default=None
        Relevance per explained class (classifiers).
    fold_scores, fit_times, explain_times, baseline_scores : ndarray
        Per fold.
    permutation_importances, permutation_importances_mean, \
permutation_importances_std : ndarray or None, default=None
        Permutation importance (None when skipped).
    importance_agreement : float or None, default=None
        Agreement of the two rankings.
    warnings : list of dict
        What the sanity checks found.
    ledger, settings : dict
        Relevance absorbed, and the settings used.
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
        (Not `baseline_scores`, the trivial model's fold scores.)
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
    relevances : ndarray of shape (n_features, n_folds)
        Mean absolute relevance of each feature in each fold.
    relevances_mean, relevances_std : ndarray of shape (n_features,)
        Their mean and standard deviation across folds (the spread of the
        folds themselves, ``ddof=0``, as in ``permutation_importance``).
    relevances_ci : ndarray of shape (n_features, 2)
        A 95% Student-t interval for the mean across folds (from the sample
        standard deviation, ``ddof=1``; clipped at 0, since a mean absolute
        value cannot be negative). Approximate: folds share training data,
        so they are not independent.
    signed_relevances : ndarray of shape (n_features, n_folds)
        Mean signed relevance of each feature in each fold.
    signed_mean : ndarray of shape (n_features,)
        Mean signed relevance over all samples.
    ranks : ndarray of shape (n_folds, n_features)
        Rank of every feature in every fold (1: largest mean absolute
        relevance).
    rank_spearman, rank_kendall : float
        Mean over pairs of folds of the Spearman and Kendall correlations
        between their feature rankings (1: every fold ranks alike; NaN when
        undefined: one fold, one feature, or a fold that ranks every feature
        alike; :meth:`undefined_figures` says why).
    top_k : int
        The k of `top_k_frequency`.
    top_k_frequency : ndarray of shape (n_features,)
        Fraction of folds in which each feature is among the top k (a tie
        at the k-th place counts against every tied feature).
    classes : ndarray or None
        For classifiers, the labels of `class_relevance`'s rows.
    class_relevance : ndarray of shape (n_classes, n_features) or None
        Mean absolute relevance over the samples explained for each class.
    fold_scores, fit_times, explain_times : ndarray of shape (n_folds,)
        Per fold.
    baseline_scores : ndarray of shape (n_folds,)
        The held-out score of a trivial model fitted on each training part
        (``DummyClassifier(strategy="prior")`` or ``DummyRegressor()``),
        scored like `fold_scores` (NaN where the scoring cannot score it).
    permutation_importances : ndarray of shape (n_features, n_folds) or None
        Permutation importance of each column on each fold's held-out part
        (the mean over ``n_repeats`` shuffles of the drop in the fold's
        score); None with ``n_repeats=0`` or when it could not be computed
        (`warnings` says why).
    permutation_importances_mean, permutation_importances_std : ndarray or None
        Their mean and standard deviation across folds (``ddof=0``), of
        shape (n_features,).
    importance_agreement : float or None
        Spearman correlation between `relevances_mean` and
        `permutation_importances_mean` (NaN when undefined, e.g. one of them
        is constant; None without permutation importance;
        :meth:`undefined_figures` says why).
    warnings : list of dict
        What the sanity checks found, most general first: dicts with the
        keys "kind" ("baseline", "agreement", "convergence", "sign",
        "cardinality", "constant", "disagreement", or "skipped" for a check
        that could not run), "column" (the column concerned, or None) and
        "message".
    ledger : dict
        Total relevance absorbed by "bias", "stabilizer" and "dead" neurons
        over all samples, and "max_conservation_error": the largest
        ``|relevance.sum() + absorbed - (score - relevance_baseline)|`` of
        any sample.
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
    relevances: np.ndarray
    relevances_mean: np.ndarray
    relevances_std: np.ndarray
    relevances_ci: np.ndarray
    signed_relevances: np.ndarray
    signed_mean: np.ndarray
    ranks: np.ndarray
    rank_spearman: float
    rank_kendall: float
    top_k: int
    top_k_frequency: np.ndarray
    classes: np.ndarray | None = None
    class_relevance: np.ndarray | None = None
    fold_scores: np.ndarray
    fit_times: np.ndarray
    explain_times: np.ndarray
    baseline_scores: np.ndarray
    permutation_importances: np.ndarray | None = None
    permutation_importances_mean: np.ndarray | None = None
    permutation_importances_std: np.ndarray | None = None
    importance_agreement: float | None = None
    warnings: list[dict]
    ledger: dict
    settings: dict
    explainers: list[RelevanceExplainer] | None = None

    @classmethod
    def _from_folds(cls, folds, plan, task, top_k, feature_names, settings):
        """Assemble the report from the folds' results."""
        names = folds[0].feature_names
        if feature_names is not None:
            _check_names(feature_names, len(names))
            names = np.asarray(feature_names, dtype=object)
        rows = _out_of_fold(folds, plan.splits, len(plan.y), len(names))
        values, categories = guard.feature_values(
            plan.X, len(names), folds[0].categorical
        )
        per_fold = np.array([np.abs(f.relevance).mean(axis=0) for f in folds]).T
        spread = _spread_across_folds(per_fold, top_k)
        return cls(
            feature_names=np.asarray(names, dtype=object),
            **rows,
            values=values,
            categories=categories,
            row_labels=guard.row_labels(plan.X),
            relevances=per_fold,
            signed_relevances=np.array([f.relevance.mean(axis=0) for f in folds]).T,
            signed_mean=rows["relevance"].mean(axis=0),
            **spread,
            **_by_class(rows["relevance"], rows["targets"], plan.classifier),
            fold_scores=np.array([f.score for f in folds]),
            fit_times=np.array([f.fit_time for f in folds]),
            explain_times=np.array([f.explain_time for f in folds]),
            **_checks(folds, plan, task, names, spread["relevances_mean"]),
            ledger=_ledger(
                rows["relevance"],
                rows["scores"] - rows["relevance_baseline"],
                rows["absorbed"],
            ),
            settings=settings,
            explainers=[f.explainer for f in folds] if task.return_estimator else None,
        )

    def __repr__(self):
        n_samples, n_features = self.relevance.shape
        top = self.ranked_features()
        shown = repr(top[:3])[:-1] + (", ...]" if len(top) > 3 else "]")
        scores = self.fold_scores
        score = f"{scores.mean():.3f}\u00b1{scores.std():.3f}"  # as the command line
        return (
            f"RelevanceReport(n_samples={n_samples}, n_features={n_features}, "
            f"n_folds={len(scores)}, score={score}, top={shown}, "
            f"warnings={len(self.warnings)})"
        )

    def ranked_features(self):
        """Feature names, most relevant (largest mean absolute relevance) first.

        Returns
        -------
        names : list of str
            All features, in decreasing order of ``relevances_mean``.

        See Also
        --------
        feature_table : The ranked table, with every figure per feature.
        """
        order = guard.descending_order(self.relevances_mean)
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
        """
        importance = self.permutation_importances_mean
        importance_rank = (
            None
            if importance is None
            else stats.rankdata(-importance, method="min", nan_policy="omit")
        )
        flagged = {w["column"] for w in self.warnings}
        return [
            self._feature_row(i, importance_rank, flagged)
            for i in guard.descending_order(self.relevances_mean)
        ]

    def _feature_row(self, i, importance_rank, flagged):
        name = str(self.feature_names[i])
        return {
            "name": name,
            "mean_abs_relevance": float(self.relevances_mean[i]),
            "std": float(self.relevances_std[i]),
            "ci_low": _json_float(self.relevances_ci[i, 0]),
            "ci_high": _json_float(self.relevances_ci[i, 1]),
            "signed_mean": float(self.signed_mean[i]),
            "mean_rank": float(self.ranks[:, i].mean()),
            "top_k_frequency": float(self.top_k_frequency[i]),
            "permutation_importance_mean": _entry(
                self.permutation_importances_mean, i, _json_float
            ),
            "permutation_importance_std": _entry(
                self.permutation_importances_std, i, _json_float
            ),
            "permutation_rank": _entry(importance_rank, i, _json_int),
            "flagged": name in flagged,
            "per_fold": [float(v) for v in self.relevances[i]],
        }

    def undefined_figures(self):
        """Why each of the report's correlations that is not a number is so.

        Every view (the command line, the HTML page, the JSON file) shows
        such a figure as "n/a" or null with this reason, never as NaN.

        Returns
        -------
        reasons : dict
            ``{"rank_agreement": reason, "importance_agreement": reason}``,
            each reason a sentence, or None when the figure is defined
            (``rank_agreement`` covers `rank_spearman` and `rank_kendall`).

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
        if self.permutation_importances_mean is None:
            importance = (
                "no permutation importance: n_repeats=0, or it could not run "
                "(the warnings say why)"
            )
        else:
            importance = guard.importance_agreement_reason(
                self.relevances_mean, self.permutation_importances_mean
            )
        rank = guard.rank_agreement_reason(self.relevances)
        if rank is None and not (
            np.isfinite(self.rank_spearman) and np.isfinite(self.rank_kendall)
        ):  # (defined on the ranks, not a number all the same)
            rank = "the correlations between folds are not finite numbers"
        return {"rank_agreement": rank, "importance_agreement": importance}

    def to_dict(self):
        """The report as plain Python values, ready for :func:`json.dump`.

        Returns
        -------
        report : dict
            Settings, fold and baseline scores, times, stability figures,
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
        >>> sorted(data)[:5]
        ['baseline_scores', 'classes', 'explain_times', 'features', 'fit_times']
        >>> data["warnings"]  # what the sanity checks found
        []
        """
        return {
            "settings": dict(self.settings),
            "n_samples": int(len(self.scores)),
            "fold_scores": [_json_float(v) for v in self.fold_scores],
            "baseline_scores": [_json_float(v) for v in self.baseline_scores],
            "fit_times": [float(v) for v in self.fit_times],
            "explain_times": [float(v) for v in self.explain_times],
            "rank_spearman": _json_float(self.rank_spearman),
            "rank_kendall": _json_float(self.rank_kendall),
            "importance_agreement": (
                None
                if self.importance_agreement is None
                else _json_float(self.importance_agreement)
            ),
            # Why a correlation above is null (null when it is a number).
            **{f"{k}_reason": v for k, v in self.undefined_figures().items()},
            "top_k": int(self.top_k),
            "ledger": dict(self.ledger),
            "warnings": [dict(w) for w in self.warnings],
            "features": self.feature_table(),
            "classes": self._classes_as_dicts(),
        }

    def _classes_as_dicts(self):
        if self.classes is None:
            return None
        return [
            {
                "label": _json_value(label),
                "mean_abs_relevance": {
                    str(name): float(v) for name, v in zip(self.feature_names, row)
                },
                # > 0: raises the class's score on average; < 0: lowers it.
                "mean_relevance": {
                    str(name): _json_float(v)
                    for name, v in zip(self.feature_names, signed)
                },
            }
            for label, row, signed in zip(
                self.classes,
                self.class_relevance,
                guard.signed_by_target(self.relevance, self.targets, self.classes),
            )
        ]

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
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(
                "RelevanceReport.to_frame needs pandas: pip install pandas"
            ) from exc
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


def _out_of_fold(folds, splits, n_samples, n_features):
    """The held-out rows of every fold, put back in sample order."""
    relevance = np.empty((n_samples, n_features))
    scores, absorbed = np.empty(n_samples), np.empty((n_samples, len(LEDGER)))
    outputs, against = np.empty(n_samples), np.empty(n_samples)
    targets = np.empty(n_samples, dtype=np.asarray(folds[0].targets).dtype)
    fold_of = np.empty(n_samples, dtype=int)
    for fold, (_, test) in zip(folds, splits):
        relevance[test] = fold.relevance
        scores[test] = fold.scores
        outputs[test] = fold.outputs
        targets[test] = fold.targets
        absorbed[test] = fold.absorbed
        against[test] = fold.relevance_baseline
        fold_of[test] = fold.index
    return {
        "relevance": relevance,
        "scores": scores,
        "outputs": outputs,
        "targets": targets,
        "absorbed": absorbed,
        "relevance_baseline": against,
        "folds": fold_of,
    }


def _spread_across_folds(per_fold, top_k):
    """Summaries of the (n_features, n_folds) mean absolute relevance."""
    n_features, n_folds = per_fold.shape
    # (the spread of values scaled to at most 1, scaled back: the squares of
    # relevance beyond ~1e154 would overflow)
    scale = np.max(np.abs(per_fold), axis=1, keepdims=True, initial=0.0)
    scale[~(scale > 0) | ~np.isfinite(scale)] = 1.0
    mean = per_fold.mean(axis=1)
    std = (per_fold / scale).std(axis=1) * scale[:, 0]
    if n_folds > 1:
        half = (per_fold / scale).std(axis=1, ddof=1) * scale[:, 0]
        half *= stats.t.ppf(0.975, n_folds - 1) / np.sqrt(n_folds)
    else:
        half = np.full(n_features, np.nan)
    best, worst = zip(*(guard.best_and_worst_ranks(fold) for fold in per_fold.T))
    top_k = min(top_k, n_features)
    spearman, kendall = _rank_agreement(per_fold)
    return {
        "relevances_mean": mean,
        "relevances_std": std,
        "relevances_ci": np.c_[np.maximum(mean - half, 0), mean + half],
        "ranks": np.array(best),
        "rank_spearman": spearman,
        "rank_kendall": kendall,
        "top_k": top_k,
        # A feature is in a fold's top k only if it ranks there even when its
        # ties are broken against it.
        "top_k_frequency": (np.array(worst) <= top_k).mean(axis=0),
    }


def _rank_agreement(per_fold):
    n_features, n_folds = per_fold.shape
    if guard.rank_agreement_reason(per_fold) is not None:
        return float("nan"), float("nan")  # (scipy would warn and say NaN)
    pairs = list(combinations(range(n_folds), 2))
    spearman = [stats.spearmanr(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    kendall = [stats.kendalltau(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    return float(np.mean(spearman)), float(np.mean(kendall))


def _by_class(relevance, targets, classifier):
    """Mean absolute relevance over the samples explained for each class."""
    if not classifier:
        return {"classes": None, "class_relevance": None}
    classes = np.unique(targets)
    return {
        "classes": classes,
        "class_relevance": np.array(
            [np.abs(relevance[targets == c]).mean(axis=0) for c in classes]
        ),
    }


def _checks(folds, plan, task, names, relevances_mean):
    """The report's fields from the sanity checks of the folds."""
    X, classifier = plan.X, plan.classifier
    permutation = [fold.permutation for fold in folds]
    per_fold = mean = std = agreement = None
    if all(p is not None for p in permutation):
        per_fold = np.array(permutation).T
        mean, std = per_fold.mean(axis=1), per_fold.std(axis=1)
        agreement = guard.importance_agreement(relevances_mean, mean)
    fold_scores = [fold.score for fold in folds]
    baseline_scores = np.array([fold.baseline for fold in folds])
    found = [
        guard.baseline_warning(fold_scores, baseline_scores, classifier),
        guard.convergence_warning([fold.warnings for fold in folds]),
        guard.sign_warning(
            np.concatenate([fold.scores for fold in folds]),
            folds[0].settings,
            classifier,
            multiclass=classifier and type_of_target(plan.y) == "multiclass",
        ),
        *guard.cardinality_warnings(X, names),
        *guard.constant_warnings(X, names),
    ]
    if mean is not None:
        found.insert(1, guard.agreement_warning(agreement))
        found += guard.disagreements(names, relevances_mean, mean)
    notes = dict.fromkeys(note for fold in folds for note in fold.notes)
    found += [guard.warning("skipped", None, note) for note in notes]
    return {
        "baseline_scores": baseline_scores,
        "permutation_importances": per_fold,
        "permutation_importances_mean": mean,
        "permutation_importances_std": std,
        "importance_agreement": agreement,
        "warnings": [w for w in found if w is not None],
    }


def _ledger(relevance, change, absorbed):
    """Totals of the absorbed relevance and the largest conservation error
    (`change`: each score minus what it is measured against)."""
    error = np.abs(relevance.sum(axis=1) + absorbed.sum(axis=1) - change)
    totals = {part: float(absorbed[:, k].sum()) for k, part in enumerate(LEDGER)}
    return {**totals, "max_conservation_error": float(error.max())}


def _entry(values, i, convert):
    """``convert(values[i])``, or None when there are no values."""
    return None if values is None else convert(values[i])


def _json_float(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _json_int(value):
    return int(value) if np.isfinite(value) else None


def _json_value(value):
    return value.item() if hasattr(value, "item") else value
