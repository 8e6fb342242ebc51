"""The front door: one mechanism for every kind of referral (a young person's here, a place's or group's in
``contexts``), from the referrer's form to the lead authority's decision.

- A kind registers here where its concrete model is declared (``register``): the queue, "my agency's referrals", the
  referral's page and its clock then work for it. Accepting differs by kind (a case, or a place or group), so each
  kind's ``services`` module has its own accept; everything else is here, once.
- Routing: a referral goes to the lead authority whose area (``Agency.postcode_districts``) holds its postcode's
  district, or to the only lead authority of the deployment; the referrer may choose another.
- The clock: ``decide_by`` is ``REFERRAL_DECISION_WORKING_DAYS`` working days (``safeguarding.workdays``) after it
  arrives, and again after more information returns.
- Decisions are under the optimistic lock (``version``): two managers deciding one referral at once cannot both win.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding import access, audit, disclosures, notifications, workdays
from safeguarding.lawful import basis_of
from safeguarding.models import Agency, AuditAction, DisclosureCause, NotificationKind
from safeguarding.roles import Perm
from safeguarding.versioning import lock_current

from . import policies
from .models import Referral, ReferralStatus


@dataclass(frozen=True)
class Kind:
    word: str  # in addresses: /referrals/<word>/<pk>/
    model: type[Referral]
    noun: str  # "young person", "place or peer group"
    duplicates: Callable[[Any, Referral], list]  # (user, referral) -> possible matches the user can see
    outcome_url: Callable[[Referral], str | None]  # what accepting made of it, or None
    accept_form_options: Callable[..., dict]  # (user, referral, duplicates) -> the accept form's options
    accept: Callable[..., Referral]  # (actor, referral, valid accept form) -> the accepted referral, by the service


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.word] = kind
    return kind


def kind_of(referral) -> Kind:
    return KINDS[type(referral).kind_word]


def url(referral) -> str:
    return reverse("referral", args=[type(referral).kind_word, referral.pk])


# --- Routing and the clock ----------------------------------------------------------------------------------------

def district(postcode: str) -> str:
    """The outward code of a postcode ("NF1 2AB" -> "NF1"), or "" when there is none."""
    compact = "".join(postcode.upper().split())
    return compact[:-3] if len(compact) >= 5 else ""


def lead_authorities():
    return Agency.objects.filter(is_lead_authority=True, is_active=True).order_by("name")


def route(postcode: str) -> Agency | None:
    """The lead authority a referral about ``postcode`` goes to: the one whose area holds its district, else the only
    one in the deployment; None when that cannot be told (the referrer chooses)."""
    leads = lead_authorities()
    code = district(postcode or "")
    if code:
        found = list(leads.filter(postcode_districts__contains=[code])[:2])
        if len(found) == 1:
            return found[0]
    only = list(leads[:2])
    return only[0] if len(only) == 1 else None


def decide_by(start=None):
    return workdays.add_working_days(start or timezone.localdate(), settings.REFERRAL_DECISION_WORKING_DAYS)


# --- The workflow every kind shares ---------------------------------------------------------------------------------

def submit(actor, referral: Referral, *, to_agency: Agency | None, postcode: str = "", detail: dict | None = None):
    """Send ``referral`` (filled in by its kind's service) to ``to_agency``, or to where ``postcode`` routes it."""
    routed = route(postcode)
    chosen = to_agency or routed
    policies.can_refer.ensure(actor, chosen)
    referral.referring_agency, referral.referred_by, referral.to_agency = actor.agency, actor, chosen
    referral.routed_to = routed if routed and routed != chosen else None
    referral.decide_by = decide_by()
    # Its lawful basis, and the agreement in force between the referrer and the authority (found if not chosen).
    referral.agreement = disclosures.check(basis_of(referral), actor.agency, chosen, asks_reason=False).agreement
    referral.full_clean()
    referral.save()
    audit.record(actor=actor, action=AuditAction.REFER, target=referral, detail={
        "to_agency": chosen.pk, "routed_to": routed.pk if routed else None, "urgency": referral.urgency,
        **referral.lawful_detail(), **(detail or {})})
    _tell_front_door(referral)
    return referral


def decided(actor, referral: Referral, expected_version: int) -> Referral:
    """The referral, locked at ``expected_version``, if ``actor`` may decide it now."""
    current = lock_current(referral, expected_version)
    policies.can_decide_referral.ensure(actor, current)
    return current


def finish(actor, referral: Referral, status: str, detail: dict):
    referral.status, referral.decided_by, referral.decided_at = status, actor, timezone.now()
    referral.full_clean()
    referral.save()
    audit.record(actor=actor, action=AuditAction.DECIDE, target=referral, detail={"outcome": status, **detail})
    _tell_referrer(referral)
    return referral


def keep_view(actor, referral: Referral, record):
    """The referring agency keeps view access to what its referral joined, unless it already sees it: a share on
    the referral's own lawful basis (its reason and who was told are on the referral)."""
    agency = referral.referring_agency
    if agency.pk == record.owning_agency_id:
        return False
    if access.grant_model(type(record)).objects.filter(group_id=agency.group_id, content_object=record).exists():
        return False
    access.share_because(
        actor, record, agency, level=access.VIEW, cause=DisclosureCause.REFERRAL,
        cause_label=referral.audit_label, asks_reason=False,
        basis=basis_of(referral).caused_by(f"{referral.audit_label} accepted: the referrer keeps view access"))
    return True


@transaction.atomic
def referral_decline(*, actor, referral: Referral, expected_version: int, reason: str, advice: str = ""):
    """Decline, saying why and what the referrer might do instead. The referrer is told."""
    referral = decided(actor, referral, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the referral is declined."})
    referral.decline_reason, referral.advice = reason.strip(), advice.strip()
    return finish(actor, referral, ReferralStatus.DECLINED, {})


@transaction.atomic
def referral_ask(*, actor, referral: Referral, expected_version: int, question: str):
    """Ask the referrer for more information; the clock stops until they answer."""
    referral = decided(actor, referral, expected_version)
    if not question.strip():
        raise ValidationError({"question": "Say what you need to know."})
    referral.more_information_asked = question.strip()
    referral.status = ReferralStatus.MORE_INFORMATION
    referral.full_clean()
    referral.save()
    audit.record(actor=actor, action=AuditAction.RETURN, target=referral, detail={"outcome": "more_information"})
    _tell_referrer(referral, asked=True)
    return referral


@transaction.atomic
def referral_answer(*, actor, referral: Referral, expected_version: int, answer: str):
    """The referrer answers what was asked; the referral goes back to the front door's queue, with a new clock."""
    referral = lock_current(referral, expected_version)
    policies.can_answer_referral.ensure(actor, referral)
    if not answer.strip():
        raise ValidationError({"answer": "Give the information asked for."})
    stamp = f"{timezone.localdate():%d %b %Y}, {actor.get_full_name() or actor.get_username()}"
    referral.more_information_given = f"{referral.more_information_given}\n\n{stamp}: {answer.strip()}".strip()
    referral.status = ReferralStatus.WAITING
    referral.decide_by = decide_by()
    referral.full_clean()
    referral.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=referral, detail={"answered": True})
    _tell_front_door(referral)
    return referral


# --- Who is told ----------------------------------------------------------------------------------------------------

def _tell_front_door(referral):
    """The receiving authority's team managers (those who triage) are told a referral waits."""
    notifications.notify(kind=NotificationKind.REFERRAL_RECEIVED, title=f"{referral} from {referral.referring_agency}",
                         url=url(referral), agency=referral.to_agency, perm=Perm.TRIAGE, about=referral)


def _tell_referrer(referral, *, asked: bool = False):
    """The referrer is told of a decision, or asked for more information (required: the clock waits on them)."""
    kind = NotificationKind.MORE_INFORMATION if asked else NotificationKind.REFERRAL_DECIDED
    outcome = "more information asked" if asked else referral.get_status_display().lower()
    notifications.notify(kind=kind, title=f"{referral}: {outcome}", url=url(referral), people=[referral.referred_by],
                         required=asked)
