"""
Explaining a regression
=======================

For a regressor the explained score is the network's output itself (before
an output activation, which :class:`~sklearn.neural_network.MLPRegressor`
does not have unless it is fitted with a Poisson loss). Here an MLP predicts
disease progression one year after baseline from ten measurements
(:func:`~sklearn.datasets.load_diabetes`), and each prediction is explained
against the average prediction: what pushes this patient's prediction above
it, and what pulls it below.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import (
    RelevanceBeeswarmDisplay,
    RelevanceExplainer,
    RelevanceWaterfallDisplay,
)

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    MLPRegressor(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.01,
        max_iter=2000,
        early_stopping=True,
        random_state=0,
    ),
)
model.fit(X_train, y_train)
print(f"held-out R^2: {model.score(X_test, y_test):.3f}")

# %%
# Relevance adds up to the prediction minus the average
# -----------------------------------------------------
# By default a regressor is explained with the Rescale rule against 32
# background rows drawn from the data given to ``fit`` (``random_state``
# fixes which): each sample is explained against each row, and the results
# averaged. Every row of relevance sums to the prediction minus the
# background rows' average prediction, the *baseline*, exactly.
explainer = RelevanceExplainer(FrozenEstimator(model), random_state=0).fit(X_train)
explanation = explainer.explain(X_test)
relevance = explanation.relevance[:, 0]
change = model.predict(X_test) - explanation.baseline[:, 0]
print(f"rules: {explainer.rules_}, baseline: {explanation.baseline[0, 0]:.1f}")
gap = np.abs(relevance.sum(1) - change).max()
print(f"largest |sum - (prediction - baseline)|: {gap:.1e}")

# %%
# One patient, from the average to the prediction
# -----------------------------------------------
# The waterfall starts at the baseline (dotted line) and adds each feature's
# relevance, strongest first, up to the prediction (dashed line): red
# pushes it up, blue pulls it down.
RelevanceWaterfallDisplay.from_estimator(explainer, X_test, sample=0)
plt.tight_layout()

# %%
# How a feature's value shapes its relevance
# ------------------------------------------
# Plot each test sample's relevance for a feature against the feature's
# value (top row). Measured against the average, relevance is signed: a
# body-mass index above average raises the predicted progression, one below
# lowers it, and a feature at its average gets about nothing.
#
# Deep Taylor on the raw score (``rules="deep-taylor"``, bottom row) answers
# another question: how a positive prediction is made of positive shares.
# Every share has the sign of the prediction, so it cannot say which
# features pulled a prediction down, and a below-average body-mass index
# still gets a positive share of a high prediction.
raw = RelevanceExplainer(FrozenEstimator(model), rules="deep-taylor")
raw_relevance = raw.fit(X_train).transform(X_test)
fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex="col")
for k, name in enumerate(["bmi", "s5", "age"]):
    j = list(X.columns).index(name)
    for ax, values in zip(axes[:, k], [relevance, raw_relevance]):
        ax.scatter(X_test[name], values[:, j], s=10)
        ax.axvline(X_train[name].mean(), color="grey", linestyle=":", label="mean")
        ax.axhline(0, color="black", linewidth=0.8)
    axes[1, k].set_xlabel(name)
axes[0, 0].set_ylabel("relevance, rescale\n(against the average)")
axes[1, 0].set_ylabel("relevance, deep-taylor\n(the raw score)")
axes[0, 0].legend()
fig.tight_layout()

# %%
# Which features matter, next to permutation importance
# ------------------------------------------------------
# Mean absolute relevance ranks the features; permutation importance, which
# asks how much the held-out score drops when a column is shuffled, is an
# independent check. The default's ranking follows it closely here;
# Deep Taylor on the raw score spreads the prediction's size over the
# features and ranks them otherwise.
importance = permutation_importance(
    model, X_test, y_test, n_repeats=10, random_state=0
).importances_mean
rankings = {
    "rescale (default)": np.abs(relevance).mean(0),
    "deep-taylor": np.abs(raw_relevance).mean(0),
    "permutation importance": importance,
}
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
order = np.argsort(importance)
for ax, (name, values) in zip(axes, rankings.items()):
    ax.barh(np.arange(X.shape[1]), values[order])
    ax.set_title(name)
axes[0].set_yticks(np.arange(X.shape[1]), X.columns[order])
fig.tight_layout()
for name, values in rankings.items():
    ranks = np.argsort(np.argsort(-values))
    same = np.corrcoef(ranks, np.argsort(np.argsort(-importance)))[0, 1]
    print(f"{name:24s} rank correlation with permutation importance: {same:+.2f}")

# %%
# The beeswarm view of the default explanation:
RelevanceBeeswarmDisplay.from_estimator(explainer, X_test)
plt.tight_layout()
