"""scikit-learn's estimator checks, plus those outside the default set."""

import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import Ridge
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_set_output_transform_polars,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from skl_lrp import RelevanceExplainer


def _explainers():
    small = {"hidden_layer_sizes": (5,), "max_iter": 50, "random_state": 0}
    return [
        RelevanceExplainer(MLPClassifier(**small)),
        RelevanceExplainer(MLPRegressor(**small)),
        RelevanceExplainer(make_pipeline(StandardScaler(), MLPClassifier(**small))),
        RelevanceExplainer(Ridge(), rules="epsilon"),
        RelevanceExplainer(MLPRegressor(**small), rules="deep-taylor", baseline="mean"),
        RelevanceExplainer(KMeans(n_clusters=2, n_init=1, random_state=0)),
        RelevanceExplainer(make_pipeline(StandardScaler(), KernelDensity())),
        RelevanceExplainer(OneClassSVM()),
    ]


IDS = [
    "classifier",
    "regressor",
    "pipeline",
    "linear",
    "deep-taylor-baseline",
    "kmeans",
    "kernel-density",
    "one-class-svm",
]


def _listed(mark):
    """The same ``pytest.mark.parametrize``, its values in a list.

    scikit-learn 1.7's :func:`parametrize_with_checks` hands pytest a
    generator, which pytest 9.1 deprecates (an error here, with
    ``filterwarnings = error``) and pytest 10 refuses.
    """
    argnames, argvalues = mark.args
    return pytest.mark.parametrize(argnames, list(argvalues), **mark.kwargs)


@_listed(parametrize_with_checks(_explainers()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", _explainers(), ids=IDS)
@pytest.mark.parametrize(
    "check",
    [
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_set_output_transform_polars,
        check_param_validation,
        check_dataframe_column_names_consistency,
    ],
)
# These checks fit on a DataFrame and transform an array on purpose.
@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")
def test_extra_sklearn_checks(estimator, check):
    check(type(estimator).__name__, estimator)
