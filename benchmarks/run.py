"""Speed and memory of RelevanceExplainer, as ratios measured in one process.

Usage::

    python benchmarks/run.py            # the headline figures (a few minutes)
    python benchmarks/run.py --grid     # also the sweep over sizes (longer)
    python benchmarks/run.py --quick    # smaller workloads, for a smoke run

Workload W: 100,000 rows x 50 features, MLPClassifier(hidden_layer_sizes=(256,
128)), 3 classes, float64. Networks get random weights (training would only
cost time; the arithmetic does not depend on the values). Times are the best
of ``--repeat`` runs, interleaved with the runs they are compared to, so that
a slow spell of the machine hits both; ratios, not seconds, are what the
documentation quotes:

- ``/proba``: explain time / ``predict_proba`` on the same rows;
- ``/forward``: explain time / a plain numpy forward pass of the same
  network over the same batches (the deep-taylor rules need about three
  matrix products per layer where the forward pass needs one);
- peak memory: the most memory ``transform`` holds beyond its output and
  input, traced with :mod:`tracemalloc`, in units of
  ``batch_size x widest layer x itemsize``.

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


def headline(n_rows, repeat):
    """The figures of the performance issue, on workload W."""
    results = []
    out = []
    models = {dt: make_model(50, (256, 128), 3, dt) for dt in (np.float64, np.float32)}
    X64, X32 = data(n_rows, 50, np.float64), data(n_rows, 50, np.float32)
    e64 = explainer_for(models[np.float64], X64)
    e32 = explainer_for(models[np.float32], X32)
    batch = e64.batch_size
    proba, transform, forward, transform32, proba32 = best_times(
        repeat,
        (models[np.float64].predict_proba, (X64,), {}),
        (e64.transform, (X64,), {}),
        (batched_forward, (models[np.float64], X64, batch), {}),
        (e32.transform, (X32,), {}),
        (models[np.float32].predict_proba, (X32,), {}),
    )
    results += [
        {
            "figure": "transform / predict_proba (float64)",
            "value": transform / proba,
            "goal": "<= 2.0",
        },
        {
            "figure": "transform / batched forward (float64)",
            "value": transform / forward,
            "goal": "<= 3.5",
        },
        {
            "figure": "float64 transform time / float32 transform time",
            "value": transform / transform32,
            "goal": ">= 1.6",
        },
        {
            "figure": "transform / predict_proba (float32)",
            "value": transform32 / proba32,
            "goal": "-",
        },
        {
            "figure": "rows per second, transform float64",
            "value": n_rows / transform,
            "goal": "-",
        },
    ]
    # The first ratio again with memory the host has taken back: predict_proba
    # allocates ~3 kB per row and pays for faulting it in; transform reuses
    # its batch's buffers.
    proba_idle, transform_idle = best_times(
        repeat,
        (models[np.float64].predict_proba, (X64,), {}),
        (e64.transform, (X64,), {}),
        before=idle_memory,
    )
    results.append(
        {
            "figure": "transform / predict_proba (float64, memory idle 3 s)",
            "value": transform_idle / proba_idle,
            "goal": "-",
        }
    )
    # The same two ratios in CPU time, single-threaded (steadier; see above).
    part = X64[: n_rows // 4]
    data_box = explainer_for(models[np.float64], X64, bounds="data")
    transform_cpu, forward_cpu, proba_cpu, data_box_cpu = cpu_times(
        2 * repeat,
        (e64.transform, (part,), {}),
        (batched_forward, (models[np.float64], part, batch), {}),
        (models[np.float64].predict_proba, (part,), {}),
        (data_box.transform, (part,), {}),
    )
    results += [
        {
            "figure": "transform / batched forward (CPU time, one BLAS thread)",
            "value": transform_cpu / forward_cpu,
            "goal": "-",
        },
        {
            "figure": "the same with bounds='data' (the box of the data's range)",
            "value": data_box_cpu / forward_cpu,
            "goal": "-",
        },
        {
            "figure": "transform / predict_proba (CPU time, one BLAS thread)",
            "value": transform_cpu / proba_cpu,
            "goal": "-",
        },
    ]
    # Against a baseline (Rescale): one reference row, and 32 background
    # rows, whose every sample is explained 32 times (on fewer rows).
    model = models[np.float64]
    one_ref = explainer_for(model, X64, rules="rescale", baseline="mean")
    refs = explainer_for(model, X64, rules="rescale", baseline=32, random_state=0)
    few = X64[: max(n_rows // 64, 64)]
    one_ref_cpu, refs_cpu, forward_few_cpu, one_ref_few_cpu = cpu_times(
        2 * repeat,
        (one_ref.transform, (part,), {}),
        (refs.transform, (few,), {}),
        (batched_forward, (model, few, batch), {}),
        (one_ref.transform, (few,), {}),
    )
    results += [
        {
            "figure": "rescale, baseline='mean' / batched forward (CPU time)",
            "value": one_ref_cpu / forward_cpu,
            "goal": "-",
        },
        {
            "figure": "rescale, baseline=32 / batched forward (CPU time)",
            "value": refs_cpu / forward_few_cpu,
            "goal": "-",
        },
        {
            "figure": "rescale, baseline=32 / (32 x baseline='mean') (CPU time)",
            "value": refs_cpu / (32 * one_ref_few_cpu),
            "goal": "<= 1.2",
        },
    ]
    # Ten classes: all targets at once against one.
    model10 = make_model(50, (256, 128), 10, np.float64)
    e10 = explainer_for(model10, X64)
    one, everything, single = best_times(
        repeat,
        (e10.explain, (X64,), {}),
        (e10.explain, (X64,), {"target": "all"}),
        (e10.transform, (X64,), {}),
    )
    one_cpu, everything_cpu = cpu_times(
        repeat,
        (e10.explain, (part,), {}),
        (e10.explain, (part,), {"target": "all"}),
    )
    results += [
        {
            "figure": "explain(all, 10 classes) / explain(predicted)",
            "value": everything / one,
            "goal": "<= 5",
        },
        {
            "figure": "the same, CPU time, one BLAS thread",
            "value": everything_cpu / one_cpu,
            "goal": "-",
        },
        {
            "figure": "explain(all, 10 classes) / transform",
            "value": everything / single,
            "goal": "-",
        },
    ]
    # Parallel batches: with the machine's BLAS threads, and with one.
    e2 = explainer_for(models[np.float64], X64, n_jobs=2)

    def single_blas(function, *args):
        with threadpool_limits(1, user_api="blas"):
            return function(*args)

    t1, t2, s1, s2 = best_times(
        repeat,
        (e64.transform, (X64,), {}),
        (e2.transform, (X64,), {}),
        (single_blas, (e64.transform, X64), {}),
        (single_blas, (e2.transform, X64), {}),
    )
    results += [
        {
            "figure": "n_jobs=1 time / n_jobs=2 time (BLAS threads as installed)",
            "value": t1 / t2,
            "goal": ">= 1 (no slowdown)",
        },
        {
            "figure": "n_jobs=1 time / n_jobs=2 time (single-threaded BLAS)",
            "value": s1 / s2,
            "goal": "> 1 (speed-up)",
        },
    ]
    out.append(table(results, ["figure", "value", "goal"]))
    save("headline", results)

    # Batch sizes: the default is the one that is fast without being large.
    rows = []
    sizes = [128, 256, 512, 1024, 2048, 4096, 8192]
    explainers = [explainer_for(models[np.float64], X64, batch_size=b) for b in sizes]
    times = best_times(
        repeat,
        (models[np.float64].predict_proba, (X64,), {}),
        *[(e.transform, (X64,), {}) for e in explainers],
    )
    for size, spent in zip(sizes, times[1:]):
        rows.append({"batch_size": size, "transform / predict_proba": spent / times[0]})
    out.append(table(rows, ["batch_size", "transform / predict_proba"]))
    save("batch_size", rows)

    # Memory beyond the output does not grow with the number of rows, nor
    # with the number of reference rows.
    rows = []
    for n, explainer, what in (
        (10_000, e64, "deep-taylor"),
        (100_000, e64, "deep-taylor"),
        (1_000_000, e64, "deep-taylor"),
        (2_000, one_ref, "rescale, baseline='mean'"),
        (2_000, refs, "rescale, baseline=32"),
    ):
        X = data(n, 50, np.float64)
        peak = peak_memory(explainer, X)
        rows.append(
            {
                "rows": n,
                "rules": what,
                "peak beyond output (MB)": peak / 1e6,
                "in batch x widest x itemsize": peak / memory_unit(e64, batch),
            }
        )
    columns = ["rows", "rules", "peak beyond output (MB)"]
    columns.append("in batch x widest x itemsize")
    out.append(table(rows, columns))
    save("memory", rows)
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
