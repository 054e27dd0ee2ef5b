"""The README's Python examples run: every ```python block, in order, in one namespace."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import REPO_ROOT

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[str]:
    return _PYTHON_BLOCK.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_a_from_python_section_with_examples() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("## Using `kg`") < readme.index("## From Python")
    assert len(python_blocks()) >= 3


def test_every_python_block_of_the_readme_runs() -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    printed = io.StringIO()
    previous = os.getcwd()
    os.chdir(REPO_ROOT)  # the examples name the repository's folders (data/ttl/, ontology/)
    try:
        for number, block in enumerate(python_blocks(), start=1):
            with contextlib.redirect_stdout(printed):
                exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    finally:
        os.chdir(previous)
    output = printed.getvalue()
    assert "('partner', 'partnerLabel')" in output  # what the README's comments say they print
    assert "((datetime.date(2025, 9, 16),),)" in output
    assert "True 0 0" in output
    assert "--param org: expected an absolute IRI" in output
