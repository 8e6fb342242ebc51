"""Behind a reverse proxy, sign-in lockouts and the audit log count the client's address, not the proxy's.

A tiny real reverse proxy on 127.0.0.1 stands in front of the live test server and does what nginx's
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`` does: it appends the address each client connected
from. The clients connect from different loopback addresses (127.0.0.2, .3, .4), so the server sees every request
come from the proxy and only the header tells them apart.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt

from safeguarding.models import AuditAction, AuditEvent

from ..conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class ProxyHandler(BaseHTTPRequestHandler):
    upstream: tuple[str, int]

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        sent = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{sent}, {self.client_address[0]}" if sent else self.client_address[0]
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            content = response.read()
        finally:
            upstream.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(live_server):
    parts = urlsplit(live_server.url)
    handler = type("Handler", (ProxyHandler,), {"upstream": (parts.hostname, parts.port)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


class Client:
    """A browser at its own loopback address, talking to the proxy."""

    def __init__(self, address: str, proxy_port: int, forged_forwarded_for: str = ""):
        self.address, self.port, self.forged = address, proxy_port, forged_forwarded_for
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.address, 0))
        headers = {"Host": "127.0.0.1"}
        if self.forged:
            headers["X-Forwarded-For"] = self.forged
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            page = response.read().decode()
        finally:
            conn.close()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, page

    def sign_in(self, username, password) -> int:
        status, page = self.request("GET", "/sign-in/")
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/sign-in/", {"csrfmiddlewaretoken": token, "login": username,
                                                        "password": password})
        return status


@pytest.fixture
def behind_one_proxy(settings):
    """What TRUSTED_PROXY_COUNT=1 sets (test_the_proxy_settings_come_from_the_environment proves it)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    settings.AXES_FAILURE_LIMIT = 3


@pytest.mark.django_db(transaction=True)
def test_lockouts_and_the_audit_log_count_each_client_behind_the_proxy(alice, behind_one_proxy, proxy):
    mallory = Client("127.0.0.2", proxy)
    forger = Client("127.0.0.4", proxy, forged_forwarded_for="127.0.0.3")  # claims to be alice's address
    alice_browser = Client("127.0.0.3", proxy)

    for attempt in (1, 2, 3):
        expected = 429 if attempt == 3 else 200  # the third failure locks that client out
        assert mallory.sign_in("alice", "wrong-password-guess") == expected
        assert forger.sign_in("alice", "wrong-password-guess") == expected
    assert mallory.sign_in("alice", PASSWORD) == 429  # locked out: from that client only
    assert forger.sign_in("alice", PASSWORD) == 429  # its forged header did not move the lockout onto alice

    assert alice_browser.sign_in("alice", PASSWORD) == 302  # behind the same proxy, not locked out
    status, page = alice_browser.request("GET", "/")
    assert status == 200 and "Sign out" in page

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2", "127.0.0.4"}
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"127.0.0.2", "127.0.0.4"}
    assert failed.count() >= 6
    signed_in = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert signed_in.ip_address == "127.0.0.3" and signed_in.actor == alice
    assert not AuditEvent.objects.filter(ip_address="127.0.0.1").exists()  # never the proxy's


def _settings_from_env(**env) -> dict:
    script = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
              "[s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT, s.IPWARE_STRICT]))")
    base = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXY_COUNT", "AXES_IP_HEADERS"}}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,  # noqa: S603
                            env={**base, "DJANGO_SETTINGS_MODULE": "safeguarding.settings", **env}, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_proxy_settings_come_from_the_environment():
    assert _settings_from_env() == [["REMOTE_ADDR"], None, False]  # no proxy: the header is never read
    assert _settings_from_env(TRUSTED_PROXY_COUNT="1") == [["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], 0, False]
    assert _settings_from_env(TRUSTED_PROXY_COUNT="2")[1] == 1
    assert _settings_from_env(TRUSTED_PROXY_COUNT="1", AXES_IP_HEADERS="HTTP_X_REAL_IP")[0] == ["HTTP_X_REAL_IP"]
