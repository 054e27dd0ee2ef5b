"""The Python guide's examples run (docs/python-api.md): every ```python block, in order, in one
namespace."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from tests.conftest import REPO_ROOT

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


GUIDE = REPO_ROOT / "docs" / "python-api.md"


def python_blocks() -> list[str]:
    return _PYTHON_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_readme_points_to_the_python_guide_which_has_examples() -> None:
    assert "docs/python-api.md" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(python_blocks()) >= 3


def test_every_python_block_of_the_python_guide_runs(tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    printed = io.StringIO()
    previous = os.getcwd()
    # the examples name the repository's folders (data/ttl/, ontology/) and write pictures into
    # the folder they run in: a scratch folder that shows the repository's folders
    for entry in REPO_ROOT.iterdir():
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    os.chdir(tmp_path)
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
    assert (tmp_path / "mix.svg").is_file() and (tmp_path / "tencent.svg").is_file()
