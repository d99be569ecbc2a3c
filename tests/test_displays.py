"""One display per plot: RelevanceBarDisplay, RelevanceBeeswarmDisplay,
RelevanceDependenceDisplay, RelevanceImportanceDisplay,
RelevanceStabilityDisplay and RelevanceWaterfallDisplay; their
constructors, their arguments, what they draw, and that the deprecated
RelevanceDisplay draws the same."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

import skl_lrp
from skl_lrp import (
    RelevanceBarDisplay,
    RelevanceBeeswarmDisplay,
    RelevanceDependenceDisplay,
    RelevanceDisplay,
    RelevanceExplainer,
    RelevanceImportanceDisplay,
    RelevanceStabilityDisplay,
    RelevanceWaterfallDisplay,
    cross_val_relevance,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pd = pytest.importorskip("pandas")

DISPLAYS = {
    "bar": RelevanceBarDisplay,
    "beeswarm": RelevanceBeeswarmDisplay,
    "dependence": RelevanceDependenceDisplay,
    "stability": RelevanceStabilityDisplay,
    "waterfall": RelevanceWaterfallDisplay,
}
# The arguments each kind's plot needs beyond the defaults, and some it takes.
OPTIONS = {
    "bar": {"max_features": 3},
    "beeswarm": {"max_features": 3},
    "dependence": {"feature": "age", "color_by": "colour"},
    "stability": {"max_features": 3},
    "waterfall": {"sample": 4, "max_features": 3},
}
# The deprecated RelevanceDisplay never drew relevance beside permutation
# importance: that display is new, and only in this list.
NEW_DISPLAYS = [*DISPLAYS.values(), RelevanceImportanceDisplay]
DEPRECATED = "RelevanceDisplay is deprecated in 0.1 and will be removed in 0.3"


def _data(n=60):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "age": rng.randint(20, 70, n).astype(float),
            "income": rng.lognormal(size=n),
            "debt": rng.normal(size=n),
            "colour": rng.choice(["blue", "green", "red"], n),
        },
        index=[f"p{k}" for k in range(n)],
    )
    signal = (X["age"] - 45) / 10 - 1.5 * (X["colour"] == "red") + X["income"] / 2
    return X, signal.to_numpy()


def _pipeline(network):
    return make_pipeline(
        ColumnTransformer(
            [
                ("num", StandardScaler(), ["age", "income", "debt"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
            ]
        ),
        network,
    )


@pytest.fixture(scope="module")
def fitted():
    """Data, a cross-validated report of a classifier, the classifier, and
    a regressor's explainer (explained against background rows)."""
    X, signal = _data()
    y = np.where(signal > 0, "sick", "healthy")
    network = MLPClassifier(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
    regressor = MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = cross_val_relevance(
            _pipeline(network), X, y, cv=3, n_repeats=0, random_state=0
        )
        model = _pipeline(network).fit(X, y)
        explainer = RelevanceExplainer(_pipeline(regressor), random_state=0)
        explainer.fit(X, signal)
    return X, report, model, explainer


@pytest.fixture(scope="module")
def permuted(fitted):
    """The classifier's cross-validated report with permutation importance."""
    X, signal = _data()
    y = np.where(signal > 0, "sick", "healthy")
    network = MLPClassifier(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_relevance(
            _pipeline(network), X, y, cv=3, n_repeats=2, random_state=0
        )


def _report_for(cls, request):
    """The report a display class is tested on: with permutation importance
    for RelevanceImportanceDisplay, which draws it."""
    if cls is RelevanceImportanceDisplay:
        return request.getfixturevalue("permuted")
    return request.getfixturevalue("fitted")[1]


def _plotted(cls, report):
    """A display of `report` to call plot on."""
    if cls is RelevanceImportanceDisplay:  # its data is not the shared kind's
        return cls.from_report(report)
    return cls._from_report_data(report)


@pytest.fixture(scope="module")
def explained(fitted):
    """The classifier's explainer and its explanation of X (one target)."""
    X, _, model, _ = fitted
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    return explainer, explainer.explain(X)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _pixels(display):
    canvas = display.figure_.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _ticks(labels):
    return [label.get_text() for label in labels]


# The deprecated display hands each kind to its own display: same picture.


@pytest.mark.parametrize("kind", list(DISPLAYS))
def test_each_display_draws_what_the_deprecated_kind_drew(fitted, kind):
    report = fitted[1]
    display = DISPLAYS[kind].from_report(report, **OPTIONS[kind])
    with pytest.warns(FutureWarning, match=DEPRECATED):
        old = RelevanceDisplay.from_report(report, kind=kind, **OPTIONS[kind])
    assert old.kind_ == kind
    np.testing.assert_array_equal(_pixels(display), _pixels(old))
    assert display.ax_.get_title() == old.ax_.get_title()
    assert _ticks(display.ax_.get_yticklabels()) == _ticks(old.ax_.get_yticklabels())
    assert len(display.artists_) == len(old.artists_)
    assert (display.colorbar_ is None) == (old.colorbar_ is None)


@pytest.mark.parametrize("kind", ["bar", "beeswarm", "dependence", "waterfall"])
def test_from_estimator_draws_what_the_deprecated_kind_drew(fitted, kind):
    X, _, _, explainer = fitted
    options = {**OPTIONS[kind], "feature": "income"} if kind == "dependence" else {}
    display = DISPLAYS[kind].from_estimator(explainer, X, **options)
    with pytest.warns(FutureWarning, match=DEPRECATED):
        old = RelevanceDisplay.from_estimator(explainer, X, kind=kind, **options)
    np.testing.assert_array_equal(_pixels(display), _pixels(old))
    assert display.ax_.get_xlabel() == old.ax_.get_xlabel()


def test_every_way_into_the_deprecated_display_warns_and_names_the_new_ones(fitted):
    X, report, model, _ = fitted
    calls = [
        lambda: RelevanceDisplay(feature_names=["a"], relevance=np.ones((2, 1))),
        lambda: RelevanceDisplay.from_report(report, kind="bar"),
        lambda: RelevanceDisplay.from_estimator(model, X, kind="bar"),
    ]
    for call in calls:
        with pytest.warns(FutureWarning, match=DEPRECATED) as caught:
            call()
        message = str(caught[0].message)
        assert all(cls.__name__ in message for cls in DISPLAYS.values())


def test_the_new_displays_are_public_and_warn_nothing(fitted, permuted):
    for cls in NEW_DISPLAYS:
        assert cls.__name__ in skl_lrp.__all__
        assert getattr(skl_lrp, cls.__name__) is cls
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no FutureWarning on the new path
        for kind, cls in DISPLAYS.items():
            cls.from_report(fitted[1], **OPTIONS[kind])
        RelevanceImportanceDisplay.from_report(permuted)


# An argument a kind does not take is an error.

FOREIGN = [
    (RelevanceBarDisplay, "plot", {"sample": 0}),
    (RelevanceBarDisplay, "plot", {"kind": "bar"}),
    (RelevanceBarDisplay, "from_report", {"feature": "age"}),
    (RelevanceBarDisplay, "from_estimator", {"sample": 1}),
    (RelevanceBeeswarmDisplay, "plot", {"color": "red"}),
    (RelevanceBeeswarmDisplay, "from_report", {"color_by": "age"}),
    (RelevanceBeeswarmDisplay, "from_estimator", {"kind": "beeswarm"}),
    (RelevanceDependenceDisplay, "plot", {"feature": "age", "max_features": 3}),
    (RelevanceDependenceDisplay, "from_report", {"feature": "age", "sample": 0}),
    (RelevanceDependenceDisplay, "from_estimator", {"feature": 0, "max_features": 2}),
    (RelevanceStabilityDisplay, "plot", {"color": "red"}),
    (RelevanceStabilityDisplay, "from_report", {"sample": 0}),
    (RelevanceWaterfallDisplay, "plot", {"color": "red"}),
    (RelevanceWaterfallDisplay, "from_report", {"feature": "age"}),
    (RelevanceWaterfallDisplay, "from_estimator", {"color_by": "age"}),
    (RelevanceBarDisplay, "from_explanation", {"X": None}),
    (RelevanceBeeswarmDisplay, "from_explanation", {"sample": 0}),
    (RelevanceDependenceDisplay, "from_explanation", {"feature": 0, "target": 1}),
    (RelevanceWaterfallDisplay, "from_explanation", {"color": "red"}),
    (RelevanceImportanceDisplay, "plot", {"color": "red"}),
    (RelevanceImportanceDisplay, "plot", {"sample": 0}),
    (RelevanceImportanceDisplay, "from_report", {"feature": "age"}),
    (RelevanceImportanceDisplay, "from_report", {"kind": "bar"}),
]


@pytest.mark.parametrize(
    "cls, method, foreign",
    FOREIGN,
    ids=[f"{cls.__name__}.{method}-{list(kw)[-1]}" for cls, method, kw in FOREIGN],
)
def test_an_argument_of_another_kind_is_a_type_error(
    request, fitted, explained, cls, method, foreign
):
    X, _, model, _ = fitted
    report = _report_for(cls, request)
    if method == "plot":
        owner, required = _plotted(cls, report), {}
    elif method == "from_report":
        owner, required = cls, {"report": report}
    elif method == "from_explanation":
        owner, required = cls, {"explanation": explained[1]}
        if cls is RelevanceDependenceDisplay:
            required["X"] = X
    else:
        owner, required = cls, {"estimator": model, "X": X}
    name = list(foreign)[-1]  # the foreign one; the others are needed
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
        getattr(owner, method)(**required, **foreign)


@pytest.mark.parametrize(
    "cls, foreign",
    [
        (RelevanceBarDisplay, "scores"),
        (RelevanceBeeswarmDisplay, "targets"),
        (RelevanceDependenceDisplay, "relevances"),
        (RelevanceStabilityDisplay, "relevance"),
        (RelevanceWaterfallDisplay, "relevances"),
        (RelevanceImportanceDisplay, "relevance"),
    ],
)
def test_each_constructor_takes_only_the_data_of_its_kind(
    fitted, permuted, cls, foreign
):
    data = skl_lrp._display.report_data(fitted[1])
    if cls is RelevanceImportanceDisplay:  # from the report's permutation part
        permutation = permuted.permutation.per_fold
        data = {**data, "importances": permutation, "scoring": "accuracy"}
    taken = {name: data[name] for name in cls._parameters()}
    cls(**taken)  # what it takes is enough
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{foreign}'"):
        cls(**taken, **{foreign: data[foreign]})


def test_dependence_needs_its_feature_and_stability_needs_folds(fitted):
    X, report, model, _ = fitted
    with pytest.raises(TypeError, match="feature"):
        RelevanceDependenceDisplay.from_report(report)
    with pytest.raises(TypeError, match="feature"):
        RelevanceDependenceDisplay.from_estimator(model, X)
    # Ranks need folds: only a cross-validated report has them.
    assert not hasattr(RelevanceStabilityDisplay, "from_estimator")
    with pytest.raises(TypeError, match="relevances"):
        RelevanceStabilityDisplay(feature_names=["a"])


VALIDATED = [
    (RelevanceBarDisplay, "from_report", "report", "a report"),
    (RelevanceBarDisplay, "from_report", "ax", "axes"),
    (RelevanceBarDisplay, "from_report", "max_features", 0),
    (RelevanceBarDisplay, "from_report", "color", 3),
    (RelevanceBarDisplay, "from_estimator", "estimator", "a model"),
    (RelevanceBarDisplay, "from_estimator", "X", 3.0),
    (RelevanceBarDisplay, "from_estimator", "ax", "axes"),
    (RelevanceBarDisplay, "from_estimator", "max_features", 0),
    (RelevanceBarDisplay, "from_estimator", "color", 3),
    (RelevanceBarDisplay, "plot", "ax", "axes"),
    (RelevanceBarDisplay, "plot", "max_features", 0),
    (RelevanceBarDisplay, "plot", "color", 3),
    (RelevanceBeeswarmDisplay, "from_report", "report", "a report"),
    (RelevanceBeeswarmDisplay, "from_report", "ax", "axes"),
    (RelevanceBeeswarmDisplay, "from_report", "max_features", -1),
    (RelevanceBeeswarmDisplay, "from_estimator", "estimator", "a model"),
    (RelevanceBeeswarmDisplay, "from_estimator", "X", 3.0),
    (RelevanceBeeswarmDisplay, "from_estimator", "ax", "axes"),
    (RelevanceBeeswarmDisplay, "from_estimator", "max_features", 0),
    (RelevanceBeeswarmDisplay, "plot", "ax", "axes"),
    (RelevanceBeeswarmDisplay, "plot", "max_features", 0),
    (RelevanceDependenceDisplay, "from_report", "report", "a report"),
    (RelevanceDependenceDisplay, "from_report", "ax", "axes"),
    (RelevanceDependenceDisplay, "from_report", "feature", 1.5),
    (RelevanceDependenceDisplay, "from_report", "color_by", 1.5),
    (RelevanceDependenceDisplay, "from_report", "color", 3),
    (RelevanceDependenceDisplay, "from_estimator", "estimator", "a model"),
    (RelevanceDependenceDisplay, "from_estimator", "X", 3.0),
    (RelevanceDependenceDisplay, "from_estimator", "ax", "axes"),
    (RelevanceDependenceDisplay, "from_estimator", "feature", None),
    (RelevanceDependenceDisplay, "from_estimator", "color_by", 1.5),
    (RelevanceDependenceDisplay, "from_estimator", "color", 3),
    (RelevanceDependenceDisplay, "plot", "ax", "axes"),
    (RelevanceDependenceDisplay, "plot", "feature", None),
    (RelevanceDependenceDisplay, "plot", "color_by", 1.5),
    (RelevanceDependenceDisplay, "plot", "color", 3),
    (RelevanceStabilityDisplay, "from_report", "report", "a report"),
    (RelevanceStabilityDisplay, "from_report", "ax", "axes"),
    (RelevanceStabilityDisplay, "from_report", "max_features", 0),
    (RelevanceStabilityDisplay, "plot", "ax", "axes"),
    (RelevanceStabilityDisplay, "plot", "max_features", 0),
    (RelevanceWaterfallDisplay, "from_report", "report", "a report"),
    (RelevanceWaterfallDisplay, "from_report", "ax", "axes"),
    (RelevanceWaterfallDisplay, "from_report", "sample", 1.5),
    (RelevanceWaterfallDisplay, "from_report", "max_features", 0),
    (RelevanceWaterfallDisplay, "from_estimator", "estimator", "a model"),
    (RelevanceWaterfallDisplay, "from_estimator", "X", 3.0),
    (RelevanceWaterfallDisplay, "from_estimator", "ax", "axes"),
    (RelevanceWaterfallDisplay, "from_estimator", "sample", "first"),
    (RelevanceWaterfallDisplay, "from_estimator", "max_features", 0),
    (RelevanceWaterfallDisplay, "plot", "ax", "axes"),
    (RelevanceWaterfallDisplay, "plot", "sample", 1.5),
    (RelevanceWaterfallDisplay, "plot", "max_features", 0),
    (RelevanceBarDisplay, "from_explanation", "explanation", "a Bunch"),
    (RelevanceBarDisplay, "from_explanation", "ax", "axes"),
    (RelevanceBarDisplay, "from_explanation", "max_features", 0),
    (RelevanceBarDisplay, "from_explanation", "color", 3),
    (RelevanceBeeswarmDisplay, "from_explanation", "explanation", [1.0]),
    (RelevanceBeeswarmDisplay, "from_explanation", "X", 3.0),
    (RelevanceBeeswarmDisplay, "from_explanation", "ax", "axes"),
    (RelevanceBeeswarmDisplay, "from_explanation", "max_features", 0),
    (RelevanceDependenceDisplay, "from_explanation", "explanation", None),
    (RelevanceDependenceDisplay, "from_explanation", "X", None),
    (RelevanceDependenceDisplay, "from_explanation", "ax", "axes"),
    (RelevanceDependenceDisplay, "from_explanation", "feature", 1.5),
    (RelevanceDependenceDisplay, "from_explanation", "color_by", 1.5),
    (RelevanceDependenceDisplay, "from_explanation", "color", 3),
    (RelevanceWaterfallDisplay, "from_explanation", "explanation", "a Bunch"),
    (RelevanceWaterfallDisplay, "from_explanation", "X", 3.0),
    (RelevanceWaterfallDisplay, "from_explanation", "ax", "axes"),
    (RelevanceWaterfallDisplay, "from_explanation", "sample", 1.5),
    (RelevanceWaterfallDisplay, "from_explanation", "max_features", 0),
    (RelevanceImportanceDisplay, "from_report", "report", "a report"),
    (RelevanceImportanceDisplay, "from_report", "ax", "axes"),
    (RelevanceImportanceDisplay, "from_report", "max_features", 0),
    (RelevanceImportanceDisplay, "plot", "ax", "axes"),
    (RelevanceImportanceDisplay, "plot", "max_features", 1.5),
]


@pytest.mark.parametrize(
    "cls, method, param, value",
    VALIDATED,
    ids=[f"{c.__name__}.{m}-{p}" for c, m, p, _ in VALIDATED],
)
def test_each_display_validates_its_parameters(
    request, fitted, explained, cls, method, param, value
):
    X = fitted[0]
    report = _report_for(cls, request)
    required = {
        "from_report": {"report": report},
        "from_estimator": {"estimator": Ridge().fit(np.eye(3), [0, 1, 2]), "X": X},
        "from_explanation": {"explanation": explained[1], "X": X},
        "plot": {},
    }[method]
    if cls is RelevanceBarDisplay and method == "from_explanation":
        del required["X"]  # a bar draws no values
    if cls is RelevanceDependenceDisplay:
        required["feature"] = "age"
    owner = _plotted(cls, report) if method == "plot" else cls
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of {cls.__name__}.{method} must be",
    ):
        getattr(owner, method)(**{**required, param: value})


@pytest.mark.parametrize("cls", NEW_DISPLAYS)
def test_every_validated_parameter_of_the_displays_is_tested(cls):
    for method in ("from_report", "from_estimator", "from_explanation", "plot"):
        if not hasattr(cls, method):
            continue
        tested = {p for c, m, p, _ in VALIDATED if c is cls and m == method}
        constraints = getattr(cls, method)._skl_parameter_constraints
        validated = {k for k, v in constraints.items() if v != "no_validation"}
        assert tested == validated, (cls.__name__, method)


# What each display draws.


def test_bar_draws_the_ranking_with_its_spread_across_folds(fitted):
    report = fitted[1]
    display = RelevanceBarDisplay.from_report(report, max_features=3, color="grey")
    ranked = report.ranked_features()[:3]
    assert len(display.artists_) == 3
    widths = [bar.get_width() for bar in display.artists_]
    np.testing.assert_allclose(widths, np.sort(report.relevance_stats.mean)[::-1][:3])
    assert _ticks(display.ax_.get_yticklabels()) == ranked
    assert display.ax_.get_title() == "Feature relevance"
    assert display.ax_.get_xlabel().endswith("(error bars: std across folds)")
    # The error bars: the standard deviation of each feature across folds.
    (errors,) = [c for c in display.ax_.containers if hasattr(c, "errorbar")]
    segments = errors.errorbar.lines[2][0].get_segments()
    order = np.argsort(-report.relevance_stats.mean, kind="stable")[:3]
    np.testing.assert_allclose(
        [segment[1, 0] - segment[0, 0] for segment in segments],
        2 * report.relevance_stats.std[order],
    )
    assert display.colorbar_ is None and display.ax_.get_legend() is None


def test_bar_of_one_explanation_has_no_error_bars(fitted):
    X, _, model, _ = fitted
    display = RelevanceBarDisplay.from_estimator(model, X, color=(0.2, 0.4, 0.6))
    assert len(display.artists_) == 4  # every feature: fewer than max_features
    assert "error bars" not in display.ax_.get_xlabel()
    assert matplotlib.colors.same_color(
        display.artists_[0].get_facecolor(), (0.2, 0.4, 0.6)
    )


def test_beeswarm_draws_a_dot_per_sample_and_feature(fitted):
    report = fitted[1]
    n_samples = len(report.relevance)
    display = RelevanceBeeswarmDisplay.from_report(report, max_features=2)
    drawn = np.vstack([points.get_offsets() for points in display.artists_])
    assert len(drawn) == 2 * n_samples
    top = [list(report.feature_names).index(f) for f in report.ranked_features()[:2]]
    np.testing.assert_allclose(
        np.sort(drawn[:, 0]), np.sort(report.relevance[:, top].ravel())
    )
    assert _ticks(display.ax_.get_yticklabels()) == report.ranked_features()[:2]
    assert display.ax_.get_title() == "Relevance of every sample (one dot per row)"
    assert display.colorbar_ is None or display.colorbar_.ax.get_ylabel() == (
        "feature value (low \u2192 high)"
    )


def test_dependence_draws_a_dot_per_sample_at_its_value(fitted):
    X, report, _, _ = fitted
    display = RelevanceDependenceDisplay.from_report(report, feature="income")
    (points,) = display.artists_
    j = list(report.feature_names).index("income")
    np.testing.assert_allclose(points.get_offsets()[:, 0], X["income"])
    np.testing.assert_allclose(points.get_offsets()[:, 1], report.relevance[:, j])
    assert display.ax_.get_title() == "Relevance of income against its value"
    assert display.colorbar_ is None
    # Coloured by a number: its quantiles, with a colour bar.
    display.plot(feature=j, color_by="age")
    assert display.colorbar_.ax.get_ylabel() == "age (low \u2192 high)"
    colours = np.asarray(display.artists_[0].get_array())
    assert stats.spearmanr(colours, X["age"])[0] == pytest.approx(1)


def test_stability_shows_each_features_rank_in_each_fold(fitted):
    report = fitted[1]
    display = RelevanceStabilityDisplay.from_report(report, max_features=3)
    order = np.argsort(-report.relevance_stats.mean, kind="stable")[:3]
    expected = np.column_stack(
        [
            stats.rankdata(-fold, method="min")
            for fold in report.relevance_stats.per_fold.T
        ]
    )[order]
    np.testing.assert_array_equal(display.im_.get_array(), expected)
    assert display.text_.shape == (3, 3)
    texts = [[text.get_text() for text in row] for row in display.text_]
    assert texts == expected.astype(int).astype(str).tolist()
    assert _ticks(display.ax_.get_xticklabels()) == ["fold 1", "fold 2", "fold 3"]
    assert _ticks(display.ax_.get_yticklabels()) == report.ranked_features()[:3]
    assert display.colorbar_.ax.get_ylabel() == "rank"
    assert display.artists_ == [display.im_]


def test_waterfall_runs_from_the_baseline_to_the_score(fitted):
    X, _, _, explainer = fitted
    display = RelevanceWaterfallDisplay.from_estimator(
        explainer, X, sample=4, max_features=2
    )
    baseline = explainer.baseline_scores_[0]
    score = explainer.estimator_.predict(X.iloc[[4]])[0]
    bars = [patch for bar in display.artists_ for patch in bar]
    assert len(bars) == 3  # two features, then the other two together
    assert bars[0].get_x() == pytest.approx(baseline)
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(score)
    labels = _ticks(display.ax_.get_yticklabels())
    assert labels[-1] == "2 other features"
    assert display.baseline_line_.get_xdata()[0] == pytest.approx(baseline)
    assert display.baseline_line_.get_linestyle() == ":"
    assert display.score_line_.get_xdata()[0] == pytest.approx(score)
    assert display.score_line_.get_linestyle() == "--"
    assert display.ax_.get_title().startswith("index p4\n")


def test_waterfall_of_a_classifier_starts_at_zero(fitted):
    X, report, model, _ = fitted
    display = RelevanceWaterfallDisplay.from_estimator(model, X, sample=1)
    bars = [patch for bar in display.artists_ for patch in bar]
    assert len(bars) == 4 and bars[0].get_x() == 0
    assert display.baseline_line_ is None
    assert display.ax_.get_title().startswith("index p1: explained class")
    with pytest.raises(ValueError, match="sample must be .* from 0 to 59"):
        RelevanceWaterfallDisplay.from_report(report, sample=60)


@pytest.mark.parametrize("kind", list(DISPLAYS))
def test_a_display_keeps_its_data_and_draws_again_elsewhere(fitted, kind):
    from matplotlib.figure import Figure

    display = DISPLAYS[kind].from_report(fitted[1], **OPTIONS[kind])
    first = display.ax_
    ax = Figure().subplots()
    assert display.plot(ax, **OPTIONS[kind]) is display
    assert display.ax_ is ax and display.figure_ is ax.figure and ax is not first
    assert display.artists_


def test_without_matplotlib_a_display_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    display = RelevanceStabilityDisplay(feature_names=["a"], relevances=np.ones((1, 2)))
    with pytest.raises(ImportError, match=r'pip install "skl_lrp\[plot\]"'):
        display.plot()


def test_a_fitted_explainer_is_explained_for_its_target(fitted):
    X, _, model, _ = fitted
    explainer = RelevanceExplainer(FrozenEstimator(model), target="sick").fit(X)
    display = RelevanceWaterfallDisplay.from_estimator(explainer, X, sample=0)
    assert "explained class sick" in display.ax_.get_title()
    display = RelevanceWaterfallDisplay.from_estimator(
        explainer, X, sample=0, target="healthy"
    )
    assert "explained class healthy" in display.ax_.get_title()


def test_stability_gives_tied_features_their_best_rank():
    # As the report's table ranks them (RelevanceReport.ranks).
    display = RelevanceStabilityDisplay(
        feature_names=["a", "b", "c"],
        relevances=np.array([[1.0, 1.0], [1.0, 2.0], [0.5, 0.0]]),
    ).plot()
    assert _ticks(display.ax_.get_yticklabels()) == ["b", "a", "c"]
    np.testing.assert_array_equal(display.im_.get_array(), [[1, 1], [1, 2], [3, 3]])


# from_explanation: an explanation already computed, drawn without explaining
# again (scikit-learn's from_predictions).


@pytest.mark.parametrize("kind", ["bar", "beeswarm", "dependence"])
def test_from_explanation_draws_what_from_estimator_draws(fitted, explained, kind):
    X = fitted[0]
    explainer, explanation = explained
    options = {"feature": "age", "color_by": "colour"} if kind == "dependence" else {}
    cls = DISPLAYS[kind]
    data = () if kind == "bar" else (X,)
    display = cls.from_explanation(explanation, *data, **options)
    again = cls.from_estimator(explainer, X, **options)
    np.testing.assert_array_equal(_pixels(display), _pixels(again))


def test_waterfall_from_explanation_labels_the_bars_with_the_values(fitted, explained):
    X = fitted[0]
    explainer, explanation = explained
    display = RelevanceWaterfallDisplay.from_explanation(explanation, X, sample=4)
    again = RelevanceWaterfallDisplay.from_estimator(explainer, X, sample=4)
    labels = _ticks(display.ax_.get_yticklabels())
    assert labels == _ticks(again.ax_.get_yticklabels())
    assert "age = " + f"{X['age'].iloc[4]:.4g}" in labels
    bars = [(p.get_x(), p.get_width()) for bar in display.artists_ for p in bar]
    assert bars == [(p.get_x(), p.get_width()) for bar in again.artists_ for p in bar]
    # Without the model it cannot say what the score is: it gives it.
    score = explanation.scores[4, 0]
    assert display.ax_.get_title().startswith(f"index p4: score {score:.4g}")
    names = RelevanceWaterfallDisplay.from_explanation(explanation, sample=4)
    assert _ticks(names.ax_.get_yticklabels())[0] in [str(n) for n in X.columns]


def test_from_explanation_draws_one_target(fitted, explained):
    X = fitted[0]
    explainer = explained[0]
    both = explainer.explain(X, target=["healthy", "sick"])
    with pytest.raises(ValueError, match="holds 2 targets per sample"):
        RelevanceBarDisplay.from_explanation(both)


# Relevance beside permutation importance.


def _bar_errors(bars):
    """The half-widths of the error bars drawn with `bars`."""
    segments = bars.errorbar.lines[2][0].get_segments()
    return np.array([(s[1, 0] - s[0, 0]) / 2 for s in segments])


def test_importance_draws_both_measures_on_their_own_scale(permuted):
    report = permuted
    display = RelevanceImportanceDisplay.from_report(report, max_features=3)
    flagged = [
        w["column"] for w in report.guardrails.warnings if w["kind"] == "disagreement"
    ]
    assert display.flagged_ == flagged
    names = list(report.feature_names)
    ranked = report.ranked_features()
    expected = ranked[:3] + [f for f in ranked[3:] if f in flagged]
    assert _ticks(display.ax_.get_yticklabels()) == expected
    shown = [names.index(f) for f in expected]
    relevance, permutation = report.relevance_stats, report.permutation
    largest = relevance.mean.max(), np.abs(permutation.mean).max()
    widths = [
        [bar.get_width() for bar in bars]
        for bars in (display.relevance_bars_, display.importance_bars_)
    ]
    np.testing.assert_allclose(
        np.multiply(widths[0], largest[0]), relevance.mean[shown]
    )
    np.testing.assert_allclose(
        np.multiply(widths[1], largest[1]), permutation.mean[shown]
    )
    np.testing.assert_allclose(
        _bar_errors(display.relevance_bars_) * largest[0],
        relevance.std[shown],
    )
    np.testing.assert_allclose(
        _bar_errors(display.importance_bars_) * largest[1],
        permutation.std[shown],
    )
    title = display.ax_.get_title()
    assert f"Spearman rank agreement {permutation.agreement:.2f}" in title
    assert title.endswith(f"over all {len(names)} features")
    # Each bar says what its 1 is, and what permutation importance measures.
    legend = _ticks(display.ax_.get_legend().get_texts())
    assert legend[0] == f"relevance: mean |R| (1 = {largest[0]:.3g})"
    assert legend[1].startswith("permutation importance: drop in held-out accuracy")
    assert display.ax_.get_xlabel().endswith("(error bars: std across folds)")
    assert display.artists_ == [*display.relevance_bars_, *display.importance_bars_]
    assert display.colorbar_ is None


def test_importance_shades_and_adds_the_features_whose_ranks_part_ways():
    # "a" is the most relevant but shuffling it costs nothing; "f" is the
    # least relevant but the score needs it most: the report flags both.
    relevance = np.array([6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    importance = np.array([0.0, 0.5, 0.4, 0.3, 0.2, 1.0])
    names = ["a", "b", "c", "d", "e", "f"]
    display = RelevanceImportanceDisplay(
        feature_names=names,
        relevances=np.c_[relevance, relevance],
        importances=np.c_[importance, importance],
    ).plot(max_features=2)
    assert display.flagged_ == ["a", "f"]
    ticks = display.ax_.get_yticklabels()
    assert _ticks(ticks) == ["a", "b", "f"]  # "f" is added below the top two
    red = [matplotlib.colors.same_color(t.get_color(), "tab:red") for t in ticks]
    assert red == [True, False, True]
    shaded = [p for p in display.ax_.patches if p not in display.artists_]
    assert sorted(p.get_y() + p.get_height() / 2 for p in shaded) == [0.0, 2.0]
    legend = _ticks(display.ax_.get_legend().get_texts())
    assert legend[1] == "permutation importance: drop in held-out score (1 = 1)"
    assert legend[2] == "flagged: the rankings part ways"
    rho = stats.spearmanr(relevance, importance)[0]
    assert f"Spearman rank agreement {rho:.2f} " in display.ax_.get_title()
    np.testing.assert_allclose(
        [bar.get_width() for bar in display.importance_bars_], [0.0, 0.5, 1.0]
    )


def test_importance_of_one_fold_and_of_a_constant_ranking():
    display = RelevanceImportanceDisplay(
        feature_names=["a", "b"],
        relevances=np.array([[2.0], [1.0]]),
        importances=np.array([[0.1], [0.1]]),
        scoring="r2",
    ).plot()
    assert "error bars" not in display.ax_.get_xlabel()
    assert all(bars.errorbar is None for bars in display.ax_.containers)
    assert "Spearman rank agreement n/a " in display.ax_.get_title()
    assert display.flagged_ == [] and len(display.ax_.get_legend().get_texts()) == 2
    assert "drop in held-out r2" in display.ax_.get_legend().get_texts()[1].get_text()


def test_importance_needs_permutation_importance(fitted, permuted):
    report = fitted[1]  # n_repeats=0
    assert report.permutation is None
    with pytest.raises(ValueError, match="no permutation importance .* n_repeats"):
        RelevanceImportanceDisplay.from_report(report)
    # Permutation importance needs held-out folds: no from_estimator.
    assert not hasattr(RelevanceImportanceDisplay, "from_estimator")
    assert not hasattr(RelevanceImportanceDisplay, "from_explanation")
    with pytest.raises(TypeError, match="importances"):
        RelevanceImportanceDisplay(feature_names=["a"], relevances=np.ones((1, 2)))
    # It draws again elsewhere, from the data it keeps.
    from matplotlib.figure import Figure

    display = RelevanceImportanceDisplay.from_report(permuted, max_features=2)
    ax = Figure().subplots()
    assert display.plot(ax, max_features=2) is display
    assert display.ax_ is ax and display.figure_ is ax.figure
