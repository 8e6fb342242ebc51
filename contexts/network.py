"""Network pictures drawn on the server as SVG: the same picture in the page and, later, in PDFs.

Pure drawing: callers (contexts.selectors) decide what the viewer may see and pass only that, plus a count of
links left out. Layout by networkx (spring layout, fixed seed: the same network always looks the same).
Plain SVG 1.1 with attributes only, so WeasyPrint can render it too.
"""

from dataclasses import dataclass
from html import escape

import networkx as nx


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str  # "person" | "group" | "place"
    risk: str | None
    url: str | None


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    nature: str
    reliability: str  # "confirmed" | "reported" | "suspected"


RISK_FILL = {"high": "#d4351c", "medium": "#f47738", "low": "#00703c", None: "#b1b4b6"}
KIND_FILL = {"group": "#1d70b8", "place": "#4c2c92"}
DASH = {"confirmed": None, "reported": "8 4", "suspected": "3 4"}
EDGE_COLOUR = {"Conflict": "#d4351c", "Exploitation concern": "#0b0c0c"}
RADIUS = 14
LEGEND_HEIGHT = 110
FONT = 'font-family="Arial, sans-serif"'


def _size(count: int) -> int:
    return int(min(1200, max(480, 160 * count ** 0.5)))


def _layout(nodes: list[Node], edges: list[Edge], centre: str | None, size: int) -> dict[str, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(node.key for node in nodes))
    graph.add_edges_from(sorted((edge.a, edge.b) for edge in edges))
    if not graph:
        return {}
    fixed = [centre] if centre in graph and len(graph) > 1 else None
    start = {centre: (0.0, 0.0)} if fixed else None
    positions = nx.spring_layout(graph, seed=1, iterations=60, pos=start, fixed=fixed,
                                 k=1.5 / max(len(graph), 1) ** 0.5)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    pad = 70
    return {key: (pad + (x - min(xs)) / span_x * (size - 2 * pad), pad + (y - min(ys)) / span_y * (size - 2 * pad))
            for key, (x, y) in positions.items()}


def _shape(node: Node, x: float, y: float, centre: bool) -> str:
    fill = KIND_FILL.get(node.kind) or RISK_FILL.get(node.risk, RISK_FILL[None])
    stroke = f'stroke="#0b0c0c" stroke-width="{4 if centre else 1.5}"'
    if node.kind == "group":
        return (f'<rect x="{x - RADIUS:.1f}" y="{y - RADIUS:.1f}" width="{2 * RADIUS}" height="{2 * RADIUS}" '
                f'rx="5" fill="{fill}" {stroke}/>')
    if node.kind == "place":
        points = f"{x:.1f},{y - RADIUS - 2:.1f} {x + RADIUS + 2:.1f},{y:.1f} {x:.1f},{y + RADIUS + 2:.1f} " \
                 f"{x - RADIUS - 2:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{fill}" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{fill}" {stroke}/>'


def _describe(node: Node) -> str:
    if node.kind == "person":
        risk = f"{node.risk} risk" if node.risk else "no open case visible"
        return f"{node.label} — young person, {risk}"
    return f"{node.label} — {'peer group' if node.kind == 'group' else 'place'}"


def _short(label: str) -> str:
    return label if len(label) <= 24 else label[:23] + "…"


def _node(node: Node, x: float, y: float, centre: bool) -> str:
    body = (f"<title>{escape(_describe(node))}</title>{_shape(node, x, y, centre)}"
            f'<text x="{x:.1f}" y="{y + RADIUS + 16:.1f}" text-anchor="middle" font-size="12" {FONT} '
            f'fill="#0b0c0c">{escape(_short(node.label))}</text>')
    if node.url:
        url = escape(node.url, quote=True)
        body = f'<a href="{url}" xlink:href="{url}">{body}</a>'
    return f'<g class="node" data-key="{escape(node.key, quote=True)}">{body}</g>'


def _edge(edge: Edge, positions, labels) -> str:
    (x1, y1), (x2, y2) = positions[edge.a], positions[edge.b]
    dash = DASH.get(edge.reliability)
    colour = EDGE_COLOUR.get(edge.nature, "#505a5f")
    width = 3 if edge.nature == "Exploitation concern" else 2
    title = f"{labels[edge.a]} – {labels[edge.b]}: {edge.nature} ({edge.reliability})"
    return (f'<g class="edge"><title>{escape(title)}</title><line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{colour}" stroke-width="{width}"'
            + (f' stroke-dasharray="{dash}"' if dash else "") + "/></g>")


def _legend(y: float, hidden: int) -> str:
    items = []
    x = 12
    for label, node in [("Young person", Node("", "", "person", None, None)),
                        ("Peer group", Node("", "", "group", None, None)),
                        ("Place", Node("", "", "place", None, None))]:
        items.append(_shape(node, x + RADIUS, y + RADIUS, False))
        items.append(f'<text x="{x + 2 * RADIUS + 6}" y="{y + RADIUS + 4}" font-size="12" {FONT}>{label}</text>')
        x += 120
    y1, x = y + 2 * RADIUS + 12, 12
    for risk in ("high", "medium", "low", None):
        items.append(f'<circle cx="{x + 7}" cy="{y1}" r="7" fill="{RISK_FILL[risk]}" stroke="#0b0c0c"/>'
                     f'<text x="{x + 18}" y="{y1 + 4}" font-size="12" {FONT}>{risk or "not known"} risk</text>')
        x += 110
    y2, x = y1 + 28, 12
    for reliability, dash in DASH.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<line x1="{x}" y1="{y2}" x2="{x + 40}" y2="{y2}" stroke="#505a5f" stroke-width="2"'
                     f'{dash_attr}/><text x="{x + 48}" y="{y2 + 4}" font-size="12" {FONT}>{reliability}</text>')
        x += 140
    if hidden:
        items.append(f'<text x="12" y="{y2 + 28}" font-size="12" font-weight="bold" {FONT}>'
                     f'{escape(_hidden_text(hidden))}</text>')
    return f'<g class="legend">{"".join(items)}</g>'


def _hidden_text(hidden: int) -> str:
    return f"{hidden} link{'' if hidden == 1 else 's'} not shared with your agency"


def _summary(nodes: list[Node], edges: list[Edge], hidden: int) -> str:
    kinds = [node.kind for node in nodes]
    text = (f"{kinds.count('person')} people, {kinds.count('group')} groups, {kinds.count('place')} places, "
            f"{len(edges)} links.")
    return text + (f" {_hidden_text(hidden).capitalize()}." if hidden else "")


def draw(nodes: list[Node], edges: list[Edge], *, centre: str | None = None, title: str, hidden: int = 0) -> str:
    """A standalone <svg> of ``nodes`` and ``edges``, with the centre node outlined and a legend below."""
    nodes = sorted({node.key: node for node in nodes}.values(), key=lambda node: node.key)
    keys = {node.key for node in nodes}
    edges = sorted((e for e in edges if e.a in keys and e.b in keys), key=lambda e: (e.a, e.b, e.nature))
    size = _size(len(nodes))
    positions = _layout(nodes, edges, centre, size)
    labels = {node.key: node.label for node in nodes}
    height = size + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'width="100%" viewBox="0 0 {size} {height}" role="group" aria-labelledby="network-title" '
        'aria-describedby="network-desc">',
        f'<title id="network-title">{escape(title)}</title>',
        f'<desc id="network-desc">{escape(_summary(nodes, edges, hidden))}</desc>',
        f'<rect x="0" y="0" width="{size}" height="{height}" fill="#ffffff"/>',
    ]
    if not nodes:
        parts.append(f'<text x="{size / 2}" y="{size / 2}" text-anchor="middle" font-size="16" {FONT}>'
                     "No links to show</text>")
    parts += [_edge(edge, positions, labels) for edge in edges]
    parts += [_node(node, *positions[node.key], node.key == centre) for node in nodes]
    parts.append(_legend(size, hidden))
    parts.append("</svg>")
    return "".join(parts)
