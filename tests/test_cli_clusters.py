"""skl-lrp clusters and skl-lrp outliers."""

import io
import json

import numpy as np
import pytest

from skl_lrp._cli import main


def _run(*argv):
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


@pytest.fixture
def segments_csv(tmp_path):
    """Customers in two segments told apart by spend and plan only; an
    identifier column; one customer far out in visits."""
    rng = np.random.RandomState(0)
    lines = ["id,spend,visits,plan,age"]
    for i in range(80):
        segment = i % 2
        spend = 100 + 400 * segment + rng.normal(0, 20)
        plan = ["basic", "premium"][segment]
        visits = 300 if i == 17 else rng.normal(10, 2)
        lines.append(f"c{i},{spend:.1f},{visits:.1f},{plan},{rng.normal(40, 8):.0f}")
    path = tmp_path / "segments.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_clusters_on_a_builtin_dataset(tmp_path):
    html, data = tmp_path / "c.html", tmp_path / "c.json"
    text = _run(
        "clusters", "--dataset", "iris", "--n-clusters", "3", "--n-bootstrap",
        "3", "--top", "2", "--out", str(html), "--json", str(data),
    )  # fmt: skip
    assert text.startswith("skl-lrp clusters: iris (150 rows, 4 columns)")
    assert "intervals: 3 bootstrap resamples" in text
    assert text.count("\ncluster ") == 3
    report = json.loads(data.read_text())
    assert len(report["clusters"]) == 3
    assert sum(c["size"] for c in report["clusters"]) == 150
    assert report["feature_names"][0] == "sepal length (cm)"
    blocks = text.split("\ncluster ")[1:]
    for cluster, block in zip(report["clusters"], blocks):
        # relevance + absorbed = mean margin
        total = sum(f["mean_relevance"] for f in cluster["features"])
        assert total + cluster["absorbed"] == pytest.approx(cluster["mean_margin"])
        # the two columns printed are the cluster's top ones, in order
        printed = [line.split("]")[-1].strip() for line in block.splitlines()[1:3]]
        assert printed == [f["name"] for f in cluster["features"][:2]]
    assert "<img" in html.read_text(encoding="utf-8")
    assert f"written: {html}, {data}" in text


def test_clusters_on_a_mixed_csv_file(segments_csv, tmp_path):
    data = tmp_path / "c.json"
    text = _run(
        "clusters", "--csv", str(segments_csv), "--drop", "id", "--n-clusters",
        "2", "--cv", "3", "--out", str(tmp_path / "c.html"), "--json", str(data),
    )  # fmt: skip
    assert "intervals: 3 folds" in text
    report = json.loads(data.read_text())
    # Relevance is on the file's columns, the one-hot plan summed back.
    assert report["feature_names"] == ["spend", "visits", "plan", "age"]
    sizes = sorted(c["size"] for c in report["clusters"])
    assert sizes in ([39, 41], [40, 40])
    for cluster in report["clusters"]:  # the planted segments' columns
        top = [f["name"] for f in cluster["features"][:2]]
        assert set(top) == {"spend", "plan"}


def test_outliers_on_a_csv_file(segments_csv, tmp_path):
    data = tmp_path / "o.json"
    text = _run(
        "outliers", "--csv", str(segments_csv), "--drop", "id", "--rows", "3",
        "--out", str(tmp_path / "o.html"), "--json", str(data),
    )  # fmt: skip
    assert "KernelDensity(bandwidth='scott')" in text
    assert "1. row 19: score" in text  # (customer 17: the file's row 19)
    report = json.loads(data.read_text())
    top = report["top"][0]
    assert top["row"] == 17 and top["features"][0]["name"] == "visits"
    assert top["features"][0]["value"] == "300"
    assert len(report["top"]) == 3


def test_outliers_with_a_one_class_svm(tmp_path):
    text = _run(
        "outliers", "--dataset", "wine", "--model", "ocsvm", "--nu", "0.1",
        "--rows", "2", "--cv", "3", "--out", str(tmp_path / "o.html"),
    )  # fmt: skip
    assert "OneClassSVM(nu=0.1)" in text
    assert "decision boundary" in text
    assert text.count("(baseline ") == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["clusters", "--n-clusters", "1"], "expected an integer >= 2"),
        (["clusters", "--n-bootstrap", "3", "--cv", "3"], "not allowed with"),
        (["clusters", "--target", "x"], "unrecognized arguments: --target"),
        (["clusters", "--beta", "-1"], "expected auto or a number >= 0"),
        (["outliers", "--bandwidth", "0"], "expected scott, silverman or"),
        (["outliers", "--nu", "2"], "expected a fraction strictly between 0 and 1"),
        (["outliers", "--model", "iforest"], "invalid choice: 'iforest'"),
    ],
)
def test_bad_options_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv, out=io.StringIO())
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_usage_errors_exit_2_with_one_line(segments_csv, tmp_path, capsys):
    out = io.StringIO()
    argv = ["clusters", "--csv", str(segments_csv), "--n-clusters", "90"]
    assert main([*argv, "--out", str(tmp_path / "c.html")], out=out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--n-clusters 90: 80 rows are too few" in err
    argv = ["outliers", "--csv", str(segments_csv), "--drop", "nope"]
    assert main([*argv, "--out", str(tmp_path / "o.html")], out=out) == 2
    assert "--drop 'nope' is not a column" in capsys.readouterr().err
    argv = ["clusters", "--out", str(segments_csv), "--csv", str(segments_csv)]
    assert main(argv, out=out) == 2
    assert "would overwrite your data" in capsys.readouterr().err
