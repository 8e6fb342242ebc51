"""Planted records: what a partner reads does not change when the lead authority adds records it does not share.

A world is shared with the police (a case and a friend's case, a place and a peer group at view; a meeting whose
panel includes the police and the school). As pete (police) and sam (school) every page, htmx fragment, count,
network picture, map, search, agenda and PDF they can reach (found from the URLconf, tests/security/world.py) is
read. Then lead-authority records shared with no one are planted, linked to the shared ones (another case of the
same young person, an association and a membership of an unshared young person, place links to an unshared place,
an unshared peer group, agenda items about unshared records, an entry restricted to named people, an intervention
the police own on an unshared plan) and every page is read again: it must be the same, apart from the designed
"N links not shared with your agency" notices and the pack's one line listing the items not shared. No planted name,
reference or address of a planted record may appear anywhere, including on pages the planting newly opens to them.
"""

import json
import re
from difflib import SequenceMatcher
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from panels import packs as pack_builder
from panels import services as panel_services
from panels.models import PackStatus
from safeguarding import access, routers
from tests.conftest import LAWFUL

from . import world as world_module

pytestmark = pytest.mark.django_db

SEARCHES = ["/young-people/?q=Zephyrine", "/young-people/?q=Quillfeather", "/places/?q=Cobblewick",
            "/peer-groups/?q=Cobblewick", "/places/map/?q=Cobblewick", "/cases/?status=open"]

# What may differ once records are planted: the designed notices that something is not shared, never what.
DESIGNED = [re.compile(p) for p in (
    r"^(\d+|N) (further )?links? not shared with your agency\.?$",
    r"^(\d+|N) links? not shared with your agency$",
    r"^\d+ people, \d+ groups, \d+ places, \d+ links\. \d+ links? not shared with your agency\.$",
    r"^Item \d+: not shared with your agency$",
    r"^Item \d+$",
    r"^href:#item-\d+$",
    r"^This item is about a record that has not been shared with (your agency|Northfield \w+)\.( Nothing about it is "
    r"in this pack\.)?$",
    r"^Not shared with your agency\.$",
    r"^\d+\.$",  # the number of an item in a pack's contents
)]
_TIME = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?(am|pm)?\b|\b\d{1,2}(\.\d{2})?(am|pm)\b")
_ADDRESS = re.compile(r"/[a-z-]+/(?:[a-z-]+/)*\d+/[a-z0-9/-]*")


@pytest.fixture
def built_here(settings, tmp_path, monkeypatch):
    """Packs built in this process, from this test's (uncommitted) data, stored under a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(routers, "replica_configured", lambda: False)


def _build_packs(colin, meeting):
    for pack in panel_services.packs_request(actor=colin, meeting=meeting):
        pack_builder.build(pack.pk)
    return meeting.packs.filter(status=PackStatus.READY)


def _pdf_text(content: bytes) -> list[str]:
    lines = []
    for page in PdfReader(BytesIO(content)).pages:
        lines += [" ".join(line.split()) for line in page.extract_text().splitlines()]
    return [line for line in lines if line]


def _tokens(body: bytes, kind: str) -> list[str]:
    """What a response says, as a list of comparable tokens: text, and the addresses it links to."""
    if body.startswith(b"%PDF"):
        return _pdf_words(_pdf_text(body))
    elif "json" in kind:
        tokens = json.dumps(json.loads(body), sort_keys=True, indent=0).splitlines()
    else:
        tokens = []
        for part in re.split(r"(<[^>]*>)", body.decode()):
            if part.startswith("<"):
                tokens += [f"{attr}:{value}" for attr, value in
                           re.findall(r'\s(href|src|action|hx-get|hx-post)="([^"]*)"', part)]
            elif part.strip():
                tokens += [" ".join(line.split()) for line in part.splitlines() if line.strip()]
    return [_normalise(token) for token in tokens]


def _pdf_words(lines: list[str]) -> list[str]:
    """A PDF's words without its page furniture (running header, "Page n of m"), its contents' page numbers and
    the stubs of items not shared, which may move the pages on."""
    kept = [line for line in lines if not re.search(r"Page \d+ of \d+$", line) and line != "OFFICIAL-SENSITIVE"]
    text = _normalise(" ".join(kept))
    for designed in (r"Item \d+: not shared with your agency( \.+ \d+)?",
                     r"Item \d+ This item is about a record that has not been shared with [\w ]+?\. Nothing about "
                     r"it is in this pack\.",
                     r"\d+ items? (is|are) about (a record|records) not shared with [\w ]+?: items? \d+(, \d+)*"
                     r"( and \d+)?\. Ask the chair if your agency needs to know about (it|them)\. Nothing else about "
                     r"(it|them) is in this pack\.",
                     r"N links not shared with your agency\.?", r" \.{3,} \d+", r"agenda version \d+"):
        text = re.sub(designed, " ", text)
    return text.split()


def _normalise(token: str) -> str:
    token = _TIME.sub("TIME", token)
    token = re.sub(r"/packs/\d+/", "/packs/N/", token)  # a pack built again for the new agenda
    token = re.sub(r"\(\d+ pages?, [\d.]+ [KM]?B\)", "(SIZE)", token)  # a pack with more stubs is longer
    token = re.sub(r"(\d+ links\.) \d+ links? not shared with your agency\.$", r"\1", token)  # network summary
    return re.sub(r"\b(\d+) (further )?(links?) not shared", "N links not shared", token)


def _designed(token: str) -> bool:
    return any(p.match(token) for p in DESIGNED)


def _differences(before: list[str], after: list[str], own=lambda token: False) -> list[str]:
    out = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        changed = before[a1:a2] + after[b1:b2]
        if all(_designed(token) or own(token) for token in changed):
            continue
        out.append(f"{op}: {before[a1:a2][:6]} -> {after[b1:b2][:6]}")
    return out


def _read(client, urls, *, only=None):
    """(key → tokens, key → raw text) of every URL answering 200, read as a page and as an htmx fragment."""
    tokens, raw = {}, {}
    for n, url in enumerate(urls):
        for htmx in (False, True):
            key = (n, url if isinstance(url, str) else url.name, htmx)
            if only is not None and key not in only:
                continue
            path = url if isinstance(url, str) else url.path
            response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
            if response.status_code != 200:
                continue
            body = b"".join(response) if response.streaming else response.content
            tokens[key] = _tokens(body, response.get("Content-Type", ""))
            raw[key] = (path, _pdf_text(body) if body.startswith(b"%PDF") else body.decode(errors="replace"))
    return tokens, raw


def _forbidden_addresses(planted: dict) -> set[str]:
    """Every address naming a planted record (what a page would link to)."""
    stand_ins = {"person": planted.get("stranger"), "case": planted.get("hidden_case"),
                 "place": planted.get("hidden_place") or planted.get("tagged_place"),
                 "group": planted.get("hidden_group"), "goal": planted.get("hidden_goal")}
    addresses = set()
    for route, pattern in world_module.app_patterns():
        if pattern.name in world_module.SKIP or world_module.is_api(route):  # pages never link to the API
            continue
        made, _ = world_module.fill(route, pattern, {k: v for k, v in stand_ins.items() if v is not None})
        addresses |= {url.path for url in made if url.secret}
    return addresses


def _own_commitment(planted: dict):
    """The police's own intervention on the unshared plan may newly be listed among their agency's work (the
    dashboard): what it says, when it is due and its own page; never the plan's place."""
    intervention = planted.get("police_intervention")
    if intervention is None:
        return lambda token: False
    allowed = {_normalise(f"href:{reverse('intervention-update', args=[intervention.pk])}"),
               _normalise(intervention.what)}
    # The dashboard's section of the agency's actions says when each is due, and how many there are in all.
    due = re.compile(r"^(Overdue|Overdue by \d+ days?|[A-Z][a-z ]* (today|in \d+ days?))$")
    count = re.compile(r"^View all \d+ of your agency(&#x27;|')s actions$")
    return lambda token: (token in allowed or token.startswith("Safety plan intervention") or bool(due.match(token))
                          or bool(count.match(token)))


def _check(client, cast, agencies, planter, *, police_contribute=False):
    world, _ = world_module.build(cast, agencies)
    world.update(world_module.documents(cast, world))
    if police_contribute:  # the police may then add to the case's chronology, and say where an entry happened
        for record in (world["case"], world["place"]):
            access.share(actor=cast["alice"], obj=record, agency=agencies["police"], level=access.CONTRIBUTE,
                basis=LAWFUL)
    _build_packs(cast["colin"], world["meeting"])
    world["pack"] = world["meeting"].packs.get(agency=agencies["police"], status=PackStatus.READY)
    found, problems = world_module.urls(world)
    assert not problems, "\n".join(problems)
    readers = {name: cast[name] for name in ("pete", "sam")}
    before = {}
    for name, user in readers.items():
        client.force_login(user)
        _read(client, [*found, *SEARCHES])  # once first, so the second reading is what a returning reader sees
        before[name], _ = _read(client, [*found, *SEARCHES])
    assert len(before["pete"]) >= 40, sorted(before["pete"])

    planted, secrets = planter(cast, agencies, world)
    _build_packs(cast["colin"], world["meeting"])
    world["pack"] = world["meeting"].packs.get(agency=agencies["police"], status=PackStatus.READY)
    found_after, _ = world_module.urls(world)
    assert [u.name for u in found_after] == [u.name for u in found]
    forbidden = _forbidden_addresses(planted)
    opened = [u for u in world_module.urls({"intervention": planted.get("police_intervention")})[0]
              if planted.get("police_intervention") and u.names == ["intervention"]]
    failures = []
    for name, user in readers.items():
        client.force_login(user)
        after, raw = _read(client, [*found_after, *SEARCHES])
        for key in before[name]:
            if key not in after:
                failures.append(f"{name}: {key[1]} no longer answers 200")
                continue
            failures += [f"{name}: {raw[key][0]}{' (htmx)' if key[2] else ''}: {d}"
                         for d in _differences(before[name][key], after[key], _own_commitment(planted))]
        failures += [f"{name}: {key[1]} now answers 200" for key in after if key not in before[name]]
        _, newly = _read(client, opened)  # pages the planting opened (the police's own intervention)
        for path, text in [*raw.values(), *newly.values()]:
            text = "\n".join(text) if isinstance(text, list) else text
            failures += [f"{name}: {path} names {secret!r}" for secret in secrets if secret in text]
            failures += [f"{name}: {path} links to {address}" for address in
                         set(_ADDRESS.findall(text)) & forbidden]
    assert not failures, "\n".join(failures)


def test_partners_read_the_same_pages_whatever_the_lead_authority_does_not_share(client, cast, agencies, built_here):
    _check(client, cast, agencies, world_module.plant)


def test_a_place_tag_on_a_shared_entry_never_names_an_unshared_place(client, cast, agencies, built_here):
    """The police contribute to the case, so they see "Where it happened" with its form. The lead authority's tag at
    a place not shared with them leaves that page as it was: the form is still there, and names no place."""
    _check(client, cast, agencies, lambda cast, agencies, world: world_module.plant_place_tag(cast, world),
           police_contribute=True)
