"""A place is put on the map from its postcode (a postcodes.io-compatible finder) or at its ward's centre: nobody types
coordinates. The finder is a real HTTP server started here on a free port, not a mock."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.urls import reverse

from contexts import services
from contexts.models import Place, PlaceKind
from safeguarding import geocoding
from safeguarding.models import Area

from ..conftest import assert_queries, client_for
from .test_contexts import place_form

pytestmark = pytest.mark.django_db

KNOWN = {"B1 2AB": (52.48123, -1.89045)}


class Finder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        postcode = unquote(self.path.removeprefix("/postcodes/"))
        if postcode == "B9 9SL":  # slow: longer than the timeout
            time.sleep(1.5)
        if postcode == "B9 9ER":
            self._answer(500, {"status": 500, "error": "Server error"})
        elif postcode in KNOWN:
            latitude, longitude = KNOWN[postcode]
            self._answer(200, {"status": 200, "result": {"postcode": postcode, "latitude": latitude,
                                                        "longitude": longitude}})
        else:
            self._answer(404, {"status": 404, "error": "Postcode not found"})

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:  # the client gave up (the slow case)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def finder(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Finder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GEOCODER = f"http://127.0.0.1:{server.server_address[1]}"
    settings.GEOCODER_TIMEOUT = 0.5
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_finder(settings):
    settings.GEOCODER = ""


@pytest.fixture
def eastgate(db):
    return Area.objects.create(name="Eastgate", district="NF3", latitude=Decimal("52.47900"),
                               longitude=Decimal("-1.87400"))


def test_it_finds_a_place_from_its_postcode(client, alice, finder, eastgate):
    client_for(client, alice)
    response = client.post(reverse("place-new"), place_form(postcode="B1 2AB"))
    assert response.status_code == 302
    place = Place.objects.get()
    assert (place.latitude, place.longitude) == (Decimal("52.48123"), Decimal("-1.89045"))
    assert place.position_note == geocoding.POSTCODE


@pytest.mark.parametrize(("postcode", "message"), [
    ("B7 7ZZ", "The postcode B7 7ZZ could not be found"),
    ("B9 9SL", "The postcode finder is not answering just now"),
    ("B9 9ER", "The postcode finder is not answering just now"),
])
def test_a_postcode_not_found_or_a_finder_not_answering_is_a_clear_form_error(client, alice, finder, postcode,
                                                                              message):
    client_for(client, alice)
    started = time.monotonic()
    page = client.post(reverse("place-new"), place_form(postcode=postcode)).content.decode()
    assert time.monotonic() - started < 5  # the timeout holds
    assert "govuk-error-summary" in page and message in page and 'href="#id_postcode"' in page
    assert not Place.objects.exists()


def test_the_ward_is_the_fallback_when_the_finder_is_not_answering(client, alice, finder, eastgate):
    client_for(client, alice)
    assert client.post(reverse("place-new"), place_form(postcode="B9 9ER", area=eastgate.pk)).status_code == 302
    assert Place.objects.get().position_note == geocoding.WARD_CENTRE


def test_with_no_finder_the_place_goes_at_its_wards_centre_said_to_be_approximate(client, alice, no_finder, eastgate):
    client_for(client, alice)
    form = client.get(reverse("place-new")).content.decode()
    assert 'name="latitude"' not in form and 'name="longitude"' not in form and ">Eastgate</option>" in form
    response = client.post(reverse("place-new"), place_form(postcode="B3 4DA", ward="", area=eastgate.pk))
    assert response.status_code == 302
    place = Place.objects.get()
    assert (place.latitude, place.longitude, place.ward) == (eastgate.latitude, eastgate.longitude, "Eastgate")
    assert "approximate: ward centre" in client.get(response.url).content.decode()


def test_a_place_keeps_its_position_when_edited_without_a_new_postcode_or_ward(client, alice, finder):
    place = services.context_create(actor=alice, model=Place, name="Old Mill", kind=PlaceKind.OTHER,
                                    postcode="B2 1AA", latitude=52.4851, longitude=-1.9021)
    client_for(client, alice)
    response = client.post(reverse("place-edit", args=[place.pk]), place_form(
        name="Old Mill yard", kind=PlaceKind.OTHER, postcode="B2 1AA", version=place.version))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Old Mill yard" and (place.latitude, place.longitude) == (Decimal("52.48510"),
                                                                                   Decimal("-1.90210"))


def test_the_place_form_makes_a_fixed_number_of_queries(client, alice, no_finder, eastgate):
    assert_queries(client, alice, reverse("place-new"), [
        "session",
        "user and agency",
        "role permissions",
        "the wards and areas to choose from",
    ])
