"""
Explaining a breast-cancer classifier
=====================================

A small multilayer perceptron learns to tell malignant from benign tumours
from 30 measurements of cell nuclei. :class:`~skl_lrp.RelevanceExplainer`
splits the network's output score for each held-out patient into one share
per measurement, and the shares add up to the score.
"""

# %%
# Train the model
# ---------------
# A scaler and an MLP in one pipeline. The explainer will look through the
# scaler and report relevance on the original columns.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import (
    RelevanceBarDisplay,
    RelevanceBeeswarmDisplay,
    RelevanceExplainer,
    RelevanceWaterfallDisplay,
)

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=1000, random_state=0),
)
model.fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Explain it
# ----------
# :class:`~sklearn.frozen.FrozenEstimator` keeps the trained model as it is;
# ``fit`` then learns only the root point: the average training patient.
# Relevance therefore answers "what in this patient, compared with the
# average one, moves the score?".
explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X_train)
explanation = explainer.explain(X_test)
relevance = explanation.relevance[:, 0]  # (n_test, 30), the predicted class
scores = explanation.scores[:, 0]  # the logits that were decomposed

print("relevance:", relevance.shape)
print("largest |sum of relevance - score|:", np.abs(relevance.sum(1) - scores).max())

# %%
# With the default Deep Taylor rules nothing is lost on the way down: the
# ledger of relevance absorbed by biases, stabilizers or dead neurons is zero.
print("absorbed (bias, stabilizer, dead):", explanation.ledger.sum(axis=(0, 1)))

# %%
# One patient
# -----------
# A waterfall builds one sample's score from its most relevant features.
# The binary classifier has a single output unit; the predicted class of
# each row is explained, so every score here is positive.
RelevanceWaterfallDisplay.from_estimator(explainer, X_test, sample=0)
plt.tight_layout()

# %%
# All held-out patients
# ---------------------
# The beeswarm shows every patient's relevance per feature, coloured by the
# feature's value; the bar chart summarises it as mean absolute relevance.
# Both draw the explanation computed above (``from_explanation``), instead
# of explaining ``X_test`` again as ``from_estimator`` would.
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
RelevanceBeeswarmDisplay.from_explanation(explanation, X_test, ax=axes[0])
RelevanceBarDisplay.from_explanation(explanation, ax=axes[1])
fig.tight_layout()

# sphinx_gallery_thumbnail_number = 2

# %%
# The same ranking, as a table (``feature_importances_`` is computed on the
# data given to ``fit``).
order = np.argsort(explainer.feature_importances_)[::-1][:8]
for name, value in zip(
    explainer.get_feature_names_out()[order], explainer.feature_importances_[order]
):
    print(f"{name:25s} {value:.3f}")
