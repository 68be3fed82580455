"""The README's Python examples type-check under ``mypy --strict`` (issue 11, types for embedders).

The examples are doctests; their source, in order, is one module for mypy, so an embedder who
copies them gets code that passes a strict type check.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = doctest.DocTestParser().get_examples(text)
    assert len(examples) >= 10
    module = tmp_path / "readme_examples.py"
    module.write_text("".join(e.source for e in examples), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
