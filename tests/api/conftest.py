"""API clients of the cast's agencies (tests/conftest.py), each registered as an administrator would, with every
scope at write unless a test asks otherwise, and a caller that sends its credential."""

import pytest
from django.test import Client

from safeguarding import services
from safeguarding.apiclients import RESOURCES, WRITE

from ..conftest import SYSTEM

EVERYTHING = dict.fromkeys(RESOURCES, WRITE)


class Caller:
    """A Django test client that calls as one API client."""

    def __init__(self, credential: str, client=None):
        self.credential = credential
        self.client = client
        self.http = Client()

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.credential}", **(headers or {})}

    def get(self, path, data=None, headers=None):
        return self.http.get(path, data, headers=self._headers(headers))

    def post(self, path, data=None, headers=None):
        return self.http.post(path, data or {}, content_type="application/json", headers=self._headers(headers))

    def request(self, method, path, headers=None, **kwargs):
        return getattr(self.http, method)(path, headers=self._headers(headers), **kwargs)


def register(agency, scopes=None, name=None, **extra) -> Caller:
    client, credential = services.api_client_register(
        actor=SYSTEM, agency=agency, name=name or f"{agency.name} system", scopes=scopes or EVERYTHING, **extra)
    return Caller(credential, client)


@pytest.fixture
def callers(agencies):
    """One client for each agency of the cast: "la", "police", "school", "housing" (the outsider)."""
    return {key: register(agency) for key, agency in agencies.items()}


@pytest.fixture
def shipped_frameworks(db):
    """The frameworks the migrations install, again if a transactional test before this one flushed them."""
    from assessments import frameworks, services
    from assessments.models import Framework

    for definition in frameworks.shipped():
        if not Framework.objects.filter(key=definition["key"]).exists():
            services.framework_install(actor=SYSTEM, definition=definition)


@pytest.fixture(autouse=True)
def _scanned(scanner):
    """The security world attaches documents through the service, which scans them: the private clamd runs."""
    return scanner
