"""The identity bar (templates/includes/identity_bar.html) on every page about one young person: their name and
"known as", YP-reference, date of birth and age, and the agency holding their record, read from what the page already
loads; never on a page of a place or a peer group; never showing a young person to someone who cannot see them.
And the sub-navigation of the long record pages (case, peer group, young person): every anchor is on its page."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Framework
from cases import services
from cases.models import EntryKind, RiskLevel
from cases.views import CASE_SECTIONS, YOUNG_PERSON_SECTIONS
from contexts import services as context_services
from contexts.models import PeerGroup, Place, PlaceKind
from contexts.views import GROUP_SECTIONS

from ..conftest import client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

BORN = date(2010, 3, 7)
BAR = '<section class="moj-identity-bar app-identity-bar" aria-label="Young person">'
# Pages a manager opens (closing, transferring, subject access); the others a social worker.
MANAGERS_PAGES = {"case-close", "subject-access-new", "case-transfer", "place-transfer"}


class Record:
    """Imani Harper's record, with one of everything a page about her is reached through, and a place and a group."""

    def __init__(self, alice):
        self.person = YoungPersonFactory(actor=alice, first_name="Imani", last_name="Harper", known_as=["Immy"],
                                         date_of_birth=BORN)
        self.case = CaseFactory(actor=alice, young_person=self.person, lead_practitioner=alice,
                                risk_level=RiskLevel.HIGH)
        now = timezone.now()
        self.episode = services.missing_episode_record(actor=alice, case=self.case, reported_by="Carer",
                                                       missing_at=now - timedelta(days=3),
                                                       found_at=now - timedelta(days=2))
        self.nrm = services.nrm_referral_record(actor=alice, case=self.case, first_responder="police",
                                                referred_on=timezone.localdate(), exploitation_types=["criminal"])
        self.entry = services.chronology_add(actor=alice, case=self.case, kind=EntryKind.NOTE,
                                             occurred_at=now - timedelta(days=1), text="Seen at school.")
        self.place = context_services.context_create(actor=alice, model=Place, name="Eastgate Park",
                                                     kind=PlaceKind.PARK)
        self.group = context_services.context_create(actor=alice, model=PeerGroup, name="Eastgate boys")
        self.assessment = assessment_services.assessment_start(
            actor=alice, subject=self.person, framework=Framework.objects.get(key="individual-screening"))
        self.place_assessment = assessment_services.assessment_start(
            actor=alice, subject=self.place, framework=Framework.objects.get(key="neighbourhood"))

    def person_pages(self) -> dict[str, str]:
        """Every page about Imani, by URL name."""
        person, case = [self.person.pk], [self.case.pk]
        subject = ["young-person", self.person.pk]
        pages = {name: reverse(name, args=person) for name in (
            "young-person", "young-person-edit", "trusted-adult-new", "voice-entry-new", "case-new",
            "person-contexts", "person-network", "association-new", "person-place-link-new")}
        pages |= {name: reverse(name, args=case) for name in (
            "case", "case-edit", "case-close", "case-summary", "missing-episode-new", "nrm-referral-new", "transition",
            "transition-new", "case-transfer")}
        pages |= {name: reverse(name, args=[self.episode.pk]) for name in (
            "missing-episode", "missing-episode-edit", "return-interview")}
        pages |= {name: reverse(name, args=[self.nrm.pk]) for name in ("nrm-referral", "nrm-referral-edit")}
        pages |= {name: reverse(name, args=subject) for name in (
            "subject-assessments", "assessment-start", "safety-plan", "goal-new")}
        pages["entry-place"] = reverse("entry-place", args=[self.entry.pk])
        pages["subject-access-new"] = reverse("subject-access-new", args=person)
        pages |= {name: reverse(name, args=[self.assessment.pk]) for name in (
            "assessment", "assessment-edit", "assessment-change", "contribution-new")}
        pages["assessment-section"] = reverse("assessment-section", args=[self.assessment.pk, "exploitation"])
        return pages

    def context_pages(self) -> dict[str, str]:
        """Pages of a place or a group, made by the same templates as some of Imani's: no bar there."""
        return {
            "place": reverse("place", args=[self.place.pk]), "peer-group": reverse("peer-group", args=[self.group.pk]),
            "group-network": reverse("group-network", args=[self.group.pk]),
            "membership-new": reverse("membership-new", args=[self.group.pk]),
            "group-place-link-new": reverse("group-place-link-new", args=[self.group.pk]),
            "place-safety-plan": reverse("safety-plan", args=["place", self.place.pk]),
            "place-assessments": reverse("subject-assessments", args=["place", self.place.pk]),
            "place-assessment-start": reverse("assessment-start", args=["place", self.place.pk]),
            "place-goal-new": reverse("goal-new", args=["place", self.place.pk]),
            "place-transfer": reverse("place-transfer", args=[self.place.pk]),
            "place-assessment": reverse("assessment", args=[self.place_assessment.pk]),
            "place-assessment-edit": reverse("assessment-edit", args=[self.place_assessment.pk]),
            "young-people": reverse("young-people"), "young-person-new": reverse("young-person-new"),
            "cases": reverse("cases"),
        }


@pytest.fixture
def record(alice):
    return Record(alice)


def _bar(page: str) -> str:
    assert page.count(BAR) == 1, "one identity bar"
    bar = page[page.index(BAR):]
    return bar[:bar.index("</section>")]


def test_it_identifies_the_young_person_on_every_page_about_them(client, alice, mandy, record):
    age = record.person.age
    for name, url in record.person_pages().items():
        response = client_for(client, mandy if name in MANAGERS_PAGES else alice).get(url)
        assert response.status_code == 200, name
        bar = _bar(response.content.decode())
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", bar))
        assert "Imani Harper" in text and "(known as Immy)" in text, name
        assert f"Reference YP-{record.person.pk} " in text, name
        assert f"Date of birth 7 March 2010 (age {age})" in text, name
        assert "Record held by Northfield Council" in text, name
        assert "<h1" not in bar and "<h2" not in bar, f"{name}: the bar is no heading; the page keeps its own h1"
        assert response.content.decode().count("<h1") == 1, name


def test_it_shows_the_open_cases_risk_on_pages_about_the_case(client, alice, record):
    client_for(client, alice)
    for name in ("case", "case-edit", "missing-episode", "nrm-referral", "transition", "entry-place"):
        bar = _bar(client.get(record.person_pages()[name]).content.decode())
        assert f"Case {record.case.reference}" in bar and "High risk" in bar, name
    assert "risk" not in _bar(client.get(record.person_pages()["young-person"]).content.decode())


def test_it_links_to_the_young_persons_page_except_on_it(client, alice, record):
    client_for(client, alice)
    person_url = reverse("young-person", args=[record.person.pk])
    assert f'href="{person_url}"' not in _bar(client.get(person_url).content.decode())
    assert f'href="{person_url}"' in _bar(client.get(record.person_pages()["case"]).content.decode())


def test_it_is_not_on_pages_of_places_groups_or_lists(client, alice, mandy, record):
    for name, url in record.context_pages().items():
        response = client_for(client, mandy if name in MANAGERS_PAGES else alice).get(url)
        assert response.status_code == 200, name
        assert "moj-identity-bar" not in response.content.decode(), name


def test_the_htmx_fragments_of_the_young_persons_page_carry_no_second_bar(client, alice, record):
    client_for(client, alice)
    for name in ("person-contexts", "subject-assessments"):
        fragment = client.get(record.person_pages()[name], headers={"HX-Request": "true"}).content.decode()
        assert "moj-identity-bar" not in fragment, name


def test_an_outsider_still_gets_404_and_never_the_young_persons_name(client, oscar, pete, record):
    for outsider in (oscar, pete):  # housing, and the police before anything is shared with them
        client_for(client, outsider)
        for name, url in record.person_pages().items():
            response = client.get(url)
            assert response.status_code == 404, (outsider, name)
            page = response.content.decode()
            assert "moj-identity-bar" not in page and "Harper" not in page, (outsider, name)


def test_the_bar_reads_nothing_of_its_own(client, alice, mandy, record):
    """The agency holding the record comes with the young person (select_related): no page fetches it alone."""
    for name, url in record.person_pages().items():
        client_for(client, mandy if name in MANAGERS_PAGES else alice)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        alone = [q["sql"] for q in queries if re.search(
            r'FROM "safeguarding_agency" WHERE "safeguarding_agency"\."id" = ', q["sql"])]
        assert not alone, f"{name} fetches an agency on its own:\n" + "\n".join(alone)


def _anchors(page: str, label: str) -> list[str]:
    nav = page[page.index(f'<nav class="moj-sub-navigation app-sub-navigation" aria-label="{label}">'):]
    return re.findall(r'href="#([a-z-]+)"', nav[:nav.index("</nav>")])


@pytest.mark.parametrize(("page", "label", "sections"), [
    ("case", "Sections of this case", CASE_SECTIONS),
    ("young-person", "Sections of this young person's record", YOUNG_PERSON_SECTIONS),
    ("peer-group", "Sections of this peer group", GROUP_SECTIONS),
])
def test_the_sub_navigation_links_only_to_sections_on_the_page(client, alice, record, page, label, sections):
    client_for(client, alice)
    url = (record.context_pages() | record.person_pages())[page]
    content = client.get(url).content.decode()
    anchors = _anchors(content, label)
    assert anchors == [anchor for anchor, _ in sections]
    for anchor in anchors:
        assert content.count(f'id="{anchor}"') == 1, anchor
