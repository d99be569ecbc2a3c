"""Trace the columns a fitted preprocessing makes back to the user's columns.

For every output column of a fitted transformer, :func:`source_columns` finds
the single input column it was made from, so that relevance computed on the
network's inputs can be summed into the columns the user gave. Transformers
that mix several input columns into one output (PCA, PolynomialFeatures, ...)
cannot be traced and raise :class:`UntraceableError`.
"""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import SelectorMixin
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    KBinsDiscretizer,
    OneHotEncoder,
    OrdinalEncoder,
    SplineTransformer,
    TargetEncoder,
)


class UntraceableError(ValueError):
    """A preprocessing step makes columns out of several input columns."""


def source_columns(transformer, input_names, where="preprocessing"):
    """Input column index of every output column of a fitted transformer.

    Parameters
    ----------
    transformer : fitted transformer, "passthrough" or None
        The preprocessing.
    input_names : ndarray of str
        Names of the transformer's input columns (used to match the output
        names of one-to-one transformers exactly; never parsed).
    where : str
        Path of the step, for error messages.

    Returns
    -------
    sources : ndarray of int
        For output column k, the index of the input column it comes from.
    """
    n_inputs = len(input_names)
    if transformer is None or (
        isinstance(transformer, str) and transformer == "passthrough"
    ):
        return np.arange(n_inputs)
    if isinstance(transformer, Pipeline):
        sources, names = np.arange(n_inputs), np.asarray(input_names, dtype=object)
        for name, step in transformer.steps:
            step_sources = source_columns(step, names, f"{where} > {name}")
            sources = sources[step_sources]
            names = _output_names(step, names, f"{where} > {name}")
        return sources
    if isinstance(transformer, ColumnTransformer):
        return _column_transformer(transformer, input_names, where)
    if isinstance(transformer, FeatureUnion):
        parts = []
        for name, part in transformer.transformer_list:
            if isinstance(part, str) and part == "drop":
                continue
            parts.append(source_columns(part, input_names, f"{where} > {name}"))
        return np.concatenate(parts) if parts else np.arange(0)
    if isinstance(transformer, OneHotEncoder):
        return np.repeat(np.arange(n_inputs), _one_hot_widths(transformer))
    if isinstance(transformer, TargetEncoder):
        per_input = (
            len(transformer.classes_)
            if (transformer.target_type_ == "multiclass")
            else 1
        )
        return np.repeat(np.arange(n_inputs), per_input)
    if isinstance(transformer, KBinsDiscretizer):
        if transformer.encode == "ordinal":
            return np.arange(n_inputs)
        return np.repeat(np.arange(n_inputs), transformer.n_bins_)
    if isinstance(transformer, SplineTransformer):  # splines of one column each
        return np.repeat(np.arange(n_inputs), transformer.n_features_out_ // n_inputs)
    if isinstance(transformer, OrdinalEncoder):
        return np.arange(n_inputs)
    if isinstance(transformer, MissingIndicator):
        return np.asarray(transformer.features_)
    if isinstance(transformer, SelectorMixin):
        return transformer.get_support(indices=True)
    if isinstance(transformer, SimpleImputer) and transformer.add_indicator:
        kept = _by_name(transformer, input_names, where, exclude_indicator=True)
        return np.concatenate([kept, np.asarray(transformer.indicator_.features_)])
    return _by_name(transformer, input_names, where)


def _column_transformer(transformer, input_names, where):
    n_outputs = max((s.stop for s in transformer.output_indices_.values()), default=0)
    sources = np.full(n_outputs, -1)
    for name, part, _ in transformer.transformers_:
        columns = transformer.output_indices_.get(name, slice(0, 0))
        if isinstance(part, str) and part == "drop" or columns.stop == columns.start:
            continue
        inputs = _input_indices(transformer, name)
        inner = source_columns(
            part, np.asarray(input_names)[inputs], f"{where} > {name}"
        )
        sources[columns] = inputs[inner]
    return sources


def _input_indices(column_transformer, name):
    """Indices of the input columns that the part `name` of a fitted
    ColumnTransformer reads, its remainder included.

    scikit-learn keeps them only in the private ``_transformer_to_input_indices``
    (the public ``transformers_`` holds the column specifications as given,
    callables among them); tests/test_sklearn_internals.py checks it.
    """
    indices = column_transformer._transformer_to_input_indices[name]
    return np.asarray(indices, dtype=int)


def _one_hot_widths(encoder):
    """Number of output columns of each input column of a fitted OneHotEncoder.

    One per category, less the dropped one, with the infrequent categories
    (``min_frequency``, ``max_categories``) sharing one column: from public
    attributes, as scikit-learn counts them.
    """
    drop = encoder.drop_idx_
    # Defined only when min_frequency or max_categories is set.
    infrequent = getattr(encoder, "infrequent_categories_", None)
    widths = []
    for i, categories in enumerate(encoder.categories_):
        width = len(categories)
        if infrequent is not None and infrequent[i] is not None:
            width -= len(infrequent[i]) - 1
        if drop is not None and drop[i] is not None:
            width -= 1
        widths.append(width)
    return widths


def _output_names(transformer, input_names, where):
    if transformer is None or (
        isinstance(transformer, str) and transformer == "passthrough"
    ):
        return input_names
    try:
        return np.asarray(transformer.get_feature_names_out(input_names), dtype=object)
    except (AttributeError, ValueError, TypeError):
        raise _untraceable(transformer, where) from None


def _by_name(transformer, input_names, where, exclude_indicator=False):
    """Sources of a transformer whose output names are input names, exactly."""
    names = list(_output_names(transformer, input_names, where))
    if exclude_indicator:
        names = names[: len(names) - len(transformer.indicator_.features_)]
    position = {name: i for i, name in enumerate(input_names)}
    if len(position) != len(input_names) or any(n not in position for n in names):
        raise _untraceable(transformer, where)
    return np.array([position[name] for name in names], dtype=int)


def _untraceable(transformer, where):
    return UntraceableError(
        f"Cannot map the output columns of {where} ({type(transformer).__name__}) "
        "back to single input columns: it builds columns out of several inputs, "
        "or does not name its outputs (FunctionTransformer needs "
        "feature_names_out='one-to-one'). Pass aggregate=False to get "
        "relevance on the network's own input columns instead."
    )
