"""The default root point on a real table with null columns added.

One case of the study in benchmarks/sanity.py (see "Choosing rules for
tabular data" in the documentation): columns unrelated to the target must
rank in the bottom half by mean |relevance|, as they did not with the data's
range as the root point.
"""

import warnings

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skl_lrp import RelevanceExplainer

pd = pytest.importorskip("pandas")
NULLS = ["null_id", "null_heavy", "null_flag", "null_const"]


@pytest.fixture(scope="module")
def table_with_nulls():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    rng = np.random.RandomState(0)
    n = len(X)
    X["null_id"] = [f"id{i:06d}" for i in rng.permutation(n)]  # an identifier
    X["null_heavy"] = rng.lognormal(0.0, 1.5, n)  # a heavy tail
    X["null_flag"] = (rng.rand(n) < 0.02).astype(float)  # a rare flag
    X["null_const"] = np.where(rng.rand(n) < 0.01, 1 + rng.normal(0, 0.05, n), 1.0)
    numeric = [c for c in X.columns if c != "null_id"]
    preprocessing = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["null_id"]),
        ]
    )
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=500, random_state=0)
    X_train, X_test, y_train, _ = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_pipeline(preprocessing, mlp).fit(X_train, y_train)
    return model, X_train, X_test


def _null_percentiles(model, X_train, X_test, **params):
    explainer = RelevanceExplainer(FrozenEstimator(model), **params).fit(X_train)
    importance = np.abs(explainer.transform(X_test)).mean(axis=0)
    ranks = rankdata(-importance)  # 1: most relevant
    names = list(explainer.get_feature_names_out())
    return {c: ranks[names.index(c)] / len(names) for c in NULLS}


def test_default_ranks_every_null_column_in_the_bottom_half(table_with_nulls):
    percentiles = _null_percentiles(*table_with_nulls)
    assert all(p > 0.5 for p in percentiles.values()), percentiles


def test_the_data_range_as_root_point_ranks_them_high(table_with_nulls):
    # What the default replaced: the identifier ranked first.
    percentiles = _null_percentiles(*table_with_nulls, bounds="data")
    assert percentiles["null_id"] < 0.1, percentiles
