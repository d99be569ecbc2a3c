"""RelevanceDisplay's direction-aware plots on a mixed-type Pipeline, and the
context the HTML report gives (model, scoring, target, directions)."""

import json
import re
import warnings

import numpy as np
import pytest
from conftest import HtmlTags
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import skl_lrp
from skl_lrp import RelevanceDisplay, RelevanceExplainer, cross_val_relevance
from skl_lrp._describe import describe_model
from skl_lrp._values import feature_values

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pd = pytest.importorskip("pandas")

NUMERIC = ["age", "income", "cost $ a $ b"]
CATEGORICAL = ["colour", "city"]


def _data(n=90, names=None, labels=("healthy", "sick")):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "age": rng.randint(20, 70, n).astype(float),
            "income": rng.lognormal(size=n),
            "cost $ a $ b": rng.normal(size=n),
            "colour": rng.choice(["blue", "green", "red"], n),
            "city": rng.choice([f"c{k:02d}" for k in range(14)], n),
        },
        index=[f"p{k}" for k in range(n)],
    )
    signal = (X["age"] - 45) / 10 - 1.5 * (X["colour"] == "red") + X["income"] / 2
    y = np.where(signal > 0, *labels[::-1])
    if names is not None:
        X.columns = names
    return X, y


def _pipeline(X, classifier=True):
    numeric, categorical = list(X.columns[:3]), list(X.columns[3:])
    network = (MLPClassifier if classifier else MLPRegressor)(
        hidden_layer_sizes=(8,), max_iter=300, random_state=0
    )
    return make_pipeline(
        ColumnTransformer(
            [
                ("num", StandardScaler(), numeric),
                ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        ),
        network,
    )


@pytest.fixture(scope="module")
def mixed():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = cross_val_relevance(_pipeline(X), X, y, cv=3, random_state=0)
        model = _pipeline(X).fit(X, y)
    return X, y, report, model


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _column(report, name):
    return list(report.feature_names).index(name)


# RelevanceDisplay is deprecated: the tests of its behaviour expect the warning.
DEPRECATED = "RelevanceDisplay is deprecated in 0.1 and will be removed in 0.3"


def deprecated():
    return pytest.warns(FutureWarning, match=DEPRECATED)


# beeswarm


def test_beeswarm_colours_numbers_by_quantile_with_a_labelled_colour_bar(mixed):
    X, _, report, _ = mixed
    with deprecated():
        display = RelevanceDisplay.from_report(report, kind="beeswarm")
    assert display.colorbar_ is not None
    assert display.colorbar_.ax.get_ylabel() == "feature value (low \u2192 high)"
    assert [t.get_text() for t in display.colorbar_.ax.get_yticklabels()] == [
        "low",
        "high",
    ]
    # The points of "age": at its relevance, coloured by the quantile of age.
    j = _column(report, "age")
    points = next(
        artist
        for artist in display.artists_
        if artist.get_array() is not None
        and np.allclose(artist.get_offsets()[:, 0], report.relevance[:, j])
    )
    colours = np.asarray(points.get_array())
    assert 0 <= colours.min() < 0.05 and 0.95 < colours.max() <= 1  # (ties share)
    assert stats.spearmanr(colours, X["age"])[0] == pytest.approx(1)
    assert display.ax_.get_title() and display.ax_.get_xlabel()


def test_beeswarm_gives_each_level_a_colour_or_says_there_are_too_many(mixed):
    X, _, report, _ = mixed
    with deprecated():
        display = RelevanceDisplay.from_report(report, kind="beeswarm")
    labels = _texts(display.ax_)
    assert [label for label in labels if label.startswith("colour")] == [
        "colour = blue",
        "colour = green",
        "colour = red",
    ]
    assert "city: 14 levels, too many to colour (grey)" in labels
    j = _column(report, "colour")
    red = np.sort(report.relevance[X["colour"].to_numpy() == "red", j])
    legend = display.ax_.get_legend()
    # (matplotlib < 3.7, the declared floor 3.6, calls them legendHandles)
    handles = getattr(legend, "legend_handles", None) or legend.legendHandles
    red_colour = handles[labels.index("colour = red")].get_color()
    drawn = [
        np.sort(artist.get_offsets()[:, 0])
        for artist in display.artists_
        if len(artist.get_offsets()) == len(red)
        and matplotlib.colors.same_color(artist.get_facecolor()[0], red_colour)
    ]
    assert any(np.allclose(x, red) for x in drawn)


def test_beeswarm_draws_every_point_once_missing_values_in_grey():
    rng = np.random.RandomState(0)
    relevance = rng.normal(size=(30, 2))
    values = rng.normal(size=(30, 2))
    values[:4, 0] = np.nan  # a numeric feature with missing values
    values[:, 1] = rng.randint(3, size=30)
    values[5, 1] = np.nan  # and a categorical one
    with deprecated():
        display = RelevanceDisplay(
            feature_names=["num", "cat"],
            relevance=relevance,
            values=values,
            categories=[None, ["a", "b", "c"]],
        ).plot(kind="beeswarm")
    drawn = np.vstack([artist.get_offsets() for artist in display.artists_])
    assert len(drawn) == 60
    np.testing.assert_allclose(np.sort(drawn[:, 0]), np.sort(relevance.ravel()))
    grey = [
        len(artist.get_offsets())
        for artist in display.artists_
        if artist.get_array() is None
        and matplotlib.colors.same_color(artist.get_facecolor()[0], "lightgrey")
    ]
    assert sorted(grey) == [1, 4]


def test_the_report_knows_the_categorical_columns(mixed):
    X, _, report, _ = mixed
    categories = dict(zip(report.feature_names, report.categories))
    assert categories["colour"] == ["blue", "green", "red"]
    assert len(categories["city"]) == 14
    assert categories["age"] is None and categories["income"] is None
    j = _column(report, "colour")
    np.testing.assert_array_equal(
        report.values[:, j], X["colour"].map({"blue": 0, "green": 1, "red": 2})
    )
    np.testing.assert_array_equal(report.row_labels, X.index)


def test_numbers_that_an_encoder_reads_are_categories():
    X = np.array([[1.0, 0.5], [2.0, 0.1], [1.0, 0.3]])
    values, categories = feature_values(X, 2, categorical=[0])
    assert categories == [["1", "2"], None]
    np.testing.assert_array_equal(values[:, 0], [0, 1, 0])
    np.testing.assert_array_equal(values[:, 1], X[:, 1])


# dependence


def test_dependence_plots_a_value_against_its_relevance(mixed):
    X, _, report, _ = mixed
    j = _column(report, "age")
    with deprecated():
        display = RelevanceDisplay.from_report(
            report, kind="dependence", feature="age", color_by="colour"
        )
    offsets = np.vstack([artist.get_offsets() for artist in display.artists_])
    expected = np.c_[X["age"], report.relevance[:, j]]
    np.testing.assert_allclose(
        offsets[np.lexsort(offsets.T)], expected[np.lexsort(expected.T)]
    )
    ax = display.ax_
    assert ax.get_xlabel() == "age" and ax.get_ylabel() == "relevance of age"
    assert "age" in ax.get_title()
    assert ax.get_legend().get_title().get_text() == "colour"
    assert _texts(ax) == ["blue", "green", "red"]
    by_number = display.plot(kind="dependence", feature=j, color_by="income")
    assert by_number.colorbar_.ax.get_ylabel() == "income (low \u2192 high)"
    plain = display.plot(kind="dependence", feature="age")
    assert plain.colorbar_ is None and plain.ax_.get_legend() is None


def test_dependence_of_a_categorical_feature_is_a_strip_per_level(mixed):
    X, _, report, _ = mixed
    with deprecated():
        display = RelevanceDisplay.from_report(
            report, kind="dependence", feature="colour"
        )
    ax = display.ax_
    assert [t.get_text() for t in ax.get_xticklabels()] == ["blue", "green", "red"]
    x = display.artists_[0].get_offsets()[:, 0]
    codes = X["colour"].map({"blue": 0, "green": 1, "red": 2}).to_numpy()
    assert np.all(np.abs(x - codes) <= 0.25) and np.ptp(x - codes) > 0.1
    assert "one strip per level" in ax.get_xlabel()


def test_dependence_needs_a_feature_it_knows(mixed):
    report = mixed[2]
    with (
        deprecated(),
        pytest.raises(ValueError, match=r"needs feature=.*by name or index"),
    ):
        RelevanceDisplay.from_report(report, kind="dependence")
    with (
        deprecated(),
        pytest.raises(ValueError, match=r"feature='height' is not a feature"),
    ):
        RelevanceDisplay.from_report(report, kind="dependence", feature="height")
    with (
        deprecated(),
        pytest.raises(ValueError, match=r"feature=9 is not a feature index: from 0"),
    ):
        RelevanceDisplay.from_report(report, kind="dependence", feature=9)
    with (
        deprecated(),
        pytest.raises(ValueError, match=r"color_by='x' is not a feature"),
    ):
        RelevanceDisplay.from_report(
            report, kind="dependence", feature="age", color_by="x"
        )


# waterfall


def test_waterfall_names_the_row_class_probability_and_values(mixed):
    X, _, _, model = mixed
    with deprecated():
        display = RelevanceDisplay.from_estimator(
            model, X, kind="waterfall", sample=3, max_features=3
        )
    title = display.ax_.get_title()
    predicted = model.predict(X.iloc[[3]])[0]
    probability = model.predict_proba(X.iloc[[3]]).max()
    assert title.startswith(f"index p3: explained class {predicted}")
    assert f"probability {probability:.3f}" in title
    assert f"score (logit) {display.scores[3]:.4g}" in title
    # deep-taylor: every relevance has the score's sign
    assert "bars explain the score, they do not raise or lower it" in title
    assert _texts(display.ax_) == ["share of the score"]
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels[-1] == "2 other features"
    row = X.iloc[3]
    shown = {label.split(" = ")[0]: label.split(" = ")[1] for label in labels[:-1]}
    for name, text in shown.items():
        value = row[name.replace("\\$", "$")]
        assert text == (value if isinstance(value, str) else f"{value:.4g}")


def test_waterfall_of_rules_with_both_signs_says_what_raises_and_lowers(mixed):
    X, y, _, model = mixed
    from sklearn.frozen import FrozenEstimator

    explainer = RelevanceExplainer(FrozenEstimator(model), rules="epsilon").fit(X)
    with deprecated():
        display = RelevanceDisplay.from_estimator(
            explainer, X, kind="waterfall", sample=5
        )
    title = display.ax_.get_title()
    assert title.startswith("index p5: explained class")
    assert "raise or lower" not in title
    assert {"raises the score", "lowers the score"} <= set(_texts(display.ax_))
    colours = {
        matplotlib.colors.to_hex(bar.patches[0].get_facecolor())
        for bar in display.artists_
    }
    assert len(colours) >= 2  # both directions drawn
    ends = [
        end
        for bar in display.artists_
        for end in (bar.patches[0].get_x(), bar.patches[0].get_x() + bar[0].get_width())
    ]
    low, high = display.ax_.get_xlim()
    assert low <= min(ends) and max(ends) < high  # no bar clipped


def test_waterfall_names_a_row_of_an_array_by_its_number(classifier_data):
    X, y = classifier_data
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    with deprecated():
        display = RelevanceDisplay.from_estimator(model, X, kind="waterfall", sample=2)
    predicted = model.predict(X[2:3])[0]
    assert display.ax_.get_title().startswith(f"row 2: explained class {predicted}")
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert f"x0 = {X[2, 0]:.4g}" in labels


def test_waterfall_of_a_regressor_shows_the_predicted_value():
    X, _ = _data()
    y = X["age"].to_numpy() / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = _pipeline(X, classifier=False).fit(X, y)
    with deprecated():
        display = RelevanceDisplay.from_estimator(model, X, kind="waterfall", sample=0)
    prediction = model.predict(X.iloc[[0]])[0]
    assert f"score {prediction:.4g} = the predicted value" in display.ax_.get_title()


def test_waterfall_of_a_regressor_starts_at_its_baseline():
    # The default explains a regressor against background rows: the bars
    # run from their average prediction to this row's.
    X, _ = _data()
    y = X["age"].to_numpy() / 10 - X["income"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = _pipeline(X, classifier=False).fit(X, y)
    explainer = RelevanceExplainer(model, random_state=0).fit(X, y)
    with deprecated():
        display = RelevanceDisplay.from_estimator(
            explainer, X, kind="waterfall", sample=4, max_features=20
        )
    baseline = explainer.baseline_scores_[0]
    bars = [patch for bar in display.artists_ for patch in bar]
    assert bars[0].get_x() == pytest.approx(baseline)
    end = bars[-1].get_x() + bars[-1].get_width()
    assert end == pytest.approx(explainer.estimator_.predict(X.iloc[[4]])[0])
    title = display.ax_.get_title()
    assert f"measured against the baseline {baseline:.4g}" in title
    assert "from the baseline (dotted line)" in display.ax_.get_xlabel()
    dotted = [line for line in display.ax_.lines if line.get_linestyle() == ":"]
    assert dotted and dotted[0].get_xdata()[0] == pytest.approx(baseline)


def test_bars_of_signed_relevance_split_what_raises_and_lowers():
    relevance = np.array([[2.0, -1.0, 0.0], [-2.0, -3.0, 1.0], [4.0, 1.0, 0.0]])
    with deprecated():
        display = RelevanceDisplay(
            feature_names=["a", "b", "c"], relevance=relevance
        ).plot(kind="bar")
    raises, lowers = display.artists_[:3], display.artists_[3:]
    # Rows in the order shown: a (mean |R| 8/3), b (5/3), c (1/3).
    widths = [(up.get_width(), down.get_width()) for up, down in zip(raises, lowers)]
    np.testing.assert_allclose(widths, [(2, 2 / 3), (1 / 3, 4 / 3), (1 / 3, 0)])
    assert _texts(display.ax_) == ["raises the score", "lowers the score"]
    # Relevance that has the score's sign (Deep Taylor) is one bar each.
    with deprecated():
        shares = RelevanceDisplay(
            feature_names=["a", "b"],
            relevance=np.array([[1.0, 2.0], [0.5, 0.0]]),
            scores=np.array([3.0, 0.5]),
        ).plot(kind="bar")
    assert len(shares.artists_) == 2 and shares.ax_.get_legend() is None


# errors of issue 14


def test_sample_out_of_range_names_the_valid_rows(mixed):
    report = mixed[2]
    n = len(report.relevance)
    for sample in (n, -1):
        with (
            deprecated(),
            pytest.raises(ValueError, match=rf"sample must be .* from 0 to {n - 1}"),
        ):
            RelevanceDisplay.from_report(report, kind="waterfall", sample=sample)


@pytest.mark.parametrize("max_features", [-1, 0])
def test_max_features_must_be_positive(mixed, max_features):
    with deprecated(), pytest.raises(ValueError, match="'max_features' parameter"):
        RelevanceDisplay.from_report(mixed[2], kind="bar", max_features=max_features)


# user text drawn literally

DOLLAR_NAMES = ["age", "x_$^$", "cost $ a $ b", "colour $ a $", "city"]


@pytest.fixture(scope="module")
def dollar_report():
    X, y = _data(names=DOLLAR_NAMES, labels=("$ok$", "$ill$"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cross_val_relevance(
            _pipeline(X), X, y, cv=3, random_state=0, n_repeats=0
        )


@pytest.mark.parametrize(
    "kind, options",
    [
        ("bar", {}),
        ("beeswarm", {}),
        ("dependence", {"feature": "x_$^$", "color_by": "colour $ a $"}),
        ("dependence", {"feature": "colour $ a $", "color_by": "cost $ a $ b"}),
        ("stability", {}),
        ("waterfall", {}),
    ],
)
def test_dollar_signs_in_names_are_drawn_literally(dollar_report, kind, options):
    from matplotlib.cbook import is_math_text
    from matplotlib.text import Text

    with deprecated():
        display = RelevanceDisplay.from_report(
            dollar_report, kind=kind, max_features=5, **options
        )
    figure = display.figure_
    figure.canvas.draw()  # mathtext would fail on "x_$^$"
    texts = [t.get_text() for t in figure.findobj(Text) if t.get_text()]
    assert not [text for text in texts if is_math_text(text)]
    drawn = " ".join(texts).replace("\\$", "$")
    names = ["x_$^$", "cost $ a $ b", "colour $ a $"]
    assert any(name in drawn for name in names)
    if kind == "waterfall":
        assert "explained class $" in drawn


# the HTML report


def test_html_report_gives_context_in_words(mixed, tmp_path):
    report = mixed[2]
    page = report.to_html(tmp_path / "r.html").read_text()
    model = (
        "Pipeline: ColumnTransformer(StandardScaler on 3 numeric, OneHotEncoder "
        "on 2 categorical) \u2192 MLPClassifier(hidden_layer_sizes=(8,), "
        "max_iter=300, random_state=0)"
    )
    assert model in page and report.settings["estimator"] == model
    assert "<td>scoring</td><td>accuracy</td>" in page
    assert "each row is explained for its true class" in page
    assert "<h2>What explains the score</h2>" in page  # deep-taylor
    section = page[page.index("What explains the score") :]
    for label, row in zip(
        report.relevance_stats.classes, report.relevance_stats.by_class
    ):
        top = report.feature_names[np.argmax(row)]
        assert f"<td>class {label}</td>" in section
        assert f"{top} ({row.max():.3g})" in section
    assert page.count("data:image/png;base64,") == 6  # and the importance display
    assert page.index('<div class="warnings"') < page.index("<h2>How to read")


def test_html_report_of_signed_rules_says_what_raises_and_lowers(tmp_path):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = cross_val_relevance(
            _pipeline(X), X, y, cv=3, rules="epsilon", random_state=0, n_repeats=0
        )
    page = report.to_html(tmp_path / "r.html").read_text()
    section = page[page.index("<h2>What raises and lowers the score") :]
    section = section[: section.index("</table>")]
    assert "<th>raise the score</th><th>lower the score</th>" in section
    classes = report.to_dict()["classes"]
    for entry in classes:
        mine = report.targets == entry["label"]
        signed = report.relevance[mine].mean(axis=0)
        for name, value in zip(report.feature_names, signed):
            assert entry["mean_relevance"][name] == pytest.approx(value)
        row = section[section.index(f"<td>class {entry['label']}</td>") :]
        row = row[: row.index("</tr>")]
        cells = row.split("<td>")[-2:]
        for cell, j, pushes in zip(
            cells, (np.argmax(signed), np.argmin(signed)), (1, -1)
        ):
            if pushes * signed[j] > 0:  # the strongest feature that way first
                assert cell.startswith(f"{report.feature_names[j]} ({signed[j]:+.3g})")
                assert cell.count("(") == min(5, np.sum(pushes * signed > 0))
            else:
                assert cell == "none</td>"
    assert "(-" in section  # a feature lowers some class's score


def test_regression_report_scores_with_r2_and_explains_the_output(tmp_path):
    X, _ = _data()
    y = X["age"].to_numpy() / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = cross_val_relevance(
            _pipeline(X, classifier=False), X, y, cv=3, n_repeats=0
        )
    assert report.settings["scoring"] == "R\u00b2"
    np.testing.assert_allclose(report.outputs, report.scores, rtol=1e-6)
    page = report.to_html(tmp_path / "r.html").read_text()
    assert "<td>scoring</td><td>R\u00b2</td>" in page
    assert "<td>the output</td>" in page


def test_html_and_json_escape_user_text_and_hold_no_addresses(tmp_path):
    names = ["<script>alert(1)</script>", "a & b", "cost $ a $ b", "<i>c</i>", "d"]
    X, y = _data(names=names, labels=("<b>no</b>", "A&B"))
    numeric = ColumnTransformer(
        [
            (
                "num",
                make_pipeline(
                    FunctionTransformer(
                        lambda Z: np.asarray(Z, dtype=float),
                        feature_names_out="one-to-one",
                    ),
                    StandardScaler(),
                ),
                names[:3],
            ),
            ("cat", OneHotEncoder(handle_unknown="ignore"), names[3:]),
        ]
    )
    model = make_pipeline(
        numeric, MLPClassifier(hidden_layer_sizes=(8,), max_iter=100, random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = cross_val_relevance(model, X, y, cv=3, n_repeats=0)
    page = report.to_html(tmp_path / "r.html").read_text()
    parser = HtmlTags()
    parser.feed(page)
    assert not {"script", "i", "b"} & set(parser.tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b" in page and "A&amp;B" in page and "&lt;b&gt;no&lt;/b&gt;" in page
    data = json.dumps(report.to_dict())
    page = re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", page)  # images aside
    for text in (page, data):
        assert "0x" not in text and "FunctionTransformer" not in text
        assert "<lambda>" not in text


def test_model_description_leaves_out_wrappers_and_addresses():
    def to_float(Z):
        return np.asarray(Z, dtype=float)

    model = make_pipeline(
        ColumnTransformer(
            [
                (
                    "num",
                    make_pipeline(
                        FunctionTransformer(to_float, feature_names_out="one-to-one"),
                        StandardScaler(),
                    ),
                    list(range(12)),
                ),
                ("cat", OneHotEncoder(), [12, 13, 14]),
            ]
        ),
        MLPClassifier(hidden_layer_sizes=(64, 32)),
    )
    assert describe_model(model) == (
        "Pipeline: ColumnTransformer(StandardScaler on 12 numeric, OneHotEncoder "
        "on 3 categorical) \u2192 MLPClassifier(hidden_layer_sizes=(64, 32))"
    )
    assert describe_model(MLPRegressor()) == "MLPRegressor()"


def test_html_report_draws_dollar_signs_literally(dollar_report, tmp_path):
    page = dollar_report.to_html(tmp_path / "r.html").read_text()
    assert page.count("data:image/png;base64,") == 5  # every plot drawn
    assert "cost $ a $ b" in page and "\\$" not in page


@pytest.mark.parametrize(
    "name, options",
    [
        ("RelevanceBarDisplay", {}),
        ("RelevanceBeeswarmDisplay", {}),
        ("RelevanceDependenceDisplay", {"feature": "x_$^$"}),
        ("RelevanceStabilityDisplay", {}),
        ("RelevanceWaterfallDisplay", {}),
    ],
)
def test_each_display_draws_dollar_signs_literally(dollar_report, name, options):
    # (the same check as above, on the displays that replace RelevanceDisplay)
    from matplotlib.cbook import is_math_text
    from matplotlib.text import Text

    display = getattr(skl_lrp, name).from_report(dollar_report, **options)
    display.figure_.canvas.draw()  # mathtext would fail on "x_$^$"
    texts = [t.get_text() for t in display.figure_.findobj(Text) if t.get_text()]
    assert not [text for text in texts if is_math_text(text)]
    drawn = " ".join(texts).replace("\\$", "$")
    assert any(name in drawn for name in DOLLAR_NAMES[1:4])


def test_cluster_displays_draw_dollar_signs_literally():
    from matplotlib.cbook import is_math_text
    from matplotlib.text import Text

    relevance = np.arange(10.0).reshape(2, 5)
    for display in (
        skl_lrp.ClusterHeatmapDisplay(
            feature_names=DOLLAR_NAMES, relevance=relevance
        ).plot(),
        skl_lrp.ClusterBarDisplay(feature_names=DOLLAR_NAMES, relevance=relevance).plot(
            cluster=1
        ),
    ):
        display.figure_.canvas.draw()
        texts = [t.get_text() for t in display.figure_.findobj(Text) if t.get_text()]
        assert not [text for text in texts if is_math_text(text)]
        assert "x_$^$" in " ".join(texts).replace("\\$", "$")
