"""Contexts around the cast: a park owned by the council, a peer group, and links to Jayden (tests/conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contexts import services
from contexts.models import PeerGroup, Place, PlaceKind, Reliability

from ..factories import YoungPersonFactory


@pytest.fixture
def park(alice):
    return services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK,
                                   ward="Eastgate", postcode="B1 1AA", latitude=52.48, longitude=-1.89,
                                   description="Older males seen approaching children after school.")


@pytest.fixture
def group(alice):
    return services.context_create(actor=alice, model=PeerGroup, name="Group seen at Eastgate Park")


@pytest.fixture
def friend(alice):
    return YoungPersonFactory(actor=alice, first_name="Tyrese", last_name="Walker")


def evidence(days=30, reliability=Reliability.REPORTED):
    return {"reliability": reliability, "review_by": timezone.localdate() + timedelta(days=days)}
