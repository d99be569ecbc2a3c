"""Composites: which rule each dense layer of a network uses."""

import numpy as np

from ._rules import (
    LRP0,
    AlphaBeta,
    Epsilon,
    Gamma,
    Rescale,
    Rule,
    ZBeta,
    ZPlus,
    named,
)

PRESETS = ("deep-taylor", "epsilon", "alpha-beta", "montavon-2019", "rescale")
POSITIONS = ("first", "hidden", "output")

# Background rows that baseline="auto" draws for Rescale: enough for the
# average to settle (see "Checking explanations against known truth").
AUTO_BACKGROUND = 32


def uses_rescale(rules):
    """Whether `rules` (a preset, list or dict) include Rescale."""
    if isinstance(rules, str):
        return rules == "rescale"
    listed = rules.values() if isinstance(rules, dict) else rules
    return any(isinstance(rule, Rescale) for rule in listed)


def resolve_auto(rules, bounds, baseline, classifier):
    """The rules, bounds and baseline in effect: each "auto" resolved.

    ``rules="auto"`` is "rescale" for a regressor (its scores are signed,
    and are explained against the average prediction), unless `bounds` is
    given (not "auto": a root point or box, which only z^β uses) or
    `baseline` is None (the raw score); "deep-taylor" otherwise, and for a
    classifier. ``bounds="auto"`` is "column-mean". ``baseline="auto"`` is
    `AUTO_BACKGROUND` background rows for rules with Rescale, None
    otherwise.
    """
    if named(rules, "auto"):
        signed = not classifier and named(bounds, "auto") and baseline is not None
        rules = "rescale" if signed else "deep-taylor"
    if named(bounds, "auto"):
        bounds = "column-mean"
    if named(baseline, "auto"):
        baseline = AUTO_BACKGROUND if uses_rescale(rules) else None
    return rules, bounds, baseline


def _by_position(n_layers, first, hidden, output):
    """One rule per layer; a one-layer network takes the `first` rule.

    Rules are stateless, so one instance may serve several layers.
    """
    if n_layers == 1:
        return [first]
    return [first] + [hidden] * (n_layers - 2) + [output]


def _montavon_2019(n_layers):
    # Output: LRP-0. Middle layers: the lower half (rounded up) LRP-γ, the
    # upper half LRP-ε with a per-sample RMS-scaled stabilizer. First: z^β.
    if n_layers == 1:
        return [ZBeta()]
    middle = n_layers - 2
    n_gamma = (middle + 1) // 2
    return (
        [ZBeta()]
        + [Gamma(gamma=0.25) for _ in range(n_gamma)]
        + [Epsilon(epsilon=0.25, scale="rms") for _ in range(middle - n_gamma)]
        + [LRP0()]
    )


def resolve_rules(rules, n_layers):
    """The list of rules, first layer to last, that `rules` names.

    Parameters
    ----------
    rules : str, list of Rule or dict
        A preset name, one rule per dense layer, or a dict with keys among
        "first", "hidden" and "output" (missing keys take the deep-taylor
        choice: ZBeta first, ZPlus above).
    n_layers : int
        Number of dense layers, output layer included.

    Returns
    -------
    rules : list of Rule
    """
    if isinstance(rules, str):
        if rules == "deep-taylor":
            return _by_position(n_layers, ZBeta(), ZPlus(), ZPlus())
        if rules == "epsilon":
            return [Epsilon() for _ in range(n_layers)]
        if rules == "alpha-beta":
            return _by_position(n_layers, ZBeta(), AlphaBeta(), AlphaBeta())
        if rules == "montavon-2019":
            return _montavon_2019(n_layers)
        if rules == "rescale":
            return [Rescale() for _ in range(n_layers)]
        raise ValueError(f"rules={rules!r} is not a preset; expected one of {PRESETS}.")
    if isinstance(rules, dict):
        unknown = set(rules) - set(POSITIONS)
        if unknown:
            raise ValueError(
                f"rules dict has unknown keys {sorted(unknown)}; expected keys "
                f"among {POSITIONS}."
            )
        for key, rule in rules.items():
            _check_rule(rule, f"rules[{key!r}]")
        return _by_position(
            n_layers,
            rules.get("first", ZBeta()),
            rules.get("hidden", ZPlus()),
            rules.get("output", ZPlus()),
        )
    rules = list(rules)
    if len(rules) != n_layers:
        raise ValueError(
            f"rules has {len(rules)} entries, but the network has {n_layers} "
            "dense layers (hidden layers plus the output layer); give one rule "
            "per layer, first to last."
        )
    for index, rule in enumerate(rules):
        _check_rule(rule, f"rules[{index}]")
    return rules


def _check_rule(rule, where):
    if not isinstance(rule, Rule):
        raise TypeError(
            f"{where} must be a rule from skl_lrp.rules (e.g. ZPlus()); got {rule!r}."
        )


_ROOT_POINTS = {
    "column-mean": "the average training sample (the mean of the network's "
    "inputs, the one-hot columns of a categorical taken together)",
    "mean": "the average training sample (the mean of each network input)",
    "data": "the corner of the training data's range that lowers each neuron "
    "(the classic z^beta box)",
}

_MEANINGS = {
    "deep-taylor": "Deep Taylor (z^beta on the first layer, z^+ above): every "
    "relevance has the sign of the explained score. A feature's relevance is "
    "the part of the score that its deviation from {root} accounts for, "
    "through the neurons it pushes up; evidence against the score is not "
    "shown (it gets about 0). The relevances add up to the score exactly.",
    "alpha-beta": "z^beta on the first layer, alpha-beta (2, 1) above: "
    "positive relevance is evidence for the score, negative relevance "
    "evidence against it, each measured from {root}. Biases take part of "
    "the score (the ledger says how much).",
    "montavon-2019": "z^beta on the first layer, gamma and epsilon in the "
    "middle, LRP-0 at the output: positive relevance supports the score, "
    "negative relevance opposes it, measured from {root}. Biases take part "
    "of the score (the ledger says how much).",
    "rescale": "Rescale on every layer (LRP-0 on differences from reference "
    "rows, DeepLIFT's rule): positive relevance is what pushes the score "
    "above the baseline, negative relevance what pulls it below, measured "
    "against {baseline}. Biases cancel; the relevances add up to the score "
    "minus the baseline exactly.",
    "epsilon": "LRP-epsilon on every layer, close to gradient x input: "
    "positive relevance supports the score, negative relevance opposes it, "
    "measured against an all-zero input of the network (for standardized "
    "columns their training mean, for one-hot columns no category). Biases "
    "and the stabilizer take part of the score.",
}


_BASELINES = {
    "mean": "the average training sample (one reference row: the mean of the "
    "network's inputs)",
    "rows": "{n} background rows drawn from {source} (the relevance is the "
    "average of their explanations)",
    "given": "the baseline rows given (the relevance is the average of their "
    "explanations)",
}


def describe_baseline(baseline, source="the training data"):
    """What the relevance is measured against, for a resolved ``baseline``
    (None, "mean", a number of rows or rows), in words; `source`: where
    background rows are drawn from."""
    if baseline is None:
        return "nothing: the scores themselves are explained"
    if isinstance(baseline, str):
        return _BASELINES["mean"]
    if np.ndim(baseline) == 0:
        return _BASELINES["rows"].format(n=int(baseline), source=source)
    return _BASELINES["given"]


def describe(rules, bounds, baseline=None, source="the training data"):
    """What a relevance means under `rules`, `bounds` and `baseline`, in
    plain words.

    Parameters
    ----------
    rules : str, list of Rule or dict
        As ``RelevanceExplainer``'s ``rules``.
    bounds : str or tuple
        As ``RelevanceExplainer``'s ``bounds``.
    baseline : None, "mean", int or array-like, default=None
        As ``RelevanceExplainer``'s ``baseline``.
    source : str, default="the training data"
        Where an integer `baseline`'s rows are drawn from, in words.

    Returns
    -------
    text : str
        One paragraph: the sign of the relevance, what it is measured
        against (the root point or the baseline), and whether it adds up to
        the score.
    """
    if isinstance(bounds, str):
        root = _ROOT_POINTS.get(bounds, repr(bounds))
    else:
        root = "the given box (low, high) on the network's inputs"
    against = "a baseline" if baseline is None else describe_baseline(baseline, source)
    if baseline is not None and isinstance(rules, str) and rules == "deep-taylor":
        return (
            "Deep Taylor against a baseline (the top hidden layer split into "
            "units above and below the baseline's activation, z^+ below it, "
            f"z^beta on the first layer from {root}): positive relevance pushes "
            "the score above the baseline's, negative relevance pulls it below, "
            f"measured against {against}. The relevances add up to the score "
            "minus the baseline, but for units kept on by their bias alone "
            "(the ledger's dead)."
        )
    if isinstance(rules, str) and rules in _MEANINGS:
        return _MEANINGS[rules].format(root=root, baseline=against)
    return (
        "Custom rules: the sign and the reference of the relevance are those "
        f"of the rules chosen; a z^beta first layer measures from {root}"
        + ("" if baseline is None else f", Rescale layers from {against}")
        + ". The ledger says how much of the score did not reach the inputs."
    )
