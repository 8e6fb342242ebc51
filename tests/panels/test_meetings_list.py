"""/panels/ as a list (safeguarding.lists): the meetings the reader may see, upcoming soonest first by default; filters
(panel, when, the day it is held, status), sorting, pages and the total, through the access door."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Meeting, PanelKind

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/meetings/(\d+)/"', page)]


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _meeting(colin, panel, days):
    meeting = services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=1))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(days=days))
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def youth_panel(colin, agencies):
    return services.panel_create(actor=colin, name="Area youth panel", kind=PanelKind.CONTEXT_CONFERENCE,
                                 member_agencies=[agencies["la"], agencies["school"]], chairs=[colin])


@pytest.fixture
def meetings(colin, panel, youth_panel):
    """Two upcoming and two past of the MACE panel (police, school and the council), one upcoming and one past of the
    youth panel (the school and the council): in order of when they are held."""
    return [_meeting(colin, p, days) for p, days in [
        (panel, -20), (youth_panel, -10), (panel, -5), (panel, 3), (youth_panel, 8), (panel, 15)]]


def test_it_shows_the_upcoming_meetings_soonest_first_with_a_total(client, colin, meetings):
    page = client_for(client, colin).get(reverse("panels")).content.decode()
    assert _ids(page) == [m.pk for m in meetings[3:]]
    assert "Showing 1–3 of 3 meetings" in page and 'aria-sort="ascending"' in page
    assert "Northfield MACE" in page and "Area youth panel" in page  # the panels' cards are kept
    assert reverse("meeting-new", args=[meetings[0].panel_id]) in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"when": "past"}, [2, 1, 0]),  # the past: newest first
    ({"when": "any"}, [5, 4, 3, 2, 1, 0]),
    ({"when": "any", "sort": "date"}, [0, 1, 2, 3, 4, 5]),
    ({"sort": "-date"}, [5, 4, 3]),
    ({"when": "any", "sort": "panel"}, [1, 4, 0, 2, 3, 5]),  # by panel, then date
    ({"when": "any", "sort": "-panel"}, [5, 3, 2, 0, 4, 1]),
])
def test_it_sorts_the_whole_list(client, colin, meetings, params, expected):
    page = client_for(client, colin).get(reverse("panels"), params).content.decode()
    assert _ids(page) == [meetings[i].pk for i in expected]


def test_it_filters_by_panel_when_and_day(client, colin, meetings, youth_panel):
    client_for(client, colin)
    page = client.get(reverse("panels"), {"panel": youth_panel.pk}).content.decode()
    assert _ids(page) == [meetings[4].pk] and "Showing 1–1 of 1 meeting" in page
    assert "moj-filter__tag" in page  # the filter in use, removable
    page = client.get(reverse("panels"), {"panel": youth_panel.pk, "when": "any"}).content.decode()
    assert _ids(page) == [meetings[4].pk, meetings[1].pk]
    day = timezone.localdate(meetings[2].starts_at)
    page = client.get(reverse("panels"), {"when": "any", **_date("date_from", day - timedelta(days=1)),
                                          **_date("date_to", day + timedelta(days=9))}).content.decode()
    assert _ids(page) == [meetings[3].pk, meetings[2].pk]
    Meeting.objects.filter(pk=meetings[5].pk).update(status="agenda_set")
    assert _ids(client.get(reverse("panels"), {"status": "agenda_set"}).content.decode()) == [meetings[5].pk]


def test_it_pages_and_keeps_the_filters_in_the_page_links(client, colin, panel):
    made = [_meeting(colin, panel, days) for days in range(1, 28)]
    client_for(client, colin)
    first = client.get(reverse("panels"), {"panel": panel.pk}).content.decode()
    assert "Showing 1–25 of 27 meetings" in first and _ids(first) == [m.pk for m in made[:25]]
    assert f"panel={panel.pk}&amp;page=2" in first
    second = client.get(reverse("panels"), {"panel": panel.pk, "page": 2}).content.decode()
    assert "Showing 26–27 of 27 meetings" in second and _ids(second) == [m.pk for m in made[25:]]


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "999999"}, {"sort": "nonsense"}, {"sort": "--date"}, {"when": "yesterday"},
    {"panel": "abc"}, {"panel": "999999"}, {"status": "x" * 5000},
    {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"},
    {"date_to_0": "1", "date_to_1": "1", "date_to_2": "99999999999999999999"},
])
def test_hostile_input_never_fails(client, colin, meetings, params):
    response = client_for(client, colin).get(reverse("panels"), params)
    assert response.status_code in (200, 400)
    page = response.content.decode()
    if response.status_code == 400:
        assert "There is a problem" in page and "govuk-error-summary" in page and _ids(page) == []
        assert "<title>Error: " in page
    else:  # the first or the last page of the upcoming meetings, sorted by a known column
        assert sorted(_ids(page)) == [m.pk for m in meetings[3:]]


def test_an_impossible_date_is_a_gov_uk_error(client, colin, meetings):
    response = client_for(client, colin).get(reverse("panels"), {
        "when": "any", "date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"})
    assert response.status_code == 400
    assert 'href="#id_date_from_0"' in response.content.decode() or "date_from" in response.content.decode()


def test_an_outsider_sees_none_of_the_meetings_and_the_panel_filter_cannot_widen(client, oscar, sam, meetings, panel,
                                                                               youth_panel):
    client_for(client, oscar)  # housing: a member of neither panel
    page = client.get(reverse("panels"), {"when": "any"}).content.decode()
    assert _ids(page) == [] and "No meetings" in page
    assert client.get(reverse("panels"), {"when": "any", "panel": panel.pk}).status_code == 400  # not a choice
    client_for(client, sam)  # the school: a member of both
    assert len(_ids(client.get(reverse("panels"), {"when": "any"}).content.decode())) == 6
