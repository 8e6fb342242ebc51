"""The production image, without Docker: exactly the files the Dockerfile copies, run as the image runs them.

The Dockerfile's last stage is read for its COPY lines and .dockerignore for what the build context leaves out; those
files are laid out in a temporary directory (the built static/dist standing in for the assets stage), and from that
tree alone, with production settings: the Dockerfile's own collectstatic step (hashed, compressed files), `check
--deploy`, and the Dockerfile's CMD (gunicorn) on a free 127.0.0.1 port against the test database, signed into as a
browser would behind the documented TLS proxy (X-Forwarded-Proto, X-Forwarded-For). It proves the image has every
file settings.INSTALLED_APPS and the pages need, serves only built assets, and logs JSON lines that carry the request
id. Bounded: every step has a time limit, the whole test a deadline.
"""

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from safeguarding.models import AuditAction, AuditEvent

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = "/app"  # the image's WORKDIR
DEADLINE_S = 150
# `check --deploy` runs with the settings the server below runs with: production's, behind a TLS proxy. No warning is
# expected: the test speaks plain HTTP to gunicorn but says it came through HTTPS (X-Forwarded-Proto), as the proxy
# does, so HTTPS redirects, HSTS and secure cookies all stay on.
EXPECTED_DEPLOY_WARNINGS: set[str] = set()
CLIENT = "203.0.113.7"  # the browser's address, as the proxy reports it (a documentation range)


# --- Reading the Dockerfile and .dockerignore ---------------------------------------------------------------------

def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    kept = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    text = re.sub(r"\\\n", " ", kept)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in text.splitlines()
            if line.strip()]


def final_stage(dockerfile: str) -> list[tuple[str, str]]:
    steps = instructions(dockerfile)
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from + 1:]


def ignored(patterns: list[str]):
    """A test for .dockerignore's rules on a path relative to the context: the last matching rule wins, '!' keeps;
    a rule that matches a folder covers everything in it."""
    rules = []
    for pattern in patterns:
        keep = pattern.startswith("!")
        body = pattern[1:] if keep else pattern
        body = body.strip("/")
        regex = ""
        i = 0
        while i < len(body):
            if body.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif body.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif body[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif body[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(body[i]), i + 1
        rules.append((re.compile(regex + "(?:/.*)?"), keep))

    def test(relative: str) -> bool:
        verdict = False
        for regex, keep in rules:
            if regex.fullmatch(relative):
                verdict = not keep
        return verdict

    return test


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def lay_out(tree: Path) -> list[str]:
    """Copy what the final stage's COPY lines copy into ``tree`` (standing for /app); returns the RUN commands."""
    is_ignored = ignored(dockerignore())
    runs = []
    for op, args in final_stage((ROOT / "Dockerfile").read_text()):
        if op == "RUN":
            runs.append(args)
        if op != "COPY":
            continue
        words = shlex.split(args)
        flags = {w.split("=", 1)[0]: w.split("=", 1)[-1] for w in words if w.startswith("--")}
        *sources, dest = [w for w in words if not w.startswith("--")]
        target = tree / dest.removeprefix(WORKDIR).lstrip("./") if dest not in ("./", ".") else tree
        for source in sources:
            if "--from" in flags:
                # Built in the assets stage (WORKDIR /app): the assets `npm run build` made here stand in for it.
                origin = ROOT / source.removeprefix(WORKDIR + "/")
                assert origin.exists(), f"{origin.relative_to(ROOT)} is missing: build the assets (npm run build)"
                context_checked = False
            else:
                origin = ROOT / source
                assert not is_ignored(source), f"COPY {source}: .dockerignore leaves it out of the context"
                context_checked = True
            destination = target / origin.name if dest.endswith("/") and origin.is_file() else target
            if origin.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination)
                continue
            for path in origin.rglob("*"):
                relative = path.relative_to(ROOT).as_posix()
                if path.is_dir() or (context_checked and is_ignored(relative)):
                    continue
                copied = destination / path.relative_to(origin)
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copied)
    return runs


def test_dockerignore_rules_read_as_docker_reads_them():
    rule = ignored(["**/__pycache__", "static/dist", "bench", "*.egg-info", "!keep/this"])
    assert rule("cases/__pycache__/x.pyc") and rule("__pycache__/y.pyc")
    assert rule("static/dist/app.css") and not rule("static/distant.css")
    assert rule("bench/run.py") and not rule("benches/x") and rule("efh.egg-info/PKG-INFO")
    assert not rule("cases/models.py")


# --- Running the tree --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def image_env(tree: Path, **production) -> dict:
    """Nothing of the test's own environment (pytest-env's test settings) but the tools: the venv first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": str(tree), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "HOME": str(tree)}
    return {**env, **production}


class Browser:
    """One browser's cookies, talking to the server as the TLS proxy would pass its requests on."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT,
                   "User-Agent": "image-layout-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://127.0.0.1:{self.port}"})
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response, content.decode("utf-8", "replace")


@pytest.mark.django_db(transaction=True)
def test_the_image_tree_collects_static_passes_the_deploy_check_and_serves_a_signed_in_page(tmp_path, alice):
    deadline = time.monotonic() + DEADLINE_S
    tree = tmp_path / "app"
    tree.mkdir()
    runs = lay_out(tree)

    # What the image holds: the apps INSTALLED_APPS names, and built assets only.
    assert (tree / "manage.py").is_file() and (tree / "static" / "dist" / "app.css").is_file()
    assert not (tree / "bench").exists(), "bench/ is for a checkout only (settings.py installs it when present)"
    assert not (tree / "static" / "build.mjs").exists() and not (tree / "static" / "src").exists()
    assert not list(tree.rglob("__pycache__")) and not (tree / "tests").exists()

    # The Dockerfile's own collectstatic step, run as written, with only what the build has in its environment.
    [collect] = [run for run in runs if "collectstatic" in run]
    step = subprocess.run(["/bin/sh", "-c", collect], cwd=tree, env=image_env(tree),  # noqa: S603 - our Dockerfile
                          capture_output=True, text=True, timeout=120, check=False)
    assert step.returncode == 0, step.stdout + step.stderr
    manifest = json.loads((tree / "staticfiles" / "staticfiles.json").read_text())["paths"]
    assert re.fullmatch(r"dist/app\.[0-9a-f]{12}\.css", manifest["dist/app.css"])
    assert "dist/leaflet/leaflet.js.map" in manifest  # the source map the script names is there
    # Of static/, only what was built (the apps' own static files, the admin's, are collected beside it).
    assert not [name for name in manifest if name.startswith(("src/", "build.mjs")) or name.endswith((".scss", ".mjs"))]
    hashed_css = "/static/" + manifest["dist/app.css"]

    port = free_port()
    production = image_env(
        tree, SECRET_KEY="image-layout-" + "q7Zp2v" * 10, ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL, BEHIND_PROXY="1", TRUSTED_PROXY_COUNT="1",
    )

    check = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=tree, env=production,
                           capture_output=True, text=True, timeout=120, check=False)
    warnings = set(re.findall(r"\(([a-z_.]+\.W\d+)\)", check.stdout + check.stderr))
    assert check.returncode == 0, check.stdout + check.stderr
    assert warnings <= EXPECTED_DEPLOY_WARNINGS, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout or warnings

    # The Dockerfile's CMD, on a free loopback port with one worker.
    [cmd] = [json.loads(args) for op, args in final_stage((ROOT / "Dockerfile").read_text()) if op == "CMD"]
    cmd = [shutil.which(cmd[0], path=production["PATH"]), *cmd[1:]]
    cmd[cmd.index("--bind") + 1] = f"127.0.0.1:{port}"
    cmd[cmd.index("--workers") + 1] = "1"
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(cmd, cwd=tree, env=production, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                  start_new_session=True)
    try:
        browser = Browser(port)
        while True:
            try:
                health, body = browser.request("GET", "/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start\n" + log.read_text()
                time.sleep(0.2)
        assert health.status == 200, body
        assert json.loads(body)["static"] == "ok"

        response, page = browser.request("GET", "/sign-in/")
        assert response.status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response, page = browser.request("POST", "/sign-in/", {
            "csrfmiddlewaretoken": token, "login": "alice", "password": PASSWORD})
        assert response.status == 302, page
        request_id = response.getheader("X-Request-ID")
        response, page = browser.request("GET", response.getheader("Location"))
        assert response.status == 200, page
        assert f'href="{hashed_css}"' in page

        css, text = browser.request("GET", hashed_css)
        assert css.status == 200 and css.getheader("Content-Type").startswith("text/css")
        for source in ("/static/build.mjs", "/static/src/app.scss", "/static/dist/../build.mjs",
                       "/static/src/places-map.js"):
            assert browser.request("GET", source)[0].status == 404, source

        sign_in = AuditEvent.objects.get(action=AuditAction.LOGIN, actor=alice)
        assert sign_in.ip_address == CLIENT  # the client's address, from the proxy's X-Forwarded-For
        assert sign_in.request_id == request_id
        assert time.monotonic() < deadline
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)

    # Logs: JSON lines; the sign-in's carries the id its response and its audit row carry.
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(r.get("request_id") == request_id and r.get("logger") == "safeguarding.requests"
               and r.get("status") == 302 and r.get("path") == "/sign-in/" for r in records), log.read_text()
