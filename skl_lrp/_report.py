"""Cross-validated relevance: which features a kind of model relies on."""

import contextlib
import sys
import time
import warnings
from itertools import combinations
from numbers import Integral

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.parallel import Parallel, delayed

from . import _guardrails as guard
from ._composites import describe
from ._explainer import RelevanceExplainer


def cross_val_relevance(
    estimator,
    X,
    y,
    *,
    cv=5,
    groups=None,
    rules="deep-taylor",
    bounds="column-mean",
    target="true",
    scoring=None,
    n_repeats=5,
    n_jobs=None,
    return_estimator=False,
    verbose=0,
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
    rules : str, list or dict, default="deep-taylor"
        As in :class:`RelevanceExplainer`.
    bounds : {"column-mean", "mean", "data"} or tuple, default="column-mean"
        The first layer's root point, as in :class:`RelevanceExplainer`; a
        named one is learned on each training part only.
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
    random_state : int, RandomState instance or None, default=None
        With an integer `cv`, shuffle the samples before splitting, with this
        seed; None keeps the order (scikit-learn's default splitters). It
        also seeds the permutations: fold ``k`` passes
        ``numpy.random.SeedSequence([random_state, k]).generate_state(1)[0]``
        to ``permutation_importance`` (for a RandomState instance, one draw
        of ``randint(2**31)`` from it takes the place of `random_state`;
        None leaves the permutations unseeded).
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
    if not (
        isinstance(n_repeats, Integral)
        and not isinstance(n_repeats, bool)
        and n_repeats >= 0
    ):
        raise ValueError(
            "n_repeats must be a non-negative integer (the shuffles of each "
            f"column in permutation importance; 0 skips it); got {n_repeats!r}."
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
    if not (isinstance(top_k, Integral) and top_k >= 1):
        raise ValueError(f"top_k must be a positive integer; got {top_k!r}.")
    seeds = guard.fold_seeds(random_state, len(splits))
    y_array = np.asarray(y)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    jobs = (
        delayed(_fit_and_explain)(
            classifier,
            estimator,
            X,
            y_array,
            train,
            test,
            index,
            rules,
            bounds,
            target,
            scoring,
            n_repeats,
            seeds[index],
        )
        for index, (train, test) in enumerate(splits)
    )
    folds = [None] * len(splits)
    for done, fold in enumerate(parallel(jobs), start=1):
        folds[fold["index"]] = fold
        if verbose:
            _progress(done, len(splits), fold)
    for category, message in dict.fromkeys(
        warning for fold in folds for warning in fold["warnings"]
    ):
        warnings.warn(message, category, stacklevel=2)
    report = RelevanceReport._from_folds(
        folds,
        splits,
        X,
        y_array,
        classifier,
        top_k,
        feature_names,
        settings={
            "estimator": repr(estimator),
            "rules": repr(rules),
            "bounds": repr(bounds),
            "target": repr(target),
            "cv": repr(cv),
            "scoring": repr(scoring),
            "n_repeats": n_repeats,
            "n_splits": len(splits),
            "top_k": top_k,
            "meaning": describe(rules, bounds),
        },
        return_estimator=return_estimator,
    )
    for warning in report.warnings:
        if warning["kind"] in ("baseline", "cardinality"):
            warnings.warn(warning["message"], UserWarning, stacklevel=2)
    return report


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _fit_and_explain(
    classifier,
    estimator,
    X,
    y,
    train,
    test,
    index,
    rules,
    bounds,
    target,
    scoring,
    n_repeats,
    seed,
):
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    start = time.perf_counter()
    # Batches of one fold run one after the other: the folds are parallel.
    # Warnings are recorded and raised again in the caller's process, where
    # a worker's (loky, Dask) would otherwise be lost.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explainer = RelevanceExplainer(
            clone(estimator), rules=rules, bounds=bounds, n_jobs=1
        ).fit(X_train, y[train])
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    if isinstance(target, str) and target == "true":
        if classifier:
            explanation = explainer.explain_each(X_test, y[test])
        else:
            explanation = explainer.explain(X_test, target="predicted")
    else:
        explanation = explainer.explain(X_test, target=target)
    explain_time = time.perf_counter() - start
    model = explainer.estimator_
    score = guard.score(model, X_test, y[test], scoring)
    with warnings.catch_warnings(record=True) as checked:
        warnings.simplefilter("always")
        baseline, baseline_note = guard.baseline_score(
            classifier, X_train, y[train], X_test, y[test], scoring
        )
        permutation, permutation_note = guard.permutation_scores(
            model, X_test, y[test], scoring, n_repeats, seed, explanation.feature_names
        )
    return {
        "index": index,
        "relevance": explanation.relevance[:, 0],
        "scores": explanation.scores[:, 0],
        "targets": explanation.targets[:, 0],
        "absorbed": np.stack(
            [
                explanation.absorbed_bias[:, 0],
                explanation.absorbed_stabilizer[:, 0],
                explanation.absorbed_dead[:, 0],
            ],
            axis=1,
        ),
        "score": score,
        "baseline": baseline,
        "permutation": permutation,
        "notes": [note for note in (baseline_note, permutation_note) if note],
        "fit_time": fit_time,
        "explain_time": explain_time,
        "feature_names": explanation.feature_names,
        "explainer": explainer,
        "warnings": [(w.category, str(w.message)) for w in [*caught, *checked]],
    }


def _progress(done, total, fold):
    line = (
        f"fold {fold['index'] + 1}: score {fold['score']:.4g}, fit "
        f"{fold['fit_time']:.2f}s, explain {fold['explain_time']:.3f}s"
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


class RelevanceReport:
    """Out-of-fold relevance with its spread and stability across folds.

    Made by :func:`cross_val_relevance`. Per-feature figures are computed on
    the mean absolute relevance of each fold's held-out samples; the names
    follow :func:`~sklearn.inspection.permutation_importance`.

    Parameters
    ----------
    **attributes : dict
        The attributes below, as keywords; :func:`cross_val_relevance` sets
        them all.

    Attributes
    ----------
    feature_names : ndarray of shape (n_features,)
        The columns relevance is reported on.
    relevance : ndarray of shape (n_samples, n_features)
        Out-of-fold relevance of every sample, from the fold that held it out.
    scores : ndarray of shape (n_samples,)
        The explained scores (logits).
    targets : ndarray of shape (n_samples,)
        The label (or output index) explained for each sample.
    absorbed : ndarray of shape (n_samples, 3)
        The ledger per sample: relevance taken by biases, stabilizers and
        vanished denominators.
    values : ndarray of shape (n_samples, n_features)
        Feature values as floats, for plots (NaN where not numeric).
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
        between their feature rankings (1: every fold ranks alike; NaN with
        one fold or one feature).
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
        is constant; None without permutation importance).
    warnings : list of dict
        What the sanity checks found, most general first: dicts with the
        keys "kind" ("baseline", "convergence", "cardinality",
        "disagreement", or "skipped" for a check that could not run),
        "column" (the column concerned, or None) and "message".
    ledger : dict
        Total relevance absorbed by "bias", "stabilizer" and "dead" neurons
        over all samples, and "max_conservation_error": the largest
        ``|relevance.sum() + absorbed - score|`` of any sample.
    settings : dict
        The settings used.
    explainers : list of RelevanceExplainer or None
        The fitted explainer of every fold, with ``return_estimator=True``.
    """

    def __init__(self, **attributes):
        self.__dict__.update(attributes)

    @classmethod
    def _from_folds(
        cls,
        folds,
        splits,
        X,
        y,
        classifier,
        top_k,
        feature_names,
        settings,
        return_estimator,
    ):
        n_samples, n_folds = len(y), len(folds)
        names = (
            folds[0]["feature_names"]
            if feature_names is None
            else (np.asarray(feature_names, dtype=object))
        )
        n_features = len(names)
        relevance = np.empty((n_samples, n_features))
        scores, absorbed = np.empty(n_samples), np.empty((n_samples, 3))
        targets = np.empty(n_samples, dtype=np.asarray(folds[0]["targets"]).dtype)
        fold_of = np.empty(n_samples, dtype=int)
        for fold, (_, test) in zip(folds, splits):
            relevance[test] = fold["relevance"]
            scores[test] = fold["scores"]
            targets[test] = fold["targets"]
            absorbed[test] = fold["absorbed"]
            fold_of[test] = fold["index"]
        per_fold = np.array([np.abs(f["relevance"]).mean(axis=0) for f in folds]).T
        signed = np.array([f["relevance"].mean(axis=0) for f in folds]).T
        mean, std = per_fold.mean(axis=1), per_fold.std(axis=1)
        if n_folds > 1:
            half = stats.t.ppf(0.975, n_folds - 1) * per_fold.std(axis=1, ddof=1)
            half /= np.sqrt(n_folds)
        else:
            half = np.full(n_features, np.nan)
        ranks = np.array(
            [stats.rankdata(-per_fold[:, k], method="min") for k in range(n_folds)]
        ).astype(int)
        top_k = min(top_k, n_features)
        # A feature is in a fold's top k only if it ranks there even when its
        # ties are broken against it.
        worst_ranks = np.array(
            [stats.rankdata(-per_fold[:, k], method="max") for k in range(n_folds)]
        )
        rank_spearman, rank_kendall = _rank_agreement(per_fold)
        class_relevance = classes = None
        if classifier:
            classes = np.unique(targets)
            class_relevance = np.array(
                [np.abs(relevance[targets == c]).mean(axis=0) for c in classes]
            )
        error = np.abs(relevance.sum(axis=1) + absorbed.sum(axis=1) - scores)
        checks = _checks(folds, X, names, mean, classifier)
        return cls(
            feature_names=np.asarray(names, dtype=object),
            relevance=relevance,
            scores=scores,
            targets=targets,
            absorbed=absorbed,
            values=_float_values(X, n_features),
            folds=fold_of,
            relevances=per_fold,
            relevances_mean=mean,
            relevances_std=std,
            relevances_ci=np.c_[np.maximum(mean - half, 0), mean + half],
            signed_relevances=signed,
            signed_mean=relevance.mean(axis=0),
            ranks=ranks,
            rank_spearman=rank_spearman,
            rank_kendall=rank_kendall,
            top_k=top_k,
            top_k_frequency=(worst_ranks <= top_k).mean(axis=0),
            classes=classes,
            class_relevance=class_relevance,
            fold_scores=np.array([f["score"] for f in folds]),
            fit_times=np.array([f["fit_time"] for f in folds]),
            explain_times=np.array([f["explain_time"] for f in folds]),
            **checks,
            ledger={
                "bias": float(absorbed[:, 0].sum()),
                "stabilizer": float(absorbed[:, 1].sum()),
                "dead": float(absorbed[:, 2].sum()),
                "max_conservation_error": float(error.max()),
            },
            settings=settings,
            explainers=[f["explainer"] for f in folds] if return_estimator else None,
        )

    def ranked_features(self):
        """Feature names, most relevant (largest mean absolute relevance) first.

        Returns
        -------
        names : list of str
            All features, in decreasing order of ``relevances_mean``.

        Examples
        --------
        >>> import numpy as np
        >>> from skl_lrp import RelevanceReport
        >>> RelevanceReport(feature_names=np.array(["a", "b"]),
        ...                 relevances_mean=np.array([0.1, 0.3])).ranked_features()
        ['b', 'a']
        """
        order = np.argsort(-self.relevances_mean, kind="stable")
        return [str(self.feature_names[i]) for i in order]

    def to_dict(self):
        """The report as plain Python values, ready for :func:`json.dump`.

        Returns
        -------
        report : dict
            Settings, fold and baseline scores, times, stability figures,
            the agreement with permutation importance, the ledger, the
            warnings, and one entry per feature (ranked, with its permutation
            importance and whether a warning names it), without per-sample
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
        classes = (
            None
            if self.classes is None
            else [
                {
                    "label": _json_value(c),
                    "mean_abs_relevance": {
                        str(name): float(v) for name, v in zip(self.feature_names, row)
                    },
                }
                for c, row in zip(self.classes, self.class_relevance)
            ]
        )
        agreement = getattr(self, "importance_agreement", None)
        baseline = getattr(self, "baseline_scores", None)
        return {
            "settings": dict(self.settings),
            "n_samples": int(len(self.scores)),
            "fold_scores": [float(v) for v in self.fold_scores],
            "baseline_scores": (
                None if baseline is None else [_json_float(v) for v in baseline]
            ),
            "fit_times": [float(v) for v in self.fit_times],
            "explain_times": [float(v) for v in self.explain_times],
            "rank_spearman": _json_float(self.rank_spearman),
            "rank_kendall": _json_float(self.rank_kendall),
            "importance_agreement": (
                None if agreement is None else _json_float(agreement)
            ),
            "top_k": int(self.top_k),
            "ledger": dict(self.ledger),
            "warnings": [dict(w) for w in getattr(self, "warnings", [])],
            "features": self._feature_rows(),
            "classes": classes,
        }

    def _feature_rows(self):
        """One dict per feature, most relevant first, with JSON values only.

        The one source of the ranked table of JSON, HTML and the command line.
        """
        order = np.argsort(-self.relevances_mean, kind="stable")
        pi_mean = getattr(self, "permutation_importances_mean", None)
        pi_std = getattr(self, "permutation_importances_std", None)
        pi_rank = (
            None
            if pi_mean is None
            else stats.rankdata(-pi_mean, method="min", nan_policy="omit")
        )
        flagged = {w["column"] for w in getattr(self, "warnings", [])}
        return [
            {
                "name": str(self.feature_names[i]),
                "mean_abs_relevance": float(self.relevances_mean[i]),
                "std": float(self.relevances_std[i]),
                "ci_low": _json_float(self.relevances_ci[i, 0]),
                "ci_high": _json_float(self.relevances_ci[i, 1]),
                "signed_mean": float(self.signed_mean[i]),
                "mean_rank": float(self.ranks[:, i].mean()),
                "top_k_frequency": float(self.top_k_frequency[i]),
                "permutation_importance_mean": (
                    None if pi_mean is None else _json_float(pi_mean[i])
                ),
                "permutation_importance_std": (
                    None if pi_std is None else _json_float(pi_std[i])
                ),
                "permutation_rank": (
                    None if pi_rank is None else _json_int(pi_rank[i])
                ),
                "flagged": str(self.feature_names[i]) in flagged,
                "per_fold": [float(v) for v in self.relevances[i]],
            }
            for i in order
        ]

    def to_frame(self):
        """The ranked feature table as a pandas DataFrame.

        Returns
        -------
        table : pandas.DataFrame
            One row per feature, most relevant first.

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
        table = pd.DataFrame(self._feature_rows()).set_index("name")
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
        from ._html import render_report

        html = render_report(self, title=title)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(html)
        return path


def _checks(folds, X, names, relevances_mean, classifier):
    """The report's attributes from the sanity checks of the folds."""
    permutation = [fold["permutation"] for fold in folds]
    per_fold = mean = std = agreement = None
    if all(p is not None for p in permutation):
        per_fold = np.array(permutation).T
        mean, std = per_fold.mean(axis=1), per_fold.std(axis=1)
        agreement = guard.importance_agreement(relevances_mean, mean)
    fold_scores = [fold["score"] for fold in folds]
    baseline_scores = np.array([fold["baseline"] for fold in folds])
    found = [
        guard.baseline_warning(fold_scores, baseline_scores, classifier),
        guard.convergence_warning([fold["warnings"] for fold in folds]),
        *guard.cardinality_warnings(X, names),
    ]
    if mean is not None:
        found += guard.disagreements(names, relevances_mean, mean)
    notes = dict.fromkeys(note for fold in folds for note in fold["notes"])
    found += [guard.warning("skipped", None, note) for note in notes]
    return {
        "baseline_scores": baseline_scores,
        "permutation_importances": per_fold,
        "permutation_importances_mean": mean,
        "permutation_importances_std": std,
        "importance_agreement": agreement,
        "warnings": [w for w in found if w is not None],
    }


def _rank_agreement(per_fold):
    n_features, n_folds = per_fold.shape
    if n_folds < 2 or n_features < 2:
        return float("nan"), float("nan")
    pairs = list(combinations(range(n_folds), 2))
    spearman = [stats.spearmanr(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    kendall = [stats.kendalltau(per_fold[:, a], per_fold[:, b])[0] for a, b in pairs]
    return float(np.mean(spearman)), float(np.mean(kendall))


def _float_values(X, n_features):
    """Feature values as floats where they are numbers, NaN elsewhere."""
    if hasattr(X, "toarray"):
        X = X.toarray()
    columns = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X, dtype=object)
    if columns.ndim != 2 or columns.shape[1] != n_features:
        return np.full((len(columns), n_features), np.nan)
    values = np.full(columns.shape, np.nan)
    for j in range(n_features):
        with contextlib.suppress(TypeError, ValueError):
            values[:, j] = np.asarray(columns[:, j], dtype=float)
    return values


def _json_float(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _json_int(value):
    return int(value) if np.isfinite(value) else None


def _json_value(value):
    return value.item() if hasattr(value, "item") else value
