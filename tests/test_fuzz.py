"""Property-based fuzzing: mutated Turtle, mutated queries and arbitrary parameter values make
`kg validate` and `kg query` succeed or fail with exit 1 or 2 and one line, never crash.

The budget is small for CI; `python scripts/fuzz.py` runs the same properties much longer
(it sets KG_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.sparql.catalog import Catalog
from tests.conftest import FIXTURES_DIR, KgRun, run_kg

#: generated inputs
pytestmark = [pytest.mark.slow]

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES or 60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SEED_TURTLE = (FIXTURES_DIR / "rdf" / "mix-not-adding-up.ttl").read_text(encoding="utf-8")
SAVED = list(Catalog.bundled())
LOCAL = [q for q in SAVED if "network" not in q.tags]

# Characters that matter to Turtle and SPARQL, and some that do not belong at all.
SYNTAX = st.sampled_from(
    [*"<>\"'.;,[](){}@^:#?$_-\\ \n\t", "\x00", "é", "超", "\U0001f600", "\ud800"]
)
NOISE = st.text(alphabet=st.one_of(SYNTAX, st.characters(codec="utf-8")), max_size=12)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few deletions, insertions and duplications at random places."""
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            text = draw(NOISE)
            continue
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, min(len(text), start + 40)))
        operation = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "insert":
            text = text[:start] + draw(NOISE) + text[start:]
        elif operation == "replace":
            text = text[:start] + draw(NOISE) + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text


def assert_clean_outcome(run: KgRun, allowed: tuple[int, ...]) -> None:
    assert run.exit_code in allowed, (run.exit_code, run.stderr)
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr, run.stderr
    if run.exit_code == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error: "), run.stderr


def write_temporary(text: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "w", encoding="utf-8", errors="surrogatepass") as stream:
        stream.write(text)
    return Path(name)


@FUZZ
@given(mutated(SEED_TURTLE))
def test_validate_survives_mutated_turtle(text: str) -> None:
    path = write_temporary(text, ".ttl")
    try:
        assert_clean_outcome(run_kg("validate", "--data", str(path), "--no-ontology"), (0, 1, 2))
    finally:
        path.unlink()


@settings(FUZZ, max_examples=EXAMPLES or 120)
@given(st.sampled_from(LOCAL).flatmap(lambda q: mutated(q.text)))
def test_query_survives_mutated_queries(text: str) -> None:
    path = write_temporary(text, ".rq")
    try:
        assert_clean_outcome(
            run_kg("query", "--file", str(path), "--format", "csv", "--timeout", "20"), (0, 2)
        )
    finally:
        path.unlink()


PARAMETERIZED = [(q.name, p.name) for q in SAVED for p in q.parameters if "network" not in q.tags]


@settings(FUZZ, max_examples=EXAMPLES or 120)
@given(
    st.sampled_from(PARAMETERIZED),
    st.one_of(
        NOISE,
        st.text(max_size=200),
        st.sampled_from(
            [
                'x" } ; DROP ALL ; #',
                "<http://a> . ?s ?p ?o",
                "snd:tencent",
                "snd:",
                ":",
                "https://w3id.org/supernode-kg/id/tencent",
                "10",
                "-1",
                "1e9",
                "2025-09-16",
                "http://a b",
                "urn:x",
                "a:b:c",
                "\ud800",
            ]
        ),
    ),
)
def test_query_survives_any_parameter_value(
    query_and_parameter: tuple[str, str], value: str
) -> None:
    query, parameter = query_and_parameter
    assert_clean_outcome(
        run_kg("query", query, "--param", f"{parameter}={value}", "--format", "tsv"), (0, 2)
    )
