"""Cardinality constraint components (SHACL 4.2): sh:minCount, sh:maxCount."""

from __future__ import annotations

from collections.abc import Iterator

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Row, ShapeContext


def checks(context: ShapeContext) -> Iterator[Check]:
    parameters, show, shown_path = context.parameters, context.show, context.shown_path
    nullable = context.shape.path is not None and context.shape.path.nullable
    minimum = context.integer("minCount") if SH + "minCount" in parameters else None
    maximum = context.integer("maxCount") if SH + "maxCount" in parameters else None
    if minimum is not None and maximum is not None and minimum <= maximum:
        # both bounds in one pass over the focus nodes (the commonest pair: exactly one value);
        # a count then breaks at most one of them (minCount above maxCount can break both: each
        # bound gets its own query below)
        low, high = minimum, maximum

        def count_component(row: Row) -> str:
            return (
                "MinCountConstraintComponent"
                if int(row["count"].value) < low
                else "MaxCountConstraintComponent"
            )

        def count_message(row: Row) -> str:
            fewer = int(row["count"].value) < low
            bound = low if fewer else high
            return f"{'Less' if fewer else 'More'} than {bound} values on {show(row['this'])}->{shown_path}"

        yield context.check(
            "MinCountConstraintComponent",
            count_message,
            template_name="CountConstraintComponents",
            fill={"minCount": str(low), "maxCount": str(high)},
            reports_value=False,
            component_of=count_component,
        )
        return
    # a path that can have length zero has the focus node as a value: one value at least
    if minimum is not None and not (nullable and minimum <= 1):
        # at least one value: an anti-join, three times faster than counting every focus node's
        # values
        yield context.check(
            "MinCountConstraintComponent",
            context.about_focus(f"Less than {minimum} values on ", f"->{shown_path}"),
            template_name="MinCountConstraintComponent.at-least-one" if minimum == 1 else "",
            fill={"minCount": str(minimum)},
            reports_value=False,
        )
    if maximum is not None:
        yield context.check(
            "MaxCountConstraintComponent",
            context.about_focus(f"More than {maximum} values on ", f"->{shown_path}"),
            fill={"maxCount": str(maximum)},
            reports_value=False,
        )
