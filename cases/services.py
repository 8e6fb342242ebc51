"""Every write to young people, cases and chronologies: checked, validated, saved and audited atomically."""

from datetime import datetime, time, timedelta

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
    EntryKind,
    FirstResponder,
    GroundsDecision,
    MissingEpisode,
    NrmReferral,
    ReferralStatus,
    ReturnInterview,
    RhiOutcome,
    RiskLevel,
    Sex,
    TrustedAdult,
    VoiceEntry,
    YoungPerson,
    YoungPersonReferral,
    how_long,
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


# --- Missing episodes, return home interviews and NRM referrals ----------------------------------------------------
# Each is a record of its own, and each step of it (reported missing, found, the interview, each decision) writes an
# entry on the case's chronology linked to the record, so the timeline tells it with the case's visibility.

EPISODE_FIELDS = {"missing_at", "reported_by", "police_reference", "found_at", "where_found", "harm_disclosed",
                  "harm_detail"}
INTERVIEW_FIELDS = {"outcome", "offered_at", "not_offered_reason", "conducted_by", "held_on", "words", "next_steps"}
NRM_FIELDS = {"first_responder", "referred_on", "exploitation_types", "adult_consented", "rg_decision",
              "rg_decided_on", "cg_decision", "cg_decided_on", "devolved_pilot", "pilot_panel", "notes"}


def _timeline(actor, case: Case, kind: str, occurred_at, text: str, **record) -> ChronologyEntry:
    entry = ChronologyEntry(case=case, kind=kind, occurred_at=occurred_at, text=text, author=actor,
                            agency=actor.agency, **record)
    entry.full_clean()
    entry.save()
    return entry


def _at_noon(day):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _not_future(errors: dict, **moments):
    for field, value in moments.items():
        if value and value > timezone.now() + _CLOCK_SKEW:
            errors[field] = "The date and time cannot be in the future."


def _validate_episode(episode: MissingEpisode):
    errors = {}
    _not_future(errors, missing_at=episode.missing_at, found_at=episode.found_at)
    if episode.missing_at and episode.missing_at.date() < episode.case.young_person.date_of_birth:
        errors["missing_at"] = "The date cannot be before the young person was born."
    try:
        episode.full_clean(exclude=["case", "recorded_by", "agency"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y %H:%M}"


def _found_text(episode: MissingEpisode) -> str:
    words = [f"Found or returned at {_local(episode.found_at)}, after {how_long(episode.duration)} missing."]
    if episode.where_found:
        words.append(f"Where: {episode.where_found}.")
    words.append(f"Harm disclosed: {episode.harm_detail}" if episode.harm_disclosed else "No harm disclosed.")
    return " ".join(words)


def _found_entry(actor, episode: MissingEpisode) -> ChronologyEntry:
    return _timeline(actor, episode.case, EntryKind.MISSING, episode.found_at, _found_text(episode),
                     missing_episode=episode)


@transaction.atomic
def missing_episode_record(*, actor, case: Case, **fields) -> MissingEpisode:
    """Record that the young person went missing (and, if they are back already, when and where they were found)."""
    policies.can_record_missing_episode.ensure(actor, case)
    episode = MissingEpisode(case=case, recorded_by=actor, agency=actor.agency, **only(fields, EPISODE_FIELDS))
    _validate_episode(episode)
    episode.save()
    reference = f" Police reference {episode.police_reference}." if episode.police_reference else ""
    entries = [_timeline(actor, case, EntryKind.MISSING, episode.missing_at,
                         f"Reported missing by {episode.reported_by}.{reference}", missing_episode=episode)]
    if episode.found_at:
        entries.append(_found_entry(actor, episode))
    audit.record(actor=actor, action=AuditAction.CREATE, target=episode,
                 detail={"case": case.reference, "entries": [e.pk for e in entries]})
    return episode


@transaction.atomic
def missing_episode_update(*, actor, episode: MissingEpisode, expected_version: int, **fields) -> MissingEpisode:
    """Record that they were found, or correct the episode. Being found writes its chronology entry; a correction is
    kept in the record's history and the audit log."""
    before = episode
    episode = lock_current(episode, expected_version)
    policies.can_update_missing_episode.ensure(actor, episode)
    was_open = episode.found_at is None
    for name, value in only(fields, EPISODE_FIELDS).items():
        setattr(episode, name, value)
    _validate_episode(episode)
    interview = ReturnInterview.objects.filter(episode=episode).first()
    if interview is not None and (episode.found_at is None or (
            interview.offered_at and interview.offered_at < episode.found_at)):
        raise ValidationError({"found_at": "A return home interview is recorded: they were back before it was "
                                           "offered."})
    episode.save()
    detail = {"fields": changed(before, episode, fields)}
    if was_open and episode.found_at:
        detail["entry"] = _found_entry(actor, episode).pk
    audit.record(actor=actor, action=AuditAction.UPDATE, target=episode, detail=detail)
    return episode


def _interview_text(interview: ReturnInterview) -> str:
    if interview.outcome == RhiOutcome.NOT_OFFERED:
        return f"Return home interview not offered: {interview.not_offered_reason}"
    by = f" by {interview.conducted_by}" if interview.conducted_by else ""
    words = [f"Return home interview offered{by} at {_local(interview.offered_at)}"]
    late = interview.episode.rhi_lateness()
    words.append(f"({how_long(late)} after the 72 hours)." if late else "(within 72 hours of return).")
    if interview.outcome == RhiOutcome.DECLINED:
        words.append("They declined it.")
    else:
        held = f" and held on {interview.held_on:%-d %b %Y}" if interview.held_on else ""
        words.append(f"They accepted it{held}.")
    if interview.words:
        words.append(f"In their words: “{interview.words}”")
    if interview.next_steps:
        words.append(f"Next: {interview.next_steps}")
    return " ".join(words)


def _validate_interview(interview: ReturnInterview):
    errors = {}
    _not_future(errors, offered_at=interview.offered_at)
    if interview.held_on and interview.held_on > timezone.localdate():
        errors["held_on"] = "The date cannot be in the future."
    if interview.conducted_by is not None and not interview.conducted_by.is_active:
        errors["conducted_by"] = "Choose an active agency."
    try:
        interview.full_clean(exclude=["episode", "recorded_by", "agency"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)


def _interview_entry(actor, interview: ReturnInterview) -> ChronologyEntry:
    episode = interview.episode
    at = interview.offered_at or timezone.now()
    return _timeline(actor, episode.case, EntryKind.RETURN_INTERVIEW, at, _interview_text(interview),
                     missing_episode=episode)


@transaction.atomic
def return_interview_record(*, actor, episode: MissingEpisode, **fields) -> ReturnInterview:
    """Record the return home interview after an episode: offered (when, by whom) and accepted or declined, or not
    offered and why; what the young person said and what happens next."""
    # Locks the episode's row alone (not its case's or young person's): two people recording its interview at once
    # get one interview and a clear refusal.
    episode = MissingEpisode.objects.select_for_update(of=("self",)).select_related("case__young_person").get(
        pk=episode.pk)
    policies.can_record_return_interview.ensure(actor, episode)
    if ReturnInterview.objects.filter(episode=episode).exists():
        raise ValidationError("A return home interview is already recorded for this episode: change that one.")
    interview = ReturnInterview(episode=episode, recorded_by=actor, agency=actor.agency,
                                **only(fields, INTERVIEW_FIELDS))
    _validate_interview(interview)
    interview.save()
    episode.return_interview = interview
    entry = _interview_entry(actor, interview)
    audit.record(actor=actor, action=AuditAction.CREATE, target=interview,
                 detail={"episode": episode.pk, "case": episode.case.reference, "entry": entry.pk,
                         "late_hours": int(late.total_seconds() // 3600) if (late := episode.rhi_lateness()) else 0})
    return interview


@transaction.atomic
def return_interview_update(*, actor, interview: ReturnInterview, expected_version: int, **fields) -> ReturnInterview:
    """Change the return home interview; a change of its outcome (declined, then accepted) writes a new chronology
    entry, a correction of its words is kept in its history."""
    before = interview
    interview = lock_current(interview, expected_version)
    episode = MissingEpisode.objects.select_related("case__young_person").get(pk=interview.episode_id)
    policies.can_record_return_interview.ensure(actor, episode)
    interview.episode = episode
    previous = (interview.outcome, interview.offered_at, interview.held_on)
    for name, value in only(fields, INTERVIEW_FIELDS).items():
        setattr(interview, name, value)
    _validate_interview(interview)
    interview.save()
    episode.return_interview = interview
    detail = {"fields": changed(before, interview, fields)}
    if (interview.outcome, interview.offered_at, interview.held_on) != previous:
        detail["entry"] = _interview_entry(actor, interview).pk
    audit.record(actor=actor, action=AuditAction.UPDATE, target=interview, detail=detail)
    return interview


def _validate_nrm(referral: NrmReferral):
    errors = {}
    person = referral.case.young_person
    if referral.referred_on and referral.referred_on < person.date_of_birth:
        errors["referred_on"] = "The date cannot be before the young person was born."
    elif referral.referred_on:
        if referral.child_when_referred(person):
            if referral.adult_consented is not None:
                errors["adult_consented"] = "A child needs no consent to be referred: leave this unanswered."
        elif referral.adult_consented is not True:
            errors["adult_consented"] = ("They were 18 or over when referred: an adult is referred only with their "
                                         "consent (otherwise the first responder sends a duty to notify).")
    try:
        referral.full_clean(exclude=["case", "recorded_by", "agency"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)


def _decision_entries(actor, referral: NrmReferral, before: tuple[str, str] = (GroundsDecision.AWAITED,) * 2):
    made = []
    for stage, decision, on, was in (("Reasonable-grounds", referral.rg_decision, referral.rg_decided_on, before[0]),
                                     ("Conclusive-grounds", referral.cg_decision, referral.cg_decided_on, before[1])):
        if decision != GroundsDecision.AWAITED and decision != was:
            panel = f" by the {referral.pilot_panel} (devolved pilot)" if referral.devolved_pilot else ""
            made.append(_timeline(actor, referral.case, EntryKind.NRM_REFERRAL, _at_noon(on),
                                  f"NRM {stage.lower()} decision{panel}: {GroundsDecision(decision).label.lower()}.",
                                  nrm_referral=referral))
    return made


@transaction.atomic
def nrm_referral_record(*, actor, case: Case, **fields) -> NrmReferral:
    """Record a referral to the National Referral Mechanism, and any decision already made on it."""
    policies.can_record_nrm_referral.ensure(actor, case)
    referral = NrmReferral(case=case, recorded_by=actor, agency=actor.agency, **only(fields, NRM_FIELDS))
    _validate_nrm(referral)
    referral.save()
    kinds = ", ".join(label.lower() for label in referral.exploitation_labels())
    entries = [_timeline(actor, case, EntryKind.NRM_REFERRAL, _at_noon(referral.referred_on),
                         f"Referred to the National Referral Mechanism by "
                         f"{FirstResponder(referral.first_responder).label} ({kinds}).", nrm_referral=referral),
               *_decision_entries(actor, referral)]
    audit.record(actor=actor, action=AuditAction.CREATE, target=referral,
                 detail={"case": case.reference, "entries": [e.pk for e in entries]})
    return referral


@transaction.atomic
def nrm_referral_update(*, actor, referral: NrmReferral, expected_version: int, **fields) -> NrmReferral:
    """Record a reasonable-grounds or conclusive-grounds decision (each writes its chronology entry), or correct the
    referral."""
    before = referral
    referral = lock_current(referral, expected_version)
    referral.case = Case.objects.select_related("young_person").get(pk=referral.case_id)
    policies.can_update_nrm_referral.ensure(actor, referral)
    decided = (referral.rg_decision, referral.cg_decision)
    for name, value in only(fields, NRM_FIELDS).items():
        setattr(referral, name, value)
    _validate_nrm(referral)
    referral.save()
    entries = _decision_entries(actor, referral, decided)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=referral,
                 detail={"fields": changed(before, referral, fields), "entries": [e.pk for e in entries]})
    return referral


def colleagues(actor) -> list[User]:
    """People in the actor's agency who may be named on a restricted entry or lead a case."""
    return list(User.objects.filter(agency_id=actor.agency_id, is_active=True).order_by("last_name"))


# --- Referrals of young people (the front door: cases.referrals holds what every kind shares) ----------------------

REFERRAL_FIELDS = {
    "first_name", "last_name", "known_as", "date_of_birth", "address", "postcode", "school", "concerns",
    "harm_types", "urgency", "family_knows", "young_person_agreed", "lawful_basis", "special_category",
    "agreement",
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
    referrals.keep_view(actor, referral, case)
    referral.young_person, referral.case = person, case
    return referrals.finish(actor, referral, ReferralStatus.ACCEPTED,
                            {"case": case.reference, "joined": joined, "new_person": new_person})
