"""Network pictures drawn on the server as SVG: the same picture in the page and, later, in PDFs.

Pure drawing: callers (contexts.selectors) decide what the viewer may see and pass only that, plus a count of
links left out. Layout by networkx (spring layout, fixed seed, input sorted by key: the same network always
gives the same bytes), with the centre node, if any, pinned in the middle of the picture. Each peer group's members
are pulled round their group, and a last pass pushes apart any two nodes whose name labels would overlap, so labels
stay 12 px text, none over another, at 70 links and more (the page shows the picture at its own size).
Plain SVG 1.1 with attributes only, so WeasyPrint can render it too. Every piece of text is XML-escaped.
Colour never carries meaning alone: each node and link has a tooltip in words, and the key names every colour,
shape and line style.
"""

import html
import random
import re
from dataclasses import dataclass
from hashlib import blake2s

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class Node:
    key: str  # unique, e.g. "yp:12", "group:3", "place:7"
    label: str  # already safe to show to this viewer
    kind: str  # "person" | "group" | "place"
    risk: str | None  # people only: "low" | "medium" | "high" | None (not known / no open case)
    url: str | None


@dataclass(frozen=True)
class Edge:
    a: str  # Node.key
    b: str
    nature: str  # e.g. "Friend", "Conflict", "Exploitation concern", "Core member", "Frequents"
    reliability: str  # "confirmed" | "reported" | "suspected"
    purpose: str = "welfare"  # "welfare" | "intelligence": an intelligence link carries an "i" at its middle
    expired: bool = False  # unreviewed long past its review date: drawn grey, only when the viewer asks for it


RISK_FILL = {"high": "#d4351c", "medium": "#f47738", "low": "#00703c", None: "#b1b4b6"}
KIND_FILL = {"group": "#1d70b8", "place": "#4c2c92"}
KIND_WORDS = {"person": "Young person", "group": "Peer group", "place": "Place"}
DASH = {"confirmed": None, "reported": "8 4", "suspected": "3 4"}
EDGE_COLOUR = {"Conflict": "#d4351c", "Exploitation concern": "#0b0c0c"}
EDGE_WIDTH = {"Exploitation concern": 3.5}
OTHER_EDGE_COLOUR = "#505a5f"
EXPIRED_EDGE_COLOUR = "#b1b4b6"
INK = "#0b0c0c"
RADIUS = 14
PAD = 70  # room round the drawing for labels, which may be ~150 px wide
LEGEND_HEIGHT = 168
LEGEND_HIDDEN_HEIGHT = 26
EMPTY_DEPTH = 80  # of the drawing when there is nothing to draw
FONT = 'font-family="Arial, sans-serif"'
SAFE_URL_STARTS = ("/", "https://", "http://")  # so never "javascript:"
LABEL_LENGTH = 24
CHAR_WIDTH, BOLD_CHAR_WIDTH = 6.7, 7.3  # rough average width of a 12 px Arial character, for placing labels


# Characters XML 1.0 does not allow (C0 controls other than tab, line feed and carriage return; lone surrogates;
# U+FFFE and U+FFFF). Forms refuse them in names (safeguarding.inputs); any that got in before are dropped here, so
# the picture is always well-formed XML.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str, quote: bool = True) -> str:
    """``text`` safe inside an XML element or attribute: characters XML cannot hold dropped, the rest escaped."""
    return html.escape(NOT_XML.sub("", str(text)), quote=quote)


# --- Layout ---------------------------------------------------------------------------------------------------


def _size(count: int) -> int:
    """Side of the square drawing area: 480 px for up to 5 nodes, growing to 1200 px at 36 or more."""
    return int(min(1200, max(480, 200 * count**0.5)))


def _footprint(node: Node, centre: str | None) -> tuple[float, float, float]:
    """(half width, height above the node's middle, depth below it) of the node with its label drawn below."""
    width = len(_short(node.label)) * (BOLD_CHAR_WIDTH if node.key == centre else CHAR_WIDTH)
    return max(RADIUS + 2, width / 2 + 2), RADIUS + 2, RADIUS + 19


# A link between a person and a peer group pulls this much harder than others, so each group's members gather
# round it; two members of one group pull a little, as if linked, so the cluster holds together.
MEMBER_PULL, CO_MEMBER_PULL = 4.0, 0.5


def _graph(keys: list[str], pairs: list[tuple[str, str]]):
    graph = nx.Graph()
    graph.add_nodes_from(keys)
    members: dict[str, list[str]] = {}
    for a, b in pairs:
        group = a if a.startswith("group:") else b if b.startswith("group:") else None
        other = b if group == a else a
        if group and other.startswith("yp:"):
            members.setdefault(group, []).append(other)
            graph.add_edge(a, b, weight=MEMBER_PULL)
        elif not graph.has_edge(a, b):
            graph.add_edge(a, b, weight=1.0)
    for people in members.values():
        people = sorted(set(people))
        for i, first in enumerate(people):
            for second in people[i + 1:]:
                if not graph.has_edge(first, second):
                    graph.add_edge(first, second, weight=CO_MEMBER_PULL)
    return graph


def _layout(keys: list[str], pairs: list[tuple[str, str]], centre: str | None, size: int, boxes=None):
    """Positions in the drawing area, keyed by node key. Deterministic for the same keys and pairs.

    ``boxes``: each node's footprint with its label, (half width, above, below) in px: no two are left overlapping
    where the drawing has room."""
    graph = _graph(keys, pairs)
    if len(graph) < 2:
        return dict.fromkeys(graph, (size / 2, size / 2))
    pinned = centre if centre in graph else None
    rng = random.Random(1)  # starting positions round the centre, so the layout grows evenly on all sides
    start = {key: (0.0, 0.0) if key == pinned else (rng.uniform(-1, 1), rng.uniform(-1, 1)) for key in keys}
    positions = nx.spring_layout(graph, pos=start, fixed=[pinned] if pinned else None, seed=1, iterations=50,
                                 k=2 / len(graph) ** 0.5, weight="weight")
    positions = _fit(positions, pinned, size)
    return _spread(positions, boxes, pinned, size) if boxes else positions


def _spread(positions, boxes, pinned: str | None, size: int, rounds: int = 300):
    """Push apart nodes whose footprints (node and label) overlap, each pair along the axis it overlaps least,
    keeping every footprint inside the picture and the pinned node where it is. Vectorised: fast at 200 nodes."""
    keys = list(positions)
    x = np.array([positions[key][0] for key in keys], dtype=float)
    y = np.array([positions[key][1] for key in keys], dtype=float)
    half = np.array([boxes[key][0] for key in keys], dtype=float) + 3  # a little air between labels
    above = np.array([boxes[key][1] for key in keys], dtype=float)
    below = np.array([boxes[key][2] for key in keys], dtype=float) + 2
    middle, reach = (below - above) / 2, (above + below) / 2  # the footprint's vertical centre and half-height
    fixed = np.array([key == pinned for key in keys])
    order = np.arange(len(keys))
    tie = np.sign(order[:, None] - order[None, :])  # which way two nodes at one spot part: by their order
    for _ in range(rounds):
        dx = x[:, None] - x[None, :]
        dy = (y + middle)[:, None] - (y + middle)[None, :]
        over_x = half[:, None] + half[None, :] - np.abs(dx)
        over_y = reach[:, None] + reach[None, :] - np.abs(dy)
        clash = (over_x > 0) & (over_y > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        # Each of a clashing pair moves half the overlap (all of it when the other is pinned).
        share = np.where(fixed[None, :], 1.0, 0.5)
        sideways = clash & (over_x <= over_y)
        push_x = np.where(sideways, over_x * share * np.where(dx == 0, tie, np.sign(dx)), 0).sum(axis=1)
        push_y = np.where(clash & ~sideways, over_y * share * np.where(dy == 0, tie, np.sign(dy)), 0).sum(axis=1)
        x = np.where(fixed, x, np.clip(x + push_x * 0.6, half, size - half))
        y = np.where(fixed, y, np.clip(y + push_y * 0.6, above + 2, size - below))
    return {key: (float(x[i]), float(y[i])) for i, key in enumerate(keys)}


def _fit(positions, pinned: str | None, size: int):
    """Scale layout positions into the drawing area, with the pinned node (if any) exactly in the middle.

    Each side of the pinned node is stretched to fill its half of the picture (by at most twice as much as the
    other side), so a centre node on the edge of its network does not leave half the picture empty.
    """
    if pinned:
        mid_x, mid_y = positions[pinned]
    else:
        mid_x, mid_y = _middle([x for x, _ in positions.values()]), _middle([y for _, y in positions.values()])
    scale_x = _axis([x for x, _ in positions.values()], mid_x, size)
    scale_y = _axis([y for _, y in positions.values()], mid_y, size)
    return {key: (scale_x(x), scale_y(y)) for key, (x, y) in positions.items()}


def _middle(values: list[float]) -> float:
    return (min(values) + max(values)) / 2


def _axis(values: list[float], mid: float, size: int):
    """A function placing layout coordinates along one axis, ``mid`` going to the middle of the picture."""
    low, high = mid - min(values), max(values) - mid
    low, high = max(low, high / 2) or 1, max(high, low / 2) or 1
    half = size / 2 - PAD
    return lambda value: size / 2 + (value - mid) / (high if value >= mid else low) * half


def _label_spots(nodes: list[Node], positions, centre: str | None, size: int):
    """Where each node's label goes: (x, y, text-anchor), keyed by node key.

    Below the node unless that hits another node, label or the edge of the picture; then above, right or left,
    whichever hits least. The centre node's label is placed first.
    """
    nodes_in_the_way = [(x - RADIUS - 2, y - RADIUS - 2, x + RADIUS + 2, y + RADIUS + 2)
                        for x, y in positions.values()]
    labels_so_far: list[tuple[float, float, float, float]] = []
    spots = {}
    for node in sorted(nodes, key=lambda node: node.key != centre):
        x, y = positions[node.key]
        width = len(_short(node.label)) * (BOLD_CHAR_WIDTH if node.key == centre else CHAR_WIDTH)
        middle = min(max(x, width / 2 + 4), size - width / 2 - 4)  # a long label near the side moves in
        options = [(middle, y + RADIUS + 16, "middle"), (middle, y - RADIUS - 8, "middle"),
                   (x + RADIUS + 6, y + 4, "start"), (x - RADIUS - 6, y + 4, "end")]
        boxes = [_text_box(option, width) for option in options]
        hits = [_hits(box, labels_so_far, nodes_in_the_way, size) for box in boxes]
        best = hits.index(min(hits))  # the first of the best: below, if nothing is in the way
        spots[node.key] = options[best]
        labels_so_far.append(boxes[best])
    return spots


def _text_box(spot: tuple[float, float, str], width: float) -> tuple[float, float, float, float]:
    """Roughly where 12 px text at ``spot`` lands, as (left, top, right, bottom)."""
    x, y, anchor = spot
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, y - 12, left + width, y + 3


def _hits(box, labels, nodes, size: int) -> int:
    left, top, right, bottom = box
    outside = left < 0 or top < 0 or right > size or bottom > size
    return 10 * outside + sum(_overlap(box, other) for other in labels) + sum(_overlap(box, other) for other in nodes)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# --- Words ----------------------------------------------------------------------------------------------------


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _describe(node: Node) -> str:
    """The node's tooltip, e.g. "Jayden Clarke — young person, high risk"."""
    if node.kind == "person":
        risk = f"{node.risk} risk" if node.risk else "risk not known"
        return f"{node.label} — young person, {risk}"
    return f"{node.label} — {'peer group' if node.kind == 'group' else 'place'}"


def _hidden_text(hidden: int) -> str:
    return f"{hidden} link{'' if hidden == 1 else 's'} not shared with your agency"


def _summary(nodes: list[Node], edges: list[Edge], hidden: int) -> str:
    kinds = [node.kind for node in nodes]
    text = (f"{kinds.count('person')} people, {kinds.count('group')} groups, {kinds.count('place')} places, "
            f"{len(edges)} links.")
    return text + (f" {_hidden_text(hidden).capitalize()}." if hidden else "")


def _text(x: float, y: float, words: str, *, size: int = 12, anchor: str = "start", bold: bool = False,
          halo: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    paint = ('fill="#ffffff" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" aria-hidden="true"' if halo
             else f'fill="{INK}"')
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {FONT}{weight} {paint}>'
            f"{escape(words)}</text>")


def _label(x: float, y: float, anchor: str, words: str, *, bold: bool) -> str:
    """Text with a white halo behind it (a hidden copy drawn first), so links crossing it do not hide it."""
    return (_text(x, y, words, anchor=anchor, bold=bold, halo=True)
            + _text(x, y, words, anchor=anchor, bold=bold))


# --- Shapes ---------------------------------------------------------------------------------------------------


def _fill(node: Node) -> str:
    return KIND_FILL.get(node.kind) or RISK_FILL.get(node.risk, RISK_FILL[None])


def _shape(kind: str, fill: str, x: float, y: float, *, radius: float = RADIUS, centre: bool = False) -> str:
    """Circle for a person, rounded square for a group, diamond for a place."""
    stroke = f'stroke="{INK}" stroke-width="{4 if centre else 1.5}"'
    if kind == "group":
        return (f'<rect x="{x - radius:.1f}" y="{y - radius:.1f}" width="{2 * radius:.1f}" '
                f'height="{2 * radius:.1f}" rx="{radius / 3:.1f}" fill="{fill}" {stroke}/>')
    if kind == "place":
        r = radius + 2
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{fill}" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{fill}" {stroke}/>'


def _node(node: Node, position: tuple[float, float], spot: tuple[float, float, str], centre: bool) -> str:
    body = (f"<title>{escape(_describe(node))}</title>"
            + _shape(node.kind, _fill(node), *position, centre=centre)
            + _label(*spot, _short(node.label), bold=centre))
    if node.url and node.url.startswith(SAFE_URL_STARTS):
        url = escape(node.url, quote=True)
        body = f'<a href="{url}" xlink:href="{url}">{body}</a>'
    return f'<g class="node" data-key="{escape(node.key, quote=True)}">{body}</g>'


def _line(x1: float, y1: float, x2: float, y2: float, *, nature: str, reliability: str,
          expired: bool = False) -> str:
    dash = DASH.get(reliability, DASH["suspected"])  # a link of unknown reliability must not look confirmed
    colour = EXPIRED_EDGE_COLOUR if expired else EDGE_COLOUR.get(nature, OTHER_EDGE_COLOUR)
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{EDGE_WIDTH.get(nature, 2)}"'
            + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")


def _intelligence_mark(x: float, y: float) -> str:
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>'
            + _text(x, y + 4, "i", size=11, anchor="middle", bold=True))


def _edge(edge: Edge, positions, labels) -> str:
    words = ", ".join([edge.reliability, *(["intelligence"] if edge.purpose == "intelligence" else []),
                       *(["not current"] if edge.expired else [])])
    title = f"{labels[edge.a]} – {labels[edge.b]}: {edge.nature} ({words})"
    (x1, y1), (x2, y2) = positions[edge.a], positions[edge.b]
    mark = _intelligence_mark((x1 + x2) / 2, (y1 + y2) / 2) if edge.purpose == "intelligence" else ""
    return (f'<g class="edge{" edge--expired" if edge.expired else ""}"><title>{escape(title)}</title>'
            + _line(x1, y1, x2, y2, nature=edge.nature, reliability=edge.reliability, expired=edge.expired)
            + mark + "</g>")


# --- Key ------------------------------------------------------------------------------------------------------


def _legend(y: float, width: int, hidden: int) -> str:
    """The key, in rows that fit the narrowest (480 px) picture: shapes, risk colours, line styles, line colours."""
    items = [f'<line x1="12" y1="{y + 0.5}" x2="{width - 12}" y2="{y + 0.5}" stroke="#b1b4b6" stroke-width="1"/>']
    row = y + 28
    for x, kind in zip((12, 150, 280), KIND_WORDS, strict=True):
        fill = KIND_FILL.get(kind, RISK_FILL[None])
        items += [_shape(kind, fill, x + 12, row, radius=10), _text(x + 30, row + 4, KIND_WORDS[kind])]
    row += 30
    for x, risk in zip((12, 120, 240, 340), RISK_FILL, strict=True):
        items += [f'<circle cx="{x + 7}" cy="{row}" r="7" fill="{RISK_FILL[risk]}" stroke="{INK}"/>',
                  _text(x + 20, row + 4, f"{risk} risk" if risk else "risk not known")]
    row += 28
    for x, reliability in zip((12, 150, 280), DASH, strict=True):
        items += [_line(x, row, x + 40, row, nature="", reliability=reliability), _text(x + 48, row + 4, reliability)]
    row += 28
    for x, nature, words in ((12, "Conflict", "conflict"), (150, "Exploitation concern", "exploitation concern"),
                             (340, "", "other link")):
        items += [_line(x, row, x + 40, row, nature=nature, reliability="confirmed"), _text(x + 48, row + 4, words)]
    row += 28
    items += [_intelligence_mark(19, row), _text(32, row + 4, "intelligence; others welfare"),
              _line(300, row, 340, row, nature="", reliability="confirmed", expired=True),
              _text(348, row + 4, "not current")]
    if hidden:
        items.append(_text(12, row + 30, _hidden_text(hidden), bold=True))
    return f'<g class="legend">{"".join(items)}</g>'


# --- The picture ----------------------------------------------------------------------------------------------


def _ids(title: str, keys: list[str]) -> tuple[str, str]:
    """Ids for <title> and <desc>, stable for the same picture but different for two pictures on one page."""
    digest = blake2s("\n".join([title, *keys]).encode(), digest_size=4).hexdigest()
    return f"network-{digest}-title", f"network-{digest}-desc"


def draw(nodes: list[Node], edges: list[Edge], *, centre: str | None = None, title: str, hidden: int = 0,
         natural_size: bool = False) -> str:
    """A standalone <svg> of ``nodes`` and ``edges``, with the centre node outlined and a key below.

    ``natural_size``: drawn at its own size in px (a page, which scrolls it if need be, so text stays 12 px)
    rather than filling its container's width (a PDF)."""
    nodes = sorted({node.key: node for node in nodes}.values(), key=lambda node: node.key)
    known = {node.key for node in nodes}
    edges = sorted((e for e in edges if e.a in known and e.b in known),
                   key=lambda e: (e.a, e.b, e.nature, e.reliability))
    width = _size(len(nodes))
    depth = width if nodes else EMPTY_DEPTH  # of the drawing, above the key
    height = depth + LEGEND_HEIGHT + (LEGEND_HIDDEN_HEIGHT if hidden else 0)
    title_id, desc_id = _ids(title, sorted(known))
    body = _drawing(nodes, edges, centre, width)
    if not edges:
        body = _text(width / 2, depth - 24, "No links to show", size=16, anchor="middle") + body
    return "".join([
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        + (f'width="{width}" height="{height}" ' if natural_size else 'width="100%" ')
        + f'viewBox="0 0 {width} {height}" role="group" aria-labelledby="{title_id}" '
        f'aria-describedby="{desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_summary(nodes, edges, hidden))}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        body,
        _legend(depth, width, hidden),
        "</svg>",
    ])


def _drawing(nodes: list[Node], edges: list[Edge], centre: str | None, size: int) -> str:
    """Links, then nodes over them, the centre node last so nothing covers it."""
    boxes = {node.key: _footprint(node, centre) for node in nodes}
    positions = _layout([node.key for node in nodes], [(edge.a, edge.b) for edge in edges], centre, size, boxes)
    labels = {node.key: node.label for node in nodes}
    spots = _label_spots(nodes, positions, centre, size)
    in_order = sorted(nodes, key=lambda node: node.key == centre)  # stable: otherwise by key
    return "".join([_edge(edge, positions, labels) for edge in edges]
                   + [_node(node, positions[node.key], spots[node.key], node.key == centre) for node in in_order])
