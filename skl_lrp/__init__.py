"""Layer-wise Relevance Propagation for scikit-learn neural networks."""

from . import metrics, rules
from ._cluster_display_bar import ClusterBarDisplay
from ._cluster_display_heatmap import ClusterHeatmapDisplay
from ._clusters import ClusterReport, cluster_relevance
from ._display_bar import RelevanceBarDisplay
from ._display_beeswarm import RelevanceBeeswarmDisplay
from ._display_dependence import RelevanceDependenceDisplay
from ._display_deprecated import RelevanceDisplay
from ._display_importance import RelevanceImportanceDisplay
from ._display_stability import RelevanceStabilityDisplay
from ._display_waterfall import RelevanceWaterfallDisplay
from ._explainer import RelevanceExplainer, explain
from ._outliers import OutlierReport, outlier_relevance
from ._report import RelevanceReport, cross_val_relevance
from ._stream import explain_file, load_explainer
from ._summaries import (
    FoldPerformance,
    Guardrails,
    PermutationImportance,
    RankStability,
    RelevanceStatistics,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ClusterBarDisplay",
    "ClusterHeatmapDisplay",
    "ClusterReport",
    "FoldPerformance",
    "Guardrails",
    "OutlierReport",
    "PermutationImportance",
    "RankStability",
    "RelevanceBarDisplay",
    "RelevanceBeeswarmDisplay",
    "RelevanceDependenceDisplay",
    "RelevanceDisplay",
    "RelevanceImportanceDisplay",
    "RelevanceStabilityDisplay",
    "RelevanceWaterfallDisplay",
    "RelevanceExplainer",
    "RelevanceReport",
    "RelevanceStatistics",
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
