import contextlib
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import settings
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

# Hypothesis: few examples by default (CI); --hypothesis-profile=thorough for
# long runs. Deadlines off: the first example of a run compiles and caches.
settings.register_profile("ci", max_examples=15, deadline=None)
settings.register_profile("thorough", max_examples=400, deadline=None)
settings.load_profile("ci")

KINDS = [
    "binary",
    "multiclass",
    "multilabel",
    "regressor",
    "multi-regressor",
    "poisson",
]


def make_network(kind, activation="relu", hidden=(6, 4), dtype=np.float64, seed=0):
    """A small fitted MLP whose weights are then replaced by random ones.

    Training only sets up scikit-learn's attributes (classes, output
    activation); random weights make every rule and sign pattern likely.
    Returns the model and its training data.
    """
    rng = np.random.RandomState(seed)
    n_samples, n_features = 40, 5
    X = rng.normal(size=(n_samples, n_features)).astype(dtype)
    if kind == "binary":
        y = np.array(["no", "yes"])[np.arange(n_samples) % 2]
    elif kind == "multiclass":
        y = np.array([3, 7, 11, 20])[np.arange(n_samples) % 4]
    elif kind == "multilabel":
        y = rng.randint(0, 2, size=(n_samples, 3))
    elif kind == "regressor":
        y = rng.normal(size=n_samples)
    elif kind == "poisson":
        y = rng.poisson(2.0, size=n_samples).astype(float)
    else:
        y = rng.normal(size=(n_samples, 3))
    if kind in ("binary", "multiclass", "multilabel"):
        model = MLPClassifier()
    else:
        model = MLPRegressor(loss="poisson" if kind == "poisson" else "squared_error")
    model.set_params(
        hidden_layer_sizes=hidden, activation=activation, max_iter=2, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.coefs_ = [
        (rng.normal(size=w.shape) / np.sqrt(w.shape[0])).astype(dtype)
        for w in model.coefs_
    ]
    model.intercepts_ = [
        rng.normal(scale=0.3, size=b.shape).astype(dtype) for b in model.intercepts_
    ]
    return model, X


def unit_of(model, label):
    """(output unit, negate) that scores `label`, read from the model
    directly: a binary classifier's one unit scores ``classes_[1]``, its
    negation ``classes_[0]``."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return int(label), False
    index = int(np.flatnonzero(classes == label)[0])
    if model.n_outputs_ == 1:
        return 0, index == 0
    return index, False


@pytest.fixture
def classifier_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y


class HtmlTags(HTMLParser):
    """Collects the start tags of an HTML page (to check it is well formed)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def make_one_hot_pipeline(n_samples=150, max_iter=300):
    """A fitted Pipeline whose first column, a categorical of 4 levels, is
    one-hot encoded into the network's first inputs, before two scaled
    numeric columns; returns it and its data (an object array)."""
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.RandomState(0)
    X = np.empty((n_samples, 3), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c", "d"], n_samples)
    X[:, 1:] = rng.normal(size=(n_samples, 2))
    y = (X[:, 0] == "a") ^ (X[:, 1].astype(float) > 0)
    preprocessing = make_column_transformer(
        (OneHotEncoder(sparse_output=False), [0]), (StandardScaler(), [1, 2])
    )
    mlp = MLPClassifier(hidden_layer_sizes=(8, 5), max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make_pipeline(preprocessing, mlp).fit(X, y), X


@contextlib.contextmanager
def dask_client(processes):
    """A Dask client of a local cluster of two one-thread workers, in this
    process (threads) or in worker processes, as on a real cluster (what a
    task needs is then pickled and sent). Needs ``distributed``."""
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",  # any free port: never one in use
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as client,
    ):
        client.wait_for_workers(2, timeout=60)
        yield client
