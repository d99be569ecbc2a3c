"""Forward and backward pass over one batch: pure numpy, no scikit-learn."""

import numpy as np


def forward(network, x):
    """Run the network on `x`; return each layer's input and the output logits."""
    inputs = []
    a = x
    last = len(network.weights) - 1
    for index, (weight, bias) in enumerate(zip(network.weights, network.biases)):
        inputs.append(a)
        a = a @ weight
        a += bias
        if index != last:
            network.activate(a)
    return inputs, a


def relevance_batch(network, layers, x, columns):
    """Relevance of every input of `x` for one or more output scores per sample.

    Parameters
    ----------
    network : DenseNetwork
        The network's weights and activations.
    layers : list of PreparedLayer
        One bound rule per dense layer, first to last.
    x : ndarray of shape (n, n_features)
        A batch in the network's dtype.
    columns : ndarray of shape (n_targets,) or None
        Output columns to explain for every sample; None explains each
        sample's largest logit (its predicted class, or the single output).

    Returns
    -------
    relevance : ndarray of shape (n, n_targets, n_features)
        Input relevance; each row sums to its explained score.
    scores : ndarray of shape (n, n_targets)
        The explained logits.
    columns : ndarray of shape (n, n_targets)
        The output column each score was read from.
    """
    inputs, logits = forward(network, x)
    n = len(x)
    if columns is None:
        columns = np.argmax(logits, axis=1)[:, np.newaxis]
    else:
        columns = np.broadcast_to(columns, (n, len(columns)))
    rows = np.arange(n)[:, np.newaxis]
    scores = logits[rows, columns]
    # All targets share the forward pass; their backward passes are one
    # matrix product per layer on the (n * n_targets) stacked relevance.
    relevance = np.zeros((n, columns.shape[1], logits.shape[1]), dtype=logits.dtype)
    relevance[rows, np.arange(columns.shape[1]), columns] = scores
    for layer, a in zip(reversed(layers), reversed(inputs)):
        relevance = layer.relprop(a, relevance)
    return relevance, scores, columns
