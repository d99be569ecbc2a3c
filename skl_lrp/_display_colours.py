"""Points coloured by a feature's value, for the beeswarm and dependence
displays: numbers by their quantile (blue low, red high, with a colour bar),
categories by one colour per level (with a legend), grey beyond MAX_LEVELS
levels, light grey where the value is missing."""

import numpy as np
from scipy import stats

from ._display import LOW_HIGH, MAX_LEVELS, literal


def _quantiles(values):
    """Each value's quantile among the finite values of its column, in
    [0, 1] (ties share one), so that a few extreme values do not wash the
    colours out; NaN stays NaN."""
    scaled = np.full(len(values), np.nan)
    finite = np.isfinite(values)
    n = int(finite.sum())
    if n:
        ranks = stats.rankdata(values[finite], method="average")
        scaled[finite] = (ranks - 1) / (n - 1) if n > 1 else 0.5
    return scaled


def _level_colours(n_levels):
    """One colour per level (qualitative palette); at most MAX_LEVELS, since
    more are drawn grey."""
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    return [palette(k) for k in range(n_levels)]


def colour_by_value(values, levels):
    """How to colour samples by a feature (its `values`, its `levels` or
    None): ``("value", quantiles)`` for numbers, ``("level", codes)`` for up
    to MAX_LEVELS levels, ``("many", None)`` beyond, ``(None, None)``
    without values."""
    if values is None:
        return None, None
    values = np.asarray(values, dtype=float)
    if levels is not None:
        return ("level", values) if len(levels) <= MAX_LEVELS else ("many", None)
    if not np.isfinite(values).any():
        return None, None
    return "value", _quantiles(values)


def scatter_by_feature(ax, x, y, values, levels, size, keep=slice(None)):
    """The points ``(x, y)`` coloured by a feature (its `values` over all
    rows and its `levels`; `keep`: which of its rows the points are).

    Returns how they are coloured (see :func:`colour_by_value`), their
    artists, and ``(colour, level)`` of each level coloured. Missing values
    are light grey; features with too many levels or no values, grey.
    """
    how, colour = colour_by_value(values, levels)
    if how is not None and how != "many":
        colour = colour[keep]
    if how == "value":
        finite = np.isfinite(colour)
        points = [
            ax.scatter(
                x[finite],
                y[finite],
                c=colour[finite],
                cmap=LOW_HIGH,
                vmin=0,
                vmax=1,
                s=size,
            )
        ]
        coloured = []
    elif how == "level":
        palette = _level_colours(len(levels))
        coloured = [(palette[k], literal(level)) for k, level in enumerate(levels)]
        points = [
            ax.scatter(x[colour == k], y[colour == k], s=size, color=palette[k])
            for k in range(len(coloured))
        ]
    else:
        return how, [ax.scatter(x, y, s=size, color="grey")], []
    missing = ~np.isfinite(colour)
    if missing.any():
        points.append(ax.scatter(x[missing], y[missing], s=size, color="lightgrey"))
    return how, points, coloured


def value_colorbar(ax, label):
    """A colour bar from "low" to "high" (the quantiles' colours)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mappable = ScalarMappable(norm=Normalize(0, 1), cmap=LOW_HIGH)
    colorbar = ax.figure.colorbar(mappable, ax=ax, pad=0.02, fraction=0.05)
    colorbar.set_ticks([0, 1], labels=["low", "high"])
    colorbar.set_label(label)
    return colorbar


def marker(colour, label):
    """A legend entry: one round marker of `colour`."""
    from matplotlib.lines import Line2D

    return Line2D(
        [], [], marker="o", linestyle="", color=colour, markersize=6, label=label
    )
