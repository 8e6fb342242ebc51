"""Every write to young people, cases and chronologies: checked, validated, saved and audited atomically."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding import access, audit
from safeguarding.edits import changed, only
from safeguarding.models import AuditAction, User
from safeguarding.versioning import lock_current

from . import policies, referrals
from .models import (
    Case,
    CaseStatus,
    ChronologyEntry,
    ReferralStatus,
    RiskLevel,
    Sex,
    TrustedAdult,
    VoiceEntry,
    YoungPerson,
    YoungPersonReferral,
)

YOUNG_PERSON_FIELDS = {
    "first_name", "last_name", "known_as", "date_of_birth", "sex", "gender_identity", "ethnicity",
    "first_language", "send_status", "communication_needs", "address", "postcode", "la_person_id",
    "nhs_number", "upn",
}
CASE_FIELDS = {"harm_types", "risk_level", "summary", "lead_practitioner", "next_review_on"}


def _normalise_person(person: YoungPerson):
    person.postcode = person.postcode.upper().strip()
    person.nhs_number = person.nhs_number.replace(" ", "")
    person.upn = person.upn.upper()
    person.known_as = [name.strip() for name in person.known_as if name.strip()]
    person.search_text = person.build_search_text()


@transaction.atomic
def young_person_create(*, actor, **fields) -> YoungPerson:
    policies.can_add_young_person.ensure(actor)
    person = YoungPerson(owning_agency=actor.agency, created_by=actor, **only(fields, YOUNG_PERSON_FIELDS))
    _normalise_person(person)
    person.full_clean()
    person.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=person)
    return person


@transaction.atomic
def young_person_update(*, actor, young_person: YoungPerson, expected_version: int, **fields):
    before = young_person
    person = lock_current(young_person, expected_version)
    policies.can_change_young_person.ensure(actor, person)
    for name, value in only(fields, YOUNG_PERSON_FIELDS).items():
        setattr(person, name, value)
    _normalise_person(person)
    person.full_clean()
    person.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=person,
                 detail={"fields": changed(before, person, fields)})
    return person


@transaction.atomic
def trusted_adult_add(*, actor, young_person: YoungPerson, **fields) -> TrustedAdult:
    policies.can_change_young_person.ensure(actor, young_person)
    adult = TrustedAdult(young_person=young_person, added_by=actor, **fields)
    adult.full_clean()
    adult.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=young_person,
                 detail={"trusted_adult_id": adult.pk})
    return adult


@transaction.atomic
def voice_entry_add(*, actor, young_person: YoungPerson, **fields) -> VoiceEntry:
    policies.can_record_voice.ensure(actor, young_person)
    entry = VoiceEntry(young_person=young_person, recorded_by=actor, agency=actor.agency, **fields)
    entry.full_clean()
    if entry.said_on > timezone.localdate():
        raise ValidationError({"said_on": "The date they said this cannot be in the future."})
    entry.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=young_person,
                 detail={"voice_entry_id": entry.pk})
    return entry


def _check_lead(case: Case):
    lead = case.lead_practitioner
    if lead is not None and (lead.agency_id != case.owning_agency_id or not lead.is_active):
        raise ValidationError({"lead_practitioner": "The lead practitioner must be an active member of the "
                                                    "agency that owns the case."})


@transaction.atomic
def case_open(*, actor, young_person: YoungPerson, opened_on=None, **fields) -> Case:
    policies.can_open_case.ensure(actor, young_person)
    case = Case(
        young_person=young_person,
        owning_agency=actor.agency,
        created_by=actor,
        opened_on=opened_on or timezone.localdate(),
        reference="pending",
        **only(fields, CASE_FIELDS),
    )
    case.full_clean(exclude=["reference"])
    _check_lead(case)
    case.save()
    case.reference = f"EFH-{case.opened_on:%Y}-{case.pk:06d}"
    case.save(update_fields=["reference"])
    access.grant_owner(case)
    audit.record(actor=actor, action=AuditAction.CREATE, target=case)
    return case


@transaction.atomic
def case_update(*, actor, case: Case, expected_version: int, **fields) -> Case:
    before = case
    case = lock_current(case, expected_version)
    policies.can_change_case.ensure(actor, case)
    for name, value in only(fields, CASE_FIELDS).items():
        setattr(case, name, value)
    case.full_clean()
    _check_lead(case)
    case.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=case,
                 detail={"fields": changed(before, case, fields)})
    return case


@transaction.atomic
def case_close(*, actor, case: Case, expected_version: int, reason: str, note: str = "", closed_on=None) -> Case:
    case = lock_current(case, expected_version)
    policies.can_close_case.ensure(actor, case)
    case.status = CaseStatus.CLOSED
    case.closure_reason = reason
    case.closure_note = note
    case.closed_on = closed_on or timezone.localdate()
    if case.closed_on < case.opened_on:
        raise ValidationError({"closed_on": "The closing date cannot be before the case was opened."})
    case.full_clean()
    case.save()
    audit.record(actor=actor, action=AuditAction.CLOSE, target=case,
                 detail={"reason": reason})
    return case


# A device clock a few minutes ahead should not stop someone recording what just happened.
_CLOCK_SKEW = timedelta(minutes=5)


@transaction.atomic
def chronology_add(*, actor, case: Case, kind: str, occurred_at, text: str, restricted: bool = False,
                   restricted_to=()) -> ChronologyEntry:
    policies.can_add_chronology_entry.ensure(actor, case)
    errors = {}
    if occurred_at and occurred_at > timezone.now() + _CLOCK_SKEW:
        errors["occurred_at"] = "The date and time cannot be in the future."
    if occurred_at and occurred_at.date() < case.young_person.date_of_birth:
        errors["occurred_at"] = "The date cannot be before the young person was born."
    named = list(restricted_to)
    if restricted:
        if any(person.agency_id != actor.agency_id for person in named):
            errors["restricted_to"] = "Only people in your own agency can be named on a restricted entry."
    elif named:
        errors["restricted_to"] = "Name people only on a restricted entry."
    entry = ChronologyEntry(case=case, kind=kind, occurred_at=occurred_at, text=text, author=actor,
                            agency=actor.agency, restricted=restricted)
    try:
        entry.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    entry.save()
    if restricted:
        entry.restricted_to.set({actor, *named})
    audit.record(actor=actor, action=AuditAction.CREATE, target=entry,
                 detail={"case": case.reference, "restricted": restricted})
    return entry


def colleagues(actor) -> list[User]:
    """People in the actor's agency who may be named on a restricted entry or lead a case."""
    return list(User.objects.filter(agency_id=actor.agency_id, is_active=True).order_by("last_name"))


# --- Referrals of young people (the front door: cases.referrals holds what every kind shares) ----------------------

REFERRAL_FIELDS = {
    "first_name", "last_name", "known_as", "date_of_birth", "address", "postcode", "school", "concerns",
    "harm_types", "urgency", "family_knows", "young_person_agreed", "lawful_basis", "special_category",
    "sharing_agreement",
}


@transaction.atomic
def referral_create(*, actor, to_agency=None, **fields) -> YoungPersonReferral:
    """Refer a young person to a lead authority: ``to_agency``, or the one their postcode routes to."""
    referral = YoungPersonReferral(**only(fields, REFERRAL_FIELDS))
    referral.postcode = referral.postcode.upper().strip()
    referral.known_as = [name.strip() for name in referral.known_as if name.strip()]
    return referrals.submit(actor, referral, to_agency=to_agency, postcode=referral.postcode)


@transaction.atomic
def referral_accept(*, actor, referral: YoungPersonReferral, expected_version: int, young_person=None, case=None,
                    risk_level: str = RiskLevel.MEDIUM, lead_practitioner=None) -> YoungPersonReferral:
    """Accept: join an existing open case of the actor's agency, or open a case for an existing young person or for
    a new one made from the referral's details. The referring agency keeps view access to the case."""
    referral = referrals.decided(actor, referral, expected_version)
    new_person = False
    if case is not None:
        policies.can_change_case.ensure(actor, case)  # visible, the actor's agency manages it, and it is open
        if young_person is not None and young_person.pk != case.young_person_id:
            raise ValidationError({"case": "This case is about someone else."})
        person = case.young_person
        joined = True
    else:
        if young_person is not None:
            access.require(actor, None, young_person)
            person = young_person
        elif referral.date_of_birth is None:
            raise ValidationError({"young_person": "The referral has no date of birth: choose the young person "
                                                   "from the possible matches, or ask the referrer for it."})
        else:
            person = young_person_create(
                actor=actor, first_name=referral.first_name, last_name=referral.last_name,
                known_as=referral.known_as, date_of_birth=referral.date_of_birth, sex=Sex.NOT_KNOWN,
                address=referral.address, postcode=referral.postcode)
            new_person = True
        case = case_open(actor=actor, young_person=person, harm_types=referral.harm_types, risk_level=risk_level,
                         summary=referral.concerns[:5000], lead_practitioner=lead_practitioner)
        joined = False
    referrals.keep_view(case, referral.referring_agency)
    referral.young_person, referral.case = person, case
    return referrals.finish(actor, referral, ReferralStatus.ACCEPTED,
                            {"case": case.reference, "joined": joined, "new_person": new_person})
