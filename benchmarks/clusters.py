"""How faithful, and how fast, are the explanations of k-means clusters and
one-class outlier scores (NEON)?

Usage::

    python benchmarks/clusters.py            # all tables, ~2 minutes on 2 cores
    python benchmarks/clusters.py --quick    # a smoke run (fewer rows, tables)
    python benchmarks/clusters.py --speed    # only the speed goal

**Faithfulness (k-means).** On each table (scikit-learn's iris, wine, breast
cancer, digits, diabetes; vega_datasets' cars when installed; blobs of unequal
spreads in columns of unequal scales; blobs in 3 known columns beside 9 of
noise), ``Pipeline(StandardScaler, KMeans)`` for K = 2, 4, 8. For 60 rows,
each method ranks the columns; they are perturbed in that order, most
relevant first, and the margin of the row's cluster c,
``f_c(z) = min_{k != c} ||z - mu_k||^2 - ||z - mu_c||^2`` (z: the scaled
row), is recorded after each column. Where a column goes:

- ``midpoint``: toward the competitor k* (the cluster nearest after c) in
  the model's own geometry: ``z_i <- (mu_ci + mu_k*i) / 2``, the column of
  the root point on the boundary of c and k*. With every column replaced,
  f <= 0. This favours beta = inf by construction: that explanation is
  exactly the fall of ``h_k*``, column by column (only other competitors
  overtaking k* can make another order better).
- ``member``: toward k* in the data: ``z_i <-`` the column of a member of
  k*, 8 members per row (drawn once, the same for every method; curves
  averaged). With every column replaced the row is that member: f < 0.
- ``other``: toward any other cluster: the same with 8 rows of clusters
  other than c. This one is not aimed at k*: it rewards explanations that
  share the margin among all the competitors.

Per row: **AOPC**, the mean over j = 0..d of ``(f_0 - clip(f_j, 0, f_0)) /
f_0``, the area over the margin curve normalised by the initial margin, in
[0, 1] (higher: faster fall). The clip stops at the flip, after which no
evidence for c is left, and at f_0, so that a row with a tiny margin cannot
swamp the mean. **flip**: the fraction of the columns perturbed when f first
reaches 0 (lower: better). Also, per method, the mean rank of its mean AOPC
among all methods over every (table, K, perturbation); on the table with
known columns, the share of |relevance| on them; the **sensitivity**,
``||R(x') - R(x)||_1 / ||R(x)||_1`` for x' moved by 0.05 standard deviations
per column (rows that stay in their cluster); the CPU time per row.

Methods: NEON (``RelevanceExplainer``, ``[Midpoint(), SoftMin(beta)]``) with
beta in units of 1 / m̄, the mean margin of the fit rows for their own
clusters, and the default "auto"; NEON with a per-row stiffness (this file's
own implementation of the paper, checked against the explainer):
``a / f_c(x)`` or ``a / std_k(h_k)``; permutation (each column replaced by
the values of 32 background rows, mean fall of the margin); SHAP of the
margin (``shap.PermutationExplainer``, 16 background rows); gradient x input
(``2 (mu_c - mu_k*) * z``, the gradient of the min at z); a random order.

**One-class check.** Gaussian KernelDensity (bandwidth "scott") and RBF
OneClassSVM (gamma "scale", nu=0.1), after a StandardScaler, fit on half of a
table; in 100 rows of the other half, one or two random columns are set to
6 standard deviations from their mean: the fraction of these rows whose top
relevance is on exactly those columns (goal >= 0.9), and the largest
conservation error (relative to the largest score).

**Speed.** ``transform`` of a RelevanceExplainer of a KMeans over
``KMeans.transform``, 10^5 rows x 50 columns x 20 clusters, in CPU time with
one BLAS thread (best of interleaved rounds; goal <= 5). Also in
``benchmarks/run.py --clusters``.

Writes ``benchmarks/results/clusters_*.csv`` and, for the docs,
``docs/clusters_faithfulness.inc``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn import datasets
from sklearn.cluster import KMeans
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

sys.path.insert(0, str(Path(__file__).parent))
from run import cpu_times, save, table  # noqa: E402

from skl_lrp import RelevanceExplainer  # noqa: E402
from skl_lrp._neuralized_rules import AUTO_STIFFNESS  # noqa: E402
from skl_lrp.rules import Midpoint, SoftMin  # noqa: E402

ROOT = Path(__file__).parents[1]
STIFFNESS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, np.inf)  # x 1 / mean margin
PER_ROW = (("margin", 1.0), ("margin", 4.0), ("spread", 1.0), ("spread", 4.0))
N_MEMBERS = 8
MOVE = 0.05  # (standard deviations per column: the sensitivity's move)
PERTURBATIONS = {
    "midpoint": "AOPC, columns moved to the midpoint of c and k*",
    "member": "AOPC, columns moved to those of members of k*",
    "other": "AOPC, columns moved to those of rows of other clusters",
}
N_BACKGROUND = 32
N_SHAP_BACKGROUND = 16


# -- tables -----------------------------------------------------------------


def tables(quick):
    """(name, X, known columns or None), real tables then synthetic ones."""
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        if quick and name in ("digits", "diabetes"):
            continue
        yield name, getattr(datasets, f"load_{name}")(return_X_y=True)[0], None
    try:  # (shipped with the package: no download)
        from vega_datasets import local_data
    except ImportError:
        pass
    else:
        cars = local_data.cars().select_dtypes("number").dropna()
        yield "cars", cars.to_numpy(float), None
    # Blobs of unequal spreads, in columns of unequal scales.
    X, _ = datasets.make_blobs(
        600, 6, centers=5, cluster_std=[0.3, 0.6, 1.0, 2.0, 3.0], random_state=0
    )
    yield "blobs", X * [1, 3, 10, 30, 100, 0.1], None
    # Membership decided by three known columns; nine columns of noise.
    rng = np.random.RandomState(0)
    informative, _ = datasets.make_blobs(
        600, 3, centers=6, center_box=(-8, 8), random_state=1
    )
    yield "known", np.hstack([informative, rng.normal(size=(600, 9))]), [0, 1, 2]


# -- the margin and the explanations, in the scaled space ----------------------


def distances(Z, centres):
    """Squared distances of the rows of Z (..., d) to the centres (K, d)."""
    out = np.empty((*Z.shape[:-1], len(centres)))
    for k, centre in enumerate(centres):
        out[..., k] = ((Z - centre) ** 2).sum(axis=-1)
    return out


def margins(Z, c, centres):
    """f_c(z) for each row of Z (..., d), c broadcasting against Z[..., 0]."""
    D = distances(Z, centres)
    own = np.take_along_axis(D, np.broadcast_to(c, D.shape[:-1])[..., None], -1)
    np.put_along_axis(D, np.broadcast_to(c, D.shape[:-1])[..., None], np.inf, -1)
    return D.min(axis=-1) - own[..., 0]


def all_margins(Z, centres):
    """f_c(z) of every cluster c, shape (n, K): a multi-output model for SHAP."""
    D = distances(Z, centres)
    two = np.partition(D, 1, axis=1)[:, :2]
    nearest_other = np.where(two[:, :1] == D, two[:, 1:], two[:, :1])
    return nearest_other - D


def units(Z, c, centres):
    """h_k = ||z - mu_k||^2 - ||z - mu_c||^2 (inf at k = c), shape (n, K)."""
    D = distances(Z, centres)
    h = D - D[np.arange(len(Z)), c][:, None]
    h[np.arange(len(Z)), c] = np.inf
    return h


def neon(Z, c, centres, beta):
    """NEON relevance, written from the paper (Kauffmann et al., TNNLS 2024)
    independently of skl_lrp: soft-min shares of the margin, then the
    midpoint rule. `beta`: one stiffness per row (inf: the nearest only)."""
    h = units(Z, c, centres)
    f = h.min(axis=1)
    gaps = h - f[:, None]
    beta = np.broadcast_to(np.asarray(beta, float), f.shape)[:, None]
    with np.errstate(invalid="ignore"):
        weights = np.where(np.isinf(beta), gaps == 0, np.exp(-beta * gaps))
    weights[~np.isfinite(h)] = 0
    shares = f[:, None] * weights / weights.sum(axis=1, keepdims=True)
    relevance = np.zeros_like(Z)
    for k, centre in enumerate(centres):
        w = 2 * (centres[c] - centre)
        contribution = w * (Z - (centres[c] + centre) / 2)
        use = (k != c) & (shares[:, k] != 0)
        relevance[use] += shares[use, k, None] * contribution[use] / h[use, k, None]
    return relevance


def competitor(Z, c, centres):
    """k*, the cluster nearest after the row's own."""
    return np.argmin(units(Z, c, centres), axis=1)


def permutation(Z, c, centres, background):
    """Mean fall of the margin when one column takes background values."""
    n, d = Z.shape
    replaced = np.repeat(Z[:, None, None, :], len(background), axis=2)
    replaced = np.repeat(replaced, d, axis=1)  # (n, d, B, d)
    columns = np.arange(d)
    replaced[:, columns, :, columns] = background.T[:, None, :]
    after = margins(replaced, c[:, None, None], centres).mean(axis=2)
    return margins(Z, c, centres)[:, None] - after


def shap_values(Z, c, centres, background, seed):
    """SHAP of the margin of each row's own cluster, by permutations."""
    import shap

    masker = shap.maskers.Independent(background, max_samples=len(background))
    explainer = shap.PermutationExplainer(
        lambda A: all_margins(A, centres), masker, seed=seed
    )
    values = explainer(Z, max_evals=max(500, 2 * (2 * Z.shape[1] + 1)), silent=True)
    return values.values[np.arange(len(Z)), :, c]


# -- perturbation curves ---------------------------------------------------------


def curves(Z, c, relevance, targets, centres):
    """Margins after replacing 0..d columns, most relevant first, by the
    values `targets` (n, draws, d): shape (n, draws, d + 1)."""
    n, d = Z.shape
    order = np.argsort(-relevance, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(d)[None, :].repeat(n, 0), axis=1)
    replaced = rank[:, None, :] < np.arange(d + 1)[None, :, None]  # (n, d+1, d)
    perturbed = np.where(replaced[:, None], targets[:, :, None, :], Z[:, None, None, :])
    return margins(perturbed, c[:, None, None], centres)


def scores(curve):
    """Per row: AOPC (clipped at the flip, normalised) and flip fraction."""
    f0 = curve[:, :, :1]
    fall = (f0 - np.clip(curve, 0, f0)) / f0
    aopc = fall.mean(axis=2).mean(axis=1)
    flipped = curve <= 1e-9 * f0  # (the midpoint's last step: 0 up to rounding)
    flip = flipped.argmax(axis=2) / (curve.shape[2] - 1)
    return aopc, flip.mean(axis=1)


def stiffness_name(a):
    return "NEON β=inf" if np.isinf(a) else f"NEON β={a:g}/m̄"


def explain_all(model, x, Z, c, rng, with_shap):
    """method -> (relevance of the rows x (Z scaled), CPU seconds per row)."""
    pipeline, X, centres, mean_margin, background = model
    out = {}
    frozen = FrozenEstimator(pipeline)  # (explained as fitted, not refitted)

    def timed(name, function, *args):
        start = time.process_time()
        relevance = function(*args)
        out[name] = (relevance, (time.process_time() - start) / len(Z))

    for a in STIFFNESS:
        rules = [Midpoint(), SoftMin(beta=a / mean_margin)]
        explainer = RelevanceExplainer(frozen, rules=rules).fit(X)
        timed(stiffness_name(a), explainer.transform, x)
    auto = RelevanceExplainer(frozen).fit(X)
    timed(f"NEON auto ({AUTO_STIFFNESS:g}/m̄)", auto.transform, x)
    # The explainer agrees with the paper's construction, written here.
    reference = neon(Z, c, centres, 1 / mean_margin)
    assert np.allclose(out[stiffness_name(1.0)][0], reference, atol=1e-8 * mean_margin)
    h = units(Z, c, centres)
    f = h.min(axis=1)
    spread = np.array([row[np.isfinite(row)].std() for row in h])
    for kind, a in PER_ROW:
        per_row = a / (f if kind == "margin" else np.maximum(spread, 1e-300))
        timed(
            f"NEON β={a:g}/{'f(x)' if kind == 'margin' else 'sd(h)'}",
            neon,
            Z,
            c,
            centres,
            per_row,
        )
    timed("permutation", permutation, Z, c, centres, background)
    if with_shap:
        few = background[:N_SHAP_BACKGROUND]
        timed("SHAP", shap_values, Z, c, centres, few, 0)
    k = competitor(Z, c, centres)
    timed("gradient × input", lambda: 2 * (centres[c] - centres[k]) * Z)
    timed("random", lambda: rng.random_sample(Z.shape))
    return out


def faithfulness(n_rows, clusters, quick, with_shap=True, seed=0):
    """One record per (table, K, method, perturbation): per-row scores."""
    records = []
    for name, X, known in tables(quick):
        for n_clusters in clusters:
            records += one_model(name, X, known, n_clusters, n_rows, with_shap, seed)
    return records


def one_model(name, X, known, n_clusters, n_rows, with_shap, seed):
    """The records of ``Pipeline(StandardScaler, KMeans(n_clusters))`` on X."""
    kmeans = KMeans(n_clusters, n_init=4, random_state=seed)
    pipeline = make_pipeline(StandardScaler(), kmeans).fit(X)
    centres, labels = kmeans.cluster_centers_, kmeans.labels_
    Z_all = pipeline[0].transform(X)
    own = np.argmin(distances(Z_all, centres), axis=1)
    mean_margin = margins(Z_all, own, centres).mean()
    rng = np.random.RandomState(seed)
    rows = rng.choice(len(X), min(n_rows, len(X)), replace=False)
    rows = rows[margins(Z_all[rows], own[rows], centres) > 0]  # (not on a tie)
    Z, c = Z_all[rows], own[rows]
    k = competitor(Z, c, centres)
    members = [np.flatnonzero(labels == j) for j in range(n_clusters)]
    others = [np.flatnonzero(labels != j) for j in range(n_clusters)]
    targets = {
        "midpoint": ((centres[c] + centres[k]) / 2)[:, None, :],
        "member": Z_all[np.stack([rng.choice(members[j], N_MEMBERS) for j in k])],
        "other": Z_all[np.stack([rng.choice(others[j], N_MEMBERS) for j in c])],
    }
    background = Z_all[rng.choice(len(X), N_BACKGROUND)]
    model = (pipeline, X, centres, mean_margin, background)
    methods = explain_all(model, X[rows], Z, c, rng, with_shap)
    moved = sensitivity(model, Z, c, methods, rng)
    records = []
    for method, (relevance, seconds) in methods.items():
        size = np.abs(relevance)
        mass = size[:, known or []].sum(axis=1) / size.sum(axis=1)
        for perturbation, values in targets.items():
            aopc, flip = scores(curves(Z, c, relevance, values, centres))
            records.append(
                {
                    "table": name,
                    "K": n_clusters,
                    "method": method,
                    "perturbation": perturbation,
                    "aopc": aopc,
                    "flip": flip,
                    "seconds": seconds,
                    "known": None if known is None else mass,
                    "sensitivity": moved.get(method),
                }
            )
    print(f"{name}, K={n_clusters}: {len(rows)} rows", file=sys.stderr)
    return records


def sensitivity(model, Z, c, methods, rng):
    """Per method: ||R(x') - R(x)||_1 / ||R(x)||_1 for the rows moved by
    MOVE standard deviations per column that stay in their cluster (SHAP
    left out, for time)."""
    pipeline, _, centres, _, _ = model
    Z_moved = Z + MOVE * rng.normal(size=Z.shape)
    stay = np.argmin(distances(Z_moved, centres), axis=1) == c
    x_moved = pipeline[0].inverse_transform(Z_moved[stay])
    moved = explain_all(model, x_moved, Z_moved[stay], c[stay], rng, False)
    out = {}
    for method, (relevance, _) in moved.items():
        before = methods[method][0][stay]
        change = np.abs(relevance - before).sum(axis=1)
        out[method] = change / np.abs(before).sum(axis=1)
    return out


# -- summaries --------------------------------------------------------------------


def mean_se(values):
    values = np.concatenate([np.ravel(v) for v in values])
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


def pooled(records, method, perturbation, key, table=None):
    """Mean ± stderr of `key` over the rows of one table (all K), or over
    tables: the mean of the table means, its stderr from theirs."""
    chosen = [
        r
        for r in records
        if r["method"] == method and r["perturbation"] == perturbation
    ]
    if table is not None:
        return mean_se([r[key] for r in chosen if r["table"] == table])
    names = list(dict.fromkeys(r["table"] for r in chosen))
    parts = [pooled(records, method, perturbation, key, name) for name in names]
    means, errors = np.array(parts).T
    return means.mean(), np.sqrt((errors**2).sum()) / len(parts)


def mean_ranks(records):
    """Each method's rank by mean AOPC (1: best), averaged over every
    (table, K, perturbation)."""
    ranks = {}
    configurations = {(r["table"], r["K"], r["perturbation"]) for r in records}
    for configuration in configurations:
        chosen = [
            r
            for r in records
            if (r["table"], r["K"], r["perturbation"]) == configuration
        ]
        means = np.array([r["aopc"].mean() for r in chosen])
        order = (-means).argsort().argsort() + 1
        for r, rank in zip(chosen, order):
            ranks.setdefault(r["method"], []).append(rank)
    return {method: float(np.mean(values)) for method, values in ranks.items()}


def cell(mean, se, digits=3):
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def aopc_table(records, perturbation):
    methods = list(dict.fromkeys(r["method"] for r in records))
    names = list(dict.fromkeys(r["table"] for r in records))
    rows = []
    for method in methods:
        row = {"method": method}
        for name in names:
            row[name] = cell(*pooled(records, method, perturbation, "aopc", name))
        row["all"] = cell(*pooled(records, method, perturbation, "aopc"))
        rows.append(row)
    return rows


def summary_table(records):
    methods = list(dict.fromkeys(r["method"] for r in records))
    ranks = mean_ranks(records)
    rows = []
    for method in methods:
        row = {"method": method, "mean rank": f"{ranks[method]:.2f}"}
        for perturbation in PERTURBATIONS:
            mean, se = pooled(records, method, perturbation, "flip")
            row[f"flip ({perturbation})"] = cell(mean, se)
        # (Per model, not per perturbation: from one record of each.)
        once = [
            r
            for r in records
            if r["method"] == method and r["perturbation"] == "midpoint"
        ]
        for key, title in (
            ("known", "share of abs. relevance on the known columns"),
            ("sensitivity", "sensitivity"),
        ):
            values = [r[key] for r in once if r[key] is not None]
            row[title] = cell(*mean_se(values)) if values else "-"
        row["ms per row"] = f"{1000 * np.median([r['seconds'] for r in once]):.3g}"
        rows.append(row)
    return rows


# -- one-class models: outliers planted in known columns ------------------------------


def planted(quick, shift=6.0, n_planted_rows=100, seed=0):
    """Fraction of planted rows whose top relevance is on the planted columns."""
    rng = np.random.RandomState(seed)
    named = [("gaussian", rng.normal(size=(600, 8)))]
    named += [
        (name, getattr(datasets, f"load_{name}")(return_X_y=True)[0])
        for name in (("wine",) if quick else ("wine", "breast_cancer"))
    ]
    rows = []
    for name, X in named:
        train, test = train_test_split(X, test_size=0.5, random_state=seed)
        mean, sd = train.mean(axis=0), train.std(axis=0)
        for model in (
            KernelDensity(kernel="gaussian", bandwidth="scott"),
            OneClassSVM(kernel="rbf", gamma="scale", nu=0.1),
        ):
            pipeline = make_pipeline(StandardScaler(), model).fit(train)
            explainer = RelevanceExplainer(FrozenEstimator(pipeline)).fit(train)
            for n_planted in (1, 2):
                x = test[rng.choice(len(test), n_planted_rows)].copy()
                columns = np.stack(
                    [rng.choice(X.shape[1], n_planted, replace=False) for _ in x]
                )
                signs = rng.choice([-1, 1], size=columns.shape)
                at = np.arange(len(x))[:, None]
                x[at, columns] = mean[columns] + signs * shift * sd[columns]
                explanation = explainer.explain(x)
                relevance = explanation.relevance[:, 0]
                top = np.argsort(-relevance, axis=1)[:, :n_planted]
                hits = np.sort(top, axis=1) == np.sort(columns, axis=1)
                scale = np.abs(explanation.scores).max()
                error = np.abs(
                    relevance.sum(-1)
                    + explanation.absorbed[:, 0]
                    - (explanation.scores - explanation.baseline)[:, 0]
                )
                rows.append(
                    {
                        "table": name,
                        "model": type(model).__name__,
                        "planted columns": n_planted,
                        "top relevance on them": f"{hits.all(axis=1).mean():.2f}",
                        "conservation error": f"{error.max() / scale:.1e}",
                    }
                )
    return rows


# -- speed ---------------------------------------------------------------------------


def speed(repeat=5, n_rows=100_000, n_features=50, n_clusters=20, seed=0):
    """CPU time of explaining a KMeans over its transform (one BLAS thread,
    best of interleaved rounds): the goal is <= 5."""
    X, _ = datasets.make_blobs(
        n_rows, n_features, centers=n_clusters, random_state=seed
    )
    kmeans = KMeans(n_clusters, n_init=1, max_iter=50, random_state=seed)
    kmeans.fit(X[:20_000])
    explainer = RelevanceExplainer(kmeans).fit(X[:10_000])
    explain, transform = cpu_times(
        repeat, (explainer.transform, (X,), {}), (kmeans.transform, (X,), {})
    )
    rows = [
        {
            "figure": f"KMeans explain / transform, {n_rows:,} x {n_features} x "
            f"{n_clusters}, CPU time, one thread",
            "value": explain / transform,
            "goal": "<= 5",
        },
        {"figure": "explain, CPU seconds", "value": explain, "goal": "-"},
        {"figure": "KMeans.transform, CPU seconds", "value": transform, "goal": "-"},
    ]
    save("clusters_speed", rows)
    return rows


# -- output ----------------------------------------------------------------------------


def rst_table(rows, title):
    columns = list(rows[0])
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for row in [dict(zip(columns, columns)), *rows]:
        for j, column in enumerate(columns):
            value = row[column]
            text = f"{value:.3g}" if isinstance(value, float) else str(value)
            text = "–" if text == "-" else text  # (a lone "-" is a bullet)
            lines.append(f"   {'* -' if j == 0 else '  -'} {text}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60, help="rows per (table, K)")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--speed", action="store_true", help="only the speed goal")
    parser.add_argument("--no-shap", action="store_true", help="leave SHAP out")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    speeds = speed(2 if args.quick else args.repeat)
    print(table(speeds, ["figure", "value", "goal"]))
    if args.speed:
        return
    quick = args.quick
    records = faithfulness(
        10 if quick else args.rows,
        (3,) if quick else (2, 4, 8),
        quick,
        not args.no_shap,
    )
    sections = [
        *((title, aopc_table(records, kind)) for kind, title in PERTURBATIONS.items()),
        ("Mean rank, flip fraction, known columns, time", summary_table(records)),
        ("One-class models: outliers planted in known columns", planted(quick)),
        ("Speed", speeds),
    ]
    for title, rows in sections:
        print(f"\n{title}\n\n{table(rows, list(rows[0]))}")
    flat = [
        {
            key: (value.mean() if isinstance(value, np.ndarray) else value)
            for key, value in r.items()
        }
        for r in records
    ]
    save("clusters_faithfulness", flat)
    if not quick:
        include = ROOT / "docs" / "clusters_faithfulness.inc"
        command = "python benchmarks/clusters.py"
        text = f".. Written by ``{command}``: do not edit.\n\n"
        text += "\n".join(rst_table(rows, title) for title, rows in sections)
        include.write_text(text)
        print(f"\nwritten: {include}")


if __name__ == "__main__":
    main()
