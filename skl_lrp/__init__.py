"""Layer-wise Relevance Propagation for scikit-learn neural networks."""

from . import rules
from ._explainer import RelevanceExplainer, explain

__version__ = "0.1.0.dev0"

__all__ = ["RelevanceExplainer", "explain", "rules", "__version__"]
