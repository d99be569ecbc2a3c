"""The model and the report's settings in words, for every view.

What a fitted model is (its pipeline's steps, its final model's parameters),
which columns of X it encodes as categories, the scoring and the target in
words, and any text without memory addresses.
"""

import contextlib
import re
from numbers import Integral

import numpy as np
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    TargetEncoder,
)

from ._columns import _input_indices  # the fitted columns of a part
from ._network import unwrap

# Transformers that make a categorical column's inputs to the network.
_ENCODERS = (OneHotEncoder, OrdinalEncoder, TargetEncoder)
# Wrappers that only convert types: left out of a model's description.
_WRAPPERS = (FunctionTransformer,)


def without_addresses(text):
    """`text` without memory addresses (`` at 0x7f...``) and line breaks."""
    text = re.sub(r"\s+at\s+0x[0-9a-fA-F]+", "", str(text))
    text = re.sub(r"0x[0-9a-fA-F]+", "…", text)
    return " ".join(text.split())


def scoring_name(scoring, classifier):
    """The scoring in words: None is the estimator's default ``score``
    (accuracy for classifiers, R² for regressors)."""
    if scoring is None:
        return "accuracy" if classifier else "R\u00b2"
    if isinstance(scoring, str):
        return scoring
    name = getattr(scoring, "__name__", None)
    return name or without_addresses(repr(scoring))


def target_meaning(target, classifier):
    """What the report's ``target`` means, in words."""
    if isinstance(target, str) and target == "true":
        if classifier:
            return "each row is explained for its true class"
        return "each row is explained for the model's output (its prediction)"
    if isinstance(target, str) and target == "predicted":
        if classifier:
            return "each row is explained for the class the model predicts for it"
        return "each row is explained for the model's output (its prediction)"
    if classifier:
        return f"every row is explained for the class {target!r}"
    return f"every row is explained for output {target!r}"


def describe_model(estimator):
    """The model in words, without internal wrappers or memory addresses.

    Parameters
    ----------
    estimator : estimator
        A model, a Pipeline or a FrozenEstimator of one, fitted or not (a
        fitted ColumnTransformer counts the columns of callable selectors).

    Returns
    -------
    text : str
        For instance ``Pipeline: ColumnTransformer(StandardScaler on 12
        numeric, OneHotEncoder on 3 categorical) → MLPClassifier(
        hidden_layer_sizes=(64, 32))``: the transformers by name (type
        converters such as FunctionTransformer left out), the final model by
        its parameters that differ from the defaults.
    """
    estimator = unwrap(estimator)
    steps = getattr(estimator, "steps", None)
    if not steps:
        return _describe_final(estimator)
    parts = [_describe_step(step) for _, step in steps[:-1]]
    parts = [part for part in parts if part]
    return "Pipeline: " + " \u2192 ".join([*parts, _describe_final(steps[-1][1])])


def _describe_final(estimator):
    estimator = unwrap(estimator)
    if estimator is None or isinstance(estimator, str):
        return str(estimator)
    return without_addresses(repr(estimator))


def _describe_step(step):
    """A transformer by name; a ColumnTransformer by its parts."""
    if step is None or isinstance(step, str):
        return "" if step in (None, "passthrough") else str(step)
    if hasattr(step, "transformers"):
        parts = [
            _describe_part(step, name, part, columns)
            for name, part, columns in _column_parts(step)
        ]
        return f"{type(step).__name__}({', '.join(p for p in parts if p)})"
    if not hasattr(step, "steps"):
        return "" if isinstance(step, _WRAPPERS) else type(step).__name__
    names = [_describe_step(inner) for _, inner in step.steps]
    return " + ".join(name for name in names if name)


def _column_parts(transformer):
    """``(name, part, columns)`` of a ColumnTransformer, fitted or not (a
    fitted one lists its remainder too)."""
    if hasattr(transformer, "transformers_"):
        return transformer.transformers_
    return transformer.transformers


def _describe_part(transformer, name, part, columns):
    if isinstance(part, str) and part == "drop":
        return ""
    count = _column_count(transformer, name, columns)
    if count == 0:
        return ""
    kind = "categorical" if _encodes(part) else "numeric"
    what = "passthrough" if isinstance(part, str) else _describe_step(part)
    what = what or "passthrough"
    return f"{what} on {count} {kind}" if count is not None else f"{what} ({kind})"


def _column_count(transformer, name, columns):
    """How many columns a part reads (None when not known before fitting)."""
    if hasattr(transformer, "transformers_"):
        with contextlib.suppress(KeyError, AttributeError):
            return len(_input_indices(transformer, name))
    if isinstance(columns, (str, Integral)):
        return 1
    if isinstance(columns, slice) or callable(columns):
        return None
    with contextlib.suppress(TypeError):
        columns = np.asarray(columns)
        return int(columns.sum()) if columns.dtype == bool else len(columns)
    return None


def _steps(transformer):
    """A transformer's steps: a Pipeline's, or itself alone."""
    steps = getattr(transformer, "steps", None)
    return [step for _, step in steps] if steps else [transformer]


def _encodes(transformer):
    """Whether `transformer` (or a step of it) encodes categories."""
    return any(isinstance(step, _ENCODERS) for step in _steps(transformer))


def categorical_columns(estimator, n_features):
    """Indices of the columns of ``X`` that the fitted `estimator` encodes as
    categories (a OneHotEncoder, OrdinalEncoder or TargetEncoder reads them,
    alone or inside a ColumnTransformer at the start of a Pipeline).

    Only the first step of a Pipeline reads the columns of ``X``; an
    unfitted ColumnTransformer or any other layout finds none.
    """
    first = _steps(unwrap(estimator))[0]
    if isinstance(first, _ENCODERS):
        return list(range(n_features))
    if not hasattr(first, "transformers_"):  # not a fitted ColumnTransformer
        return []
    found = set()
    for name, part, _ in first.transformers_:
        if isinstance(part, str) or not _encodes(part):
            continue
        with contextlib.suppress(KeyError, AttributeError):
            found.update(int(j) for j in _input_indices(first, name))
    return sorted(j for j in found if j < n_features)
