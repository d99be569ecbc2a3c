"""Layer-wise Relevance Propagation for scikit-learn neural networks."""

from ._explainer import RelevanceExplainer

__version__ = "0.1.0.dev0"

__all__ = ["RelevanceExplainer", "__version__"]
