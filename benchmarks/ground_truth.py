"""Do the explanations recover the truth? Synthetic targets with known effects.

Usage::

    python benchmarks/ground_truth.py              # a few minutes on 2 cores
    python benchmarks/ground_truth.py --quick      # smoke run, writes no docs table
    python benchmarks/ground_truth.py --seed 5 --no-docs   # other seeds, print only

The full tables are the first seed's (``--seed``, default 0); ``--repeats``
more seeds (default 5 in all: data, split, network and background rows) are
summarized by their median row r.

Every target is a sum of known per-feature effects, ``y = sum_i g_i(x_i)``
(plus noise), so the true contribution of feature i to a row, measured
against the average sample, is ``g_i(x_i) - E[g_i]`` (E: the mean over the
training rows). Three cases:

- ``regression``: an additive target with Gaussian noise;
- ``interaction``: the same plus ``c * x_a * x_b``; the interaction's
  centred contribution ``c * x_a * x_b - E[c * x_a * x_b]`` is split half
  to each of the two features (for two independent zero-mean features this
  is what Shapley values against independent background rows give);
- ``classification``: binary labels drawn with ``P(y=1) = sigmoid(logit)``,
  ``logit = sum_i g_i(x_i) + const``; the truth is in logit space.

The features have linear, quadratic, |x|, sine and step effects on normal,
uniform, skewed (lognormal, exponential) and heavy-tailed (Student t, 3
degrees of freedom) inputs; three are null (g = 0). A
``Pipeline(StandardScaler, MLP(64, 32))`` with ReLU units is trained on 75%
of the rows and 1000 held-out rows are explained: the regression output, or
the logit of class 1 (``target=1``, not the predicted class, so that the sign
of the truth is the same for every row).

Per method:

- ``row r``: Pearson correlation between a row's relevance and its truth,
  over the features; median over the rows (a row whose relevance is
  constant counts as 0);
- ``row r (first 50)``: the same on the rows SHAP explains;
- ``global r``: Pearson correlation over all row x feature cells;
- ``null share``: the share of the total |relevance| on the null features;
- ``sum gap``: median over the rows of |sum of relevance - (score - the
  reference value the method claims to decompose against)|, divided by the
  standard deviation of the scores ("-": the method claims no sum);
- ``CPU s / 1000 rows``: ``time.process_time`` of the explanation alone (the
  explainer's ``fit``, the training, excluded).

Methods: every preset of skl_lrp with its default root point; the package's
defaults; the presets and root points that need the ``baseline`` parameter
(skipped, with a note, when the installed skl_lrp has none); gradient x
input; gradient x (x - training mean); Integrated Gradients from the
training mean (64-step midpoint Riemann sum, written here); and SHAP's
PermutationExplainer on the explained score, when ``shap`` is installed, on
the first 50 rows only (it is slow).

Prints markdown tables and writes ``docs/ground_truth_<case>.inc``,
``docs/ground_truth_seeds.inc`` and ``docs/ground_truth_features.inc`` for
the documentation (not with ``--quick`` or ``--no-docs``).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
import baselines  # noqa: E402

from skl_lrp import RelevanceExplainer  # noqa: E402
from skl_lrp._network import forward, read_network  # noqa: E402

ROOT = Path(__file__).parents[1]
PRESETS = ("deep-taylor", "epsilon", "alpha-beta", "montavon-2019")
CASES = ("regression", "interaction", "classification")
IG_STEPS = 64
SHAP_BACKGROUND = 100

# -- data ---------------------------------------------------------------------

# name: (input distribution, effect g, its formula, its description)
FEATURES = {
    "linear": (
        lambda rng, n: rng.normal(size=n),
        lambda x: 1.0 * x,
        "x",
        "normal",
    ),
    "quadratic": (
        lambda rng, n: rng.uniform(-2, 2, size=n),
        lambda x: 0.6 * x**2,
        "0.6 x²",
        "uniform on [-2, 2]",
    ),
    "sine": (
        lambda rng, n: rng.normal(size=n),
        lambda x: 1.5 * np.sin(1.5 * x),
        "1.5 sin(1.5 x)",
        "normal",
    ),
    "step": (
        lambda rng, n: rng.lognormal(0.0, 0.75, size=n),
        lambda x: 1.5 * (x > 1.5),
        "1.5 [x > 1.5]",
        "lognormal (σ = 0.75, skewed)",
    ),
    "abs": (
        lambda rng, n: rng.standard_t(3, size=n),
        lambda x: -0.8 * np.abs(x),
        "-0.8 \\|x\\|",
        "Student t, 3 d.o.f. (heavy tails)",
    ),
    "skewed_linear": (
        lambda rng, n: rng.exponential(1.0, size=n),
        lambda x: -0.8 * x,
        "-0.8 x",
        "exponential (skewed, mean 1)",
    ),
    "null_normal": (
        lambda rng, n: rng.normal(size=n),
        None,
        "0",
        "normal",
    ),
    "null_lognormal": (
        lambda rng, n: rng.lognormal(0.0, 1.0, size=n),
        None,
        "0",
        "lognormal (σ = 1, skewed)",
    ),
    "null_t": (
        lambda rng, n: rng.standard_t(3, size=n),
        None,
        "0",
        "Student t, 3 d.o.f. (heavy tails)",
    ),
}
NAMES = list(FEATURES)
NULLS = np.array([FEATURES[name][1] is None for name in NAMES])
INTERACTION = ("linear", "sine", 1.0)  # c * x_linear * x_sine
NOISE = 0.5  # standard deviation of the regression noise


def effects(X, case):
    """Per-feature effects (n, n_features) before centring; the interaction
    term, if any, is returned apart."""
    G = np.zeros_like(X)
    for index, name in enumerate(NAMES):
        g = FEATURES[name][1]
        if g is not None:
            G[:, index] = g(X[:, index])
    term = None
    if case == "interaction":
        a, b, c = INTERACTION
        term = c * X[:, NAMES.index(a)] * X[:, NAMES.index(b)]
    return G, term


def truth(X, X_train, case, against="average"):
    """The true contribution of each feature to each row of X.

    against="average": g_i(x_i) - E[g_i], E over the training rows (the
    truth against the average sample); "mean row": g_i(x_i) - g_i(m_i) with
    m the training mean of X (what a single reference row at the mean can
    recover). An interaction's centred term goes half to each of its two
    features, centred the same way.
    """
    G, term = effects(X, case)
    if against == "average":
        G_ref, term_ref = effects(X_train, case)
    else:
        G_ref, term_ref = effects(X_train.mean(axis=0, keepdims=True), case)
    T = G - G_ref.mean(axis=0)
    if term is not None:
        a, b, _ = INTERACTION
        half = 0.5 * (term - term_ref.mean())
        T[:, NAMES.index(a)] += half
        T[:, NAMES.index(b)] += half
    return T


def make_data(case, n_samples, seed):
    rng = np.random.RandomState(seed)
    X = np.column_stack([FEATURES[name][0](rng, n_samples) for name in NAMES])
    G, term = effects(X, case)
    signal = G.sum(axis=1) + (0.0 if term is None else term)
    if case == "classification":
        logit = signal - signal.mean()
        y = (rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
        return X, y, logit
    return X, signal + NOISE * rng.normal(size=n_samples), signal


# -- model --------------------------------------------------------------------


def train(case, X_train, y_train, seed, max_iter):
    network = MLPClassifier if case == "classification" else MLPRegressor
    model = make_pipeline(
        StandardScaler(),
        network(
            hidden_layer_sizes=(64, 32),
            activation="relu",
            alpha=1e-3,
            learning_rate_init=1e-3,
            max_iter=max_iter,
            early_stopping=True,
            n_iter_no_change=30,
            random_state=seed,
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return model


# -- methods ------------------------------------------------------------------


def has_baseline():
    """Whether the installed skl_lrp has the ``baseline`` parameter."""
    return "baseline" in RelevanceExplainer().get_params()


def lrp_methods():
    """(name, RelevanceExplainer parameters, needs ``baseline``)."""
    methods = [(preset, {"rules": preset}, False) for preset in PRESETS]
    methods += [
        ("rescale, baseline=mean", {"rules": "rescale", "baseline": "mean"}, True),
        ("rescale, baseline=32", {"rules": "rescale", "baseline": 32}, True),
        ("rescale, baseline=128", {"rules": "rescale", "baseline": 128}, True),
        (
            "deep-taylor, baseline=mean",
            {"rules": "deep-taylor", "baseline": "mean"},
            True,
        ),
        (
            "deep-taylor, bounds=mean, baseline=mean",
            {"rules": "deep-taylor", "bounds": "mean", "baseline": "mean"},
            True,
        ),
    ]
    return methods


DEFAULT = "package default"


def resolved(explainer):
    """What a fitted explainer's defaults resolved to (rules, baseline rows)."""
    rules = getattr(explainer, "rules_", explainer.rules)
    text = f"rules={rules!r}" if isinstance(rules, str) else "rules=(a list)"
    rows = getattr(explainer, "baseline_inputs_", None)
    if rows is not None:
        text += f", {len(rows)} baseline row{'s' if len(rows) > 1 else ''}"
    elif has_baseline():
        text += ", baseline=None"
    return text


def timed(function, *args):
    """function(*args) and its CPU seconds: the least over repeated calls
    (the first may pay for imports and caches; others are slowed by
    whatever else the machine runs), until 0.5 s are spent or 20 calls."""
    best, spent = np.inf, 0.0
    for _ in range(20):
        start = time.process_time()
        out = function(*args)
        seconds = time.process_time() - start
        best, spent = min(best, seconds), spent + seconds
        if spent > 0.5:
            break
    return out, best


def explain_lrp(model, X_train, X_test, target, params, seed):
    """Relevance, sum gap terms, CPU seconds and the resolved settings of one
    RelevanceExplainer (background rows drawn with `seed`)."""
    if "random_state" in RelevanceExplainer().get_params():
        params = {**params, "random_state": seed}
    explainer = RelevanceExplainer(FrozenEstimator(model), **params).fit(X_train)
    explanation, seconds = timed(explainer.explain, X_test, target)
    reference = explanation.get("baseline")
    reference = 0.0 if reference is None else reference[:, 0]
    return (
        explanation.relevance[:, 0],
        explanation.scores[:, 0] - reference,
        seconds,
        resolved(explainer),
    )


def integrated_gradients(network_model, Z, references, target, steps=IG_STEPS):
    """Integrated Gradients (Sundararajan et al., 2017), averaged over the
    rows of `references` (one row: plain IG from it): for each reference r,
    (z - r) times the mean gradient at the midpoints of `steps` equal pieces
    of the straight path from r to z (a midpoint Riemann sum)."""
    references = np.atleast_2d(references)
    alphas = (np.arange(steps) + 0.5) / steps
    out = np.zeros_like(Z)
    for reference in references:
        delta = Z - reference
        total = np.zeros_like(Z)
        for alpha in alphas:
            point = reference + alpha * delta
            total += baselines.gradient(network_model, point, target)
        out += delta * total / steps
    return out / len(references)


def run_case(case, args, seed):
    n_samples = {"regression": 4000, "interaction": 4000, "classification": 8000}[case]
    n_test = 1000
    if args.quick:
        n_samples, n_test = n_samples // 4, 200
    X, y, signal = make_data(case, n_samples, seed)
    X_train, X_test, y_train, y_test, _, signal_test = train_test_split(
        X, y, signal, test_size=0.25, random_state=seed
    )
    X_test, y_test, signal_test = X_test[:n_test], y_test[:n_test], signal_test[:n_test]
    start = time.process_time()
    model = train(case, X_train, y_train, seed, 200 if args.quick else 2000)
    fit_seconds = time.process_time() - start
    T = truth(X_test, X_train, case)
    T_mean_row = truth(X_test, X_train, case, against="mean row")

    mlp = model[-1]
    scaler = model[0]
    network = read_network(mlp)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    target = 1 if case == "classification" else 0
    column = network.columns_for(target)[0]
    scores = forward(network, Z_test)[2][:, column]

    quality = {"fit CPU s": fit_seconds}
    if case == "classification":
        quality["accuracy"] = accuracy_score(y_test, model.predict(X_test))
        quality["accuracy of the true logit"] = float(
            np.mean((signal_test > 0) == (y_test == 1))
        )
    else:
        quality["R²"] = r2_score(y_test, model.predict(X_test))
        quality["R² of the true signal"] = r2_score(
            y_test, signal_test + (y_test - signal_test).mean()
        )
    quality["r(score, true signal)"] = float(np.corrcoef(scores, signal_test)[0, 1])
    quality["package default"] = None  # (filled in below)

    results = {}  # name -> (relevance, sum target or None, seconds, n rows)
    baseline_ok = has_baseline()
    for name, params, needs_baseline in lrp_methods():
        if needs_baseline and not baseline_ok:
            continue
        relevance, target_sum, seconds, _ = explain_lrp(
            model, X_train, X_test, target, params, seed
        )
        results[name] = (relevance, target_sum, seconds, len(X_test))
    relevance, target_sum, seconds, default = explain_lrp(
        model, X_train, X_test, target, {}, seed
    )
    results[DEFAULT] = (relevance, target_sum, seconds, len(X_test))

    # Gradients of the network on standardized inputs z = (x - mean) / scale:
    # d f / d x = (d f / d z) / scale, so gradient x (x - mean) = (d f/d z) z.
    gradient, seconds = timed(baselines.gradient, mlp, Z_test, target)
    gradient = gradient / scaler.scale_
    results["gradient x input"] = (gradient * X_test, None, seconds, len(X_test))
    results["gradient x (x - mean)"] = (
        gradient * (X_test - scaler.mean_),
        None,
        seconds,
        len(X_test),
    )
    ig, seconds = timed(
        integrated_gradients, mlp, Z_test, np.zeros(Z_test.shape[1]), target
    )
    reference_score = forward(network, np.zeros((1, Z_test.shape[1])))[2][0, column]
    results[f"integrated gradients ({IG_STEPS} steps, from mean)"] = (
        ig,
        scores - reference_score,
        seconds,
        len(X_test),
    )
    # The same averaged over 32 training rows: what averaging over a
    # background does without LRP (16 steps each, to bound its cost).
    references = Z_train[
        np.random.RandomState(seed).choice(len(Z_train), 32, replace=False)
    ]
    ig, seconds = timed(integrated_gradients, mlp, Z_test, references, target, 16)
    reference_score = forward(network, references)[2][:, column].mean()
    results["integrated gradients (16 steps, 32 rows)"] = (
        ig,
        scores - reference_score,
        seconds,
        len(X_test),
    )
    if not args.no_shap:
        n_shap = min(args.shap_rows, len(X_test))
        background = Z_train[
            np.random.RandomState(seed).choice(
                len(Z_train), SHAP_BACKGROUND, replace=False
            )
        ]
        baselines.shap_relevance(mlp, Z_test[:2], background, target)  # (warm-up)
        start = time.process_time()
        shap_values = baselines.shap_relevance(mlp, Z_test[:n_shap], background, target)
        seconds = time.process_time() - start
        if shap_values is None:
            print("note: shap is not installed; its anchor is skipped", file=sys.stderr)
        else:
            expected = forward(network, background)[2][:, column].mean()
            results[f"SHAP permutation ({n_shap} rows)"] = (
                shap_values,
                scores[:n_shap] - expected,
                seconds,
                n_shap,
            )
    quality["package default"] = default
    rows = [
        score_method(name, *result, T, T_mean_row, scores)
        for name, result in results.items()
    ]
    return rows, quality, len(X_test)


# -- metrics ------------------------------------------------------------------


def row_pearson(A, B):
    """Pearson r of each row of A with the same row of B (0 where a row is
    constant)."""
    A = A - A.mean(axis=1, keepdims=True)
    B = B - B.mean(axis=1, keepdims=True)
    denominator = np.sqrt((A * A).sum(axis=1) * (B * B).sum(axis=1))
    numerator = (A * B).sum(axis=1)
    out = np.zeros(len(A))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def score_method(name, relevance, target_sum, seconds, n_rows, T, T_mean_row, scores):
    relevance = np.asarray(relevance, dtype=float)
    T = T[:n_rows]
    r_rows = row_pearson(relevance, T)
    r_mean_row = row_pearson(relevance, T_mean_row[:n_rows])
    gap = np.nan
    if target_sum is not None:
        gap = np.median(np.abs(relevance.sum(axis=1) - target_sum)) / scores.std()
    magnitude = np.abs(relevance)
    return {
        "method": name,
        "row_r": float(np.median(r_rows)),
        "row_r_50": float(np.median(r_rows[:50])),
        "row_r_mean_row": float(np.median(r_mean_row)),
        "global_r": float(np.corrcoef(relevance.ravel(), T.ravel())[0, 1]),
        "null_share": float(magnitude[:, NULLS].sum() / magnitude.sum()),
        "sum_gap": float(gap),
        "cpu_per_1000": 1000 * seconds / n_rows,
    }


# -- tables -------------------------------------------------------------------

HEADER = [
    "method",
    "row r",
    "row r (first 50)",
    "row r vs mean row",
    "global r",
    "null share",
    "sum gap",
    "CPU s / 1000 rows",
]


def _cells(row):
    gap = row["sum_gap"]
    return [
        row["method"],
        f"{row['row_r']:.3f}",
        f"{row['row_r_50']:.3f}",
        f"{row['row_r_mean_row']:.3f}",
        f"{row['global_r']:.3f}",
        f"{row['null_share']:.1%}",
        "-" if np.isnan(gap) else f"{gap:.1e}",
        f"{row['cpu_per_1000']:.3g}",
    ]


def _quality(quality):
    parts = []
    for key, value in quality.items():
        if key == "fit CPU s":
            continue
        parts.append(
            f"{key}: {value}" if isinstance(value, str) else f"{key} {value:.3f}"
        )
    return ", ".join(parts)


def markdown(case, rows, quality, n_test):
    lines = [f"## {case} ({n_test} held-out rows; {_quality(quality)})", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rst_table(case, rows, quality, n_test, seed):
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
    ]
    for cells in [HEADER, *map(_cells, rows)]:
        cells = [c.replace("|", "\\|").replace("*", "\\*") for c in cells]
        lines.append("   * - " + "\n     - ".join(cells))
    lines.append("")
    lines.append(
        f"Seed {seed}, {n_test} held-out rows; the model: "
        + _quality(quality).replace("R²", "R\\ :sup:`2`")
        + "."
    )
    return "\n".join(lines) + "\n"


def features_table():
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - feature\n     - input x\n     - effect g(x)",
    ]
    for name in NAMES:
        _, _, formula, description = FEATURES[name]
        lines.append(f"   * - ``{name}``\n     - {description}\n     - {formula}")
    return "\n".join(lines) + "\n"


def seeds_table(summary, seeds, rst):
    """Median row r per method and case over the seeds, with its range."""
    header = ["method", *[f"{case}" for case in CASES if case in summary]]
    methods = list(dict.fromkeys(m for case in summary.values() for m in case))
    rows = []
    for method in methods:
        cells = [method]
        for case in header[1:]:
            values = summary[case].get(method)
            if values is None:
                cells.append("")
                continue
            values = np.array(values)
            cells.append(
                f"{np.median(values):.3f} ({values.min():.3f} to {values.max():.3f})"
            )
        rows.append(cells)
    if not rst:
        lines = [f"## row r over seeds {seeds[0]}-{seeds[-1]}: median (min to max)"]
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in rows]
        return "\n".join(lines) + "\n"
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for cells in [header, *rows]:
        lines.append("   * - " + "\n     - ".join(c if c else " " for c in cells))
    lines.append("")
    lines.append(
        f"Median row r over seeds {seeds[0]} to {seeds[-1]} ({len(seeds)} sets of "
        "data, splits and networks), with the smallest and largest in brackets."
    )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small data, writes no docs table"
    )
    parser.add_argument("--seed", type=int, default=0, help="the first seed")
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="seeds seed, seed+1, ... summarized by their row r (full tables: "
        "the first seed's)",
    )
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--no-shap", action="store_true", help="skip SHAP")
    parser.add_argument(
        "--no-docs", action="store_true", help="print only, write no docs table"
    )
    parser.add_argument("--shap-rows", type=int, default=50)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    if not has_baseline():
        skipped = [name for name, _, needs in lrp_methods() if needs]
        print(
            "note: this skl_lrp's RelevanceExplainer has no `baseline` parameter; "
            f"skipped: {'; '.join(skipped)}.",
            file=sys.stderr,
        )
    write = not (args.quick or args.no_docs)
    docs = ROOT / "docs"
    seeds = list(range(args.seed, args.seed + args.repeats))
    summary = {}  # case -> method -> row r per seed
    # One BLAS thread: CPU seconds then count work, not threads spin-waiting.
    limits = threadpool_limits(1, user_api="blas")
    for case in args.cases:
        summary[case] = {}
        for seed in seeds:
            start = time.perf_counter()
            rows, quality, n_test = run_case(case, args, seed)
            for row in rows:
                summary[case].setdefault(row["method"], []).append(row["row_r"])
            print(
                f"{case}, seed {seed}: {time.perf_counter() - start:.1f}s wall, "
                f"network fit {quality['fit CPU s']:.1f} CPU s",
                file=sys.stderr,
            )
            if seed != seeds[0]:
                continue
            print(markdown(case, rows, quality, n_test))
            if write:
                (docs / f"ground_truth_{case}.inc").write_text(
                    rst_table(case, rows, quality, n_test, seed)
                )
    limits.unregister()
    if len(seeds) > 1:
        print(seeds_table(summary, seeds, rst=False))
    if write:
        (docs / "ground_truth_features.inc").write_text(features_table())
        if len(seeds) > 1:
            (docs / "ground_truth_seeds.inc").write_text(
                seeds_table(summary, seeds, rst=True)
            )


if __name__ == "__main__":
    main()
