"""Logical constraint components (SHACL 4.6): sh:not, sh:and, sh:or, sh:xone.

Where every member shape is one expression (:mod:`kg.shacl.components.nested_expressions`),
the constraint is one query. Otherwise the query lists the value nodes, the engine validates
them against the member shapes, and :func:`broken` decides each value by the conformance found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Conformance, Row, ShapeContext
from kg.shacl.components.nested_expressions import expressions, only_classes
from kg.shacl.shapes import Term

#: Each component, and when a value breaks it, given whether it conforms to each member.
RULES: dict[str, Callable[[list[bool]], bool]] = {
    "not": lambda conforms: conforms[0],
    "and": lambda conforms: not all(conforms),
    "or": lambda conforms: not any(conforms),
    "xone": lambda conforms: sum(conforms) != 1,
}
_WORDS = {
    "not": "conforms to the shape of sh:not",
    "and": "does not conform to every shape of sh:and",
    "or": "does not conform to any shape of sh:or",
    "xone": "does not conform to exactly one shape of sh:xone",
}


def checks(context: ShapeContext) -> Iterator[Check]:
    graph = context.graph
    for name in RULES:
        for value in context.parameters.get(SH + name, []):
            members = [value] if name == "not" else graph.items(value)
            yield members_check(context, name, members, f"{name.capitalize()}ConstraintComponent")


def members_check(context: ShapeContext, rule: str, members: list[Term], component: str) -> Check:
    """The check of a constraint that a value breaks by ``RULES[rule]`` over its conformance to
    ``members``."""
    describe = context.about_value("Value ", f" {_WORDS[rule]}")
    classes = only_classes(context.graph, members) if rule == "or" else []
    if classes:  # an instance of one of these classes: one anti-join instead of a test per value
        instances = " UNION ".join(f"{{ {context.instance_of('?value', c)} }}" for c in classes)
        return context.check(
            component,
            describe,
            template_name="OrConstraintComponent.classes",
            fill={"INSTANCES": instances},
        )
    compiled = expressions(context, members)
    if compiled is not None:
        return context.check(
            component,
            describe,
            template_name="LogicalConstraintComponents",
            fill={"BROKEN": broken_expression(rule, compiled)},
        )
    return context.check(
        component,
        describe,
        template_name="ValueNodes",
        nested=tuple(members),
        decide=lambda rows, conforms: broken(rows, conforms, rule, members),
    )


def broken_expression(rule: str, conforming: list[str]) -> str:
    """A SPARQL expression: does ``?value`` break the rule, given each member's expression?"""
    each = [f"({expression})" for expression in conforming]
    if rule == "not":
        return each[0]
    if rule == "and":
        return f"!({' && '.join(each) or 'true'})"
    if rule == "or":
        return f"!({' || '.join(each) or 'false'})"
    count = " + ".join(f"IF({expression}, 1, 0)" for expression in each) or "0"
    return f"({count}) != 1"


def broken(rows: list[Row], conforms: Conformance, rule: str, members: list[Term]) -> list[Row]:
    """The rows whose value breaks the rule."""
    judge = RULES[rule]
    return [row for row in rows if judge([conforms(m, row["value"]) for m in members])]
