"""Every write to places, peer groups and the evidence that links them: checked, validated, audited, atomic."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import referrals
from cases.models import ChronologyEntry, ReferralStatus, YoungPerson
from safeguarding import access, audit
from safeguarding.edits import changed, only
from safeguarding.lawful import basis_of
from safeguarding.models import AuditAction, DisclosureCause
from safeguarding.versioning import lock_current

from . import policies
from .models import (
    Association,
    ContextKind,
    ContextReferral,
    ContextStatus,
    Guardian,
    GuardianTraining,
    Membership,
    PeerGroup,
    Place,
    PlaceLink,
    PlaceTag,
    Purpose,
)

PLACE_FIELDS = {"name", "kind", "description", "address", "postcode", "latitude", "longitude", "position_note", "ward",
                "school_urn", "status", "closure_reason", "lead_practitioner", "review_on"}
GROUP_FIELDS = {"name", "description", "status", "closure_reason", "lead_practitioner", "review_on"}
EVIDENCE_FIELDS = {"reliability", "purpose", "notes", "review_by", "source_person"}
# A link reviewed today is due again within this time unless the reviewer says otherwise.
DEFAULT_REVIEW_PERIOD = timedelta(days=90)

_FIELDS = {Place: PLACE_FIELDS, PeerGroup: GROUP_FIELDS}


def _check_record(record):
    errors = {}
    for name in ("latitude", "longitude"):
        value = getattr(record, name, None)
        if isinstance(value, float | int):  # a float from code (not a form): five decimal places is ~1 metre
            setattr(record, name, Decimal(str(round(value, 5))))
    lead = record.lead_practitioner
    if lead is not None and (lead.agency_id != record.owning_agency_id or not lead.is_active):
        errors["lead_practitioner"] = "The lead practitioner must be an active member of the owning agency."
    if record.status == ContextStatus.CLOSED and not record.closure_reason.strip():
        errors["closure_reason"] = "Say why it is being closed."
    if record.status != ContextStatus.CLOSED and record.closure_reason:
        record.closure_reason = ""
    if errors:
        raise ValidationError(errors)
    record.full_clean()


@transaction.atomic
def context_create(*, actor, model: type[Place] | type[PeerGroup], **fields):
    """Record a place or a peer group (status "noted"), or open it straight away. It is the recording agency's own:
    a partner's route to the lead authority is a referral (``context_referral_create``)."""
    policies.ADD[model].ensure(actor)
    record = model(owning_agency=actor.agency, created_by=actor, **only(fields, _FIELDS[model]))
    _check_record(record)
    if record.is_closed:
        record.closed_on = timezone.localdate()
    record.save()
    access.grant_owner(record)
    audit.record(actor=actor, action=AuditAction.CREATE, target=record,
                 detail={"status": record.status})
    return record


@transaction.atomic
def context_update(*, actor, record, expected_version: int, **fields):
    before = record
    record = lock_current(record, expected_version)
    policies.can_change_context.ensure(actor, record)
    for name, value in only(fields, _FIELDS[type(record)]).items():
        setattr(record, name, value)
    _check_record(record)
    if record.is_closed and not before.is_closed:
        record.closed_on = timezone.localdate()
    elif not record.is_closed:
        record.closed_on = None
    record.save()
    audit.record(actor=actor, action=AuditAction.CLOSE if record.is_closed and not before.is_closed
                 else AuditAction.UPDATE, target=record, detail={"fields": changed(before, record, fields)})
    return record


def _evidence(link, *, actor, fields: dict):
    """Fill in and validate the evidence fields every link carries; the source defaults to the actor."""
    source = fields.pop("source_person", None) or actor
    if source.agency_id != actor.agency_id:
        raise ValidationError({"source_person": "The source must be someone in your own agency."})
    link.source_person, link.source_agency = source, actor.agency
    for name, value in only(fields, EVIDENCE_FIELDS - {"source_person"}).items():
        setattr(link, name, value)
    if not link.purpose:  # the forms and the API ask for it; links made by code (seeders, imports) are welfare
        link.purpose = Purpose.WELFARE
    today = timezone.localdate()
    link.last_reviewed_on = today
    if link.review_by is None:
        link.review_by = today + DEFAULT_REVIEW_PERIOD
    elif link.review_by < today:
        raise ValidationError({"review_by": "The review-by date cannot be in the past."})
    return link


def _save_link(link, *, actor, detail: dict):
    link.full_clean()
    link.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=link, detail=detail)
    return link


@transaction.atomic
def membership_add(*, actor, peer_group: PeerGroup, young_person: YoungPerson, role: str, from_date=None,
                   to_date=None, **evidence) -> Membership:
    policies.can_record_link.ensure(actor, peer_group)
    access.require(actor, None, young_person)
    if from_date and to_date and to_date < from_date:
        raise ValidationError({"to_date": "The end of membership must be on or after its start."})
    earlier = Membership.objects.filter(peer_group=peer_group, young_person=young_person)
    if earlier.filter(ended_on__isnull=True).exists():
        raise ValidationError({"young_person": "This young person is already a member of the group."})
    if from_date and earlier.filter(Q(to_date__isnull=True) | Q(to_date__gte=from_date),
                                    Q(from_date__isnull=True) | Q(from_date__lte=to_date or date.max)).exists():
        raise ValidationError({"from_date": "These dates overlap an earlier membership of the same group."})
    link = _evidence(Membership(peer_group=peer_group, young_person=young_person, role=role, from_date=from_date,
                                to_date=to_date), actor=actor, fields=evidence)
    return _save_link(link, actor=actor,
                      detail={"group": peer_group.audit_label, "young_person": young_person.audit_label})


@transaction.atomic
def association_add(*, actor, person: YoungPerson, other: YoungPerson, nature: str,
                    **evidence) -> Association:
    if person.pk == other.pk:
        raise ValidationError({"other": "A young person cannot be linked to themselves."})
    policies.can_record_link.ensure(actor, person)
    access.require(actor, None, other)
    pair = Association.objects.filter(ended_on__isnull=True, nature=nature)
    if pair.filter(person=person, other=other).exists() or pair.filter(person=other, other=person).exists():
        raise ValidationError({"other": "This link between these two young people is already recorded."})
    link = _evidence(Association(person=person, other=other, nature=nature), actor=actor, fields=evidence)
    return _save_link(link, actor=actor,
                      detail={"young_people": [person.audit_label, other.audit_label]})


@transaction.atomic
def place_link_add(*, actor, place: Place, nature: str, young_person: YoungPerson | None = None,
                   peer_group: PeerGroup | None = None, **evidence) -> PlaceLink:
    if (young_person is None) == (peer_group is None):
        raise ValidationError("Link the place to one young person or one peer group.")
    policies.can_record_link.ensure(actor, place)
    subject = young_person or peer_group
    access.require(actor, None, subject)
    if PlaceLink.objects.filter(place=place, young_person=young_person, peer_group=peer_group, nature=nature,
                                ended_on__isnull=True).exists():
        raise ValidationError({"nature": "This link to the place is already recorded."})
    link = _evidence(PlaceLink(place=place, young_person=young_person, peer_group=peer_group, nature=nature),
                     actor=actor, fields=evidence)
    return _save_link(link, actor=actor,
                      detail={"place": place.audit_label, "subject": subject.audit_label})


@transaction.atomic
def link_review(*, actor, link, expected_version: int, review_by, reliability: str | None = None,
                note: str = ""):
    """Look at a link again: confirm or change its reliability, and set when it is next due."""
    policies.can_review_link.ensure(actor, link)
    link = lock_current(link, expected_version)
    if not link.is_current:
        raise ValidationError("This link has ended; record a new one if it applies again.")
    today = timezone.localdate()
    if review_by is None or review_by <= today:
        raise ValidationError({"review_by": "The next review date must be in the future."})
    before = link.reliability
    link.last_reviewed_on, link.review_by = today, review_by
    if reliability:
        link.reliability = reliability
    if note:
        link.notes = f"{link.notes}\n{today:%d %b %Y}, {actor.get_full_name()}: {note}".strip()
    link.full_clean()
    link.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=link,
                 detail={"reviewed": True, "reliability": [before, link.reliability]})
    return link


@transaction.atomic
def link_end(*, actor, link, expected_version: int, reason: str, ended_on=None):
    """End a link that no longer holds. It stays in the history, marked ended, with the reason."""
    policies.can_review_link.ensure(actor, link)
    link = lock_current(link, expected_version)
    if not link.is_current:
        raise ValidationError("This link has already ended.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the link has ended."})
    link.ended_on = ended_on or timezone.localdate()
    if link.ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "The end date cannot be in the future."})
    link.end_reason = reason.strip()
    link.full_clean()
    link.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=link,
                 detail={"ended": True})
    return link


@transaction.atomic
def links_review_many(*, actor, links, decision: str, review_by=None, reliability: str | None = None,
                      note: str = "", reason: str = "") -> tuple[list, list]:
    """Review (``decision="review"``) or end (``"end"``) several links at once, in one transaction, each through
    the single link's service (``link_review`` or ``link_end``: the same rule, the same audit row). ``links`` holds
    ``(link, version the person saw)`` pairs. A link someone else changed meanwhile, or ended, is left as it is
    and reported: ``(done, [(link, reason), ...])``; one the person may not review refuses them all."""
    if decision not in ("review", "end"):
        raise ValidationError({"decision": "Select what to do with the selected links."})
    for link, _ in links:  # one the person may not review refuses the whole batch, before anything is written
        policies.can_review_link.ensure(actor, link)
    done, refused = [], []
    for link, version in links:
        try:
            with transaction.atomic():  # a savepoint: a link changed meanwhile leaves the others done
                if decision == "end":
                    done.append(link_end(actor=actor, link=link, expected_version=version, reason=reason))
                else:
                    done.append(link_review(actor=actor, link=link, expected_version=version, review_by=review_by,
                                            reliability=reliability or None, note=note))
        except ValidationError as error:
            refused.append((link, " ".join(error.messages)))
    return done, refused


@transaction.atomic
def guardian_add(*, actor, place: Place, **fields) -> Guardian:
    policies.can_record_link.ensure(actor, place)
    guardian = Guardian(place=place, added_by=actor, **fields)
    guardian.full_clean()
    guardian.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=guardian,
                 detail={"place": place.audit_label})
    return guardian


@transaction.atomic
def guardian_training_add(*, actor, guardian: Guardian, given_on, topic: str,
                          delivered_by: str = "") -> GuardianTraining:
    access.require(actor, None, guardian)
    policies.can_record_link.ensure(actor, guardian.place)
    if given_on and given_on > timezone.localdate():
        raise ValidationError({"given_on": "The training date cannot be in the future."})
    training = GuardianTraining(guardian=guardian, given_on=given_on, topic=topic, delivered_by=delivered_by,
                                recorded_by=actor)
    training.full_clean()
    training.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=guardian,
                 detail={"training": topic})
    return training


@transaction.atomic
def place_tag(*, actor, entry: ChronologyEntry, place: Place) -> PlaceTag:
    """Say where something in a chronology happened. An entry may be tagged with more than one place (each agency
    sees the tags at places it can see, so one agency's tag never stops, or tells, another)."""
    policies.can_tag_entry.ensure(actor, entry)
    policies.can_record_link.ensure(actor, place)
    if PlaceTag.objects.filter(entry=entry, place=place).exists():
        raise ValidationError({"place": "This entry is already tagged with this place."})
    tag = PlaceTag(entry=entry, place=place, tagged_by=actor)
    tag.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=place,
                 detail={"tagged_entry": entry.audit_label})
    return tag


# --- Referrals of places and peer groups (the front door: cases.referrals holds what every kind shares) ------------

REFERRAL_FIELDS = {
    "kind", "name", "description", "place_kind", "address", "postcode", "concerns", "harm_types", "urgency",
    "lawful_basis", "special_category", "agreement",
}
_KIND_MODEL = {ContextKind.PLACE: Place, ContextKind.PEER_GROUP: PeerGroup}


@transaction.atomic
def context_referral_create(*, actor, to_agency=None, record: Place | PeerGroup | None = None,
                            **fields) -> ContextReferral:
    """Refer a concern about a place or peer group to a lead authority: one the referrer can see (``record``: its
    details are copied, since the authority may not see it), or one described."""
    referral = ContextReferral(**only(fields, REFERRAL_FIELDS))
    if record is not None:
        access.require(actor, None, record)
        kind = ContextKind.PLACE if isinstance(record, Place) else ContextKind.PEER_GROUP
        referral.kind, referral.name = kind, record.name
        referral.description = referral.description or record.description
        if kind == ContextKind.PLACE:
            referral.place, referral.place_kind = record, record.kind
            referral.address, referral.postcode = record.address, record.postcode
        else:
            referral.peer_group = record
    if referral.kind == ContextKind.PEER_GROUP:
        referral.place_kind = ""
    referral.postcode = referral.postcode.upper().strip()
    return referrals.submit(actor, referral, to_agency=to_agency, postcode=referral.postcode,
                            detail={"about": record.audit_label if record else None})


def _is_referred(referral: ContextReferral, record) -> bool:
    return record.pk == (referral.place_id if isinstance(record, Place) else referral.peer_group_id)


@transaction.atomic
def context_referral_accept(*, actor, referral: ContextReferral, expected_version: int,
                            record: Place | PeerGroup | None = None, lead_practitioner=None) -> ContextReferral:
    """Accept: join an existing place or group (``record``: one the actor's agency can see, or the referrer's own
    record the referral is about, which is then shared with the actor's agency to contribute), or open a new one,
    owned by the actor's agency, from the referral's details. The referring agency keeps view access to it."""
    referral = referrals.decided(actor, referral, expected_version)
    model = _KIND_MODEL[referral.kind]
    if record is not None:
        if not isinstance(record, model):
            raise ValidationError({"record": f"Choose a {model._meta.verbose_name}."})
        if _is_referred(referral, record) and not access.can(actor, record):
            # The referrer's own record, which the authority works on with them: shared with it to contribute (the
            # referrer keeps it; a transfer moves it, if that is wanted later).
            access.share_because(
                actor, record, actor.agency, level=access.CONTRIBUTE,
                cause=DisclosureCause.REFERRAL, cause_label=referral.audit_label, asks_reason=False,
                basis=basis_of(referral).caused_by(f"{referral.audit_label} accepted: the authority works on the "
                                                   "referrer's record with it"))
        else:
            access.require(actor, None, record)
        joined = True
    else:
        fields = {"name": referral.name, "description": referral.description or referral.concerns[:5000],
                  "status": ContextStatus.OPEN, "lead_practitioner": lead_practitioner}
        if model is Place:
            fields.update(kind=referral.place_kind or "other", address=referral.address, postcode=referral.postcode)
        record = context_create(actor=actor, model=model, **fields)
        joined = False
    referrals.keep_view(actor, referral, record)
    referral.place, referral.peer_group = (record, None) if model is Place else (None, record)
    return referrals.finish(actor, referral, ReferralStatus.ACCEPTED, {"record": record.audit_label, "joined": joined})
