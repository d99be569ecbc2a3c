"""
Choosing rules with a null-column sanity check
==============================================

An explanation method should not call a column important when the model
cannot use it. A simple way to check a rule and a root point on *your* kind
of table: add columns that carry no information about the target, train the
model as usual, and see where the explanation ranks them. Three kinds of
null column trip up explanations in different ways:

- ``null_id``: a unique identifier per row, one-hot encoded (hundreds of
  levels, each seen once);
- ``null_heavy``: log-normal noise with a heavy right tail;
- ``null_flag``: a flag that is 1 in 2% of the rows.

This is a small, single-dataset version of ``benchmarks/sanity.py``, which
runs the same check on twelve tables and several seeds (its results are in
the user guide's page on tabular data). Here: the breast-cancer table, one
seed, the rule presets and root points side by side, and permutation
importance as a model-agnostic reference.
"""

# %%
# The table with three null columns
# ---------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skl_lrp import RelevanceExplainer

rng = np.random.RandomState(0)
X, y = load_breast_cancer(return_X_y=True, as_frame=True)
n = len(X)
X["null_id"] = [f"id{i:04d}" for i in rng.permutation(n)]
X["null_heavy"] = rng.lognormal(0.0, 1.5, n)
X["null_flag"] = (rng.uniform(size=n) < 0.02).astype(float)
nulls = ["null_id", "null_heavy", "null_flag"]
numeric = [c for c in X.columns if c != "null_id"]

model = make_pipeline(
    ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["null_id"]),
        ],
        sparse_threshold=0,
    ),
    MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=500, random_state=0),
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model.fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")
print("network inputs:", model[0].transform(X_test[:1]).shape[1])

# %%
# Explain with each setting
# -------------------------
# Each setting explains the predicted class of the held-out rows; a
# column's importance is its mean absolute relevance. The null columns'
# *rank percentile* says where they land: 1.0 is the very last of the 33
# columns, anything above 0.5 is the bottom half, where a null column
# belongs.
settings = {
    "deep-taylor, column-mean (default)": dict(bounds="column-mean"),
    "deep-taylor, mean": dict(rules="deep-taylor", bounds="mean"),
    "deep-taylor, data": dict(rules="deep-taylor", bounds="data"),
    "montavon-2019, column-mean": dict(rules="montavon-2019", bounds="column-mean"),
    "alpha-beta, data": dict(rules="alpha-beta", bounds="data"),
    "epsilon": dict(rules="epsilon"),
}
importances = {}
for label, params in settings.items():
    explainer = RelevanceExplainer(FrozenEstimator(model), **params).fit(X_train)
    importances[label] = np.abs(explainer.transform(X_test)).mean(axis=0)

# Scored by log-loss: accuracy barely moves on this table, whose columns are
# largely redundant, so it would rank most columns as ties.
permutation = permutation_importance(
    model, X_test, y_test, scoring="neg_log_loss", n_repeats=5, random_state=0
).importances_mean
importances["permutation importance"] = permutation


def null_percentiles(importance):
    ranks = rankdata(-importance)  # 1: most important
    return [ranks[X.columns.get_loc(c)] / X.shape[1] for c in nulls]


rows = {
    label: null_percentiles(imp)
    + [spearmanr(imp, permutation)[0] if imp is not permutation else 1.0]
    for label, imp in importances.items()
}
summary = pd.DataFrame(rows, index=nulls + ["Spearman vs permutation"]).T
summary.round(2)

# %%
# Where the null columns land
# ---------------------------
# Each row is one setting; the grey ticks are the 30 real columns, the
# coloured markers the null ones, from most important (left) to least.
fig, ax = plt.subplots(figsize=(9, 4.2))
markers = dict(zip(nulls, ["o", "s", "^"]))
for row, imp in enumerate(importances.values()):
    ranks = rankdata(-imp)
    real = [ranks[X.columns.get_loc(c)] for c in X.columns if c not in nulls]
    ax.scatter(real, [row] * len(real), marker="|", color="0.6", s=80)
    for k, column in enumerate(nulls):
        ax.scatter(
            ranks[X.columns.get_loc(column)],
            row,
            marker=markers[column],
            color=f"C{k}",
            s=60,
            zorder=3,
            label=column if row == 0 else None,
        )
ax.set_yticks(range(len(importances)), list(importances))
ax.invert_yaxis()
ax.set_xlabel("rank by importance (1: most important)")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
fig.tight_layout()

# %%
# Reading the result
# ------------------
# The root point is what decides most of this. With ``bounds="data"`` each
# input is measured from the end of its training range that lowers a
# neuron: a heavy-tailed column has a far end, and a one-hot level at 0 that
# meets a negative weight counts from 1, so the identifier's hundreds of
# levels and the heavy tail can pick up relevance whatever the sample says.
# Measured against the average sample (``"mean"``, ``"column-mean"``), a
# column only gets relevance for how far it is from its average, and the
# identifier's levels are pooled into one column before their push is
# counted. A single seed on one table is only an anecdote: run
# ``benchmarks/sanity.py`` for the full study before settling on a setting,
# and add your own table to it.
