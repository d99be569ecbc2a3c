"""One self-contained HTML page for a RelevanceReport: no network, no script.

A view: it reads the report it is given (its attributes and its
``feature_table()``) and never imports the report's module.
"""

import base64
import io
from html import escape

import numpy as np

from ._describe import without_addresses
from ._display_bar import RelevanceBarDisplay
from ._display_beeswarm import RelevanceBeeswarmDisplay
from ._display_dependence import RelevanceDependenceDisplay
from ._display_importance import RelevanceImportanceDisplay
from ._display_stability import RelevanceStabilityDisplay
from ._display_waterfall import RelevanceWaterfallDisplay
from ._ranking import descending_order
from ._summaries import follows_score, signed_by_target

_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left;
         vertical-align: top; }
td { white-space: pre-wrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.3em; }
img { max-width: 100%; }
.ok { color: #176117; } .warn { color: #9a4b00; }
.warnings { border: 2px solid #c25e00; background: #fff3e0; padding: 0.4em 1em;
            margin: 1em 0; }
.warnings h2 { margin: 0.3em 0; font-size: 1.1em; color: #9a4b00; }
.warnings li { margin: 0.3em 0; }
.kind { font-weight: bold; }
tr.flagged td { background: #fff3e0; }
"""


def _cell(value, digits=4):
    if value is None:
        return "n/a"
    if isinstance(value, (float, np.floating)):
        return "n/a" if not np.isfinite(value) else f"{value:.{digits}g}"
    return escape(str(value))


def _table(caption, header, rows, row_classes=None):
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    row_classes = row_classes or [None] * len(rows)
    body = "".join(
        (f'<tr class="{row_class}">' if row_class else "<tr>")
        + "".join(
            f'<td class="num">{_cell(v)}</td>'
            if v is None
            or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
            else f"<td>{_cell(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row, row_class in zip(rows, row_classes)
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )


def _plots(report):
    """The report's plots as base64 PNG <img> tags (none without matplotlib)."""
    try:  # a bare Figure needs no backend: the user's pyplot state is untouched
        from matplotlib.figure import Figure
    except ImportError:
        return [
            "<p>Install matplotlib (the extra <code>plot</code>) to include plots.</p>"
        ]
    order = descending_order(report.relevance_stats.mean)
    top = str(report.feature_names[order[0]])
    dependence = {"feature": int(order[0])}
    caption = f"Relevance of the most relevant feature, {top}, against its value"
    if len(order) > 1:
        dependence["color_by"] = int(order[1])
        caption += f", coloured by the second, {report.feature_names[order[1]]}"
    displays = [
        (
            RelevanceBarDisplay,
            "Mean |relevance| per feature, with the spread across folds",
            {},
        ),
        (
            RelevanceBeeswarmDisplay,
            "Relevance of every held-out sample, coloured by the feature's "
            "value (numbers: blue low to red high; categories: one colour per "
            "level)",
            {},
        ),
        (RelevanceDependenceDisplay, caption, dependence),
        (RelevanceStabilityDisplay, "Rank of each feature in each fold", {}),
        (RelevanceWaterfallDisplay, "The first sample's score, decomposed", {}),
    ]
    if report.relevance_stats.per_fold.shape[1] < 2:
        displays = [d for d in displays if d[0] is not RelevanceStabilityDisplay]
    if report.permutation is not None:
        displays.insert(
            1,
            (
                RelevanceImportanceDisplay,
                "Mean |relevance| beside permutation importance, each as a share "
                "of its largest feature's; shaded: features whose two ranks "
                "part ways",
                {},
            ),
        )
    images = []
    for display_class, caption, options in displays:
        figure = Figure(figsize=(7, 5.5))
        display = display_class.from_report(report, ax=figure.subplots(), **options)
        buffer = io.BytesIO()
        display.figure_.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        images.append(
            f'<figure><img alt="{escape(caption)}" '
            f'src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    return images


def _warnings(found):
    """The sanity checks' warnings in a box (a short all-clear without any)."""
    if not found:
        return '<p class="ok">The sanity checks found nothing to warn about.</p>'
    items = "".join(
        f'<li><span class="kind">{escape(w["kind"])}:</span> '
        f"{escape(w['message'])}</li>"
        for w in found
    )
    return (
        '<div class="warnings" role="alert">'
        f"<h2>Warnings ({len(found)})</h2><ul>{items}</ul>"
        "<p>Flagged columns are marked ! in the feature table.</p></div>"
    )


# The feature table's columns: (header, key of a feature_table() row).
_FEATURE_COLUMNS = [
    ("feature", "name"),
    ("mean |R|", "mean_abs_relevance"),
    ("std", "std"),
    ("CI low", "ci_low"),
    ("CI high", "ci_high"),
    ("signed mean", "signed_mean"),
    ("mean rank", "mean_rank"),
    ("top-{k} share", "top_k_frequency"),
]
_PERMUTATION_COLUMNS = [
    ("permutation importance", "permutation_importance_mean"),
    ("its std", "permutation_importance_std"),
    ("its rank", "permutation_rank"),
]


def _feature_table(report):
    """The report's feature table, its flagged rows shaded."""
    rows = report.feature_table()
    columns = list(_FEATURE_COLUMNS)
    caption = (
        "Mean |relevance| of held-out samples per fold: mean, std and 95% "
        f"interval across folds; how often in the top {report.stability.top_k}"
    )
    if report.permutation is not None:
        columns += _PERMUTATION_COLUMNS
        caption += (
            "; permutation importance: the mean drop in the held-out score "
            "when the column is shuffled, across folds"
        )
    return _table(
        caption + "; ! marks a column a warning names",
        [*(header.format(k=report.stability.top_k) for header, _ in columns), "flag"],
        [
            [row[key] for _, key in columns] + ["!" if row["flagged"] else ""]
            for row in rows
        ],
        row_classes=["flagged" if row["flagged"] else None for row in rows],
    )


def page(title, parts):
    """A self-contained HTML page: the house style, `title` (escaped) and
    the HTML `parts`."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            *parts,
            "</body></html>",
        ]
    )


def render_report(report, title=None):
    """The HTML text of `report`; every piece of user text is escaped."""
    title = title or "Cross-validated relevance report"
    parts = [
        _warnings(report.guardrails.warnings),
        *_meaning_section(report),
        *_data_and_model_section(report),
        *_features_section(report),
        *_direction_section(report),
        *_class_section(report),
        "<h2>Plots</h2>",
        *_plots(report),
        *_settings_section(report),
        *_conservation_section(report),
    ]
    return page(title, parts)


def _meaning_section(report):
    meaning = report.settings.get("meaning", "")
    return ["<h2>How to read the relevance</h2>", f"<p>{escape(meaning)}</p>"]


def _data_and_model_section(report):
    settings = report.settings
    n_samples, n_features = report.relevance.shape
    summary = [
        ("samples", n_samples),
        ("features", n_features),
        ("model", without_addresses(settings.get("estimator", ""))),
        ("explained", settings.get("target_meaning", settings.get("target", ""))),
        ("relevance measured against", settings.get("baseline", "")),
        ("cross-validation", settings.get("cv", "")),
        ("scoring", settings.get("scoring", "")),
        ("mean fold score", float(np.mean(report.performance.test_scores))),
        (
            "mean score of a trivial model",
            float(np.mean(report.performance.baseline_scores)),
        ),
    ]
    folds = [
        (k + 1, *fold)
        for k, fold in enumerate(
            zip(
                report.performance.test_scores,
                report.performance.baseline_scores,
                report.performance.fit_times,
                report.performance.explain_times,
            )
        )
    ]
    return [
        "<h2>Data and model</h2>",
        _table("Summary", ["item", "value"], summary),
        _table(
            "Folds",
            ["fold", "score", "trivial model", "fit time (s)", "explain time (s)"],
            folds,
        ),
    ]


def _features_section(report):
    undefined = report.undefined_figures()
    if undefined["rank_agreement"] is None:
        stability = (
            f"<p>Rank stability between folds: mean Spearman "
            f"{_cell(report.stability.spearman)}, mean Kendall tau "
            f"{_cell(report.stability.kendall)} (1: every fold ranks the features "
            "alike)."
        )
    else:
        stability = (
            "<p>Rank stability between folds: n/a "
            f"({escape(undefined['rank_agreement'])})."
        )
    if report.permutation is not None:
        stability += " Agreement of relevance with permutation importance: " + (
            f"Spearman {_cell(report.permutation.agreement)}."
            if undefined["importance_agreement"] is None
            else f"n/a ({escape(undefined['importance_agreement'])})."
        )
    return [
        "<h2>Features, most relevant first</h2>",
        _feature_table(report),
        stability + "</p>",
    ]


def _feature_list(names, values, sign=""):
    """``name (+0.12), ...``: names and values, as text (escaped later)."""
    return ", ".join(f"{n} ({v:{sign}.3g})" for n, v in zip(names, values))


def _direction_section(report, n_top=5):
    """For each explained class (or the output), the features that raise and
    that lower its score on average; under a preset whose relevance follows
    the score's sign, the features that explain it."""
    names = [str(name) for name in report.feature_names]
    if report.relevance_stats.classes is None:  # one output: every row
        what, signed = ["the output"], report.relevance.mean(axis=0)[np.newaxis]
        absolute = np.abs(report.relevance).mean(axis=0)[np.newaxis]
        counts = [len(report.relevance)]
    else:
        what = [f"class {label}" for label in report.relevance_stats.classes]
        signed = signed_by_target(
            report.relevance, report.targets, report.relevance_stats.classes
        )
        absolute = report.relevance_stats.by_class
        counts = [
            int(np.sum(report.targets == c)) for c in report.relevance_stats.classes
        ]
    if follows_score(report.relevance, report.scores):
        rows = []
        for label, count, row in zip(what, counts, absolute):
            top = [i for i in descending_order(row)[:n_top] if row[i] > 0]
            rows.append(
                (label, count, _feature_list([names[i] for i in top], row[top]))
            )
        return [
            "<h2>What explains the score</h2>",
            "<p>Under this preset every relevance has the sign of the "
            "explained score, so no feature raises or lowers it: relevance "
            "says which features <em>explain</em> the score (its share of "
            "it), not which way they push. The features that explain "
            + (
                "each class's score"
                if report.relevance_stats.classes is not None
                else "the output"
            )
            + " most, with their mean |relevance| over the rows explained "
            "for it:</p>",
            _table(
                "Features that explain the score (mean |relevance|)",
                ["explained", "rows", "features, largest share first"],
                rows,
            ),
        ]
    rows = []
    for label, count, row in zip(what, counts, signed):
        up = [i for i in descending_order(row)[:n_top] if row[i] > 0]
        down = [i for i in descending_order(-row)[:n_top] if row[i] < 0]
        rows.append(
            (
                label,
                count,
                _feature_list([names[i] for i in up], row[up], "+") or "none",
                _feature_list([names[i] for i in down], row[down], "+") or "none",
            )
        )
    return [
        "<h2>What raises and lowers the score</h2>",
        "<p>Mean signed relevance over the rows explained for "
        + ("each class" if report.relevance_stats.classes is not None else "the output")
        + ": positive raises the explained score (the logit of the class, or "
        "the output), negative lowers it.</p>",
        _table(
            "Features that raise and lower the explained score, strongest first",
            ["explained", "rows", "raise the score", "lower the score"],
            rows,
        ),
    ]


def _class_section(report):
    """Mean |relevance| per explained class, of the ten most relevant features."""
    if report.relevance_stats.by_class is None:
        return []
    shown = descending_order(report.relevance_stats.mean)[:10]
    return [
        _table(
            "Mean |relevance| by explained class (top features)",
            ["class", *[str(report.feature_names[i]) for i in shown]],
            [
                (c, *row[shown])
                for c, row in zip(
                    report.relevance_stats.classes, report.relevance_stats.by_class
                )
            ],
        )
    ]


def _settings_section(report):
    return [
        "<h2>Rules and root point</h2>",
        _table(
            "Settings",
            ["setting", "value"],
            [(k, v) for k, v in report.settings.items()],
        ),
    ]


def _conservation_section(report):
    ledger = report.guardrails.ledger
    scale = max(1.0, float(np.abs(report.scores).max()))
    conserved = ledger["max_conservation_error"] <= 1e-8 * scale
    against = bool(np.any(report.relevance_baseline))
    explained = "score minus its baseline" if against else "score"
    verdict = (
        f"Every sample's relevance plus the absorbed amounts adds up to its "
        f"{explained}."
        if conserved
        else f"Some samples do not add up to their {explained} beyond rounding."
    )
    return [
        "<h2>Conservation check</h2>",
        _table(
            "Relevance absorbed over all samples (the ledger)",
            ["where", "total"],
            [
                ("biases", ledger["bias"]),
                ("stabilizers", ledger["stabilizer"]),
                ("vanished denominators", ledger["dead"]),
                (
                    "largest |sum of relevance + absorbed - (score - baseline)|",
                    ledger["max_conservation_error"],
                ),
            ],
        ),
        f'<p class="{"ok" if conserved else "warn"}">{verdict}</p>',
    ]
