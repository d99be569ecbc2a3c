"""The folds of a cross-validated report: plan them, run them, gather them.

:func:`plan_folds` checks the splits, :func:`run_folds` runs one job per
fold (in parallel through joblib): each fits an explainer on its training
part, explains its held-out part, and scores it for the guardrails (see
:mod:`skl_lrp._scoring`). :func:`out_of_fold` puts the held-out rows back in
sample order. The report (:mod:`skl_lrp._report`) assembles the rest.
"""

import contextlib
import sys
import time
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.parallel import Parallel, delayed

from . import _scoring
from ._baseline import held_out_background
from ._batches import results_as
from ._composites import resolve_auto
from ._describe import categorical_columns, describe_model
from ._explainer import RelevanceExplainer
from ._network import CLUSTERINGS, NEURALIZED, split_pipeline
from ._summaries import LEDGER


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


def plan_folds(estimator, X, y, groups, cv, random_state):
    """Split the data; the test folds must cover every sample exactly once."""
    model = split_pipeline(estimator)[1]
    if isinstance(model, NEURALIZED):
        report = (
            "cluster_relevance"
            if isinstance(model, CLUSTERINGS)
            else ("outlier_relevance")
        )
        raise TypeError(
            "cross_val_relevance explains a supervised model's predictions "
            f"against y; a {type(model).__name__} has none: use {report}(model, "
            "X) for its report."
        )
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


def check_names(feature_names, n_columns):
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


def run_folds(estimator, plan, task, seeds, n_jobs, verbose, progress):
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
    score = _scoring.score(model, X_test, y_test, task.scoring)
    with _recorded_warnings() as check_warnings:
        baseline, baseline_note = _scoring.baseline_score(
            classifier, X_train, y_train, X_test, y_test, task.scoring
        )
        permutation, permutation_note = _scoring.permutation_scores(
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
        outputs=_scoring.explained_outputs(
            model, X_test, explanation.targets[:, 0], classifier
        ),
        categorical=categorical_columns(model, len(explanation.feature_names)),
        model_description=describe_model(model),
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


def out_of_fold(folds, splits, n_samples, n_features):
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
