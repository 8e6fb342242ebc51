"""Every share records why it was lawful: refused without its basis (by the service, and by the form with a GOV.UK
error), the agreement in force between the two agencies chosen for the person and recorded, an expired one never
offered, the basis shown on the sharing panel and in the audit log; contribution requests and answers, panel shares
and referrals accepted record theirs too."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Framework
from cases import services as case_services
from cases import transfers
from cases.models import Case
from contexts import services as context_services
from contexts.models import Place, PlaceKind
from safeguarding import access, services
from safeguarding.lawful import Told
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, Disclosure, DisclosureCause
from safeguarding.roles import Role
from tests.conftest import LAWFUL, LAWFUL_FORM, SYSTEM, _person, assert_queries, client_for

pytestmark = pytest.mark.django_db


def agreement(agencies, *keys, days_left=365, reference="NSCP-ISA-1", title="Northfield partnership agreement"):
    today = timezone.localdate()
    ends = today + timedelta(days=days_left)
    return services.agreement_create(
        actor=SYSTEM, parties=[agencies[k] for k in keys], title=title, reference=reference,
        starts_on=today - timedelta(days=400), ends_on=ends, review_on=min(ends, today + timedelta(days=30)),
        summary="Sharing to protect young people from harm outside the home")


def grants(case):
    return access.grant_model(Case).objects.filter(content_object=case).exclude(
        group_id=case.owning_agency.group_id).count()


# --- The service refuses a share without its basis ---------------------------------------------------------------

@pytest.mark.parametrize(("basis", "missing"), [
    (None, {"lawful_basis", "special_category", "reason", "told"}),
    (replace(LAWFUL, reason="  "), {"reason"}),
    (replace(LAWFUL, lawful_basis="consent"), {"lawful_basis"}),
    (replace(LAWFUL, special_category=""), {"special_category"}),
    (replace(LAWFUL, told=""), {"told"}),
    (replace(LAWFUL, told=Told.NOT_TOLD), {"not_told_why"}),
])
def test_it_refuses_a_share_without_its_basis_and_writes_nothing(alice, case, agencies, basis, missing):
    with pytest.raises(ValidationError) as refused:
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=basis)
    assert set(refused.value.message_dict) == missing
    assert grants(case) == 0 and not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE).exists()


def test_not_told_is_accepted_with_why_and_kept(alice, case, agencies):
    basis = replace(LAWFUL, told=Told.NOT_TOLD, not_told_why="Telling the family would alert the exploiters")
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=basis)
    row = Disclosure.objects.get()
    assert row.told == Told.NOT_TOLD and row.not_told_why == "Telling the family would alert the exploiters"


def test_it_records_the_agreement_in_force_between_the_two_agencies(alice, case, agencies):
    isa = agreement(agencies, "la", "police")
    agreement(agencies, "la", "school", reference="OTHER")  # not the police's
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    row = Disclosure.objects.get()
    assert (row.agreement, row.from_agency, row.to_agency, row.made_by) == (isa, agencies["la"], agencies["police"],
                                                                            alice)
    assert row.cause == DisclosureCause.SHARED and row.level == access.CONTRIBUTE and row.ended_at is None


def test_an_expired_agreement_is_refused_and_not_recorded(alice, case, agencies):
    expired = agreement(agencies, "la", "police", days_left=-1)
    with pytest.raises(ValidationError) as refused:
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW,
                     basis=replace(LAWFUL, agreement=expired))
    assert set(refused.value.message_dict) == {"agreement"} and grants(case) == 0
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert Disclosure.objects.get().agreement is None  # none in force: none recorded


def test_an_agreement_between_other_agencies_is_refused(alice, case, agencies):
    theirs = agreement(agencies, "la", "school")
    with pytest.raises(ValidationError) as refused:
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW,
                     basis=replace(LAWFUL, agreement=theirs))
    assert set(refused.value.message_dict) == {"agreement"}


def test_sharing_again_replaces_the_basis_and_unsharing_ends_it_keeping_both(alice, case, agencies):
    police = agencies["police"]
    access.share(actor=alice, obj=case, agency=police, level=access.VIEW, basis=LAWFUL)
    access.share(actor=alice, obj=case, agency=police, level=access.CONTRIBUTE, basis=replace(LAWFUL, reason="More"))
    first, second = Disclosure.objects.order_by("id")
    assert first.ended_at is not None and second.ended_at is None and second.reason == "More"
    access.unshare(actor=alice, obj=case, agency=police)
    assert Disclosure.objects.filter(ended_at__isnull=True).count() == 0 and Disclosure.objects.count() == 2
    second.refresh_from_db()
    assert second.ended_by == alice


# --- The form: a GOV.UK error without a basis; the agreement chosen; an expired one never offered ----------------

def test_the_form_refuses_a_share_without_a_basis_with_a_govuk_error(client, alice, case, agencies):
    client_for(client, alice)
    response = client.post(reverse("case-share", args=[case.pk]), {"agency": agencies["police"].pk,
                                                                    "level": access.VIEW})
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>\s*Error: ", page)
    summary = page[page.index("govuk-error-summary"):page.index("govuk-error-summary") + 3000]
    for message in ("Select the lawful basis for sharing", "Select whether special category data is shared",
                    "Say why it is necessary to share", "Select whether the young person and family were told"):
        assert message in summary, message
    assert grants(case) == 0 and not Disclosure.objects.exists()


def test_the_form_refuses_not_told_without_why(client, alice, case, agencies):
    client_for(client, alice)
    response = client.post(reverse("case-share", args=[case.pk]), {
        "agency": agencies["police"].pk, "level": access.VIEW, **LAWFUL_FORM, "told": Told.NOT_TOLD})
    assert response.status_code == 400
    assert "Say why the young person and family were not told" in response.content.decode()
    assert grants(case) == 0


def test_with_an_agreement_between_the_two_agencies_the_form_chooses_it(client, alice, case, agencies):
    isa = agreement(agencies, "la", "police")
    client_for(client, alice)
    response = client.post(reverse("case-share", args=[case.pk]), {"agency": agencies["police"].pk,
                                                                    "level": access.VIEW})
    page = response.content.decode()
    assert re.search(rf'name="agreement"[^>]*value="{isa.pk}"[^>]*checked', page), "the agreement is chosen"
    assert str(isa) in page
    done = client.post(reverse("case-share", args=[case.pk]), {"agency": agencies["police"].pk,
                                                                "level": access.VIEW, **LAWFUL_FORM})
    assert done.status_code == 302 and Disclosure.objects.get().agreement == isa


def test_an_expired_agreement_is_not_offered(client, alice, case, agencies):
    expired = agreement(agencies, "la", "police", days_left=-1, title="Old Northfield protocol", reference="OLD")
    current = agreement(agencies, "la", "school", title="Schools protocol", reference="SCH")
    client_for(client, alice)
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert str(current) in page and "Old Northfield protocol" not in page
    forged = client.post(reverse("case-share", args=[case.pk]), {
        "agency": agencies["police"].pk, "level": access.VIEW, **LAWFUL_FORM, "agreement": expired.pk})
    assert forged.status_code == 400 and grants(case) == 0


# --- Shown: the sharing panel and the audit log ------------------------------------------------------------------

def test_the_sharing_panel_shows_each_shares_basis_agreement_reason_who_and_when(client, alice, case, agencies):
    isa = agreement(agencies, "la", "police")
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW,
                 basis=replace(LAWFUL, reason="Police lead the county lines operation"))
    access.share(actor=alice, obj=case, agency=agencies["school"], level=access.VIEW,
                 basis=replace(LAWFUL, told=Told.NOT_TOLD, not_told_why="It would put him at risk"))
    page = client_for(client, alice).get(reverse("case", args=[case.pk])).content.decode()
    panel = page[page.index('id="sharing"'):]
    assert "Public task: a statutory duty" in panel and str(isa) in panel
    assert "Police lead the county lines operation" in panel and "No: It would put him at risk" in panel
    assert "Alice Test" in panel and timezone.localdate().strftime("%-d %b %Y") in panel


def test_the_audit_log_shows_the_basis_of_a_share(client, alice, mandy, case, agencies):
    isa = agreement(agencies, "la", "police")
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    event = AuditEvent.objects.get(action=AuditAction.SHARE)
    assert event.detail["lawful_basis"] == "public_task" and event.detail["agreement_id"] == isa.pk
    assert "reason" not in event.detail  # free text (which may name people) stays in the record, not the log
    page = client_for(client, mandy).get(reverse("audit-search") + "?action=share").content.decode()
    assert "Lawful basis: Public task: a statutory duty" in page and f"under {isa}" in page


def test_the_sharing_panel_makes_the_same_queries_however_many_agencies_it_is_shared_with(client, alice, case,
                                                                                           agencies):
    names = ["session", "user and agency", "the case through the door, with levels", "audit row (view)",
             "role permissions", "why each current share was lawful (disclosures, with agreement and who shared)",
             "agencies it is shared with (grants other than the owner's)", "the case's missing episodes",
             "the case's NRM referrals", "count of the reader's active colleagues",
             "the reader's active colleagues (cursor)", "chronology entries (none: nothing restricted to prefetch)",
             "documents attached to the case",
             "agreements in force the owning agency is party to (the share form's choices)"]
    agreement(agencies, "la", "police")
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert_queries(client, alice, reverse("case", args=[case.pk]), names)
    for i in range(6):
        more = services.agency_create(actor=SYSTEM, name=f"Northfield Partner {i}", kind=AgencyKind.VOLUNTARY_SECTOR)
        agreement(agencies | {"more": more}, "la", "more", reference=f"P-{i}")
        access.share(actor=alice, obj=case, agency=more, level=access.CONTRIBUTE, basis=LAWFUL)
    assert_queries(client, alice, reverse("case", args=[case.pk]), names)


# --- Contribution requests and answers, panel shares, referrals accepted ----------------------------------------

def _assessment(alice):
    park = context_services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK)
    return assessment_services.assessment_start(actor=alice, subject=park,
                                                framework=Framework.objects.get(key="neighbourhood"))


def test_a_contribution_request_and_its_answer_record_their_basis(alice, pete, agencies):
    isa = agreement(agencies, "la", "police")
    draft = _assessment(alice)
    due = timezone.localdate() + timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        assessment_services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                                 question="What do you know?", due_on=due, basis=None)
    assert {"lawful_basis", "reason", "told"} <= set(refused.value.message_dict)
    asked = assessment_services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                                     question="What do you know?", due_on=due, basis=LAWFUL)
    with pytest.raises(ValidationError) as refused:
        assessment_services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                                response="Seen twice", basis=replace(LAWFUL, special_category=""))
    assert set(refused.value.message_dict) == {"special_category"}
    answer_basis = replace(LAWFUL, lawful_basis="legal_obligation", special_category="crime",
                           reason="The author needs our intelligence to judge the risk")
    assessment_services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                            response="Seen twice", basis=answer_basis)
    request_row, answer_row = Disclosure.objects.order_by("id")
    assert (request_row.cause, request_row.from_agency, request_row.to_agency, request_row.agreement) == (
        DisclosureCause.CONTRIBUTION_REQUEST, agencies["la"], agencies["police"], isa)
    assert (answer_row.cause, answer_row.from_agency, answer_row.to_agency, answer_row.lawful_basis,
            answer_row.made_by) == (DisclosureCause.CONTRIBUTION_ANSWER, agencies["police"], agencies["la"],
                                    "legal_obligation", pete)
    answered = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(asked.pk), detail__answered=True)
    assert answered.detail["special_category"] == "crime" and answered.detail["agreement_id"] == isa.pk


def test_the_contribution_page_shows_both_bases(client, alice, pete, agencies):
    draft = _assessment(alice)
    asked = assessment_services.contribution_request(
        actor=alice, assessment=draft, agency=agencies["police"], question="What do you know?",
        due_on=timezone.localdate() + timedelta(days=7), basis=replace(LAWFUL, reason="Patrol knowledge needed"))
    client_for(client, pete)
    answered = client.post(reverse("contribution", args=[asked.pk]), {
        "version": asked.version, "response": "Seen twice", **LAWFUL_FORM, "reason": "The author asked us"})
    assert answered.status_code == 302
    page = client.get(reverse("contribution", args=[asked.pk])).content.decode()
    assert "Patrol knowledge needed" in page and "The author asked us" in page
    assert "Asked to contribute" in page and "Contribution answered" in page


def test_the_contribution_forms_refuse_without_a_basis(client, alice, pete, agencies):
    draft = _assessment(alice)
    due = timezone.localdate() + timedelta(days=7)
    client_for(client, alice)
    refused = client.post(reverse("contribution-new", args=[draft.pk]), {
        "agency": agencies["police"].pk, "question": "What do you know?", "due_on_0": due.day,
        "due_on_1": due.month, "due_on_2": due.year})
    assert refused.status_code == 200 and "Select the lawful basis for sharing" in refused.content.decode()
    assert not Disclosure.objects.exists()
    asked = assessment_services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                                     question="What do you know?", due_on=due, basis=LAWFUL)
    client_for(client, pete)
    refused = client.post(reverse("contribution", args=[asked.pk]), {"version": asked.version, "response": "Seen"})
    assert refused.status_code == 400 and "Select the lawful basis for sharing" in refused.content.decode()
    asked.refresh_from_db()
    assert asked.response == "" and Disclosure.objects.count() == 1


def test_accepting_a_referral_shares_the_case_on_the_referrals_basis(pete, mandy, agencies):
    isa = agreement(agencies, "la", "police")
    referral = case_services.referral_create(
        actor=pete, first_name="Kofi", last_name="Mensah", date_of_birth=timezone.localdate() - timedelta(days=5500),
        postcode="NF1 2AB", concerns="Seen with older men", harm_types=["cce"], family_knows="Mum knows",
        young_person_agreed="agreed", lawful_basis="public_task", special_category="crime",
        to_agency=agencies["la"])
    assert referral.agreement == isa  # the agreement in force between referrer and authority, found for them
    done = case_services.referral_accept(actor=mandy, referral=referral, expected_version=referral.version)
    row = Disclosure.objects.get(cause=DisclosureCause.REFERRAL)
    assert (row.to_agency, row.from_agency, row.special_category, row.agreement, row.cause_label, row.made_by) == (
        agencies["police"], agencies["la"], "crime", isa, referral.audit_label, mandy)
    assert row.record == done.case and row.level == access.VIEW


def test_a_referral_without_its_basis_is_refused(pete, agencies):
    with pytest.raises(ValidationError) as refused:
        case_services.referral_create(
            actor=pete, first_name="Kofi", last_name="Mensah", postcode="NF1 2AB", concerns="Seen with older men",
            harm_types=["cce"], family_knows="Mum knows", young_person_agreed="agreed", to_agency=agencies["la"])
    assert {"lawful_basis", "special_category"} <= set(refused.value.message_dict)


def test_the_view_kept_after_a_transfer_carries_the_transfers_basis(mandy, case, agencies):
    south = services.agency_create(actor=SYSTEM, name="Southfield Council", kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
                                   is_lead_authority=True)
    sue = _person({**agencies, "south": south}, "sue", "south", Role.TEAM_MANAGER)
    with pytest.raises(ValidationError) as refused:
        transfers.transfer_request(actor=mandy, record=case, to_agency=south, reason="The family moved", basis=None)
    assert "lawful_basis" in refused.value.message_dict
    transfer = transfers.transfer_request(actor=mandy, record=case, to_agency=south, reason="The family moved",
                                          basis=replace(LAWFUL, special_category="health_social_care"))
    assert transfer.reason == "The family moved" and transfer.special_category == "health_social_care"
    transfers.transfer_accept(actor=sue, transfer=transfer, expected_version=transfer.version, lead_practitioner=sue)
    row = Disclosure.objects.get(cause=DisclosureCause.TRANSFER)
    assert (row.from_agency, row.to_agency, row.special_category, row.made_by, row.level, row.cause_label) == (
        south, agencies["la"], "health_social_care", sue, access.VIEW, transfer.audit_label)
    assert "The family moved" in row.reason
