"""Dask arrays and DataFrames in, lazy collections of the same kind out,
explained on a real cluster of two worker processes."""

import warnings

import numpy as np
import pytest
from conftest import dask_client
from sklearn.compose import make_column_transformer
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skl_lrp import RelevanceExplainer

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def client():
    # Worker processes, as on a real cluster: what a partition needs (the
    # fitted explainer, the partition) is pickled and sent to them.
    with dask_client(processes=True) as client:
        yield client


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


@pytest.fixture(scope="module")
def numeric():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(900, 6))
    y = X[:, 0] - 2 * X[:, 1] + X[:, 2] * X[:, 3]
    model = _fit(MLPRegressor(hidden_layer_sizes=(16, 8), max_iter=200), X, y)
    return X, FrozenEstimator(model)


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(600, 3)), columns=["a", "b", "c"])
    X["kind"] = rng.choice(["x", "y", "z"], size=600)
    y = (X["a"] + (X["kind"] == "y") > 0.5).astype(int)
    pre = make_column_transformer(
        (StandardScaler(), ["a", "b", "c"]), (OneHotEncoder(), ["kind"])
    )
    model = _fit(make_pipeline(pre, MLPClassifier((8,), max_iter=200)), X, y)
    return X, FrozenEstimator(model)


@pytest.mark.parametrize("bounds", ["column-mean", "data"])
def test_dask_array_in_dask_array_out(client, numeric, bounds):
    X, model = numeric
    local = RelevanceExplainer(model, bounds=bounds).fit(X)
    lazy_X = da.from_array(X, chunks=(250, 4))  # columns split too
    with distributed.get_task_stream(client) as tasks:
        explainer = RelevanceExplainer(model, bounds=bounds).fit(lazy_X)
        relevance = explainer.transform(lazy_X)
        assert isinstance(relevance, da.Array)  # lazy, nothing computed yet
        assert relevance.chunks == ((250, 250, 250, 150), (6,))
        computed = relevance.compute()
    assert len(tasks.data) >= 4  # the partitions ran on the workers
    # The root point is learned from per-partition sums: the same up to the
    # order of the additions.
    np.testing.assert_allclose(explainer.low_, local.low_, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        explainer.feature_importances_, local.feature_importances_, rtol=1e-12
    )
    np.testing.assert_allclose(computed, local.transform(X), rtol=1e-12, atol=1e-12)


def test_dask_dataframe_in_dask_dataframe_out(client, mixed):
    X, model = mixed
    local = RelevanceExplainer(model).fit(X)
    lazy_X = dd.from_pandas(X, npartitions=3)
    explainer = RelevanceExplainer(model).fit(lazy_X)
    relevance = explainer.transform(lazy_X)
    assert isinstance(relevance, dd.DataFrame)
    assert list(relevance.columns) == ["a", "b", "c", "kind"]
    assert relevance.npartitions == 3
    assert all(relevance.dtypes == np.float64)
    computed = relevance.compute()
    pd.testing.assert_index_equal(computed.index, X.index)
    np.testing.assert_allclose(
        computed.to_numpy(), local.transform(X), rtol=1e-12, atol=1e-12
    )


def test_explain_returns_lazy_arrays_computed_once_per_partition(client, mixed):
    X, model = mixed
    local = RelevanceExplainer(model).fit(X).explain(X, target="all")
    explainer = RelevanceExplainer(model).fit(X)
    lazy = explainer.explain(dd.from_pandas(X, npartitions=4), target="all")
    assert isinstance(lazy.relevance, da.Array)
    relevance, scores, targets, ledger = client.gather(
        client.compute([lazy.relevance, lazy.scores, lazy.targets, lazy.ledger])
    )
    np.testing.assert_allclose(relevance, local.relevance, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scores, local.scores, rtol=1e-12)
    np.testing.assert_array_equal(targets, local.targets)
    np.testing.assert_allclose(ledger, local.ledger, rtol=1e-12, atol=1e-12)


def test_an_untrained_model_on_a_dask_collection_is_refused(numeric):
    X, _ = numeric
    with pytest.raises(ValueError, match="train it first.*FrozenEstimator"):
        RelevanceExplainer(MLPRegressor()).fit(da.from_array(X), X[:, 0])


def _tasks_carrying(graph, size):
    """How many tasks of `graph`, each pickled on its own (as the scheduler
    sends them to workers, with cloudpickle), take at least `size` bytes."""
    import cloudpickle

    return sum(len(cloudpickle.dumps(t)) >= size for t in dict(graph).values())


@pytest.mark.parametrize("kind", ["array", "frame"])
def test_the_explainer_is_one_node_of_the_graph(kind):
    # A wide network makes the explainer far larger than a partition: only
    # the task that holds it may be that large, however many partitions.
    import pickle

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    model = _fit(MLPRegressor(hidden_layer_sizes=(300,), max_iter=5), X, X[:, 0])
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    size = len(pickle.dumps(explainer)) // 2
    lazy = da.from_array(X, chunks=(10, 4))
    if kind == "frame":
        lazy = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), npartitions=8)
        explainer.fit(lazy)  # (fitted on named columns, as the frame has)
    assert _tasks_carrying(explainer.transform(lazy).__dask_graph__(), size) == 1
    explanation = explainer.explain(lazy)
    graph = explanation.relevance.__dask_graph__()
    assert _tasks_carrying(graph, size) == 1
