"""Transfers: a case, a place or a peer group moves to another authority or agency, by request and answer.

The owning agency's manager asks (``transfer_request``); the receiving agency's team manager accepts, choosing a lead
practitioner (``transfer_accept``), or rejects with a reason (``transfer_reject``). On accept, ownership and the manage
grants move in one step (``safeguarding.access.transfer``); the old owner keeps view access unless the request said
otherwise; the record's history, chronology and shares stay as they were. Both sides are audited and told.

One mechanism for every kind: a kind registers the model that moves, its transfer model and the transfer's foreign
key to it (``register``), where its models are declared.
"""

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding import access, audit, disclosures, notifications
from safeguarding.lawful import Basis, basis_of
from safeguarding.models import Agency, AuditAction, NotificationKind, User
from safeguarding.roles import Perm
from safeguarding.versioning import lock_current

from . import policies
from .models import Transfer, TransferStatus


@dataclass(frozen=True)
class Kind:
    record_model: type
    model: type[Transfer]
    field: str  # the transfer's foreign key to the record
    word: str  # in addresses: /transfers/<word>/<pk>/


BY_RECORD: dict[type, Kind] = {}
KINDS: dict[str, type[Transfer]] = {}


def register(kind: Kind) -> Kind:
    BY_RECORD[kind.record_model] = kind
    KINDS[kind.word] = kind.model
    return kind


def kind_for(record) -> Kind:
    return BY_RECORD[type(record)]


def url(transfer) -> str:
    return reverse("transfer", args=[transfer.kind_word, transfer.pk])


@transaction.atomic
def transfer_request(*, actor, record, to_agency: Agency, reason: str, keep_view: bool = True,
                     basis: Basis | None) -> Transfer:
    """Ask ``to_agency`` to take over ``record``, on the lawful ``basis`` given (``reason`` is why it should move)."""
    policies.can_request_transfer.ensure(actor, record)
    kind = kind_for(record)
    if to_agency.pk == record.owning_agency_id:
        raise ValidationError({"to_agency": "Your agency already owns this record."})
    if not to_agency.is_active:
        raise ValidationError({"to_agency": "This agency is no longer active."})
    basis = disclosures.check(replace(basis, reason=reason) if basis is not None else None,
                              record.owning_agency, to_agency)
    transfer = kind.model(**{kind.field: record}, from_agency=record.owning_agency, to_agency=to_agency,
                          keep_view=keep_view, asked_by=actor)
    transfer.set_basis(basis)
    transfer.full_clean()
    transfer.save()
    detail = {"to_agency": to_agency.pk, "keep_view": keep_view, "transfer": transfer.audit_label, **basis.detail()}
    audit.record(actor=actor, action=AuditAction.CREATE, target=transfer, detail=detail)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=record, detail={"transfer_asked": detail})
    _tell(transfer, asked=True)
    return transfer


def _decided(actor, transfer, expected_version):
    current = lock_current(transfer, expected_version)
    policies.can_decide_transfer.ensure(actor, current)
    current.decided_by, current.decided_at = actor, timezone.now()
    return current


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer, expected_version: int, lead_practitioner: User) -> Transfer:
    """Take the record over: ownership and manage move to the actor's agency, with ``lead_practitioner`` leading."""
    transfer = _decided(actor, transfer, expected_version)
    if lead_practitioner.agency_id != actor.agency_id or not lead_practitioner.is_active:
        raise ValidationError({"lead_practitioner": "The lead practitioner must be an active member of your agency."})
    record = type(transfer.record)._default_manager.select_for_update().get(pk=transfer.record.pk)
    if record.owning_agency_id != transfer.from_agency_id:
        raise ValidationError("The record has changed owner since the transfer was asked.")
    # The view the old owner keeps is shared on the transfer's own basis (none for one asked before transfers
    # recorded theirs: the panel then says it was not recorded, rather than inventing one).
    kept_basis = basis_of(transfer).caused_by(
        f"{transfer.audit_label} accepted: {transfer.from_agency} keeps view access to what it worked on. "
        f"{transfer.reason}"[:3000]) if transfer.lawful_basis else None
    access.transfer(record, transfer.to_agency, keep_view=transfer.keep_view, actor=actor,
                    cause_label=transfer.audit_label, basis=kept_basis)
    record.lead_practitioner = lead_practitioner
    record.version += 1
    record.save(update_fields=["owning_agency", "lead_practitioner", "version"])
    transfer.status = TransferStatus.ACCEPTED
    transfer.full_clean()
    transfer.save()
    detail = {"from_agency": transfer.from_agency_id, "to_agency": transfer.to_agency_id,
              "keep_view": transfer.keep_view, "transfer": transfer.audit_label}
    audit.record(actor=actor, action=AuditAction.DECIDE, target=transfer, detail={"outcome": "accepted"})
    audit.record(actor=actor, action=AuditAction.TRANSFER, target=record, detail=detail)
    _tell(transfer, lead=lead_practitioner)
    return transfer


@transaction.atomic
def transfer_reject(*, actor, transfer: Transfer, expected_version: int, reason: str) -> Transfer:
    """Refuse the transfer, saying why; nothing about the record changes."""
    transfer = _decided(actor, transfer, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the transfer is rejected."})
    transfer.status, transfer.reject_reason = TransferStatus.REJECTED, reason.strip()
    transfer.full_clean()
    transfer.save()
    audit.record(actor=actor, action=AuditAction.DECIDE, target=transfer, detail={"outcome": "rejected"})
    _tell(transfer)
    return transfer


def _tell(transfer, *, asked: bool = False, lead=None):
    """The receiving agency's team managers are told of a request; both sides of the answer."""
    if asked:
        notifications.notify(kind=NotificationKind.TRANSFER_ASKED, title=f"Transfer of {transfer.record} asked",
                             url=url(transfer), agency=transfer.to_agency, perm=Perm.DECIDE_TRANSFER,
                             about=transfer)
        return
    title = f"Transfer of {transfer.record} {transfer.get_status_display().lower()}"
    notifications.notify(kind=NotificationKind.TRANSFER_DECIDED, title=title, url=url(transfer),
                         people=[transfer.asked_by], agency=transfer.from_agency, perm=Perm.DECIDE_TRANSFER)
    if lead is not None:
        notifications.notify(kind=NotificationKind.TRANSFER_DECIDED, title=f"{transfer.record}: you are the lead",
                             url=url(transfer), people=[lead])
