"""Folds and batches on a Dask cluster, through joblib."""

import numpy as np
import pytest
from conftest import dask_client
from sklearn.datasets import load_wine
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import RelevanceExplainer, cross_val_relevance

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client():
    # In-process workers start reliably on a loaded CI machine; the tasks
    # still go through the scheduler and the joblib Dask backend.
    with dask_client(processes=False) as client:
        yield client


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_backend_gives_the_local_results(client):
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), MLPClassifier((8,), max_iter=200, random_state=0)
    )
    local = cross_val_relevance(model, X, y, cv=3, random_state=0)
    explainer = RelevanceExplainer(model, batch_size=16, n_jobs=2).fit(X, y)
    expected = explainer.set_params(n_jobs=1).transform(X)
    with (
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        remote = cross_val_relevance(model, X, y, cv=3, random_state=0, n_jobs=2)
        relevance = explainer.set_params(n_jobs=2).transform(X)
    assert len(tasks.data) >= 3  # the work ran on the cluster
    np.testing.assert_array_equal(remote.relevance, local.relevance)
    np.testing.assert_array_equal(
        remote.performance.test_scores, local.performance.test_scores
    )
    np.testing.assert_allclose(relevance, expected, rtol=1e-12, atol=1e-15)
