"""Self-contained HTML pages for a ClusterReport and an OutlierReport.

Views in the style of the relevance report (its table helpers and style):
they read the report they are given through its attributes and tables, and
every piece of user text is escaped.
"""

import base64
import io
from html import escape

import numpy as np

from ._html import _cell, _table, page
from ._ranking import descending_order

# Columns named in a cluster's or a row's summary.
NAMED = 5


def _figure(draw, caption, size=(7, 4.5)):
    """A base64 PNG <figure> of what `draw(ax)` plots (a note without
    matplotlib). A bare Figure needs no backend: pyplot is left alone."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return (
            "<p>Install matplotlib (the extra <code>plot</code>) to include plots.</p>"
        )
    figure = Figure(figsize=size)
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _interval(low, high):
    return (
        "n/a" if low is None or high is None else f"[{_cell(low, 3)}, {_cell(high, 3)}]"
    )


def render_clusters(report, title=None):
    """The HTML text of a :class:`ClusterReport`."""
    from ._cluster_display_bar import ClusterBarDisplay
    from ._cluster_display_heatmap import ClusterHeatmapDisplay

    title = title or "Cluster relevance report"
    rows = report.cluster_table()
    n_clusters = len(rows)
    heatmap = _figure(
        lambda ax: ClusterHeatmapDisplay.from_report(report, ax=ax),
        "Mean relevance of each cluster's members for its margin "
        "(red: pulls them into the cluster; blue: toward another)",
        size=(9, 0.5 * n_clusters + 3),
    )
    bars = [
        _figure(
            lambda ax, k=k: ClusterBarDisplay.from_report(report, cluster=k, ax=ax),
            f"Cluster {k}: mean relevance of its members, with 95% intervals",
        )
        for k in range(n_clusters)
    ]
    return page(
        title,
        [
            "<h2>How to read the relevance</h2>",
            _meaning(report),
            "<h2>Data and model</h2>",
            _table(
                "Summary",
                ["item", "value"],
                [
                    ("rows", len(report.assignments)),
                    ("columns", len(report.feature_names)),
                    *report.settings.items(),
                ],
            ),
            "<h2>Clusters</h2>",
            _clusters_table(rows),
            _side_by_side(report),
            "<h2>Plots</h2>",
            heatmap,
            *bars,
            "<h2>Each cluster's columns, with intervals</h2>",
            *[_cluster_columns(row) for row in rows],
        ],
    )


def _meaning(report):
    return (
        "<p>Each row is explained for the cluster it is assigned to: the "
        "evidence for cluster c is its <em>margin</em>, min over the other "
        "clusters k of (||x &minus; &mu;<sub>k</sub>||&sup2; &minus; "
        "||x &minus; &mu;<sub>c</sub>||&sup2;), in the model's input space, "
        "measured against "
        f"{escape(report.settings['measured against'])}. A column's relevance "
        "is its share of the margin: positive when the column pulls the row "
        "into its cluster, negative when it pulls it toward another. A "
        "cluster's relevance is the mean over its members, and sums to its "
        "mean margin (less what the ledger absorbed). Intervals come from "
        f"{escape(report.settings['resampling'])}: the clustering is refitted "
        "on each resample, its clusters matched to these by their centroids, "
        "and the rows it did not see are explained. Stability is the share of "
        "a cluster's held-out members that the refits put in the same "
        "cluster.</p>"
    )


def _clusters_table(rows):
    return _table(
        "Clusters: size, mean margin (95% interval), stability and the "
        "columns that put rows in them",
        [
            "cluster",
            "size",
            "mean margin",
            "interval",
            "stability",
            "absorbed",
            "columns that pull rows in, strongest first",
        ],  # fmt: skip
        [
            (
                row["cluster"],
                row["size"],
                row["mean_margin"],
                _interval(*row["margin_ci"]),
                row["stability"],
                row["absorbed"],
                ", ".join(
                    f"{f['name']} ({f['mean_relevance']:+.3g})"
                    for f in row["features"][:NAMED]
                    if f["mean_relevance"] is not None and f["mean_relevance"] > 0
                )
                or "none",
            )
            for row in rows
        ],
    )


def _side_by_side(report):
    """Every column (one row each), the clusters side by side."""
    order = descending_order(np.abs(report.relevance).max(axis=0))
    return _table(
        "The clusters side by side: mean relevance of their members, per "
        "column (columns most relevant to any cluster first)",
        ["column", *[f"cluster {k}" for k in range(len(report.relevance))]],
        [(str(report.feature_names[j]), *report.relevance[:, j]) for j in order],
    )


def _cluster_columns(row):
    return _table(
        f"Cluster {row['cluster']} ({row['size']} rows): every column, most "
        "relevant first",
        ["column", "mean relevance", "95% interval"],
        [
            (f["name"], f["mean_relevance"], _interval(f["ci_low"], f["ci_high"]))
            for f in row["features"]
        ],
    )


def render_outliers(report, title=None):
    """The HTML text of an :class:`OutlierReport`."""
    title = title or "Outlier relevance report"
    rows = report.top_table()
    waterfalls = [
        _figure(
            lambda ax, rank=row["rank"]: report.plot_waterfall(rank, ax=ax),
            f"{row['name']}: its score, from the baseline, by column",
        )
        for row in rows
    ]
    return page(
        title,
        [
            "<h2>How to read the relevance</h2>",
            "<p>Every row is scored by a one-class model fitted on the other "
            "folds. Its outlier score, &minus;log(&Sigma;<sub>j</sub> "
            "&alpha;<sub>j</sub> exp(&minus;&gamma; ||x &minus; "
            "u<sub>j</sub>||&sup2;)) / &gamma;, is measured against "
            f"{escape(report.settings['measured against'])}. A column's "
            "relevance is its share of the score's excess over the baseline: "
            "score = baseline + the sum of relevance + absorbed.</p>",
            "<h2>Data and model</h2>",
            _table(
                "Summary",
                ["item", "value"],
                [
                    ("rows", len(report.scores)),
                    ("columns", len(report.feature_names)),
                    ("median score of all rows", float(np.median(report.scores))),
                    *report.settings.items(),
                ],
            ),
            "<h2>The most outlying rows</h2>",
            _table(
                "Top rows by score minus baseline, with their most relevant columns",
                [
                    "rank",
                    "row",
                    "score",
                    "baseline",
                    "absorbed",
                    "most relevant columns (value: relevance)",
                ],  # fmt: skip
                [
                    (
                        row["rank"],
                        row["name"],
                        row["score"],
                        row["baseline"],
                        row["absorbed"],
                        ", ".join(
                            f"{f['name']} = {f['value']}: {f['relevance']:.3g}"
                            for f in row["features"][:NAMED]
                        ),
                    )
                    for row in rows
                ],
            ),
            "<h2>Waterfalls</h2>",
            *waterfalls,
        ],
    )
