"""The doctests of skl_lrp and docs/: each closes the figures it opened (the
displays' examples draw with pyplot, which keeps every figure open)."""

import pytest


@pytest.fixture(autouse=True)
def _close_figures(request):
    yield
    if request.node.__class__.__name__.startswith("Doctest"):
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
