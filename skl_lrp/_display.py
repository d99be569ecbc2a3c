"""What the relevance displays share: their data, read from a report or an
explainer, and the helpers every plot uses.

One display per plot, after scikit-learn's Display API (``from_report``,
``from_estimator`` and ``from_explanation`` gather the data, the constructor
stores it, ``plot`` draws): :class:`RelevanceBarDisplay`,
:class:`RelevanceBeeswarmDisplay`, :class:`RelevanceDependenceDisplay`,
:class:`RelevanceStabilityDisplay` and :class:`RelevanceWaterfallDisplay`.

A view: the displays read the report they are given and never import the
report's module; features are ranked and their values read with the
report's own helpers (:mod:`skl_lrp._ranking`, :mod:`skl_lrp._values`).

Every piece of user text (feature names, levels, class and row labels) is
drawn literally: its dollar signs are escaped, so matplotlib never reads it
as mathtext.
"""

import inspect
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval

from ._describe import categorical_columns
from ._explainer import RelevanceExplainer
from ._ranking import descending_order
from ._scoring import explained_outputs
from ._summaries import follows_score
from ._values import feature_values, row_labels

# Shared by the parameter constraints of every display.
AX = [HasMethods(["barh", "scatter", "imshow"]), None]
MAX_FEATURES = [Interval(Integral, 1, None, closed="left")]
COLOR = [str, tuple, None]
FEATURE = [str, Integral]
REPORT = [HasMethods(["feature_table"])]
ESTIMATOR = [HasMethods(["fit"])]
EXPLANATION = [dict]  # a Bunch of RelevanceExplainer.explain
DATA = ["array-like", "sparse matrix"]
# A categorical feature gets one colour per level up to this many levels
# (the qualitative palette "tab10"), and grey beyond.
MAX_LEVELS = 10
LOW_HIGH = "coolwarm"  # blue = low, red = high
RAISES, LOWERS, SHARE, ABSORBED = "tab:red", "tab:blue", "tab:orange", "tab:gray"


def pyplot():
    """matplotlib.pyplot, or an ImportError that names the extra to install."""
    # scikit-learn's check_matplotlib_support has been private since 1.5
    # (sklearn.utils._optional_dependencies); this one also names the extra.
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, the optional extra 'plot': "
            'pip install "skl_lrp[plot]"'
        ) from exc
    return plt


def literal(text):
    """`text` as matplotlib draws it literally: no mathtext (``\\$`` is
    drawn as ``$``, and no unescaped ``$`` is left to start a formula)."""
    return str(text).replace("$", r"\$")


def shorten(name, limit=35):
    """A feature name short enough for an axis label (the tables keep it
    whole), drawn literally."""
    name = str(name)
    name = name if len(name) <= limit else name[: limit - 1] + "\u2026"
    return literal(name)


def feature_index(feature_names, feature, param):
    """The column index of `feature` (a name or an index); `param` names the
    argument in the error."""
    names = [str(name) for name in feature_names]
    if isinstance(feature, str):
        if feature not in names:
            shown = names[:10] + (["..."] if len(names) > 10 else [])
            raise ValueError(
                f"{param}={feature!r} is not a feature; the features are {shown}."
            )
        return names.index(feature)
    if not 0 <= feature < len(names):
        raise ValueError(
            f"{param}={feature} is not a feature index: from 0 to {len(names) - 1}."
        )
    return int(feature)


def check_sample(sample, n_samples):
    """A ValueError unless `sample` is one of `n_samples` rows."""
    if not 0 <= sample < n_samples:
        raise ValueError(
            f"sample must be a row of the explained data, from 0 to "
            f"{n_samples - 1}; got sample={sample}."
        )


def report_data(report):
    """Everything a display can take, read from a :class:`RelevanceReport`."""
    return {
        "feature_names": report.feature_names,
        "relevance": report.relevance,
        "scores": report.scores,
        "absorbed": report.absorbed.sum(axis=1),
        "baseline": report.relevance_baseline,
        "values": report.values,
        "relevances": report.relevance_stats.per_fold,
        "categories": getattr(report, "categories", None),
        "targets": report.targets,
        "outputs": getattr(report, "outputs", None),
        "row_labels": getattr(report, "row_labels", None),
        "task": (
            "regression" if report.relevance_stats.classes is None else "classification"
        ),
        "positive_only": follows_score(report.relevance, report.scores),
    }


def _first_target(explanation):
    """The arrays of the first target of `explanation` (a Bunch of
    :meth:`RelevanceExplainer.explain`), as a display takes them."""
    data = {
        "feature_names": explanation.feature_names,
        "relevance": explanation.relevance[:, 0],
        "scores": explanation.scores[:, 0],
        "absorbed": explanation.absorbed[:, 0],
        "baseline": explanation.baseline[:, 0],
        "targets": explanation.targets[:, 0],
    }
    data["positive_only"] = follows_score(data["relevance"], data["scores"])
    return data


def explanation_data(explanation, X=None):
    """What a display takes from an explanation of one target (a Bunch of
    :meth:`RelevanceExplainer.explain`) and, when given, the explained `X`
    (its feature values and row labels)."""
    n_targets = np.shape(explanation.relevance)[1]
    if n_targets != 1:
        raise ValueError(
            f"The explanation holds {n_targets} targets per sample and a "
            "display draws one: explain a single target (target='predicted' "
            "or one label)."
        )
    data = _first_target(explanation)
    if X is not None:
        n_features = len(data["feature_names"])
        data["values"], data["categories"] = feature_values(X, n_features)
        data["row_labels"] = row_labels(X)
    return data


def estimator_data(estimator, X, target, wanted):
    """What a display takes (the names in `wanted`), from explaining `X`
    with `estimator` (a fitted explainer, or a trained model explained as it
    is, with bounds learned from `X`); nothing else is computed."""
    explainer = estimator
    if not isinstance(estimator, RelevanceExplainer):
        explainer = RelevanceExplainer(FrozenEstimator(estimator)).fit(X)
    explanation = explainer.explain(X, target=target)
    names = explanation.feature_names
    model = explainer.estimator_
    classifier = is_classifier(model)
    data = {
        **_first_target(explanation),
        "row_labels": row_labels(X),
        "task": "classification" if classifier else "regression",
    }
    if {"values", "categories"} & set(wanted):
        data["values"], data["categories"] = feature_values(
            X, len(names), categorical_columns(model, len(names))
        )
    if "outputs" in wanted:
        data["outputs"] = explained_outputs(model, X, data["targets"], classifier)
    return data


class RelevanceDisplayMixin:
    """The helpers of the relevance displays: building one from the data
    above, the axes, the ranking and the labels."""

    @classmethod
    def _parameters(cls):
        return list(inspect.signature(cls).parameters)

    @classmethod
    def _from_data(cls, data):
        """A display of the entries of `data` its constructor takes."""
        return cls(**{name: data.get(name) for name in cls._parameters()})

    @classmethod
    def _from_report_data(cls, report):
        return cls._from_data(report_data(report))

    @classmethod
    def _from_estimator_data(cls, estimator, X, target):
        return cls._from_data(estimator_data(estimator, X, target, cls._parameters()))

    @classmethod
    def _from_explanation_data(cls, explanation, X):
        return cls._from_data(explanation_data(explanation, X))

    @staticmethod
    def _axes(ax, height):
        """`ax`, or the axes of a new figure `height` inches high."""
        if ax is None:
            _, ax = pyplot().subplots(figsize=(7, max(3, height)))
        return ax

    def _drawn(self, ax, artists, colorbar=None):
        """Record what was drawn and where; returns the display."""
        self.ax_, self.figure_ = ax, ax.figure
        self.artists_, self.colorbar_ = artists, colorbar
        return self

    def _importance(self):
        """Mean |relevance| per feature: the mean over folds when there are
        folds (as the report's table), else over samples."""
        relevances = getattr(self, "relevances", None)
        if relevances is not None:
            return np.asarray(relevances).mean(axis=1)
        return np.abs(np.asarray(self.relevance)).mean(axis=0)

    def _shown(self, max_features):
        """The `max_features` most relevant features, most relevant first."""
        return descending_order(self._importance())[:max_features]

    def _labels(self, shown):
        return [shorten(self.feature_names[i]) for i in shown]

    def _levels(self, j):
        """The levels of feature `j` if it is categorical, else None."""
        categories = getattr(self, "categories", None)
        return None if categories is None else categories[j]

    def _is_positive_only(self):
        """Whether every relevance has its score's sign (bars then explain
        the score, they do not raise or lower it)."""
        if self.positive_only is not None:
            return bool(self.positive_only)
        return follows_score(self.relevance, getattr(self, "scores", None))

    def _relevance_label(self):
        if self._is_positive_only():
            return "relevance (its share of the explained score)"
        return "relevance (> 0 raises the explained score, < 0 lowers it)"
