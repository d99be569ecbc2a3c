"""Scale-out figures: streaming a Parquet file, and Dask worker processes.

1. Streaming: a fitted explainer (saved with skops) explains a Parquet file
   of N rows x 50 features into another Parquet file, in a fresh process, as
   ``skl-lrp explain --explainer`` does. Reported: rows/s and the process's
   peak resident memory, for N = 10^6 and 10^7.
2. Dask: ``transform`` of a dask array of 10^6 rows x 50 features on a
   ``LocalCluster`` of 1, then 2, single-threaded worker processes (the
   array is generated on the workers; only per-column sums come back).
   Reported: rows/s, best of three.

Run ``python benchmarks/scale.py`` (``--quick`` for a smoke run with 10^4 and
10^5 rows). Input files are written once into ``--workdir`` and reused.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from skl_lrp._stream import CHUNK_ROWS

N_FEATURES = 50
HIDDEN = (64, 32)
# Runs the command line in a child process and reports the child's peak
# resident memory (a fresh wrapper per run: RUSAGE_CHILDREN is a maximum).
STREAM = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _names():
    return [f"f{j}" for j in range(N_FEATURES)]


def fitted_explainer(path):
    """Train a small MLP on synthetic rows and save its explainer (skops)."""
    import pandas as pd
    import skops.io as sio
    from sklearn.frozen import FrozenEstimator
    from sklearn.neural_network import MLPClassifier

    from skl_lrp import RelevanceExplainer

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(5000, N_FEATURES)), columns=_names())
    y = (X["f0"] + X["f1"] * X["f2"] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier(HIDDEN, max_iter=50, random_state=0).fit(X, y)
    sio.dump(RelevanceExplainer(FrozenEstimator(model)).fit(X), path)
    # (dask arrays have no column names: an explainer fitted without them)
    return RelevanceExplainer(FrozenEstimator(model)).fit(X.to_numpy())


def parquet_file(path, n_rows, group=65_536):
    """A Parquet file of `n_rows` normal rows, written a row group at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return path
    rng = np.random.default_rng(0)
    schema = pa.schema([(name, pa.float64()) for name in _names()])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, n_rows, group):
            rows = min(group, n_rows - start)
            values = rng.standard_normal((rows, N_FEATURES))
            writer.write_table(pa.Table.from_arrays(list(values.T), schema=schema))
    return path


def stream(explainer_path, source, destination, chunk_rows, n_rows):
    """rows/s and peak RSS (MB) of ``skl-lrp explain --explainer``."""
    command = [sys.executable, "-m", "skl_lrp", "explain"]
    command += ["--explainer", str(explainer_path), "--input", str(source)]
    command += ["--output", str(destination), "--chunk-rows", str(chunk_rows)]
    result = subprocess.run(
        [sys.executable, "-c", STREAM, *command],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    )
    seconds, peak_kb = result.stdout.split()
    return n_rows / float(seconds), int(peak_kb) / 1024


def dask_rows_per_second(explainer, n_rows, n_workers, rounds=3):
    """Best rows/s of `transform` on a cluster of `n_workers` processes."""
    import dask.array as da
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(n_workers, timeout=60)
        chunk = max(1, n_rows // 20)
        X = (
            da.random.RandomState(0)
            .standard_normal((n_rows, N_FEATURES), chunks=(chunk, N_FEATURES))
            .persist()
        )
        distributed.wait(X)
        best = np.inf
        for _ in range(rounds):
            start = time.perf_counter()
            explainer.transform(X).sum(axis=0).compute()
            best = min(best, time.perf_counter() - start)
    return n_rows / best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--workdir", default=os.path.join(tempfile.gettempdir(), "skl_lrp_scale")
    )
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    args = parser.parse_args(argv)
    sizes = (10**4, 10**5) if args.quick else (10**6, 10**7)
    dask_rows = 10**5 if args.quick else 10**6
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    explainer_path = work / "explainer.skops"
    explainer = fitted_explainer(explainer_path)
    print(
        f"MLP {N_FEATURES}-{'-'.join(map(str, HIDDEN))}-2, float64, "
        f"chunks of {args.chunk_rows} rows, one BLAS thread per process"
    )
    peaks = {}
    for n in sizes:
        source = parquet_file(work / f"rows{n}.parquet", n)
        rate, peak = stream(
            explainer_path, source, work / f"out{n}.parquet", args.chunk_rows, n
        )
        peaks[n] = peak
        print(f"stream {n:>11,} rows: {rate:>10,.0f} rows/s, peak RSS {peak:7.1f} MB")
    small, large = sizes
    print(
        f"peak RSS ratio {large:,} / {small:,} rows: {peaks[large] / peaks[small]:.2f}"
    )
    rates = {k: dask_rows_per_second(explainer, dask_rows, k) for k in (1, 2)}
    for k, rate in rates.items():
        print(f"dask {dask_rows:,} rows, {k} worker process(es): {rate:,.0f} rows/s")
    print(f"dask speed-up, 2 vs 1 workers: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
