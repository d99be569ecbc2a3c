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


def relevance_batch(network, layers, x, column):
    """Relevance of every input of `x` for one output score per sample.

    Parameters
    ----------
    network : DenseNetwork
        The network's weights and activations.
    layers : list of PreparedLayer
        One bound rule per dense layer, first to last.
    x : ndarray of shape (n, n_features)
        A batch in the network's dtype.
    column : int or None
        Output column to explain; None explains each sample's largest logit
        (the predicted class, or the single regression output).

    Returns
    -------
    relevance : ndarray of shape (n, n_features)
        Input relevance; each row sums to the explained score.
    scores : ndarray of shape (n,)
        The explained logits.
    """
    inputs, logits = forward(network, x)
    rows = np.arange(len(x))
    columns = np.argmax(logits, axis=1) if column is None else column
    scores = logits[rows, columns]
    relevance = np.zeros((len(x), 1, logits.shape[1]), dtype=logits.dtype)
    relevance[rows, 0, columns] = scores
    for layer, a in zip(reversed(layers), reversed(inputs)):
        relevance = layer.relprop(a, relevance)
    return relevance[:, 0, :], scores
