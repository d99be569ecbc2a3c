"""The dependency floors declared in pyproject.toml are what the oldest leg
(.ci/run, ``tox -e oldest``) tests: uv resolves them in lowest-direct mode,
each floor at its lowest and every other package at its newest."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOOR = re.compile(r'"([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?>=([0-9][0-9.]*)')
# Extras that are packages of their own, released with the package
# (dask[distributed]); others (dask[dataframe]) only add dependencies.
PACKAGE_EXTRAS = {"distributed"}


def _name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(text):
    parts = [int(part) for part in text.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _list(text, key):
    """The requirement strings of ``key = [...]`` in pyproject.toml."""
    match = re.search(rf"^{key} = \[(.*?)\]$", text, re.MULTILINE | re.DOTALL)
    return match.group(1)


@pytest.fixture(scope="module")
def pyproject():
    return (ROOT / "pyproject.toml").read_text()


def test_every_extra_agrees_on_each_floor(pyproject):
    """A package declared in several places (the dependencies, the extras)
    has one floor: the lowest-direct resolution then tests that floor,
    whichever extras are installed."""
    declared = {}
    for name, extras, floor in FLOOR.findall(pyproject):
        declared.setdefault(_name(name), set()).add(_version(floor))
        for extra in PACKAGE_EXTRAS.intersection(extras.split(",")):
            declared.setdefault(_name(extra), set()).add(_version(floor))
    assert declared and len(declared) > 10
    assert {name: v for name, v in declared.items() if len(v) > 1} == {}


@pytest.mark.parametrize("key", ["dependencies", "test"])
def test_every_dependency_has_a_floor(pyproject, key):
    """A dependency without a floor would be resolved at its oldest release
    in lowest-direct mode: each has one."""
    requirements = re.findall(r'"([^"]+)"', _list(pyproject, key))
    assert requirements
    assert [r for r in requirements if ">=" not in r] == []


def test_the_oldest_leg_resolves_the_floors_in_lowest_direct_mode():
    """.ci/run and tox -e oldest resolve with uv in lowest-direct mode
    (every floor at its lowest, the rest at its newest, as a user's resolver
    can), binary wheels only, and list what ran; no hand-written pins."""
    run = (ROOT / ".ci" / "run").read_text()
    tox = (ROOT / "tox.ini").read_text().split("[testenv:oldest]")[1].split("\n[")[0]
    for text in (run, tox):
        assert "--resolution lowest-direct" in text
        assert "--only-binary :all: --no-binary skl-lrp" in text
        assert "uv pip list" in text
        assert "oldest.txt" not in text
    assert not (ROOT / "requirements" / "oldest.txt").exists()


def test_ruff_is_pinned_exactly_and_ci_checks_the_format(pyproject):
    """``ruff format --check`` in .ci/run: one ruff version, or a new
    release's formatting could fail a tree that did not change."""
    (ruff,) = re.findall(r'"ruff([^"]*)"', _list(pyproject, "lint"))
    assert re.fullmatch(r"==\d+\.\d+\.\d+", ruff), ruff
    run = (ROOT / ".ci" / "run").read_text()
    paths = "skl_lrp tests benchmarks docs examples"
    assert f"\nruff check {paths}\n" in run
    assert f"\nruff format --check {paths}\n" in run
