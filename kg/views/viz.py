"""A picture of the supernode ecosystem (`kg viz`), laid out by Graphviz.

The edges come from the saved query ``ecosystem``; this module only styles and lays them out:
organizations by role, solutions, switch chips, cards, markets, with a legend. Restrictions are
drawn dashed red so they stand apart from business relations.
"""

from __future__ import annotations

import os
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import SNK
from kg.base.output import write_atomically
from kg.rdf.graph import LoadedGraph
from kg.sparql.catalog import Catalog
from kg.sparql.results import term_value
from kg.sparql.sources import select_rows

#: How each class is drawn: (legend text, shape, fill colour).
NODE_STYLES: dict[str, tuple[str, str, str]] = {
    "CloudServiceProvider": ("cloud service provider", "box", "#cfe2ff"),
    "ChipVendor": ("chip vendor", "box", "#ffe0b2"),
    "SwitchSiliconVendor": ("switch-silicon vendor", "box", "#ffccbc"),
    "ConnectorVendor": ("connector vendor", "box", "#f8bbd0"),
    "ServerVendor": ("server vendor", "box", "#d7ccc8"),
    "Organization": ("organization (role not stated)", "box", "#ffffff"),
    "OrganizationGroup": ("group of organizations", "box", "#eeeeee"),
    "SupernodeSolution": ("supernode solution", "hexagon", "#c8e6c9"),
    "EthernetSwitchASIC": ("Ethernet switch chip", "component", "#e1bee7"),
    "PCIeSwitch": ("PCIe switch", "component", "#d1c4e9"),
    "AIAcceleratorCard": ("AI accelerator card", "box3d", "#fff9c4"),
    "Product": ("product (kind not stated)", "hexagon", "#ffffff"),
    "Market": ("market", "note", "#f5f5f5"),
}
DEFAULT_NODE_STYLE = ("other", "ellipse", "#ffffff")

#: How each relation is drawn: (colour, style, arrow).
EDGE_STYLES: dict[str, tuple[str, str, str]] = {
    "offers": ("#2e7d32", "solid", "normal"),
    "makes": ("#424242", "solid", "normal"),
    "uses": ("#6a1b9a", "dotted", "normal"),
    "partners with": ("#1565c0", "bold", "none"),
    "buys": ("#757575", "solid", "normal"),
    "restricted from buying": ("#c62828", "dashed", "tee"),
}
MARKET_EDGE_STYLE = ("#9e9e9e", "solid", "open")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    note: str


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    chinese: str
    kind: str


def ecosystem(graph: LoadedGraph) -> tuple[dict[str, Node], list[Edge]]:
    """The nodes and edges of the ecosystem, from the saved query ``ecosystem``."""
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for row in select_rows(Catalog.bundled().get("ecosystem"), source=graph):
        for end in ("source", "target"):
            iri = term_value(row[end])
            if iri not in nodes:
                kind = term_value(row[f"{end}Class"]).removeprefix(SNK)
                chinese = row.get(f"{end}Zh")
                nodes[iri] = Node(
                    iri,
                    term_value(row[f"{end}Label"]),
                    chinese.value if isinstance(chinese, ox.Literal) else "",
                    kind,
                )
        edges.append(
            Edge(
                term_value(row["source"]),
                term_value(row["target"]),
                term_value(row["relation"]),
                edge_note(row),
            )
        )
    return nodes, edges


def edge_note(row: dict[str, object]) -> str:
    """The text under an edge: a share as a percentage with its ratio (``30% (3:7)``), a start date
    (``from 2025-09-16``). The query returns typed values; formatting them is this module's job.

    Example:
        >>> from kg.base.namespaces import XSD_DECIMAL
        >>> edge_note({"share": ox.Literal("0.3", datatype=ox.NamedNode(XSD_DECIMAL)), "ratio": ox.Literal("3:7")})
        '30% (3:7)'
    """
    share, ratio, since = row.get("share"), row.get("ratio"), row.get("since")
    parts = []
    if isinstance(share, ox.Literal):
        percent = (Decimal(share.value) * 100).normalize()
        parts.append(f"{percent:f}%")
    if isinstance(ratio, ox.Literal):
        parts.append(f"({ratio.value})")
    if isinstance(since, ox.Literal):
        parts.append(f"from {since.value}")
    return " ".join(parts)


def neighbourhood(edges: list[Edge], focus: str, depth: int) -> set[str]:
    """The nodes within ``depth`` edges of ``focus`` (edges taken in both directions)."""
    adjacent: dict[str, set[str]] = {}
    for edge in edges:
        adjacent.setdefault(edge.source, set()).add(edge.target)
        adjacent.setdefault(edge.target, set()).add(edge.source)
    seen = {focus}
    queue = deque([(focus, 0)])
    while queue:
        node, distance = queue.popleft()
        if distance == depth:
            continue
        for other in sorted(adjacent.get(node, ())):
            if other not in seen:
                seen.add(other)
                queue.append((other, distance + 1))
    return seen


def draw(
    graph: LoadedGraph,
    out: str | os.PathLike[str],
    *,
    focus: str | None = None,
    depth: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Draw the ecosystem into ``out`` (.svg or .png), optionally around one entity.

    Raises:
        KgError: an unknown file type, Graphviz's ``dot`` missing, or a focus with no edges.
    """
    target = Path(out)
    file_format = target.suffix.lower().lstrip(".")
    if file_format not in ("svg", "png"):
        raise KgError(f"{target}: kg viz writes .svg or .png files")
    if shutil.which("dot") is None:
        raise KgError("Graphviz's dot program is not installed (Debian: apt-get install graphviz)")
    step = progress or (lambda description: None)
    step("querying the edges")
    nodes, edges = ecosystem(graph)
    if focus is not None:
        if focus not in nodes:
            raise KgError(f"{focus} has no edge in the ecosystem picture")
        keep = neighbourhood(edges, focus, depth)
        nodes = {iri: node for iri, node in nodes.items() if iri in keep}
        edges = [e for e in edges if e.source in keep and e.target in keep]
    dot = _dot_graph(nodes, edges, focus)
    import graphviz

    step("laying out with Graphviz")
    try:
        data = dot.pipe(format=file_format)
    except graphviz.ExecutableNotFound:
        raise KgError(
            "Graphviz's dot program is not installed (Debian: apt-get install graphviz)"
        ) from None
    except graphviz.CalledProcessError as error:
        raise KgError(
            f"Graphviz failed: {error.stderr.decode(errors='replace').strip()[:200]}"
        ) from None
    return write_atomically(target, data)


def _dot_graph(nodes: dict[str, Node], edges: list[Edge], focus: str | None):  # type: ignore[no-untyped-def]
    import graphviz

    dot = graphviz.Digraph("supernode", engine="dot")
    dot.attr(
        rankdir="LR",
        fontname="WenQuanYi Micro Hei,Noto Sans CJK SC,Helvetica",
        fontsize="18",
        label="The AI supernode ecosystem (source: 傅里叶的猫, 2025-09-28)",
        labelloc="t",
        nodesep="0.35",
        ranksep="0.9",
        bgcolor="white",
    )
    dot.attr(
        "node",
        fontname="WenQuanYi Micro Hei,Noto Sans CJK SC,Helvetica",
        fontsize="12",
        style="filled",
    )
    dot.attr("edge", fontname="WenQuanYi Micro Hei,Noto Sans CJK SC,Helvetica", fontsize="10")
    for iri, node in sorted(nodes.items()):
        _, shape, fill = NODE_STYLES.get(node.kind, DEFAULT_NODE_STYLE)
        label = node.label + (
            f"\n{node.chinese}" if node.chinese and node.chinese != node.label else ""
        )
        extra = {"penwidth": "3"} if iri == focus else {}
        dot.node(_node_id(iri), label=label, shape=shape, fillcolor=fill, tooltip=iri, **extra)
    for edge in edges:
        colour, style, arrow = EDGE_STYLES.get(edge.relation, MARKET_EDGE_STYLE)
        label = edge.relation + (f"\n{edge.note}" if edge.note else "")
        dot.edge(
            _node_id(edge.source),
            _node_id(edge.target),
            label=label,
            color=colour,
            fontcolor=colour,
            style=style,
            arrowhead=arrow,
            dir="none" if arrow == "none" else "forward",
        )
    _legend(dot, {n.kind for n in nodes.values()}, {e.relation for e in edges})
    return dot


def _legend(dot, kinds: set[str], relations: set[str]) -> None:  # type: ignore[no-untyped-def]
    """One compact table node: a swatch per kind of node drawn, a coloured line per relation."""
    from html import escape

    rows = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    for kind in (k for k in NODE_STYLES if k in kinds):
        text, _, fill = NODE_STYLES[kind]
        rows.append(
            f'<TR><TD BGCOLOR="{fill}" WIDTH="28"> </TD><TD ALIGN="LEFT">{escape(text)}</TD></TR>'
        )
    shown = [r for r in EDGE_STYLES if r in relations]
    if relations - set(EDGE_STYLES):
        shown.append("market position")
    for relation in shown:
        colour, style, _ = EDGE_STYLES.get(relation, MARKET_EDGE_STYLE)
        line = {"dashed": "- - -", "dotted": "·····", "bold": "━━━"}.get(style, "───")
        rows.append(
            f'<TR><TD><FONT COLOR="{colour}">{line}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{colour}">{escape(relation)}</FONT></TD></TR>'
        )
    table = (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" COLOR="#9e9e9e">'
        + "".join(rows)
        + "</TABLE>>"
    )
    dot.node("legend", label=table, shape="plaintext", style="", fontsize="10")


def _node_id(iri: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in iri)
