"""What the ``skl-lrp`` commands share: the types of their options, the
data options, the preprocessing before the model, and writing files.

:mod:`skl_lrp._cli` (``report``, ``explain``) and
:mod:`skl_lrp._cli_clusters` (``clusters``, ``outliers``) build on it.
"""

import argparse
import json
import math

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ._tables import DATASETS, UsageError, literal


def _to_float(X):
    return np.asarray(X, dtype=float)


def preprocessing(table):
    """The steps before the tool's model: impute, scale or one-hot encode.

    A column that is empty in the training rows (a fold's, say) is kept,
    imputed with 0, so that every fold's network has the same inputs and no
    part of the pipeline is left with no column at all.

    An all-numeric table goes without the ColumnTransformer, whose overhead
    on every predict (permutation importance calls it thousands of times)
    costs about a third of the report's time on digits.
    """
    if all(table.numeric):
        return [
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
        ]
    numeric = [j for j, is_number in enumerate(table.numeric) if is_number]
    categorical = [j for j, is_number in enumerate(table.numeric) if not is_number]
    parts = []
    if numeric:
        parts.append(
            (
                "num",
                make_pipeline(
                    FunctionTransformer(_to_float, feature_names_out="one-to-one"),
                    SimpleImputer(strategy="median", keep_empty_features=True),
                    StandardScaler(),
                ),
                numeric,
            )
        )
    if categorical:
        parts.append(
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent", keep_empty_features=True),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            )
        )
    return [ColumnTransformer(parts)]


def _separator(text):
    if text.lower() in ("tab", "\\t"):
        return "\t"
    if len(text) != 1 or text in '\r\n"' or text.isalnum() or text == ".":
        raise argparse.ArgumentTypeError(
            "expected one character that is not a letter, a digit, a point, a "
            f"quote or a line break (e.g. ';'), or tab; got {text!r}"
        )
    return text


def _int(text):
    try:
        return int(text)
    except ValueError:
        return None


def _positive_int(text):
    value = _int(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _non_negative_int(text):
    value = _int(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer; got {text!r}"
        )
    return value


def _nonzero_int(text):
    value = _int(text)
    if not value:
        raise argparse.ArgumentTypeError(
            f"expected a number of jobs (1, 2, ... or -1 for all cores); got {text!r}"
        )
    return value


SEED_MAX = 2**32 - 1  # numpy's RandomState takes seeds in 0 .. 2**32 - 1


def _seed(text):
    value = _int(text)
    if value is None or not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"expected an integer from 0 to {SEED_MAX} (2**32-1); got {text!r}"
        )
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a fraction strictly between 0 and 1; got {text!r}"
        )
    return value


def add_data_options(parser, supervised=True):
    """The data options: a built-in dataset, or a CSV or Parquet file, its
    columns left out or read as categories; with `supervised`, its target
    column and the task."""
    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="breast_cancer",
        help="built-in scikit-learn dataset (default: breast_cancer)",
    )
    source.add_argument(
        "--csv",
        metavar="PATH",
        help="CSV file with a header row (delimiter detected; empty, NA, "
        "N/A, NaN, null, None, ?, - are missing cells); rows are named as in "
        "a spreadsheet, the header being row 1",
    )
    source.add_argument(
        "--parquet", metavar="PATH", help="Parquet file; rows are named by its index"
    )
    if supervised:
        data.add_argument(
            "--target", metavar="COLUMN", help="target column of --csv or --parquet"
        )
    data.add_argument(
        "--drop",
        metavar="COLUMN",
        action="append",
        default=[],
        help="a column of --csv or --parquet to leave out (an identifier, a "
        "date, a leak of the target); repeat it for several",
    )
    data.add_argument(
        "--categorical",
        metavar="COLUMN",
        action="append",
        default=[],
        help="a column of --csv or --parquet to read as categories, even if "
        "it holds numbers (codes, or a column of numbers with a few other "
        "cells, which is refused otherwise); repeat it for several",
    )
    data.add_argument(
        "--sep",
        type=_separator,
        metavar="CHAR",
        help="the separator of --csv: one character, or tab (default: detected)",
    )
    data.add_argument(
        "--decimal",
        choices=(".", ","),
        metavar="MARK",
        help="the decimal mark of --csv, . or , (default: detected: ',' when the file "
        "is not comma-separated and its numbers use decimal commas, such as "
        "12,5, and none a decimal point)",
    )
    if supervised:
        data.add_argument(
            "--task",
            choices=("classification", "regression"),
            help="inferred when omitted",
        )
    else:  # (read by the loader: a table without a target)
        parser.set_defaults(target=None, task=None)


def _write(flag, path, write):
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            write(handle)
    except OSError as exc:
        raise UsageError(
            f"--{flag} {literal(path)}: cannot write it: {exc.strerror}"
        ) from None


def write_report_files(report, args, title, out):
    """Write a report's HTML page (``--out``) and JSON (``--json``), and
    say which files were written; a UsageError names a path it cannot."""
    try:
        report.to_html(args.out, title=title)
    except OSError as exc:
        raise UsageError(
            f"--out {literal(args.out)}: cannot write it: {exc.strerror}"
        ) from None
    if args.json:
        _write("json", args.json, lambda handle: _dump_json(report.to_dict(), handle))
    written = ", ".join(literal(p) for p in (args.out, args.json) if p)
    print(f"written: {written}", file=out)


def _finite_json(value, path="", nulls=None):
    """`value` with every non-finite float replaced by None, and their paths."""
    nulls = [] if nulls is None else nulls
    if isinstance(value, dict):
        value = {
            k: _finite_json(v, f"{path}.{k}" if path else str(k), nulls)[0]
            for k, v in value.items()
        }
    elif isinstance(value, (list, tuple)):
        value = [_finite_json(v, f"{path}[{i}]", nulls)[0] for i, v in enumerate(value)]
    elif isinstance(value, np.ndarray):
        return _finite_json(value.tolist(), path, nulls)
    elif isinstance(value, (float, np.floating)) and not math.isfinite(value):
        nulls.append({"path": path, "value": _non_finite_words(value)})
        value = None
    elif isinstance(value, np.generic):
        value = value.item()
    return value, nulls


def _non_finite_words(value):
    """A value that is not a finite number, in words (never "nan" or "inf")."""
    if math.isnan(value):
        return "not a number"
    return "positive infinite" if value > 0 else "negative infinite"


def _dump_json(data, handle):
    """JSON without NaN or Infinity tokens: null, with the reason in the file."""
    data, nulls = _finite_json(data)
    if nulls:
        data["non_finite"] = {
            "note": "these values were not finite numbers, which JSON cannot "
            "hold: each is written as null",
            "values": nulls,
        }
    json.dump(data, handle, indent=2, allow_nan=False)
    handle.write("\n")
