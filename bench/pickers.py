"""A picker's search at scale (safeguarding/pickers.py, cases/finders.py): how fast the young person type-ahead answers.

Run by ``bench.run`` (``--skip`` the rest to run it alone). For a lead-authority social worker (``bench.sw``) and a
police user who sees a small share (``bench.police``), four searches for a young person each can see: part of a
surname, a misspelt name, a date of birth and a case reference. Each is timed three ways, p50 / p95 over
``bench.run.REPEAT`` runs:

- **finder**: ``pickers.get("young-person").find(user, text)``, what the form's Search button and the endpoint run;
- **endpoint**: ``GET /find/young-person/?q=...`` through Django's test client, signed in: session, door, search,
  audit row, JSON (no network, no server);
- **floor**: the same search as hand-written SQL (same conditions, order, limit and case reference), psycopg alone.
"""

import os
import re

from django.db import connection

# The same search as cases/finders.py builds, by hand: visible to the reader (their agency recorded the person, or
# it holds a grant on one of their cases), matching, best first, one more than the picker lists.
_FLOOR = """
SELECT y.id, y.first_name, y.last_name, y.known_as, y.date_of_birth,
       (SELECT c.reference FROM cases_case c WHERE c.young_person_id = y.id AND EXISTS (
            SELECT 1 FROM cases_casegroupobjectpermission g WHERE g.content_object_id = c.id AND g.group_id = %(group)s
            AND g.permission_id = %(view)s) ORDER BY c.opened_on DESC, c.id DESC LIMIT 1) AS reference
FROM cases_youngperson y
WHERE (y.owning_agency_id = %(agency)s OR EXISTS (
        SELECT 1 FROM cases_casegroupobjectpermission g JOIN cases_case c ON c.id = g.content_object_id
        WHERE c.young_person_id = y.id AND g.group_id = %(group)s AND g.permission_id = %(view)s))
  AND {condition}
ORDER BY {order}
LIMIT 11
"""
_BY_NAME = "y.last_name, y.first_name, y.id"
_CONDITIONS = {
    "part of a surname": ("y.search_text ~ %(pattern)s",
                          "word_similarity(%(phrase)s, y.search_text) DESC, " + _BY_NAME),
    "misspelt name": ("y.search_text %%> %(first)s AND y.search_text %%> %(last)s",
                      "word_similarity(%(phrase)s, y.search_text) DESC, " + _BY_NAME),
    "date of birth": ("y.date_of_birth = %(born)s", _BY_NAME),
    "case reference": ("EXISTS (SELECT 1 FROM cases_case c WHERE c.young_person_id = y.id AND c.reference = %(ref)s "
                       "AND EXISTS (SELECT 1 FROM cases_casegroupobjectpermission g WHERE g.content_object_id = c.id "
                       "AND g.group_id = %(group)s AND g.permission_id = %(view)s))", "y.id"),
}


def misspell(word: str) -> str:
    """One letter wrong, as people type: the last vowel changed (hawkins -> hawkens), or a letter doubled."""
    vowels = [i for i, ch in enumerate(word) if ch in "aeiou" and 0 < i < len(word) - 1]
    if vowels:
        i = vowels[-1]
        return word[:i] + ("e" if word[i] != "e" else "a") + word[i + 1:]
    return word[:2] + word[2] + word[2:]


def _target(user):
    """A young person ``user`` may see with a case they may see, with a name long enough to misspell."""
    from cases.models import Case
    from safeguarding import access

    cases = access.visible(user, Case.objects.select_related("young_person")).order_by("pk")
    for case in cases[:200]:
        person = case.young_person
        if len(person.first_name) >= 5 and len(person.last_name) >= 5:
            return person, case
    raise RuntimeError(f"{user} sees no young person to search for")


def searches(user) -> dict[str, tuple[str, dict]]:
    """What is typed for each search, and the floor's parameters."""
    person, case = _target(user)
    first, last = person.first_name.lower(), person.last_name.lower()
    fragment = last[:4]
    typo = f"{misspell(first)} {misspell(last)}"
    return {
        "part of a surname": (fragment, {"pattern": rf"(^| ){re.escape(fragment)}", "phrase": fragment}),
        "misspelt name": (typo, {"first": misspell(first), "last": misspell(last), "phrase": typo}),
        "date of birth": (f"{person.date_of_birth:%d/%m/%Y}", {"born": person.date_of_birth}),
        "case reference": (case.reference, {"ref": case.reference}),
    }, person


def picker_figures(timed) -> dict:
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django.test.utils import override_settings

    from safeguarding import pickers
    from safeguarding.models import User

    finder = pickers.get("young-person")
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases").pk
    out = {"load_before": [round(x, 1) for x in os.getloadavg()]}
    plain_http = override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
    for login in ("bench.sw", "bench.police"):
        user = User.objects.select_related("agency").get(username=login)
        client = Client(raise_request_exception=True)
        client.force_login(user)
        typed, person = searches(user)
        figures = {"agency": user.agency.name, "searches": {}}
        for name, (text, params) in typed.items():
            found = finder.find(user, text)
            # Part of a name may match more than are listed ("refine your search"); anything else finds them.
            assert person.pk in [m.pk for m in found.matches] or found.more, f"{login}: {name} {text!r} missed {person}"
            condition, order = _CONDITIONS[name]
            sql = _FLOOR.format(condition=condition, order=order)
            values = {"agency": user.agency_id, "group": user.agency.group_id, "view": view, **params}

            def floor(sql=sql, values=values):
                with connection.cursor() as cursor:
                    cursor.execute(sql, values)
                    return cursor.fetchall()

            assert [row[0] for row in floor()][:10] == [m.pk for m in found.matches], f"the floor's {name} differs"

            def endpoint(text=text, client=client):
                with plain_http:
                    response = client.get("/find/young-person/", {"q": text})
                assert response.status_code == 200, response.status_code
                return response

            figures["searches"][name] = {
                "typed": "(a case reference)" if name == "case reference" else (
                    "(a date of birth)" if name == "date of birth" else text),
                "results": len(found.matches), "finder": timed(lambda text=text, user=user: finder.find(user, text)),
                "endpoint": timed(endpoint), "floor": timed(floor)}
        out[login] = figures
    out["load_after"] = [round(x, 1) for x in os.getloadavg()]
    return out
