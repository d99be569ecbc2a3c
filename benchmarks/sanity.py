"""Null-feature sanity study: which root point and preset to trust on tables.

Usage::

    pip install -e ".[benchmarks]"     # pandas and three packages of data
    python benchmarks/sanity.py         # 3 seeds, about 10 minutes on 2 cores
    python benchmarks/sanity.py --quick # 1 seed, the scikit-learn data only

Every dataset is real data that ships inside scikit-learn or inside a
pip-installable package (palmerpenguins, vega_datasets, statsmodels: nothing
is downloaded at run time), or synthetic. Four *null* columns, unrelated to
the target, are added to each:

- ``null_id``: a unique string per row (an identifier, one-hot encoded);
- ``null_heavy``: lognormal noise (sigma 1.5, a heavy tail);
- ``null_flag``: a 0/1 flag with 2% ones;
- ``null_const``: 1.0 in 99% of the rows, ``1 + N(0, 0.05)`` in the rest.

The model is what a user builds: ``Pipeline(ColumnTransformer(median-impute
+ scale | mode-impute + one-hot), MLP(64, 32))`` (regression targets are
standardized, so that about half the predictions are negative; AOPC is
also rated apart on the rows predicted >= 0 and < 0). It is trained on 70%
of the rows; the held-out rows (at most
300) are explained with every preset and root point, and with gradient x
input, and rated by:

- the rank percentile of each null column by mean |relevance| (1: last;
  above 0.5: in the bottom half, as a null column should be);
- the Spearman correlation, over the columns, between mean |relevance| and
  permutation importance on the held-out rows;
- AOPC (most relevant first) over gradient x input's, with columns of the
  user's table replaced by their training mean (numeric) or mode
  (categorical); and the same on the network's own inputs, each replaced by
  its training mean;
- completeness: the largest ``|sum of relevance - score| / |score|``.

Writes ``benchmarks/results/sanity.{csv,md}`` and, for the documentation,
``docs/sanity_summary.inc`` and ``docs/sanity_datasets.inc``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skl_lrp import RelevanceExplainer
from skl_lrp._network import forward, read_network
from skl_lrp.metrics import aopc

ROOT = Path(__file__).parents[1]
NULLS = ("null_id", "null_heavy", "null_flag", "null_const")
ROOT_POINTS = ("column-mean", "mean", "data")
Z_BETA_PRESETS = ("deep-taylor", "alpha-beta", "montavon-2019")
N_TEST = 300


# -- data ---------------------------------------------------------------------


def _builtin(name):
    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    task = "regression" if name == "diabetes" else "classification"
    return bunch.data.copy(), bunch.target.to_numpy(), task


def _penguins():
    import palmerpenguins

    table = palmerpenguins.load_penguins()
    return table, table.pop("species").to_numpy(), "classification"


def _cars():
    from vega_datasets import local_data

    table = local_data.cars().dropna(subset=["Miles_per_Gallon"])
    table = table.drop(columns=["Name"]).reset_index(drop=True)
    table["Year"] = pd.to_datetime(table["Year"]).dt.year
    table["Origin"] = table["Origin"].astype(object)
    return table, table.pop("Miles_per_Gallon").to_numpy(float), "regression"


def _seattle_weather():
    from vega_datasets import local_data

    table = local_data.seattle_weather()
    table["month"] = pd.to_datetime(table.pop("date")).dt.month.astype(str)
    return table, table.pop("weather").to_numpy(), "classification"


def _fair():
    from statsmodels.datasets import fair

    table = fair.load_pandas().data.copy()
    y = (table.pop("affairs") > 0).astype(int).to_numpy()
    for column in ("occupation", "occupation_husb", "religious"):
        table[column] = table[column].astype(int).astype(str)
    return table, y, "classification"


def _anes96():
    from statsmodels.datasets import anes96

    table = anes96.load_pandas().data.copy()
    y = table.pop("vote").astype(int).to_numpy()
    table = table.drop(columns=["logpopul", "PID"])
    table["educ"] = table["educ"].astype(int).astype(str)
    return table, y, "classification"


def _star98():
    from statsmodels.datasets import star98

    table = star98.load_pandas().data.copy()
    above, below = table.pop("NABOVE"), table.pop("NBELOW")
    return table, (above / (above + below)).to_numpy(float), "regression"


def _synthetic_mixed():
    """Numeric and categorical signal, with missing values."""
    rng = np.random.RandomState(0)
    n = 1500
    table = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    table["grade"] = rng.choice(list("ABCDE"), n)
    effect = table["grade"].map(dict(zip("ABCDE", [-1.5, -0.5, 0, 0.5, 1.5])))
    logit = 1.5 * table.a + table.b - 0.8 * table.c + 0.5 * table.d + effect
    y = (logit + rng.logistic(size=n) > 0).astype(int).to_numpy()
    table.loc[rng.rand(n) < 0.1, "a"] = np.nan
    return table, y, "classification"


def _friedman():
    """make_friedman1 (columns x5, x6 uninformative) plus a categorical."""
    X, y = datasets.make_friedman1(n_samples=1000, n_features=7, random_state=0)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(7)])
    rng = np.random.RandomState(1)
    table["site"] = rng.choice(["north", "south", "east"], len(y))
    y = y + table["site"].map({"north": 2.0, "south": -2.0, "east": 0.0})
    return table, y.to_numpy(float), "regression"


DATASETS = {
    "breast_cancer": lambda: _builtin("breast_cancer"),
    "wine": lambda: _builtin("wine"),
    "digits": lambda: _builtin("digits"),
    "diabetes": lambda: _builtin("diabetes"),
    "penguins": _penguins,
    "cars": _cars,
    "seattle_weather": _seattle_weather,
    "fair": _fair,
    "anes96": _anes96,
    "star98": _star98,
    "synthetic_mixed": _synthetic_mixed,
    "friedman": _friedman,
}
SCIKIT_LEARN_ONLY = ("breast_cancer", "wine", "digits", "diabetes")


def with_nulls(table, seed):
    """`table` with the four null columns added."""
    rng = np.random.RandomState(seed)
    table = table.copy()
    n = len(table)
    table["null_id"] = [f"id{i:06d}" for i in rng.permutation(n)]
    table["null_heavy"] = rng.lognormal(0.0, 1.5, n)
    table["null_flag"] = (rng.rand(n) < 0.02).astype(float)
    const = np.ones(n)
    rare = rng.rand(n) < 0.01
    const[rare] += rng.normal(0, 0.05, rare.sum())
    table["null_const"] = const
    for column in table.columns:  # integers become floats (mean imputation)
        if table[column].dtype.kind in "iub":
            table[column] = table[column].astype(float)
    return table


def make_model(table, task, seed):
    numeric = [c for c in table.columns if table[c].dtype.kind == "f"]
    categorical = [c for c in table.columns if c not in numeric]
    parts = [
        (
            "num",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            numeric,
        )
    ]
    if categorical:
        one_hot = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore"),
        )
        parts.append(("cat", one_hot, categorical))
    network = MLPClassifier if task == "classification" else MLPRegressor
    mlp = network(hidden_layer_sizes=(64, 32), max_iter=500, random_state=seed)
    model = make_pipeline(ColumnTransformer(parts, sparse_threshold=0), mlp)
    return model, numeric


# -- attributions and metrics ---------------------------------------------------


def network_inputs(model, table):
    return np.asarray(model[:-1].transform(table), dtype=float)


def gradient_x_input(model, Z, columns):
    """Gradient x input on the network's inputs (relu or tanh hidden units)."""
    network = read_network(model)
    n_layers = len(network.weights)
    inputs, pre, _ = forward(network, Z.copy())[:3]
    grad = network.weights[-1][:, columns].T
    for index in range(n_layers - 2, -1, -1):
        if network.hidden_activation == "relu":
            grad = grad * (pre[index] > 0)
        else:
            grad = grad * (1 - inputs[index + 1] ** 2)
        grad = grad @ network.weights[index].T
    return grad * Z


def reference_boxes(Z):
    """Root points studied but not offered by name, as explicit bounds."""
    median = np.median(Z, axis=0)
    zero = np.zeros(Z.shape[1])
    return {
        "median": (median, median),
        "zero": (zero, zero),
        "q10-q90": (np.quantile(Z, 0.1, axis=0), np.quantile(Z, 0.9, axis=0)),
    }


def user_aopc(model, table, relevance, columns, baseline, steps):
    """AOPC with whole columns of the user's table replaced, most relevant
    first, by their `baseline` value (training mean or mode)."""
    n, d = relevance.shape
    order = np.argsort(-relevance, axis=1, kind="stable")
    counts = np.arange(d + 1)
    if d > steps:
        counts = np.unique(np.round(np.linspace(0, d, steps + 1)).astype(int))
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.arange(d)[None, :], axis=1)
    removed = position[None, :, :] < counts[:, None, None]  # (steps, n, d)
    perturbed = {}
    for j, name in enumerate(table.columns):
        column = np.tile(table[name].to_numpy(), len(counts))
        column = column.astype(float if column.dtype.kind == "f" else object)
        column[removed[:, :, j].reshape(-1)] = baseline[j]
        perturbed[name] = column
    network = read_network(model)
    logits = forward(network, network_inputs(model, pd.DataFrame(perturbed)))[2]
    scores = logits[np.arange(n * len(counts)), np.tile(columns, len(counts))]
    scores = scores.reshape(len(counts), n)
    return float((scores[0] - scores).mean())


def evaluate(name, seed):
    table, y, task = DATASETS[name]()
    table = with_nulls(table, seed)
    if task == "regression":
        y = (y - y.mean()) / y.std()
    stratify = y if task == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        table, y, test_size=0.3, random_state=seed, stratify=stratify
    )
    X_test, y_test = X_test.iloc[:N_TEST], y_test[:N_TEST]
    model, numeric = make_model(table, task, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    permutation = permutation_importance(
        model, X_test, y_test, n_repeats=10, random_state=seed
    ).importances_mean
    frozen = FrozenEstimator(model)
    Z_train, Z_test = network_inputs(model, X_train), network_inputs(model, X_test)
    network = read_network(model)
    logits = forward(network, Z_test.copy())[2]
    columns = network.predicted_columns(logits)
    scores = logits[np.arange(len(columns)), columns]
    labels = network.labels[columns]
    explainer = RelevanceExplainer(frozen).fit(X_train)
    aggregation = explainer._plan.aggregation
    names = list(table.columns)
    baseline = [
        X_train[c].mean() if c in numeric else X_train[c].mode().iloc[0] for c in names
    ]
    steps = 16
    common = {"target": labels, "baseline": "mean", "reference": Z_train}
    mlp = model[-1]

    def rate(method, on_inputs, completeness=True):
        relevance = on_inputs @ aggregation
        importance = np.abs(relevance).mean(axis=0)
        percentile = rankdata(-importance)[[names.index(c) for c in NULLS]] / len(names)
        gap = np.abs(on_inputs.sum(axis=1) - scores) / np.maximum(
            np.abs(scores), 1e-300
        )
        return {
            "dataset": name,
            "seed": seed,
            "task": task,
            "score": model.score(X_test, y_test),
            "method": method,
            "spearman": spearmanr(importance, permutation)[0],
            "aopc": user_aopc(model, X_test, relevance, columns, baseline, steps),
            **{
                f"aopc_{side}": user_aopc(
                    model, X_test[rows], relevance[rows], columns[rows], baseline, steps
                )
                if rows.any()
                else np.nan
                for side, rows in (("pos", scores >= 0), ("neg", scores < 0))
            },
            "aopc_inputs": aopc(mlp, Z_test, on_inputs, steps=steps, **common),
            "completeness": gap.max() if completeness else np.nan,
            "negative": float(np.mean(scores < 0)),
            **dict(zip(NULLS, percentile)),
        }

    rows = [rate("gradient x input", gradient_x_input(model, Z_test, columns), False)]
    settings = [(p, b) for p in Z_BETA_PRESETS for b in ROOT_POINTS]
    settings += [("epsilon", "data")]
    settings += [("deep-taylor", box) for box in reference_boxes(Z_train).items()]
    for preset, bounds in settings:
        label = bounds if isinstance(bounds, str) else bounds[0]
        value = bounds if isinstance(bounds, str) else bounds[1]
        on_inputs = RelevanceExplainer(
            frozen, rules=preset, bounds=value, aggregate=False
        ).fit(X_train)
        method = preset if preset == "epsilon" else f"{preset} / {label}"
        rows.append(rate(method, on_inputs.explain(X_test).relevance[:, 0]))
    results = pd.DataFrame(rows)
    reference = results.iloc[0]
    for key in ("aopc", "aopc_pos", "aopc_neg"):
        results[f"{key}_ratio"] = results[key] / reference[key]
    results["aopc_inputs_ratio"] = results["aopc_inputs"] / reference["aopc_inputs"]
    return results


# -- summary --------------------------------------------------------------------


def _split(method):
    """(preset, root point) of a method's name."""
    preset, _, root = method.partition(" / ")
    return preset, root or "(none)"


def summarize(results):
    """One row per method over all datasets and seeds."""
    rows = []
    for method, group in results.groupby("method", sort=False):
        bottom = group[list(NULLS)].to_numpy() > 0.5
        n = len(group)
        preset, root = _split(method)
        rows.append(
            {
                "preset": preset,
                "root point": root,
                "nulls low": f"{bottom.sum()}/{bottom.size}",
                **{
                    name.removeprefix("null_"): f"{(group[name] > 0.5).sum()}/{n}"
                    for name in NULLS
                },
                "Spearman": group.groupby("seed")["spearman"].median().mean(),
                "AOPC": group["aopc_ratio"].median(),
                "AOPC >= 0.85": f"{(group['aopc_ratio'] >= 0.85).sum()}/{n}",
                "AOPC inputs": group["aopc_inputs_ratio"].median(),
                "conserves": (
                    f"{(group['completeness'] <= 1e-8).sum()}/{n}"
                    if group["completeness"].notna().any()
                    else "n/a"
                ),
            }
        )
    return pd.DataFrame(rows)


def by_dataset(results, methods):
    """Means over the seeds, per dataset, of `methods`."""
    kept = results[results["method"].isin(methods)]
    table = kept.groupby(["dataset", "method"], sort=False).mean(numeric_only=True)
    columns = ["score", *NULLS, "spearman", "aopc_ratio", "aopc_inputs_ratio"]
    table = table[columns].reset_index()
    table["method"] = [methods[m] for m in table["method"]]
    return table.rename(
        columns={
            **{name: name.removeprefix("null_") for name in NULLS},
            "spearman": "Spearman",
            "aopc_ratio": "AOPC",
            "aopc_inputs_ratio": "AOPC inputs",
        }
    )


def regression_sign(results):
    """The regression tables, their rows predicted >= 0 and < 0 apart: the
    share of rows, and the AOPC (not a ratio: on the rows predicted < 0,
    gradient x input's own is near 0 in some runs) of gradient x input, the
    default and montavon-2019 (means over the seeds)."""
    rows = []
    regression = results[results["task"] == "regression"]
    for name, runs in regression.groupby("dataset", sort=False):
        by = runs.groupby("method").mean(numeric_only=True)
        negative = by.loc["gradient x input", "negative"]
        for key, which, share in (
            ("aopc_pos", ">= 0", 1 - negative),
            ("aopc_neg", "< 0", negative),
        ):
            row = {
                "dataset": name,
                "score": by.loc["gradient x input", "score"],
                "predicted": which,
                "rows": share,
            }
            for method, label in (
                ("gradient x input", "gxi"),
                ("deep-taylor / column-mean", "default"),
                ("montavon-2019 / column-mean", "montavon-2019"),
            ):
                row[label] = by.loc[method, key]
            rows.append(row)
    return pd.DataFrame(rows)


def _cells(row, columns, formats):
    return [formats.get(c, "{}").format(row[c]) for c in columns]


def markdown(frame, formats):
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.shape[1]]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(_cells(row, frame.columns, formats)) + " |")
    return "\n".join(lines) + "\n"


def rst_table(frame, formats):
    lines = [".. list-table::", "   :header-rows: 1", "   :class: compact", ""]
    lines.append("   * - " + "\n     - ".join(frame.columns))
    for _, row in frame.iterrows():
        lines.append("   * - " + "\n     - ".join(_cells(row, frame.columns, formats)))
    return "\n".join(lines) + "\n"


SUMMARY_FORMATS = {"Spearman": "{:.2f}", "AOPC": "{:.2f}", "AOPC inputs": "{:.2f}"}
SIGN_FORMATS = {"score": "{:.2f}", "rows": "{:.0%}"} | {
    label: "{:.3f}" for label in ("gxi", "default", "montavon-2019")
}
DATASET_FORMATS = {
    name: "{:.2f}"
    for name in ("score", "id", "heavy", "flag", "const", "Spearman", "AOPC")
} | {"AOPC inputs": "{:.2f}"}


def run(args):
    names = args.datasets or (SCIKIT_LEARN_ONLY if args.quick else list(DATASETS))
    frames = []
    for name in names:
        for seed in range(1 if args.quick else args.seeds):
            start = time.perf_counter()
            try:
                frames.append(evaluate(name, seed))
            except ImportError as exc:
                print(f"{name}: skipped ({exc}); pip install -e '.[benchmarks]'")
                break
            seconds = time.perf_counter() - start
            print(f"{name} seed {seed}: {seconds:.1f}s", file=sys.stderr)
    return pd.concat(frames, ignore_index=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, sklearn data")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument(
        "--summarize", action="store_true", help="tabulate the last results only"
    )
    args = parser.parse_args(argv)
    out = ROOT / "benchmarks" / "results"
    if args.summarize:
        results = pd.read_csv(out / "sanity.csv")
    else:
        results = run(args)
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / "sanity.csv", index=False)
    summary = summarize(results)
    sign_table = regression_sign(results)
    datasets_table = by_dataset(
        results,
        {
            "gradient x input": "gradient x input",
            "deep-taylor / column-mean": "default",
            "deep-taylor / data": "data range",
        },
    )
    (out / "sanity.md").write_text(
        markdown(summary, SUMMARY_FORMATS)
        + "\n"
        + markdown(datasets_table, DATASET_FORMATS)
        + "\n"
        + markdown(sign_table, SIGN_FORMATS)
    )
    if not args.quick and args.datasets is None:
        docs = ROOT / "docs"
        (docs / "sanity_summary.inc").write_text(rst_table(summary, SUMMARY_FORMATS))
        (docs / "sanity_datasets.inc").write_text(
            rst_table(datasets_table, DATASET_FORMATS)
        )
        (docs / "sanity_regression.inc").write_text(rst_table(sign_table, SIGN_FORMATS))
    pd.set_option("display.width", 200)
    print(summary.to_string(index=False))
    print(datasets_table.to_string(index=False))
    print(sign_table.to_string(index=False))


if __name__ == "__main__":
    main()
