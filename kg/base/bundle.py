"""Where the bundled knowledge files are: the ontology, the data, the shapes and the saved queries.

An installed wheel carries them under ``kg/bundled/``; a source checkout (or an editable
install) has them at the repository root. Either way the rest of the package asks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
