"""Timings quoted in docs/faq.rst: skl_lrp against permutation importance and SHAP.

Run from the repository root (needs shap, which is not a dependency)::

    python docs/_scripts/faq_speed.py

The model is the breast-cancer MLP of the examples (StandardScaler, then
hidden layers of 32 and 16); 171 held-out rows are explained. Every method
explains the logit of class 1 (skl_lrp with ``target=1``; SHAP through a
function returning that logit). BLAS runs on one thread, so the figures do
not depend on what else the machine is doing with its other cores.
Fast methods are timed as the median of 5 runs; the slow SHAP explainers
once, on fewer rows, after one untimed warm-up call on a single row (its
time is printed too: the first call of shap.Explainer compiles code).
"""

import platform
import statistics
import time
import warnings

import numpy as np
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skl_lrp import RelevanceExplainer


def clock(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    import shap

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=1000, random_state=0),
    ).fit(X_train, y_train)

    def logit(rows):
        p = np.clip(model.predict_proba(rows)[:, 1], 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p))

    n = len(X_test)
    rows = {}

    def fit():
        explainer = RelevanceExplainer(FrozenEstimator(model), target=1).fit(X_train)
        _ = explainer.feature_importances_  # (computed when first read)
        return explainer

    seconds, explainer = clock(fit, 5)
    rows["skl_lrp: fit (root point + feature_importances_ on 398 rows)"] = (
        seconds,
        None,
        "median of 5",
    )
    seconds, lrp = clock(lambda: explainer.transform(X_test), 5)
    rows[f"skl_lrp: transform, {n} rows"] = (seconds, seconds / n, "median of 5")

    seconds, _ = clock(
        lambda: permutation_importance(
            model, X_test, y_test, n_repeats=5, random_state=0
        ),
        5,
    )
    rows[f"permutation_importance, {n} rows, n_repeats=5 (global only)"] = (
        seconds,
        None,
        "median of 5",
    )

    background = shap.sample(X_train, 50, random_state=0)
    kernel = shap.KernelExplainer(logit, background)
    k = 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first, _ = clock(lambda: kernel.shap_values(X_test[:1], silent=True), 1)
        warnings.simplefilter("ignore")
        seconds, kernel_values = clock(
            lambda: kernel.shap_values(X_test[:k], silent=True), 1
        )
    rows[f"shap.KernelExplainer, 50 background rows, {k} rows"] = (
        seconds,
        seconds / k,
        "single run",
    )

    auto = shap.Explainer(logit, shap.maskers.Independent(X_train, max_samples=100))
    k = 20
    first_auto, _ = clock(lambda: auto(X_test[:1], silent=True), 1)
    seconds, auto_values = clock(lambda: auto(X_test[:k], silent=True), 1)
    rows[f"shap.Explainer (auto: {type(auto).__name__}), {k} rows"] = (
        seconds,
        seconds / k,
        "single run",
    )

    print(
        f"first call on one row: KernelExplainer {first:.3g} s, "
        f"Explainer {first_auto:.3g} s"
    )
    print(
        f"# {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, shap {shap.__version__}, one BLAS thread"
    )
    print("| method | total (s) | per row (ms) | timing |")
    print("| --- | --- | --- | --- |")
    for name, (total, per_row, how) in rows.items():
        per = "" if per_row is None else f"{per_row * 1e3:.3g}"
        print(f"| {name} | {total:.3g} | {per} | {how} |")

    # Do the local attributions agree? Spearman over the 30 features, per row.
    for name, values in [
        ("KernelExplainer", kernel_values),
        ("Explainer", auto_values.values),
    ]:
        values = np.asarray(values)
        rho = [spearmanr(lrp[i], values[i])[0] for i in range(len(values))]
        print(f"median Spearman, skl_lrp vs {name}, per row: {np.median(rho):.2f}")
        overall = spearmanr(np.abs(lrp[: len(values)]).mean(0), np.abs(values).mean(0))
        print(f"Spearman of mean |attribution| over those rows: {overall[0]:.2f}")


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        main()
