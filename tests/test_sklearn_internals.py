"""What skl_lrp takes from scikit-learn beyond its public API.

Private, with no public replacement (each test below fails with a message
naming the attribute and the scikit-learn version, so that an upgrade that
changes one says what to fix instead of failing somewhere downstream):

- ``ColumnTransformer._transformer_to_input_indices``: the input columns of
  each part (skl_lrp/_columns.py, ``_input_indices``).
- ``sklearn.utils._param_validation``: ``Interval``, ``StrOptions`` and
  ``HasMethods``, scikit-learn's documented way for third-party estimators to
  declare ``_parameter_constraints`` (skl_lrp/_explainer.py, _rules.py,
  _metrics.py, _report.py, _display.py), and ``validate_params``, which checks
  them on the public functions (skl_lrp/_metrics.py, _report.py, _display_*.py).
- ``sklearn.base._fit_context``, which validates them in ``fit``
  (skl_lrp/_explainer.py), and ``BaseEstimator._validate_params``, which
  validates them at transform time and for the rules (skl_lrp/_explainer.py,
  _rules.py).
- ``sklearn.utils.validation._num_samples`` (skl_lrp/_explainer.py).
- ``sklearn.utils._safe_indexing``: underscored, but listed in scikit-learn's
  API reference (skl_lrp/_network.py, _folds.py, _values.py).

Public, but read by skl_lrp with a meaning these tests pin down: the MLP
activations (written out in skl_lrp/_network.py, as scikit-learn's own table
is private), ``out_activation_`` and ``n_outputs_`` (which tell a multilabel
MLP), ``drop_idx_`` and ``infrequent_categories_`` (the widths of one-hot
columns).
"""

import ast
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import sklearn
from conftest import make_network
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import type_of_target

from skl_lrp import RelevanceExplainer
from skl_lrp._columns import _input_indices, _one_hot_widths
from skl_lrp._network import ACTIVATIONS, read_network
from skl_lrp.metrics import aopc
from skl_lrp.rules import Epsilon

PACKAGE = Path(__file__).resolve().parents[1] / "skl_lrp"

# Every import of a private scikit-learn name in skl_lrp: (module, name).
PRIVATE_IMPORTS = {
    ("sklearn.base", "_fit_context"),
    ("sklearn.utils", "_safe_indexing"),
    ("sklearn.utils._param_validation", "HasMethods"),
    ("sklearn.utils._param_validation", "Interval"),
    ("sklearn.utils._param_validation", "InvalidParameterError"),
    ("sklearn.utils._param_validation", "StrOptions"),
    ("sklearn.utils._param_validation", "validate_params"),
    ("sklearn.utils.validation", "_num_samples"),
}


@contextmanager
def relied_on(attribute, where):
    """Turn any failure inside into one that names `attribute` and the version."""
    try:
        yield
    except (Exception, pytest.fail.Exception) as error:
        pytest.fail(
            f"scikit-learn {sklearn.__version__} changed {attribute}, which "
            f"skl_lrp relies on in {where}: {type(error).__name__}: {error}",
            pytrace=False,
        )


def _private_imports():
    found = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            parts = node.module.split(".")
            if parts[0] != "sklearn":
                continue
            for alias in node.names:
                if any(p.startswith("_") for p in parts[1:] + [alias.name]):
                    found.setdefault((node.module, alias.name), []).append(path.name)
    return found


def test_every_private_import_is_listed_here():
    found = _private_imports()
    unlisted = {k: files for k, files in found.items() if k not in PRIVATE_IMPORTS}
    assert not unlisted, (
        f"skl_lrp imports private scikit-learn names {unlisted}: use a public API, "
        "or add them to PRIVATE_IMPORTS with a check in this file."
    )
    unused = PRIVATE_IMPORTS - set(found)
    assert not unused, f"no longer imported, remove from PRIVATE_IMPORTS: {unused}"


@pytest.mark.parametrize("module, name", sorted(PRIVATE_IMPORTS))
def test_private_imports_exist(module, name):
    with relied_on(f"{module}.{name}", "skl_lrp (see PRIVATE_IMPORTS)"):
        getattr(__import__(module, fromlist=[name]), name)


def test_column_transformer_input_indices():
    X = np.arange(40.0).reshape(5, 8)
    transformer = ColumnTransformer(
        [
            ("a", StandardScaler(), [4, 1]),
            ("b", "passthrough", slice(2, 4)),
            ("c", "drop", [0]),
            ("d", StandardScaler(), lambda X: [5]),
        ],
        remainder=StandardScaler(),
    ).fit(X)
    expected = {"a": [4, 1], "b": [2, 3], "d": [5], "remainder": [6, 7]}
    with relied_on(
        "ColumnTransformer._transformer_to_input_indices",
        "skl_lrp/_columns.py (_input_indices)",
    ):
        for name, columns in expected.items():
            indices = _input_indices(transformer, name)
            assert indices.tolist() == columns, (name, indices)


def test_column_transformer_input_indices_by_name():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0], "z": [5.0, 6.0]})
    transformer = ColumnTransformer(
        [("a", StandardScaler(), ["z", "x"])], remainder="passthrough"
    ).fit(df)
    with relied_on(
        "ColumnTransformer._transformer_to_input_indices",
        "skl_lrp/_columns.py (_input_indices)",
    ):
        assert _input_indices(transformer, "a").tolist() == [2, 0]
        assert _input_indices(transformer, "remainder").tolist() == [1]


def test_parameter_validation():
    """_fit_context and _param_validation still check the declared constraints."""
    model, X = make_network("binary")
    where = "skl_lrp/_explainer.py (RelevanceExplainer._parameter_constraints)"
    for params, name in [
        ({"batch_size": 0}, "batch_size"),  # Interval
        ({"bounds": "corner"}, "bounds"),  # StrOptions
        ({"estimator": "mlp"}, "estimator"),  # HasMethods
    ]:
        with relied_on(
            "sklearn.base._fit_context / sklearn.utils._param_validation", where
        ):
            explainer = RelevanceExplainer(**{"estimator": model, **params})
            with pytest.raises(ValueError, match=f"'{name}' parameter"):
                explainer.fit(X)
    with (
        relied_on(
            "BaseEstimator._validate_params", "skl_lrp/_rules.py, skl_lrp/_explainer.py"
        ),
        pytest.raises(ValueError, match="'epsilon' parameter"),
    ):
        Epsilon(epsilon=-1)._validate_params()


def test_validate_params_on_functions():
    model, X = make_network("binary")
    with (
        relied_on(
            "sklearn.utils._param_validation.validate_params",
            "skl_lrp/_metrics.py, skl_lrp/_report.py, skl_lrp/_display_*.py",
        ),
        pytest.raises(ValueError, match="'order' parameter of aopc"),
    ):
        aopc(model, X, np.zeros_like(X), order="sideways")


def test_num_samples_and_safe_indexing():
    from sklearn.utils import _safe_indexing
    from sklearn.utils.validation import _num_samples

    pd = pytest.importorskip("pandas")
    X = np.arange(12).reshape(4, 3)
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    with relied_on("sklearn.utils.validation._num_samples", "skl_lrp/_explainer.py"):
        assert [_num_samples(x) for x in (X, df, X.tolist())] == [4, 4, 4]
    with relied_on(
        "sklearn.utils._safe_indexing",
        "skl_lrp/_network.py, skl_lrp/_folds.py, skl_lrp/_values.py",
    ):
        np.testing.assert_array_equal(_safe_indexing(X, [3, 0]), X[[3, 0]])
        rows = _safe_indexing(df, np.array([3, 0]))
        assert isinstance(rows, pd.DataFrame)
        np.testing.assert_array_equal(rows.to_numpy(), X[[3, 0]])
        np.testing.assert_array_equal(_safe_indexing(df, 1, axis=1), X[:, 1])


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regressor"])
def test_activations_reproduce_the_models_predictions(kind, activation):
    """The activations in skl_lrp/_network.py are scikit-learn's."""
    model, X = make_network(kind, activation, hidden=(6, 4), seed=1)
    a = X
    for weight, bias in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        a = a @ weight + bias
        ACTIVATIONS[model.activation](a)
    out = a @ model.coefs_[-1] + model.intercepts_[-1]
    ACTIVATIONS[model.out_activation_](out)
    if kind == "binary":
        out = np.hstack([1 - out, out])
    expected = model.predict(X) if kind == "regressor" else model.predict_proba(X)
    with relied_on(
        f"the MLP activations ({activation!r} hidden, {model.out_activation_!r} "
        "output; sklearn.neural_network._base.ACTIVATIONS)",
        "skl_lrp/_network.py (ACTIVATIONS, written out)",
    ):
        np.testing.assert_allclose(out.reshape(expected.shape), expected, rtol=1e-12)


@pytest.mark.parametrize("n_labels", [2, 3])
def test_multilabel_is_told_by_out_activation_and_n_outputs(n_labels):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    targets = {
        "binary": np.arange(40) % 2,
        "multiclass": np.arange(40) % (n_labels + 1),
        "multilabel-indicator": rng.randint(0, 2, size=(40, n_labels)),
    }
    with relied_on(
        "MLPClassifier.out_activation_ / n_outputs_",
        "skl_lrp/_network.py (read_network: multilabel)",
    ):
        for kind, y in targets.items():
            assert type_of_target(y) == kind
            model = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
            multilabel = kind == "multilabel-indicator"
            assert read_network(model).single_output is not multilabel, kind


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"drop": "first"},
        {"drop": "if_binary"},
        {"min_frequency": 5},
        {"max_categories": 2},
        {"min_frequency": 5, "drop": "first"},
        {"max_categories": 3, "drop": "if_binary"},
        {"min_frequency": 5, "handle_unknown": "infrequent_if_exist"},
    ],
    ids=repr,
)
def test_one_hot_widths(params):
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [
            rng.choice(["a", "b"], 200),
            rng.choice(list("abcdef"), 200, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05]),
            rng.choice(["x", "y", "z"], 200, p=[0.9, 0.07, 0.03]),
        ]
    )
    encoder = OneHotEncoder(**params).fit(X)
    names = encoder.get_feature_names_out(["p", "q", "r"])
    per_input = [sum(n.startswith(f"{p}_") for n in names) for p in "pqr"]
    with relied_on(
        "OneHotEncoder.drop_idx_ / infrequent_categories_",
        "skl_lrp/_columns.py (_one_hot_widths)",
    ):
        assert list(_one_hot_widths(encoder)) == per_input
        assert sum(per_input) == encoder.transform(X).shape[1]
