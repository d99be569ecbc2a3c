"""Draw docs/_static/data_path.svg, the picture of docs/architecture.rst.

Run from the repository root after a change of the data path:
``python docs/_scripts/data_path.py``. Plain SVG, no dependency: each box is
a module (or a few) with what it does there; arrows follow the data.
"""

from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 980, 632
BOX_W, BOX_H = 218, 54

# The four stages, top to bottom: (title, y, fill).
STAGES = [
    ("read the model (once)", 20, "#eef4fb"),
    ("fit(X): what the rules need", 150, "#eef8ee"),
    ("transform(X) / explain(X): a batch at a time", 300, "#fdf6e8"),
    ("reports and their views", 500, "#f6eefa"),
]

# name: (x, y, module, what it does there)
BOXES = {
    "model": (20, 55, "a fitted estimator", "MLP, linear, k-means, one-class"),
    "network": (262, 55, "_network", "read_network / read_prototypes"),
    "described": (504, 55, "DenseNetwork | Prototypes", "arrays, output columns"),
    "columns": (746, 55, "_columns", "each input's column of X"),
    "rules": (20, 185, "_composites, _rules", "one Rule per layer"),
    "layers": (262, 185, "_layers, _baseline", "statistics; reference rows"),
    "bound": (504, 185, "Rule.bind -> BoundLayer", "_fast.prepare | _neuralized"),
    "plan": (746, 185, "_batches.Plan", "what every batch needs"),
    "data": (20, 335, "X (or a dask collection)", "_dask: checked, reduced, lazily"),
    "batches": (262, 335, "_batches", "batches through joblib"),
    "batch": (504, 335, "_propagation | _neuralized", "forward, then backward"),
    "engine": (504, 420, "_fast (hard rows: _lrp)", "the rules' arithmetic"),
    "out": (746, 335, "relevance, scores, ledger", "summed into X's columns"),
    "folds": (20, 535, "_folds, _clusters, _outliers", "fit and explain held-out rows"),
    "parts": (262, 535, "_summaries, _checks", "parts of a report; warnings"),
    "report": (504, 535, "the reports", "Relevance-, Cluster-, Outlier-"),
    "views": (746, 535, "the views", "JSON, _html, _display_*, _cli"),
}

ARROWS = [
    ("model", "network"),
    ("network", "described"),
    ("described", "columns"),
    ("rules", "layers"),
    ("layers", "bound"),
    ("bound", "plan"),
    ("data", "batches"),
    ("batches", "batch"),
    ("batch", "out"),
    ("folds", "parts"),
    ("parts", "report"),
    ("report", "views"),
]

# Arrows between stages: (from, to, label), drawn as elbows.
LINKS = [
    ("described", "rules", "the network's layers", None),
    ("plan", "batches", "the Plan", None),
    ("out", "folds", "RelevanceExplainer", 494),  # (below the engine)
]


def _box(name):
    x, y, title, text = BOXES[name]
    return (
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        'fill="white" stroke="#555"/>'
        f'<text x="{x + BOX_W / 2}" y="{y + 22}" class="title">{escape(title)}</text>'
        f'<text x="{x + BOX_W / 2}" y="{y + 41}" class="text">{escape(text)}</text>'
    )


def _arrow(start, end):
    x0, y0 = BOXES[start][:2]
    x1, y1 = BOXES[end][:2]
    if y0 == y1:  # side by side
        return _line(x0 + BOX_W, y0 + BOX_H / 2, x1, y1 + BOX_H / 2)
    return _line(x0 + BOX_W / 2, y0 + BOX_H, x1 + BOX_W / 2, y1)


def _line(x0, y0, x1, y1):
    return (
        f'<line x1="{x0}" y1="{y0}" x2="{x1 - (4 if y0 == y1 else 0)}" '
        f'y2="{y1 - (0 if y0 == y1 else 4)}" marker-end="url(#head)"/>'
    )


def _link(start, end, label, middle=None):
    """From the bottom of `start` down, across (at `middle`, or halfway),
    and down into `end`."""
    x0, y0 = BOXES[start][:2]
    x1, y1 = BOXES[end][:2]
    a, b = x0 + BOX_W / 2, x1 + BOX_W / 2
    middle = (y0 + BOX_H + y1) / 2 + 6 if middle is None else middle
    return (
        f'<polyline points="{a},{y0 + BOX_H} {a},{middle} {b},{middle} {b},{y1 - 4}" '
        'fill="none" marker-end="url(#head)"/>'
        f'<text x="{(a + b) / 2}" y="{middle - 5}" class="link">{escape(label)}</text>'
    )


def draw():
    """The SVG document, as text."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        "<style>"
        ".title{font-size:13px;font-weight:bold;text-anchor:middle}"
        ".text{font-size:12px;text-anchor:middle;fill:#333}"
        ".stage{font-size:13px;font-style:italic;fill:#444}"
        ".link{font-size:11px;text-anchor:middle;fill:#444}"
        "line,polyline{stroke:#555;stroke-width:1.5}"
        "</style>",
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="4" '
        'refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/>'
        "</marker></defs>",
    ]
    heights = [120, 140, 190, 120]
    for (title, y, fill), height in zip(STAGES, heights):
        parts.append(
            f'<rect x="10" y="{y}" width="{WIDTH - 20}" height="{height}" '
            f'rx="8" fill="{fill}" stroke="none"/>'
            f'<text x="22" y="{y + 20}" class="stage">{escape(title)}</text>'
        )
    parts += [_box(name) for name in BOXES]
    parts += [_arrow(start, end) for start, end in ARROWS]
    parts.append(_line(613, 389, 613, 420))  # the batch calls the engine
    parts += [_link(*link) for link in LINKS]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    path = Path(__file__).parents[1] / "_static" / "data_path.svg"
    path.write_text(draw(), encoding="utf-8")
    print(f"wrote {path}")
