"""Hostile input to every form, as everyone who can reach it: never a server error, never half a write.

The forms are found, not listed: every app URL (tests/security/world.py fills them with a world's ids) is opened as
each of the cast below, and every <form> on a page that answers 200 (and every htmx control that posts by itself)
is a target, with the names of its fields, the options of its lists and the values of its hidden inputs.

Hypothesis (derandomized, so CI sees the same examples every run) then sends each target, as each person who could
open it, values from ``HOSTILE``: control characters and a null byte, lone surrogates and bytes that are not UTF-8,
20-digit and 5,000-digit numbers, impossible and far-off dates, huge text, deeply nested and malformed JSON, HTML
and script. Each example either puts one kind of hostile value in every field, or a single hostile value among
otherwise sensible answers (so the service behind a valid form runs with it). For each:

- no 5xx, and no exception;
- the rows of every table (audit and sessions aside) are unchanged unless the write succeeded as a whole (a
  redirect, or a page with no error on it);
- the page, and the pages that show the records (network pictures among them), carry no script or event handler
  that came from the input, and every SVG on them is well-formed XML.

Every example runs in a savepoint rolled back afterwards, so the world is the same for the next. The whole test is
bounded in time (``BUDGET_SECONDS``): past it, remaining targets get fewer examples, never none.
"""

import json
import re
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import world as world_module
from .test_outsider_matrix import row_counts

pytestmark = pytest.mark.django_db

ROLES = ("alice", "mandy", "colin", "pete", "oscar", "adam")  # owner, manager, chair, police, outsider, admin
# Pages whose GET builds a document (slow, and no form on them), or ends the session.
LOCKOUT_COUNTERS = {"axes.AccessAttempt", "axes.AccessFailureLog"}
SKIP_GET = {"assessment-pdf", "pack-download", "packs-status", "language-check"}
BUDGET_SECONDS = 150
EXAMPLES = 2

SCRIPT = "<script>hostile()</script>"
IMG = '"><img src=x onerror=hostile()>'
HOSTILE = {
    "nul": ["\x00", "name\x00with a null"],
    "control": ["\x01\x02\x1b[31m\x7f", "c1 \x85\x9f", "tab\tand\nline\rbreak"],
    "surrogate": ["\ud800", "lone \udfff surrogate"],
    "bad-utf8": ["\udcff\udcfe bytes"],  # sent as the bytes ED B3 BF ...: not UTF-8
    "number": ["9" * 20, "-" + "9" * 20, "9" * 5000, "1e309", "NaN", "Infinity", "0x10"],
    "date": ["99999999999999999999/1/1", "9999-12-31", "0001-01-01", "31/12/9999", "32/13/2026"],
    "huge": ["A" * 60_000, "é" * 30_000],
    "json": ["[" * 50_000, '{"sections": [{"key": "a\\u0000", "title": "\\ud800", "questions": []}]}',
             "1" * 5000, '{"sections": 1e999}', "{" * 30 + "}" * 30, '{"a": NaN}'],
    "html": [SCRIPT, IMG, "</textarea><svg onload=hostile()>", "javascript:hostile()"],
}
DATE_PARTS = ["99999999999999999999", "9" * 5000, "-1", "0", "99999", "\x00", "1e5"]
# The sweep: one value of each kind, in every field at once.
SWEEP = ["name\x00with a null", "\x01\x02\x1b[31m\x7f", "tab\tand\nline\rbreak", "lone \udfff surrogate",
         "\udcff\udcfe bytes", "9" * 20, "9" * 5000, "1e309", "99999999999999999999/1/1", "9999-12-31", "A" * 60_000,
         "[" * 50_000, SCRIPT, IMG]
YEARS = ["99999999999999999999", "9" * 5000, "0", "-1"]
ALL = [value for values in HOSTILE.values() for value in values]
ERROR_MARKS = ("govuk-error-summary", "govuk-error-message", "Not saved")


# --- Finding the forms -------------------------------------------------------------------------------------------

class Target:
    """One form (or htmx control) to post to: where, how, and a sensible value for each field."""

    def __init__(self, page: str, action: str, method: str):
        self.page, self.action, self.method = page, action, method
        self.fields: dict[str, str] = {}  # name -> a sensible value
        self.hidden: set[str] = set()
        self.htmx = False

    @property
    def key(self):
        return self.method, re.sub(r"\d+", "N", urlsplit(self.action).path), tuple(sorted(self.fields))


class Forms(HTMLParser):
    """The forms on a page, their fields and options; controls that post by themselves (hx-post)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.targets, self.form, self.select, self.textarea = page, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "option":
            if self.form is not None and self.select and a.get("value") and not self.form.fields.get(self.select):
                self.form.fields[self.select] = a["value"]
            return
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("hx-post") or a.get("action") or self.page
            self.form = Target(self.page, urljoin(self.page, action), "post" if a.get("hx-post") else method)
            self.form.htmx = bool(a.get("hx-post"))
            self.targets.append(self.form)
        elif "hx-post" in a and tag != "form":
            control = Target(self.page, urljoin(self.page, a["hx-post"]), "post")
            control.htmx = True
            try:
                control.fields.update({k: str(v) for k, v in json.loads(a.get("hx-vals") or "{}").items()})
            except ValueError:
                pass
            if a.get("name"):
                control.fields[a["name"]] = a.get("value") or "x"
            self.targets.append(control)
        if self.form is None or "name" not in a:
            return
        name, kind = a["name"], (a.get("type") or "text").lower()
        if tag == "input" and kind in ("radio", "checkbox"):
            self.form.fields.setdefault(name, a.get("value", "on"))
        elif tag == "input" and kind not in ("submit", "button"):
            if kind == "hidden":
                self.form.hidden.add(name)
            self.form.fields[name] = a.get("value") or _sensible(name)
        elif tag == "select":
            self.select = name
            self.form.fields[name] = ""
        elif tag == "textarea":
            self.textarea = name
            self.form.fields[name] = _sensible(name)

    def handle_data(self, data):
        if self.form is not None and self.textarea and data.strip():
            self.form.fields[self.textarea] = data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)



def _sensible(name: str) -> str:
    if name.endswith("_0"):
        return "14"
    if name.endswith("_1"):
        return "3"
    if name.endswith("_2"):
        return "2027"
    if "time" in name:
        return "10:30"
    if "link" in name:
        return "https://meet.example.org/x"
    if "definition" in name:
        return "{}"
    return "Sensible words"


def forms_on(page: str, body: str) -> list[Target]:
    parser = Forms(page)
    parser.feed(body)
    return [t for t in parser.targets if t.fields and "/sign-out" not in t.action and "/sign-in" not in t.action]


# --- Sending hostile values --------------------------------------------------------------------------------------

def encode(fields: dict) -> bytes:
    """application/x-www-form-urlencoded, lone surrogates sent as the (invalid) bytes they would be."""
    return urlencode(fields, encoding="utf-8", errors="surrogatepass").encode("ascii")


def send(client: Client, target: Target, fields: dict):
    if target.method == "get":
        return client.get(urlsplit(target.action).path + "?" + encode(fields).decode("ascii"))
    return client.post(urlsplit(target.action).path, encode(fields), content_type="application/x-www-form-urlencoded",
                       headers={"HX-Request": "true"} if target.htmx else {})


def _values_for(name: str, category: str) -> list[str]:
    if re.search(r"_[012]$", name) and category in ("number", "date"):
        return DATE_PARTS
    return HOSTILE[category]


@st.composite
def hostile_fields(draw, target: Target):
    """One kind of hostile value in every field, or one hostile value among sensible answers."""
    names = sorted(target.fields)
    fields = dict(target.fields)
    if draw(st.booleans()):
        category = draw(st.sampled_from(sorted(HOSTILE)))
        for name in names:
            if name in ("csrfmiddlewaretoken",):
                continue
            fields[name] = draw(st.sampled_from(_values_for(name, category)))
    else:
        name = draw(st.sampled_from(names))
        fields[name] = draw(st.sampled_from([*ALL, *DATE_PARTS, *json_variants(fields[name])]))
    return fields


class Seen(HTMLParser):
    """Script and event handlers on a page: any that the input put there is an injection."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> from the input")
            if name in ("href", "src", "xlink:href") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self.in_script = not dict(attrs).get("src")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "hostile()" in data:
            self.problems.append("an inline script from the input")


def page_problems(body: str) -> list[str]:
    seen = Seen()
    seen.feed(body)
    problems = list(seen.problems)
    for svg in re.findall(r"<svg\b.*?</svg>", body, flags=re.DOTALL):
        try:
            ET.fromstring(svg)
        except ET.ParseError as exc:
            problems.append(f"an SVG that is not well-formed XML: {exc}")
    return problems


def _body(response) -> str:
    raw = b"".join(response) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def _succeeded(response, body: str) -> bool:
    if response.status_code in (301, 302, 303) or response.headers.get("HX-Redirect"):
        return True
    return response.status_code < 400 and not any(mark in body for mark in ERROR_MARKS)


def check(client, target: Target, role: str, fields: dict, show: list[str], failures: list, counters: dict):
    """Send ``fields`` in a savepoint rolled back afterwards; record what went wrong."""
    counters["probes"] += 1
    hostile = sorted(k for k in fields if fields[k] != target.fields.get(k))
    where = f"{role} {target.method.upper()} {target.action} {hostile}"
    with transaction.atomic():
        before = row_counts()
        try:
            response = send(client, target, fields)
        except Exception as exc:  # noqa: BLE001 - every exception is the finding
            failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            transaction.set_rollback(True)
            return
        body = _body(response)
        changed = {k: (before[k], v) for k, v in row_counts().items() if before.get(k) != v}
        # A wrong password anywhere (the step-up's reauthentication too) counts towards the lockout: Axes' row.
        changed = {k: v for k, v in changed.items() if k not in LOCKOUT_COUNTERS}
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
        elif changed and not _succeeded(response, body):
            failures.append(f"{where}: refused ({response.status_code}) but wrote {changed}")
        failures.extend(f"{where}: {p}" for p in page_problems(body))
        if changed:
            counters["writes"] += 1
            for path in show:
                shown = client.get(path)
                if shown.status_code == 200:
                    failures.extend(f"{where}, then {path}: {p}" for p in page_problems(_body(shown)))
        transaction.set_rollback(True)


def json_variants(text: str) -> list[str]:
    """A JSON value that is otherwise valid (the framework editor's current definition) with something hostile in it."""
    if '"label": "' not in text:
        return []
    return [text.replace('"label": "', '"label": "\\u0000', 1), text.replace('"label": "', '"label": "\\ud800', 1),
            text.replace('"label": "', '"label": "' + SCRIPT.replace('"', '\\"'), 1),
            text.replace('"hint": "', '"hint": "' + IMG.replace('"', '\\"'), 1),
            text.replace('"required": ', '"deep": ' + "[" * 5000 + "]" * 5000 + ', "required": ', 1),
            text.replace('"required": ', '"big": ' + "9" * 5000 + ', "required": ', 1),
            text.replace('"required": ', '"inf": 1e999, "required": ', 1)]


def sweep(target: Target) -> list[dict]:
    """Every field holding each kind of hostile value in turn (each field is cleaned on its own, so one request
    checks them all); years that overflow in every date; hostile values inside otherwise valid JSON."""
    requests = []
    for value in SWEEP:
        fields = {name: (DATE_PARTS[0] if re.search(r"_[012]$", name) and value.isdigit() else value)
                  for name in target.fields}
        requests.append(fields)
    years = [name for name in target.fields if name.endswith("_2")]
    for year in YEARS if years else []:
        requests.append({**target.fields, **dict.fromkeys(years, year)})
    for name, sensible in target.fields.items():
        requests += [{**target.fields, name: variant} for variant in json_variants(sensible)]
    return requests


def run_probe(client, target: Target, role: str, examples: int, show: list[str], failures: list, counters: dict):
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fields=hostile_fields(target))
    def probe(fields):
        check(client, target, role, fields, show, failures, counters)

    probe()


# --- The test -----------------------------------------------------------------------------------------------------

def test_no_hostile_value_breaks_any_form(cast, agencies):
    world, _ = world_module.build(cast, agencies)
    world.update(world_module.documents(cast, world))
    found, problems = world_module.urls(world)
    assert not problems, problems
    show = [u.path for u in found if u.name in ("person-network", "group-network", "place")]
    started = time.monotonic()
    clients, targets = {}, {}
    for role in ROLES:
        client = clients[role] = Client(raise_request_exception=True)
        client.force_login(cast[role])
        for url in found:
            if url.name in SKIP_GET:
                continue
            response = client.get(url.path)
            if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
                continue
            for target in forms_on(url.path, _body(response)):
                targets.setdefault(target.key, (target, []))[1].append(role)
    assert len(targets) >= 40, f"only {len(targets)} forms found"

    failures, counters = [], {"probes": 0, "writes": 0}
    ordered = sorted(targets.values(), key=lambda pair: pair[0].key)
    remaining = sum(len(roles) for _, roles in ordered)
    for target, roles in ordered:  # every kind of hostile value in every field, as the first person who can reach it
        for fields in sweep(target):
            check(clients[roles[0]], target, roles[0], fields, show, failures, counters)
    swept = time.monotonic() - started
    for target, roles in ordered:  # then generated mixes, as everyone who can reach it
        for role in roles:
            left = BUDGET_SECONDS - (time.monotonic() - started)
            examples = EXAMPLES if left > remaining * 0.6 else 1
            remaining -= 1
            run_probe(clients[role], target, role, examples, show, failures, counters)
    elapsed = time.monotonic() - started
    print(f"{len(targets)} forms, {counters['probes']} hostile requests, {counters['writes']} complete writes; "
          f"found and swept in {swept:.0f} s, {elapsed:.0f} s in all")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:80])
