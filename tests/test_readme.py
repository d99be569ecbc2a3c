"""README.md: its Python blocks run as written, its install sequence starts
with a virtual environment, and its two commands are still there."""

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_python_blocks_run_in_order(tmp_path, monkeypatch):
    """The example, then saving the explainer and loading it back with
    skl_lrp.load_explainer (skops, the stream extra)."""
    pytest.importorskip("skops.io")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) == 2 and "load_explainer" in blocks[1]
    namespace = {"print": lambda *args: None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the example's MLP training)
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "explainer.skops").exists()
    assert namespace["relevance"].shape == (5, 30)


def test_the_install_sequence():
    """A virtual environment first, then one line per use, said to add up."""
    install = README.split("## Install")[1].split("\n## ")[0]
    lines = re.findall(r"^(python3 -m venv|source|pip install[^#\n]*)", install, re.M)
    assert [line.strip() for line in lines[:3]] == [
        "python3 -m venv",
        "source",
        "pip install -e .",
    ]
    extras = re.findall(r'pip install -e "\.\[(\w+)\]"', install)
    assert extras == ["cli", "plot", "stream", "test", "docs"]
    assert "They add up" in install


def test_the_two_commands_are_there():
    assert "\n```bash\nskl-lrp report\n```\n" in README
    assert "\n```bash\npython -m pytest\n```\n" in README
