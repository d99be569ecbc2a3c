"""
A cross-validated relevance report
==================================

One explanation says what one model used for one prediction. To ask which
features *this kind of model* relies on, and whether that answer survives a
different training set, :func:`~skl_lrp.cross_val_relevance` trains a fresh
model in every fold of a cross-validation, learns the root point on the
training part only, and explains the held-out part. The result, a
:class:`~skl_lrp.RelevanceReport`, holds one row of out-of-fold relevance
per sample, the spread of the ranking across folds, permutation importance
computed on the same held-out rows, and warnings when something looks off.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_wine
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import (
    RelevanceBarDisplay,
    RelevanceBeeswarmDisplay,
    RelevanceDependenceDisplay,
    RelevanceImportanceDisplay,
    RelevanceStabilityDisplay,
    RelevanceWaterfallDisplay,
    cross_val_relevance,
)

X, y = load_wine(return_X_y=True, as_frame=True)
model = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=0),
)
report = cross_val_relevance(model, X, y, cv=5, n_repeats=5, random_state=0)
print(report)

# %%
# The ranked table
# ----------------
# One row per feature, most relevant first: mean absolute relevance with its
# spread across folds and a 95% interval, the mean rank, how often the
# feature made a fold's top five, and permutation importance beside it.
table = report.to_frame()
columns = [
    "mean_abs_relevance",
    "std",
    "ci_low",
    "ci_high",
    "mean_rank",
    "top_k_frequency",
    "permutation_importance_mean",
    "permutation_rank",
]
table[columns].round(3)

# %%
# What the checks found (an empty list when nothing looked off):
for warning in report.guardrails.warnings:
    print(f"[{warning['kind']}] {warning['message']}")
print(f"{len(report.guardrails.warnings)} warning(s)")
print(
    f"agreement of relevance and permutation importance: "
    f"{report.permutation.agreement:.2f}"
)

# %%
# Every plot
# ----------
# One display per plot draws the report, each with the arguments of its own
# plot (``from_report``; ``from_estimator`` explains new data instead).
#
# :class:`~skl_lrp.RelevanceBarDisplay`: mean absolute relevance, error bars
# across folds.
RelevanceBarDisplay.from_report(report, max_features=8).figure_.tight_layout()

# %%
# :class:`~skl_lrp.RelevanceImportanceDisplay`: mean absolute relevance
# beside permutation importance, each as a share of its largest feature's,
# with their Spearman agreement in the title; features whose two ranks part
# ways (the report's "disagreement" warnings) are shaded.
RelevanceImportanceDisplay.from_report(report, max_features=8).figure_.tight_layout()

# %%
# :class:`~skl_lrp.RelevanceBeeswarmDisplay`: each sample's out-of-fold
# relevance, coloured by the feature's value.
RelevanceBeeswarmDisplay.from_report(report, max_features=8).figure_.tight_layout()

# %%
# :class:`~skl_lrp.RelevanceStabilityDisplay`: each feature's rank in each
# fold.
RelevanceStabilityDisplay.from_report(report, max_features=8).figure_.tight_layout()

# %%
# :class:`~skl_lrp.RelevanceWaterfallDisplay`: one sample's score built up
# from its features.
display = RelevanceWaterfallDisplay.from_report(report, sample=0, max_features=8)
display.figure_.tight_layout()

# %%
# :class:`~skl_lrp.RelevanceDependenceDisplay`: a feature's value against its
# relevance, coloured by a second feature.
RelevanceDependenceDisplay.from_report(
    report, feature="proline", color_by="alcohol"
).figure_.tight_layout()

# %%
# A display keeps its data, so it can be drawn again on other axes, or for
# another sample.
fig, axes = plt.subplots(2, 1, figsize=(8, 8))
display.plot(ax=axes[0], sample=60, max_features=6)
display.plot(ax=axes[1], sample=150, max_features=6)
fig.tight_layout()

# %%
# The same report as a self-contained HTML page, and as JSON-ready values:
#
# .. code-block:: python
#
#    import json
#
#    report.to_html("report.html")
#    text = json.dumps(report.to_dict())
