"""What the cluster displays share: their data, read from a
:class:`~skl_lrp.ClusterReport` or explained with a fitted k-means model,
and the labels of the clusters.

One display per plot, after scikit-learn's Display API and the relevance
displays (:mod:`skl_lrp._display`): :class:`ClusterHeatmapDisplay` (the
clusters side by side) and :class:`ClusterBarDisplay` (one cluster's
columns, with their intervals). A view: the displays read the report they
are given through its attributes and never import the report's module.
"""

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods

from ._display import RelevanceDisplayMixin
from ._explainer import RelevanceExplainer
from ._network import split_pipeline
from ._unsupervised import check_clustering, group_means

CLUSTER_REPORT = [HasMethods(["cluster_table"])]


def cluster_report_data(report):
    """Everything a cluster display can take, read from a ClusterReport."""
    return {
        "feature_names": report.feature_names,
        "relevance": report.relevance,
        "relevance_ci": report.relevance_ci,
        "sizes": report.sizes,
        "mean_margins": report.mean_margins,
    }


def cluster_estimator_data(estimator, X, caller):
    """The same, without intervals, from explaining each row of `X` for its
    own cluster with `estimator` (a fitted explainer of a k-means model, or
    a fitted k-means model or Pipeline explained as it is); `caller` names
    the method in the error for any other model."""
    explainer = estimator
    if isinstance(estimator, RelevanceExplainer):
        check_clustering(explainer.estimator_, caller)
    else:
        check_clustering(estimator, caller)
        explainer = RelevanceExplainer(FrozenEstimator(estimator)).fit(X)
    explanation = explainer.explain(X, target="predicted")
    n_clusters = len(split_pipeline(explainer.estimator_)[1].cluster_centers_)
    assigned = np.asarray(explanation.targets[:, 0], dtype=int)
    return {
        "feature_names": explanation.feature_names,
        "relevance": group_means(explanation.relevance[:, 0], assigned, n_clusters),
        "relevance_ci": None,
        "sizes": np.bincount(assigned, minlength=n_clusters),
        "mean_margins": group_means(explanation.scores[:, 0], assigned, n_clusters),
    }


class ClusterDisplayMixin(RelevanceDisplayMixin):
    """Building a cluster display from a report or an estimator, and the
    label of a cluster."""

    @classmethod
    def _from_cluster_report(cls, report):
        return cls._from_data(cluster_report_data(report))

    @classmethod
    def _from_cluster_estimator(cls, estimator, X):
        caller = f"{cls.__name__}.from_estimator"
        return cls._from_data(cluster_estimator_data(estimator, X, caller))

    def _cluster_label(self, k):
        """``cluster 2 (n=40, margin 3.1)``."""
        details = []
        if self.sizes is not None:
            details.append(f"n={int(self.sizes[k])}")
        if self.mean_margins is not None:
            details.append(f"margin {float(self.mean_margins[k]):.3g}")
        return f"cluster {k}" + (f" ({', '.join(details)})" if details else "")
