"""The skl-lrp command line tool."""

import io
import re
import subprocess
import sys

import numpy as np
import pytest

from skl_lrp._cli import main


def _run(*argv):
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def _sum_lines(text):
    """(sum of relevance, score) of every sample printed."""
    pattern = r"sum of relevance\s+([-+0-9.]+)\s+\(score ([-+0-9.]+)"
    return [(float(a), float(b)) for a, b in re.findall(pattern, text)]


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
    assert text.startswith("skl-lrp explain: wine (178 samples, 13 features)")
    assert "test accuracy" in text
    sums = _sum_lines(text)
    assert len(sums) == 2
    for total, score in sums:
        assert total == pytest.approx(score, abs=1e-4)
    assert "(10 other features)" in text
    gap = float(re.search(r"max \|sum of relevance - score\| = (\S+)", text).group(1))
    assert gap < 1e-10


def test_explain_csv_regression_and_classification(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    path = tmp_path / "data.csv"
    lines = ["a,b,c,y"] + [f"{r[0]},{r[1]},{r[2]},{r[0] - 2 * r[1]}" for r in X]
    path.write_text("\n".join(lines))
    text = _run(
        "explain",
        "--csv",
        str(path),
        "--target",
        "y",
        "--samples",
        "1",
        "--max-iter",
        "50",
    )
    assert "test R^2" in text and "regression" in text
    assert len(_sum_lines(text)) == 1

    lines = ["a,b,c,label"] + [
        f"{r[0]},{r[1]},{r[2]},{'up' if r[0] > 0 else 'down'}" for r in X
    ]
    path.write_text("\n".join(lines))
    text = _run("explain", "--csv", str(path), "--target", "label", "--max-iter", "50")
    assert re.search(r"predicted '(up|down)'", text)


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["explain", "--csv", "missing.csv", "--target", "y"],
            "cannot read missing.csv",
        ),
        (["explain", "--csv", "{csv}"], "--csv needs --target COLUMN"),
        (["explain", "--csv", "{csv}", "--target", "zz"], "'zz' is not a column"),
        (["explain", "--csv", "{bad}", "--target", "y"], "column 'a' of .* line 3"),
        (["explain", "--target", "y"], "--target goes with --csv"),
    ],
)
def test_explain_errors(tmp_path, argv, message):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("a,y\n1,2\n3,4\n")
    bad.write_text("a,y\n1,2\nred,4\n")
    argv = [arg.format(csv=good, bad=bad) for arg in argv]
    with pytest.raises(SystemExit, match=message):
        main(argv, out=io.StringIO())


def test_bad_hidden_sizes(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "--hidden", "32,x"])
    assert "positive layer widths" in capsys.readouterr().err


def test_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "skl_lrp", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "explain" in result.stdout
