"""What the cluster and outlier reports share: the models they take, the
names of the columns, and means over the rows of each cluster."""

from numbers import Integral

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold, check_cv

from ._network import CLUSTERINGS, ONE_CLASS, split_pipeline


def _model_of(estimator):
    """The model an estimator is or ends in (None: not an estimator)."""
    return split_pipeline(estimator)[1] if hasattr(estimator, "get_params") else None


def check_clustering(estimator, caller):
    """A TypeError unless `estimator` is a k-means model or ends in one
    (`caller`: who asks, named in the message)."""
    model = _model_of(estimator)
    if not isinstance(model, CLUSTERINGS):
        raise TypeError(
            f"{caller} profiles the clusters of a KMeans or "
            "MiniBatchKMeans model, alone or at the end of a Pipeline (or in "
            f"a FrozenEstimator); got {type(model or estimator).__name__}. "
            "For KernelDensity or OneClassSVM use outlier_relevance."
        )


def check_one_class(estimator):
    """The one-class model that `estimator` is or ends in, or a TypeError
    naming what is supported."""
    model = _model_of(estimator)
    if isinstance(estimator, FrozenEstimator):
        raise TypeError(
            "outlier_relevance scores every row with a model fitted on the other "
            "folds, and cannot refit a FrozenEstimator: pass the estimator "
            "itself (unfitted, or fitted: it is cloned)."
        )
    if not isinstance(model, ONE_CLASS):
        raise TypeError(
            "outlier_relevance explains KernelDensity(kernel='gaussian') and "
            "OneClassSVM(kernel='rbf') outlier scores, alone or at the end of "
            f"a Pipeline; got {type(model or estimator).__name__}. For KMeans "
            "use cluster_relevance."
        )
    return model


def named_columns(explanation, feature_names):
    """The explanation's column names, or `feature_names` when given (one
    name per column of relevance)."""
    if feature_names is None:
        return explanation.feature_names
    n_columns = explanation.relevance.shape[-1]
    if len(feature_names) != n_columns:
        raise ValueError(
            f"feature_names has {len(feature_names)} names, but relevance is "
            f"reported on {n_columns} columns; give one name per column (or "
            "leave feature_names=None to use X's)."
        )
    return np.asarray(feature_names, dtype=object)


def group_means(values, groups, n_groups):
    """The mean of `values` (rows) in each of the groups 0..n_groups-1
    (NaN for a group without rows)."""
    values = np.asarray(values, dtype=float)
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    sums = np.zeros((n_groups, *values.shape[1:]))
    np.add.at(sums, groups, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts.reshape(-1, *[1] * (values.ndim - 1))


def fold_splits(cv, n_samples, random_state):
    """The (train, test) splits of `cv` over `n_samples` rows: an int is a
    shuffled KFold seeded by `random_state`, anything else as
    :func:`~sklearn.model_selection.check_cv` takes it; and the splitter."""
    if isinstance(cv, Integral):
        cv = KFold(cv, shuffle=True, random_state=random_state)
    cv = check_cv(cv)
    return list(cv.split(np.zeros((n_samples, 1)))), cv
