"""The ``skl-lrp`` command line tool."""

import argparse
import csv
import sys
import warnings
from math import isfinite

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from ._explainer import RelevanceExplainer

DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, True),
    "wine": (datasets.load_wine, True),
    "iris": (datasets.load_iris, True),
    "digits": (datasets.load_digits, True),
    "diabetes": (datasets.load_diabetes, False),
}


def _load_builtin(name):
    loader, is_classification = DATASETS[name]
    bunch = loader()
    names = [str(f) for f in bunch.feature_names]
    y = bunch.target
    if is_classification and hasattr(bunch, "target_names"):
        y = np.asarray(bunch.target_names)[y]
    return bunch.data.astype(float), y, names, is_classification


def _as_float(value):
    try:
        number = float(value)
    except ValueError:
        return None
    return number if isfinite(number) else None


def _load_csv(path, target):
    try:
        with open(path, newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SystemExit(f"error: cannot read {path}: {exc}") from None
    if len(rows) < 2:
        raise SystemExit(f"error: {path} needs a header row and at least one data row")
    header, rows = rows[0], rows[1:]
    if target not in header:
        raise SystemExit(
            f"error: --target {target!r} is not a column of {path}; "
            f"columns: {', '.join(header)}"
        )
    t = header.index(target)
    names = [name for i, name in enumerate(header) if i != t]
    X = np.empty((len(rows), len(names)))
    for r, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise SystemExit(
                f"error: {path} line {r} has {len(row)} fields, expected {len(header)}"
            )
        values = [value for i, value in enumerate(row) if i != t]
        for c, value in enumerate(values):
            number = _as_float(value)
            if number is None:
                raise SystemExit(
                    f"error: column {names[c]!r} of {path} line {r} is not a "
                    f"finite number ({value!r}); skl-lrp explain needs numeric "
                    "feature columns"
                )
            X[r - 2, c] = number
    labels = [row[t] for row in rows]
    numbers = [_as_float(value) for value in labels]
    if any(number is None for number in numbers):
        return X, np.asarray(labels), names, True
    y = np.asarray(numbers)
    # Whole numbers with few distinct values are classes; anything else is a
    # quantity to regress.
    is_classification = bool(np.all(y == np.round(y)) and len(np.unique(y)) <= 20)
    return X, (y.astype(int) if is_classification else y), names, is_classification


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


def _parser():
    parser = argparse.ArgumentParser(
        prog="skl-lrp",
        description="Explain scikit-learn neural networks with Layer-wise "
        "Relevance Propagation.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser(
        "explain",
        help="train an MLP on a dataset and explain test predictions",
        description="Train an MLP on a built-in dataset or a CSV file, explain "
        "the test rows with Deep Taylor LRP and print the most relevant "
        "features of a few of them, with the conservation check.",
    )
    source = explain.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="breast_cancer",
        help="built-in scikit-learn dataset (default: breast_cancer)",
    )
    source.add_argument("--csv", metavar="PATH", help="CSV file with a header row")
    explain.add_argument("--target", metavar="COLUMN", help="target column of --csv")
    explain.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=(32, 16),
        metavar="W1,W2,...",
        help="hidden layer widths (default: 32,16)",
    )
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
    explain.add_argument(
        "--max-iter",
        type=_positive_int,
        default=1000,
        help="training epochs (default: 1000)",
    )
    explain.add_argument("--random-state", type=int, default=0)
    return parser


def _explain(args, out):
    if args.csv is not None:
        if args.target is None:
            raise SystemExit("error: --csv needs --target COLUMN")
        X, y, names, is_classification = _load_csv(args.csv, args.target)
        source = args.csv
    else:
        if args.target is not None:
            raise SystemExit("error: --target goes with --csv")
        X, y, names, is_classification = _load_builtin(args.dataset)
        source = args.dataset
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=args.test_size,
            random_state=args.random_state,
            stratify=y if is_classification else None,
        )
    except ValueError as exc:
        raise SystemExit(f"error: cannot split {source} for testing: {exc}") from None
    # Standardizing is one-to-one per column, so relevance of a scaled column
    # is relevance of the original column.
    scaler = StandardScaler().fit(X_train)
    model_class = MLPClassifier if is_classification else MLPRegressor
    mlp = model_class(
        hidden_layer_sizes=args.hidden,
        max_iter=args.max_iter,
        random_state=args.random_state,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        explainer = RelevanceExplainer(mlp).fit(scaler.transform(X_train), y_train)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    X_test_scaled = scaler.transform(X_test)
    explanation = explainer.explain(X_test_scaled)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    metric = "accuracy" if is_classification else "R^2"
    test_score = explainer.estimator_.score(X_test_scaled, y_test)

    print(
        f"skl-lrp explain: {source} ({len(X)} samples, {X.shape[1]} features)", file=out
    )
    print(
        f"model: {type(mlp).__name__}(hidden_layer_sizes={args.hidden}), "
        f"test {metric} {test_score:.3f} on {len(X_test)} rows"
        + (
            ""
            if converged
            else f" (stopped at --max-iter {args.max_iter} before converging)"
        ),
        file=out,
    )
    score_name = (
        "the logit of the predicted class"
        if is_classification
        else "the output before its output activation"
    )
    print(
        f"rules: deep-taylor (z^beta on the first layer, z^+ above); score: "
        f"{score_name}",
        file=out,
    )
    width = max(len("sum of relevance"), *(len(name) for name in names))
    targets = explanation.targets[:, 0].tolist()
    for row in range(min(args.samples, len(X_test))):
        what = f"predicted {targets[row]!r}" if is_classification else "regression"
        print(f"\nsample {row}: {what}, score {scores[row]:+.4f}", file=out)
        print(f"  {'feature':<{width}}  {'value':>10}  {'relevance':>10}", file=out)
        order = np.argsort(-np.abs(relevance[row]), kind="stable")
        shown = order[: args.top]
        for i in shown:
            print(
                f"  {names[i]:<{width}}  {X_test[row, i]:>10.4g}  "
                f"{relevance[row, i]:>+10.4f}",
                file=out,
            )
        rest = len(names) - len(shown)
        if rest:
            other = relevance[row, order[args.top :]].sum()
            print(
                f"  {f'({rest} other features)':<{width}}  {'':>10}  {other:>+10.4f}",
                file=out,
            )
        total = relevance[row].sum()
        print(
            f"  {'sum of relevance':<{width}}  {'':>10}  {total:>+10.4f}  "
            f"(score {scores[row]:+.4f}, difference {total - scores[row]:+.1e})",
            file=out,
        )
    gap = np.abs(relevance.sum(axis=1) - scores)
    lost = np.count_nonzero(gap > 1e-9 * np.maximum(1.0, np.abs(scores)))
    print(
        f"\nconservation over {len(X_test)} test rows: "
        f"max |sum of relevance - score| = {gap.max():.1e}",
        file=out,
    )
    if lost:
        print(
            f"  {lost} rows lost relevance at a neuron whose contributions "
            "were all zero (see the RelevanceExplainer notes)",
            file=out,
        )
    return 0


def main(argv=None, out=None):
    """Run the ``skl-lrp`` command line tool.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.
    out : file-like, default=None
        Where to print; None means standard output.

    Returns
    -------
    status : int
        The exit status, 0 on success.

    Examples
    --------
    >>> from skl_lrp._cli import main
    >>> main(["explain", "--dataset", "iris", "--samples", "1", "--top", "2",
    ...       "--max-iter", "50"])  # doctest: +ELLIPSIS
    skl-lrp explain: iris (150 samples, 4 features)
    ...
    0
    """
    args = _parser().parse_args(argv)
    return _explain(args, sys.stdout if out is None else out)
