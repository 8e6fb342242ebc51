"""A network of 70+ links stays readable: every node drawn, no name label over another, labels at 12 px, each
peer group's members gathered round it (contexts.network). Pure drawing: no database."""

import random
import xml.etree.ElementTree as ET
from itertools import combinations

from faker import Faker

from contexts.network import BOLD_CHAR_WIDTH, CHAR_WIDTH, Edge, Node, draw

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 2.0  # px of overlap allowed between two label boxes (rounding of the estimated text width)


def big_network(people=46, groups=4, seed=19):
    """A young person at the centre of about 46 peers in four peer groups: well over 70 links."""
    fake, rng = Faker("en_GB"), random.Random(seed)
    fake.seed_instance(seed)
    nodes = [Node(f"yp:{i}", f"{fake.first_name()} {fake.last_name()}", "person",
                  rng.choice(["high", "medium", "low", None]), f"/young-people/{i}/") for i in range(people)]
    nodes += [Node(f"group:{g}", f"Group seen at {fake.street_name()}", "group", None, f"/peer-groups/{g}/")
              for g in range(groups)]
    edges = [Edge(f"yp:{i}", f"group:{i % groups}", "Core member", "confirmed") for i in range(1, people)]
    edges += [Edge("yp:0", "group:0", "Core member", "confirmed")]
    for a, b in combinations(range(people), 2):
        if (a % groups == b % groups and rng.random() < 0.12) or rng.random() < 0.012:
            edges.append(Edge(f"yp:{a}", f"yp:{b}", rng.choice(["Friend", "Associate", "Conflict"]),
                              rng.choice(["confirmed", "reported", "suspected"]),
                              purpose=rng.choice(["welfare", "intelligence"])))
    return nodes, edges


def label_boxes(root):
    """Each node's visible label as (left, top, right, bottom), from the drawn coordinates."""
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        text = [t for t in g.iter(f"{SVG}text") if t.get("aria-hidden") is None][0]
        width = len(text.text) * (BOLD_CHAR_WIDTH if text.get("font-weight") == "bold" else CHAR_WIDTH)
        x, y = float(text.get("x")), float(text.get("y"))
        left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
        boxes[g.get("data-key")] = (left, y - 12, left + width, y + 3)
    return boxes


def overlap(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) and max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def centres(root):
    found = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            shape = next(iter(g.iter(f"{SVG}circle")), None)
            if shape is not None:
                found[g.get("data-key")] = (float(shape.get("cx")), float(shape.get("cy")))
            else:
                rect = next(iter(g.iter(f"{SVG}rect")))
                found[g.get("data-key")] = (float(rect.get("x")) + 14, float(rect.get("y")) + 14)
    return found


def test_seventy_links_draw_every_node_with_no_label_over_another():
    nodes, edges = big_network()
    assert len(edges) >= 70
    root = ET.fromstring(draw(nodes, edges, centre="yp:0", title="Around", natural_size=True))
    boxes = label_boxes(root)
    assert set(boxes) == {node.key for node in nodes}
    clashes = [(a, b, overlap(boxes[a], boxes[b])) for a, b in combinations(boxes, 2)
               if overlap(boxes[a], boxes[b]) > TOLERANCE]
    assert not clashes, clashes
    width = float(root.get("viewBox").split()[2])
    assert all(0 <= box[0] and box[2] <= width for box in boxes.values())


def test_labels_are_twelve_px_and_the_page_shows_the_picture_at_its_own_size():
    root = ET.fromstring(draw(*big_network(), centre="yp:0", title="Around", natural_size=True))
    _, _, width, height = root.get("viewBox").split()
    assert (root.get("width"), root.get("height")) == (width, height)  # 1 unit = 1 px: 12 px text stays 12 px
    sizes = {t.get("font-size") for g in root.iter(f"{SVG}g") if g.get("class") == "node" for t in g.iter(f"{SVG}text")}
    assert sizes == {"12"}
    assert ET.fromstring(draw(*big_network(), title="t")).get("width") == "100%"  # a PDF fills its column


def test_long_names_are_shortened_with_the_whole_name_in_the_tooltip():
    nodes, edges = big_network()
    nodes[3] = Node("yp:3", "Kyle Brennan-Featherstonehaugh-Smythe", "person", None, "/young-people/3/")
    root = ET.fromstring(draw(nodes, edges, title="t", natural_size=True))
    node = [g for g in root.iter(f"{SVG}g") if g.get("data-key") == "yp:3"][0]
    assert node.find(f".//{SVG}title").text.startswith("Kyle Brennan-Featherstonehaugh-Smythe")
    assert {t.text for t in node.iter(f"{SVG}text")} == {"Kyle Brennan-Feathersto…"}


def test_each_groups_members_are_nearer_their_own_group_than_the_others():
    nodes, edges = big_network()
    positions = centres(ET.fromstring(draw(nodes, edges, title="t", natural_size=True)))

    def distance(a, b):
        return ((positions[a][0] - positions[b][0]) ** 2 + (positions[a][1] - positions[b][1]) ** 2) ** 0.5

    nearer = [distance(f"yp:{i}", f"group:{i % 4}") < min(distance(f"yp:{i}", f"group:{g}") for g in range(4)
                                                          if g != i % 4) for i in range(1, 46)]
    assert sum(nearer) >= 0.85 * len(nearer)
