"""The Python guide's examples run (docs/python-api.md): every ```python block, in order, in one
namespace."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import REPO_ROOT

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


GUIDE = REPO_ROOT / "docs" / "python-api.md"


def python_blocks() -> list[str]:
    return _PYTHON_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_readme_points_to_the_python_guide_which_has_examples() -> None:
    assert "docs/python-api.md" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(python_blocks()) >= 3


def test_every_python_block_of_the_python_guide_runs() -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    printed = io.StringIO()
    previous = os.getcwd()
    os.chdir(REPO_ROOT)  # the examples name the repository's folders (data/ttl/, ontology/)
    try:
        for number, block in enumerate(python_blocks(), start=1):
            with contextlib.redirect_stdout(printed):
                exec(compile(block, f"docs/python-api.md python block {number}", "exec"), namespace)
    finally:
        os.chdir(previous)
    output = printed.getvalue()
    assert "('partner', 'partnerLabel')" in output  # what the README's comments say they print
    assert "((datetime.date(2025, 9, 16),),)" in output
    assert "True 0 0" in output
    assert "--param org: expected an absolute IRI" in output
