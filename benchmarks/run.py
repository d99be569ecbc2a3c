"""Speed and memory of RelevanceExplainer, as ratios measured in one process.

Usage::

    python benchmarks/run.py            # the figures of docs/performance.rst
    python benchmarks/run.py --grid     # also the sweep over sizes (longer)
    python benchmarks/run.py --quick    # smaller workloads, for a smoke run

Workload W: 100,000 rows x 50 features, MLPClassifier(hidden_layer_sizes=(256,
128)), 3 classes, float64. Networks get random weights (training would only
cost time; the arithmetic does not depend on the values). Times are the best
of ``--repeat`` runs, interleaved with the runs they are compared to, so that
a slow spell of the machine hits both; ratios, not seconds, are what the
documentation quotes. The tables, in the order printed:

- CPU time with one BLAS thread (the steadier check of the code's own
  cost, and the speed limit's: transform within 1.15 times its root
  point's flop floor, 3.28 forward passes for the column mean, 3.0 for the
  data's box), over a plain numpy forward pass of the same network over
  the same batches (``/ forward``) or over ``predict_proba``;
- wall-clock ratios (``/ predict_proba`` on the same rows, float64 against
  float32, all targets against one, parallel batches);
- ``transform / predict_proba`` by batch size;
- peak memory: the most memory ``transform`` holds beyond its output and
  input, traced with :mod:`tracemalloc`, in MB and in units of
  ``batch_size x widest layer x itemsize``;
- SHAP's PermutationExplainer per sample against ``transform`` (when shap
  is installed).

Results are printed as Markdown tables and written to ``benchmarks/results/``.
"""

import argparse
import csv
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier
from sklearn.utils import gen_batches
from threadpoolctl import threadpool_limits

from skl_lrp import RelevanceExplainer

RESULTS = Path(__file__).parent / "results"


def warm_memory(megabytes=1024):
    """Touch and free `megabytes` of memory, untimed, before a timed call.

    On the virtual machine these figures come from, memory a process frees
    is handed back to the host within about two seconds, and touching it
    again costs ~2.5 ms per MB (1.7 s for a 400 MB output, against 0.06 s
    once the host has backed it). Touching a buffer first makes the call
    that follows find backed pages, as on a physical machine, whatever its
    neighbours did.
    """
    np.ones(megabytes << 17)


def idle_memory():
    """Wait until the memory freed so far is back with the host (see above):
    what a process that has just started, or sat idle, finds."""
    time.sleep(3)


def best_times(repeat, *calls, before=warm_memory, clock=time.perf_counter):
    """Shortest time of each call ``(function, args, kwargs)`` on `clock`.

    The calls are interleaved, round after round, so that a slow spell of the
    machine hits all of them alike and their ratios stay meaningful;
    `before` runs, untimed, before each call.
    """
    times = [[] for _ in calls]
    for _ in range(repeat):
        for spent, (function, args, kwargs) in zip(times, calls):
            before()
            start = clock()
            function(*args, **kwargs)
            spent.append(clock() - start)
    return [min(spent) for spent in times]


def cpu_times(repeat, *calls):
    """Like :func:`best_times`, in process time with one BLAS thread.

    On a shared virtual machine, wall-clock times swing with the neighbours;
    the CPU time of a single-threaded run does much less, so these ratios
    are the steadier check of the code's own cost.
    """
    with threadpool_limits(1, user_api="blas"):
        return best_times(repeat, *calls, clock=time.process_time)


def make_model(n_features, hidden, n_classes, dtype, seed=0):
    """An MLPClassifier with the given shape and random weights."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(10 * n_classes, n_features)).astype(dtype)
    y = np.arange(len(X)) % n_classes
    model = MLPClassifier(hidden_layer_sizes=hidden, max_iter=1, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.coefs_ = [
        (rng.normal(size=w.shape) / np.sqrt(w.shape[0])).astype(dtype)
        for w in model.coefs_
    ]
    model.intercepts_ = [
        (0.1 * rng.normal(size=b.shape)).astype(dtype) for b in model.intercepts_
    ]
    return model


def data(n_rows, n_features, dtype, seed=1):
    return np.random.RandomState(seed).normal(size=(n_rows, n_features)).astype(dtype)


def batched_forward(model, X, batch_size):
    """Logits of `model` on `X`, batch by batch, in plain numpy."""
    last = len(model.coefs_) - 1
    for rows in gen_batches(len(X), batch_size):
        a = X[rows]
        for index, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
            a = a @ w
            a += b
            if index != last:
                np.maximum(a, 0, out=a)


def explainer_for(model, X, **params):
    return RelevanceExplainer(FrozenEstimator(model), **params).fit(X[:2000])


def peak_memory(explainer, X):
    """Peak bytes `transform` allocates beyond its output."""
    out_bytes = X.shape[0] * X.shape[1] * explainer._plan.network.dtype.itemsize
    tracemalloc.start()
    tracemalloc.reset_peak()
    explainer.transform(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - out_bytes


def memory_unit(explainer, batch_size):
    network = explainer._plan.network
    widest = max(max(w.shape) for w in network.weights)
    return batch_size * widest * network.dtype.itemsize


def table(rows, columns):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for c in columns:
            value = row[c]
            cells.append(f"{value:.3g}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save(name, rows):
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / f"{name}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def figure(name, value, goal="-"):
    return {"figure": name, "value": value, "goal": goal}


def cpu_figures(model, X, repeat):
    """Transform's CPU time with one BLAS thread over a batched forward
    pass, by rules and root point (the speed limit's figures), on a quarter
    of the rows; against 32 background rows, on 1/64 of them."""
    part, few = X[: len(X) // 4], X[: max(len(X) // 64, 64)]
    column_mean = explainer_for(model, X)
    batch = column_mean.batch_size
    one_ref = explainer_for(model, X, rules="rescale", baseline="mean")
    refs = explainer_for(model, X, rules="rescale", baseline=32, random_state=0)
    times = cpu_times(
        2 * repeat,
        (batched_forward, (model, part, batch), {}),
        (column_mean.transform, (part,), {}),
        (explainer_for(model, X, bounds="data").transform, (part,), {}),
        (explainer_for(model, X, rules="epsilon").transform, (part,), {}),
        (model.predict_proba, (part,), {}),
        (one_ref.transform, (part,), {}),
        (batched_forward, (model, few, batch), {}),
        (refs.transform, (few,), {}),
        (one_ref.transform, (few,), {}),
    )
    forward, column, box, epsilon, proba, mean, forward_few, k32, mean_few = times
    return [
        figure(
            "deep-taylor, bounds='column-mean' (classifier default) / forward",
            column / forward,
            "<= 3.77",
        ),
        figure("deep-taylor, bounds='data' / forward", box / forward, "<= 3.45"),
        figure("rules='epsilon' / forward", epsilon / forward),
        figure("deep-taylor, column-mean / predict_proba", column / proba),
        figure("rescale, baseline='mean' / forward", mean / forward),
        figure("rescale, baseline=32 (regressor default) / forward", k32 / forward_few),
        figure("rescale, baseline=32 / (32 x baseline='mean')", k32 / (32 * mean_few)),
    ]


def wall_figures(models, X64, X32, repeat):
    """Wall-clock ratios of transform to predict_proba and to the forward
    pass, in both float types, with memory warm and idle."""
    model = models[np.float64]
    e64, e32 = explainer_for(model, X64), explainer_for(models[np.float32], X32)
    proba, transform, forward, transform32, proba32 = best_times(
        repeat,
        (model.predict_proba, (X64,), {}),
        (e64.transform, (X64,), {}),
        (batched_forward, (model, X64, e64.batch_size), {}),
        (e32.transform, (X32,), {}),
        (models[np.float32].predict_proba, (X32,), {}),
    )
    # The first ratio again with memory the host has taken back: predict_proba
    # allocates ~3 kB per row and pays for faulting it in; transform reuses
    # its batch's buffers.
    proba_idle, transform_idle = best_times(
        repeat,
        (model.predict_proba, (X64,), {}),
        (e64.transform, (X64,), {}),
        before=idle_memory,
    )
    return [
        figure("transform / predict_proba (float64)", transform / proba, "<= 2.0"),
        figure("transform / batched forward (float64)", transform / forward, "<= 3.5"),
        figure("float64 time / float32 time", transform / transform32, ">= 1.6"),
        figure("transform / predict_proba (float32)", transform32 / proba32),
        figure("rows per second, transform float64", len(X64) / transform),
        figure(
            "transform / predict_proba (float64, memory idle 3 s)",
            transform_idle / proba_idle,
        ),
    ]


def target_figures(X, repeat):
    """All ten classes' relevance at once against one class's."""
    model = make_model(50, (256, 128), 10, np.float64)
    explainer = explainer_for(model, X)
    one, everything, single = best_times(
        repeat,
        (explainer.explain, (X,), {}),
        (explainer.explain, (X,), {"target": "all"}),
        (explainer.transform, (X,), {}),
    )
    part = X[: len(X) // 4]
    one_cpu, everything_cpu = cpu_times(
        repeat,
        (explainer.explain, (part,), {}),
        (explainer.explain, (part,), {"target": "all"}),
    )
    return [
        figure("explain(all, 10 classes) / explain(one)", everything / one, "<= 5"),
        figure("the same, CPU time, one BLAS thread", everything_cpu / one_cpu),
        figure("explain(all, 10 classes) / transform", everything / single),
    ]


def parallel_figures(model, X, repeat):
    """Parallel batches: with the machine's BLAS threads, and with one."""
    e1, e2 = explainer_for(model, X), explainer_for(model, X, n_jobs=2)

    def single_blas(function, *args):
        with threadpool_limits(1, user_api="blas"):
            return function(*args)

    t1, t2, s1, s2 = best_times(
        repeat,
        (e1.transform, (X,), {}),
        (e2.transform, (X,), {}),
        (single_blas, (e1.transform, X), {}),
        (single_blas, (e2.transform, X), {}),
    )
    return [
        figure(
            "n_jobs=1 time / n_jobs=2 time (BLAS threads as installed)",
            t1 / t2,
            ">= 1 (no slowdown)",
        ),
        figure(
            "n_jobs=1 time / n_jobs=2 time (single-threaded BLAS)",
            s1 / s2,
            "> 1 (speed-up)",
        ),
    ]


def batch_size_figures(model, X, repeat):
    """Batch sizes: the default is the one that is fast without being large."""
    sizes = [128, 256, 512, 1024, 2048, 4096, 8192]
    explainers = [explainer_for(model, X, batch_size=b) for b in sizes]
    times = best_times(
        repeat,
        (model.predict_proba, (X,), {}),
        *[(e.transform, (X,), {}) for e in explainers],
    )
    return [
        {"batch_size": size, "transform / predict_proba": spent / times[0]}
        for size, spent in zip(sizes, times[1:])
    ]


def memory_figures(model, X):
    """Memory beyond the output does not grow with the number of rows, nor
    with the number of reference rows."""
    deep_taylor = explainer_for(model, X)
    unit = memory_unit(deep_taylor, deep_taylor.batch_size)
    one_ref = explainer_for(model, X, rules="rescale", baseline="mean")
    refs = explainer_for(model, X, rules="rescale", baseline=32, random_state=0)
    rows = []
    for n, explainer, what in (
        (10_000, deep_taylor, "deep-taylor"),
        (100_000, deep_taylor, "deep-taylor"),
        (1_000_000, deep_taylor, "deep-taylor"),
        (2_000, one_ref, "rescale, baseline='mean'"),
        (2_000, refs, "rescale, baseline=32"),
    ):
        peak = peak_memory(explainer, data(n, 50, np.float64))
        rows.append(
            {
                "rows": n,
                "rules": what,
                "peak beyond output (MB)": peak / 1e6,
                "in batch x widest x itemsize": peak / unit,
            }
        )
    return rows


def headline(n_rows, repeat):
    """The figures of docs/performance.rst, on workload W: one table each."""
    models = {dt: make_model(50, (256, 128), 3, dt) for dt in (np.float64, np.float32)}
    model = models[np.float64]
    X64, X32 = data(n_rows, 50, np.float64), data(n_rows, 50, np.float32)
    tables = {
        "cpu": cpu_figures(model, X64, repeat),
        "wall": wall_figures(models, X64, X32, repeat)
        + target_figures(X64, repeat)
        + parallel_figures(model, X64, repeat),
        "batch_size": batch_size_figures(model, X64, repeat),
        "memory": memory_figures(model, X64),
    }
    out = []
    for name, rows in tables.items():
        out.append(table(rows, list(rows[0])))
        save(name, rows)
    return out


def versus_shap(repeat):
    """Per-sample time of SHAP's PermutationExplainer over LRP's (optional)."""
    try:
        import shap
    except ImportError:
        return ["shap is not installed: no comparison."]
    model = make_model(50, (256, 128), 3, np.float64)
    X = data(2000, 50, np.float64)
    explainer = explainer_for(model, X)
    few = X[:40]
    masker = shap.maskers.Independent(X[:100])
    permutation = shap.PermutationExplainer(model.predict_proba, masker)
    start = time.perf_counter()
    permutation(few, max_evals=2 * X.shape[1] + 1)
    shap_time = (time.perf_counter() - start) / len(few)
    (lrp_time,) = best_times(repeat, (explainer.transform, (X,), {}))
    lrp_time /= len(X)
    rows = [
        {
            "method": "shap.PermutationExplainer (101 evaluations)",
            "ms per sample": 1000 * shap_time,
        },
        {"method": "RelevanceExplainer.transform", "ms per sample": 1000 * lrp_time},
        {"method": "ratio", "ms per sample": shap_time / lrp_time},
    ]
    save("shap", rows)
    return [table(rows, ["method", "ms per sample"])]


def grid(repeat, quick):
    """Ratios, rows per second and memory over sizes, one axis at a time."""
    base = {
        "rows": 100_000,
        "features": 50,
        "hidden": (256, 128),
        "dtype": "float64",
        "n_jobs": 1,
    }
    axes = {
        "rows": [1_000, 10_000, 100_000] + ([] if quick else [1_000_000]),
        "features": [10, 50, 1000],
        "hidden": [(64,), (256, 128), (1024, 512), (256,) * 3, (256,) * 4],
        "dtype": ["float64", "float32"],
        "n_jobs": [1, 2],
    }
    rows = []
    for axis, values in axes.items():
        for value in values:
            setting = dict(base, **{axis: value})
            if quick:
                setting["rows"] = min(setting["rows"], 20_000)
            dtype = np.dtype(setting["dtype"]).type
            model = make_model(setting["features"], setting["hidden"], 3, dtype)
            X = data(setting["rows"], setting["features"], dtype)
            explainer = explainer_for(model, X, n_jobs=setting["n_jobs"])
            proba, spent = best_times(
                repeat, (model.predict_proba, (X,), {}), (explainer.transform, (X,), {})
            )
            peak = peak_memory(explainer, X[: min(len(X), 100_000)])
            rows.append(
                {
                    "varied": axis,
                    "rows": setting["rows"],
                    "features": setting["features"],
                    "hidden": str(setting["hidden"]),
                    "dtype": setting["dtype"],
                    "n_jobs": setting["n_jobs"],
                    "explain / proba": spent / proba,
                    "rows/s": setting["rows"] / spent,
                    "peak MB": peak / 1e6,
                }
            )
            print(rows[-1], flush=True)
    save("grid", rows)
    return [table(rows, list(rows[0]))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--grid", action="store_true", help="also sweep the sizes")
    parser.add_argument("--quick", action="store_true", help="small workloads")
    parser.add_argument(
        "--clusters", action="store_true", help="also the k-means speed goal"
    )
    args = parser.parse_args()
    rows = 20_000 if args.quick else args.rows
    repeat = 2 if args.quick else args.repeat
    sections = headline(rows, repeat) + versus_shap(repeat)
    if args.grid:
        sections += grid(repeat, args.quick)
    if args.clusters:  # (benchmarks/clusters.py --speed runs it alone)
        from clusters import speed

        sections.append(table(speed(repeat), ["figure", "value", "goal"]))
    print("\n\n".join(sections))
    print(f"\nwritten: {RESULTS}/*.csv")


if __name__ == "__main__":
    main()
