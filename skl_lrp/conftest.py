"""pytest: each doctest of the package closes the figures it opened (the
displays' examples draw with pyplot, which keeps every figure open), as
scikit-learn's own conftest does for its displays."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
