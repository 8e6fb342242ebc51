"""A partner system's first calls: read the cases shared with us, add to a chronology, report on our actions."""

import json
import os
import uuid
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

BASE = os.environ.get("EFH_API_URL", "http://127.0.0.1:8000").rstrip("/")
CREDENTIAL = os.environ["EFH_API_CREDENTIAL"]


def call(method, path, body=None, **headers):
    """One call: (status, headers, JSON body). Errors come back as problem+json, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    request = Request(BASE + path, data=data, method=method, headers={  # noqa: S310 (the service's own address)
        "Authorization": f"Bearer {CREDENTIAL}", "Accept": "application/json",
        **({"Content-Type": "application/json"} if data else {}), **headers})
    try:
        with urlopen(request) as response:  # noqa: S310 (the service's own address)
            return response.status, response.headers, json.load(response)
    except HTTPError as error:
        return error.code, error.headers, json.load(error)


# 1. The cases shared with our agency, newest first, following the cursor for two pages.
status, _, page = call("GET", "/api/v1/cases/?status=open&page_size=5")
cases = page["results"]
if page["next"]:
    following = urlsplit(page["next"])
    cases += call("GET", f"{following.path}?{following.query}")[2]["results"]
print(f"{len(cases)} open cases shared with us, for example:")
for case in cases[:3]:
    print(f"  {case['reference']}  {case['risk_level']:<6} opened {case['opened_on']}  {case['url']}")

# 2. One case, with its version (ETag), and its chronology.
if cases:
    status, headers, case = call("GET", cases[0]["url"])
    print(f"\n{case['reference']} is at version {headers['ETag']}")
    entries = call("GET", f"/api/v1/chronology-entries/?case={case['id']}")[2]["results"]
    print(f"{len(entries)} chronology entries we can see on it")

    # 3. Add what our system knows, once: the retry with the same Idempotency-Key creates nothing more.
    entry = {"case": case["id"], "kind": "incident", "occurred_at": "2026-10-14T16:30:00+01:00",
             "text": "Stop and account near the station: seen with two older males, no search."}
    key = str(uuid.uuid4())
    status, headers, created = call("POST", "/api/v1/chronology-entries/", entry, **{"Idempotency-Key": key})
    if status == 201:
        again = call("POST", "/api/v1/chronology-entries/", entry, **{"Idempotency-Key": key})
        print(f"\nAdded {created['url']}; the retry answered {again[0]} with the same entry: "
              f"{again[2]['id'] == created['id']}")
    else:  # 403: shared with us to view only
        print(f"\nNot added ({status}): {created['detail']}")

# 4. Our agency's outstanding actions, and progress on the first, with the version we read.
actions = call("GET", "/api/v1/actions/?mine=true&status=open")[2]["results"]
print(f"\n{len(actions)} actions of ours not started")
if actions:
    status, headers, action = call("GET", actions[0]["url"])
    update = {"text": "Booked a return home interview for Tuesday.", "status": "in_progress"}
    status, headers, action = call("POST", action["url"] + "progress/", update, **{"If-Match": headers["ETag"]})
    print(f"Reported on {action['url']}: {status}, now {action['status']} (version {headers['ETag']})")
    stale = call("POST", action["url"] + "progress/", update, **{"If-Match": '"1"'})
    print(f"The same report with the version we first read: {stale[0]} ({stale[2]['title']})")
