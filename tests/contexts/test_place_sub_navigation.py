"""The place page, long as it is, has a sub-navigation to its sections: anchors on the one page."""

import re

import pytest
from django.urls import reverse

from contexts import services
from contexts.models import Place, PlaceKind
from contexts.views import PLACE_SECTIONS

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_links_every_section_of_the_place_page_marking_none_current(client, alice):
    place = services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK)
    client_for(client, alice)
    page = client.get(reverse("place", args=[place.pk])).content.decode()
    nav = page[page.index('<nav class="moj-sub-navigation'):]
    nav = nav[:nav.index("</nav>")]
    anchors = re.findall(r'href="#([a-z-]+)"', nav)
    assert anchors == [anchor for anchor, _ in PLACE_SECTIONS]
    assert "aria-current" not in nav  # all of them are on this page
    for anchor in anchors:
        assert f'id="{anchor}"' in page, anchor
