"""The demo's places, peer groups and links: added once, through the services, and never twice."""

import pytest
from django.core.management import CommandError, call_command

from cases.demo import OLD_CASES
from cases.models import YoungPerson
from contexts import selectors
from contexts.models import Association, Membership, PeerGroup, Place, PlaceKind, PlaceLink, PlaceTag
from safeguarding import access
from safeguarding.models import User

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Place, PeerGroup, Membership, Association, PlaceLink, PlaceTag)]


def test_contexts_need_the_borough_first():
    with pytest.raises(CommandError, match="Run seed_demo first"):
        call_command("seed_demo", only="contexts", force=True)


def test_the_demo_contexts_are_seeded_once_and_seen_by_the_right_agencies():
    call_command("seed_demo", young_people=30, force=True)  # every app's demo data, contexts.demo among them
    before = counts()
    call_command("seed_demo", only="contexts", force=True)
    assert counts() == before
    assert {place.kind for place in Place.objects.all()} == set(PlaceKind.values)
    assert PeerGroup.objects.count() == 8 and Membership.objects.exists() and PlaceTag.objects.exists()
    social_worker, police = User.objects.get(username="sw.demo"), User.objects.get(username="police.demo")
    assert selectors.to_review(social_worker)  # some links are past their review date
    seen_by_police = access.visible(police, Place.objects.all()).count()
    assert 0 < seen_by_police < Place.objects.count()
    assert access.visible(social_worker, Place.objects.all()).count() == Place.objects.count()
    assert YoungPerson.objects.count() == 30 + 1 + 1 + OLD_CASES  # the story's young person, Shannon (moving to adult
    # services), and old closed cases
