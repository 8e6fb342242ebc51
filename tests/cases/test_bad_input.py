"""Bad input gets a clear GOV.UK error, keeps what was typed, and writes nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, ChronologyEntry, EntryKind, YoungPerson
from safeguarding import access
from safeguarding.models import Agency, AgencyKind, AuditAction, AuditEvent

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def person_form(**overrides):
    born = date.today() - timedelta(days=15 * 365)
    data = {"first_name": "Tyler", "last_name": "Brennan", "known_as": "", "date_of_birth_0": born.day,
            "date_of_birth_1": born.month, "date_of_birth_2": born.year, "sex": "male", "ethnicity": "not_known",
            "first_language": "English", "send_status": "not_known", "postcode": "", "nhs_number": "", "upn": ""}
    return {**data, **overrides}


def refused(response, *messages):
    page = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert "govuk-error-summary" in page
    for message in messages:
        assert message in page, message
    return page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("date_of_birth_2", date.today().year + 1, "Date of birth must be in the past"),
    ("date_of_birth_2", date.today().year - 40, "up to 25 years old"),
    ("date_of_birth_1", 13, "Date of birth must be a real date"),
    ("nhs_number", "9434765918", "NHS number"),
    ("nhs_number", "12345", "Enter a valid NHS number"),
    ("postcode", "NOT A POSTCODE", "postcode"),
    ("first_name", "x" * 101, "First name must be 100 characters or fewer"),
    ("first_name", "", "Enter first name"),
    ("sex", "", "Select sex"),
])
def test_a_young_person_with_bad_details_is_refused_and_nothing_is_written(client, alice, field, value, message):
    client_for(client, alice)
    response = client.post(reverse("young-person-new"), person_form(**{field: value}))
    page = refused(response)
    assert message.lower() in page.lower()
    assert 'value="Brennan"' in page  # what was typed is kept
    assert not YoungPerson.objects.exists()


def test_a_valid_nhs_number_is_accepted(client, alice):
    client_for(client, alice).post(reverse("young-person-new"), person_form(nhs_number="943 476 5919"))
    assert YoungPerson.objects.get().nhs_number == "9434765919"


def entry_form(when, text, **extra):
    return {"kind": EntryKind.NOTE, "occurred_on_0": when.day, "occurred_on_1": when.month,
            "occurred_on_2": when.year, "occurred_time": "", "text": text, **extra}


def test_a_chronology_entry_in_the_future_or_too_long_is_refused(client, alice, case):
    client_for(client, alice)
    url = reverse("chronology-add", args=[case.pk])
    refused(client.post(url, entry_form(timezone.localdate() + timedelta(days=2), "Seen in town")),
            "cannot be in the future")
    refused(client.post(url, entry_form(timezone.localdate(), "x" * 10001)),
            "What happened must be 10,000 characters or fewer")
    refused(client.post(url, {**entry_form(timezone.localdate(), "Seen"), "occurred_time": "25:99"}),
            "Enter a time like 16:30")
    assert not ChronologyEntry.objects.exists()


def test_an_htmx_entry_with_errors_comes_back_as_a_form_with_the_text_kept(client, alice, case):
    client_for(client, alice)
    response = client.post(reverse("chronology-add", args=[case.pk]),
                           entry_form(timezone.localdate() + timedelta(days=2), "Seen near the canal"),
                           HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "govuk-error-message" in page and "Seen near the canal" in page and "<html" not in page


def test_script_in_a_note_is_shown_as_text(client, alice, case):
    client_for(client, alice)
    client.post(reverse("chronology-add", args=[case.pk]),
                entry_form(timezone.localdate(), "<script>alert('x')</script> said he was fine"))
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; said he was fine" in page
    assert "<script>alert" not in page


def test_a_forged_share_is_refused_and_nothing_is_granted(client, alice, case, agencies):
    grants = access.grant_model(Case).objects
    before = grants.count()
    client_for(client, alice)
    url = reverse("case-share", args=[case.pk])
    refused(client.post(url, {"agency": 99999, "level": access.VIEW}), "Choose an agency from the search results")
    refused(client.post(url, {"agency": agencies["la"].pk, "level": access.VIEW}),
            "Choose an agency from the search results")
    refused(client.post(url, {"agency": agencies["police"].pk, "level": access.MANAGE}), "Select a valid choice")
    gone = Agency.objects.create(name="Closed Trust", kind=AgencyKind.HEALTH, is_active=False,
                                 group=agencies["la"].group.__class__.objects.create(name="Agency: gone"))
    refused(client.post(url, {"agency": gone.pk, "level": access.VIEW}), "Choose an agency from the search results")
    assert grants.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE).exists()


def test_a_partner_cannot_share_or_unshare_a_case_shared_with_them(client, pete, shared_case, agencies):
    grants = access.grant_model(Case).objects
    before = grants.count()
    client_for(client, pete)
    assert client.post(reverse("case-share", args=[shared_case.pk]),
                       {"agency": agencies["school"].pk, "level": access.VIEW}).status_code == 403
    assert client.post(reverse("case-unshare", args=[shared_case.pk, agencies["police"].pk])).status_code == 403
    assert grants.count() == before


def test_unsharing_an_agency_it_is_not_shared_with_says_so(client, alice, case, agencies):
    client_for(client, alice)
    response = client.post(reverse("case-unshare", args=[case.pk, agencies["school"].pk]), follow=True)
    assert "This record is not shared with that agency." in response.content.decode()


def test_a_restricted_entry_cannot_name_someone_outside_the_agency(alice, pete, shared_case):
    from django.core.exceptions import ValidationError

    from cases.services import chronology_add

    with pytest.raises(ValidationError, match="Only people in your own agency"):
        chronology_add(actor=alice, case=shared_case, kind=EntryKind.DISCLOSURE, occurred_at=timezone.now(),
                       text="Sensitive", restricted=True, restricted_to=[pete])
    assert not ChronologyEntry.objects.exists()


def test_closing_a_case_before_it_opened_is_refused(client, mandy, case):
    client_for(client, mandy)
    before = case.opened_on - timedelta(days=3)
    refused(client.post(reverse("case-close", args=[case.pk]), {
        "version": case.version, "reason": "nfa", "note": "",
        "closed_on_0": before.day, "closed_on_1": before.month, "closed_on_2": before.year,
    }), "cannot be before the case was opened")
    case.refresh_from_db()
    assert case.is_open
