"""Returns in the shapes the Department for Education and Ofsted use, as far as the recorded data supplies them.

- A child-level extract shaped like the Children in Need census's "factors identified at the end of assessment": one
  row per case open at any time in the period, with the child's identifiers and characteristics in the census's codes
  and the factors the case's recorded harm types and records (missing episodes, NRM referrals) stand for.
- Ofsted's Annex A list of children who go missing: one row per missing episode open at any time in the period, with
  the child's identifiers, age, the episode's start and end, and its return home interview (offered when, within 72
  hours or how late, accepted or declined, held when).

What the data cannot supply yet is named (``GAPS``) on the page that offers it, so nobody mistakes an extract for a
complete return.
"""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import Exploitation, HarmType, MissingEpisode, NrmReferral, RhiOutcome, Sex

# Census factor codes, with the recorded harm types each is derived from. A case with several harm types has
# every factor they stand for; county lines is criminal exploitation run by a gang or network, so it counts twice.
FACTORS = [
    ("10A", "Going or being missing", [HarmType.MISSING]),
    ("11A", "Child sexual exploitation", [HarmType.CSE]),
    ("12A", "Trafficking", [HarmType.TRAFFICKING]),
    ("13A", "Gangs", [HarmType.COUNTY_LINES]),
    ("19B", "Sexual abuse: child on child", [HarmType.HSB]),
    ("24A", "Child criminal exploitation", [HarmType.CCE, HarmType.COUNTY_LINES]),
]

# Factors also found from records on the case (each its own condition, in ``recorded_q``), said on the page.
RECORDED = {
    "10A": "a missing episode open at any time in the period",
    "11A": "an NRM referral for sexual exploitation made by the end of the period",
    "12A": "an NRM referral made by the end of the period, whatever its decisions",
    "24A": "an NRM referral for criminal exploitation made by the end of the period",
}


def episodes_in(start: date, end: date, prefix: str = "") -> Q:
    """Missing episodes open at any time from ``start`` to ``end``: begun by its end, not yet over at its start."""
    tz = timezone.get_current_timezone()
    first, after = datetime.combine(start, datetime.min.time(), tz), datetime.combine(end, datetime.max.time(), tz)
    return Q(**{f"{prefix}missing_at__lte": after}) & (
        Q(**{f"{prefix}found_at__isnull": True}) | Q(**{f"{prefix}found_at__gte": first}))


def recorded_q(start: date, end: date) -> dict[str, Q]:
    """For each factor found from records, the condition on a case (``OuterRef('pk')``). The records inherit the
    case's visibility and none is restricted, so a case the reader can see brings its records with it."""
    nrm = NrmReferral.objects.filter(case=OuterRef("pk"), referred_on__lte=end)
    return {
        "10A": Q(Exists(MissingEpisode.objects.filter(episodes_in(start, end), case=OuterRef("pk")))),
        "11A": Q(Exists(nrm.filter(exploitation_types__contains=[Exploitation.SEXUAL]))),
        "12A": Q(Exists(nrm)),
        "24A": Q(Exists(nrm.filter(exploitation_types__contains=[Exploitation.CRIMINAL]))),
    }


def factor_q(code: str, harms, start: date, end: date) -> Q:
    """A case with factor ``code``: recorded with one of its harm types, or (for some) with a record that shows it."""
    q = Q(harm_types__overlap=[str(harm) for harm in harms])
    recorded = recorded_q(start, end)
    return q | recorded[code] if code in recorded else q


# What an inspector or the census asks for that the recorded data cannot supply yet, said plainly on the page.
GAPS = [
    "18B (physical abuse, child on child): serious youth violence is recorded without saying whether the young "
    "person was harmed by another child, so it is not counted as 18B.",
    "Online harm and radicalisation have no census factor of their own; they are not in the extract.",
    "Referral source, the assessment's start and authorisation dates and the category of need are not recorded "
    "here: take them from the case management system.",
    "Ofsted's Annex A list of children who go missing: only episodes recorded as missing episodes here are in it. "
    "Older missing episodes and return home interviews written as chronology text are not; whether a child was "
    "missing from home or from care, and the day an interview was accepted (only the day it was held), are not "
    "recorded.",
]

SEX_CODES = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.NOT_KNOWN: "U"}

# The Department for Education's ethnicity codes (Common Basic Data Set) for the ONS 2021 groups recorded here.
# "Gypsy or Irish Traveller" is one group here and two codes there: WROM is used, and the page says so.
ETHNICITY_CODES = {
    "asian_bangladeshi": "ABAN", "asian_chinese": "CHNE", "asian_indian": "AIND", "asian_pakistani": "APKN",
    "asian_other": "AOTH", "black_african": "BAFR", "black_caribbean": "BCRB", "black_other": "BOTH",
    "mixed_white_asian": "MWAS", "mixed_white_black_african": "MWBA", "mixed_white_black_caribbean": "MWBC",
    "mixed_other": "MOTH", "white_british": "WBRI", "white_irish": "WIRI", "white_gypsy_traveller": "WROM",
    "white_roma": "WROM", "white_other": "WOTH", "other_arab": "OOTH", "other_any": "OOTH", "not_stated": "REFU",
    "not_known": "NOBT",
}


def factors(harm_types, recorded=()) -> list[str]:
    """The factor codes of a case with ``harm_types`` and the record-found factors ``recorded``."""
    return [code for code, _label, harms in FACTORS if code in recorded or any(harm in harm_types for harm in harms)]


def recorded_annotations(start: date, end: date) -> dict:
    """Per case, whether each record-found factor holds: what the extract's "Factors identified" column reads."""
    from django.db.models import BooleanField, ExpressionWrapper

    return {f"recorded_{code}": ExpressionWrapper(q, output_field=BooleanField())
            for code, q in recorded_q(start, end).items()}


def _case_factors(case) -> str:
    recorded = {code for code in RECORDED if getattr(case, f"recorded_{code}", False)}
    return ",".join(factors(case.harm_types, recorded))


def open_in(start: date, end: date) -> Q:
    """Cases open at any time from ``start`` to ``end``: the census's population."""
    return Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


COLUMNS = [
    ("LA child ID", lambda c: c.young_person.la_person_id or c.young_person.audit_label),
    ("UPN", lambda c: c.young_person.upn),
    ("Date of birth", lambda c: c.young_person.date_of_birth),
    ("Sex", lambda c: SEX_CODES.get(c.young_person.sex, "U")),
    ("Ethnicity", lambda c: ETHNICITY_CODES.get(c.young_person.ethnicity, "NOBT")),
    ("Case reference", lambda c: c.reference),
    ("Case opened", lambda c: c.opened_on),
    ("Case closed", lambda c: c.closed_on or ""),
    ("Factors identified", _case_factors),
]


# --- Ofsted's Annex A: children who go missing --------------------------------------------------------------------

def _local(moment):
    """A moment as the borough's wall clock, without a zone (a spreadsheet cell has none)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else ""


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _interview(episode):
    return episode.interview


def within_72_hours(episode, now=None) -> str:
    """Whether the return home interview was offered within 72 hours of the return, in words the list uses."""
    interview = _interview(episode)
    if episode.found_at is None:
        return "Still missing"
    if interview is not None and not interview.offered:
        return "Not offered"
    late = episode.rhi_lateness(now)
    if interview is None:
        return "Not yet offered: overdue" if late else "Not yet offered: not yet due"
    return "No" if late else "Yes"


def _hours_late(episode):
    late = episode.rhi_lateness()
    return int(late.total_seconds() // 3600) if late and _interview(episode) is not None else ""


ANNEX_A_COLUMNS = [
    ("Child ID", lambda e: e.case.young_person.la_person_id or e.case.young_person.audit_label),
    ("Sex", lambda e: SEX_CODES.get(e.case.young_person.sex, "U")),
    ("Ethnicity", lambda e: ETHNICITY_CODES.get(e.case.young_person.ethnicity, "NOBT")),
    ("Age at start of episode", lambda e: _age_on(e.case.young_person.date_of_birth,
                                                  timezone.localtime(e.missing_at).date())),
    ("Case reference", lambda e: e.case.reference),
    ("Missing from", lambda e: _local(e.missing_at)),
    ("Found or returned", lambda e: _local(e.found_at) or "Still missing"),
    ("Hours missing", lambda e: int(e.duration.total_seconds() // 3600) if e.duration else ""),
    ("RHI offered", lambda e: _local(_interview(e).offered_at) if _interview(e) and _interview(e).offered else ""),
    ("RHI offered within 72 hours", within_72_hours),
    ("Hours late", _hours_late),
    ("RHI outcome", lambda e: _interview(e).get_outcome_display() if _interview(e) else "Not recorded"),
    ("RHI accepted and held on", lambda e: _interview(e).held_on or "" if _interview(e) and
     _interview(e).outcome == RhiOutcome.ACCEPTED else ""),
    ("Harm disclosed", lambda e: "Yes" if e.harm_disclosed else "No"),
]
