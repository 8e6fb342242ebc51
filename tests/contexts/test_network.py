"""contexts.network.draw, the SVG network picture: pure drawing, no database.

Alongside test_network_picture.py: this file checks the layout (centre in the middle, size), the key, the
accessible names, hostile input of every kind, and the 200 people / 600 links budget.
"""

import re
import time
import xml.etree.ElementTree as ET

from contexts.network import Edge, Node, draw

NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def person(i, risk=None, url=True, label=None):
    return Node(key=f"yp:{i}", label=label or f"Person {i}", kind="person", risk=risk,
                url=f"/young-people/{i}/" if url else None)


def network():
    nodes = [person(1, "high"), person(2, "medium"), person(3, "low", url=False), person(4),
             Node("group:1", "Eastgate boys", "group", None, "/peer-groups/1/"),
             Node("place:1", "Eastgate Park", "place", None, "/places/1/")]
    edges = [Edge("yp:1", "yp:2", "Friend", "confirmed"), Edge("yp:1", "yp:3", "Conflict", "reported"),
             Edge("yp:2", "yp:4", "Exploitation concern", "suspected"),
             Edge("yp:1", "group:1", "Core member", "confirmed"), Edge("group:1", "place:1", "Frequents", "reported")]
    return nodes, edges


def parse(svg):
    return ET.fromstring(svg)


def node_groups(root):
    return {g.get("data-key"): g for g in root.iter(f"{NS}g") if g.get("class") == "node"}


def edge_lines(root):
    return {g.find(f"{NS}title").text: g.find(f"{NS}line") for g in root.iter(f"{NS}g") if g.get("class") == "edge"}


def view_box(root):
    return [float(n) for n in root.get("viewBox").split()]


def all_text(root):
    return " ".join(t.text or "" for t in root.iter(f"{NS}text"))


# --- Well-formed, deterministic, accessible -----------------------------------------------------------------


def test_the_same_network_in_any_order_gives_the_same_bytes():
    nodes, edges = network()
    first = draw(nodes, edges, centre="yp:1", title="Around Person 1", hidden=2)
    again = draw(list(reversed(nodes)), list(reversed(edges)), centre="yp:1", title="Around Person 1", hidden=2)
    assert first == again
    parse(first)


def test_it_names_itself_by_title_and_summary():
    root = parse(draw(*network(), centre="yp:1", title="Around Person 1"))
    assert root.get("width") == "100%" and root.get("viewBox")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert root.get("aria-labelledby") == title.get("id") and root.get("aria-describedby") == desc.get("id")
    assert title.text == "Around Person 1"
    assert desc.text == "4 people, 1 groups, 1 places, 5 links."


def test_two_pictures_on_one_page_do_not_share_ids():
    first = parse(draw(*network(), centre="yp:1", title="Around Person 1"))
    second = parse(draw(*network(), centre="group:1", title="Around Eastgate boys"))
    assert first.find(f"{NS}title").get("id") != second.find(f"{NS}title").get("id")


def test_the_picture_grows_with_the_network_within_bounds():
    small = view_box(parse(draw([person(1)], [], title="t")))
    medium = view_box(parse(draw([person(i) for i in range(20)], [], title="t")))
    large = view_box(parse(draw([person(i) for i in range(300)], [], title="t")))
    assert 480 == small[2] < medium[2] < large[2] == 1200


# --- Nodes ---------------------------------------------------------------------------------------------------


def test_the_centre_is_in_the_middle_with_a_thick_outline():
    root = parse(draw(*network(), centre="yp:2", title="t"))
    width = view_box(root)[2]
    groups = node_groups(root)
    centre = groups["yp:2"].find(f".//{NS}circle")
    assert (float(centre.get("cx")), float(centre.get("cy"))) == (width / 2, width / 2)
    assert centre.get("stroke-width") == "4"
    others = [g.find(f".//{NS}circle") for key, g in groups.items() if key.startswith("yp:") and key != "yp:2"]
    assert {circle.get("stroke-width") for circle in others} == {"1.5"}


def test_shapes_by_kind_and_colours_by_risk_with_words_in_the_tooltip():
    groups = node_groups(parse(draw(*network(), title="t")))
    assert groups["group:1"].find(f".//{NS}rect").get("fill") == "#1d70b8"
    assert groups["place:1"].find(f".//{NS}polygon").get("fill") == "#4c2c92"
    fills = {key: groups[key].find(f".//{NS}circle").get("fill") for key in ("yp:1", "yp:2", "yp:3", "yp:4")}
    assert fills == {"yp:1": "#d4351c", "yp:2": "#f47738", "yp:3": "#00703c", "yp:4": "#b1b4b6"}
    assert groups["yp:2"].find(f".//{NS}title").text == "Person 2 — young person, medium risk"
    assert groups["yp:4"].find(f".//{NS}title").text == "Person 4 — young person, risk not known"
    assert groups["place:1"].find(f".//{NS}title").text == "Eastgate Park — place"


def test_nodes_with_a_url_are_links_in_both_spellings_and_others_are_not():
    groups = node_groups(parse(draw(*network(), title="t")))
    link = groups["group:1"].find(f"{NS}a")
    assert link.get("href") == link.get(XLINK_HREF) == "/peer-groups/1/"
    assert groups["yp:3"].find(f"{NS}a") is None


def test_long_labels_are_shortened_but_the_tooltip_keeps_the_whole_name():
    name = "Kyle Brennan-Featherstonehaugh-Smythe"
    groups = node_groups(parse(draw([person(1, label=name)], [], title="t")))
    shown = {text.text for text in groups["yp:1"].iter(f"{NS}text")}
    assert shown == {"Kyle Brennan-Feathersto…"} and len(shown.pop()) == 24
    assert groups["yp:1"].find(f".//{NS}title").text.startswith(name)


def test_each_label_has_a_halo_hidden_from_screen_readers():
    groups = node_groups(parse(draw(*network(), title="t")))
    halo, label = list(groups["yp:1"].iter(f"{NS}text"))
    assert halo.get("aria-hidden") == "true" and halo.get("stroke") == "#ffffff"
    assert label.get("aria-hidden") is None and label.text == halo.text == "Person 1"
    assert label.get("font-family") == "Arial, sans-serif"


# --- Links ---------------------------------------------------------------------------------------------------


def test_line_style_by_reliability_and_colour_by_nature():
    lines = edge_lines(parse(draw(*network(), title="t")))
    friend = lines["Person 1 – Person 2: Friend (confirmed)"]
    conflict = lines["Person 1 – Person 3: Conflict (reported)"]
    exploitation = lines["Person 2 – Person 4: Exploitation concern (suspected)"]
    assert friend.get("stroke-dasharray") is None and friend.get("stroke") == "#505a5f"
    assert conflict.get("stroke-dasharray") == "8 4" and conflict.get("stroke") == "#d4351c"
    assert exploitation.get("stroke-dasharray") == "3 4"
    assert float(exploitation.get("stroke-width")) > float(friend.get("stroke-width"))


def test_a_link_of_unknown_reliability_does_not_look_confirmed():
    lines = edge_lines(parse(draw([person(1), person(2)], [Edge("yp:1", "yp:2", "Friend", "rumour")], title="t")))
    assert lines["Person 1 – Person 2: Friend (rumour)"].get("stroke-dasharray") == "3 4"


def test_links_to_nodes_not_in_the_picture_are_left_out_not_drawn_or_crashed_on():
    nodes, edges = network()
    root = parse(draw(nodes, [*edges, Edge("yp:1", "yp:999", "Friend", "confirmed")], title="t"))
    assert len(edge_lines(root)) == 5
    assert "yp:999" not in ET.tostring(root, encoding="unicode")


# --- The key and what is not shared ---------------------------------------------------------------------------


def test_the_key_names_every_shape_colour_and_line_in_words():
    root = parse(draw(*network(), title="t"))
    legend = next(g for g in root.iter(f"{NS}g") if g.get("class") == "legend")
    words = " ".join(t.text for t in legend.iter(f"{NS}text"))
    for word in ("Young person", "Peer group", "Place", "high risk", "medium risk", "low risk", "risk not known",
                 "confirmed", "reported", "suspected", "conflict", "exploitation concern"):
        assert word in words
    dashes = {line.get("stroke-dasharray") for line in legend.iter(f"{NS}line")}
    assert {"8 4", "3 4"} <= dashes


def test_hidden_links_are_counted_in_the_picture_and_the_summary():
    one = parse(draw(*network(), title="t", hidden=1))
    assert "1 link not shared with your agency" in all_text(one)
    assert one.find(f"{NS}desc").text.endswith("1 link not shared with your agency.")
    two = parse(draw(*network(), title="t", hidden=2))
    assert "2 links not shared with your agency" in all_text(two)
    assert "not shared" not in all_text(parse(draw(*network(), title="t")))


# --- Edge cases ----------------------------------------------------------------------------------------------


def test_nothing_to_draw_still_draws_a_picture_that_says_so():
    root = parse(draw([], [], title="Nobody", hidden=3))
    assert "No links to show" in all_text(root)
    assert root.find(f"{NS}desc").text == "0 people, 0 groups, 0 places, 0 links. 3 links not shared with your agency."
    assert node_groups(root) == {}


def test_one_person_and_no_links_sits_in_the_middle():
    root = parse(draw([person(1, "high")], [], centre="yp:1", title="t"))
    circle = node_groups(root)["yp:1"].find(f".//{NS}circle")
    assert float(circle.get("cx")) == float(circle.get("cy")) == view_box(root)[2] / 2
    assert "No links to show" in all_text(root)


def test_hostile_text_is_escaped_everywhere():
    evil = "<script>alert(1)</script>"
    nodes = [Node('yp:1"><script>', evil, "person", "high", '/x/"onload="alert(1)'),
             Node("yp:2", "Ann & <b>Bo</b>", "person", None, "javascript:alert(1)")]
    edges = [Edge('yp:1"><script>', "yp:2", "<img src=x onerror=alert(1)>", "confirmed")]
    svg = draw(nodes, edges, centre="yp:2", title=evil, hidden=1)
    root = parse(svg)
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg and '"onload=' not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "Ann &amp; &lt;b&gt;Bo&lt;/b&gt;" in svg
    assert root.find(f"{NS}title").text == evil  # escaped in the markup, the same words when read
    groups = node_groups(root)
    assert set(groups) == {'yp:1"><script>', "yp:2"}
    assert groups['yp:1"><script>'].find(f"{NS}a").get("href") == '/x/"onload="alert(1)'
    assert groups["yp:2"].find(f"{NS}a") is None  # never a javascript: link
    assert "javascript:" not in svg


def test_duplicate_nodes_are_drawn_once():
    nodes, edges = network()
    root = parse(draw(nodes + nodes[:2], edges, title="t"))
    assert len(node_groups(root)) == 6
    assert len(re.findall(r'data-key="yp:1"', ET.tostring(root, encoding="unicode"))) == 1


def test_two_hundred_people_and_six_hundred_links_draw_well_within_two_seconds():
    nodes = [person(i, ["high", "medium", "low", None][i % 4]) for i in range(200)]
    nodes += [Node(f"group:{i}", f"Group {i}", "group", None, None) for i in range(5)]
    steps = {1: "confirmed", 7: "reported", 31: "suspected"}
    edges = [Edge(f"yp:{i}", f"yp:{(i + step) % 200}", "Associate", reliability)
             for i in range(200) for step, reliability in steps.items()]
    assert len(edges) == 600
    started = time.perf_counter()
    svg = draw(nodes, edges, centre="yp:0", title="Big", hidden=4)
    seconds = time.perf_counter() - started
    print(f"\n{len(nodes)} nodes, {len(edges)} links drawn in {seconds:.3f} s, {len(svg) // 1024} KiB")
    root = parse(svg)
    keys = [g.get("data-key") for g in root.iter(f"{NS}g") if g.get("class") == "node"]
    assert len(keys) == len(set(keys)) == 205
    assert len(edge_lines(root)) == 600
    assert seconds < 2
