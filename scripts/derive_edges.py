"""Write the direct edges derived from attested statements to data/ttl/derived-edges.ttl.

The edges come from the saved CONSTRUCT queries in queries/derive/ (see kgdev/derived_edges.py);
the file is canonical Turtle, so a changed statement reviews as a small diff.
tests/data/test_derived_edges.py fails when the file differs from what the queries give.

Usage::

    python scripts/derive_edges.py
"""

from __future__ import annotations

from kg.base.bundle import bundled
from kgdev.derived_edges import DERIVED_FILE_NAME, derived_edges_turtle


def main() -> None:
    bundle = bundled()
    out = bundle.data_dir / DERIVED_FILE_NAME
    sources = [path for path in bundle.graph_files() if path.name != DERIVED_FILE_NAME]
    out.write_text(derived_edges_turtle(sources), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
