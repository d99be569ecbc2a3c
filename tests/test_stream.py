"""Explaining a file chunk by chunk (explain_file) and loading a saved
explainer safely (load_explainer)."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skl_lrp import RelevanceExplainer, explain_file, load_explainer

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
sio = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "d"])
    y = np.array(["no", "yes"])[(X["a"] - X["c"] > 0).to_numpy().astype(int)]
    model = make_pipeline(StandardScaler(), MLPClassifier((8,), random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return X, RelevanceExplainer(FrozenEstimator(model)).fit(X)


def _written(X, tmp_path, suffix):
    # The file has a column the explainer does not take, and its columns in
    # another order: they are read by name.
    frame = X[["d", "c", "b", "a"]].assign(comment="free text, ignored")
    path = tmp_path / f"in{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path, row_group_size=64)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix_in", [".parquet", ".csv"])
@pytest.mark.parametrize("suffix_out", [".parquet", ".csv"])
def test_a_file_explained_in_chunks_is_the_in_memory_explanation(
    fitted, tmp_path, suffix_in, suffix_out
):
    X, explainer = fitted
    source = _written(X, tmp_path, suffix_in)
    destination = tmp_path / f"out{suffix_out}"
    assert explain_file(explainer, source, destination, chunk_rows=47) == len(X)
    read = pd.read_parquet if suffix_out == ".parquet" else pd.read_csv
    out = read(destination)
    assert list(out.columns) == [
        "row", "a", "b", "c", "d", "target", "score", "baseline", "absorbed"
    ]  # fmt: skip
    expected = explainer.explain(X)
    np.testing.assert_array_equal(out["row"], np.arange(len(X)))
    np.testing.assert_array_equal(out["target"], expected.targets[:, 0])
    # Parquet and CSV (17 significant digits) keep every bit; chunks of
    # other sizes than transform's batches change the matrix products'
    # rounding (a few elements of 1,200 by 4e-16 relative).
    np.testing.assert_allclose(
        out[["a", "b", "c", "d"]], expected.relevance[:, 0], rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(out["score"], expected.scores[:, 0], rtol=1e-12)
    np.testing.assert_allclose(out["absorbed"], expected.absorbed[:, 0], atol=1e-12)


def test_memory_is_one_chunk_whatever_the_rows(fitted, tmp_path):
    X, explainer = fitted
    peaks = {}
    for repeats in (10, 200):  # 3,000 and 60,000 rows, in chunks of 3,000
        source = tmp_path / f"big{repeats}.parquet"
        pd.concat([X] * repeats, ignore_index=True).to_parquet(
            source, row_group_size=3000
        )
        destination = tmp_path / f"out{repeats}.parquet"
        explain_file(explainer, source, destination, chunk_rows=3000)  # warm
        # The least of two runs: a long-lived process's caches (scikit-learn
        # creates classes as it routes metadata) now and then grow a table
        # during one of them.
        runs = []
        for _ in range(2):
            tracemalloc.start()
            explain_file(explainer, source, destination, chunk_rows=3000)
            runs.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        peaks[repeats] = min(runs)
    # What grows is the Parquet footers' metadata, about 4 kB per row group
    # (19 more here); anything kept per row (8 bytes or more) would add at
    # least 456 kB.
    assert peaks[200] < peaks[10] + 200_000, peaks


def test_the_file_must_have_the_explainers_columns(fitted, tmp_path):
    X, explainer = fitted
    source = tmp_path / "in.csv"
    X.drop(columns="b").to_csv(source, index=False)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['b'\]"):
        explain_file(explainer, source, tmp_path / "out.csv")
    with pytest.raises(ValueError, match="expected a .parquet or .csv file"):
        explain_file(explainer, tmp_path / "in.xlsx", tmp_path / "out.csv")


def test_a_skops_file_loads_and_pickle_needs_consent(fitted, tmp_path):
    X, explainer = fitted
    sio.dump(explainer, tmp_path / "explainer.skops")
    loaded = load_explainer(tmp_path / "explainer.skops")
    np.testing.assert_array_equal(loaded.transform(X), explainer.transform(X))
    with open(tmp_path / "explainer.pkl", "wb") as file:
        pickle.dump(explainer, file)
    with pytest.raises(ValueError, match="runs code stored in it.*--allow-pickle"):
        load_explainer(tmp_path / "explainer.pkl")
    loaded = load_explainer(tmp_path / "explainer.pkl", allow_pickle=True)
    np.testing.assert_array_equal(loaded.transform(X), explainer.transform(X))


def _shifted(X):
    return X + 1.0


def test_a_skops_file_with_foreign_types_is_refused(fitted, tmp_path):
    X, _ = fitted
    model = make_pipeline(
        FunctionTransformer(_shifted, feature_names_out="one-to-one"),
        MLPClassifier((4,)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, X["a"] > 0)
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    sio.dump(explainer, tmp_path / "foreign.skops")
    with pytest.raises(ValueError, match=r"types from outside.*_shifted"):
        load_explainer(tmp_path / "foreign.skops")


def test_the_command_line_streams_a_saved_explainer(fitted, tmp_path, capsys):
    from skl_lrp._cli import main

    X, explainer = fitted
    sio.dump(explainer, tmp_path / "explainer.skops")
    source = _written(X, tmp_path, ".parquet")
    argv = ["explain", "--explainer", str(tmp_path / "explainer.skops")]
    argv += ["--input", str(source), "--output", str(tmp_path / "out.parquet")]
    assert main([*argv, "--chunk-rows", "100"]) == 0
    assert "explained 300 rows of" in capsys.readouterr().out
    explain_file(explainer, source, tmp_path / "direct.parquet", chunk_rows=100)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out.parquet"),
        pd.read_parquet(tmp_path / "direct.parquet"),
    )


@pytest.mark.parametrize("rules", ["deep-taylor", "epsilon", "montavon-2019"])
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_every_streamed_row_adds_up(fitted, tmp_path, rules, suffix):
    """The ledger is in the file: sum of relevance + absorbed == score -
    baseline, row by row, to 1e-8, under rules that absorb relevance too."""
    X, explainer = fitted
    explainer = clone(explainer).set_params(rules=rules).fit(X)
    destination = tmp_path / f"out{suffix}"
    explain_file(explainer, _written(X, tmp_path, ".csv"), destination, chunk_rows=77)
    out = (pd.read_parquet if suffix == ".parquet" else pd.read_csv)(destination)
    relevance = out[["a", "b", "c", "d"]].sum(axis=1)
    gap = relevance + out["absorbed"] - (out["score"] - out["baseline"])
    assert np.abs(gap).max() <= 1e-8
    if rules == "epsilon":  # (the bias takes a share: without it, no sum)
        assert np.abs(relevance - out["score"]).max() > 1e-3
    # Until the engine gives a baseline, it is 0; then it is the engine's.
    expected = explainer.explain(X).get("baseline")
    np.testing.assert_allclose(
        out["baseline"], 0.0 if expected is None else expected[:, 0], atol=1e-12
    )


def test_a_baseline_from_the_explanation_is_written(fitted, tmp_path, monkeypatch):
    """explain's ``baseline`` (when the engine gives one) goes into the file
    as it is, and the rows still add up."""
    X, explainer = fitted
    original = type(explainer).explain

    def with_baseline(self, X, *args, **kwargs):
        explanation = original(self, X, *args, **kwargs)
        baseline = np.full_like(explanation.scores, 0.25)
        explanation.baseline = baseline
        explanation.absorbed = explanation.absorbed - baseline
        return explanation

    monkeypatch.setattr(type(explainer), "explain", with_baseline)
    destination = tmp_path / "out.csv"
    explain_file(explainer, _written(X, tmp_path, ".csv"), destination)
    out = pd.read_csv(destination)
    assert (out["baseline"] == 0.25).all()
    gap = out[["a", "b", "c", "d"]].sum(axis=1) + out["absorbed"]
    np.testing.assert_allclose(gap, out["score"] - out["baseline"], atol=1e-8)


@pytest.mark.parametrize("name", ["score", "baseline", "absorbed", "row", "target"])
def test_a_feature_named_like_an_output_column_is_refused(name, tmp_path):
    from sklearn.linear_model import LinearRegression

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], name: [1.0, 0.0, 1.0, 0.0]})
    model = LinearRegression().fit(X, [0.0, 1.0, 3.0, 2.0])
    explainer = RelevanceExplainer(FrozenEstimator(model)).fit(X)
    source, destination = tmp_path / "in.csv", tmp_path / "out.csv"
    X.to_csv(source, index=False)
    with pytest.raises(
        ValueError,
        match=rf"The explainer's features include \['{name}'\], the names of the "
        r"output's own columns \(row, target, score, baseline, absorbed\); rename "
        "them",
    ):
        explain_file(explainer, source, destination)
    assert not destination.exists()


def test_a_semicolon_decimal_comma_csv_streams_like_its_twin(fitted, tmp_path, capsys):
    """The CSV source's separator and decimal mark are detected (or given),
    as the command line's --csv does: the same rows, the same output."""
    from skl_lrp._cli import main

    X, explainer = fitted
    twin = tmp_path / "dot.csv"
    X.to_csv(twin, index=False)
    european = tmp_path / "comma.csv"
    X.to_csv(european, index=False, sep=";", decimal=",")
    assert "," in european.read_text().splitlines()[1]
    expected = tmp_path / "expected.csv"
    explain_file(explainer, twin, expected)
    for kwargs in ({}, {"sep": ";", "decimal": ","}):
        out = tmp_path / "out.csv"
        explain_file(explainer, european, out, **kwargs)
        assert out.read_text() == expected.read_text()
    sio.dump(explainer, tmp_path / "e.skops")
    argv = ["explain", "--explainer", str(tmp_path / "e.skops"), "--input"]
    argv += [str(european), "--output", str(tmp_path / "cli.csv")]
    assert main([*argv, "--sep", ";", "--decimal", ","]) == 0
    assert (tmp_path / "cli.csv").read_text() == expected.read_text()
    with pytest.raises(ValueError, match="sep is for a CSV source"):
        explain_file(explainer, _written(X, tmp_path, ".parquet"), out, sep=";")
