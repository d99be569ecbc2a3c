"""How faithful are the explanations? Every preset against the baselines.

Usage::

    python benchmarks/faithfulness.py            # about a minute on 2 cores

Trains a seeded MLP on each dataset (standardized features), explains a test
split with every rule preset and every baseline, and measures:

- AOPC (MoRF): mean drop of the explained logit as features are replaced by
  their training mean, most relevant first (higher: more faithful);
- MoRF-LeRF: the same minus the least-relevant-first area (higher: better);
- faithfulness correlation (Bhatt et al., 2020), 32 random quarter-subsets;
- completeness: mean |sum of relevance - logit| (0: the relevance adds up
  to the score it explains);
- precision@5 on the synthetic data, whose 5 informative features are known;
- time per sample (ms).

Writes ``benchmarks/results/faithfulness.{csv,md}`` and, for the docs,
``docs/faithfulness_table.inc`` and ``docs/images/faithfulness_curves.png``.
"""

import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
import baselines  # noqa: E402

from skl_lrp import RelevanceExplainer  # noqa: E402
from skl_lrp.metrics import (  # noqa: E402
    aopc,
    completeness,
    faithfulness_correlation,
    feature_flipping_curve,
    morf_lerf_difference,
)

ROOT = Path(__file__).parents[1]
PRESETS = ("deep-taylor", "epsilon", "alpha-beta", "montavon-2019")
N_TEST = 300
N_INFORMATIVE = 5


def load(name):
    if name == "synthetic":
        X, y = datasets.make_classification(
            n_samples=1000,
            n_features=20,
            n_informative=N_INFORMATIVE,
            n_redundant=0,
            n_repeated=0,
            shuffle=False,
            random_state=0,
        )
        return X, y, "classification"
    loader = getattr(datasets, f"load_{name}")
    X, y = loader(return_X_y=True)
    return X, y, "regression" if name == "diabetes" else "classification"


def methods(model, X_train, y_train, X_test, y_test):
    """name -> (relevance of X_test, seconds per sample)."""
    out = {}
    for preset in PRESETS:
        # The root point (the default, the training mean) learned on X_train.
        explainer = RelevanceExplainer(FrozenEstimator(model), rules=preset)
        explainer.fit(X_train)
        start = time.perf_counter()
        e = explainer.explain(X_test)
        out[preset] = (e.relevance[:, 0], (time.perf_counter() - start) / len(X_test))
    for name, function in (
        ("gradient x input", baselines.gradient_x_input),
        ("saliency", baselines.saliency),
        ("random", baselines.random_relevance),
    ):
        start = time.perf_counter()
        relevance = function(model, X_test)
        out[name] = (relevance, (time.perf_counter() - start) / len(X_test))
    start = time.perf_counter()
    relevance = baselines.permutation_relevance(model, X_test, y_test)
    out["permutation (global)"] = (
        relevance,
        (time.perf_counter() - start) / len(X_test),
    )
    start = time.perf_counter()
    relevance = baselines.shap_relevance(model, X_test, X_train[:100])
    if relevance is not None:
        out["shap permutation"] = (
            relevance,
            (time.perf_counter() - start) / len(X_test),
        )
    return out


def evaluate(name):
    X, y, task = load(name)
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=0.3,
        random_state=0,
        stratify=y if task == "classification" else None,
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)[:N_TEST]
    y_test = y_test[:N_TEST]
    network = MLPClassifier if task == "classification" else MLPRegressor
    model = network(hidden_layer_sizes=(64, 32), max_iter=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    steps = None if X.shape[1] <= 32 else 16
    common = {"baseline": "mean", "reference": X_train, "steps": steps}
    rows, curves = [], {}
    relevances = methods(model, X_train, y_train, X_test, y_test)
    for method, (relevance, seconds) in relevances.items():
        row = {
            "dataset": name,
            "method": method,
            "aopc_morf": aopc(model, X_test, relevance, **common),
            "morf_minus_lerf": morf_lerf_difference(model, X_test, relevance, **common),
            "faithfulness_corr": faithfulness_correlation(
                model,
                X_test,
                relevance,
                baseline="mean",
                reference=X_train,
                n_subsets=32,
                random_state=0,
            ),
            "completeness": completeness(model, X_test, relevance),
            "precision_at_5": float("nan"),
            "ms_per_sample": 1000 * seconds,
        }
        if name == "synthetic":
            top = np.argsort(-np.abs(relevance), axis=1)[:, :N_INFORMATIVE]
            row["precision_at_5"] = float(np.mean(top < N_INFORMATIVE))
        rows.append(row)
        curve = feature_flipping_curve(model, X_test, relevance, **common)
        curves[method] = (curve.counts, curve.mean_curve)
    extra = {}
    if name == "synthetic":  # global ranking against permutation importance
        permutation = relevances["permutation (global)"][0][0]
        for method in (*PRESETS, "gradient x input"):
            mean_abs = np.abs(relevances[method][0]).mean(axis=0)
            top = np.argsort(-mean_abs)[:N_INFORMATIVE]
            extra[method] = (
                float(spearmanr(mean_abs, permutation)[0]),
                float(np.mean(top < N_INFORMATIVE)),
            )
    return rows, curves, extra


HEADER = [
    "dataset",
    "method",
    "AOPC MoRF",
    "MoRF-LeRF",
    "faithfulness corr",
    "completeness",
    "precision@5",
    "ms/sample",
]


def _cells(row):
    precision = row["precision_at_5"]
    return [
        row["dataset"],
        row["method"],
        f"{row['aopc_morf']:.3f}",
        f"{row['morf_minus_lerf']:.3f}",
        f"{row['faithfulness_corr']:.3f}",
        f"{row['completeness']:.2g}",
        "" if np.isnan(precision) else f"{precision:.2f}",
        f"{row['ms_per_sample']:.3f}",
    ]


def markdown(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rst_table(rows, spearman):
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for cells in [HEADER, *map(_cells, rows)]:
        lines.append("   * - " + "\n     - ".join(c if c else " " for c in cells))
    lines.append("")
    lines.append(
        "On the synthetic data, the global ranking by mean absolute relevance "
        "against permutation importance (Spearman correlation over all 20 "
        "features) and the share of its top 5 that are the informative "
        "features: "
        + "; ".join(f"{m} {rho:.2f}, {top:.0%}" for m, (rho, top) in spearman.items())
        + "."
    )
    return "\n".join(lines) + "\n"


def plot(all_curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(all_curves), figsize=(4 * len(all_curves), 3.6))
    for ax, (name, curves) in zip(axes, all_curves.items()):
        for method, (counts, mean) in curves.items():
            style = "-" if method in PRESETS else "--"
            ax.plot(counts / counts[-1], mean, style, label=method, linewidth=1.2)
        ax.set_title(name)
        ax.set_xlabel("fraction of features replaced (MoRF)")
    axes[0].set_ylabel("mean explained score")
    axes[-1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    names = ["breast_cancer", "wine", "digits", "diabetes", "synthetic"]
    rows, all_curves, spearman = [], {}, {}
    for name in names:
        start = time.perf_counter()
        dataset_rows, curves, extra = evaluate(name)
        rows += dataset_rows
        all_curves[name] = curves
        spearman.update(extra)
        print(f"{name}: {time.perf_counter() - start:.1f}s", file=sys.stderr)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    with open(results / "faithfulness.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table = markdown(rows)
    (results / "faithfulness.md").write_text(table)
    (ROOT / "docs" / "faithfulness_table.inc").write_text(rst_table(rows, spearman))
    (ROOT / "docs" / "images").mkdir(exist_ok=True)
    plot(all_curves, ROOT / "docs" / "images" / "faithfulness_curves.png")
    print(table)
    print(
        "synthetic: (Spearman with permutation importance, global top-5 precision):",
        spearman,
    )


if __name__ == "__main__":
    main()
