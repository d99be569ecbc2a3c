"""
A mixed-type table through a ColumnTransformer
==============================================

Real tables mix numbers and categories and have holes. The usual model is a
:class:`~sklearn.pipeline.Pipeline`: a
:class:`~sklearn.compose.ColumnTransformer` imputes, scales and one-hot
encodes, and the MLP sits at the end. :class:`~skl_lrp.RelevanceExplainer`
takes the whole pipeline, explains the network on the columns it sees, and
sums the relevance of the derived columns (the one-hot levels, the missing
value indicators) back into the columns of the table you gave it.

The table is synthetic, so we know what the model should find: churn depends
on the number of support calls, the monthly charge and the contract type;
``region`` and ``customer_age`` play no part.
"""

# %%
# A table with numbers, categories and missing values
# ---------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skl_lrp import RelevanceBarDisplay, RelevanceExplainer

rng = np.random.RandomState(0)
n = 2000
table = pd.DataFrame(
    {
        "support_calls": rng.poisson(2, n).astype(float),
        "monthly_charge": rng.gamma(4, 15, n),
        "customer_age": rng.normal(45, 12, n),
        "contract": rng.choice(["monthly", "yearly", "two-year"], n, p=[0.5, 0.3, 0.2]),
        "region": rng.choice(["north", "south", "east", "west"], n),
    }
)
effect = {"monthly": 1.5, "yearly": -1.0, "two-year": -3.0}
logit = (
    1.5 * (table["support_calls"] - 2)
    + 0.06 * (table["monthly_charge"] - 60)
    + table["contract"].map(effect)
)
churn = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))

# Knock holes in the table: 10% of each numeric column, 5% of the contracts.
for column, rate in [
    ("support_calls", 0.1),
    ("monthly_charge", 0.1),
    ("customer_age", 0.1),
    ("contract", 0.05),
]:
    table.loc[rng.uniform(size=n) < rate, column] = np.nan
table.head()

# %%
# The pipeline
# ------------
# Numeric columns: median imputation with a missing-value indicator, then
# scaling. Categorical columns: the most frequent value fills the holes,
# then one-hot encoding.
numeric = ["support_calls", "monthly_charge", "customer_age"]
categorical = ["contract", "region"]
preprocess = ColumnTransformer(
    [
        (
            "num",
            make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
            ),
            numeric,
        ),
        (
            "cat",
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore"),
            ),
            categorical,
        ),
    ]
)
model = make_pipeline(
    preprocess,
    MLPClassifier(hidden_layer_sizes=(16,), alpha=0.1, max_iter=1000, random_state=0),
)
X_train, X_test, y_train, y_test = train_test_split(
    table, churn, test_size=0.3, random_state=0
)
model.fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")
print("the network sees", model[0].transform(X_test[:1]).shape[1], "columns:")
print(list(model[0].get_feature_names_out()))

# %%
# Relevance on the table's own columns
# ------------------------------------
# ``target=True`` explains the churn score (the logit of class ``True``) for
# every customer, whichever class is predicted, so the score is negative
# for the customers unlikely to leave. The default ``"deep-taylor"`` rules
# give every share the sign of the score, which suits explaining the
# predicted class; for a signed score explained on every row, the
# ``"montavon-2019"`` preset lets each column push either way. With
# ``set_output(transform="pandas")`` the result is a DataFrame with the
# table's five columns.
explainer = RelevanceExplainer(
    FrozenEstimator(model), target=True, rules="montavon-2019"
).fit(X_train)
relevance = explainer.set_output(transform="pandas").transform(X_test)
relevance.head()

# %%
# The one-hot levels and the missing-value indicators were summed into their
# columns, not dropped: each row's relevance plus what the rules let the
# biases keep (the ledger) adds up to the explained logit.
explanation = explainer.explain(X_test)
total = relevance.sum(axis=1).to_numpy() + explanation.absorbed[:, 0]
gap = np.abs(total - explanation.scores[:, 0])
print("largest |sum + absorbed - score|:", gap.max())
print(
    "share of the logit kept by biases (median):",
    np.median(np.abs(explanation.absorbed_bias / explanation.scores)).round(3),
)

# %%
# The ranking puts the three columns the target was built from first, and the
# two that play no part last.
RelevanceBarDisplay.from_estimator(explainer, X_test)
plt.tight_layout()

# %%
# Relevance per category
# ----------------------
# A categorical column's relevance is its category's push against the
# average mix of categories (the root point is the training mean of the
# one-hot block). Monthly contracts raise the churn score, two-year
# contracts lower it; the regions hover around zero. Customers whose
# contract is missing were imputed with the most frequent value.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, column in zip(axes, categorical):
    levels = X_test[column].fillna("(missing)")
    names = sorted(levels.unique())
    ax.boxplot([relevance.loc[levels == v, column] for v in names])
    ax.set_xticks(range(1, len(names) + 1), names)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(f"relevance of {column!r}")
fig.tight_layout()

# %%
# And a numeric column with holes: a missing ``support_calls`` is filled
# with the median and flagged; the indicator's relevance is summed into the
# column, so the column's relevance covers both.
calls = X_test["support_calls"]
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.scatter(calls.fillna(-1), relevance["support_calls"], s=8, alpha=0.5)
ax.set_xticks(
    range(-1, int(calls.max()) + 1),
    ["NaN"] + [str(v) for v in range(int(calls.max()) + 1)],
)
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xlabel("support_calls")
ax.set_ylabel("relevance")
fig.tight_layout()
