"""String-based constraint components (SHACL 4.4): sh:minLength, sh:maxLength, sh:pattern (with
sh:flags), sh:languageIn, sh:uniqueLang.

sh:pattern is an XPath regular expression: the store's REGEX only pre-filters where it reads the
pattern exactly as XPath does, and Python decides each remaining value
(:mod:`kg.shacl.xpath_regex`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Row, ShapeContext, language_test, sparql_string
from kg.shacl.shapes import UnsupportedShapes, is_true
from kg.shacl.xpath_regex import PatternError, compile_pattern, store_agrees


def checks(context: ShapeContext) -> Iterator[Check]:
    parameters, shape = context.parameters, context.shape
    for name, operator in (("minLength", ">="), ("maxLength", "<=")):
        if SH + name in parameters:
            n = context.integer(name)
            yield context.check(
                name[0].upper() + name[1:] + "ConstraintComponent",
                context.about_value("Value ", f" does not have a length {operator} {n}"),
                fill={name: str(n)},
            )
    if SH + "pattern" in parameters:
        flags = parameters.get(SH + "flags", [])
        if len(flags) > 1 or any(not isinstance(f, ox.Literal) for f in flags):
            raise UnsupportedShapes(f"shape {shape.node}: sh:flags must be one literal")
        flag_text = flags[0].value if flags else ""
        for pattern in parameters[SH + "pattern"]:
            if not isinstance(pattern, ox.Literal):
                raise UnsupportedShapes(
                    f"shape {shape.node}: sh:pattern {pattern} is not a literal"
                )
            prefilter = (
                f"REGEX(STR(?value), {sparql_string(pattern.value)})"
                if context.oxigraph_filters and store_agrees(pattern.value, flag_text)
                else "false"
            )
            yield context.check(
                "PatternConstraintComponent",
                context.about_value("Value ", f" does not match pattern {pattern.value!r}"),
                fill={"PREFILTER": prefilter},
                keep=_mismatch(context, pattern.value, flag_text),
            )
    elif SH + "flags" in parameters:
        raise UnsupportedShapes(f"shape {shape.node}: sh:flags without sh:pattern")
    for head in parameters.get(SH + "languageIn", []):
        tags = [t.value for t in context.graph.items(head) if isinstance(t, ox.Literal)]
        yield context.check(
            "LanguageInConstraintComponent",
            context.about_value("Language of ", f" is not in {', '.join(tags)}"),
            fill={"LANGUAGES": language_test(tags)},
        )
    if any(is_true(unique) for unique in parameters.get(SH + "uniqueLang", [])):
        show, where = context.show, context.where
        yield context.check(
            "UniqueLangConstraintComponent",
            lambda r: (
                f"More than one value of {where}{show(r['this'])} has the language "
                f'"{r["language"].value}"'
            ),
            reports_value=False,
        )


def _mismatch(context: ShapeContext, pattern: str, flags: str) -> Callable[[Row], bool]:
    """Is a row's value a result of sh:pattern: a blank node, or a node whose string does not
    match (SHACL 4.4.3, with REGEX's XPath syntax)?

    Raises:
        KgError: SPARQL's REGEX cannot run the pattern with these flags.
    """
    try:
        regex = compile_pattern(pattern, flags)
    except PatternError as error:
        raise KgError(
            f"shape {context.show(context.shape.node)}: sh:pattern {pattern!r} is not a regular "
            f"expression SPARQL's REGEX can run: {error}"
        ) from None
    search = regex.search

    def mismatch(row: Row) -> bool:
        value = row["value"]
        if not isinstance(value, ox.Literal | ox.NamedNode):
            return True
        return search(value.value) is None

    return mismatch
