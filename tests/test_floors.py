"""The dependency floors declared in pyproject.toml are the versions that
requirements/oldest.txt pins, so the oldest leg (``tox -e oldest``, .ci/run)
tests exactly them."""

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


@pytest.fixture(scope="module")
def pins():
    pins = {}
    for line in (ROOT / "requirements" / "oldest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize("key", ["dependencies", "test"])
def test_every_floor_is_pinned(pyproject, pins, key):
    floors = FLOOR.findall(_list(pyproject, key))
    assert floors
    for name, extras, floor in floors:
        name = _name(name)
        assert name in pins, f"{name}>={floor} is not pinned in oldest.txt"
        assert _version(pins[name]) == _version(floor), (name, floor, pins[name])
        for extra in PACKAGE_EXTRAS.intersection(extras.split(",")):
            assert pins[_name(extra)] == pins[name], (extra, pins[name])


def test_every_pin_is_a_floor_and_every_extra_agrees(pyproject, pins):
    declared = {}
    for name, extras, floor in FLOOR.findall(pyproject):
        declared.setdefault(_name(name), set()).add(_version(floor))
        for extra in PACKAGE_EXTRAS.intersection(extras.split(",")):
            declared.setdefault(_name(extra), set()).add(_version(floor))
    for name, version in pins.items():
        assert declared.get(name) == {_version(version)}, (name, declared.get(name))


def test_ruff_is_pinned_exactly_and_ci_checks_the_format(pyproject):
    """``ruff format --check`` in .ci/run: one ruff version, or a new
    release's formatting could fail a tree that did not change."""
    (ruff,) = re.findall(r'"ruff([^"]*)"', _list(pyproject, "lint"))
    assert re.fullmatch(r"==\d+\.\d+\.\d+", ruff), ruff
    run = (ROOT / ".ci" / "run").read_text()
    paths = "skl_lrp tests benchmarks docs examples"
    assert f"\nruff check {paths}\n" in run
    assert f"\nruff format --check {paths}\n" in run
