"""The skl-lrp command line tool."""

import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import HtmlTags

from skl_lrp._cli import main


def _run(*argv):
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def _sum_lines(text):
    """(sum of relevance, score) of every sample printed."""
    pattern = r"sum of relevance\s+([-+][0-9.]+)\s+\(score ([-+][0-9.]+)"
    return [(float(a), float(b)) for a, b in re.findall(pattern, text)]


def _write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def mixed_csv(tmp_path):
    rng = np.random.RandomState(0)
    rows = []
    for _ in range(120):
        age, city = rng.normal(40, 10), rng.choice(["paris", "lyon", "nice"])
        churn = "yes" if (age > 40) ^ (city == "nice") else "no"
        rows.append(
            [
                "" if rng.rand() < 0.05 else f"{age:.1f}",
                city,
                f"{rng.lognormal(3, 1):.2f}",
                churn,
            ]
        )
    return _write_csv(tmp_path / "mixed.csv", ["age", "city", "income", "churn"], rows)


def test_explain_builtin_classification():
    text = _run(
        "explain",
        "--dataset",
        "wine",
        "--samples",
        "2",
        "--top",
        "3",
        "--max-iter",
        "200",
    )
    assert text.startswith("skl-lrp explain: wine (178 rows, 13 columns)")
    assert "test accuracy" in text
    sums = _sum_lines(text)
    assert len(sums) == 2
    for total, score in sums:
        assert total == pytest.approx(score, abs=1e-4)
    assert "(10 other features)" in text
    found = re.search(r"max \|sum of relevance - \(score - baseline\)\| = (\S+)", text)
    gap = float(found.group(1))
    assert gap < 1e-10


def test_explain_csv_with_mixed_columns(mixed_csv):
    text = _run(
        "explain",
        "--csv",
        str(mixed_csv),
        "--target",
        "churn",
        "--max-iter",
        "100",
        "--samples",
        "2",
    )
    assert re.search(r"predicted '(yes|no)'", text)
    assert "city" in text
    for total, score in _sum_lines(text):
        assert total == pytest.approx(score, abs=1e-4)


def test_csv_is_read_without_pandas(mixed_csv):
    argv = ["explain", "--csv", str(mixed_csv), "--target", "churn", "--max-iter"]
    argv += ["30", "--samples", "2"]
    # A fresh interpreter in which `import pandas` fails, as if not installed.
    script = (
        "import importlib.abc, sys\n"
        "class NoPandas(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'pandas':\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, NoPandas())\n"
        "from skl_lrp._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == _run(*argv)


def test_report_on_the_default_dataset_writes_html_and_json(tmp_path):
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    text = _run(
        "report",
        "--cv",
        "3",
        "--max-iter",
        "200",
        "--out",
        str(html),
        "--json",
        str(js),
    )
    assert text.startswith("skl-lrp report: breast_cancer (569 rows, 30 columns)")
    assert "3-fold accuracy" in text
    table = re.findall(r"^\s+\d+\s+(.+?)\s{2,}[0-9.]+\s", text, flags=re.M)
    data = json.loads(js.read_text())
    assert [f["name"] for f in data["features"][: len(table)]] == table
    assert len(data["fold_scores"]) == 3
    assert html.read_text().count("data:image/png;base64,") >= 4  # the figures


def test_report_csv_regression(mixed_csv, tmp_path):
    text = _run(
        "report",
        "--csv",
        str(mixed_csv),
        "--target",
        "income",
        "--task",
        "regression",
        "--cv",
        "2",
        "--max-iter",
        "50",
        "--n-repeats",
        "0",
        "--out",
        str(tmp_path / "r.html"),
    )
    assert "2-fold R^2" in text
    # The income column is noise: no better than predicting the mean.
    assert re.search(r"^warning: The model's mean held-out score", text, flags=re.M)
    assert re.search(r"^warning: The network stopped at max_iter", text, flags=re.M)
    assert "perm. imp." not in text and "agreement with permutation" not in text


_ROW = re.compile(
    r"^\s+(\d+)  (.+?)\s{2,}([0-9.]+)\s+[0-9.]+\s+\[.*?\]\s+\d+%"
    r"\s+([-+0-9.]+)\s+(\d+)(  !)?$"
)


def test_report_prints_warnings_and_permutation_importance(tmp_path):
    rng = np.random.RandomState(0)
    rows = [
        [f"c{i:03d}", f"{v:.3f}", f"{w:.3f}", "yes" if v > 0 else "no"]
        for i, (v, w) in enumerate(rng.normal(size=(80, 2)))
    ]
    path = _write_csv(tmp_path / "ids.csv", ["customer", "x", "noise", "y"], rows)
    js = tmp_path / "r.json"
    text = _run(
        "report",
        "--csv",
        str(path),
        "--target",
        "y",
        "--cv",
        "2",
        "--max-iter",
        "100",
        "--out",
        str(tmp_path / "r.html"),
        "--json",
        str(js),
    )
    lines = text.splitlines()
    data = json.loads(js.read_text())
    header = next(i for i, line in enumerate(lines) if line.startswith("rank  feature"))
    printed = [line for line in lines if line.startswith("warning: ")]
    # One line per warning, after the header lines and before the table.
    assert printed == [f"warning: {w['message']}" for w in data["warnings"]]
    stability = next(i for i, line in enumerate(lines) if "rank stability" in line)
    end = stability + 1 + len(printed)
    assert lines[stability + 1 : end] == printed and header == end + 1
    assert any(
        "'customer' is a categorical column with 80 distinct values in 80 rows" in line
        for line in printed
    )
    assert "agreement with permutation importance: Spearman" in lines[stability]
    assert "2-fold accuracy" in lines[stability - 1]
    assert "(trivial baseline 0." in lines[stability - 1]
    assert "perm. imp." in lines[header] and "p-rank" in lines[header]
    table = [_ROW.match(line) for line in lines[header + 1 : header + 4]]
    assert all(table), lines[header + 1 : header + 4]
    for match, feature in zip(table, data["features"]):
        assert match.group(2) == feature["name"]
        importance = feature["permutation_importance_mean"]
        assert float(match.group(4)) == pytest.approx(importance, abs=1e-4)
        assert int(match.group(5)) == feature["permutation_rank"]
        assert bool(match.group(6)) == feature["flagged"]
    (customer,) = [row for row in data["features"] if row["name"] == "customer"]
    assert customer["flagged"]
    assert "!: named in a warning above" in lines[header + 4]


def test_report_escapes_user_text(tmp_path):
    evil = "<script>alert(1)</script>"
    rng = np.random.RandomState(0)
    rows = [
        [f"{v:.3f}", f"{w:.3f}", "a" if v > 0 else "<b>b</b>"]
        for v, w in rng.normal(size=(60, 2))
    ]
    path = _write_csv(tmp_path / "evil.csv", [evil, "x", "label"], rows)
    out = tmp_path / "r.html"
    _run(
        "report",
        "--csv",
        str(path),
        "--target",
        "label",
        "--cv",
        "2",
        "--max-iter",
        "50",
        "--out",
        str(out),
    )
    page = out.read_text()
    parser = HtmlTags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--csv", "missing.csv", "--target", "y"], "--csv missing.csv: no such file"),
        (["--csv", "{binary}", "--target", "y"], "looks like a binary file"),
        (["--csv", "{good}"], "--csv needs --target COLUMN"),
        (["--csv", "{good}", "--target", "zz"], "'zz' is not a column"),
        (["--csv", "{one_class}", "--target", "y"], "single class"),
        (["--csv", "{good}", "--target", "y", "--cv", "9"], "too few for 9"),
        (
            ["--csv", "{few}", "--target", "y"],
            "fewer rows than the 5 folds: 1; remove|classes with a single row: 1",
        ),
        (
            ["--csv", "{text}", "--target", "y", "--task", "regression"],
            "needs a numeric --target",
        ),
        (
            ["--csv", "{ragged}", "--target", "y"],
            "row 3 has 1 field where the header row names 2 columns",
        ),
        (["--target", "y"], "--target goes with --csv or --parquet"),
        (
            ["--csv", "{empty_column}", "--target", "y"],
            "column 'e' of .* has no values",
        ),
        (["--csv", "{repeated}", "--target", "y"], "repeated column names: 'a'"),
        (["--dataset", "iris", "--task", "regression"], "classification task, not"),
    ],
)
@pytest.mark.parametrize("command", ["report", "explain"])
def test_usage_errors_exit_2_with_one_line(tmp_path, capsys, command, argv, message):
    files = {
        "good": _write_csv(
            tmp_path / "good.csv", ["a", "y"], [[i, i % 2] for i in range(8)]
        ),
        "one_class": _write_csv(
            tmp_path / "one.csv", ["a", "y"], [[i, 1] for i in range(8)]
        ),
        "few": _write_csv(
            tmp_path / "few.csv", ["a", "y"], [[i, int(i == 0)] for i in range(12)]
        ),
        "text": _write_csv(
            tmp_path / "text.csv", ["a", "y"], [[i, "x"] for i in range(8)]
        ),
        "ragged": _write_csv(tmp_path / "ragged.csv", ["a", "y"], [[1, 2], [3]]),
        "empty_column": _write_csv(
            tmp_path / "empty.csv",
            ["a", "e", "y"],
            [[i, "NA", i % 2] for i in range(8)],
        ),
        "repeated": _write_csv(
            tmp_path / "repeated.csv",
            ["a", "a", "y"],
            [[i, i, i % 2] for i in range(8)],
        ),
    }
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00bad")
    files["binary"] = tmp_path / "binary.csv"
    argv = [arg.format(**files) for arg in argv]
    if command == "explain" and "--cv" in argv:
        pytest.skip("--cv is an option of report")
    assert main([command, *argv], out=io.StringIO()) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"skl-lrp {command}: error:")
    assert re.search(message, err[0])


def test_bad_option_values(capsys):
    with pytest.raises(SystemExit) as info:
        main(["explain", "--hidden", "32,x"])
    assert info.value.code == 2
    assert "positive layer widths" in capsys.readouterr().err


def test_console_entry_point_exit_code(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skl_lrp",
            "report",
            "--csv",
            "nope.csv",
            "--target",
            "y",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_bad_number_of_jobs(capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--n-jobs", "0"])
    assert info.value.code == 2
    assert "number of jobs" in capsys.readouterr().err


def test_csv_dialects_missing_tokens_and_numeric_classes(tmp_path):
    rng = np.random.RandomState(0)
    lines = ["\ufeffage;city;note;label"]  # BOM, semicolons, quoted field
    for i in range(90):
        age = rng.normal(40, 10)
        city = rng.choice(["paris", "lyon"])
        label = "1" if age > 40 else ("0" if i % 2 else "0.0")  # 0 and 0.0
        cell = "NA" if i % 17 == 0 else f"{age:.1f}"
        lines.append(f'{cell};{city};"a; b";{label}')
    path = tmp_path / "semicolon.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    text = _run(
        "report",
        "--csv",
        str(path),
        "--target",
        "label",
        "--cv",
        "3",
        "--max-iter",
        "100",
        "--out",
        str(tmp_path / "r.html"),
    )
    assert "columns: 1 numeric: age; 2 categorical: city, note" in text
    assert "task: classification" in text
    data_classes = re.search(r"3-fold accuracy: ([0-9.]+)", text)
    assert data_classes and float(data_classes.group(1)) > 0.7


@pytest.mark.parametrize("command", ["explain", "report"])
def test_bounds_option_picks_the_root_point(command, tmp_path):
    extra = (
        ["--out", str(tmp_path / "r.html"), "--cv", "2"] if command == "report" else []
    )
    texts = {
        bounds: _run(
            command, "--dataset", "iris", "--max-iter", "50", "--bounds", bounds, *extra
        )
        for bounds in ("column-mean", "data")
    }
    assert "root point column-mean" in texts["column-mean"]
    assert "root point data" in texts["data"]
    # The same model, explained against another root point.
    assert texts["column-mean"] != texts["data"]
    default = _run(command, "--dataset", "iris", "--max-iter", "50", *extra)
    assert default == texts["column-mean"]


def test_the_output_says_what_the_relevance_means():
    text = _run("explain", "--dataset", "iris", "--max-iter", "50", "--samples", "1")
    flat = " ".join(text.split())
    assert "has the sign of the explained score" in flat
    assert "deviation from the average training sample" in flat
    text = _run("explain", "--dataset", "iris", "--max-iter", "50", "--bounds", "data")
    assert "corner of the training data's range" in " ".join(text.split())


def test_version(capsys):
    from skl_lrp import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"skl-lrp {__version__}"


def _options(command):
    from skl_lrp._cli import _parser

    _, commands = _parser()
    return {
        option: action
        for action in commands[command]._actions
        for option in action.option_strings
    }


def test_report_and_explain_share_their_options():
    report, explain = _options("report"), _options("explain")
    shared = [
        "--dataset", "--csv", "--parquet", "--target", "--task", "--rules",
        "--bounds", "--hidden-layers", "--max-iter", "--seed", "--n-jobs",
        "--out", "--json", "--top",
    ]  # fmt: skip
    for option in shared:
        assert option in report and option in explain, option
    for option in shared[:-3]:  # same meaning, same default
        assert report[option].default == explain[option].default, option
        assert report[option].help == explain[option].help, option
    assert report["--hidden-layers"].default == (64, 32)
    assert report["--seed"] is report["--random-state"]  # the old name still works
    assert "--cv" in report and "--cv" not in explain


def test_explain_names_rows_as_in_the_file_and_writes_every_row(tmp_path):
    rng = np.random.RandomState(0)
    rows = [
        [f"{v:.3f}", rng.choice(["u", "v"]), int(v > 0)] for v in rng.normal(size=40)
    ]
    path = _write_csv(tmp_path / "d.csv", ["x", "kind", "y"], rows)
    table, js = tmp_path / "rel.csv", tmp_path / "rel.json"
    text = _run(
        "explain", "--csv", str(path), "--target", "y", "--max-iter", "50",
        "--samples", "2", "--rules", "epsilon", "--out", str(table), "--json",
        str(js),
    )  # fmt: skip
    assert "rules epsilon" in text
    named = re.findall(r"^row (\d+): predicted", text, flags=re.M)
    assert len(named) == 2
    data = json.loads(js.read_text())
    assert len(data["rows"]) == 10  # 25% of 40
    lines = path.read_text().splitlines()
    for number, row in zip(named, data["rows"]):
        assert row["row"] == f"row {number}"
        x = float(lines[int(number) - 1].split(",")[0])  # row 1 is the header
        assert f"{x:.4g}" in text
        assert len(row["relevance"]) == 2
    assert data["rules"] == "epsilon" and data["feature_names"] == ["x", "kind"]
    written = table.read_text().splitlines()
    assert written[0] == "row,target,score,baseline,x,kind"
    assert [line.split(",")[0] for line in written[1:]] == [
        row["row"] for row in data["rows"]
    ]
    assert f"written: {table}, {js}" in text


def test_builtin_rows_are_sample_positions():
    from sklearn.datasets import load_iris

    text = _run("explain", "--dataset", "iris", "--max-iter", "50", "--samples", "1")
    position, value = re.search(
        r"^sample (\d+): .*\n.*\n  petal width \(cm\)\s+(\S+)", text, flags=re.M
    ).groups()
    assert float(value) == load_iris().data[int(position), 3]


def test_column_kinds_are_all_listed(tmp_path):
    header = [f"column_{j}" for j in range(12)] + ["y"]
    rows = [[i * j % 7 for j in range(12)] + [i % 2] for i in range(30)]
    rows[3][11] = "NA"
    path = _write_csv(tmp_path / "wide.csv", header, rows)
    text = _run(
        "explain", "--csv", str(path), "--target", "y", "--max-iter", "5",
        "--samples", "1",
    )  # fmt: skip
    flat = " ".join(text.split())
    names = ", ".join(f"column_{j}" for j in range(12))
    assert f"columns: 12 numeric: {names}" in flat
    assert "..." not in text.split("Deep Taylor")[0]


def test_csv_missing_cells_and_delimiters(tmp_path):
    lines = ["a|b|y"] + [
        f"{'N/A' if i % 5 == 0 else i}|{['p', 'q', 'null', ''][i % 4]}|{i % 2}"
        for i in range(40)
    ]
    path = tmp_path / "pipes.csv"
    path.write_text("\n".join(lines) + "\n")
    text = _run(
        "explain", "--csv", str(path), "--target", "y", "--max-iter", "5",
        "--samples", "1",
    )  # fmt: skip
    assert "columns: 1 numeric: a; 1 categorical: b" in text


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    argv = ["report", "--dataset", "iris", "--cv", "2", "--max-iter", "20"]
    _run(*argv, "--out", "/dev/null")
    assert capsys.readouterr().err == ""  # not a terminal: nothing
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _run(*argv, "--out", "/dev/null")
    err = capsys.readouterr().err
    assert "folds: 100%" in err and "2/2" in err and "fold 2: score" in err


def test_one_blas_thread_per_job(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    from skl_lrp import _cli

    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("no BLAS library that threadpoolctl can see")
    seen = []

    def spy(args, out):
        seen.append(blas_threads())
        return 0

    monkeypatch.setattr(_cli, "_report_command", spy)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        assert main(["report"]) == 0
        assert seen[-1] == [1] * len(before)
        assert blas_threads() == before  # restored afterwards
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
        assert main(["report"]) == 0  # the user's choice is left alone
        assert seen[-1] == before


def test_parquet_columns_rows_and_dates(tmp_path, monkeypatch, capsys):
    """Parquet goes through pandas.read_parquet (stubbed: pyarrow may be
    missing): typed columns, rows named by the DataFrame's index."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "kind": pd.Categorical(rng.choice(["u", "v"], size=40)),
            "flag": rng.rand(40) > 0.5,
            "y": np.where(rng.rand(40) > 0.5, "yes", "no"),
        },
        index=[f"id{i}" for i in range(40)],
    )
    frame.loc["id3", "x"] = np.nan
    monkeypatch.setattr(pd, "read_parquet", lambda path: frame)
    path = tmp_path / "d.parquet"
    text = _run(
        "explain", "--parquet", str(path), "--target", "y", "--max-iter", "20",
        "--samples", "1",
    )  # fmt: skip
    assert "columns: 1 numeric: x; 2 categorical: kind, flag" in text
    assert re.search(r"^index id\d+: predicted '(yes|no)'", text, flags=re.M)
    dated = frame.assign(when=pd.date_range("2021-01-01", periods=40))
    monkeypatch.setattr(pd, "read_parquet", lambda path: dated)
    argv = ["report", "--parquet", str(path), "--target", "y"]
    assert main(argv, out=io.StringIO()) == 2
    assert "column 'when' of" in capsys.readouterr().err
    # Left out, the date column is not read at all.
    text = _run(
        "explain", "--parquet", str(path), "--target", "y", "--max-iter", "20",
        "--samples", "1", "--drop", "when",
    )  # fmt: skip
    assert "2 categorical: kind, flag; 1 left out: when" in text


def test_drop_leaves_columns_out(tmp_path):
    """--drop: the columns are not read (a date column among them), not
    trained on and not explained; the header says which were left out."""
    rng = np.random.RandomState(0)
    x = rng.normal(size=60)
    rows = [
        [f"{v:.4f}", f"ID{i}", f"2021-03-{i % 28 + 1:02d}", "yes" if v > 0 else "no"]
        for i, v in enumerate(x)
    ]
    path = tmp_path / "d.csv"
    _write_csv(path, ["x", "id", "signup", "y"], rows)
    js = tmp_path / "e.json"
    text = _run(
        "explain", "--csv", str(path), "--target", "y", "--max-iter", "30",
        "--drop", "signup", "--drop", "id", "--json", str(js),
    )  # fmt: skip
    assert "(60 rows, 1 column)" in text
    assert "columns: 1 numeric: x; 2 left out: signup, id" in text
    assert json.loads(js.read_text())["feature_names"] == ["x"]


def test_parquet_file(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    x = rng.normal(size=60)
    frame = pd.DataFrame(
        {
            "x": x,
            "kind": pd.Categorical(rng.choice(["u", "v", None], size=60)),
            "count": rng.randint(0, 5, size=60),
            "y": np.where(x > 0, "yes", "no"),
        },
        index=pd.RangeIndex(100, 160, name="id"),
    )
    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    text = _run(
        "report", "--parquet", str(path), "--target", "y", "--cv", "2",
        "--max-iter", "50", "--out", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert "(60 rows, 3 columns)" in text
    assert "columns: 2 numeric: x, count; 1 categorical: kind" in text
    text = _run(
        "explain", "--parquet", str(path), "--target", "y", "--max-iter", "50",
        "--samples", "1",
    )  # fmt: skip
    (label,) = re.findall(r"^index (\d+): predicted", text, flags=re.M)
    assert 100 <= int(label) < 160


def test_constant_columns_are_warned_about_everywhere(tmp_path):
    """A constant column (missing cells aside): a warning on the terminal,
    in the HTML page and in the JSON file, of report and of explain."""
    rows = [[i, "7" if i % 5 else "", "x", i % 2] for i in range(40)]
    path = _write_csv(tmp_path / "c.csv", ["a", "seven", "same", "y"], rows)
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    argv = ["--csv", str(path), "--target", "y", "--max-iter", "20"]
    text = _run("report", *argv, "--cv", "2", "--out", str(html), "--json", str(js))
    messages = {
        "seven": "warning: 'seven' holds the same value (7) in every filled row: it "
        "cannot tell rows apart",
        "same": "warning: 'same' holds the same value ('x') in every row: it cannot "
        "tell rows apart",
    }
    for message in messages.values():
        assert message in text
    found = {w["column"]: w for w in json.loads(js.read_text())["warnings"]}
    assert found["seven"]["kind"] == found["same"]["kind"] == "constant"
    assert "a" not in found or found["a"]["kind"] != "constant"
    page = html.read_text()
    assert "&#x27;seven&#x27; holds the same value (7)" in page
    explain_js = tmp_path / "e.json"
    text = _run("explain", *argv, "--json", str(explain_js))
    for message in messages.values():
        assert message in text
    kinds = [w["kind"] for w in json.loads(explain_js.read_text())["warnings"]]
    assert kinds == ["constant", "constant"]


def test_an_undefined_correlation_is_na_with_its_reason(tmp_path):
    """One feature: nothing to rank. "n/a" and why, never "nan"; JSON null
    beside the reason."""
    path = _write_csv(tmp_path / "one.csv", ["a", "y"], [[i, i % 2] for i in range(20)])
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    argv = ["report", "--csv", str(path), "--target", "y", "--max-iter", "20"]
    text = _run(*argv, "--cv", "2", "--out", str(html), "--json", str(js))
    reason = "a single feature: there is no ranking to compare"
    assert (
        f"rank stability across folds: n/a ({reason}); agreement with permutation "
        f"importance: n/a ({reason})"
    ) in text
    assert "nan" not in text.lower()
    data = json.loads(js.read_text())
    assert data["rank_spearman"] is None and data["rank_kendall"] is None
    assert data["importance_agreement"] is None
    assert (
        data["rank_agreement_reason"] == data["importance_agreement_reason"] == reason
    )
    assert f"Rank stability between folds: n/a ({reason})." in html.read_text()
    # Defined figures: numbers, and null reasons.
    two = _write_csv(
        tmp_path / "two.csv", ["a", "b", "y"], [[i, i % 3, i % 2] for i in range(20)]
    )
    argv[2] = str(two)
    _run(*argv, "--cv", "2", "--out", str(html), "--json", str(js))
    data = json.loads(js.read_text())
    assert isinstance(data["rank_spearman"], float)
    assert data["rank_agreement_reason"] is None


def _european(cell):
    """A cell as a German spreadsheet exports it: decimal comma."""
    return cell.replace(".", ",")


def test_semicolon_decimal_comma_table_gives_the_same_report_as_its_twin(tmp_path):
    """The separator and the decimal mark are detected: the same numbers,
    written the European way, give the very same report and explanations."""
    rng = np.random.RandomState(0)
    rows = []
    for i in range(80):
        size, rooms = rng.uniform(30, 150), rng.randint(1, 6)
        city = rng.choice(["Köln", "Berlin"])
        price = 2.5 * size + 30 * rooms + (80 if city == "Köln" else 0)
        missing = i % 13 == 0
        rows.append(["" if missing else f"{size:.1f}", rooms, city, f"{price:.2f}"])
    header = ["size", "rooms", "city", "price"]
    dot = _write_csv(tmp_path / "dot.csv", header, rows)
    comma = tmp_path / "comma.csv"
    comma.write_text(
        "\n".join(
            [";".join(header)]
            + [";".join(_european(str(cell)) for cell in row) for row in rows]
        )
        + "\n",
        encoding="utf-8",
    )
    assert "12" in comma.read_text() and ";" in comma.read_text()
    assert re.search(r"^\d+,\d;", comma.read_text().splitlines()[2])
    reports, texts = [], []
    for path in (dot, comma):
        js = tmp_path / f"{path.stem}.json"
        text = _run(
            "report", "--csv", str(path), "--target", "price", "--cv", "2",
            "--max-iter", "50", "--out", str(tmp_path / "r.html"), "--json", str(js),
        )  # fmt: skip
        data = json.loads(js.read_text())
        for timing in ("fit_times", "explain_times"):
            del data[timing]
        reports.append(data)
        texts.append(text)
    assert reports[0] == reports[1]
    assert reports[0]["settings"]["scoring"] and reports[0]["features"]
    assert (
        "task: regression; columns: 2 numeric: size, rooms; 1 categorical: city"
        in (texts[1])
    )
    assert (
        "read as: semicolon-separated, decimal comma (separator and decimal "
        in (texts[1])
    )
    assert (
        "read as: comma-separated, decimal point (separator and decimal " in (texts[0])
    )
    # explain: the same rows, values and relevance.
    outs = []
    for path in (dot, comma):
        out = tmp_path / f"{path.stem}.out.csv"
        _run("explain", "--csv", str(path), "--target", "price", "--max-iter", "50",
             "--out", str(out))  # fmt: skip
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    # Given instead of detected: the same again.
    js = tmp_path / "given.json"
    text = _run(
        "report", "--csv", str(comma), "--target", "price", "--cv", "2",
        "--max-iter", "50", "--out", str(tmp_path / "r.html"), "--json", str(js),
        "--sep", ";", "--decimal", ",",
    )  # fmt: skip
    assert "read as: semicolon-separated, decimal comma\n" in text
    given = json.loads(js.read_text())
    assert {k: v for k, v in given.items() if not k.endswith("_times")} == reports[0]


def test_categorical_reads_a_column_of_numbers_as_categories(tmp_path):
    """--categorical: a column refused for a few bad cells is read as
    categories, as is a column of codes."""
    rows = [
        [f"{i % 7 + 0.5}" if i != 5 else "12.5 EUR", f"{i % 3}", i % 2]
        for i in range(40)
    ]
    path = _write_csv(tmp_path / "c.csv", ["price", "code", "y"], rows)
    argv = ["explain", "--csv", str(path), "--target", "y", "--max-iter", "20"]
    assert main(argv, out=io.StringIO()) == 2
    text = _run(*argv, "--categorical", "price", "--categorical", "code")
    assert "columns: 2 categorical: price, code" in text


def test_one_other_feature_is_singular(tmp_path):
    rows = [[i, i % 3, i % 2] for i in range(30)]
    path = _write_csv(tmp_path / "two.csv", ["a", "b", "y"], rows)
    text = _run("explain", "--csv", str(path), "--target", "y", "--top", "1",
                "--max-iter", "20")  # fmt: skip
    assert "(1 other feature) " in text and "(1 other features)" not in text


def test_a_few_cells_in_the_other_decimal_mark_are_named(tmp_path, capsys):
    """One '2,5' among points: the bad cell is named, with a hint, rather
    than the whole column said to use decimal commas."""
    rows = [[f"{i}.5", i % 2] for i in range(30)] + [['"2,5"', 1]]
    path = _write_csv(tmp_path / "few.csv", ["a", "y"], rows)
    assert main(["explain", "--csv", str(path), "--target", "y"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "column 'a' of " + str(path) + " holds numbers but for 1 cell: '2,5' (row "
            "32); correct it (or leave it empty if missing); if ',' is the decimal "
            "mark, pass --decimal ',', or pass --categorical 'a' to read the column "
            "as categories"
        )
    )
