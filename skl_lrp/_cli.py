"""The ``skl-lrp`` command line tool: ``explain`` and ``report``."""

import argparse
import csv
import json
import sys
import textwrap
import warnings
from math import isfinite

import numpy as np
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ._composites import PRESETS, describe
from ._explainer import RelevanceExplainer
from ._guardrails import descending_order
from ._report import cross_val_relevance
from ._rules import ROOT_POINTS

DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "iris": (datasets.load_iris, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}


class UsageError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


class Table:
    """A loaded dataset: values, target, column names and kinds, task."""

    def __init__(self, X, y, names, numeric, task, source):
        self.X, self.y, self.names = X, y, names
        self.numeric, self.task, self.source = numeric, task, source


# Cells that mean "missing" in exported tables, compared in lower case.
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def _as_float(value):
    try:
        number = float(value)
    except ValueError:
        return None
    return number if isfinite(number) else None


def _is_missing(value):
    return value.strip().lower() in MISSING


def _load_builtin(name, task):
    loader, own_task = DATASETS[name]
    if task is not None and task != own_task:
        raise UsageError(f"the {name} dataset is a {own_task} task, not {task}")
    bunch = loader()
    y = bunch.target
    if own_task == "classification" and hasattr(bunch, "target_names"):
        y = np.asarray(bunch.target_names)[y]
    names = [str(f) for f in bunch.feature_names]
    numeric = [True] * len(names)
    return Table(bunch.data.astype(float), y, names, numeric, own_task, name)


def _read_rows(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(text.splitlines(), dialect) if row]
    except csv.Error as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if len(rows) < 2:
        raise UsageError(f"{path} needs a header row and at least one data row")
    return [name.strip() for name in rows[0]], rows[1:]


def _load_csv(path, target, task):
    header, rows = _read_rows(path)
    _check_csv_shape(path, header, rows, target)
    t = header.index(target)
    columns = [[row[i].strip() for row in rows] for i in range(len(header))]
    labels = columns.pop(t)
    names = [name for i, name in enumerate(header) if i != t]
    if not names:
        raise UsageError(f"{path} has no feature columns besides {target!r}")
    empty = [n for n, c in zip(names, columns) if all(_is_missing(v) for v in c)]
    if empty:
        raise UsageError(f"column {empty[0]!r} of {path} has no values")
    # A column is numeric when every cell that is not missing is a number;
    # missing cells are imputed in the pipeline.
    numeric = [
        all(_is_missing(v) or _as_float(v) is not None for v in c) for c in columns
    ]
    X = np.empty((len(rows), len(names)), dtype=object)
    for j, (values, is_number) in enumerate(zip(columns, numeric)):
        X[:, j] = [
            np.nan if _is_missing(v) else (float(v) if is_number else v) for v in values
        ]
    y, task = _target_values(labels, target, task)
    return Table(X, y, names, numeric, task, path)


def _check_csv_shape(path, header, rows, target):
    """Usage errors for a header or rows the tool cannot read as a table."""
    if any(not name for name in header):
        raise UsageError(f"{path} has a column without a name in its header row")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UsageError(f"{path} has repeated column names: {', '.join(repeated)}")
    if target not in header:
        raise UsageError(
            f"--target {target!r} is not a column of {path}; columns: "
            + ", ".join(header)
        )
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise UsageError(
                f"{path} has a row of {len(row)} fields where the header has "
                f"{len(header)} (row {line - 1} of the data)"
            )


def _target_values(labels, target, task):
    """The target column's values and the task (inferred when None)."""
    if any(_is_missing(v) for v in labels):
        raise UsageError(f"the target column {target!r} has missing cells")
    numbers = [_as_float(v) for v in labels]
    target_numeric = all(n is not None for n in numbers)
    whole = target_numeric and all(n == round(n) for n in numbers)
    if task is None:  # whole numbers with few values are classes
        few = len(set(numbers if target_numeric else labels)) <= 20
        task = (
            "classification" if not target_numeric or (whole and few) else "regression"
        )
    if task == "regression":
        if not target_numeric:
            raise UsageError(
                f"--task regression needs a numeric target; {target!r} has "
                f"non-numeric values such as {labels[numbers.index(None)]!r}"
            )
        return np.asarray(numbers), task
    if target_numeric:  # 1 and 1.0 are one class
        return np.asarray([int(n) if whole else n for n in numbers]), task
    return np.asarray(labels), task


def _load(args):
    if args.csv is not None:
        if args.target is None:
            raise UsageError("--csv needs --target COLUMN")
        table = _load_csv(args.csv, args.target, args.task)
    else:
        if args.target is not None:
            raise UsageError("--target goes with --csv")
        table = _load_builtin(args.dataset, args.task)
    if table.task == "classification":
        labels, counts = np.unique(table.y, return_counts=True)
        if len(labels) < 2:
            raise UsageError(
                f"the target has a single class ({str(labels[0])!r}); nothing to "
                "tell apart"
            )
        table.class_counts = dict(zip(labels.tolist(), counts.tolist()))
    return table


def _describe(table):
    """One line on what the tool inferred from the data."""
    kinds = [
        f"{name} ({'numeric' if is_number else 'categorical'})"
        for name, is_number in zip(table.names, table.numeric)
    ]
    shown = ", ".join(kinds[:8]) + (
        f", ... ({len(kinds)} columns)" if len(kinds) > 8 else ""
    )
    return f"task: {table.task}; columns: {shown}"


def _to_float(X):
    return np.asarray(X, dtype=float)


def _model(table, hidden, max_iter, seed):
    """The pipeline the tool trains: impute, scale or one-hot encode, MLP."""
    numeric = [j for j, is_number in enumerate(table.numeric) if is_number]
    categorical = [j for j, is_number in enumerate(table.numeric) if not is_number]
    parts = []
    if numeric:
        parts.append(
            (
                "num",
                make_pipeline(
                    FunctionTransformer(_to_float, feature_names_out="one-to-one"),
                    SimpleImputer(strategy="median"),
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
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            )
        )
    network = (MLPClassifier if table.task == "classification" else MLPRegressor)(
        hidden_layer_sizes=hidden, max_iter=max_iter, random_state=seed
    )
    return make_pipeline(ColumnTransformer(parts), network)


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            "expected positive layer widths separated by commas, e.g. 32,16; "
            f"got {text!r}"
        )
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer; got {text!r}"
        )
    return value


def _nonzero_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of jobs (1, 2, ... or -1 for all cores); got {text!r}"
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


def _add_data_options(parser, hidden=(32, 16)):
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="breast_cancer",
        help="built-in scikit-learn dataset (default: breast_cancer)",
    )
    source.add_argument("--csv", metavar="PATH", help="CSV file with a header row")
    parser.add_argument("--target", metavar="COLUMN", help="target column of --csv")
    parser.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="inferred when omitted",
    )
    parser.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=hidden,
        metavar="W1,W2,...",
        help=f"hidden layer widths (default: {','.join(map(str, hidden))})",
    )
    parser.add_argument(
        "--max-iter",
        type=_positive_int,
        default=1000,
        help="training epochs (default: 1000)",
    )
    parser.add_argument(
        "--bounds",
        choices=ROOT_POINTS,
        default=ROOT_POINTS[0],
        help="root point of the first layer's z^beta rule: the training mean "
        "with each column's inputs as one (column-mean), of every input alone "
        "(mean), or the corner of the data's range (data) (default: "
        f"{ROOT_POINTS[0]})",
    )


def _parser():
    parser = argparse.ArgumentParser(
        prog="skl-lrp",
        description="Explain scikit-learn neural networks with Layer-wise "
        "Relevance Propagation.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_report_command(commands)
    _add_explain_command(commands)
    return parser


def _add_report_command(commands):
    report = commands.add_parser(
        "report",
        help="cross-validated relevance report (HTML and JSON)",
        description="Train an MLP in every fold of a cross-validation, explain "
        "the held-out rows, and report which features the model relies on, "
        "how stable that ranking is across folds, and the conservation check.",
    )
    _add_data_options(report, hidden=(64, 32))
    report.add_argument(
        "--cv", type=_positive_int, default=5, help="number of folds (default: 5)"
    )
    report.add_argument(
        "--rules",
        choices=PRESETS,
        default="deep-taylor",
        help="rule preset (default: deep-taylor)",
    )
    report.add_argument(
        "--n-repeats",
        type=_non_negative_int,
        default=5,
        help="shuffles of each column for permutation importance, the check "
        "beside relevance; 0 skips it (default: 5)",
    )
    report.add_argument(
        "--n-jobs",
        type=_nonzero_int,
        default=None,
        help="folds run in parallel (default: 1)",
    )
    report.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the folds and the network (default: 0)",
    )
    _add_report_outputs(report)


def _add_report_outputs(report):
    report.add_argument(
        "--top", type=_positive_int, default=10, help="features printed (default: 10)"
    )
    report.add_argument(
        "--out",
        default="report.html",
        metavar="PATH",
        help="HTML report (default: report.html)",
    )
    report.add_argument("--json", metavar="PATH", help="also write the report as JSON")


def _add_explain_command(commands):
    explain = commands.add_parser(
        "explain",
        help="train an MLP and explain a few test predictions",
        description="Train an MLP on a built-in dataset or a CSV file, explain "
        "the test rows with Deep Taylor LRP and print the most relevant "
        "features of a few of them, with the conservation check.",
    )
    _add_data_options(explain)
    explain.add_argument(
        "--samples",
        type=_positive_int,
        default=3,
        help="test rows to show (default: 3)",
    )
    explain.add_argument(
        "--top",
        type=_positive_int,
        default=5,
        help="features shown per row (default: 5)",
    )
    explain.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        help="held-out fraction (default: 0.25)",
    )
    explain.add_argument("--random-state", type=int, default=0)


def _report_command(args, out):
    """``skl-lrp report``: load, cross-validate, print, write the files."""
    table = _load(args)
    _check_folds(table, args.cv)
    report = _cross_validate(table, args)
    _print_summary(report, table, args, out)
    _print_features(report, args.top, out)
    _print_ledger(report.ledger, out)
    try:
        report.to_html(args.out, title=f"Relevance report: {table.source}")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(report.to_dict(), handle, indent=2)
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc}") from None
    print(f"written: {args.out}" + (f", {args.json}" if args.json else ""), file=out)
    return 0


def _check_folds(table, cv):
    """Usage errors for a number of folds the data cannot fill."""
    n_samples = len(table.y)
    if cv < 2:
        raise UsageError("--cv needs at least 2 folds")
    if n_samples < cv:
        raise UsageError(f"{n_samples} rows are too few for {cv} folds")
    if table.task != "classification":
        return
    rare = [str(c) for c, k in table.class_counts.items() if k < cv]
    if rare:
        smallest = min(table.class_counts.values())
        advice = (
            f"use --cv {max(2, smallest)} or fewer"
            if smallest >= 2
            else "remove or merge them"
        )
        raise UsageError(
            f"classes with fewer rows than the {cv} folds: "
            f"{', '.join(rare[:5])}; {advice}"
        )


def _cross_validate(table, args):
    model = _model(table, args.hidden, args.max_iter, args.seed)
    # The report's own warnings are printed; Python's copies of them (and
    # the folds' ConvergenceWarning) would only repeat them on stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cross_val_relevance(
            model,
            table.X,
            table.y,
            cv=args.cv,
            rules=args.rules,
            bounds=args.bounds,
            n_repeats=args.n_repeats,
            n_jobs=args.n_jobs,
            verbose=1,
            random_state=args.seed,
            feature_names=table.names,
        )


def _print_summary(report, table, args, out):
    """The lines above the feature table: data, scores, stability, warnings."""
    print(
        f"skl-lrp report: {table.source} ({len(table.y)} rows, {len(table.names)} "
        f"columns), {table.task}, MLP hidden layers {args.hidden}, rules "
        f"{args.rules}, root point {args.bounds}",
        file=out,
    )
    print(_describe(table), file=out)
    print(textwrap.fill(report.settings["meaning"], 88), file=out)
    metric = "accuracy" if table.task == "classification" else "R^2"
    baseline = np.mean(report.baseline_scores)
    print(
        f"{args.cv}-fold {metric}: {report.fold_scores.mean():.3f} "
        f"+/- {report.fold_scores.std():.3f}"
        + (f" (trivial baseline {baseline:.3f})" if np.isfinite(baseline) else ""),
        file=out,
    )
    agreement = report.importance_agreement
    print(
        f"rank stability across folds: Spearman {report.rank_spearman:.2f}, "
        f"Kendall {report.rank_kendall:.2f}"
        + (
            ""
            if agreement is None
            else f"; agreement with permutation importance: Spearman {agreement:.2f}"
        ),
        file=out,
    )
    for warning in report.warnings:
        print(f"warning: {warning['message']}", file=out)


def _number(value):
    """A JSON number, or NaN for None."""
    return np.nan if value is None else value


def _print_features(report, top, out):
    """The ranked feature table, permutation importance beside relevance."""
    rows = report.feature_table()
    permutation = report.permutation_importances_mean is not None
    width = max(len("feature"), *(len(row["name"]) for row in rows))
    print(
        f"\n{'rank':>4}  {'feature':<{width}}  {'mean |R|':>9}  {'std':>8}  "
        f"{'95% interval':>20}  top-{report.top_k}"
        + (f"  {'perm. imp.':>10}  p-rank" if permutation else ""),
        file=out,
    )
    for rank, row in enumerate(rows[:top], start=1):
        print(_feature_line(rank, row, width, permutation), file=out)
    legend = (
        [
            "perm. imp.: mean drop in the held-out score when the column is "
            "shuffled (p-rank: its rank)"
        ]
        if permutation
        else []
    )
    if any(row["flagged"] for row in rows):
        legend.append("!: named in a warning above")
    if legend:
        print("; ".join(legend), file=out)


def _feature_line(rank, row, width, permutation):
    """One row of the feature table, from one row of ``feature_table()``."""
    low, high = (_number(row[key]) for key in ("ci_low", "ci_high"))
    line = (
        f"{rank:>4}  {row['name']:<{width}}  {row['mean_abs_relevance']:>9.4f}  "
        f"{row['std']:>8.4f}  [{low:>8.4f}, {high:>8.4f}]  "
        f"{row['top_k_frequency']:>5.0%}"
    )
    if permutation:
        importance = _number(row["permutation_importance_mean"])
        p_rank = row["permutation_rank"]
        line += f"  {importance:>+10.4f}  {'n/a' if p_rank is None else p_rank:>6}"
    return line + ("  !" if row["flagged"] else "")


def _print_ledger(ledger, out):
    print(
        f"\nconservation: largest |sum of relevance + absorbed - score| = "
        f"{ledger['max_conservation_error']:.1e}; absorbed by biases "
        f"{ledger['bias']:.3g}, stabilizers {ledger['stabilizer']:.3g}, "
        f"vanished neurons {ledger['dead']:.3g}",
        file=out,
    )


def _explain_command(args, out):
    """``skl-lrp explain``: load, split, fit, explain, print."""
    table = _load(args)
    X_train, X_test, y_train, y_test = _split(table, args)
    explainer, converged = _fit_explainer(table, args, X_train, y_train)
    explanation = explainer.explain(X_test)
    test_score = explainer.estimator_.score(X_test, y_test)
    _print_model(table, args, test_score, len(y_test), converged, out)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    targets = explanation.targets[:, 0].tolist()
    width = max(len("sum of relevance"), *(len(name) for name in table.names))
    for row in range(min(args.samples, len(y_test))):
        what = (
            f"predicted {targets[row]!r}"
            if table.task == "classification"
            else "regression"
        )
        print(f"\nsample {row}: {what}, score {scores[row]:+.4f}", file=out)
        _print_sample(
            table.names, X_test[row], relevance[row], scores[row], args.top, width, out
        )
    _print_conservation(relevance, scores, explanation.absorbed_dead[:, 0], out)
    return 0


def _split(table, args):
    try:
        return train_test_split(
            table.X,
            table.y,
            test_size=args.test_size,
            random_state=args.random_state,
            stratify=table.y if table.task == "classification" else None,
        )
    except ValueError as exc:
        raise UsageError(f"cannot split {table.source} for testing: {exc}") from None


def _fit_explainer(table, args, X_train, y_train):
    """The fitted explainer, and whether its network converged."""
    model = _model(table, args.hidden, args.max_iter, args.random_state)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        explainer = RelevanceExplainer(model, bounds=args.bounds)
        explainer.fit(X_train, y_train)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return explainer, converged


def _print_model(table, args, test_score, n_test, converged, out):
    """The lines above the samples: data, model, test score, rules."""
    classification = table.task == "classification"
    print(
        f"skl-lrp explain: {table.source} ({len(table.y)} samples, "
        f"{len(table.names)} features)",
        file=out,
    )
    print(
        f"model: MLP{'Classifier' if classification else 'Regressor'}"
        f"(hidden_layer_sizes={args.hidden}), test "
        f"{'accuracy' if classification else 'R^2'} {test_score:.3f} "
        f"on {n_test} rows"
        + (
            ""
            if converged
            else f" (stopped at --max-iter {args.max_iter} before converging)"
        ),
        file=out,
    )
    score_name = (
        "the logit of the predicted class"
        if classification
        else "the output before its output activation"
    )
    print(
        f"rules: deep-taylor, root point {args.bounds}; score: {score_name}",
        file=out,
    )
    print(textwrap.fill(describe("deep-taylor", args.bounds), 88), file=out)


def _print_sample(names, values, relevance, score, top, width, out):
    """One sample's most relevant features, the rest, and their sum."""
    print(f"  {'feature':<{width}}  {'value':>10}  {'relevance':>10}", file=out)
    order = descending_order(np.abs(relevance))
    for i in order[:top]:
        value = values[i]
        value = f"{value:>10.4g}" if isinstance(value, float) else f"{value!s:>10}"
        print(f"  {names[i]:<{width}}  {value}  {relevance[i]:>+10.4f}", file=out)
    rest = len(names) - len(order[:top])
    if rest:
        other = relevance[order[top:]].sum()
        print(
            f"  {f'({rest} other features)':<{width}}  {'':>10}  {other:>+10.4f}",
            file=out,
        )
    total = relevance.sum()
    print(
        f"  {'sum of relevance':<{width}}  {'':>10}  {total:>+10.4f}  "
        f"(score {score:+.4f}, difference {total - score:+.1e})",
        file=out,
    )


def _print_conservation(relevance, scores, dead, out):
    gap = np.abs(relevance.sum(axis=1) - scores)
    print(
        f"\nconservation over {len(scores)} test rows: "
        f"max |sum of relevance - score| = {gap.max():.1e}",
        file=out,
    )
    lost = np.count_nonzero(dead)
    if lost:
        print(
            f"  {lost} rows lost relevance at a neuron whose contributions "
            "were all zero (see the RelevanceExplainer notes)",
            file=out,
        )


def main(argv=None, out=None):
    """Run the ``skl-lrp`` command line tool.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.
    out : file-like, default=None
        Where to print results; None means standard output. Progress and
        errors go to standard error.

    Returns
    -------
    status : int
        The exit status: 0 on success, 2 for a usage error (reported in one
        line on standard error).

    Examples
    --------
    >>> from skl_lrp._cli import main
    >>> main(["explain", "--dataset", "iris", "--samples", "1", "--top", "2",
    ...       "--max-iter", "50"])  # doctest: +ELLIPSIS
    skl-lrp explain: iris (150 samples, 4 features)
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    command = _report_command if args.command == "report" else _explain_command
    try:
        return command(args, sys.stdout if out is None else out)
    except UsageError as exc:
        print(f"skl-lrp {args.command}: error: {exc}", file=sys.stderr)
        return 2
