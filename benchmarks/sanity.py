"""Null-feature sanity study: which rules, root point and baseline to trust on tables.

Usage::

    pip install -e ".[benchmarks]"     # pandas and three packages of data
    python benchmarks/sanity.py         # 3 seeds, about 15 minutes on 2 cores
    python benchmarks/sanity.py --task regression      # the regression tables
    python benchmarks/sanity.py --task classification  # the classifiers
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
+ scale | mode-impute + one-hot), MLP(64, 32))``. Regression targets are
standardized (signed: about half the predictions are negative; AOPC is
also rated apart on the rows predicted >= 0 and < 0). It is trained on 70%
of the rows; the held-out rows (at most 300) are explained with every
preset and root point, with the package's defaults (rules, bounds and
baseline "auto", checked to resolve to deep-taylor from the column mean for
a classifier and to rescale against 32 drawn rows for a regressor), with
gradient x input and, as a global ranking, permutation importance. On the
regression tables also with a baseline: rescale and deep-taylor against
``"mean"`` and against 32 rows drawn from the training data, and rescale
against 32 of the explained held-out rows (given as rows: whose
identifiers, like those of every explained row, the network never saw). They are
rated by:

- the rank percentile of each null column by mean |relevance| (1: last;
  above 0.5: in the bottom half, as a null column should be); on regression
  the goal counts only models with held-out R² >= 0.2;
- the Spearman correlation, over the columns, between mean |relevance| and
  permutation importance on the held-out rows;
- AOPC over gradient x input's, in *signed* order: the columns with the
  most positive relevance are replaced first (for a signed method, those
  that push the score up most; the score should fall), with columns of the
  user's table replaced by their training mean (numeric) or mode
  (categorical), the same perturbation for every method; and on the network's
  own inputs, each replaced by its training mean;
- "to baseline": the same AOPC with each method perturbed toward what its
  relevance is measured against, and gradient x input's AOPC computed the
  same way. For a method against 32 rows, the removed columns take
  the values of each of those rows in turn (user columns and network
  inputs alike), and the AOPC is averaged over the rows. Against
  ``"mean"``, the network inputs' training mean is exactly the reference;
  in the user's columns a numeric column's training mean is (but for
  missing values, imputed by the median before the mean is taken) and a
  categorical column takes its mode (its mean one-hot vector is no value
  the column can hold). Every other method uses the mean/mode;
- completeness: the largest ``|sum of relevance - (score - baseline)|``
  over ``max(|score|, |baseline|)``, row by row (relevance that adds up
  without the ledger; ``baseline`` is 0 without one), and the ledger gap:
  the largest ``|sum of relevance + absorbed - (score - baseline)|`` over
  the largest ``|score|`` or ``|baseline|`` of the run.

Writes ``benchmarks/results/sanity.{csv,md}`` (``sanity_<task>.{csv,md}``
with ``--task``) and, for the documentation, ``docs/sanity_summary.inc`` and
``docs/sanity_datasets.inc`` (classification), ``docs/sanity_regression_summary.inc``,
``docs/sanity_regression_datasets.inc`` and ``docs/sanity_regression.inc``
(regression).
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
from skl_lrp._baseline import draw_rows
from skl_lrp._network import forward, read_network
from skl_lrp.metrics import aopc

ROOT = Path(__file__).parents[1]
NULLS = ("null_id", "null_heavy", "null_flag", "null_const")
ROOT_POINTS = ("column-mean", "mean", "data")
K_ROWS = 32
MIN_R2 = 0.2  # regression models below it do not count for the null columns
# K rows drawn, as baseline=K draws them, from the held-out rows (explicit
# rows): whether what drawn training rows give an identifier is memorization.
HELD_OUT = "held-out"
BASELINES = ("mean", K_ROWS)
BASELINE_NAMES = {
    None: "(none)",
    "mean": "mean",
    K_ROWS: f"{K_ROWS} rows",
    HELD_OUT: f"{K_ROWS} held-out rows",
}
# What rules, bounds and baseline "auto" resolve to, per task.
DEFAULTS = {
    "classification": ("deep-taylor", "column-mean", None),
    "regression": ("rescale", None, K_ROWS),
}
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


def _penguins_mass():
    """Body mass of the penguins, from the other measurements, species,
    island, sex and year."""
    import palmerpenguins

    table = palmerpenguins.load_penguins().dropna(subset=["body_mass_g"])
    table = table.reset_index(drop=True)
    return table, table.pop("body_mass_g").to_numpy(float), "regression"


def _grunfeld():
    """Grunfeld's investment data: 11 firms (a categorical) over 20 years."""
    from statsmodels.datasets import grunfeld

    table = grunfeld.load_pandas().data.copy()
    table["firm"] = table["firm"].astype(object)
    return table, table.pop("invest").to_numpy(float), "regression"


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
    "penguins_mass": _penguins_mass,
    "grunfeld": _grunfeld,
    "synthetic_mixed": _synthetic_mixed,
    "friedman": _friedman,
}
SCIKIT_LEARN_ONLY = ("breast_cancer", "wine", "digits", "diabetes")
REGRESSION = ("diabetes", "cars", "star98", "penguins_mass", "grunfeld", "friedman")


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


def settings(Z_train, task, held_out):
    """(preset, root point, baseline, RelevanceExplainer parameters) of each
    setting studied; None where a method has no root point or baseline.
    `held_out`: the rows of ``HELD_OUT`` (in the user's columns).

    The settings with a baseline run on the regression tables only: the
    classifiers' default has none, and fitting an explainer against 32 rows
    explains every training row 32 times (for ``feature_importances_``),
    minutes on the wide one-hot tables of the classification study.
    """
    out = [
        (preset, root, None, {"rules": preset, "bounds": root, "baseline": None})
        for preset in Z_BETA_PRESETS
        for root in ROOT_POINTS
    ]
    out.append(("epsilon", None, None, {"rules": "epsilon", "baseline": None}))
    for label, box in reference_boxes(Z_train).items():
        parameters = {"rules": "deep-taylor", "bounds": box, "baseline": None}
        out.append(("deep-taylor", label, None, parameters))
    if task == "regression":
        for baseline in BASELINES:
            parameters = {"rules": "rescale", "baseline": baseline}
            out.append(("rescale", None, baseline, parameters))
        parameters = {"rules": "rescale", "baseline": held_out}
        out.append(("rescale", None, HELD_OUT, parameters))
        for baseline in BASELINES:
            parameters = {"rules": "deep-taylor", "baseline": baseline}
            out.append(("deep-taylor", "column-mean", baseline, parameters))
    return out


def method_name(preset, root=None, baseline=None):
    """'preset / root point | baseline', as the tables name a method."""
    name = preset if root is None else f"{preset} / {root}"
    return name if baseline is None else f"{name} | {BASELINE_NAMES[baseline]}"


def user_aopc(model, table, relevance, columns, replacements, steps):
    """AOPC with whole columns of the user's table replaced, most relevant
    first (signed: the most positive relevance first), by the values of
    `replacements`: one row of values (training mean or mode), or a
    DataFrame of rows, each replacing in turn (the AOPC is averaged over
    them)."""
    n, d = relevance.shape
    order = np.argsort(-relevance, axis=1, kind="stable")
    counts = np.arange(d + 1)
    if d > steps:
        counts = np.unique(np.round(np.linspace(0, d, steps + 1)).astype(int))
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.arange(d)[None, :], axis=1)
    removed = position[None, :, :] < counts[:, None, None]  # (steps, n, d)
    if not isinstance(replacements, pd.DataFrame):
        replacements = pd.DataFrame([replacements], columns=table.columns)
    network = read_network(model)
    drops = []
    for _, values in replacements.iterrows():
        perturbed = {}
        for j, name in enumerate(table.columns):
            column = np.tile(table[name].to_numpy(), len(counts))
            column = column.astype(float if column.dtype.kind == "f" else object)
            column[removed[:, :, j].reshape(-1)] = values[name]
            perturbed[name] = column
        frame = pd.DataFrame(perturbed)
        logits = forward(network, network_inputs(model, frame))[2]
        scores = logits[np.arange(n * len(counts)), np.tile(columns, len(counts))]
        scores = scores.reshape(len(counts), n)
        drops.append((scores[0] - scores).mean())
    return float(np.mean(drops))


def inputs_aopc(mlp, Z, relevance, labels, Z_train, references, steps):
    """AOPC on the network's own inputs (each replaced on its own, most
    positive relevance first): by their training mean without `references`,
    else by each reference row in turn (averaged)."""
    if references is None:
        return aopc(
            mlp,
            Z,
            relevance,
            target=labels,
            baseline="mean",
            reference=Z_train,
            steps=steps,
        )
    return float(
        np.mean(
            [
                aopc(mlp, Z, relevance, target=labels, baseline=row, steps=steps)
                for row in references
            ]
        )
    )


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
    # The package's defaults (rules, bounds and baseline "auto").
    default = RelevanceExplainer(frozen, aggregate=False, random_state=seed)
    default.fit(X_train)
    aggregation = RelevanceExplainer(frozen).fit(X_train)._plan.aggregation
    names = list(table.columns)
    mean_mode = [
        X_train[c].mean() if c in numeric else X_train[c].mode().iloc[0] for c in names
    ]
    # The rows that baseline=K draws (the same for every method: the same
    # random_state and fit data), in the user's columns and as the network
    # sees them.
    drawn = X_train.iloc[draw_rows(K_ROWS, len(X_train), seed)]
    Z_drawn = network_inputs(model, drawn)
    held_out = X_test.iloc[draw_rows(K_ROWS, len(X_test), seed)]
    rows_of = {
        K_ROWS: (drawn, Z_drawn),
        HELD_OUT: (held_out, network_inputs(model, held_out)),
    }
    steps = 16
    mlp = model[-1]
    score = model.score(X_test, y_test)

    def perturbations(baseline):
        """(user columns, network inputs) toward what a method is measured
        against: its K rows; else the training mean (or mode)."""
        return rows_of.get(baseline, (mean_mode, None))

    gxi = gradient_x_input(model, Z_test, columns)
    reference = {}  # gradient x input's AOPC, per perturbation
    for baseline in (None, *rows_of) if task == "regression" else (None,):
        to_user, to_inputs = perturbations(baseline)
        reference[baseline] = (
            user_aopc(model, X_test, gxi @ aggregation, columns, to_user, steps),
            inputs_aopc(mlp, Z_test, gxi, labels, Z_train, to_inputs, steps),
        )

    def rate(preset, root, baseline, relevance, on_inputs=None, explanation=None):
        importance = np.abs(relevance).mean(axis=0)
        percentile = rankdata(-importance)[[names.index(c) for c in NULLS]] / len(names)
        to_user, to_inputs = perturbations(baseline)
        row = {
            "dataset": name,
            "seed": seed,
            "task": task,
            "score": score,
            "method": method_name(preset, root, baseline),
            "preset": preset,
            "root point": root or "(none)",
            "baseline": BASELINE_NAMES[baseline],
            "default": False,
            "spearman": spearmanr(importance, permutation)[0],
            "aopc": user_aopc(model, X_test, relevance, columns, mean_mode, steps),
            "aopc_baseline": (
                user_aopc(model, X_test, relevance, columns, to_user, steps)
                if baseline in rows_of
                else np.nan
            ),
            **{
                f"aopc_{side}": user_aopc(
                    model,
                    X_test[rows],
                    relevance[rows],
                    columns[rows],
                    mean_mode,
                    steps,
                )
                if rows.any()
                else np.nan
                for side, rows in (("pos", scores >= 0), ("neg", scores < 0))
            },
            "aopc_inputs": (
                inputs_aopc(mlp, Z_test, on_inputs, labels, Z_train, to_inputs, steps)
                if on_inputs is not None
                else np.nan
            ),
            "negative": float(np.mean(scores < 0)),
            **dict(zip(NULLS, percentile)),
        }
        if baseline in rows_of:
            row["aopc_baseline"] /= reference[baseline][0]
        row["aopc_inputs"] /= reference[baseline if baseline in rows_of else None][1]
        row["completeness"] = row["ledger"] = np.nan
        if explanation is not None:
            own = explanation.scores[:, 0]
            assert np.allclose(own, scores, rtol=1e-10, atol=1e-12)
            against = explanation.baseline[:, 0]
            total = on_inputs.sum(axis=1)
            size = np.maximum(np.abs(own), np.abs(against))
            # Without the ledger, row by row (as in the classic study) ...
            row["completeness"] = np.max(
                np.abs(total - (own - against)) / np.maximum(size, 1e-300)
            )
            # ... and the ledger identity, at the scale of the scores.
            gap = total + explanation.absorbed[:, 0] - (own - against)
            row["ledger"] = np.abs(gap).max() / size.max()
        return row

    rows = [rate("gradient x input", None, None, gxi @ aggregation, gxi)]
    rows[0]["spearman"] = spearmanr(np.abs(gxi @ aggregation).mean(0), permutation)[0]
    expected = DEFAULTS[task]
    for preset, root, baseline, parameters in settings(Z_train, task, held_out):
        if (preset, root, baseline) == expected:
            explainer = default  # the package's defaults: checked to be these
            assert default.rules_ == preset, default.rules_
            n_rows = 0 if baseline is None else len(default.baseline_inputs_)
            assert n_rows == (baseline or 0)
            if baseline == K_ROWS:
                assert np.array_equal(default.baseline_inputs_, Z_drawn)
        else:
            explainer = RelevanceExplainer(
                frozen, aggregate=False, random_state=seed, **parameters
            ).fit(X_train)
        explanation = explainer.explain(X_test)
        on_inputs = explanation.relevance[:, 0]
        rows.append(
            rate(
                preset, root, baseline, on_inputs @ aggregation, on_inputs, explanation
            )
        )
        rows[-1]["default"] = explainer is default
    # Permutation importance (a global ranking: every row alike).
    tiled = np.tile(permutation, (len(X_test), 1))
    rows.append(rate("permutation importance", None, None, tiled))
    rows[-1]["spearman"] = np.nan  # (itself)
    results = pd.DataFrame(rows)
    for key in ("aopc", "aopc_pos", "aopc_neg"):
        results[f"{key}_ratio"] = results[key] / results[key].iloc[0]
    results["aopc_inputs_ratio"] = results.pop("aopc_inputs")
    # Toward the baseline: the K-row methods against the rows they are
    # measured against; every other method's perturbation is the mean/mode.
    results["aopc_baseline_ratio"] = results.pop("aopc_baseline").fillna(
        results["aopc_ratio"]
    )
    return results


# -- summary --------------------------------------------------------------------


def _per_table(group, key):
    """`key` per dataset (mean over the seeds)."""
    return group.groupby("dataset", sort=False)[key].mean()


def summarize(results):
    """One row per method over the datasets and seeds of `results`."""
    rows = []
    for _, group in results.groupby("method", sort=False):
        bottom = group[list(NULLS)].to_numpy() > 0.5
        n = len(group)
        first = group.iloc[0]
        rows.append(
            {
                "preset": first["preset"] + (" (default)" if first["default"] else ""),
                "root point": first["root point"],
                "baseline": first["baseline"],
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


def summarize_regression(results, min_score=MIN_R2):
    """One row per method over the regression tables, with issue 25's goals:
    the null columns of the models with held-out R² >= `min_score` in the
    bottom half; the median over the tables of the Spearman correlation with
    permutation importance; AOPC (signed order) over gradient x input's, the
    median and the lowest table (means over the seeds), and the runs that
    reach 0.9; the same toward each method's baseline; the largest ledger
    gap."""
    rows = []
    for _, group in results.groupby("method", sort=False):
        good = group[group["score"] >= min_score]
        bottom = good[list(NULLS)].to_numpy() > 0.5
        aopc_tables = _per_table(group, "aopc_ratio")
        base_tables = _per_table(group, "aopc_baseline_ratio")
        first = group.iloc[0]
        rows.append(
            {
                "method": first["method"] + (" (default)" if first["default"] else ""),
                "nulls low": f"{bottom.sum()}/{bottom.size}",
                "Spearman": _per_table(group, "spearman").median(),
                "AOPC": aopc_tables.median(),
                "AOPC min": aopc_tables.min(),
                "AOPC >= 0.9": f"{(group['aopc_ratio'] >= 0.9).sum()}/{len(group)}",
                "to baseline": base_tables.median(),
                "to baseline min": base_tables.min(),
                "AOPC inputs": _per_table(group, "aopc_inputs_ratio").median(),
                "ledger gap": group["ledger"].max(),
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


def regression_by_dataset(results, methods, min_score=MIN_R2):
    """Per regression table and method: the R² (mean over the seeds), the
    null columns in the bottom half (of the models with R² >= `min_score`;
    in brackets those of the others), Spearman, the AOPC ratios (means over the seeds)
    and the largest ledger gap."""
    rows = []
    kept = results[results["method"].isin(methods)]
    for (dataset, method), group in kept.groupby(["dataset", "method"], sort=False):
        bottom = group[list(NULLS)].to_numpy() > 0.5
        weak = (group["score"] < min_score).to_numpy()
        low = f"{bottom[~weak].sum()}/{bottom[~weak].size}"
        if weak.any():
            low += f" (+{bottom[weak].sum()}/{bottom[weak].size} at R² < {min_score})"
        rows.append(
            {
                "dataset": dataset,
                "method": methods[method],
                "R²": group["score"].mean(),
                "nulls low": low,
                "Spearman": group["spearman"].mean(),
                "AOPC": group["aopc_ratio"].mean(),
                "to baseline": group["aopc_baseline_ratio"].mean(),
                "AOPC inputs": group["aopc_inputs_ratio"].mean(),
                "ledger gap": group["ledger"].max(),
            }
        )
    return pd.DataFrame(rows)


SIGN_METHODS = {
    "gradient x input": "gxi",
    method_name("rescale", None, K_ROWS): "default",
    method_name("deep-taylor", "column-mean"): "deep-taylor",
    method_name("montavon-2019", "column-mean"): "montavon-2019",
}


def regression_sign(results):
    """The regression tables, their rows predicted >= 0 and < 0 apart: the
    share of rows, and the AOPC (not a ratio: on the rows predicted < 0,
    gradient x input's own is near 0 in some runs) of gradient x input, the
    default (rescale against 32 rows), deep-taylor and montavon-2019 (means
    over the seeds; columns replaced by their training mean or mode)."""
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
            for method, label in SIGN_METHODS.items():
                row[label] = by.loc[method, key]
            rows.append(row)
    return pd.DataFrame(rows)


def _cells(row, columns, formats):
    """The cells of `row`, formatted; "n/a" for a missing number."""
    return [
        "n/a"
        if isinstance(row[c], float) and np.isnan(row[c])
        else formats.get(c, "{}").format(row[c])
        for c in columns
    ]


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
    label: "{:.3f}" for label in SIGN_METHODS.values()
}
DATASET_FORMATS = {
    name: "{:.2f}"
    for name in ("score", "id", "heavy", "flag", "const", "Spearman", "AOPC")
} | {"AOPC inputs": "{:.2f}"}
REGRESSION_FORMATS = {
    name: "{:.2f}"
    for name in (
        "R²",
        "Spearman",
        "AOPC",
        "AOPC min",
        "to baseline",
        "to baseline min",
        "AOPC inputs",
    )
} | {"ledger gap": "{:.0e}"}
# The methods of the per-table regression study.
REGRESSION_METHODS = {
    "gradient x input": "gradient x input",
    method_name("rescale", None, K_ROWS): "default (rescale | 32 rows)",
    method_name("rescale", None, "mean"): "rescale | mean",
    method_name("rescale", None, HELD_OUT): "rescale | 32 held-out rows",
    method_name("deep-taylor", "column-mean"): "deep-taylor",
    method_name("deep-taylor", "column-mean", "mean"): "deep-taylor | mean",
    method_name("deep-taylor", "column-mean", K_ROWS): "deep-taylor | 32 rows",
}


def run(args):
    names = args.datasets or (SCIKIT_LEARN_ONLY if args.quick else list(DATASETS))
    if args.task != "all":
        names = [n for n in names if (n in REGRESSION) == (args.task == "regression")]
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
        "--task",
        choices=("all", "classification", "regression"),
        default="all",
        help="only the tables of this task (and only their documentation tables)",
    )
    parser.add_argument(
        "--summarize", action="store_true", help="tabulate the last results only"
    )
    args = parser.parse_args(argv)
    out = ROOT / "benchmarks" / "results"
    stem = "sanity" if args.task == "all" else f"sanity_{args.task}"
    if args.summarize:
        results = pd.read_csv(
            out / f"{stem}.csv", keep_default_na=False, na_values=[""]
        )
    else:
        results = run(args)
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / f"{stem}.csv", index=False)
    tables = {}  # name: (frame, formats)
    classification = results[results["task"] == "classification"]
    regression = results[results["task"] == "regression"]
    if len(classification):
        tables["summary"] = (summarize(classification), SUMMARY_FORMATS)
        tables["datasets"] = (
            by_dataset(
                classification,
                {
                    "gradient x input": "gradient x input",
                    method_name("deep-taylor", "column-mean"): "default",
                    method_name("deep-taylor", "data"): "data range",
                },
            ),
            DATASET_FORMATS,
        )
    if len(regression):
        tables["regression_summary"] = (
            summarize_regression(regression),
            REGRESSION_FORMATS,
        )
        tables["regression_datasets"] = (
            regression_by_dataset(regression, REGRESSION_METHODS),
            REGRESSION_FORMATS,
        )
        tables["regression"] = (regression_sign(regression), SIGN_FORMATS)
    (out / f"{stem}.md").write_text(
        "\n".join(markdown(frame, formats) for frame, formats in tables.values())
    )
    if not args.quick and args.datasets is None:
        for name, (frame, formats) in tables.items():
            (ROOT / "docs" / f"sanity_{name}.inc").write_text(rst_table(frame, formats))
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    for frame, _ in tables.values():
        print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
