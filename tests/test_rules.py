"""Every rule and preset against the loop-based reference, and the ledger."""

import itertools

import numpy as np
import pytest
from _reference import reference_forward, reference_rules
from conftest import KINDS, make_network
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from skl_lrp import RelevanceExplainer
from skl_lrp.rules import (
    LRP0,
    AlphaBeta,
    Epsilon,
    Flat,
    Gamma,
    Rule,
    WSquare,
    ZBeta,
    ZPlus,
)

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
RTOL = {np.float64: 1e-10, np.float32: 1e-4}


def _spec(rule):
    """The reference's (name, params) for a rule instance."""
    name = {
        LRP0: "lrp0",
        Epsilon: "epsilon",
        ZPlus: "zplus",
        AlphaBeta: "alphabeta",
        Gamma: "gamma",
        ZBeta: "zbeta",
        WSquare: "wsquare",
        Flat: "flat",
    }[type(rule)]
    return name, rule.get_params()


def _rule_factories():
    return {
        "lrp0": lambda bias: LRP0(bias=bias),
        "epsilon": lambda bias: Epsilon(epsilon=0.1, bias=bias),
        "epsilon-rms": lambda bias: Epsilon(epsilon=0.25, bias=bias, scale="rms"),
        "zplus": lambda bias: ZPlus(bias=bias),
        "alphabeta": lambda bias: AlphaBeta(bias=bias),
        "alpha1beta0": lambda bias: AlphaBeta(alpha=1, beta=0, bias=bias),
        "gamma": lambda bias: Gamma(gamma=0.25, bias=bias),
        "zbeta": lambda bias: ZBeta(bias=bias),
        "wsquare": lambda bias: WSquare(bias=bias),
        "flat": lambda bias: Flat(bias=bias),
    }


def _units(model, label):
    """(output unit, negate) scoring `label`, read from the model directly."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return int(label), False
    index = int(np.flatnonzero(classes == label)[0])
    if np.ndim(model.coefs_[-1] if hasattr(model, "coefs_") else model.coef_) and (
        _n_units(model) == 1
    ):
        return 0, index == 0
    return index, False


def _n_units(model):
    if hasattr(model, "coefs_"):
        return model.coefs_[-1].shape[1]
    return np.atleast_2d(model.coef_).shape[0]


def _boxes(model, rules, explainer, X_train):
    """Input box of every ZBeta layer: explicit, `bounds`, or the data's range."""
    inputs = [reference_forward(model, x)[0] for x in X_train]
    boxes = []
    for layer, rule in enumerate(rules):
        if not isinstance(rule, ZBeta):
            boxes.append(None)
            continue
        if layer == 0:
            default = (explainer.low_, explainer.high_)
        else:
            values = np.array([sample[layer] for sample in inputs])
            default = (values.min(0), values.max(0))
        width = len(default[0])
        low = default[0] if rule.low is None else np.broadcast_to(rule.low, width)
        high = default[1] if rule.high is None else np.broadcast_to(rule.high, width)
        boxes.append((low, high))
    return boxes


def check_against_reference(
    model, X_train, X_test, rules, dtype, specs=None, bounds="data"
):
    explainer = RelevanceExplainer(
        FrozenEstimator(model), rules=rules, bounds=bounds
    ).fit(X_train)
    rules = rules if specs is None else specs
    # The default root point also shares what no input of the first layer
    # takes (when that layer is a z^β one learning its box).
    share_first = (
        bounds == "column-mean" and isinstance(rules[0], ZBeta) and rules[0].low is None
    )
    boxes = _boxes(model, rules, explainer, X_train)
    explanation = explainer.explain(X_test, target="all")
    assert explanation.relevance.dtype == dtype
    # The ledger identity holds for every sample, target and rule.
    np.testing.assert_allclose(
        explanation.relevance.sum(-1) + explanation.absorbed,
        explanation.scores,
        rtol=RTOL[dtype],
        atol=RTOL[dtype] * np.abs(explanation.scores).max(),
    )
    for n, x in enumerate(X_test):
        for k, label in enumerate(explanation.targets[n]):
            unit, negate = _units(model, label)
            expected, score, ledger = reference_rules(
                model,
                x,
                unit,
                [_spec(rule) for rule in rules],
                boxes,
                negate,
                share_first,
            )
            scale = max(abs(score), np.max(np.abs(expected)), np.max(np.abs(ledger)))
            tolerance = RTOL[dtype] * scale
            assert explanation.scores[n, k] == pytest.approx(score, abs=tolerance)
            np.testing.assert_allclose(
                explanation.relevance[n, k], expected, rtol=0, atol=tolerance
            )
            got = [
                explanation.absorbed_bias[n, k],
                explanation.absorbed_stabilizer[n, k],
                explanation.absorbed_dead[n, k],
            ]
            np.testing.assert_allclose(got, ledger, rtol=0, atol=tolerance)


RULE_CASES = list(
    itertools.product(
        _rule_factories(), [False, True], ACTIVATIONS, [np.float64, np.float32]
    )
)


@pytest.mark.parametrize("seed, case", list(enumerate(RULE_CASES)))
def test_rule_matches_reference(seed, case):
    name, bias, activation, dtype = case
    kind = KINDS[seed % len(KINDS)]
    model, X = make_network(kind, activation, (5, 4), dtype, seed)
    X_test = 1.5 * np.random.RandomState(seed).normal(size=(4, X.shape[1]))
    X_test = X_test.astype(dtype)
    rule = _rule_factories()[name](bias)
    check_against_reference(model, X, X_test, [rule] * 3, dtype)


@pytest.mark.parametrize("bounds", ["mean", "column-mean"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_reference_point_matches_reference(activation, dtype, bounds):
    # z^β with the box collapsed onto the training mean (every layer ZBeta:
    # the later ones keep their data ranges).
    seed = ACTIVATIONS.index(activation)
    kind = KINDS[seed]
    model, X = make_network(kind, activation, (5, 4), dtype, seed)
    X_test = 1.5 * np.random.RandomState(seed).normal(size=(6, X.shape[1]))
    check_against_reference(
        model, X, X_test.astype(dtype), [ZBeta()] * 3, dtype, bounds=bounds
    )


def _preset_specs(preset, n_layers):
    """The rules each preset documents, written out independently."""
    if preset == "deep-taylor":
        return [ZBeta()] + [ZPlus()] * (n_layers - 1)
    if preset == "epsilon":
        return [Epsilon()] * n_layers
    if preset == "alpha-beta":
        return [ZBeta()] + [AlphaBeta(alpha=2, beta=1)] * (n_layers - 1)
    middle = n_layers - 2
    gamma = (middle + 1) // 2
    return (
        [ZBeta()]
        + [Gamma(gamma=0.25)] * gamma
        + [Epsilon(epsilon=0.25, scale="rms")] * (middle - gamma)
        + [LRP0()]
    )


PRESET_CASES = list(
    itertools.product(
        ["deep-taylor", "epsilon", "alpha-beta", "montavon-2019"], KINDS, [1, 2, 3, 4]
    )
)


@pytest.mark.parametrize("seed, case", list(enumerate(PRESET_CASES)))
def test_preset_matches_reference(seed, case):
    preset, kind, n_hidden = case
    activation = ACTIVATIONS[seed % len(ACTIVATIONS)]
    model, X = make_network(kind, activation, (6,) * n_hidden, np.float64, seed)
    X_test = 1.5 * np.random.RandomState(seed).normal(size=(4, X.shape[1]))
    specs = _preset_specs(preset, n_hidden + 1)
    check_against_reference(model, X, X_test, preset, np.float64, specs)


@pytest.mark.parametrize(
    "seed, case",
    list(
        enumerate(
            itertools.product(["deep-taylor", "alpha-beta", "montavon-2019"], KINDS)
        )
    ),
)
def test_preset_with_the_default_root_point_matches_reference(seed, case):
    preset, kind = case
    activation = ACTIVATIONS[seed % len(ACTIVATIONS)]
    n_hidden = 1 + seed % 3
    model, X = make_network(kind, activation, (6,) * n_hidden, np.float64, seed)
    X_test = 1.5 * np.random.RandomState(seed).normal(size=(5, X.shape[1]))
    specs = _preset_specs(preset, n_hidden + 1)
    check_against_reference(
        model, X, X_test, preset, np.float64, specs, bounds="column-mean"
    )


def test_composite_forms_are_equivalent():
    model, X = make_network("multiclass", "relu", (6, 5, 4), seed=3)
    frozen = FrozenEstimator(model)
    as_list = [ZBeta(), Gamma(), Gamma(), LRP0()]
    as_dict = {"first": ZBeta(), "hidden": Gamma(), "output": LRP0()}
    a = RelevanceExplainer(frozen, rules=as_list).fit(X).explain(X, "all")
    b = RelevanceExplainer(frozen, rules=as_dict).fit(X).explain(X, "all")
    np.testing.assert_array_equal(a.relevance, b.relevance)
    default = RelevanceExplainer(frozen, rules={}).fit(X).transform(X)
    np.testing.assert_array_equal(
        default, RelevanceExplainer(frozen).fit(X).transform(X)
    )


def test_explicit_zbeta_bounds():
    model, X = make_network("regressor", "relu", (6,), seed=2)
    frozen = FrozenEstimator(model)
    explicit = RelevanceExplainer(frozen, rules=[ZBeta(-2, 2), ZPlus()]).fit(X)
    via_bounds = RelevanceExplainer(frozen, bounds=(-2, 2)).fit(X)
    np.testing.assert_array_equal(explicit.transform(X), via_bounds.transform(X))


@pytest.mark.parametrize(
    "rules, error, message",
    [
        ("lrp", ValueError, "must be a str among"),
        ([ZPlus(), ZPlus()], ValueError, "rules has 2 entries, but the network has 3"),
        ({"middle": ZPlus()}, ValueError, r"unknown keys \['middle'\]"),
        ([ZBeta(), "zplus", ZPlus()], TypeError, r"rules\[1\] must be a rule"),
        (
            [AlphaBeta(alpha=3, beta=1), ZPlus(), ZPlus()],
            ValueError,
            "alpha - beta == 1",
        ),
        ([Epsilon(epsilon=-1), ZPlus(), ZPlus()], ValueError, "'epsilon' parameter"),
        (
            [ZBeta(low=[0, 0]), ZPlus(), ZPlus()],
            ValueError,
            r"rules\[0\] \(ZBeta\) low",
        ),
    ],
)
def test_bad_rules(rules, error, message):
    model, X = make_network("binary", "relu", (4, 3), seed=0)
    with pytest.raises(error, match=message):
        RelevanceExplainer(FrozenEstimator(model), rules=rules).fit(X)


@pytest.mark.parametrize(
    "rule", [factory(True) for factory in _rule_factories().values()]
)
def test_rules_are_estimator_like(rule):
    assert isinstance(rule, Rule)
    cloned = clone(rule)
    assert cloned.get_params() == rule.get_params()
    assert cloned.set_params(bias=False).bias is False


@pytest.mark.parametrize(
    "preset", ["deep-taylor", "epsilon", "alpha-beta", "montavon-2019"]
)
def test_explain_all_is_the_stack_of_single_targets(preset):
    model, X = make_network("multiclass", "tanh", (6, 5, 4), seed=8)
    explainer = RelevanceExplainer(FrozenEstimator(model), rules=preset).fit(X)
    explanation = explainer.explain(X, target="all")
    for k, label in enumerate(model.classes_):
        single = explainer.set_params(target=label).transform(X)
        np.testing.assert_allclose(explanation.relevance[:, k], single, rtol=1e-12)


def test_grid_search_over_rules():
    from sklearn.model_selection import GridSearchCV

    model, X = make_network("regressor", "relu", (6,), seed=1)

    def absorbed_fraction(explainer, X, y=None):
        e = explainer.explain(X)
        return -np.mean(np.abs(e.absorbed) / (np.abs(e.scores) + 1e-12))

    grid = {"rules": [[ZBeta(), Epsilon(epsilon=eps)] for eps in (1e-6, 10.0)]}
    search = GridSearchCV(
        RelevanceExplainer(FrozenEstimator(model)),
        grid,
        scoring=absorbed_fraction,
        cv=2,
    ).fit(X)
    # A large epsilon absorbs more relevance, so the small one wins.
    assert search.best_params_["rules"][1].epsilon == 1e-6
    assert (
        search.cv_results_["mean_test_score"][1]
        < search.cv_results_["mean_test_score"][0]
    )


def _linear(coef, intercept):
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(np.eye(len(coef)), np.zeros(len(coef)))
    model.coef_, model.intercept_ = np.asarray(coef, float), float(intercept)
    return model


def test_cancelling_contributions_pass_nothing_and_count_as_dead():
    from skl_lrp import explain

    model = _linear([1.0, -1.0, 0.0], 2.0)
    x = np.array([[1.0, 1.0, 0.0]])
    e = explain(model, x, rules=[LRP0(bias=False)])
    assert e.scores[0, 0] == 2.0
    np.testing.assert_array_equal(e.relevance[0, 0], [0.0, 0.0, 0.0])
    assert (e.absorbed_dead[0, 0], e.absorbed_bias[0, 0]) == (2.0, 0.0)
    e = explain(model, x, rules=[LRP0(bias=True)])  # the bias keeps z away from 0
    np.testing.assert_allclose(e.relevance[0, 0], [1.0, -1.0, 0.0])
    np.testing.assert_allclose(e.absorbed_bias[0, 0], 2.0)


def test_gamma_counts_a_dead_neuron_once():
    # Both of Gamma's groups see the vanished denominator, but only the one
    # of the output's sign holds the neuron's relevance.
    from skl_lrp import explain

    e = explain(_linear([1.0, -1.0], 2.0), np.zeros((1, 2)), rules=[Gamma(bias=False)])
    assert e.scores[0, 0] == 2.0
    np.testing.assert_array_equal(e.relevance[0, 0], [0.0, 0.0])
    assert e.absorbed_dead[0, 0] == 2.0


def test_alpha_beta_without_negative_contributions_has_negative_dead_relevance():
    from skl_lrp import explain

    e = explain(_linear([1.0, 2.0], 0.0), np.array([[1.0, 1.0]]), rules=[AlphaBeta()])
    np.testing.assert_allclose(e.relevance[0, 0], [2.0, 4.0])  # alpha * (1, 2)
    np.testing.assert_allclose(e.absorbed_dead[0, 0], -3.0)  # -beta * score
    np.testing.assert_allclose(e.relevance.sum() + e.absorbed.sum(), 3.0)


def test_rms_epsilon_on_an_all_zero_row_is_finite():
    from skl_lrp import explain

    e = explain(
        _linear([1.0, -2.0], 0.0),
        np.zeros((2, 2)),
        rules=[Epsilon(epsilon=0.25, scale="rms")],
    )
    np.testing.assert_array_equal(e.relevance, 0.0)
    np.testing.assert_array_equal(e.absorbed, 0.0)


@pytest.mark.parametrize(
    "rules", ["montavon-2019", [Epsilon(0.5, scale="rms")] * 4, "alpha-beta"]
)
def test_no_sample_depends_on_the_rest_of_its_batch(rules):
    # One row per batch, batches of 7 rows whose 4 targets run backward in
    # uneven chunks of rows (2, 2, 2, 1), and one batch; some rows outside
    # the box learned in fit.
    model, X = make_network("multiclass", "relu", (6, 5, 4), seed=9)
    X_test = np.vstack([X, 3 * X[:5]])
    frozen = FrozenEstimator(model)
    one, seven, big = (
        RelevanceExplainer(frozen, rules=rules, batch_size=size)
        .fit(X)
        .explain(X_test, "all", return_layers=True)
        for size in (1, 7, 999)
    )
    for other in (seven, big):
        for key in ("relevance", "absorbed", "absorbed_bias", "absorbed_stabilizer"):
            np.testing.assert_allclose(one[key], other[key], rtol=1e-12, atol=1e-15)
        for a, b in zip(one.layers, other.layers, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("preset", ["deep-taylor", "alpha-beta", "montavon-2019"])
def test_description_names_the_root_point(preset):
    from skl_lrp._composites import describe

    assert "average training sample" in describe(preset, "column-mean")
    assert "corner of the training data's range" in describe(preset, "data")
    assert "given box" in describe(preset, (0, 1))
    assert "all-zero input" in describe("epsilon", "column-mean")
    assert "Custom rules" in describe([ZBeta(), ZPlus()], "mean")
