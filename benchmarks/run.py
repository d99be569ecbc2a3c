"""Speed of RelevanceExplainer as ratios to prediction, measured in one process.

Usage::

    python benchmarks/run.py                 # workload W, a few settings
    python benchmarks/run.py --rows 20000    # smaller, quicker

Workload W: 100,000 rows x 50 features, MLPClassifier(hidden_layer_sizes=(256,
128)), 3 classes. The network's weights are random (training it would only
cost time; the arithmetic does not depend on the values). Every time is the
best of ``--repeat`` runs; the ratios are what the documentation quotes:

- ``/proba``: transform time / ``predict_proba`` time on the same rows;
- ``/forward``: transform time / a plain numpy forward pass of the same
  network over the same batches (the multiply-add floor of the deep-taylor
  rules is about 3x this).

Results are printed and written to ``benchmarks/results/run.csv``.
"""

import argparse
import csv
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.neural_network import MLPClassifier
from sklearn.utils import gen_batches

from skl_lrp import RelevanceExplainer


def best_times(repeat, *calls):
    """Shortest wall-clock time of each call ``(function, args, kwargs)``.

    The calls are interleaved, round after round, so that a slow spell of the
    machine hits all of them alike and their ratios stay meaningful.
    """
    times = [[] for _ in calls]
    for _ in range(repeat):
        for spent, (function, args, kwargs) in zip(times, calls):
            start = time.perf_counter()
            function(*args, **kwargs)
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--hidden", default="256,128")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--batch-sizes", default="256,1024,4096")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    hidden = tuple(int(w) for w in args.hidden.split(","))
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]

    rows = []
    header = (
        f"{'dtype':>7} {'batch':>6} {'n_jobs':>6} {'target':>9} "
        f"{'proba s':>8} {'explain s':>9} {'/proba':>7} {'/forward':>8} "
        f"{'rows/s':>10}"
    )
    print(
        f"W: {args.rows} rows x {args.features} features, hidden {hidden}, "
        f"{args.classes} classes; best of {args.repeat}"
    )
    print(header)
    for dtype in (np.float64, np.float32):
        model = make_model(args.features, hidden, args.classes, dtype)
        X = np.random.RandomState(1).normal(size=(args.rows, args.features))
        X = X.astype(dtype)
        settings = [(b, 1, "predicted") for b in batch_sizes]
        settings += [(batch_sizes[1 % len(batch_sizes)], 2, "predicted")]
        settings += [(batch_sizes[1 % len(batch_sizes)], 1, "all")]
        for batch_size, n_jobs, target in settings:
            explainer = RelevanceExplainer(
                FrozenEstimator(model), batch_size=batch_size, n_jobs=n_jobs
            ).fit(X)
            if target == "all":
                run = (explainer.explain, (X,), {"target": "all"})
            else:
                run = (explainer.transform, (X,), {})
            proba, explain, forward = best_times(
                args.repeat,
                (model.predict_proba, (X,), {}),
                run,
                (batched_forward, (model, X, batch_size), {}),
            )
            row = {
                "dtype": np.dtype(dtype).name,
                "batch_size": batch_size,
                "n_jobs": n_jobs,
                "target": target,
                "predict_proba_s": proba,
                "explain_s": explain,
                "ratio_proba": explain / proba,
                "ratio_forward": explain / forward,
                "rows_per_s": args.rows / explain,
            }
            rows.append(row)
            print(
                f"{row['dtype']:>7} {batch_size:>6} {n_jobs:>6} {target:>9} "
                f"{proba:>8.3f} {explain:>9.3f} {row['ratio_proba']:>7.2f} "
                f"{row['ratio_forward']:>8.2f} {row['rows_per_s']:>10.0f}"
            )
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    with open(output / "run.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written: {output / 'run.csv'}")


if __name__ == "__main__":
    main()
