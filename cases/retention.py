"""Retention of this app's records (safeguarding.retention): a closed case, and with its last case the young person.

Disposing of a closed case erases its free text (the reason for involvement, the closure note, every chronology
entry's text) and the personal details its referrals carried, leaving the case as a stub: its reference, dates,
status and risk level stay, and its text says when, under which schedule and by whom it was disposed of.

When no other case of the young person is left undisposed, the young person is erased too: names, aliases, address,
postcode and identifying numbers go, and the date of birth becomes 1 January of its year (kept for age-band figures
only); their words and trusted adults are erased, and every app's rows about them (``retention.on_erase``).
"""

from datetime import date

from django.db.models import Q

from safeguarding import retention
from safeguarding.models import RetentionItem, RetentionStatus

from .models import Case, CaseStatus, ChronologyEntry, TrustedAdult, VoiceEntry, YoungPerson, YoungPersonReferral

CASE = "cases.case"
ERASED_NAME = ("Record", "disposed of")


def case_dispose(case: Case, disposal: retention.Disposal) -> None:
    marker = disposal.marker
    disposal.erase(case, summary=marker, closure_note="")
    disposal.erase_all(ChronologyEntry.objects.filter(case=case), text=marker)
    disposal.erase_all(YoungPersonReferral.objects.filter(case=case), **_referral_erased(marker))
    others = Case.objects.filter(young_person_id=case.young_person_id).exclude(pk=case.pk)
    disposed = set(RetentionItem.objects.filter(record_type=CASE, status=RetentionStatus.DISPOSED,
                                                record_id__in=others.values("pk")).values_list("record_id", flat=True))
    if set(others.values_list("pk", flat=True)) <= disposed:
        young_person_erase(YoungPerson.objects.select_for_update().get(pk=case.young_person_id), disposal)


def _referral_erased(marker: str) -> dict:
    return {"first_name": ERASED_NAME[0], "last_name": ERASED_NAME[1], "known_as": [], "date_of_birth": None,
            "address": "", "postcode": "", "school": "", "concerns": marker, "family_knows": "",
            "more_information_asked": "", "more_information_given": "", "decline_reason": "", "advice": "",
            "reason": "", "not_told_why": ""}


def young_person_erase(person: YoungPerson, disposal: retention.Disposal) -> None:
    marker = disposal.marker
    disposal.erase(person, first_name=ERASED_NAME[0], last_name=ERASED_NAME[1], known_as=[],
                   date_of_birth=date(person.date_of_birth.year, 1, 1), gender_identity="", communication_needs="",
                   address="", postcode="", la_person_id="", nhs_number="", upn="", search_text="")
    disposal.erase_all(VoiceEntry.objects.filter(young_person=person), words=marker, how_captured="")
    disposal.erase_all(TrustedAdult.objects.filter(young_person=person), name="Erased", how_to_contact="",
                       notes=marker)
    disposal.erase_all(YoungPersonReferral.objects.filter(young_person=person), **_referral_erased(marker))
    retention.erase_related(person, disposal)


def register() -> None:
    from django.urls import reverse

    retention.register(retention.RecordType(
        key=CASE, label="Closed cases", model=Case, anchor="closed_on", anchor_label="closed",
        eligible=Q(status=CaseStatus.CLOSED, closed_on__isnull=False), dispose=case_dispose,
        url=lambda case: reverse("case", args=[case.pk]), reference="reference", default_months=72))
