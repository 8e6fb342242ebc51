"""Evidence that expires, and each link's purpose: a link unreviewed for LINK_EXPIRES_AFTER_DAYS after its review date
stops counting as current (greyed and labelled on its records' pages, left out of network pictures unless asked for,
still listed for review); every link says whether it was recorded for welfare or for intelligence."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contexts import selectors, services
from contexts.models import Association, AssociationNature, Evidence, Membership, MembershipRole, Purpose, Reliability

from ..conftest import client_for
from .conftest import evidence

pytestmark = pytest.mark.django_db


def _expire(model, link, days_past=None):
    """Move a link's dates back as if nobody had reviewed it for ``days_past`` days after its review date."""
    days_past = days_past if days_past is not None else 90 + 1  # the default LINK_EXPIRES_AFTER_DAYS, and a day
    review_by = timezone.localdate() - timedelta(days=days_past)
    model.objects.filter(pk=link.pk).update(review_by=review_by, last_reviewed_on=review_by - timedelta(days=90))


@pytest.fixture
def suspected(alice, person, friend):
    return services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.ASSOCIATE,
                                     **evidence(reliability=Reliability.SUSPECTED))


def test_it_counts_a_link_as_current_until_the_configured_time_after_its_review_date(suspected, settings):
    _expire(Association, suspected, days_past=90)
    assert Association.objects.filter(Evidence.current_q()).count() == 1  # exactly 90 days past: still current
    _expire(Association, suspected, days_past=91)
    assert not Association.objects.filter(Evidence.current_q()).exists()
    assert Association.objects.filter(Evidence.current_q(include_expired=True)).count() == 1
    assert Association.objects.get().is_expired
    settings.LINK_EXPIRES_AFTER_DAYS = 120
    assert Association.objects.filter(Evidence.current_q()).count() == 1 and not Association.objects.get().is_expired


def test_it_leaves_an_expired_suspected_link_out_of_the_picture_unless_the_switch_is_on(
        client, alice, person, friend, suspected):
    client_for(client, alice)
    url = reverse("person-network", args=[person.pk])
    assert "Tyrese Walker" in client.get(url).content.decode()
    _expire(Association, suspected)
    page = client.get(url).content.decode()
    assert "Tyrese Walker" not in page and "Show links not current" in page
    nodes, edges, _ = selectors.network_around_person(alice, person)
    assert edges == [] and [n.key for n in nodes] == [f"yp:{person.pk}"]
    shown = client.get(url, {"all": "1"}).content.decode()
    assert "Tyrese Walker" in shown and "Not current" in shown and "edge--expired" in shown
    assert "Show current links only" in shown


def test_it_leaves_expired_memberships_out_of_the_group_picture(alice, person, group):
    link = services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                   **evidence())
    assert len(selectors.network_around_group(alice, group)[1]) == 1
    _expire(Membership, link)
    assert selectors.network_around_group(alice, group)[1] == []
    assert len(selectors.network_around_group(alice, group, include_expired=True)[1]) == 1


def test_it_greys_and_labels_an_expired_link_on_the_record_and_lists_it_for_review(
        client, alice, person, suspected):
    _expire(Association, suspected)
    client_for(client, alice)
    page = client.get(reverse("person-contexts", args=[person.pk])).content.decode()
    reviewed = (timezone.localdate() - timedelta(days=91 + 90)).strftime("%-d %b %Y")
    assert f"Not reviewed since {reviewed}: not current" in page and "app-link--ended" in page
    review = client.get(reverse("to-review")).content.decode()
    assert "Tyrese Walker" in review and "not current" in review


def test_it_asks_the_purpose_on_the_form_and_shows_it_wherever_the_link_is_drawn(client, alice, person, friend):
    client_for(client, alice)
    url = reverse("association-new", args=[person.pk])
    form = client.get(url).content.decode()
    assert "Why is it recorded?" in form and 'value="intelligence"' in form
    missing = client.post(url, {"other": friend.pk, "nature": "associate", "reliability": "reported"})
    assert missing.status_code == 200 and "<title>Error: " in missing.content.decode()
    assert not Association.objects.exists()
    done = client.post(url, {"other": friend.pk, "nature": "associate", "reliability": "reported",
                             "purpose": "intelligence"})
    assert done.status_code == 302
    assert Association.objects.get().purpose == Purpose.INTELLIGENCE
    contexts = client.get(reverse("person-contexts", args=[person.pk])).content.decode()
    assert "govuk-tag--purple" in contexts and ">Intelligence<" in contexts
    picture = client.get(reverse("person-network", args=[person.pk])).content.decode()
    assert "intelligence; others welfare" in picture  # the key
    assert "Associate (reported, intelligence)" in picture  # the link's own description


def test_links_made_by_code_without_a_purpose_are_welfare(alice, person, friend, suspected):
    assert suspected.purpose == Purpose.WELFARE
