"""Reading the command line tool's data: built-in datasets, CSV and Parquet.

Everything here turns a user's file into a :class:`Table` or raises a
:class:`UsageError` whose one-line message names the file, the column or the
row at fault and says what to do. A CSV file is read by the standard
library's :mod:`csv` (one parser checks the rows and reads them); pandas (the
``cli`` extra) reads Parquet files and is imported only when one is given.

Rows are named as the user sees them: in a CSV file, ``row N`` counts the
header as row 1, as a spreadsheet does (it is also the line number in a text
editor, unless a quoted cell spans lines or blank lines are skipped); in a
Parquet file, by the DataFrame's index label; in a built-in dataset, by the
sample's position in scikit-learn's arrays (from 0).
"""

import csv
import re
import unicodedata

import numpy as np
from sklearn import datasets

DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "iris": (datasets.load_iris, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}

# Cells that mean "missing" in exported tables, compared in lower case.
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-", "<na>", "#n/a"}

# Beyond this magnitude StandardScaler's variance (a mean of squares)
# overflows to inf and the network trains on NaN; a target this large
# overflows the squared loss.
LARGEST = 1e100

_DATE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?)$"
)


class UsageError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


class Table:
    """A loaded dataset, ready for the tool's pipeline.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), dtype object or float
        Feature values: floats (NaN when missing) in numeric columns,
        strings (NaN when missing) in categorical ones.
    y : ndarray of shape (n_samples,)
        The target.
    names : list of str
        Column names, exactly as in the file.
    numeric : list of bool
        Whether each column is numeric.
    task : {"classification", "regression"}
        The task.
    source : str
        The dataset's name or the file's path.
    rows : list of str
        How each row is named in the output (``"row 2"`` for a CSV file's
        first data row).
    """

    def __init__(self, X, y, names, numeric, task, source, rows):
        self.X, self.y, self.names = X, y, names
        self.numeric, self.task, self.source = numeric, task, source
        self.rows = rows
        self.class_counts = None


def literal(text):
    """`text` with control and other invisible characters escaped.

    User strings (column names, labels, paths) are printed literally: a
    newline or a terminal escape sequence in a column name shows as
    ``\\n`` or ``\\x1b`` instead of acting on the terminal.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    shown : str
        The printable form.

    Examples
    --------
    >>> print(literal("a\\nb\\x1b[31m"))
    a\\nb\\x1b[31m
    """
    return "".join(
        ch
        if ch == " " or (ch.isprintable() and unicodedata.category(ch) != "Cf")
        else ch.encode("unicode_escape").decode("ascii")
        for ch in str(text)
    )


def _pandas():
    try:
        import pandas
    except ImportError:
        raise UsageError(
            '--parquet needs pandas to read the file: pip install "skl_lrp[cli]"'
        ) from None
    return pandas


def load(args):
    """The :class:`Table` that the command line options `args` ask for.

    Parameters
    ----------
    args : argparse.Namespace
        With ``csv``, ``parquet``, ``dataset``, ``target``, ``drop`` and
        ``task``.

    Returns
    -------
    table : Table
        The data.
    """
    path = args.csv if args.csv is not None else args.parquet
    flag = "--csv" if args.csv is not None else "--parquet"
    if path is not None:
        if args.target is None:
            raise UsageError(f"{flag} needs --target COLUMN")
        if args.csv is not None:
            names, columns, rows = _read_csv(path)
        else:
            names, columns, rows = _read_parquet(path, skip=set(args.drop))
        names, columns = _without(path, names, columns, args.drop, args.target)
        table = _from_columns(flag, path, names, columns, rows, args.target, args.task)
    else:
        for option, given in (("--target", args.target), ("--drop", args.drop)):
            if given:
                raise UsageError(f"{option} goes with --csv or --parquet")
        table = _load_builtin(args.dataset, args.task)
    if table.task == "classification":
        labels, counts = np.unique(table.y, return_counts=True)
        if len(labels) < 2:
            raise UsageError(
                f"the target has a single class ({literal(labels[0])!r}); "
                "nothing to tell apart"
            )
        table.class_counts = dict(zip(labels.tolist(), counts.tolist()))
    return table


def _without(path, names, columns, dropped, target):
    """The file's column names and columns less those of ``--drop``."""
    for name in dropped:
        if name == target:
            raise UsageError(f"--drop {name!r} is the --target column")
        if name not in names:
            raise UsageError(
                f"--drop {name!r} is not a column of {path}; columns: {_listed(names)}"
            )
    dropped = set(dropped)
    kept = [j for j, name in enumerate(names) if name not in dropped]
    return [names[j] for j in kept], [columns[j] for j in kept]


def _listed(names):
    """The columns `names`, quoted, the first 20 of them, for a message."""
    shown = ", ".join(repr(name) for name in names[:20])
    return shown + (f", ... ({len(names)} columns)" if len(names) > 20 else "")


def _load_builtin(name, task):
    loader, own_task = DATASETS[name]
    if task is not None and task != own_task:
        raise UsageError(
            f"--task {task}: the {name} dataset is a {own_task} task, not {task}"
        )
    bunch = loader()
    y = bunch.target
    if own_task == "classification" and hasattr(bunch, "target_names"):
        y = np.asarray(bunch.target_names)[y]
    names = [str(f) for f in bunch.feature_names]
    rows = [f"sample {i}" for i in range(len(y))]
    return Table(
        bunch.data.astype(float), y, names, [True] * len(names), own_task, name, rows
    )


def _read_csv(path):
    """Header names, columns of stripped strings and row names of a CSV file."""
    records = _records(path, _sniff(path))
    header = [name.strip() for name in records[0]]
    columns = [
        np.array([cell.strip() for cell in column], dtype=object)
        for column in zip(*records[1:])
    ]
    rows = [f"row {i}" for i in range(2, len(records) + 1)]
    return header, columns, rows


def _first(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _sniff(path):
    """The CSV dialect of `path`, after checking that it is text at all."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except FileNotFoundError:
        raise UsageError(f"--csv {path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"--csv {path}: cannot read it: {exc.strerror}") from None
    if not head:
        raise UsageError(f"--csv {path} is empty (0 bytes); it needs a header row")
    if b"\x00" in head:
        raise UsageError(
            f"--csv {path} looks like a binary file (it holds NUL bytes), not CSV text"
        )
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at 64 KiB
            raise UsageError(
                f"--csv {path} is not UTF-8 text (byte {exc.start}); save it "
                "as UTF-8 CSV"
            ) from None
        text = head[: exc.start].decode("utf-8-sig")
    if not text.strip():
        raise UsageError(f"--csv {path} has only blank lines; it needs a header row")
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _records(path, dialect):
    """The file's non-blank rows, each a list of fields, after checking that
    every row has as many fields as the header."""
    records = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            for record in csv.reader(handle, dialect):
                if not record:
                    continue
                if records and len(record) != len(records[0]):
                    raise UsageError(
                        f"--csv {path}: row {len(records) + 1} has {len(record)} "
                        f"field{'s' * (len(record) != 1)} where the header row "
                        f"names {len(records[0])} columns (the header is row 1)"
                    )
                records.append(record)
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"--csv {path} is not UTF-8 text ({exc.reason}); save it as UTF-8 CSV"
        ) from None
    except csv.Error as exc:
        raise UsageError(f"--csv {path}: cannot read it as CSV: {exc}") from None
    if not records:
        raise UsageError(f"--csv {path} has only blank lines; it needs a header row")
    if len(records) < 2:
        raise UsageError(
            f"--csv {path} has a header row but no data rows; it needs at least one"
        )
    return records


def _read_parquet(path, skip=()):
    """Column names, columns and row names of a Parquet file; the columns
    named in `skip` are None, unread."""
    pd = _pandas()
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise UsageError(f"--parquet {path}: no such file") from None
    except ImportError:
        raise UsageError(
            "--parquet needs pyarrow (or fastparquet) to read the file: "
            'pip install "skl_lrp[cli]"'
        ) from None
    except Exception as exc:  # pyarrow raises its own error types
        raise UsageError(f"--parquet {path}: cannot read it: {_first(exc)}") from None
    if len(frame) == 0:
        raise UsageError(f"--parquet {path} has no rows")
    names = [str(name) for name in frame.columns]
    columns = []
    for name in frame.columns:
        column = frame[name]
        if str(name) in skip:
            columns.append(None)
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            raise _date_error("--parquet", path, str(name), str(column.iloc[0]))
        elif pd.api.types.is_numeric_dtype(column.dtype) and not (
            pd.api.types.is_bool_dtype(column.dtype)
        ):
            columns.append(column.to_numpy(float, na_value=np.nan))
        else:
            cells = column.astype(object).to_numpy()
            columns.append(
                np.array(
                    ["" if pd.isna(v) else str(v).strip() for v in cells], dtype=object
                )
            )
    rows = [f"index {literal(label)}" for label in frame.index]
    return names, columns, rows


def _is_missing(value):
    return (
        isinstance(value, float)
        and np.isnan(value)
        or (isinstance(value, str) and value.lower() in MISSING)
    )


def _numbers(values):
    """The column as floats (NaN for missing cells), or None if it has text."""
    if values.dtype.kind == "f":
        return values
    numbers = np.empty(len(values))
    for i, value in enumerate(values):
        if _is_missing(value):
            numbers[i] = np.nan
            continue
        try:
            numbers[i] = float(value)
        except ValueError:
            return None
    return numbers


def _from_columns(flag, path, header, columns, rows, target, task):
    """The table of a file's columns, after the checks on names and values."""
    _check_names(flag, path, header, target)
    t = header.index(target)
    labels = columns.pop(t)
    names = [name for i, name in enumerate(header) if i != t]
    if not names:
        raise UsageError(f"{flag} {path} has no feature columns besides {target!r}")
    X = np.empty((len(rows), len(names)), dtype=object)
    numeric = []
    for j, (name, values) in enumerate(zip(names, columns)):
        numbers = _numbers(values)
        if numbers is None:
            _check_text_column(flag, path, name, values)
            X[:, j] = [np.nan if _is_missing(v) else v for v in values]
            numeric.append(False)
        else:
            _check_number_column(flag, path, name, numbers, rows)
            X[:, j] = numbers
            numeric.append(True)
    y, task = _target_values(labels, target, task, rows)
    if all(numeric):
        X = X.astype(float)
    return Table(X, y, names, numeric, task, path, rows)


def _check_names(flag, path, header, target):
    if any(not name for name in header):
        raise UsageError(f"{flag} {path} has a column without a name in its header")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UsageError(
            f"{flag} {path} has repeated column names: "
            + ", ".join(repr(name) for name in repeated)
            + "; rename them so that each is unique"
        )
    if target not in header:
        raise UsageError(
            f"--target {target!r} is not a column of {path}; columns: "
            + _listed(header)
        )


def _check_text_column(flag, path, name, values):
    present = [v for v in values if not _is_missing(v)]
    if not present:
        raise UsageError(f"column {name!r} of {path} has no values")
    if all(_DATE.match(v) for v in present):
        raise _date_error(flag, path, name, present[0])


def _date_error(flag, path, name, example):
    return UsageError(
        f"column {name!r} of {path} holds dates or times (e.g. {example!r}), "
        f"which the tool does not read: leave it out (--drop {name!r}), or "
        "replace it with numbers (days since a start date, month, weekday) in "
        "the file"
    )


def _check_number_column(flag, path, name, numbers, rows):
    if np.all(np.isnan(numbers)):
        raise UsageError(f"column {name!r} of {path} has no values")
    infinite = np.flatnonzero(np.isinf(numbers))
    if len(infinite):
        raise UsageError(
            f"column {name!r} of {path} has an infinite value ({rows[infinite[0]]}); "
            "replace it with a number or leave the cell empty"
        )
    largest = np.nanmax(np.abs(numbers))
    if largest > LARGEST:
        at = rows[int(np.nanargmax(np.abs(numbers)))]
        raise UsageError(
            f"column {name!r} of {path} has values as large as {largest:.3g} "
            f"({at}); the network's standardization overflows beyond about "
            f"{LARGEST:.0e}: rescale the column (divide it by a power of ten, "
            "or take its logarithm)"
        )


def _target_values(labels, target, task, rows):
    """The target column's values and the task (inferred when None)."""
    missing = [i for i, v in enumerate(labels) if _is_missing(v)]
    if missing:
        raise UsageError(
            f"the --target column {target!r} has missing cells "
            f"({', '.join(rows[i] for i in missing[:3])}"
            + (", ..." if len(missing) > 3 else "")
            + "); drop those rows or fill them in"
        )
    numbers = _numbers(labels)
    if numbers is not None and labels.dtype.kind != "f":
        labels = np.array([str(v) for v in labels], dtype=object)
    target_numeric = numbers is not None and bool(np.all(np.isfinite(numbers)))
    whole = (
        target_numeric
        and bool(np.all(numbers == np.round(numbers)))
        and bool(np.max(np.abs(numbers)) < 2**53)
    )
    if task is None:  # whole numbers with few values are classes
        few = len(set(numbers.tolist() if target_numeric else labels.tolist())) <= 20
        task = (
            "classification" if not target_numeric or (whole and few) else "regression"
        )
    if task == "regression":
        if not target_numeric:
            example = (
                next(v for v in labels if _numbers(np.array([v], dtype=object)) is None)
                if numbers is None
                else "inf"
            )
            raise UsageError(
                f"--task regression needs a numeric --target; {target!r} has "
                f"non-numeric values such as {literal(example)!r}"
            )
        largest = np.max(np.abs(numbers))
        if largest > LARGEST:
            raise UsageError(
                f"the --target column {target!r} has values as large as "
                f"{largest:.3g}; the network's squared loss overflows beyond "
                f"about {LARGEST:.0e}: rescale the target (divide it by a power "
                "of ten, or take its logarithm)"
            )
        return numbers.astype(float), task
    if target_numeric:  # 1 and 1.0 are one class
        return (numbers.astype(int) if whole else numbers), task
    return np.array([str(v) for v in labels]), task
