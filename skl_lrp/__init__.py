"""Layer-wise Relevance Propagation for scikit-learn neural networks."""

from . import metrics, rules
from ._cluster_display import ClusterRelevanceDisplay
from ._clusters import ClusterReport, cluster_relevance
from ._display import RelevanceDisplay
from ._explainer import RelevanceExplainer, explain
from ._outliers import OutlierReport, outlier_relevance
from ._report import RelevanceReport, cross_val_relevance
from ._stream import explain_file, load_explainer

__version__ = "0.1.0.dev0"

__all__ = [
    "ClusterRelevanceDisplay",
    "ClusterReport",
    "OutlierReport",
    "RelevanceDisplay",
    "RelevanceExplainer",
    "RelevanceReport",
    "cluster_relevance",
    "cross_val_relevance",
    "explain",
    "explain_file",
    "load_explainer",
    "metrics",
    "outlier_relevance",
    "rules",
    "__version__",
]
