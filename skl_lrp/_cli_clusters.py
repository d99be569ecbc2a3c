"""``skl-lrp clusters`` and ``skl-lrp outliers``: the cluster and outlier
reports on a built-in dataset or a CSV or Parquet file.

Both read the data as ``skl-lrp report`` does (its options and loader, with
no target column) and preprocess it alike (impute, scale numbers, one-hot
encode categories); ``clusters`` then fits k-means and profiles every
cluster (:func:`~skl_lrp.cluster_relevance`), ``outliers`` fits a one-class
model in folds and explains the most outlying rows
(:func:`~skl_lrp.outlier_relevance`).
"""

import argparse
import textwrap
import warnings

from sklearn.cluster import KMeans
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.svm import OneClassSVM

from ._cli_common import (
    _fraction,
    _nonzero_int,
    _positive_int,
    _seed,
    add_data_options,
    preprocessing,
    write_report_files,
)
from ._clusters import cluster_relevance
from ._neuralized_rules import DistanceShare, Midpoint, SoftMin
from ._outliers import outlier_relevance
from ._tables import UsageError, literal, load


def _at_least_two(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2; got {text!r}")
    return value


def _beta(text):
    """``--beta``: "auto" or a number >= 0."""
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(
            f"expected auto or a number >= 0 (inf: the nearest only); got {text!r}"
        )
    return value


def _bandwidth(text):
    if text in ("scott", "silverman"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected scott, silverman or a positive number; got {text!r}"
        )
    return value


def _add_shared(parser, html):
    """Data, seed, jobs, --beta and outputs, for both commands."""
    add_data_options(parser, supervised=False)
    model = parser.add_argument_group("model and explanation")
    model.add_argument(
        "--beta",
        type=_beta,
        default="auto",
        help="stiffness of the SoftMin rule; auto: scaled to the data (see "
        "the docs' 'Clusters and outliers' page) (default: auto)",
    )
    model.add_argument(
        "--seed",
        "--random-state",
        dest="seed",
        type=_seed,
        default=0,
        help="seed of the resamples or folds and of the model (default: 0)",
    )
    model.add_argument(
        "--n-jobs",
        type=_nonzero_int,
        default=None,
        help="parallel resamples or folds; -1 for all cores (default: 1)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--top",
        type=_positive_int,
        default=5,
        help="columns printed per cluster or row (default: 5)",
    )
    output.add_argument(
        "--out",
        "--html",
        dest="out",
        default=html,
        metavar="PATH",
        help=f"HTML report (default: {html})",
    )
    output.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    return model, output


def add_commands(commands):
    """Add ``clusters`` and ``outliers`` to the tool's subcommands."""
    _add_clusters_command(commands)
    _add_outliers_command(commands)


def _add_clusters_command(commands):
    clusters = commands.add_parser(
        "clusters",
        help="which columns define each k-means cluster (HTML and JSON)",
        description="Cluster the rows with k-means and report, for each "
        "cluster, the columns that put its rows in it (their mean relevance "
        "for the cluster's margin, with bootstrap or fold intervals), the "
        "clusters side by side, their sizes and margins.",
    )
    model, _ = _add_shared(clusters, "clusters.html")
    model.add_argument(
        "--n-clusters",
        type=_at_least_two,
        default=3,
        help="number of clusters (default: 3)",
    )
    resampling = model.add_mutually_exclusive_group()
    resampling.add_argument(
        "--n-bootstrap",
        type=_at_least_two,
        help="bootstrap resamples for the intervals (default: 20)",
    )
    resampling.add_argument(
        "--cv", type=_at_least_two, help="folds for the intervals, instead"
    )


def _add_outliers_command(commands):
    outliers = commands.add_parser(
        "outliers",
        help="the most outlying rows, each with its relevance (HTML and JSON)",
        description="Score every row with a one-class model fitted on the "
        "other folds and explain the most outlying rows: which columns make "
        "each an outlier.",
    )
    model, output = _add_shared(outliers, "outliers.html")
    model.add_argument(
        "--model",
        choices=("kde", "ocsvm"),
        default="kde",
        help="KernelDensity (gaussian) or OneClassSVM (rbf) (default: kde)",
    )
    model.add_argument(
        "--bandwidth",
        type=_bandwidth,
        default="scott",
        help="bandwidth of kde, on standardized columns: scott, silverman or "
        "a number (default: scott)",
    )
    model.add_argument(
        "--nu",
        type=_fraction,
        default=0.05,
        help="nu of ocsvm: the share of training rows it may leave outside "
        "(default: 0.05)",
    )
    model.add_argument("--cv", type=_at_least_two, default=5, help="folds (default: 5)")
    output.add_argument(
        "--rows", type=_positive_int, default=10, help="top rows (default: 10)"
    )


def clusters_command(args, out):
    """``skl-lrp clusters``: load, cluster, profile, print, write."""
    table = load(args, supervised=False)
    if len(table.rows) <= args.n_clusters:
        raise UsageError(
            f"--n-clusters {args.n_clusters}: {len(table.rows)} rows are too "
            "few; use fewer clusters"
        )
    kmeans = KMeans(args.n_clusters, n_init=10, random_state=args.seed)
    model = make_pipeline(*preprocessing(table), kmeans)
    _print_header(table, args, f"KMeans(n_clusters={args.n_clusters})", out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (k-means' memory-leak notes)
        report = cluster_relevance(
            model,
            table.X,
            n_bootstrap=args.n_bootstrap,
            cv=args.cv,
            rules=[Midpoint(), SoftMin(beta=args.beta)],
            random_state=args.seed,
            n_jobs=args.n_jobs,
            feature_names=table.names,
        )
    against = report.settings["measured against"]
    print(
        textwrap.fill(
            "relevance: each member's share of its own cluster's margin, "
            f"measured against {against}; [low, high]: 95% interval",
            88,
        ),
        file=out,
    )
    print(f"intervals: {report.settings['resampling']}", file=out)
    for row in report.cluster_table():
        low, high = row["margin_ci"]
        print(
            f"cluster {row['cluster']}: {row['size']} rows, mean margin "
            f"{row['mean_margin']:.4g} {_interval(low, high)}, stability "
            f"{row['stability']:.2f}",
            file=out,
        )
        for feature in row["features"][: args.top]:
            print(
                f"  {feature['mean_relevance']:+10.4g} "
                f"{_interval(feature['ci_low'], feature['ci_high']):<22} "
                f"{literal(feature['name'])}",
                file=out,
            )
    write_report_files(report, args, f"Cluster report: {table.source}", out)
    return 0


def outliers_command(args, out):
    """``skl-lrp outliers``: load, score in folds, explain, print, write."""
    table = load(args, supervised=False)
    if len(table.rows) < args.cv:
        raise UsageError(f"--cv {args.cv}: {len(table.rows)} rows are too few")
    if args.model == "kde":
        one_class = KernelDensity(bandwidth=args.bandwidth)
        described = f"KernelDensity(bandwidth={args.bandwidth!r})"
    else:
        one_class = OneClassSVM(nu=args.nu)
        described = f"OneClassSVM(nu={args.nu})"
    model = make_pipeline(*preprocessing(table), one_class)
    _print_header(table, args, described, out)
    report = outlier_relevance(
        model,
        table.X,
        cv=args.cv,
        top_k=min(args.rows, len(table.rows)),
        rules=[DistanceShare(), SoftMin(beta=args.beta)],
        random_state=args.seed,
        n_jobs=args.n_jobs,
        feature_names=table.names,
    )
    print(
        textwrap.fill(f"measured against {report.settings['measured against']}", 88),
        file=out,
    )
    for row in report.top_table():
        name = table.rows[row["row"]] if table.rows else row["name"]
        print(
            f"{row['rank']}. {literal(name)}: score {row['score']:.4g} "
            f"(baseline {row['baseline']:.4g})",
            file=out,
        )
        for feature in row["features"][: args.top]:
            print(
                f"  {feature['relevance']:+10.4g}  {literal(feature['name'])} = "
                f"{literal(feature['value'])}",
                file=out,
            )
    write_report_files(report, args, f"Outlier report: {table.source}", out)
    return 0


def _print_header(table, args, described, out):
    n_columns = len(table.names)
    print(
        f"skl-lrp {args.command}: {literal(table.source)} ({len(table.rows)} rows, "
        f"{n_columns} column{'s' * (n_columns != 1)}), {described}, seed {args.seed}",
        file=out,
    )
    if table.reading is not None:
        print(f"read as: {table.reading}", file=out)


def _interval(low, high):
    if low is None or high is None:
        return "[n/a]"
    return f"[{low:.3g}, {high:.3g}]"
