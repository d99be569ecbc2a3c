"""The ``skl-lrp`` command line tool: ``explain`` and ``report`` (and
``clusters`` and ``outliers``, in :mod:`skl_lrp._cli_clusters`).

Both commands share one set of options (data, model, rules, seed, jobs,
outputs); results go to standard output, flushed line by line, and progress
and errors to standard error. Every problem with the user's input is one line
on standard error and exit code 2 (the "Command line" table of
docs/errors.rst); Ctrl-C is one line and exit code 130.
"""

import argparse
import contextlib
import math
import os
import signal
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline

from . import __version__
from ._baseline import held_out_background
from ._checks import constant_warnings
from ._cli_common import (
    SEED_MAX,
    _dump_json,
    _fraction,
    _non_negative_int,
    _nonzero_int,
    _positive_int,
    _seed,
    _write,
    add_data_options,
    preprocessing,
    write_report_files,
)
from ._composites import (
    PRESETS,
    describe,
    describe_baseline,
    resolve_auto,
    uses_rescale,
)
from ._explainer import RelevanceExplainer
from ._ranking import descending_order
from ._report import HELD_OUT, cross_val_relevance
from ._rules import ROOT_POINTS
from ._stream import CHUNK_ROWS, file_format
from ._tables import UsageError, literal, load


def _model(table, hidden, max_iter, seed):
    """The pipeline the tool trains: impute, scale or one-hot encode, MLP."""
    network = (MLPClassifier if table.task == "classification" else MLPRegressor)(
        hidden_layer_sizes=hidden, max_iter=max_iter, random_state=seed
    )
    return make_pipeline(*preprocessing(table), network)


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            "expected positive layer widths separated by commas, e.g. 64,32; "
            f"got {text!r}"
        )
    return sizes


HIDDEN = (64, 32)


def _add_common_options(parser):
    """The options that ``report`` and ``explain`` share."""
    add_data_options(parser)
    model = parser.add_argument_group("model and explanation")
    model.add_argument(
        "--hidden-layers",
        "--hidden",
        dest="hidden",
        type=_hidden_sizes,
        default=HIDDEN,
        metavar="W1,W2,...",
        help=f"hidden layer widths (default: {','.join(map(str, HIDDEN))})",
    )
    model.add_argument(
        "--max-iter",
        type=_positive_int,
        default=1000,
        help="training epochs (default: 1000)",
    )
    model.add_argument(
        "--rules",
        choices=("auto", *PRESETS),
        default="auto",
        help="rule preset; auto: rescale (against background rows) for a "
        "regression, deep-taylor for a classification (default: auto)",
    )
    model.add_argument(
        "--bounds",
        choices=("auto", *ROOT_POINTS),
        default="auto",
        help="root point of the first layer's z^beta rule: the training mean "
        "with each column's inputs as one (column-mean), of every input alone "
        "(mean), or the corner of the data's range (data); auto: "
        f"{ROOT_POINTS[0]} (default: auto)",
    )
    model.add_argument(
        "--baseline",
        type=_baseline,
        default="auto",
        metavar="{auto,none,mean,K}",
        help="what each score is explained against: nothing (none), the "
        "average row (mean), or K background rows drawn from the training "
        "rows; auto: 32 rows for the rescale rules, none otherwise (default: "
        "auto)",
    )
    model.add_argument(
        "--seed",
        "--random-state",
        dest="seed",
        type=_seed,
        default=0,
        help="seed of the folds (report) or the test split (explain), and of the "
        f"network: 0 to {SEED_MAX} (default: 0)",
    )
    model.add_argument(
        "--n-jobs",
        type=_nonzero_int,
        default=None,
        help="parallel jobs: folds (report) or batches (explain); -1 for all "
        "cores (default: 1)",
    )
    return model, parser.add_argument_group("output")


def _baseline(text):
    """``--baseline``: "auto", "none", "mean" or a number of rows >= 1."""
    if text in ("auto", "mean"):
        return text
    if text == "none":
        return None
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1 or str(count) != text.strip():
        raise argparse.ArgumentTypeError(
            f"expected auto, none, mean or a number of rows >= 1; got {text!r}"
        )
    return count


def _parser():
    parser = argparse.ArgumentParser(
        prog="skl-lrp",
        description="Explain scikit-learn neural networks with Layer-wise "
        "Relevance Propagation.",
    )
    parser.add_argument("--version", action="version", version=f"skl-lrp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_report_command(commands)
    _add_explain_command(commands)
    from . import _cli_clusters  # (it builds on this module's options)

    _cli_clusters.add_commands(commands)
    return parser, commands.choices


def _add_report_command(commands):
    report = commands.add_parser(
        "report",
        help="cross-validated relevance report (HTML and JSON)",
        description="Train an MLP in every fold of a cross-validation, explain "
        "the held-out rows, and report which features the model relies on, "
        "how stable that ranking is across folds, and the conservation check.",
    )
    model, output = _add_common_options(report)
    model.add_argument(
        "--cv", type=_positive_int, default=5, help="number of folds (default: 5)"
    )
    model.add_argument(
        "--n-repeats",
        type=_non_negative_int,
        default=5,
        help="shuffles of each column for permutation importance, the check "
        "beside relevance; 0 skips it (default: 5)",
    )
    output.add_argument(
        "--top", type=_positive_int, default=10, help="features printed (default: 10)"
    )
    output.add_argument(
        "--out",
        default="report.html",
        metavar="PATH",
        help="HTML report (default: report.html)",
    )
    output.add_argument("--json", metavar="PATH", help="also write the report as JSON")


def _add_explain_command(commands):
    explain = commands.add_parser(
        "explain",
        help="train an MLP and explain a few test predictions",
        description="Train an MLP on a built-in dataset or a data file, explain "
        "the held-out test rows and print the most relevant features of a few "
        "of them, with the conservation check.",
    )
    model, output = _add_common_options(explain)
    model.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        help="held-out fraction (default: 0.25)",
    )
    output.add_argument(
        "--samples",
        type=_positive_int,
        default=3,
        help="test rows to show (default: 3)",
    )
    output.add_argument(
        "--top",
        type=_positive_int,
        default=5,
        help="features shown per row (default: 5)",
    )
    output.add_argument(
        "--out",
        metavar="PATH",
        help="write every test row's relevance as CSV (row, target, score, "
        "one column per feature)",
    )
    output.add_argument(
        "--json", metavar="PATH", help="write every test row's relevance as JSON"
    )
    saved = explain.add_argument_group(
        "a saved explainer over a file (streamed: memory holds one chunk)"
    )
    saved.add_argument(
        "--explainer",
        metavar="FILE",
        help="a fitted RelevanceExplainer saved with skops.io.dump (.skops); "
        "with it, explain reads --input and writes --output; the options above "
        "do not apply and are refused",
    )
    saved.add_argument(
        "--input", metavar="PATH", help="Parquet or CSV file of rows to explain"
    )
    saved.add_argument(
        "--output",
        metavar="PATH",
        help="Parquet or CSV file to write: row, each column's relevance, "
        "target, score, baseline, absorbed (sum of relevance + absorbed = "
        "score - baseline)",
    )
    saved.add_argument(
        "--chunk-rows",
        type=_positive_int,
        help=f"rows read and explained at a time (default: {CHUNK_ROWS})",
    )
    saved.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a pickle or joblib --explainer file (unpickling runs "
        "code from the file: only for files you trust)",
    )


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.abspath(a) == os.path.abspath(b)


# The saved explainer's options, which mean nothing without --explainer.
SAVED_EXPLAINER_FLAGS = ("input", "output", "chunk_rows", "allow_pickle")


def _check_no_saved_explainer_flags(args):
    """A usage error for an option of ``explain --explainer`` without it."""
    given = [
        f for f in SAVED_EXPLAINER_FLAGS if getattr(args, f, None) not in (None, False)
    ]
    if given:
        flag = "--" + given[0].replace("_", "-")
        raise UsageError(
            f"{flag} goes with --explainer FILE (a saved explainer over a file); "
            "without it, explain trains on --csv or --parquet"
        )


def _check_outputs(args):
    """Usage errors for output paths that cannot be written, before any work."""
    source = args.csv if args.csv is not None else args.parquet
    source_flag = "--csv" if args.csv is not None else "--parquet"
    if args.out and args.json and _same_file(args.out, args.json):
        raise UsageError(f"--out and --json name the same file: {literal(args.out)}")
    for flag in ("out", "json"):
        path = getattr(args, flag)
        if path is not None and source is not None and _same_file(path, source):
            raise UsageError(
                f"--{flag} {literal(path)} is the {source_flag} file: writing it "
                "would overwrite your data"
            )
    for flag in ("out", "json"):
        if getattr(args, flag) is not None:
            _check_writable(flag, getattr(args, flag))


def _check_writable(flag, path):
    """A usage error unless `path` (given to --`flag`) can be written."""
    name = f"--{flag} {literal(path)}"
    if os.path.isdir(path):
        raise UsageError(f"{name} is a folder; give a file path")
    folder = os.path.dirname(path) or "."
    if not os.path.exists(folder):
        raise UsageError(f"{name}: the folder {literal(folder)} does not exist")
    if not os.path.isdir(folder):
        raise UsageError(f"{name}: {literal(folder)} is a file, not a folder")
    # Opening is the only sure test (permissions, read-only mounts, root).
    existed = os.path.exists(path)
    try:
        with open(path, "a" if existed else "x", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{name}: cannot write it: {exc.strerror}") from None
    if not existed:
        os.remove(path)


def _report_command(args, out):
    """``skl-lrp report``: load, cross-validate, print, write the files."""
    table = load(args)
    _check_folds(table, args.cv)
    _print_header(table, args, out)
    report = _cross_validate(table, args)
    _print_scores(report, table, args, out)
    _print_features(report, args.top, out)
    _print_ledger(report.guardrails.ledger, out)
    write_report_files(report, args, f"Relevance report: {table.source}", out)
    return 0


def _check_folds(table, cv):
    """Usage errors for a number of folds the data cannot fill."""
    n_samples = len(table.y)
    if cv < 2:
        raise UsageError("--cv needs at least 2 folds")
    if n_samples < cv:
        raise UsageError(f"--cv {cv}: {n_samples} rows are too few for {cv} folds")
    if table.task != "classification":
        return
    rare = [literal(c) for c, k in table.class_counts.items() if k < cv]
    if rare:
        smallest = min(table.class_counts.values())
        advice = (
            f"use --cv {max(2, smallest)} or fewer"
            if smallest >= 2
            else "remove or merge those rows"
        )
        raise UsageError(
            f"--cv {cv}: every training fold needs every class of the --target "
            f"column, and these have fewer rows than the {cv} folds: "
            f"{', '.join(rare[:5])}; {advice}"
        )


@contextlib.contextmanager
def _fold_progress(total):
    """``(verbose, progress)`` for cross_val_relevance: a tqdm bar on a
    terminal (the ``cli`` extra), else the report's own plain line there.

    Without a terminal on standard error nothing is shown.
    """
    if not sys.stderr.isatty():
        yield 0, None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield 1, None
        return
    bar = tqdm(total=total, unit="fold", desc="folds", file=sys.stderr, leave=False)

    def progress(done, total, fold):
        bar.set_postfix_str(f"fold {fold['index'] + 1}: score {fold['score']:.3g}")
        bar.update(done - bar.n)
        bar.refresh()  # folds are few and long: show each one

    try:
        yield 0, progress
    finally:
        bar.close()


def _cross_validate(table, args):
    model = _model(table, args.hidden, args.max_iter, args.seed)
    # The report's own warnings are printed; Python's copies of them (and
    # the folds' ConvergenceWarning) would only repeat them on stderr.
    with warnings.catch_warnings(), _fold_progress(args.cv) as (verbose, progress):
        warnings.simplefilter("ignore")
        return cross_val_relevance(
            model,
            table.X,
            table.y,
            cv=args.cv,
            rules=args.rules,
            bounds=args.bounds,
            baseline=args.baseline,
            n_repeats=args.n_repeats,
            n_jobs=args.n_jobs,
            verbose=verbose,
            progress=progress,
            random_state=args.seed,
            feature_names=table.names,
        )


def _describe(table, dropped=()):
    """What the tool inferred from the data: every column, grouped by kind,
    and those left out (``--drop``)."""
    parts = []
    for kind, wanted in (("numeric", True), ("categorical", False)):
        names = [literal(n) for n, k in zip(table.names, table.numeric) if k == wanted]
        if names:
            parts.append(f"{len(names)} {kind}: {', '.join(names)}")
    if dropped:
        names = dict.fromkeys(literal(name) for name in dropped)
        parts.append(f"{len(names)} left out: {', '.join(names)}")
    return textwrap.fill(
        f"task: {table.task}; columns: {'; '.join(parts)}", 88, break_on_hyphens=False
    )


def _print_header(table, args, out):
    """The lines printed before the work: data, model, settings."""
    print(
        f"skl-lrp {args.command}: {literal(table.source)} ({len(table.y)} rows, "
        f"{len(table.names)} column{'s' * (len(table.names) != 1)}), {table.task}, "
        "MLP hidden layers "
        f"{args.hidden}, {_settings(table, args)}, seed {args.seed}",
        file=out,
    )
    print(_describe(table, args.drop), file=out)
    if table.reading is not None:
        print(f"read as: {table.reading}", file=out)
    rules, bounds, baseline = _resolved(table, args)
    source = HELD_OUT if args.command == "report" else "the held-out rows"
    print(textwrap.fill(describe(rules, bounds, baseline, source), 88), file=out)


def _resolved(table, args):
    """The rules, root point and baseline in effect ("auto" resolved)."""
    classifier = table.task == "classification"
    return resolve_auto(args.rules, args.bounds, args.baseline, classifier)


def _settings(table, args):
    """The explanation's settings, as the header names them."""
    rules, bounds, baseline = _resolved(table, args)
    parts = [f"rules {rules}" + (" (auto)" if args.rules == "auto" else "")]
    if not uses_rescale(rules):  # (Rescale has no root point)
        parts.append(f"root point {bounds}")
    if baseline is None:
        parts.append("no baseline")
    elif baseline == "mean":
        parts.append("baseline: the average training row")
    else:
        parts.append(f"baseline: {baseline} held-out rows")
    return ", ".join(parts)


def _print_scores(report, table, args, out):
    """The lines above the feature table: scores, stability, warnings."""
    metric = "accuracy" if table.task == "classification" else "R^2"
    scores = np.asarray(report.performance.test_scores, dtype=float)
    baseline = np.mean(report.performance.baseline_scores)
    if np.all(np.isfinite(scores)):
        # (scaled: the squares of an R^2 of -1e170, a diverged fold's, overflow)
        scale = max(1.0, float(np.max(np.abs(scores))))
        mean, std = scores.mean(), (scores / scale).std() * scale
        line = f"{args.cv}-fold {metric}: {_score(mean)} +/- {_score(std)}"
    else:
        bad = [str(k + 1) for k in np.flatnonzero(~np.isfinite(scores))]
        line = (
            f"{args.cv}-fold {metric}: not a finite number in fold(s) "
            f"{', '.join(bad)} (the network's outputs overflowed; rescale the "
            "columns or the target)"
        )
    if np.isfinite(baseline):
        line += f" (trivial baseline {baseline:.3f})"
    print(line, file=out)
    undefined = report.undefined_figures()
    if undefined["rank_agreement"] is None:
        line = (
            f"rank stability across folds: Spearman {report.stability.spearman:.2f}, "
            f"Kendall {report.stability.kendall:.2f}"
        )
    else:
        line = f"rank stability across folds: n/a ({undefined['rank_agreement']})"
    if report.permutation is not None:
        line += "; agreement with permutation importance: " + (
            f"Spearman {report.permutation.agreement:.2f}"
            if undefined["importance_agreement"] is None
            else f"n/a ({undefined['importance_agreement']})"
        )
    print(line, file=out)
    for warning in report.guardrails.warnings:
        print(f"warning: {literal(warning['message'])}", file=out)


def _score(value):
    """A score with 3 decimals, or 3 significant digits beyond a million."""
    return f"{value:.3f}" if abs(value) < 1e6 else f"{value:.3g}"


def _shown(value, spec):
    """`value` formatted with `spec` (3 significant digits from a million
    on), or "n/a" for None or a value that is not a finite number (no "nan"
    or "inf" on the terminal)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if spec.endswith("f") and abs(value) >= 1e6:  # (not 90 digits wide)
        spec = spec[: spec.index(".")] + ".3g"
    return format(value, spec)


def _print_features(report, top, out):
    """The ranked feature table, permutation importance beside relevance."""
    rows = report.feature_table()
    names = [literal(row["name"]) for row in rows]
    permutation = report.permutation is not None
    width = max(len("feature"), *(len(name) for name in names))
    print(
        f"\n{'rank':>4}  {'feature':<{width}}  {'mean |R|':>9}  {'std':>8}  "
        f"{'95% interval':>20}  top-{report.stability.top_k}"
        + (f"  {'perm. imp.':>10}  p-rank" if permutation else ""),
        file=out,
    )
    for rank, (row, name) in enumerate(zip(rows[:top], names), start=1):
        print(_feature_line(rank, row, name, width, permutation), file=out)
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


def _feature_line(rank, row, name, width, permutation):
    """One row of the feature table, from one row of ``feature_table()``."""
    low, high = (_shown(row[key], ".4f") for key in ("ci_low", "ci_high"))
    line = (
        f"{rank:>4}  {name:<{width}}  {_shown(row['mean_abs_relevance'], '.4f'):>9}  "
        f"{_shown(row['std'], '.4f'):>8}  [{low:>8}, {high:>8}]  "
        f"{row['top_k_frequency']:>5.0%}"
    )
    if permutation:
        importance = _shown(row["permutation_importance_mean"], "+.4f")
        p_rank = row["permutation_rank"]
        line += f"  {importance:>10}  {'n/a' if p_rank is None else p_rank:>6}"
    return line + ("  !" if row["flagged"] else "")


def _print_ledger(ledger, out):
    print(
        "\nconservation: largest |sum of relevance + absorbed - (score - baseline)| = "
        f"{_shown(ledger['max_conservation_error'], '.1e')}; absorbed by biases "
        f"{_shown(ledger['bias'], '.3g')}, stabilizers "
        f"{_shown(ledger['stabilizer'], '.3g')}, "
        f"vanished neurons {_shown(ledger['dead'], '.3g')}",
        file=out,
    )


def _explain_command(args, out):
    """``skl-lrp explain``: load, split, fit, explain, print, write."""
    table = load(args)
    train, test = _split(table, args)
    _print_header(table, args, out)
    found = constant_warnings(table.X, table.names)  # (report's: in its checks)
    for warning in found:
        print(f"warning: {literal(warning['message'])}", file=out)
    X_train, X_test = table.X[train], table.X[test]
    y_train, y_test = table.y[train], table.y[test]
    # Background rows, where drawn, come from the held-out rows, as in a
    # report: compared with rows the model has not seen either.
    baseline = held_out_background(X_test, _resolved(table, args)[2], args.seed)
    explainer, converged = _fit_explainer(table, args, X_train, y_train, baseline)
    # What matters is printed (convergence, the conservation check); Python's
    # warnings (e.g. a category met only in the test rows) would only add noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explanation = explainer.explain(X_test)
        test_score = explainer.estimator_.score(X_test, y_test)
    _print_model(table, args, test_score, len(y_test), converged, out)
    relevance, scores = explanation.relevance[:, 0], explanation.scores[:, 0]
    baseline = explanation.baseline[:, 0]
    targets = explanation.targets[:, 0].tolist()
    names = [literal(name) for name in table.names]
    width = max(len("sum of relevance"), *(len(name) for name in names))
    for k in range(min(args.samples, len(y_test))):
        what = (
            f"predicted {literal(targets[k])!r}"
            if table.task == "classification"
            else "regression"
        )
        against = ""
        if baseline[k]:
            against = (
                f" (baseline {_shown(baseline[k], '+.4f')}: change "
                f"{_shown(scores[k] - baseline[k], '+.4f')})"
            )
        print(
            f"\n{table.rows[test[k]]}: {what}, score {_shown(scores[k], '+.4f')}"
            + against,
            file=out,
        )
        _print_sample(
            names, X_test[k], relevance[k], scores[k], baseline[k], args.top, width, out
        )
    _print_conservation(
        relevance, scores - baseline, explanation.absorbed_dead[:, 0], out
    )
    rows = [table.rows[i] for i in test]
    if args.out:
        _write(
            "out",
            args.out,
            lambda h: _relevance_csv(
                h, table.names, rows, targets, scores, baseline, relevance
            ),
        )
    if args.json:
        rules, bounds, used = _resolved(table, args)
        data = {
            "source": table.source,
            "task": table.task,
            "rules": rules if isinstance(rules, str) else repr(rules),
            "bounds": bounds,
            "baseline": describe_baseline(used, "the held-out rows"),
            "feature_names": table.names,
            "warnings": found,
            "rows": [
                {
                    "row": row,
                    "target": target,
                    "score": score,
                    "baseline": base,
                    "relevance": values,
                }
                for row, target, score, base, values in zip(
                    rows,
                    targets,
                    scores.tolist(),
                    baseline.tolist(),
                    relevance.tolist(),
                )
            ],
        }
        _write("json", args.json, lambda handle: _dump_json(data, handle))
    if args.out or args.json:
        written = ", ".join(literal(p) for p in (args.out, args.json) if p)
        print(f"written: {written}", file=out)
    return 0


def _relevance_csv(handle, names, rows, targets, scores, baseline, relevance):
    import csv

    writer = csv.writer(handle)
    writer.writerow(["row", "target", "score", "baseline", *names])
    for row, target, score, base, values in zip(
        rows, targets, scores, baseline, relevance
    ):
        writer.writerow(
            [row, target, repr(float(score)), repr(float(base))]
            + list(map(repr, values.tolist()))
        )


def _split(table, args):
    """Training and test row positions, with usage errors in the user's terms."""
    n = len(table.y)
    positions = np.arange(n)
    stratify = None
    if table.task == "classification":
        stratify = table.y
        single = [literal(c) for c, k in table.class_counts.items() if k < 2]
        if single:
            raise UsageError(
                f"the --target column has classes with a single row: "
                f"{', '.join(single[:5])}; explain holds out a share of every "
                "class for testing, so each needs 2 rows or more: remove or "
                "merge them"
            )
        n_classes = len(table.class_counts)
        n_test = math.ceil(args.test_size * n)
        if n_test < n_classes or n - n_test < n_classes:
            raise UsageError(
                f"--test-size {args.test_size} splits the {n} rows into {n - n_test} "
                f"for training and {n_test} for testing; each part needs every "
                f"one of the {n_classes} classes of the --target column: choose "
                "another --test-size"
            )
    elif n < 4:
        raise UsageError(f"{n} rows are too few to hold some out for testing")
    try:
        return train_test_split(
            positions,
            test_size=args.test_size,
            random_state=args.seed,
            stratify=stratify,
        )
    except ValueError as exc:
        raise UsageError(
            f"--test-size {args.test_size}: cannot split the rows: {exc}"
        ) from None


def _fit_explainer(table, args, X_train, y_train, baseline):
    """The fitted explainer, and whether its network converged."""
    model = _model(table, args.hidden, args.max_iter, args.seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", ConvergenceWarning)
        explainer = RelevanceExplainer(
            model,
            rules=args.rules,
            bounds=args.bounds,
            baseline=baseline,
            random_state=args.seed,
            n_jobs=args.n_jobs,
        )
        explainer.fit(X_train, y_train)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return explainer, converged


def _print_model(table, args, test_score, n_test, converged, out):
    """The lines above the samples: model, test score, score explained."""
    classification = table.task == "classification"
    score = f"{test_score:.3f}" if np.isfinite(test_score) else "not a finite number"
    print(
        f"model: MLP{'Classifier' if classification else 'Regressor'}"
        f"(hidden_layer_sizes={args.hidden}), test "
        f"{'accuracy' if classification else 'R^2'} {score} on {n_test} rows"
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
    print(f"explained score: {score_name}", file=out)


def _print_sample(names, values, relevance, score, baseline, top, width, out):
    """One sample's most relevant features, the rest, and their sum (against
    the score minus its baseline)."""
    print(f"  {'feature':<{width}}  {'value':>10}  {'relevance':>10}", file=out)
    order = descending_order(np.abs(relevance))
    for i in order[:top]:
        value = values[i]
        if isinstance(value, float):  # (NaN: a missing cell, imputed)
            value = f"{value:>10.4g}" if np.isfinite(value) else f"{'missing':>10}"
        else:
            value = f"{literal(value):>10}"
        shown = _shown(relevance[i], "+.4f")
        print(f"  {names[i]:<{width}}  {value}  {shown:>10}", file=out)
    rest = len(names) - len(order[:top])
    if rest:
        other = _shown(relevance[order[top:]].sum(), "+.4f")
        label = f"({rest} other feature{'s' * (rest != 1)})"
        print(f"  {label:<{width}}  {'':>10}  {other:>10}", file=out)
    total = relevance.sum()
    explained = (
        f"score {_shown(score, '+.4f')}"
        if not baseline
        else f"score - baseline {_shown(score - baseline, '+.4f')}"
    )
    print(
        f"  {'sum of relevance':<{width}}  {'':>10}  {_shown(total, '+.4f'):>10}  "
        f"({explained}, difference {_shown(total - (score - baseline), '+.1e')})",
        file=out,
    )


def _print_conservation(relevance, change, dead, out):
    """The largest gap between a row's relevance and its score's change
    (the score minus its baseline, the score itself without one)."""
    gap = np.abs(relevance.sum(axis=1) - change)
    print(
        f"\nconservation over {len(change)} test rows: "
        f"max |sum of relevance - (score - baseline)| = {_shown(gap.max(), '.1e')}",
        file=out,
    )
    lost = np.count_nonzero(dead)
    if lost:
        print(
            f"  {lost} rows lost relevance at a neuron whose contributions "
            "were all zero (see the RelevanceExplainer notes)",
            file=out,
        )


class _Flushed:
    """A text stream flushed at every write, that goes quiet once its reader
    has gone (``skl-lrp report | head``): the work and its files go on."""

    def __init__(self, stream):
        self.stream = stream
        self.closed = False

    def write(self, text):
        if self.closed:
            return len(text)
        try:
            count = self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            self.closed = True
            if self.stream is sys.stdout:  # no second error at exit
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
            return len(text)
        return count

    def flush(self):
        pass


def _blas_threads():
    """One BLAS thread per job, unless the user chose through the environment.

    The tool trains small networks on small batches, where OpenBLAS's threads
    gain nothing and, on busy cores, spin and wait: one MLP fit on digits took
    1.1 s with one thread and 3.8 to 6.8 s with two, and ``report --dataset
    digits --n-jobs 1`` 96 s (60 s of CPU) against 23 s (16 s of CPU) with
    one thread, on two busy cores. joblib's worker processes (``--n-jobs
    2``) already get one thread each, which is why they seemed 4 times faster.
    """
    chosen = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    if any(name in os.environ for name in chosen):
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


class _Interrupted(BaseException):
    """Ctrl-C, raised instead of KeyboardInterrupt: scikit-learn's MLP
    training catches KeyboardInterrupt and only stops early."""


def _start_resource_tracker():
    """Start multiprocessing's resource tracker now, if it will be needed.

    Python up to 3.12 starts it with SIGINT blocked and then unblocks SIGINT
    in the calling thread, whatever its mask was: started later (by joblib's
    first worker), it would let Ctrl-C reach the workers again.
    """
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except (ImportError, AttributeError, OSError):
        pass


@contextlib.contextmanager
def _interruptible(parallel=False):
    """Turn Ctrl-C into :class:`_Interrupted`, and keep it from the workers.

    SIGINT is blocked in the main thread while a helper thread, started
    before, leaves it open; the handler still runs in the main thread.
    Threads and joblib's worker processes started meanwhile inherit the
    blocked signal, so a Ctrl-C in the terminal (sent to every process of
    the group) interrupts the tool once, and joblib stops the workers.
    """
    main_thread = threading.current_thread() is threading.main_thread()
    if (
        not main_thread
        or not hasattr(signal, "pthread_sigmask")
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):  # not the main thread, Windows, or SIGINT ignored or handled by the caller
        yield
        return

    def interrupt(signum, frame):
        raise _Interrupted

    if parallel:
        _start_resource_tracker()

    previous = signal.signal(signal.SIGINT, interrupt)
    done = threading.Event()
    threading.Thread(target=done.wait, name="skl-lrp-sigint", daemon=True).start()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        signal.signal(signal.SIGINT, previous)
        done.set()


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
        line on standard error), 130 when interrupted (Ctrl-C), 1 for an
        unexpected failure (one line; ``SKL_LRP_TRACEBACK=1`` shows the
        traceback).

    Examples
    --------
    >>> from skl_lrp._cli import main
    >>> main(["explain", "--dataset", "iris", "--samples", "1", "--top", "2",
    ...       "--max-iter", "50"])  # doctest: +ELLIPSIS
    skl-lrp explain: iris (150 rows, 4 columns), classification, ...
    ...
    0
    """
    parser, commands = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # in the words of the command, as its other errors
        # (shown escaped: an argument may hold control characters)
        shown = " ".join(literal(argument) for argument in unknown)
        commands[args.command].error(f"unrecognized arguments: {shown}")
    from ._cli_clusters import clusters_command, outliers_command

    command = {
        "report": _report_command,
        "explain": _explain_command,
        "clusters": clusters_command,
        "outliers": outliers_command,
    }[args.command]
    streaming = args.command == "explain" and args.explainer is not None
    if streaming:
        command = _stream_command
    prefix = f"skl-lrp {args.command}"
    try:
        if streaming:
            _check_no_training_options(argv)
            _check_stream_paths(args)
        else:
            _check_no_saved_explainer_flags(args)
            _check_outputs(args)
        parallel = args.command == "report" and args.n_jobs not in (None, 1)
        with _interruptible(parallel), _blas_threads():
            return command(args, _Flushed(sys.stdout if out is None else out))
    except UsageError as exc:
        print(f"{prefix}: error: {literal(exc)}", file=sys.stderr, flush=True)
        return 2
    except (KeyboardInterrupt, _Interrupted):
        print(f"{prefix}: interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:
        if os.environ.get("SKL_LRP_TRACEBACK"):
            raise
        print(
            f"{prefix}: error: {type(exc).__name__}: {literal(_first_line(exc))} "
            "(this is a bug or an unforeseen input: set SKL_LRP_TRACEBACK=1 "
            "to see where)",
            file=sys.stderr,
            flush=True,
        )
        return 1


# The options of ``explain --explainer``; the saved explainer decides the rest.
STREAM_DESTS = (
    "command", "explainer", "input", "output", "chunk_rows", "allow_pickle",
    "sep", "decimal",
)  # fmt: skip


def _check_no_training_options(argv):
    """A usage error for an option that ``explain --explainer`` would ignore.

    A saved explainer runs as it was fitted: the data, model, rule and output
    options of the training mode mean nothing there, and silently ignoring
    them would let a user believe, say, that ``--rules epsilon`` applied.
    The options the user gave are found by parsing `argv` again with every
    default replaced by a marker.
    """
    unset = object()
    parser, commands = _parser()
    explain = commands["explain"]
    training = [
        action
        for action in explain._actions
        if action.dest not in STREAM_DESTS and action.option_strings
    ]
    for action in training:  # (an append action starts from None: a new list)
        action.default = None if isinstance(action, argparse._AppendAction) else unset
    args, _ = parser.parse_known_args(argv)
    for action in training:
        if getattr(args, action.dest, unset) not in (unset, None):
            flag = action.option_strings[0]
            raise UsageError(
                f"{flag} does not apply to explain --explainer, which runs the "
                "saved explainer as it was fitted (its options: --input, "
                "--output, --chunk-rows, --allow-pickle, and --sep and "
                "--decimal for a CSV --input); leave it out"
            )


def _check_stream_paths(args):
    """Usage errors for ``explain --explainer``'s files, before any work."""
    for flag in ("input", "output"):
        if getattr(args, flag) is None:
            raise UsageError(f"--explainer needs --{flag} PATH")
    for flag in ("explainer", "input"):
        path = getattr(args, flag)
        if not os.path.isfile(path):
            raise UsageError(f"--{flag} {literal(path)}: no such file")
    for flag in ("input", "output"):
        if file_format(getattr(args, flag)) is None:
            raise UsageError(
                f"--{flag} {literal(getattr(args, flag))}: expected a .parquet "
                "or .csv file (by its extension)"
            )
    for flag in ("sep", "decimal"):
        if getattr(args, flag) is not None and file_format(args.input) != "csv":
            raise UsageError(
                f"--{flag} goes with a CSV --input (a Parquet file's columns are typed)"
            )
    if _same_file(args.input, args.output):
        raise UsageError("--output is the --input file: it would overwrite your data")
    _check_writable("output", args.output)


def _stream_command(args, out):
    """``skl-lrp explain --explainer``: a saved explainer over a whole file."""
    from ._stream import explain_file, load_explainer

    start = time.perf_counter()
    try:
        explainer = load_explainer(args.explainer, allow_pickle=args.allow_pickle)
        rows = explain_file(
            explainer,
            args.input,
            args.output,
            chunk_rows=args.chunk_rows or CHUNK_ROWS,
            progress=sys.stderr.isatty(),
            sep=args.sep,
            decimal=args.decimal,
        )
    except (ValueError, TypeError, ImportError, FileNotFoundError) as exc:
        raise UsageError(_first_line(exc)) from None
    seconds = time.perf_counter() - start
    print(
        f"explained {rows} rows of {literal(args.input)} into "
        f"{literal(args.output)} in {seconds:.1f} s",
        file=out,
    )
    return 0


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
