"""Reading the command line tool's data: built-in datasets, CSV and Parquet.

Everything here turns a user's file into a :class:`Table` or raises a
:class:`UsageError` whose one-line message names the file, the column or the
row at fault and says what to do. A CSV file is read by the standard
library's :mod:`csv` (one parser checks the rows and reads them); pandas (the
``cli`` extra) reads Parquet files and is imported only when one is given.

A CSV file's separator is the one given (``--sep``) or detected by
:class:`csv.Sniffer`; its decimal mark the one given (``--decimal``) or, in a
file not separated by commas, a comma when some cells are numbers written
with a decimal comma (``12,5``) and none with a decimal point. A column of
numbers with a few other cells (``12,5 EUR``, ``n.a.``) is refused, naming
the cells, rather than silently read as categories: ``--categorical COLUMN``
reads it as categories.

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

# A column whose filled cells are at least this share of numbers, but not
# all, holds a few bad cells rather than categories.
MOSTLY_NUMBERS = 0.9
# Bad cells named in the message.
SHOWN_CELLS = 3

# A number written with a decimal comma, or a decimal point: "12,5", "-,5",
# "1,5e3"; "12.5", ".5".
_DECIMAL = {
    ",": re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$"),
    ".": re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$"),
}

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
        self.reading = None  # a CSV file's separator and decimal mark, in words


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


def load(args, supervised=True):
    """The :class:`Table` that the command line options `args` ask for.

    Parameters
    ----------
    args : argparse.Namespace
        With ``csv``, ``parquet``, ``dataset``, ``target``, ``drop``,
        ``task`` and, optionally, ``sep``, ``decimal`` and ``categorical``.
    supervised : bool, default=True
        Whether a file needs a ``--target`` column; without one (clusters,
        outliers) every column is a feature, and the table's ``y`` and
        ``task`` are None.

    Returns
    -------
    table : Table
        The data.
    """
    path = args.csv if args.csv is not None else args.parquet
    flag = "--csv" if args.csv is not None else "--parquet"
    sep, decimal = getattr(args, "sep", None), getattr(args, "decimal", None)
    categorical = list(getattr(args, "categorical", None) or [])
    if args.csv is None:
        for option, given in (("--sep", sep), ("--decimal", decimal)):
            if given is not None:
                raise UsageError(
                    f"{option} goes with --csv (a Parquet file's columns are typed)"
                )
    if path is not None:
        if args.target is None and supervised:
            raise UsageError(f"{flag} needs --target COLUMN")
        reading = None
        if args.csv is not None:
            names, columns, rows, reading = _read_csv(path, sep, decimal)
            decimal = reading[1]
        else:
            names, columns, rows = _read_parquet(path, skip=set(args.drop))
        names, columns = _without(path, names, columns, args.drop, args.target)
        _check_categorical(path, names, categorical, args.drop)
        table = _from_columns(
            flag,
            path,
            names,
            columns,
            rows,
            args.target,
            args.task,
            decimal=decimal or ".",
            categorical=set(categorical),
        )
        if reading is not None:
            table.reading = _reading_words(*reading)
    else:
        for option, given in (
            ("--target", args.target),
            ("--drop", args.drop),
            ("--categorical", categorical),
        ):
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


def _check_categorical(path, names, categorical, dropped):
    """Usage errors for ``--categorical`` names that are not columns."""
    for name in categorical:
        if name in dropped:
            raise UsageError(f"--categorical {name!r} is left out by --drop")
        if name not in names:
            raise UsageError(
                f"--categorical {name!r} is not a column of {path}; columns: "
                + _listed(names)
            )


SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _reading_words(sep, decimal, detected):
    """``"semicolon-separated, decimal comma (detected)"``: how a CSV was read."""
    shown = SEPARATOR_NAMES.get(sep, repr(sep))
    mark = "comma" if decimal == "," else "point"
    how = f" ({detected} detected)" if detected else ""
    return f"{shown}-separated, decimal {mark}{how}"


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


def _read_csv(path, sep=None, decimal=None):
    """Header names, columns of stripped strings and row names of a CSV file,
    and how it was read: ``(separator, decimal mark, what was detected)``.

    `sep` and `decimal` are detected when None.
    """
    dialect = _sniff(path)
    if sep is not None:

        class dialect(csv.excel):  # noqa: N801 (a csv dialect is a class)
            delimiter = sep

    records = _records(path, dialect)
    header = [name.strip() for name in records[0]]
    columns = [
        np.array([cell.strip() for cell in column], dtype=object)
        for column in zip(*records[1:])
    ]
    rows = [f"row {i}" for i in range(2, len(records) + 1)]
    detected = [] if sep is not None else ["separator"]
    if decimal is None:
        decimal = _decimal_mark(path, dialect.delimiter, header, columns, rows)
        detected.append("decimal mark")
    return header, columns, rows, (dialect.delimiter, decimal, " and ".join(detected))


def _decimal_mark(path, sep, header, columns, rows):
    """ "," when some cells are numbers with a decimal comma and none with a
    decimal point, in a file not separated by commas; else "."."""
    if sep == ",":  # (a decimal comma would need quotes in every cell)
        return "."
    first = {}
    for name, column in zip(header, columns):
        for i, cell in enumerate(column):
            for mark, pattern in _DECIMAL.items():
                if mark not in first and pattern.match(cell):
                    first[mark] = (cell, rows[i], name)
        if len(first) == 2:
            (comma, at_comma, in_comma), (point, at_point, in_point) = (
                first[","],
                first["."],
            )
            raise UsageError(
                f"--csv {path} has numbers with a decimal comma ({comma!r}, "
                f"{at_comma}, column {in_comma!r}) and with a decimal point "
                f"({point!r}, {at_point}, column {in_point!r}): say which is "
                "the decimal mark with --decimal ',' or --decimal '.'"
            )
    return "," if "," in first else "."


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
                        f"names {len(records[0])} column"
                        f"{'s' * (len(records[0]) != 1)} (the header is row 1)"
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


def _number(text, decimal="."):
    """The number that the cell `text` writes, or None if it is not one.

    With the decimal mark ",", a cell with a point ("1.5", "1.234,5") is not
    a number: the point would be a thousands separator or another
    convention, which the tool does not guess.
    """
    if decimal == ",":
        if "." in text:
            return None
        text = text.replace(",", ".", 1)
    try:
        return float(text)
    except ValueError:
        return None


def _numbers(values, decimal="."):
    """The column as floats (NaN for missing cells), or None if it has text."""
    numbers, bad = _parse(values, decimal)
    return None if bad else numbers


def _parse(values, decimal="."):
    """``(floats with NaN for missing or bad cells, positions of bad cells)``."""
    if values.dtype.kind == "f":
        return values, []
    numbers = np.full(len(values), np.nan)
    bad = []
    for i, value in enumerate(values):
        if _is_missing(value):
            continue
        number = _number(value, decimal) if isinstance(value, str) else None
        if number is None:
            bad.append(i)
        else:
            numbers[i] = number
    return numbers, bad


def _check_mostly_numbers(what, name, values, decimal, rows):
    """A usage error when the column `what` (``column 'a' of PATH``) is
    numbers but for a few cells (at most 10% of the filled ones), or when
    the cells that are not numbers are all numbers in the other decimal
    mark."""
    numbers, bad = _parse(values, decimal)
    filled = np.count_nonzero(~np.isnan(numbers)) + len(bad)
    other = "," if decimal == "." else "."
    if not bad:
        return
    few = len(bad) <= (1 - MOSTLY_NUMBERS) * filled
    if not few and all(_number(values[i], other) is not None for i in bad):
        # Numbers all, written with the other decimal mark: read as text.
        first = bad[0]
        mark = {",": "comma", ".": "point"}
        raise UsageError(
            f"{what} holds numbers written with a decimal {mark[other]} "
            f"({literal(values[first])!r}, {rows[first]}), not the decimal "
            f"{mark[decimal]} the file is read with: pass --decimal '{other}', or "
            f"--categorical {name!r} to read the column as categories"
        )
    if not few:  # (text: categories)
        return
    cells = ", ".join(
        f"{literal(values[i])!r} ({rows[i]})" for i in bad[:SHOWN_CELLS]
    ) + (f", ... ({len(bad)} cells)" if len(bad) > SHOWN_CELLS else "")
    hint = ""
    if any(_number(values[i], other) is not None for i in bad):
        hint = f"; if {other!r} is the decimal mark, pass --decimal '{other}'"
    them = "it" if len(bad) == 1 else "them"
    raise UsageError(
        f"{what} holds numbers but for {len(bad)} "
        f"cell{'s' * (len(bad) != 1)}: {cells}; correct {them} (or leave "
        f"{them} empty if missing){hint}, or pass --categorical {name!r} to "
        "read the column as categories"
    )


def _from_columns(
    flag, path, header, columns, rows, target, task, decimal=".", categorical=()
):
    """The table of a file's columns, after the checks on names and values."""
    _check_names(flag, path, header, target)
    if target is None:  # (every column is a feature)
        labels, names = None, list(header)
    else:
        labels = columns.pop(header.index(target))
        names = [name for name in header if name != target]
    if not names:
        raise UsageError(f"{flag} {path} has no feature columns besides {target!r}")
    X = np.empty((len(rows), len(names)), dtype=object)
    numeric = []
    for j, (name, values) in enumerate(zip(names, columns)):
        if name in categorical and values.dtype.kind == "f":  # (Parquet numbers)
            values = np.array(
                ["" if np.isnan(v) else f"{v:g}" for v in values], dtype=object
            )
        numbers = None if name in categorical else _numbers(values, decimal)
        if numbers is None and name not in categorical:
            what = f"column {name!r} of {path}"
            _check_mostly_numbers(what, name, values, decimal, rows)
        if numbers is None:
            _check_text_column(flag, path, name, values)
            X[:, j] = [np.nan if _is_missing(v) else v for v in values]
            numeric.append(False)
        else:
            _check_number_column(flag, path, name, numbers, rows)
            X[:, j] = numbers
            numeric.append(True)
    if all(numeric):
        X = X.astype(float)
    if target is None:
        return Table(X, None, names, numeric, None, path, rows)
    if target in categorical:
        if task == "regression":
            raise UsageError(
                f"--categorical {target!r} reads the --target column as classes, "
                "which --task regression contradicts"
            )
        task = "classification"
        labels = np.array([str(v) for v in labels], dtype=object)
    elif task == "regression" or (task is None and not _class_like(labels, decimal)):
        # (whole numbers with few values and a few words are classes: 0, 1, rare)
        what = f"the --target column {target!r}"
        _check_mostly_numbers(what, target, labels, decimal, rows)
    y, task = _target_values(labels, target, task, rows, decimal)
    return Table(X, y, names, numeric, task, path, rows)


def _class_like(labels, decimal):
    """Whether the target's numbers are whole with few values (classes)."""
    numbers = _parse(labels, decimal)[0]
    numbers = numbers[np.isfinite(numbers)]
    return bool(
        np.all(numbers == np.round(numbers)) and len(set(numbers.tolist())) <= 20
    )


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
    if target is not None and target not in header:
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


def _target_values(labels, target, task, rows, decimal="."):
    """The target column's values and the task (inferred when None)."""
    missing = [i for i, v in enumerate(labels) if _is_missing(v)]
    if missing:
        raise UsageError(
            f"the --target column {target!r} has missing cells "
            f"({', '.join(rows[i] for i in missing[:3])}"
            + (", ..." if len(missing) > 3 else "")
            + "); drop those rows or fill them in"
        )
    numbers = _numbers(labels, decimal)
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
                next(
                    v
                    for v in labels
                    if _numbers(np.array([v], dtype=object), decimal) is None
                )
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
