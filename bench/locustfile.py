"""Locust file for ``bench.load``: one page, requested without pause by every simulated user, each request timed.

``bench.load`` runs it headless, once per page, with the page and the sessions in the environment:

    BENCH_PATH      the path to request, e.g. /cases/
    BENCH_NAME      the name to report it under
    BENCH_SESSIONS  session ids (the ``sessionid`` cookie) separated by spaces; user n takes the n-th, round robin;
                    or, for the partner API, "Bearer:<credential>" (sent as the Authorization header)
    BENCH_OUT       a JSON file written when the run ends: every request's time, and why any failed

Only a 200 is a success: redirects are not followed (a lost session would otherwise come back as a 200 sign-in
page), and any other status, or no response at all, is a failure. Times are locust's own (milliseconds, from
sending the request to reading the whole response), kept exactly rather than in locust's rounded buckets.
"""

import itertools
import json
import os
import time

from locust import FastHttpUser, constant, events, task

PATH = os.environ.get("BENCH_PATH", "/healthz")
NAME = os.environ.get("BENCH_NAME", PATH)
SESSIONS = os.environ.get("BENCH_SESSIONS", "").split()
OUT = os.environ.get("BENCH_OUT", "")

_users = itertools.count()
_times: list[float] = []
_failures: dict[str, int] = {}
_span = {"first": None, "last": None}


class PageUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        n = next(_users)
        session = SESSIONS[n % len(SESSIONS)] if SESSIONS else ""
        if session.startswith("Bearer:"):
            self.cookie = {"Authorization": "Bearer " + session.removeprefix("Bearer:")}
        else:
            self.cookie = {"Cookie": f"sessionid={session}"} if session else {}

    @task
    def page(self):
        with self.client.get(PATH, name=NAME, headers=self.cookie, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


@events.request.add_listener
def _record(response_time, exception, **kwargs):
    now = time.time()
    if _span["first"] is None:
        _span["first"] = now - response_time / 1000
    _span["last"] = now
    _times.append(response_time)
    if exception is not None:
        reason = str(exception) or type(exception).__name__
        _failures[reason] = _failures.get(reason, 0) + 1


@events.quitting.add_listener
def _write(**kwargs):
    if not OUT:
        return
    with open(OUT, "w") as out:
        json.dump({"name": NAME, "path": PATH, "times_ms": _times, "failures": _failures,
                   "span_s": (_span["last"] - _span["first"]) if _times else 0.0}, out)
