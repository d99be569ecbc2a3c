"""
Handwritten digits as relevance heat maps
=========================================

The digits data set has 8×8 images flattened into 64 pixel columns, which
makes a table whose relevance can be *looked at*: put each sample's 64
relevance values back on the 8×8 grid and draw them as a heat map (red:
evidence for the explained class, blue: against).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skl_lrp import RelevanceExplainer

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
mlp = MLPClassifier(hidden_layer_sizes=(64, 32), tol=1e-3, max_iter=400, random_state=0)
mlp.fit(X_train, y_train)
print(f"held-out accuracy: {mlp.score(X_test, y_test):.3f}")


def heat_map(ax, relevance, title):
    """One sample's 64 relevance values on the 8×8 grid, centred at 0."""
    limit = np.abs(relevance).max() or 1.0
    ax.imshow(relevance.reshape(8, 8), cmap="bwr", vmin=-limit, vmax=limit)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


# %%
# Two root points
# ---------------
# The root point decides what the heat map is measured against. With the
# default ``"deep-taylor"`` rules every share of a positive score is
# non-negative, so both rows below are red; they differ in *where* the red
# goes.
#
# * ``bounds="column-mean"`` (the default) measures each pixel against the
#   average training image. Ink where the average digit has little, and a
#   blank where the average digit has ink, both count: a "1" is a "1" also
#   because its sides are empty. Pixels close to their average get nothing,
#   so the maps are sparse.
# * ``bounds="data"`` is the classic choice for images: the box is the
#   pixels' range, [0, 1] here, and each neuron's root point is the corner
#   of that box that switches it off. An inked pixel counts from 0 where it
#   meets a positive weight, and a blank pixel from 1 where it meets a
#   negative one, so relevance spreads over the whole image.
explainers = {
    bounds: RelevanceExplainer(FrozenEstimator(mlp), bounds=bounds).fit(X_train)
    for bounds in ["column-mean", "data"]
}
rows = np.array([np.flatnonzero(y_test == digit)[0] for digit in range(10)])
predicted = mlp.predict(X_test[rows])

fig, axes = plt.subplots(3, 10, figsize=(12, 4.2))
for k, row in enumerate(rows):
    axes[0, k].imshow(X_test[row].reshape(8, 8), cmap="gray_r")
    axes[0, k].set_title(f"predicted {predicted[k]}", fontsize=9)
    axes[0, k].set_xticks([])
    axes[0, k].set_yticks([])
for line, (bounds, explainer) in enumerate(explainers.items(), start=1):
    relevance = explainer.transform(X_test[rows])
    for k in range(len(rows)):
        heat_map(axes[line, k], relevance[k], "")
    axes[line, 0].set_ylabel(bounds, fontsize=9)
fig.tight_layout()

# %%
# Evidence for every class
# ------------------------
# ``explain(X, target="all")`` decomposes the logit of each class for the
# same image, sharing one forward pass. For an image of a 3, the heat map of
# each other class shows what speaks for that class in it, and the
# ``"epsilon"`` rules (which, unlike the default ones, let relevance be
# negative) also show what speaks against it.
row = np.flatnonzero(y_test == 3)[1]
explainer = RelevanceExplainer(FrozenEstimator(mlp), rules="epsilon").fit(X_train)
explanation = explainer.explain(X_test[row : row + 1], target="all")
fig, axes = plt.subplots(1, 11, figsize=(13, 1.8))
axes[0].imshow(X_test[row].reshape(8, 8), cmap="gray_r")
axes[0].set_title("input", fontsize=9)
axes[0].set_xticks([])
axes[0].set_yticks([])
for k in range(10):
    logit = explanation.scores[0, k]
    heat_map(axes[k + 1], explanation.relevance[0, k], f"{k}: logit {logit:.1f}")
fig.tight_layout()

# %%
# The average picture of a class
# ------------------------------
# Averaging each class's relevance over its test images shows which pixels
# the network relies on for that class in general.
relevance = explainers["column-mean"].transform(X_test)
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for digit in range(10):
    heat_map(axes[digit], relevance[y_test == digit].mean(axis=0), str(digit))
fig.tight_layout()
