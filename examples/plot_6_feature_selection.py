"""
Feature selection by relevance
==============================

After ``fit``, :class:`~skl_lrp.RelevanceExplainer` exposes
``feature_importances_``: the mean absolute relevance of each column over
the training data. That is the attribute
:class:`~sklearn.feature_selection.SelectFromModel` reads, so an explainer
around an MLP can choose the columns a second model is trained on, inside an
ordinary pipeline and cross-validation.
"""

# %%
# Data with many useless columns
# ------------------------------
# 8 informative columns (the first eight) and 32 of noise.
import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import RelevanceExplainer

X, y = make_classification(
    n_samples=600,
    n_features=40,
    n_informative=8,
    n_redundant=0,
    shuffle=False,
    random_state=0,
)
informative = list(range(8))

# %%
# Relevance of every column
# -------------------------
# An unfitted network inside the explainer: ``fit(X, y)`` trains a clone of
# it; ``feature_importances_`` explains the same data when first read.
mlp = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), alpha=1e-2, max_iter=800, random_state=0),
)
explainer = RelevanceExplainer(mlp).fit(X, y)
importance = explainer.feature_importances_

fig, ax = plt.subplots(figsize=(10, 3.5))
colours = ["C3" if j in informative else "C0" for j in range(X.shape[1])]
ax.bar(range(X.shape[1]), importance, color=colours)
ax.set_xlabel("column (red: informative)")
ax.set_ylabel("mean |relevance|")
fig.tight_layout()

# %%
# Select, then train a smaller model
# ----------------------------------
# ``SelectFromModel`` keeps the columns whose importance is above the mean;
# here it keeps the informative ones and drops most of the noise.
selector = SelectFromModel(RelevanceExplainer(mlp), threshold="mean").fit(X, y)
kept = selector.get_support(indices=True)
print("kept:", kept.tolist())
found = len(set(kept) & set(informative))
print(f"informative among them: {found} of {len(informative)}")

# %%
# In a cross-validated pipeline the selection is learned on each training
# part only. A nearest-neighbours classifier, which weighs every column
# alike and so suffers from noise columns, on all 40 columns against the
# same classifier on the columns the network found relevant:
plain = make_pipeline(StandardScaler(), KNeighborsClassifier())
selected = make_pipeline(
    SelectFromModel(RelevanceExplainer(mlp), threshold="mean"),
    StandardScaler(),
    KNeighborsClassifier(),
)
for name, model in [("all 40 columns", plain), ("selected by relevance", selected)]:
    scores = cross_val_score(model, X, y, cv=5)
    print(f"{name:22s} accuracy {scores.mean():.3f} ± {scores.std():.3f}")
