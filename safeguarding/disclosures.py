"""The record of why each disclosure was lawful (``Disclosure``), and the check every service makes first.

A share of a record with an agency (the sharing panel, a panel's request, a referral accepted, a transfer keeping
view), a request to an agency to contribute and its answer: each writes one ``Disclosure`` with its lawful basis
(safeguarding.lawful), the agreement between the two agencies, the reason, and whether the young person and family
were told. The services call ``check`` before they change anything, so a disclosure without its basis is refused
whatever form or client sent it.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from .lawful import MISSING, Article6, Article9, Basis, Told
from .models import Agency, Disclosure, InformationSharingAgreement


def agreement_between(*agencies: Agency) -> InformationSharingAgreement | None:
    """The current agreement every one of ``agencies`` is party to (the most recently started), if there is one."""
    return InformationSharingAgreement.objects.current().covering(*agencies).first()


def check(basis: Basis | None, *agencies: Agency, asks_reason: bool = True) -> Basis:
    """``basis``, complete and valid between ``agencies``, or a ValidationError naming each missing part.

    With no agreement given, the current one between the agencies is recorded; one given must be current and have
    them all as parties. ``asks_reason=False`` for a record that holds its reason and who was told in its own fields
    (a referral: what the referrer is worried about, and what the young person and family know)."""
    basis = basis or Basis()
    errors = {}
    if basis.lawful_basis not in Article6.values:
        errors["lawful_basis"] = MISSING["lawful_basis"]
    if basis.special_category not in Article9.values:
        errors["special_category"] = MISSING["special_category"]
    if asks_reason:
        if not (basis.reason or "").strip():
            errors["reason"] = MISSING["reason"]
        if basis.told not in Told.values:
            errors["told"] = MISSING["told"]
        elif basis.told == Told.NOT_TOLD and not (basis.not_told_why or "").strip():
            errors["not_told_why"] = MISSING["not_told_why"]
    agreement = basis.agreement
    known = [agency for agency in agencies if agency is not None]
    if agreement is not None:
        covering = InformationSharingAgreement.objects.current().covering(*known).filter(pk=agreement.pk)
        if not covering.exists():
            errors["agreement"] = ("Choose an agreement in force today between the agencies concerned, or none")
    elif len(known) >= 2:
        agreement = agreement_between(*known)
    if errors:
        raise ValidationError(errors)
    return Basis(lawful_basis=basis.lawful_basis, special_category=basis.special_category,
                 reason=(basis.reason or "").strip(), told=basis.told or "",
                 not_told_why=(basis.not_told_why or "").strip() if basis.told == Told.NOT_TOLD else "",
                 agreement=agreement)


def record(*, actor, target, from_agency: Agency, to_agency: Agency, basis: Basis, cause: str, level: str = "",
           cause_label: str = "") -> Disclosure:
    """Write why ``target`` was disclosed to ``to_agency``; a share replaces the one it had (ended, kept)."""
    record_type = ContentType.objects.get_for_model(target)
    if level:
        end(actor=actor, target=target, agency=to_agency)
    person = actor.pk is not None
    row = Disclosure(record_type=record_type, record_id=target.pk, from_agency=from_agency, to_agency=to_agency,
                     level=level, cause=cause, cause_label=cause_label[:60], made_by=actor if person else None,
                     made_by_name=actor.get_username()[:150])
    row.set_basis(basis)
    row.full_clean()
    row.save()
    return row


def end(*, actor, target, agency: Agency) -> int:
    """The current shares of ``target`` with ``agency`` have ended (unshared, or replaced by a new share)."""
    return Disclosure.objects.filter(
        record_type=ContentType.objects.get_for_model(target), record_id=target.pk, to_agency=agency,
        ended_at__isnull=True).exclude(level="").update(
        ended_at=timezone.now(), ended_by=actor if actor.pk is not None else None)


def erase(target, disposal) -> int:
    """``target`` is being disposed of (safeguarding.retention): why it was disclosed, and why the young person and
    family were not told, are free text that may name people, so they go with it; the basis, the agreement, who
    shared it with whom and when stay (they name no one)."""
    rows = Disclosure.objects.filter(record_type=ContentType.objects.get_for_model(target), record_id=target.pk)
    return disposal.erase_all(rows, reason=disposal.marker[:3000], not_told_why="")


def current_shares(target) -> dict[int, Disclosure]:
    """The basis of each current share of ``target``, by agency id: one query."""
    rows = Disclosure.objects.filter(
        record_type=ContentType.objects.get_for_model(target), record_id=target.pk, ended_at__isnull=True,
    ).exclude(level="").select_related("agreement", "made_by").order_by("made_at", "id")
    return {row.to_agency_id: row for row in rows}


def of(target, *causes: str) -> list[Disclosure]:
    """Every disclosure of ``target`` (a contribution request: its request and its answer), oldest first."""
    rows = Disclosure.objects.filter(record_type=ContentType.objects.get_for_model(target), record_id=target.pk)
    if causes:
        rows = rows.filter(cause__in=causes)
    return list(rows.select_related("agreement", "made_by", "from_agency", "to_agency").order_by("made_at", "id"))
