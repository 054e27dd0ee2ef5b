"""pytest set-up for the docstring examples in kg/: they may say ``kg.query(...)`` as a user would."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _kg_in_doctests(doctest_namespace: dict[str, object]) -> None:
    import kg

    doctest_namespace["kg"] = kg


#: Docstring examples that start a program beside Python (HermiT needs a JVM): marked
#: ``external``, as the tests that do the same, so the fast subset leaves them out.
EXTERNAL_DOCTESTS = ("kg.coherence.reasoning.",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name.startswith(EXTERNAL_DOCTESTS):
            item.add_marker(pytest.mark.external)
