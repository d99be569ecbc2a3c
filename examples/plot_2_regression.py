"""
Explaining a regression
=======================

For a regressor the explained score is the network's output itself (before
an output activation, which :class:`~sklearn.neural_network.MLPRegressor`
does not have unless it is fitted with a Poisson loss). Here an MLP predicts
disease progression one year after baseline from ten measurements
(:func:`~sklearn.datasets.load_diabetes`), and each prediction is split over
the ten inputs.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import RelevanceDisplay, RelevanceExplainer

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
# Relevance adds up to the prediction
# -----------------------------------
# The default rules conserve relevance exactly: every row of relevance sums
# to the predicted value.
explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X_train)
relevance = explainer.transform(X_test)
prediction = model.predict(X_test)
print("largest |sum - prediction|:", np.abs(relevance.sum(1) - prediction).max())

# %%
# How a feature's value shapes its relevance
# ------------------------------------------
# Plot each test sample's relevance for a feature against the feature's
# value (top row). With the default ``"deep-taylor"`` rules every share of a
# positive prediction is non-negative: a feature's relevance says how much
# of the prediction its deviation from the average patient accounts for,
# not in which direction it pushed. Body-mass index and the serum
# measurement ``s5`` raise the prediction the further they lie above
# average, so their relevance grows on that side; a feature that matters
# on both sides of its average (``age`` here) takes relevance on both.
#
# Rules that let relevance be negative show the direction too. The
# ``"epsilon"`` preset (bottom row) shares each neuron's value by the terms
# :math:`a_i w_{ij}` themselves, measured from zero of the network's inputs,
# which after the :class:`~sklearn.preprocessing.StandardScaler` is the
# training mean: a below-average body-mass index gets negative relevance,
# evidence for a *lower* prediction. The biases take the rest of the
# prediction, which the explanation's ledger reports (see below).
signed = RelevanceExplainer(FrozenEstimator(model), rules="epsilon")
signed_relevance = signed.fit(X_train).transform(X_test)
fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex="col")
for k, name in enumerate(["bmi", "s5", "age"]):
    j = list(X.columns).index(name)
    for ax, values in zip(axes[:, k], [relevance, signed_relevance]):
        ax.scatter(X_test[name], values[:, j], s=10)
        ax.axvline(X_train[name].mean(), color="grey", linestyle=":", label="mean")
        ax.axhline(0, color="black", linewidth=0.8)
    axes[1, k].set_xlabel(name)
axes[0, 0].set_ylabel("relevance, deep-taylor")
axes[1, 0].set_ylabel("relevance, epsilon")
axes[0, 0].legend()
fig.tight_layout()

# %%
# Different rules, similar ranking
# --------------------------------
# The rule preset changes how relevance is shared inside the network. The
# two Deep Taylor based presets rank the features alike here; ``epsilon``,
# which counts signed terms and lets the biases absorb a large part of the
# output (its ledger says how much), weighs them differently.
presets = ["deep-taylor", "montavon-2019", "epsilon"]
fig, ax = plt.subplots(figsize=(8, 4))
width = 0.8 / len(presets)
for k, preset in enumerate(presets):
    other = RelevanceExplainer(FrozenEstimator(model), rules=preset).fit(X_train)
    explanation = other.explain(X_test)
    mean_abs = np.abs(explanation.relevance[:, 0]).mean(0)
    ax.bar(np.arange(X.shape[1]) + k * width, mean_abs, width, label=preset)
    absorbed = np.abs(explanation.absorbed).mean()
    print(f"{preset:14s} mean |absorbed| = {absorbed:.3g}")
ax.set_xticks(np.arange(X.shape[1]) + 0.4 - width / 2, X.columns)
ax.set_ylabel("mean |relevance|")
ax.legend()
fig.tight_layout()

# %%
# The beeswarm view of the default explanation:
RelevanceDisplay.from_estimator(explainer, X_test, kind="beeswarm")
plt.tight_layout()
