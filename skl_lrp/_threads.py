"""Batches on threads: the cores BLAS would use, one batch per core.

A batch is a chain of matrix products and elementwise passes. Left to BLAS,
only the products use more than one core; giving each core its own batch
(with a single-threaded BLAS) keeps them busy through the elementwise passes
too. This is the lower-level parallelism of scikit-learn's OpenMP routines
(e.g. the chunked nearest-neighbour searches): it follows the BLAS thread
limit (``threadpoolctl``, ``OMP_NUM_THREADS``...), not ``n_jobs``.
"""

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _controller():
    # Built once (it scans the loaded libraries); numpy's BLAS is loaded by
    # the time the first batch runs.
    return ThreadpoolController()


def blas_threads():
    """The number of threads BLAS may use now (1 if none is found)."""
    blas = _controller().select(user_api="blas").lib_controllers
    return max((lib.num_threads for lib in blas), default=1)


def one_blas_thread():
    """Context in which BLAS runs single-threaded (process-wide)."""
    return _controller().limit(limits=1, user_api="blas")


def in_threads(function, items, n_threads):
    """``function(item)`` for each item, in order, on `n_threads` threads.

    At most two items per thread are in flight, so that memory stays bounded
    whatever the number of items.
    """
    with ThreadPoolExecutor(n_threads) as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * n_threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
