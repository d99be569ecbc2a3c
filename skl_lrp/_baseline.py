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

from ._network import forward
from ._rules import LRP0, Rescale, named


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


def measured_against(network, rules, references, preset):
    """The network and rules that explain each score against the
    baseline's reference rows `references` (None: no baseline), and the
    reference rows that the rules explain each sample against, one by one
    (Rescale; None otherwise). `preset` is the explainer's ``rules_``.

    Deep Taylor explains the score minus the references' mean score
    through the network rewritten to output just that (its top hidden
    layer restructured around their mean activation; see
    :func:`restructure`), with LRP-0 handing each new unit its signed share
    at the output. A network with no hidden layer (a linear model) is
    explained exactly by Rescale against the references' mean.
    """
    if references is None or any(isinstance(rule, Rescale) for rule in rules):
        return network, rules, references
    if not named(preset, "deep-taylor"):
        raise ValueError(
            "A baseline is explained by rules='rescale', by rules that "
            "include Rescale, or by rules='deep-taylor' (which then "
            f"restructures the top hidden layer); got rules={preset!r}. "
            "Use baseline=None to explain the scores themselves."
        )
    if len(rules) == 1:  # linear: one reference, the mean, is exact
        return network, [Rescale()], references.mean(axis=0, keepdims=True)
    if network.hidden_activation != "relu":
        raise ValueError(
            "rules='deep-taylor' with a baseline needs ReLU hidden units "
            f"(it splits each top unit into ReLUs); this network's are "
            f"{network.hidden_activation!r}. Use rules='rescale'."
        )
    top = forward_finite(network, references)[0][-1]
    network = restructure(network, top.mean(axis=0))
    return network, [*rules[:-1], LRP0(bias=False)], None


def forward_finite(network, references):
    """The forward pass over the baseline's rows; a FloatingPointError if
    it overflows (as for the explained rows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        result = forward(network, references)
    if not np.all(np.isfinite(result[2])):
        raise FloatingPointError(
            "The network's scores at the baseline rows overflowed: the weights "
            f"or inputs are too large for {network.dtype}."
        )
    return result


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
