"""Finding a young person to choose (safeguarding.pickers): by name or alias (spelling need not be exact), date of
birth, age, or a reference (case reference, YP number, LA person ID, NHS number, UPN), among those the person may see.

A name is matched word by word on ``search_text`` through its trigram index. A short word (under ``FUZZY_MIN``
letters) is the start of a word of a name or alias (``~ '(^| )oli'``: Oliver, Olivia); a longer one may be misspelt,
matched by word similarity (``%>`` at ``pg_trgm.word_similarity_threshold``, 0.4 as set on every connection in
settings: "Jaden" finds Jayden, "Okafur" Okafor). Each condition is one the GIN index answers, so a search reads its
candidates and never the million rows; whether the reader may see each candidate is then two index-only probes
(the case by young person, ``case_yp_id_idx``, then its grant). At a million young people, see docs/BENCHMARKS.md.
"""

import re
from datetime import date

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from safeguarding import access, pickers

from .models import Case, YoungPerson

CASE_REFERENCE = re.compile(r"^EFH-\d{4}-\d{1,6}$", re.IGNORECASE)
YP_NUMBER = re.compile(r"^YP-?(\d{1,9})$", re.IGNORECASE)
NHS_NUMBER = re.compile(r"^\d{10}$")
UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
AGE = re.compile(r"^\d{1,2}$")
WORD_MIN = 3  # shorter words only narrow a search that has a longer one (a trigram index needs three letters)
FUZZY_MIN = 5  # from this length a word may be misspelt; a shorter one is the start of a name ("oli")


def _as_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse(text: str) -> dict:
    """What was typed, taken apart: a reference, a date of birth, an age and name words."""
    text = " ".join(text.split())
    compact = text.replace(" ", "").upper()
    if CASE_REFERENCE.match(compact):
        return {"case_reference": compact}
    if match := YP_NUMBER.match(compact):
        return {"pk": int(match[1])}
    if NHS_NUMBER.match(compact):
        return {"identifier": compact}
    if UPN.match(compact):
        return {"identifier": compact}
    tokens = text.split(" ")
    # "14 3 2010": three numbers in a row as a date
    for i in range(len(tokens) - 2):
        day, month, year = tokens[i:i + 3]
        if day.isdigit() and month.isdigit() and len(year) == 4 and year.isdigit():
            if born := _as_date(day, month, year):
                return {"date_of_birth": born, **parse_rest(tokens[:i] + tokens[i + 3:])}
    for i, token in enumerate(tokens):
        match = DATE.match(token)
        born = _as_date(match[1], match[2], match[3]) if match else None
        if not born and (match := ISO_DATE.match(token)):
            born = _as_date(match[3], match[2], match[1])
        if born:
            return {"date_of_birth": born, **parse_rest(tokens[:i] + tokens[i + 1:])}
    return parse_rest(tokens)


def parse_rest(tokens: list[str]) -> dict:
    found: dict = {"words": []}
    for token in tokens:
        if AGE.match(token) and "age" not in found:
            found["age"] = int(token)
        elif any(ch.isdigit() for ch in token) and len(tokens) == 1:
            found["identifier"] = token  # an LA person ID, typed as it is held
        elif token:
            found["words"].append(token.lower())
    return found


def _born_aged(age: int) -> Q:
    """Born on a day that makes them ``age`` today."""
    return born_aged(age, age)


def born_aged(youngest: int | None, oldest: int | None) -> Q:
    """Born on a day that makes them ``youngest`` to ``oldest`` today (either end open when None): a range of dates
    of birth, which ``yp_dob_idx`` answers."""
    today, condition = timezone.localdate(), Q()
    if youngest is not None:
        condition &= Q(date_of_birth__lte=_years_before(today, youngest))
    if oldest is not None:
        condition &= Q(date_of_birth__gt=_years_before(today, oldest + 1))
    return condition


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def search(user, rows, text: str):
    wanted = parse(text)
    if "case_reference" in wanted:
        cases = access.visible(user, Case.objects.filter(young_person=OuterRef("pk"),
                                                         reference=wanted["case_reference"]))
        return rows.filter(Exists(cases)).order_by("pk"), "case reference"
    if "pk" in wanted:
        return rows.filter(pk=wanted["pk"]), "YP number"
    if "identifier" in wanted and not wanted.get("words"):
        value = wanted["identifier"]
        return rows.filter(Q(la_person_id=value) | Q(nhs_number=value) | Q(upn=value.upper())).order_by(
            "last_name", "first_name", "pk"), "identifier"
    condition, by = Q(), []
    if born := wanted.get("date_of_birth"):
        condition &= Q(date_of_birth=born)
        by.append("date of birth")
    if (age := wanted.get("age")) is not None:
        condition &= _born_aged(age)
        by.append("age")
    words = wanted.get("words", [])
    long_words = [word for word in words if len(word) >= WORD_MIN]
    if words and not long_words and not by:
        return rows.none(), "name too short"
    for word in words:
        if len(word) >= FUZZY_MIN:
            condition &= Q(search_text__trigram_word_similar=word)
        else:
            condition &= Q(search_text__regex=rf"(^| ){_literal(word)}")
    if words:
        by.append("name")
    rows = rows.filter(condition)
    if long_words:
        phrase = " ".join(words)
        return (rows.annotate(likeness=TrigramWordSimilarity(phrase, "search_text"))
                .order_by("-likeness", "last_name", "first_name", "pk")), " and ".join(by)
    return rows.order_by("last_name", "first_name", "pk"), " and ".join(by)


def _literal(word: str) -> str:
    """``word`` as a literal in a PostgreSQL regular expression."""
    return re.sub(r"([^\w ])", r"\\\1", word)


def prepare(rows, user):
    """With the newest case reference the person may see (searching; not for a choice already made)."""
    if user is None:
        return rows
    latest = access.visible(user, Case.objects.filter(young_person=OuterRef("pk"))).order_by("-opened_on", "-pk")
    return rows.annotate(case_reference=Subquery(latest.values("reference")[:1]))


def describe(person) -> pickers.Match:
    parts = []
    if person.known_as:
        parts.append("Known as " + ", ".join(person.known_as[:3]))
    parts.append(f"Born {person.date_of_birth:%-d %B %Y} (age {person.age})")
    reference = getattr(person, "case_reference", None)
    parts.append(f"{reference}, YP-{person.pk}" if reference else f"YP-{person.pk}")
    return pickers.Match(person.pk, person.full_name, " · ".join(parts))


FINDER = pickers.register(pickers.Finder(
    kind="young-person", model=YoungPerson, noun="young person",
    hint="Search by name or alias, date of birth (14/3/2010), age, or a reference: EFH case reference, YP number, "
         "LA person ID, NHS number or UPN",
    rows=lambda user: access.visible(user, YoungPerson.objects.all()),
    search=search, describe=describe, prepare=prepare))
