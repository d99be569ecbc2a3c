"""Every bad command line flag and file: one test per row of the "Command
line" table in docs/errors.rst (the test checks the table and these cases
name the same rows).

Each case checks the exit code, that standard error names the flag or the
column at fault with a specific message, and that it holds no traceback.
"""

import io
import json
import pickle
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from skl_lrp import _cli
from skl_lrp._cli import _dump_json, main

ROOT = Path(__file__).resolve().parents[1]


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode()


def _rows(header, make, n=40):
    return _csv(header, *(make(i) for i in range(n)))


# The data files the cases use, by name: bytes written to tmp_path.
FILES = {
    "good.csv": _rows("a,b,y", lambda i: f"{i},{i % 3},{i % 2}"),
    "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin1.csv": "caf\xe9,y\n1,0\n2,1\n".encode("latin-1"),
    "zero.csv": b"",
    "header_only.csv": b"a,b,y\n",
    "wide_row.csv": _csv("a,y", "1,0", "2,1,7", "3,0"),
    "short_header.csv": _csv("a,y", "1,0,5", "2,1,6"),
    "unnamed.csv": _csv("a,,y", "1,2,0", "3,4,1"),
    "repeated.csv": _csv("a,a,y", "1,2,0", "3,4,1"),
    "target_missing.csv": _rows("a,y", lambda i: f"{i},{'' if i == 5 else i % 2}"),
    "one_class.csv": _rows("a,y", lambda i: f"{i},1"),
    "text_target.csv": _rows("a,y", lambda i: f"{i},{'xyz'[i % 3]}"),
    "huge_target.csv": _rows("a,y", lambda i: f"{i},{(i + 1) * 1e298:.3g}"),
    "huge_column.csv": _rows("a,big,y", lambda i: f"{i},{(i + 1) * 1e198:.3g},{i % 2}"),
    "inf_column.csv": _rows("a,b,y", lambda i: f"{i},{'inf' if i == 3 else i},{i % 2}"),
    "empty_column.csv": _rows("a,e,y", lambda i: f"{i},NA,{i % 2}"),
    "dates.csv": _rows("a,signup,y", lambda i: f"{i},2021-03-{i % 28 + 1:02d},{i % 2}"),
    "rare_class.csv": _rows("a,y", lambda i: f"{i},{'rare' if i < 2 else i % 2}"),
    "single_row_class.csv": _rows(
        "a,y", lambda i: f"{i},{'solo' if i == 0 else i % 2}"
    ),
    "many_classes.csv": _rows("a,y", lambda i: f"{i},{'abcdefgh'[i % 8]}", n=24),
    "tiny.csv": _rows("a,y", lambda i: f"{i},{i % 2}", n=4),
    "bad_cells.csv": _rows(
        "price,y",
        lambda i: f"{ {7: '12.5 EUR', 20: 'n.a.'}.get(i, i + 0.5) },{i % 2}",
    ),
    "bad_target.csv": _rows("a,y", lambda i: f"{i},{'?!' if i == 9 else i * 1.5}"),
    "comma_numbers.csv": _rows("a;y", lambda i: f"{i},5;{i % 2}"),
    "comma_quoted.csv": _rows("a,y", lambda i: f'"{i},5",{i % 2}'),
    "mixed_marks.csv": _rows("a;b;y", lambda i: f"{i},5;{i}.5;{i % 2}"),
    "data.parquet": b"PAR1 not really",
    "a_file": b"x",
}


def _saved_explainer(dump, second="b"):
    """A fitted explainer of a linear model on columns a and `second`, as
    bytes."""
    import pandas as pd
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression

    from skl_lrp import RelevanceExplainer

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], second: [1.0, 0.0, 1.0, 0.0]})
    model = LinearRegression().fit(X, [0.0, 1.0, 3.0, 2.0])
    return dump(RelevanceExplainer(FrozenEstimator(model)).fit(X))


FILES["explainer.pkl"] = _saved_explainer(pickle.dumps)
FILES["rows.csv"] = _csv("a,b", "1,2", "3,4")
FILES["rows_without_b.csv"] = _csv("a,c", "1,2", "3,4")
try:
    import skops.io as sio
except ImportError:  # (only the cases that load this file need skops)
    pass
else:
    FILES["explainer.skops"] = _saved_explainer(sio.dumps)
    FILES["explainer_score.skops"] = _saved_explainer(sio.dumps, second="score")
FILES["rows_score.csv"] = _csv("a,score", "1,2", "3,4")


def _stream(explainer="{explainer.skops}", source="{rows.csv}", output="{tmp}/out.csv"):
    """argv of ``explain --explainer`` over a file."""
    return ["explain", "--explainer", explainer, "--input", source, "--output", output]


# case (as in docs/errors.rst) -> (argv, exit code, message on stderr).
# "{name}" in argv is the path of FILES[name]; "{tmp}" the test's folder.
CASES = {
    "``--csv`` file does not exist": (
        ["report", "--csv", "{tmp}/nope.csv", "--target", "y"],
        2,
        r"--csv \S+nope.csv: no such file",
    ),
    "``--csv`` is a folder": (
        ["report", "--csv", "{tmp}", "--target", "y"],
        2,
        r"--csv \S+: cannot read it: Is a directory",
    ),
    "``--csv`` is a binary file": (
        ["explain", "--csv", "{binary.csv}", "--target", "y"],
        2,
        r"--csv \S+ looks like a binary file \(it holds NUL bytes\)",
    ),
    "``--csv`` is not UTF-8": (
        ["report", "--csv", "{latin1.csv}", "--target", "y"],
        2,
        r"--csv \S+ is not UTF-8 text .*save it as UTF-8 CSV",
    ),
    "``--csv`` is empty (0 bytes)": (
        ["report", "--csv", "{zero.csv}", "--target", "y"],
        2,
        r"--csv \S+ is empty \(0 bytes\); it needs a header row",
    ),
    "``--csv`` has a header row only": (
        ["explain", "--csv", "{header_only.csv}", "--target", "y"],
        2,
        r"--csv \S+ has a header row but no data rows",
    ),
    "a row has more or fewer fields than the header": (
        ["report", "--csv", "{wide_row.csv}", "--target", "y"],
        2,
        r"--csv \S+: row 3 has 3 fields where the header row names 2 columns "
        r"\(the header is row 1\)",
    ),
    "the header names fewer columns than the rows have (wrong-length names)": (
        ["explain", "--csv", "{short_header.csv}", "--target", "y"],
        2,
        r"row 2 has 3 fields where the header row names 2 columns",
    ),
    "a column without a name": (
        ["report", "--csv", "{unnamed.csv}", "--target", "y"],
        2,
        r"has a column without a name in its header",
    ),
    "repeated column names": (
        ["report", "--csv", "{repeated.csv}", "--target", "y"],
        2,
        r"repeated column names: 'a'; rename them",
    ),
    "``--csv`` without ``--target``": (
        ["report", "--csv", "{good.csv}"],
        2,
        r"--csv needs --target COLUMN",
    ),
    "``--target`` is not a column": (
        ["explain", "--csv", "{good.csv}", "--target", "zz"],
        2,
        r"--target 'zz' is not a column of \S+; columns: 'a', 'b', 'y'",
    ),
    "``--target`` with a built-in ``--dataset``": (
        ["report", "--target", "y"],
        2,
        r"--target goes with --csv or --parquet",
    ),
    "the target has missing cells": (
        ["report", "--csv", "{target_missing.csv}", "--target", "y"],
        2,
        r"the --target column 'y' has missing cells \(row 7\)",
    ),
    "the target has a single class": (
        ["explain", "--csv", "{one_class.csv}", "--target", "y"],
        2,
        r"the target has a single class \('1'\)",
    ),
    "``--task regression`` on a text target": (
        [
            "report",
            "--csv",
            "{text_target.csv}",
            "--target",
            "y",
            "--task",
            "regression",
        ],
        2,
        r"--task regression needs a numeric --target; 'y' has non-numeric "
        r"values such as 'x'",
    ),
    "a regression target beyond 1e100 (report)": (
        ["report", "--csv", "{huge_target.csv}", "--target", "y"],
        2,
        r"the --target column 'y' has values as large as 4e\+299.*rescale the target",
    ),
    "a regression target beyond 1e100 (explain)": (
        ["explain", "--csv", "{huge_target.csv}", "--target", "y"],
        2,
        r"the --target column 'y' has values as large as 4e\+299.*rescale the target",
    ),
    "a feature column beyond 1e100 (report)": (
        ["report", "--csv", "{huge_column.csv}", "--target", "y"],
        2,
        r"column 'big' of \S+ has values as large as 4e\+199 \(row 41\).*"
        r"rescale the column",
    ),
    "a feature column beyond 1e100 (explain)": (
        ["explain", "--csv", "{huge_column.csv}", "--target", "y"],
        2,
        r"column 'big' of \S+ has values as large as 4e\+199 \(row 41\)",
    ),
    "an infinite value in a feature column": (
        ["report", "--csv", "{inf_column.csv}", "--target", "y"],
        2,
        r"column 'b' of \S+ has an infinite value \(row 5\)",
    ),
    "a feature column with no values": (
        ["report", "--csv", "{empty_column.csv}", "--target", "y"],
        2,
        r"column 'e' of \S+ has no values",
    ),
    "a column of dates": (
        ["explain", "--csv", "{dates.csv}", "--target", "y"],
        2,
        r"column 'signup' of \S+ holds dates or times \(e.g. '2021-03-01'\).*"
        r"leave it out \(--drop 'signup'\), or replace it with numbers",
    ),
    "a column of numbers with a few other cells": (
        ["report", "--csv", "{bad_cells.csv}", "--target", "y"],
        2,
        r"column 'price' of \S+bad_cells.csv holds numbers but for 2 cells: "
        r"'12.5 EUR' \(row 9\), 'n.a.' \(row 22\); correct them \(or leave them "
        r"empty if missing\), or pass --categorical 'price' to read the column as "
        r"categories",
    ),
    "a numeric target with a few other cells": (
        ["explain", "--csv", "{bad_target.csv}", "--target", "y"],
        2,
        r"the --target column 'y' holds numbers but for 1 cell: '\?!' \(row 11\); "
        r"correct it .*--categorical 'y'",
    ),
    "numbers written with the other decimal mark": (
        ["report", "--csv", "{comma_numbers.csv}", "--target", "y", "--decimal", "."],
        2,
        r"column 'a' of \S+ holds numbers written with a decimal comma \('0,5', "
        r"row 2\), not the decimal point the file is read with: pass --decimal ',', "
        r"or --categorical 'a' to read the column as categories",
    ),
    "a comma-separated file with decimal commas (quoted)": (
        ["report", "--csv", "{comma_quoted.csv}", "--target", "y"],
        2,
        r"column 'a' of \S+ holds numbers written with a decimal comma .*pass "
        r"--decimal ','",
    ),
    "decimal commas and decimal points in one file": (
        ["explain", "--csv", "{mixed_marks.csv}", "--target", "y"],
        2,
        r"--csv \S+ has numbers with a decimal comma \('0,5', row 2, column 'a'\) "
        r"and with a decimal point \('0.5', row 2, column 'b'\): say which is the "
        r"decimal mark with --decimal ',' or --decimal '.'",
    ),
    "``--sep`` not one character": (
        ["report", "--csv", "{good.csv}", "--target", "y", "--sep", "ab"],
        2,
        r"argument --sep: expected one character that is not a letter, a digit, "
        r"a point, a quote or a line break \(e.g. ';'\), or tab; got 'ab'",
    ),
    "``--sep`` or ``--decimal`` without ``--csv``": (
        ["report", "--parquet", "{data.parquet}", "--target", "y", "--decimal", ","],
        2,
        r"--decimal goes with --csv \(a Parquet file's columns are typed\)",
    ),
    "``--categorical`` is not a column": (
        ["report", "--csv", "{good.csv}", "--target", "y", "--categorical", "zz"],
        2,
        r"--categorical 'zz' is not a column of \S+; columns: 'a', 'b', 'y'",
    ),
    "``--categorical`` a column left out by ``--drop``": (
        ["report", "--csv", "{good.csv}", "--target", "y", "--drop", "a"]
        + ["--categorical", "a"],
        2,
        r"--categorical 'a' is left out by --drop",
    ),
    "``--categorical`` the target with ``--task regression``": (
        ["report", "--csv", "{good.csv}", "--target", "y", "--categorical", "y"]
        + ["--task", "regression"],
        2,
        r"--categorical 'y' reads the --target column as classes, which --task "
        r"regression contradicts",
    ),
    "``--categorical`` with a built-in ``--dataset``": (
        ["report", "--dataset", "iris", "--categorical", "a"],
        2,
        r"--categorical goes with --csv or --parquet",
    ),
    "``--drop`` is not a column": (
        ["report", "--csv", "{dates.csv}", "--target", "y", "--drop", "zz"],
        2,
        r"--drop 'zz' is not a column of \S+; columns: 'a', 'signup', 'y'",
    ),
    "``--drop`` the target": (
        ["explain", "--csv", "{dates.csv}", "--target", "y", "--drop", "y"],
        2,
        r"--drop 'y' is the --target column",
    ),
    "``--drop`` with a built-in ``--dataset``": (
        ["report", "--dataset", "iris", "--drop", "a"],
        2,
        r"--drop goes with --csv or --parquet",
    ),
    "a class has fewer rows than ``--cv`` folds (report)": (
        ["report", "--csv", "{rare_class.csv}", "--target", "y", "--cv", "3"],
        2,
        r"--cv 3: every training fold needs every class of the --target column, "
        r"and these have fewer rows than the 3 folds: rare; use --cv 2 or fewer",
    ),
    "a class has a single row (explain)": (
        ["explain", "--csv", "{single_row_class.csv}", "--target", "y"],
        2,
        r"the --target column has classes with a single row: solo",
    ),
    "``--test-size`` leaves a part without some class": (
        [
            "explain",
            "--csv",
            "{many_classes.csv}",
            "--target",
            "y",
            "--test-size",
            "0.1",
        ],
        2,
        r"--test-size 0.1 splits the 24 rows into 21 for training and 3 for "
        r"testing; each part needs every one of the 8 classes",
    ),
    "more ``--cv`` folds than rows": (
        ["report", "--csv", "{tiny.csv}", "--target", "y", "--cv", "9"],
        2,
        r"--cv 9: 4 rows are too few for 9 folds",
    ),
    "``--cv 1``": (["report", "--cv", "1"], 2, r"--cv needs at least 2 folds"),
    "``--task`` that is not the built-in dataset's": (
        ["explain", "--dataset", "iris", "--task", "regression"],
        2,
        r"--task regression: the iris dataset is a classification task",
    ),
    "``--seed -1``": (
        ["report", "--seed", "-1"],
        2,
        r"argument --seed/--random-state: expected an integer from 0 to "
        r"4294967295 \(2\*\*32-1\); got '-1'",
    ),
    "``--seed 2**40``": (
        ["explain", "--seed", str(2**40)],
        2,
        r"argument --seed/--random-state: expected an integer from 0 to "
        r"4294967295 \(2\*\*32-1\); got '1099511627776'",
    ),
    "``--hidden-layers`` not a list of positive widths": (
        ["report", "--hidden-layers", "32,x"],
        2,
        r"argument --hidden-layers/--hidden: expected positive layer widths",
    ),
    "``--n-jobs 0``": (
        ["report", "--n-jobs", "0"],
        2,
        r"argument --n-jobs: expected a number of jobs \(1, 2, ... or -1",
    ),
    "``--max-iter``, ``--cv``, ``--top``, ``--samples`` not positive": (
        ["explain", "--samples", "0"],
        2,
        r"argument --samples: expected a positive integer; got '0'",
    ),
    "``--test-size`` not strictly between 0 and 1": (
        ["explain", "--test-size", "1.5"],
        2,
        r"argument --test-size: expected a fraction strictly between 0 and 1",
    ),
    "a name that is not a choice (``--dataset``, ``--rules``, ``--bounds``, "
    "``--task``)": (
        ["report", "--rules", "magic"],
        2,
        r"argument --rules: invalid choice: 'magic'",
    ),
    "two data sources (``--csv`` with ``--dataset`` or ``--parquet``)": (
        ["report", "--csv", "{good.csv}", "--dataset", "iris"],
        2,
        r"argument --dataset: not allowed with argument --csv",
    ),
    "``--n-clusters`` below 2, ``--n-bootstrap`` or ``--cv`` below 2": (
        ["clusters", "--n-clusters", "1"],
        2,
        r"argument --n-clusters: expected an integer >= 2; got '1'",
    ),
    "``--n-clusters`` not below the number of rows": (
        ["clusters", "--dataset", "iris", "--n-clusters", "150"],
        2,
        r"--n-clusters 150: 150 rows are too few; use fewer clusters",
    ),
    "both ``--n-bootstrap`` and ``--cv``": (
        ["clusters", "--n-bootstrap", "3", "--cv", "3"],
        2,
        r"argument --cv: not allowed with argument --n-bootstrap",
    ),
    "``--target`` given to ``clusters`` or ``outliers``": (
        ["outliers", "--target", "y"],
        2,
        r"unrecognized arguments: --target y",
    ),
    "``--beta`` negative or not a number": (
        ["clusters", "--beta", "-1"],
        2,
        r"argument --beta: expected auto or a number >= 0 \(inf: the nearest only\)",
    ),
    "``--bandwidth`` not positive, ``--nu`` outside (0, 1)": (
        ["outliers", "--bandwidth", "0"],
        2,
        r"argument --bandwidth: expected scott, silverman or a positive number",
    ),
    "an unknown option": (
        ["explain", "--frobnicate"],
        2,
        r"unrecognized arguments: --frobnicate",
    ),
    "``--out`` or ``--json`` in a folder that does not exist": (
        ["report", "--out", "{tmp}/no/such/r.html"],
        2,
        r"--out \S+/no/such/r.html: the folder \S+/no/such does not exist",
    ),
    "``--out`` or ``--json`` under a file": (
        ["explain", "--json", "{a_file}/r.json"],
        2,
        r"--json \S+/a_file/r.json: \S+/a_file is a file, not a folder",
    ),
    "``--out`` or ``--json`` is a folder": (
        ["report", "--json", "{tmp}"],
        2,
        r"--json \S+ is a folder; give a file path",
    ),
    "``--out`` or ``--json`` not writable": (
        ["report", "--out", "{tmp}/locked.html"],
        2,
        r"--out \S+/locked.html: cannot write it: Permission denied",
    ),
    "``--out`` and ``--json`` the same file": (
        ["report", "--out", "{tmp}/r.txt", "--json", "{tmp}/../{tmp_name}/r.txt"],
        2,
        r"--out and --json name the same file: \S+/r.txt",
    ),
    "``--out`` or ``--json`` is the data file": (
        ["explain", "--csv", "{good.csv}", "--target", "y", "--out", "{good.csv}"],
        2,
        r"--out \S+good.csv is the --csv file: writing it would overwrite your data",
    ),
    "``--parquet`` without pandas installed": (
        ["report", "--parquet", "{data.parquet}", "--target", "y"],
        2,
        r"--parquet needs pandas to read the file: pip install \"skl_lrp\[cli\]\"",
    ),
    "``--parquet`` that cannot be read": (
        ["report", "--parquet", "{data.parquet}", "--target", "y"],
        2,
        r"--parquet (needs pyarrow|\S+: cannot read it)",
    ),
    "``--explainer`` without ``--input`` or ``--output``": (
        ["explain", "--explainer", "{explainer.skops}", "--input", "{rows.csv}"],
        2,
        r"--explainer needs --output PATH",
    ),
    "``--input``, ``--output``, ``--chunk-rows`` or ``--allow-pickle`` without "
    "``--explainer``": (
        ["explain", "--csv", "{good.csv}", "--target", "y", "--chunk-rows", "10"],
        2,
        r"--chunk-rows goes with --explainer FILE \(a saved explainer over a "
        r"file\); without it, explain trains on --csv or --parquet",
    ),
    "a training option with ``--explainer`` (``--target``, ``--drop``, "
    "``--rules``, ``--seed``, ...)": (
        [*_stream(), "--drop", "a"],
        2,
        r"--drop does not apply to explain --explainer, which runs the saved "
        r"explainer as it was fitted \(its options: --input, --output, "
        r"--chunk-rows, --allow-pickle, and --sep and --decimal for a CSV "
        r"--input\); leave it out",
    ),
    "``--sep`` or ``--decimal`` with a Parquet ``--input``": (
        [*_stream(source="{data.parquet}"), "--sep", ";"],
        2,
        r"--sep goes with a CSV --input \(a Parquet file's columns are typed\)",
    ),
    "``--explainer`` or ``--input`` file does not exist": (
        _stream(explainer="{tmp}/no.skops"),
        2,
        r"--explainer \S+no.skops: no such file",
    ),
    "``--input`` or ``--output`` neither .parquet nor .csv": (
        _stream(output="{tmp}/out.xlsx"),
        2,
        r"--output \S+out.xlsx: expected a .parquet or .csv file",
    ),
    "``--output`` is the ``--input`` file": (
        _stream(output="{rows.csv}"),
        2,
        r"--output is the --input file: it would overwrite your data",
    ),
    "``--output`` in a folder that does not exist": (
        _stream(output="{tmp}/no/such/out.csv"),
        2,
        r"--output \S+out.csv: the folder \S+ does not exist",
    ),
    "``--explainer`` a pickle file without ``--allow-pickle``": (
        _stream(explainer="{explainer.pkl}"),
        2,
        r"is not a .skops file. Loading a pickle or joblib file runs code stored "
        r"in it.*--allow-pickle",
    ),
    "``--input`` lacks a column the explainer was fitted on": (
        _stream(source="{rows_without_b.csv}"),
        2,
        r"lacks the column\(s\) \['b'\] that the explainer was fitted on",
    ),
    "the explainer has a column named like an output column": (
        _stream(explainer="{explainer_score.skops}", source="{rows_score.csv}"),
        2,
        r"The explainer's features include \['score'\], the names of the output's "
        r"own columns \(row, target, score, baseline, absorbed\); rename them",
    ),
    "an unexpected failure": (
        ["report", "--csv", "{good.csv}", "--target", "y"],
        1,
        r"error: RuntimeError: boom \(this is a bug or an unforeseen input: "
        r"set SKL_LRP_TRACEBACK=1 to see where\)",
    ),
}


def _doc_rows():
    """The cases of the "Command line" table of docs/errors.rst."""
    text = (ROOT / "docs" / "errors.rst").read_text()
    section = text.split("\nCommand line\n", 1)[1]
    return re.findall(r"^   \* - (.+)$", section, flags=re.M)[1:]  # no header


def test_every_documented_case_has_a_test():
    rows = _doc_rows()
    tested = set(CASES) | set(OTHER_ROWS)
    assert [row for row in rows if row not in tested] == []
    assert [case for case in tested if case not in rows] == []


# Rows of the table tested elsewhere (not one-line errors).
OTHER_ROWS = {
    "Ctrl-C while ``report`` runs": "tests/test_cli_signals.py",
    "user text with control characters (names, labels, paths)": (
        "test_user_text_is_shown_literally"
    ),
    "output piped to a reader that stops (``| head``)": (
        "test_closed_pipe_keeps_the_work_going"
    ),
    "a result that is not a finite number (JSON)": "test_json_has_no_nan_tokens",
}


def _status(argv, capsys):
    try:
        code = main(argv, out=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("case", list(CASES))
def test_cli_error(case, tmp_path, capsys, monkeypatch):
    argv, code, message = CASES[case]
    if any(".skops}" in arg for arg in argv):
        pytest.importorskip("skops.io")
    paths = {name: tmp_path / name for name in FILES}
    for name, data in FILES.items():
        paths[name].write_bytes(data)
    paths["tmp"], paths["tmp_name"] = tmp_path, tmp_path.name
    argv = [
        re.sub(r"\{([^}]+)\}", lambda m: str(paths[m.group(1)]), arg) for arg in argv
    ]
    if case == "``--out`` or ``--json`` not writable":

        def locked(path, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(_cli, "open", locked, raising=False)
    if case == "``--parquet`` without pandas installed":
        monkeypatch.setitem(sys.modules, "pandas", None)
    if case == "an unexpected failure":

        def boom(*args, **kwargs):
            raise RuntimeError("boom\nsecond line")

        monkeypatch.setattr(_cli, "load", boom)
    got, err = _status(argv, capsys)
    assert got == code, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"skl-lrp {argv[0]}: error: "), err
    assert re.search(message, last), (message, last)
    if not re.search(r"error: (argument|unrecognized)", last):  # not argparse
        assert len(err.strip().splitlines()) == 1, err


def test_user_text_is_shown_literally(tmp_path):
    """Control characters in names, labels and values are escaped on the
    terminal; the files keep the text as it is."""
    evil = "\x1b[31mred\x1b[0m"
    tab, bell = "b\tc", "n\x07o"
    rows = [f'"{evil}",x,y'] + [
        f"{i % 5},{'a' if i % 3 else tab},{'yes' if i % 2 else bell}" for i in range(40)
    ]
    path = tmp_path / "evil.csv"
    path.write_text("\n".join(rows) + "\n")
    out = io.StringIO()
    js = tmp_path / "e.json"
    argv = ["explain", "--csv", str(path), "--target", "y", "--max-iter", "30"]
    assert main([*argv, "--samples", "5", "--json", str(js)], out=out) == 0
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\t" not in text
    assert "1 numeric: \\x1b[31mred\\x1b[0m; 1 categorical: x" in text
    assert re.search(r"predicted '(yes|n\\\\x07o)'", text)
    assert json.loads(js.read_text())["feature_names"][0] == evil


def test_closed_pipe_keeps_the_work_going(tmp_path):
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    html = tmp_path / "r.html"
    argv = ["report", "--dataset", "iris", "--cv", "2", "--max-iter", "20"]
    assert main([*argv, "--out", str(html)], out=Closed()) == 0
    assert html.stat().st_size > 0


def test_json_has_no_nan_tokens(tmp_path):
    def refuse(token):
        raise ValueError(f"JSON token {token}")

    handle = io.StringIO()
    _dump_json({"a": [1.0, np.nan], "b": {"c": np.float64(np.inf)}, "d": 2}, handle)
    data = json.loads(handle.getvalue(), parse_constant=refuse)
    assert data["a"] == [1.0, None] and data["b"] == {"c": None} and data["d"] == 2
    assert data["non_finite"]["values"] == [
        {"path": "a[1]", "value": "not a number"},
        {"path": "b.c", "value": "positive infinite"},
    ]
    assert "null" in data["non_finite"]["note"]
    # A real report, regression: every number finite or null.
    js = tmp_path / "r.json"
    argv = ["report", "--dataset", "diabetes", "--cv", "2", "--max-iter", "20"]
    argv += ["--n-repeats", "1", "--out", str(tmp_path / "r.html")]
    assert main([*argv, "--json", str(js)], out=io.StringIO()) == 0
    json.loads(js.read_text(), parse_constant=refuse)


@pytest.mark.parametrize(
    "option",
    [
        ["--target", "y"],
        ["--dataset", "breast_cancer"],  # the default, given: refused all the same
        ["--seed", "0"],
        ["--random-state", "3"],
        ["--hidden", "3"],
        ["--rules", "epsilon"],
        ["--task", "regression"],
        ["--max-iter", "5"],
        ["--test-size", "0.5"],
        ["--samples", "2"],
        ["--json", "x.json"],
        ["--drop", "a", "--drop", "b"],
        ["--csv", "x.csv"],
    ],
)
def test_streaming_refuses_every_training_option(option, tmp_path, capsys):
    pytest.importorskip("skops.io")
    explainer, rows = tmp_path / "e.skops", tmp_path / "rows.csv"
    explainer.write_bytes(FILES["explainer.skops"])
    rows.write_bytes(FILES["rows.csv"])
    argv = _stream(str(explainer), str(rows), str(tmp_path / "out.csv"))
    code, err = _status([*argv, *option], capsys)
    shown = {"--random-state": "--seed", "--hidden": "--hidden-layers"}
    assert code == 2, err
    assert err.strip() == (
        f"skl-lrp explain: error: {shown.get(option[0], option[0])} does not apply "
        "to explain --explainer, which runs the saved explainer as it was fitted "
        "(its options: --input, --output, --chunk-rows, --allow-pickle, and --sep "
        "and --decimal for a CSV --input); leave it out"
    )
    assert not (tmp_path / "out.csv").exists()
    # The streaming options alone still work.
    assert _status([*argv, "--chunk-rows", "1"], capsys)[0] == 0
