"""Returns in the shapes the Department for Education and Ofsted use, as far as the recorded data supplies them.

A child-level extract shaped like the Children in Need census's "factors identified at the end of assessment": one
row per case open at any time in the period, with the child's identifiers and characteristics in the census's codes
and the factors the case's recorded harm types stand for. What the data cannot supply yet is named (``GAPS``) on
the page that offers it, so nobody mistakes the extract for a complete return.
"""

from datetime import date

from django.db.models import Q

from cases.models import HarmType, Sex

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

# What an inspector or the census asks for that the recorded data cannot supply yet, said plainly on the page.
GAPS = [
    "18B (physical abuse, child on child): serious youth violence is recorded without saying whether the young "
    "person was harmed by another child, so it is not counted as 18B.",
    "Online harm and radicalisation have no census factor of their own; they are not in the extract.",
    "Referral source, the assessment's start and authorisation dates and the category of need are not recorded "
    "here: take them from the case management system.",
    "Ofsted's Annex A list of children who go missing needs each missing episode and whether a return home "
    "interview was offered and accepted; episodes are not recorded yet, so that list cannot be made.",
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


def factors(harm_types) -> list[str]:
    return [code for code, _label, harms in FACTORS if any(harm in harm_types for harm in harms)]


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
    ("Factors identified", lambda c: ",".join(factors(c.harm_types))),
]
