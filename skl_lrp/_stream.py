"""Explain a file larger than memory: Parquet or CSV in, the same out.

The file is read a chunk of rows at a time (Parquet with pyarrow, CSV with
pandas), each chunk explained and appended to the output, so memory holds one
chunk whatever the number of rows. Loading a saved explainer is here too:
skops' secure format by default, pickle only when asked for.
"""

import gc
import os
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

# The columns written beside the relevance: the row, the label explained,
# and the ledger, which makes every row add up:
# sum of relevance + absorbed == score - baseline.
ROW, TARGET, SCORE = "row", "target", "score"
BASELINE, ABSORBED = "baseline", "absorbed"
OWN_COLUMNS = (ROW, TARGET, SCORE, BASELINE, ABSORBED)
# Types a saved explainer may hold, by module: skops loads them as trusted.
_TRUSTED_MODULES = ("skl_lrp.", "sklearn.")


@validate_params(
    {"path": [str, os.PathLike], "allow_pickle": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_explainer(path, *, allow_pickle=False):
    """A fitted :class:`RelevanceExplainer` saved with ``skops.io.dump``.

    Parameters
    ----------
    path : str or path-like
        The file. ``.skops`` files are loaded with skops, trusting only
        types from scikit-learn and skl_lrp; other files (pickle, joblib)
        only with `allow_pickle`, since unpickling runs code from the file.
    allow_pickle : bool, default=False
        Load a pickle or joblib file.

    Returns
    -------
    explainer : RelevanceExplainer
        The fitted explainer.
    """
    from ._explainer import RelevanceExplainer

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No explainer file at {str(path)!r}.")
    if path.suffix == ".skops":
        explainer = _load_skops(path)
    elif allow_pickle:
        import joblib

        explainer = joblib.load(path)
    else:
        raise ValueError(
            f"{str(path)!r} is not a .skops file. Loading a pickle or joblib "
            "file runs code stored in it: save the explainer with "
            "skops.io.dump(explainer, 'explainer.skops'), or pass "
            "--allow-pickle if you trust the file."
        )
    if not isinstance(explainer, RelevanceExplainer):
        raise TypeError(
            f"{str(path)!r} holds a {type(explainer).__name__}, not a fitted "
            "RelevanceExplainer."
        )
    return explainer


def _load_skops(path):
    try:
        import skops.io as sio
    except ImportError as exc:
        raise ImportError(
            "Loading a .skops explainer needs skops: pip install skops"
        ) from exc
    untrusted = sio.get_untrusted_types(file=path)
    refused = [name for name in untrusted if not name.startswith(_TRUSTED_MODULES)]
    if refused:
        raise ValueError(
            f"{str(path)!r} holds types from outside scikit-learn and skl_lrp, "
            f"which are not loaded: {', '.join(refused)}."
        )
    return sio.load(path, trusted=untrusted)


class _Parquet:
    def __init__(self, path):
        import pyarrow.parquet as pq

        self.file = pq.ParquetFile(path)
        self.n_rows = self.file.metadata.num_rows
        self.names = self.file.schema_arrow.names

    def chunks(self, chunk_rows, columns):
        # One reader per row group: a reader over the whole file holds on to
        # the memory of every batch it has read (pyarrow 26: 475 MB of 1e6
        # rows x 50 doubles, against 21 MB read a row group at a time).
        for group in range(self.file.num_row_groups):
            batches = self.file.iter_batches(
                batch_size=chunk_rows, row_groups=[group], columns=columns
            )
            for batch in batches:
                yield batch.to_pandas()


class _CSV:
    def __init__(self, path, sep=None, decimal=None):
        import pandas as pd

        self.path, self.n_rows = path, None
        self.sep, self.decimal = csv_format(path, sep, decimal)
        self.names = list(pd.read_csv(path, nrows=0, sep=self.sep).columns)

    def chunks(self, chunk_rows, columns):
        import pandas as pd

        yield from pd.read_csv(
            self.path,
            usecols=columns,
            chunksize=chunk_rows,
            sep=self.sep,
            decimal=self.decimal,
        )


def csv_format(path, sep=None, decimal=None):
    """``(separator, decimal mark)`` of the CSV file `path`, each detected
    from its first 64 KiB when None, as the command line's ``--csv`` does:
    the separator by :class:`csv.Sniffer` (comma, semicolon, tab or bar),
    the decimal mark "," in a file not separated by commas whose numbers
    use a decimal comma (``12,5``) and none a decimal point."""
    import csv

    from ._tables import _DECIMAL

    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(65536)
    lines = head.splitlines()[:-1] if len(head) == 65536 else head.splitlines()
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    if decimal is None:
        decimal = "."
        if sep != ",":
            cells = [
                cell.strip()
                for record in csv.reader(lines[1:], delimiter=sep)
                for cell in record
            ]
            marks = {
                mark
                for mark, pattern in _DECIMAL.items()
                for cell in cells
                if pattern.match(cell)
            }
            decimal = "," if marks == {","} else "."
    return sep, decimal


# Rows read and explained at a time, unless the caller says otherwise.
CHUNK_ROWS = 65_536


def file_format(path):
    """ "parquet" or "csv", by the extension of `path` (any case), or None."""
    return {".parquet": "parquet", ".csv": "csv"}.get(Path(path).suffix.lower())


def _check_format(path):
    if file_format(path) is None:
        raise ValueError(
            f"{str(path)!r}: expected a .parquet or .csv file (by its extension)."
        )


def _reader(path, sep=None, decimal=None):
    _check_format(path)
    if file_format(path) == "parquet":
        for name, given in (("sep", sep), ("decimal", decimal)):
            if given is not None:
                raise ValueError(
                    f"{name} is for a CSV source; {str(path)!r} is a Parquet "
                    "file, whose columns are typed."
                )
        return _Parquet(path)
    if sep is not None and len(sep) != 1:
        raise ValueError(f"sep must be one character; got {sep!r}.")
    return _CSV(path, sep, decimal)


class _Writer:
    """Appends chunks of a DataFrame to a Parquet or CSV file."""

    def __init__(self, path):
        _check_format(path)
        self.path, self.parquet = Path(path), file_format(path) == "parquet"
        self.writer = None

    def write(self, frame):
        if self.parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.path, table.schema)
            self.writer.write_table(table)
        else:
            frame.to_csv(
                self.path,
                mode="a" if self.writer else "w",
                header=self.writer is None,
                index=False,
            )
            self.writer = True

    def close(self):
        if self.parquet and self.writer is not None:
            self.writer.close()


@validate_params(
    {
        "explainer": [object],
        "source": [str, Path],
        "destination": [str, Path],
        "chunk_rows": [Interval(Integral, 1, None, closed="left")],
        "progress": ["boolean"],
        "sep": [str, None],
        "decimal": [StrOptions({".", ","}), None],
    },
    prefer_skip_nested_validation=True,
)
def explain_file(
    explainer,
    source,
    destination,
    *,
    chunk_rows=CHUNK_ROWS,
    progress=False,
    sep=None,
    decimal=None,
):
    """Explain every row of a Parquet or CSV file into another file.

    The rows are read, explained and written a chunk at a time, so memory
    stays that of one chunk whatever the file's size. The output has one
    row per input row: ``row`` (its position in the file, from 0), the
    relevance of each feature under the names of
    ``explainer.get_feature_names_out()``, ``target`` (the explained label),
    ``score`` (the explained output score), ``baseline`` (the value the
    score is measured against: 0 unless the explanation gives one) and
    ``absorbed`` (the relevance that biases, stabilizers and vanished
    neurons took: the ledger's total), so that every row adds up::

        sum of the relevance columns + absorbed == score - baseline

    up to rounding. A feature named like one of these columns is an error.

    Parameters
    ----------
    explainer : RelevanceExplainer
        Fitted; it reads the columns it was fitted on (by name) and ignores
        the file's other columns.
    source : str or path-like
        A ``.parquet`` file (read row group by row group with pyarrow) or a
        ``.csv`` file (read in chunks with pandas).
    destination : str or path-like
        A ``.parquet`` or ``.csv`` file, written chunk by chunk.
    chunk_rows : int, default=65536
        Rows per chunk.
    progress : bool, default=False
        Show a progress bar (tqdm) on standard error.
    sep : str, default=None
        The separator of a CSV `source`, one character; None detects it
        (comma, semicolon, tab or bar). A CSV
        `destination` is always comma-separated, with decimal points.
    decimal : {".", ","}, default=None
        The decimal mark of a CSV `source`; None detects it: "," when the
        file is not comma-separated and its numbers use decimal commas
        (``12,5``) and none a decimal point.

    Returns
    -------
    n_rows : int
        The number of rows explained.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LinearRegression
    >>> from skl_lrp import RelevanceExplainer, explain_file
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 0.0, 1.0]})
    >>> model = LinearRegression().fit(X, [0.0, 2.0, 5.0])
    >>> explainer = RelevanceExplainer(FrozenEstimator(model), rules="epsilon")
    >>> folder = tempfile.mkdtemp()
    >>> X.to_csv(os.path.join(folder, "in.csv"), index=False)
    >>> explain_file(explainer.fit(X), os.path.join(folder, "in.csv"),
    ...              os.path.join(folder, "out.csv"), chunk_rows=2)
    3
    >>> out = pd.read_csv(os.path.join(folder, "out.csv"))
    >>> list(out.columns)
    ['row', 'a', 'b', 'target', 'score', 'baseline', 'absorbed']
    >>> ledger = out[["a", "b"]].sum(axis=1) + out["absorbed"]
    >>> bool(np.allclose(ledger, out["score"] - out["baseline"]))
    True
    """
    import pandas as pd

    from ._explainer import RelevanceExplainer

    if not isinstance(explainer, RelevanceExplainer):
        raise TypeError(
            f"explainer must be a fitted RelevanceExplainer; got "
            f"{type(explainer).__name__}."
        )
    explainer._check_fitted()
    targets = explainer._plan.network.columns_for(explainer.target)
    if targets is not None and (len(targets) != 1 or np.ndim(explainer.target)):
        raise ValueError(
            "explain_file explains one score per row: the explainer's target "
            f"must be 'predicted' or a single label; got {explainer.target!r}."
        )
    reader = _reader(source, sep, decimal)
    columns = _columns_to_read(explainer, reader.names, source)
    names = [str(name) for name in explainer.get_feature_names_out()]
    clash = [name for name in OWN_COLUMNS if name in names]
    if clash:
        raise ValueError(
            f"The explainer's features include {clash}, the names of the "
            f"output's own columns ({', '.join(OWN_COLUMNS)}); rename them."
        )
    writer = _Writer(destination)
    bar = _progress_bar(progress, reader.n_rows)
    done = 0
    try:
        for chunk in reader.chunks(chunk_rows, columns):
            X = chunk[columns] if columns is not None else chunk.to_numpy()
            explanation = explainer.explain(X)
            frame = pd.DataFrame(explanation.relevance[:, 0], columns=names)
            frame.insert(0, ROW, np.arange(done, done + len(chunk), dtype=np.int64))
            frame[TARGET] = explanation.targets[:, 0]
            frame[SCORE] = explanation.scores[:, 0]
            frame[BASELINE] = _baseline(explanation)[:, 0]
            frame[ABSORBED] = explanation.absorbed[:, 0]
            writer.write(frame)
            if bar is not None:
                bar.update(len(chunk))
            done += len(chunk)
            # scikit-learn's pipelines leave cyclic garbage on every call
            # (metadata-routing classes): freed here, not when the collector
            # gets to it, so that memory stays flat over any number of rows.
            del chunk, X, explanation, frame
            gc.collect()
    finally:
        writer.close()
        if bar is not None:
            bar.close()
    return done


def _baseline(explanation):
    """The value each row's score is measured against, shape (n, n_targets):
    the explanation's ``baseline``, or 0 where it gives none (root points
    near zero activation: the relevance and the ledger add up to the score
    itself)."""
    baseline = explanation.get("baseline")
    if baseline is None:
        return np.zeros_like(explanation.scores, dtype=float)
    return np.broadcast_to(np.asarray(baseline, dtype=float), explanation.scores.shape)


def _columns_to_read(explainer, available, source):
    """The file's columns the explainer takes, by name (None: all of them,
    for an explainer fitted without column names)."""
    wanted = getattr(explainer, "feature_names_in_", None)
    if wanted is None:
        if len(available) != explainer.n_features_in_:
            raise ValueError(
                f"{str(source)!r} has {len(available)} columns, but the "
                f"explainer was fitted on {explainer.n_features_in_} unnamed "
                "ones; fit it on a DataFrame to read columns by name."
            )
        return None
    missing = [name for name in wanted if name not in available]
    if missing:
        raise ValueError(
            f"{str(source)!r} lacks the column(s) {missing} that the explainer "
            "was fitted on."
        )
    return list(wanted)


def _progress_bar(shown, total):
    if not shown:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, desc="explaining")
