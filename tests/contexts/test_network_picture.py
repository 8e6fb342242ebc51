"""The SVG network picture itself: well-formed, deterministic, escaped, readable without colour."""

import time
import xml.etree.ElementTree as ET

from contexts.network import Edge, Node, draw

SVG = "{http://www.w3.org/2000/svg}"


def person(i, risk=None, url=True):
    return Node(key=f"yp:{i}", label=f"Person {i}", kind="person", risk=risk,
                url=f"/young-people/{i}/" if url else None)


def small():
    nodes = [person(1, "high"), person(2, "low", url=False), Node("group:1", "Group A", "group", None, "/pg/1/"),
             Node("place:1", "Park", "place", None, "/places/1/")]
    edges = [Edge("yp:1", "yp:2", "Friend", "confirmed"), Edge("yp:1", "group:1", "Core member", "reported"),
             Edge("group:1", "place:1", "Reported gathering", "suspected")]
    return nodes, edges


def test_it_is_well_formed_and_the_same_every_time():
    nodes, edges = small()
    svg = draw(nodes, edges, centre="yp:1", title="Around Person 1")
    assert svg == draw(list(reversed(nodes)), list(reversed(edges)), centre="yp:1", title="Around Person 1")
    root = ET.fromstring(svg)
    assert root.get("role") == "group" and root.find(f"{SVG}title").text == "Around Person 1"
    assert root.find(f"{SVG}desc").text == "2 people, 1 groups, 1 places, 3 links."


def test_line_style_follows_reliability_and_each_link_has_words():
    root = ET.fromstring(draw(*small(), title="t"))
    lines = {g.find(f"{SVG}title").text: g.find(f"{SVG}line").get("stroke-dasharray")
             for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}
    assert lines == {"Person 1 – Person 2: Friend (confirmed)": None,
                     "Person 1 – Group A: Core member (reported)": "8 4",
                     "Group A – Park: Reported gathering (suspected)": "3 4"}


def test_nodes_link_to_their_records_and_the_centre_stands_out():
    root = ET.fromstring(draw(*small(), centre="yp:1", title="t"))
    nodes = {g.get("data-key"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert set(nodes) == {"yp:1", "yp:2", "group:1", "place:1"}
    assert nodes["yp:1"].find(f"{SVG}a").get("href") == "/young-people/1/"
    assert nodes["yp:2"].find(f"{SVG}a") is None
    centre = nodes["yp:1"].find(f".//{SVG}circle")
    assert centre.get("stroke-width") == "4" and centre.get("fill") == "#d4351c"
    assert "high risk" in nodes["yp:1"].find(f".//{SVG}title").text  # not colour alone


def test_hostile_labels_are_escaped():
    evil = Node("yp:9", '<script>alert("x")</script>', "person", None, '/x/"onload="alert(1)')
    svg = draw([evil], [], title="<b>t</b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and '"onload=' not in svg
    ET.fromstring(svg)


def test_hidden_links_are_counted_in_words():
    assert "1 link not shared with your agency" in draw(*small(), title="t", hidden=1)
    svg = draw(*small(), title="t", hidden=3)
    assert "3 links not shared with your agency" in svg
    assert "3 links not shared with your agency." in ET.fromstring(svg).find(f"{SVG}desc").text


def test_an_empty_network_still_draws():
    root = ET.fromstring(draw([], [], title="Nobody"))
    assert "No links to show" in ET.tostring(root, encoding="unicode")


def test_two_hundred_people_and_six_hundred_links_draw_quickly():
    nodes = [person(i, ["high", "medium", "low", None][i % 4]) for i in range(200)]
    edges = [Edge(f"yp:{i}", f"yp:{(i * 7 + k) % 200}", "Associate", "reported")
             for i in range(200) for k in (1, 2, 3) if (i * 7 + k) % 200 != i]
    started = time.perf_counter()
    svg = draw(nodes, edges, centre="yp:0", title="Big")
    seconds = time.perf_counter() - started
    root = ET.fromstring(svg)
    keys = [g.get("data-key") for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(keys) == len(set(keys)) == 200
    print(f"200 nodes, {len(edges)} edges drawn in {seconds:.2f} s")
    assert seconds < 10  # a guard against pathological slowness, not a benchmark
