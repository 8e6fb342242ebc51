"""Information-sharing agreements: recorded and changed by administrators only (one rule, audited services), read by
the people of the agencies party to them; an outsider agency gets 404 on others' agreements."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safeguarding import services
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, InformationSharingAgreement
from tests.conftest import SYSTEM, assert_queries, client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def fields(**extra):
    today = TODAY()
    return {"title": "Northfield partnership agreement", "reference": "NSCP-1", "starts_on": today - timedelta(days=10),
            "ends_on": today + timedelta(days=365), "review_on": today + timedelta(days=180),
            "summary": "Sharing to protect young people from harm outside the home", **extra}


@pytest.fixture
def isa(agencies):
    return services.agreement_create(actor=SYSTEM, parties=[agencies["la"], agencies["police"]], **fields())


def form_data(parties, **extra):
    data = fields(**extra)
    posted = {k: v for k, v in data.items() if not k.endswith("_on")}
    for name in ("starts_on", "ends_on", "review_on"):
        day = data[name]
        posted.update({f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year})
    posted["parties"] = [p.pk for p in parties]
    return posted


# --- The service: one rule, audited --------------------------------------------------------------------------------

def test_an_administrator_records_an_agreement_and_it_is_audited(adam, agencies):
    made = services.agreement_create(actor=adam, parties=[agencies["la"], agencies["police"], agencies["school"]],
                                     **fields())
    assert set(made.parties.all()) == {agencies["la"], agencies["police"], agencies["school"]}
    assert made.created_by == adam and made.is_current
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(made.pk), actor=adam)
    assert event.detail["reference"] == "NSCP-1"


@pytest.mark.parametrize("who", ["alice", "mandy", "colin", "pete", "oscar"])
def test_no_one_else_may_record_or_change_one(cast, agencies, isa, who):
    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=cast[who], parties=[agencies["la"], agencies["school"]],
                                  **fields(reference="X"))
    with pytest.raises(PermissionDenied):
        services.agreement_update(actor=cast[who], agreement=isa, expected_version=isa.version,
                                  parties=[agencies["la"]], **fields())
    assert InformationSharingAgreement.objects.count() == 1


def test_it_needs_two_parties_and_dates_in_order(adam, agencies):
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(actor=adam, parties=[agencies["la"]], **fields())
    assert "parties" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(actor=adam, parties=[agencies["la"], agencies["police"]],
                                  **fields(ends_on=TODAY() - timedelta(days=20)))
    assert refused.value.messages
    assert not InformationSharingAgreement.objects.exists()


def test_a_change_is_under_the_optimistic_lock_and_audited(adam, agencies, isa):
    changed = services.agreement_update(actor=adam, agreement=isa, expected_version=isa.version,
                                        parties=[agencies["la"], agencies["police"], agencies["housing"]],
                                        **fields(ends_on=TODAY() - timedelta(days=1), review_on=TODAY() - timedelta(
                                            days=2)))
    assert not changed.is_current and changed.version == isa.version + 1
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(isa.pk))
    assert event.detail["fields"] == ["ends_on", "review_on"] and agencies["housing"].pk in event.detail["parties"]
    with pytest.raises(ValidationError):
        services.agreement_update(actor=adam, agreement=isa, expected_version=isa.version, parties=[
            agencies["la"], agencies["police"]], **fields())


# --- The pages ------------------------------------------------------------------------------------------------------

def test_an_administrator_records_one_through_the_pages(client, adam, agencies):
    client_for(client, adam)
    refused = client.post(reverse("agreement-new"), form_data([agencies["la"]]))
    assert refused.status_code == 200 and "Choose at least two agencies" in refused.content.decode()
    assert "<title>Error: " in refused.content.decode().replace("\n", "")
    done = client.post(reverse("agreement-new"), form_data([agencies["la"], agencies["police"]]))
    made = InformationSharingAgreement.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("agreement", args=[made.pk])
    page = client.get(reverse("agreement", args=[made.pk])).content.decode()
    assert "Northfield partnership agreement" in page and "Northfield Police" in page
    edited = client.post(reverse("agreement-edit", args=[made.pk]), {
        **form_data([agencies["la"], agencies["police"]], title="Renamed agreement"), "version": made.version})
    assert edited.status_code == 302
    made.refresh_from_db()
    assert made.title == "Renamed agreement"


def test_a_non_administrator_is_refused_the_forms_and_reads_only_their_agencys(client, cast, agencies, isa):
    for who in ("alice", "pete"):
        client_for(client, cast[who])
        assert client.get(reverse("agreement-new")).status_code == 403
        assert client.post(reverse("agreement-new"), form_data([agencies["la"], agencies["school"]])).status_code \
            == 403
        assert client.get(reverse("agreement-edit", args=[isa.pk])).status_code == 403
        assert "Northfield partnership agreement" in client.get(reverse("agreement", args=[isa.pk])).content.decode()
        assert "Record an agreement" not in client.get(reverse("agreements")).content.decode()
    assert InformationSharingAgreement.objects.count() == 1


def test_an_outsider_agency_gets_404_on_others_agreements(client, oscar, agencies, isa):
    client_for(client, oscar)
    for url in (reverse("agreement", args=[isa.pk]), reverse("agreement-edit", args=[isa.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "Mine"}).status_code in (404, 405)
    assert "Northfield partnership agreement" not in client.get(reverse("agreements")).content.decode()
    isa.refresh_from_db()
    assert isa.title == "Northfield partnership agreement"


def test_the_pages_make_the_same_queries_however_many_agreements(client, adam, pete, agencies):
    listing = ["session", "user and agency", "role permissions", "count of the agreements the reader may read",
               "a page of them, in force first", "their parties (prefetch)"]
    detail = ["session", "user and agency", "role permissions", "the agreement through the door",
              "its parties (prefetch)"]
    as_party = ["session", "user and agency", "role permissions", "count of the agreements the agency is party to",
                "a page of them, in force first", "their parties (prefetch)"]
    first = services.agreement_create(actor=SYSTEM, parties=[agencies["la"], agencies["police"]], **fields())
    for size in (1, 12):
        while InformationSharingAgreement.objects.count() < size:
            n = InformationSharingAgreement.objects.count()
            extra = services.agency_create(actor=SYSTEM, name=f"Partner {n}", kind=AgencyKind.VOLUNTARY_SECTOR)
            services.agreement_create(actor=SYSTEM, parties=[agencies["la"], agencies["police"], extra],
                                      **fields(reference=f"R-{n}", ends_on=TODAY() - timedelta(days=n % 2),
                                               review_on=TODAY() - timedelta(days=5)))
        assert_queries(client, adam, reverse("agreements"), listing)
        assert_queries(client, adam, reverse("agreement", args=[first.pk]), detail)
        assert_queries(client, pete, reverse("agreements"), as_party)
