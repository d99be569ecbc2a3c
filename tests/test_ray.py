"""The explainer's batches and cross_val_relevance's folds on a local Ray
instance, through joblib's Ray backend (``ray.util.joblib``)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skl_lrp import RelevanceExplainer, cross_val_relevance

ray = pytest.importorskip(
    "ray", reason="Ray is not installed: pip install 'skl_lrp[ray]' to run these"
)
joblib = pytest.importorskip("joblib")

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def ray_backend():
    from ray.util.joblib import register_ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=100 * 1024**2,
    )
    register_ray()
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_backend_gives_the_local_results(ray_backend):
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), MLPClassifier((8,), max_iter=200, random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = cross_val_relevance(model, X, y, cv=3, random_state=0)
        explainer = RelevanceExplainer(model, batch_size=16).fit(X, y)
    expected = explainer.transform(X)
    with warnings.catch_warnings(), joblib.parallel_config(backend="ray"):
        warnings.simplefilter("ignore")
        backend = joblib.parallel.get_active_backend()[0]
        remote = cross_val_relevance(model, X, y, cv=3, random_state=0, n_jobs=2)
        relevance = explainer.set_params(n_jobs=2).transform(X)
    assert type(backend).__name__ == "RayBackend"
    # Ray's workers are other processes: the batches' results came back whole.
    assert not getattr(backend, "supports_sharedmem", False)
    np.testing.assert_array_equal(remote.relevance, local.relevance)
    np.testing.assert_array_equal(
        remote.performance.test_scores, local.performance.test_scores
    )
    np.testing.assert_allclose(relevance, expected, rtol=1e-12, atol=1e-15)
