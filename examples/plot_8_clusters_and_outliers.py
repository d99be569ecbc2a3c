"""
Why is this wine in its cluster? K-means and outliers
=====================================================

K-means groups rows without telling what sets each group apart, and a
kernel density flags odd rows without telling what is odd about them.
Both models are soft or hard minima of squared distances, which skl_lrp
rewrites as small networks and explains like any other (see
:doc:`/clusters`): each row's score is split into one share per column,
and the shares add up to it.

The table: 178 Italian wines, 13 chemical measurements each, from three
cultivars that the clustering is not told about.
"""

# %%
# Cluster the wines
# -----------------
# Standardized columns, three clusters. :func:`~skl_lrp.cluster_relevance`
# fits the pipeline on all rows, explains each row's *margin* for its own
# cluster (how much nearer it is to its centroid than to any other, 0 on the
# boundary) and averages it over each cluster's members. Twenty bootstrap
# refits of the k-means step, their clusters matched to these by their
# centroids, give the intervals.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.datasets import load_wine
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import (
    ClusterBarDisplay,
    ClusterHeatmapDisplay,
    cluster_relevance,
    outlier_relevance,
)

X, cultivar = load_wine(return_X_y=True, as_frame=True)
model = make_pipeline(StandardScaler(), KMeans(3, n_init=10, random_state=0))
report = cluster_relevance(model, X, n_bootstrap=20, random_state=0)
print(report)

# %%
# The clusters nearly recover the cultivars, though no label was used:
print(pd.crosstab(report.assignments, cultivar, rownames=["cluster"]))

# %%
# The clusters side by side
# -------------------------
# Each cell is the mean relevance of a cluster's members for its margin: red
# for the columns that pull the members into their cluster, blue for those
# that pull them toward another. Each row of the heatmap sums to the
# cluster's mean margin (:class:`~skl_lrp.ClusterHeatmapDisplay`).
ClusterHeatmapDisplay.from_report(report, max_features=13)
plt.tight_layout()
plt.show()

# %%
print(report.to_frame().round(2).T)
print("mean margins:", report.mean_margins.round(2))
print(
    "largest |row sum + absorbed - mean margin|:",
    np.abs(report.relevance.sum(1) + report.absorbed - report.mean_margins).max(),
)

# %%
# One cluster, with intervals
# ---------------------------
# The columns that put wines in cluster 1, with 95% bootstrap intervals, and
# how stable each cluster is: the share of its held-out members that the
# refits keep in it (:class:`~skl_lrp.ClusterBarDisplay`).
ClusterBarDisplay.from_report(report, cluster=1)
plt.tight_layout()
plt.show()
print("stability:", report.stability.round(3))

# %%
# The most unusual wines
# ----------------------
# A Gaussian kernel density on the standardized columns scores each wine by
# :math:`-\log` of the density around it (up to a constant): 0 for a wine at
# the centre of every other, larger the more isolated.
# :func:`~skl_lrp.outlier_relevance` scores every wine with a density fitted
# on the *other* folds (a wine scored by a density that contains it would
# be explained mostly by itself), and explains the five highest scores.
density = make_pipeline(StandardScaler(), KernelDensity(bandwidth=1.0))
outliers = outlier_relevance(density, X, top_k=5, random_state=0)
for row in outliers.top_table():
    columns = ", ".join(
        f"{f['name']} = {f['value']} ({f['relevance']:.1f})"
        for f in row["features"][:3]
    )
    print(f"{row['rank']}. {row['name']}: score {row['score']:.1f}; {columns}")

# %%
# The most outlying wine's score, built up column by column: its most
# unusual measurements take the largest shares.
outliers.plot_waterfall(1)
plt.tight_layout()
plt.show()

# %%
# Both reports also write a self-contained HTML page
# (``report.to_html("clusters.html")``, ``outliers.to_html("outliers.html")``),
# and the command line makes them from a CSV file:
# ``skl-lrp clusters --csv wines.csv --n-clusters 3`` and
# ``skl-lrp outliers --csv wines.csv``.
