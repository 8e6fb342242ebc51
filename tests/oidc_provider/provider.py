"""Start and stop the test identity provider (a separate Django project, see README.md) as its own process."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OidcProvider:
    """One running provider: ``people`` (username to password, sub, email...) and ``clients`` (client_id,
    client_secret, redirect_uris), its files in ``workdir``."""

    def __init__(self, workdir: Path, *, people: dict, clients: list[dict], port: int | None = None):
        self.workdir = Path(workdir)
        self.people = people
        self.clients = clients
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/o"
        self.process = None

    def _env(self) -> dict:
        return {
            "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(HERE), "DJANGO_SETTINGS_MODULE": "idp.settings",
            "IDP_SECRET_KEY": secrets.token_urlsafe(40), "IDP_DATABASE": str(self.workdir / "idp.sqlite3"),
            "IDP_RSA_KEY": str(self.workdir / "rsa.pem"), "IDP_ISSUER": self.issuer,
            "IDP_PEOPLE": str(self.workdir / "people.json"), "IDP_CLIENTS": str(self.workdir / "clients.json"),
        }

    def write_people(self):
        (self.workdir / "people.json").write_text(json.dumps(self.people))

    def change(self, username: str, **claims):
        """What the provider says about ``username`` from now on (an email changed at the agency)."""
        self.people[username].update(claims)
        self.write_people()

    def start(self) -> "OidcProvider":
        self.workdir.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (self.workdir / "rsa.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.write_people()
        (self.workdir / "clients.json").write_text(json.dumps(self.clients))
        env = self._env()
        subprocess.run([sys.executable, "-m", "idp.setup"], cwd=HERE, env=env, check=True,  # noqa: S603
                       capture_output=True, timeout=120)
        self.log = (self.workdir / "server.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own test provider
            [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=HERE, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test provider stopped: {(self.workdir / 'server.log').read_text()}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the test provider did not start in time")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def sign_in(self, authorize_url: str, username: str, password: str | None = None) -> str:
        """What a person's browser does at the provider, through HTTP: open the authorisation URL the service sent
        them to, sign in on the provider's page, and be sent back. Returns the URL they are sent back to."""
        browser = requests.Session()
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        login = urljoin(authorize_url, answer.headers["Location"])
        browser.get(login, timeout=10).raise_for_status()
        answer = browser.post(login, allow_redirects=False, timeout=10, data={
            "username": username, "password": password or self.people[username]["password"],
            "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"],
            "next": dict(parse_qsl(urlsplit(login).query))["next"]})
        assert answer.status_code == 302, answer.text[:500]
        answer = browser.get(urljoin(login, answer.headers["Location"]), allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]
