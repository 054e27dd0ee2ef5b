"""Where the bundled knowledge files are: the ontology, the data, the shapes and the saved queries.

An installed wheel carries them under ``kg/bundled/``; a source checkout (or an editable
install) has them at the repository root. Either way the rest of the package asks here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # kg/


def _bundle_root() -> Path:
    installed = _PACKAGE_DIR / "bundled"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent


@dataclass(frozen=True)
class Bundle:
    """The folders of the bundled graph.

    Example:
        >>> bundle = bundled()
        >>> 'article.ttl' in {p.name for p in bundle.data_files()}
        True
    """

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data" / "ttl"

    @property
    def source_dir(self) -> Path:
        return self.root / "data" / "source"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def broken_dir(self) -> Path:
        """The broken-data cases (``tests/fixtures/broken`` in a checkout, ``broken/`` in a wheel):
        each ``<case>.ttl`` with the ``<case>.expected.tsv`` violations it must produce."""
        checkout = self.root / "tests" / "fixtures" / "broken"
        return checkout if checkout.is_dir() else self.root / "broken"

    def ontology_files(self) -> list[Path]:
        return sorted(self.ontology_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.glob("*.ttl"))

    def shapes_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl"))

    def broken_cases(self) -> list[Path]:
        """The broken-data cases' Turtle files, sorted (empty when the folder is missing)."""
        return sorted(self.broken_dir.glob("*.ttl"))

    def graph_files(self) -> list[Path]:
        """The files of the bundled graph: the ontology and the data, in a stable order."""
        return self.ontology_files() + self.data_files()


def bundled() -> Bundle:
    """Return the bundled knowledge files of this installation."""
    return Bundle(_bundle_root())


#: Files or folders, as a command or the Python API is given them.
PathList = Sequence[str | os.PathLike[str]]


def graph_paths(
    data: PathList | None = None, ontology: PathList | Literal[False] | None = None
) -> list[str | os.PathLike[str]]:
    """The files of the graph a command reads: the ontology, then the data. The one place that
    decides what the bundled defaults are, for every command and the Python API.

    Args:
        data: files or folders of data; they replace the bundled data (None: the bundled data).
        ontology: files or folders of the ontology; None for the bundled ontology; False (or an
            empty list) for none.

    Example:
        >>> graph_paths(["my.ttl"])[-1]
        'my.ttl'
        >>> graph_paths(["my.ttl"], ontology=False)
        ['my.ttl']
    """
    bundle = bundled()
    ontology_paths = bundle.ontology_files() if ontology is None else list(ontology or [])
    data_paths = bundle.data_files() if data is None else list(data)
    return [*ontology_paths, *data_paths]


def shapes_paths(shapes: PathList | None = None) -> list[str | os.PathLike[str]]:
    """The shapes files a command validates against: ``shapes``, or the bundled shapes."""
    return list(bundled().shapes_files() if shapes is None else shapes)
