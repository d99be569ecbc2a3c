"""What an explanation is measured against: the explainer's baseline.

A baseline is a set of reference rows on the network's inputs. Rescale
explains each sample against each of them; Deep Taylor explains the score
minus their mean score through a network rewritten to output just that
(:func:`restructure`).
"""

from dataclasses import replace
from numbers import Integral

import numpy as np
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import _num_samples


def draw_rows(baseline, n_samples, random_state):
    """The indices of the fit data's rows that an integer `baseline` draws:
    that many, uniformly without replacement (all of them, in order, when
    there are no more)."""
    if baseline >= n_samples:
        return np.arange(n_samples)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_samples, size=baseline, replace=False))


def held_out_background(X, baseline, random_state):
    """A resolved `baseline`, with a number of background rows drawn from
    the held-out rows `X` (as the report and the command line draw them),
    not from the data the explainer is fitted on: held-out rows are then
    compared with rows the model has not seen either, and what it memorized
    of its training rows (an identifier's effect, say) stays out."""
    if not isinstance(baseline, Integral):
        return baseline
    return _safe_indexing(X, draw_rows(baseline, _num_samples(X), random_state))


def check_rows(baseline):
    """Raise a ValueError for baseline rows that are not a 2-d table (the
    explainer's parameter validation takes any array-like)."""
    if np.ndim(baseline) != 2:
        raise ValueError(
            "baseline must be None, 'mean', a number of background rows (an int "
            ">= 1) or rows like X's (an array-like of shape (n_rows, "
            f"n_features)); got {baseline!r:.80}."
        )


def restructure(network, top_mean):
    """The network rewritten to output each score minus its baseline.

    With ``a = relu(z)`` at the top hidden layer and ``m >= 0`` the mean of
    its activations over the baseline rows,
    ``a - m = relu(z - m) + relu(-z) - relu(m - z)``; each top hidden unit
    becomes these three units, and the output layer loses its bias. The new
    network outputs ``f(x) - (m @ W + b)``, the score minus the baseline
    rows' mean score (the output layer is linear), which it keeps as its
    ``offset``.

    Parameters
    ----------
    network : DenseNetwork
        A network with ReLU hidden units and at least one hidden layer.
    top_mean : ndarray of shape (n_top_hidden,)
        The mean activation of the top hidden layer over the baseline rows.

    Returns
    -------
    network : DenseNetwork
    """
    *weights, top, output = network.weights
    *biases, top_bias, output_bias = network.biases
    weights += [np.hstack([top, -top, -top]), np.vstack([output, output, -output])]
    biases += [
        np.concatenate([top_bias - top_mean, -top_bias, top_mean - top_bias]),
        np.zeros_like(output_bias),
    ]
    offset = top_mean @ output + output_bias
    return replace(network, weights=weights, biases=biases, offset=offset)


def fold_top_layer(relevance):
    """Relevance of a restructured top hidden layer's units (width 3 H),
    summed back into the H units of the model."""
    return sum(np.split(relevance, 3, axis=-1))
