"""Validation reports for people and for CI: a text table, JUnit XML, GitHub annotations.

The standard SHACL report (Turtle) comes from :meth:`kg.shacl.validation.ValidationOutcome.report_turtle`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from kg.rdf.prefixes import turtle_prefixes
from kg.shacl.validation import ValidationOutcome, Violation
from kg.sparql.results import format_table


def text_report(outcome: ValidationOutcome) -> str:
    """One line per violation: focus node, path, constraint, message."""
    from kg.base.terminal import paint

    count = len(outcome.violations)
    if outcome.conforms and not count:
        return paint("Conforms:", fg="green", bold=True) + " the data satisfies every shape.\n"
    rows = [
        [
            v.severity,
            v.focus_node,
            v.path,
            v.value,
            v.constraint.removeprefix("sh:").removesuffix("ConstraintComponent"),
            v.message,
        ]
        for v in outcome.violations
    ]
    noun = "violation" if all(v.severity == "Violation" for v in outcome.violations) else "result"
    counted = f"{count} {noun}{'s' if count != 1 else ''}"
    if outcome.conforms:  # only warnings and notes, and --allow-warnings
        heading = (
            paint("Conforms:", fg="green", bold=True) + f" with {counted} of lower severity.\n"
        )
    else:
        heading = paint("Does not conform:", fg="red", bold=True) + f" {counted}.\n"
    return heading + format_table(
        ["severity", "focus node", "path", "value", "constraint", "message"], rows
    )


def junit_report(outcome: ValidationOutcome) -> str:
    """JUnit XML: a failing test case per shape and focus node, a passing one per clean shape.

    CI systems (GitLab, Jenkins, GitHub test reporters) then show each violation as a failed test.
    """
    by_case: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for violation in outcome.violations:
        # a blank-node shape's label changes on every run: name it by what it checks, so that
        # CI history sees the same test case each time
        by_case[(_stable_shape_name(violation), violation.focus_node)].append(violation)
    failing_shapes = {shape for shape, _ in by_case}
    clean = [shape for shape in outcome.shapes if shape not in failing_shapes]
    suites = ET.Element("testsuites", name="kg validate")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="SHACL validation",
        tests=str(len(by_case) + len(clean)),
        failures=str(len(by_case)),
        errors="0",
        skipped="0",
    )
    for (shape, focus), violations in sorted(by_case.items()):
        case = ET.SubElement(suite, "testcase", classname=shape, name=focus)
        first = violations[0]
        failure = ET.SubElement(case, "failure", message=first.message, type=first.constraint)
        failure.text = "\n".join(
            f"focus node: {v.focus_node}\npath: {v.path or '-'}\nconstraint: {v.constraint}\n"
            f"value: {v.value or '-'}\nmessage: {v.message}\n"
            for v in violations
        )
    for shape in clean:
        ET.SubElement(suite, "testcase", classname=shape, name="every focus node")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


#: SHACL severities as GitHub Actions annotation levels (custom severities count as errors).
GITHUB_LEVELS = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def github_report(outcome: ValidationOutcome) -> str:
    """GitHub Actions workflow commands: an ``::error``, ``::warning`` or ``::notice`` per result
    (by its severity), at the file and line where its focus node is described."""
    lines = []
    for violation in outcome.violations:
        path, line = locate(violation.focus_iri, tuple(outcome.data_files))
        title = f"{violation.constraint.removeprefix('sh:')} ({_shape_name(violation)})"
        message = f"{violation.focus_node} {violation.path}: {violation.message}".replace("  ", " ")
        where = f"file={_escape_property(str(path))},line={line}," if path else ""
        level = GITHUB_LEVELS.get(violation.severity, "error")
        lines.append(f"::{level} {where}title={_escape_property(title)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _stable_shape_name(violation: Violation) -> str:
    """The source shape's name, or for a blank-node shape its path and constraint component,
    which do not change between runs as a blank node's label does."""
    if not violation.source_shape.startswith("_:"):
        return violation.source_shape
    return f"{_shape_name(violation)} ({violation.constraint})"


def _shape_name(violation: Violation) -> str:
    """The source shape as a reader can find it: its name, or for a blank-node shape its path."""
    if not violation.source_shape.startswith("_:"):
        return violation.source_shape
    return f"the shape of {violation.path}" if violation.path else "an unnamed shape"


def locate(iri: str, files: tuple[Path, ...]) -> tuple[Path | None, int]:
    """The file and line where a node is first written as a subject (else first mentioned)."""
    if not iri:
        return (None, 0)
    mentioned: tuple[Path | None, int] = (None, 0)
    for path in files:
        subject_line, mention_line = _find_in_file(path, iri)
        if subject_line:
            return (path, subject_line)
        if mention_line and mentioned[0] is None:
            mentioned = (path, mention_line)
    return mentioned


@lru_cache(maxsize=256)
def _file_lines(path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}, ()
    return turtle_prefixes(text), tuple(text.splitlines())


def _find_in_file(path: Path, iri: str) -> tuple[int, int]:
    prefixes, lines = _file_lines(path)
    spellings = [f"<{iri}>"]
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and namespace:
            spellings.append(f"{prefix}:{iri[len(namespace) :]}")
    pattern = re.compile("|".join(re.escape(s) + r"(?![\w.:/-])" for s in spellings))
    mention = 0
    for number, line in enumerate(lines, start=1):
        match = pattern.search(line)
        if match is None:
            continue
        if match.start() == 0:
            return number, number
        mention = mention or number
    return 0, mention


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
