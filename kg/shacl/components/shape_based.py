"""Shape-based constraint components (SHACL 4.7): sh:node, sh:property, sh:qualifiedValueShape
(with sh:qualifiedMinCount, sh:qualifiedMaxCount and sh:qualifiedValueShapesDisjoint).

A node shape's sh:property shapes are validated on the node shape's own focus nodes (they are
in :attr:`Shape.properties`, compiled beside it). A property shape's sh:property shapes are
validated on its value nodes, and their results are its results (:attr:`Check.propagate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Conformance, Row, ShapeContext
from kg.shacl.components.logical import members_check
from kg.shacl.components.nested_expressions import expressions
from kg.shacl.shapes import Term, is_true


def checks(context: ShapeContext) -> Iterator[Check]:
    for nested in context.parameters.get(SH + "node", []):
        yield members_check(context, "and", [nested], "NodeConstraintComponent")
    if context.shape.path is not None:
        for property_shape in context.shape.properties:
            yield context.check(
                "PropertyConstraintComponent",
                context.about_value("Value ", " does not conform to a property shape"),
                template_name="ValueNodes",
                propagate=property_shape.node,
            )
    yield from _qualified(context)


def _qualified(context: ShapeContext) -> Iterator[Check]:
    parameters = context.parameters
    if SH + "qualifiedValueShape" not in parameters:
        return  # a count alone is not a constraint (W3C test core/node/qualified-001)
    counts = [
        (name, context.integer(name))
        for name in ("qualifiedMinCount", "qualifiedMaxCount")
        if SH + name in parameters
    ]
    qualified = context.single("qualifiedValueShape")
    siblings = (
        sibling_shapes(context, qualified)
        if any(is_true(v) for v in parameters.get(SH + "qualifiedValueShapesDisjoint", []))
        else []
    )
    where = context.where
    for name, n in counts:
        fewer = name == "qualifiedMinCount"
        describe = context.about_focus(
            f"{'Less' if fewer else 'More'} than {n} values of {where}",
            " conform to the qualified shape",
        )
        component = name[0].upper() + name[1:] + "ConstraintComponent"
        compiled = expressions(context, [qualified])
        if not siblings and compiled is not None:
            yield context.check(
                component,
                describe,
                fill={"CONFORMS": compiled[0], name: str(n)},
                reports_value=False,
            )
            continue
        yield context.check(
            component,
            describe,
            template_name="ValueNodes.optional",
            nested=(qualified, *siblings),
            decide=_counted(qualified, siblings, n, fewer),
            reports_value=False,
        )


def sibling_shapes(context: ShapeContext, qualified: Term) -> list[Term]:
    """The qualified value shapes of the property shapes beside this one (SHACL 4.7.3): every
    ``sh:property/sh:qualifiedValueShape`` of a shape that has this one as a property, except
    this one's own."""
    graph, current = context.graph, context.shape.node
    found: list[Term] = []
    for parent, child in graph.pairs(SH + "property"):
        if child != current:
            continue
        for sibling in graph.objects(parent, SH + "property"):
            for shape in graph.objects(sibling, SH + "qualifiedValueShape"):
                if shape != qualified and shape not in found:
                    found.append(shape)
    return found


def _counted(
    qualified: Term, siblings: list[Term], bound: int, fewer: bool
) -> Callable[[list[Row], Conformance], list[Row]]:
    """How the rows of the value nodes become results: a focus node whose count of values that
    conform to the qualified shape and to none of the siblings is under (or over) the bound."""

    def decide(rows: list[Row], conforms: Conformance) -> list[Row]:
        counts: dict[Term, int] = {}
        for row in rows:
            focus, value = row["this"], row.get("value")
            counts.setdefault(focus, 0)
            if (
                value is not None
                and conforms(qualified, value)
                and not any(conforms(sibling, value) for sibling in siblings)
            ):
                counts[focus] += 1
        return [
            {"this": focus}
            for focus, count in counts.items()
            if (count < bound if fewer else count > bound)
        ]

    return decide
