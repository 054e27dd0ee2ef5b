"""pytest set-up for the docstring examples in kg/: they may say ``kg.query(...)`` as a user would."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _kg_in_doctests(doctest_namespace: dict[str, object]) -> None:
    import kg

    doctest_namespace["kg"] = kg
