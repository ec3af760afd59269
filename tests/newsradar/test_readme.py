"""The README's configuration examples are real configs: each one loads without error."""

from __future__ import annotations

import re

import pytest

from newsradar.config import load
from tests.helpers import ROOT

BLOCKS = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_config_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_readme_config_example_loads(tmp_path, n):
    path = tmp_path / "newsradar.toml"
    path.write_text(BLOCKS[n], encoding="utf-8")
    load(path)


def test_starter_config_loads():
    load(ROOT / "newsradar" / "starter.toml")
