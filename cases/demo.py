"""The fictional borough of Northfield, part two: its young people, with their cases, chronologies, voices and
trusted adults (the agencies and staff who write them are ``safeguarding.demo``'s).

Every write goes through the services, as the app writes it, so the access log, the change history and the
object grants are what real use would leave. The data are reproducible: each young person has their own
fixed seed, so person *n* is the same whatever ``--young-people`` says (dates move with today). Running it
again adds only what is missing: young people are found by their local authority person ID, and a young
person already there is skipped with everything that hangs from them. It all runs in one transaction, so a
failure leaves nothing half-written. The names, places and wording are in ``demo_data/``.

    DEBUG=1 python manage.py seed_demo [--young-people 200] [--force]    # every app's demo data, this among them
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.db import transaction
from django.utils import timezone
from faker import Faker

from cases import frontdoor_demo, transitions
from cases import services as case_services
from cases.identifiers import nhs_number_is_valid
from cases.models import (
    ETHNICITY_CHOICES,
    Case,
    ClosureReason,
    EntryKind,
    HarmType,
    RiskLevel,
    SendStatus,
    Sex,
    YoungPerson,
)
from safeguarding import access
from safeguarding.demo import AGENCIES, BOROUGH, LEAD, STAFF, DemoError, Run, load
from safeguarding.models import Agency, AgencyKind, User
from safeguarding.roles import Role

SEED = 2026
PERSON_ID_PREFIX = "NF-"  # the demo young people's local authority person IDs: what makes a re-run safe

LEAD_WEIGHT_OF_SW_DEMO = 2  # sw.demo leads about a quarter of the cases, so their caseload is worth opening

# --- How the young people and their cases are drawn ------------------------------------------------------

CASE_RATE = 0.88  # of young people who have a case
CLOSED_RATE = 0.2  # of cases open long enough to have closed
OLDEST_CASE_DAYS = 540
ENTRIES_PER_CASE = (2, 15, 5)  # fewest, most, most often
RESTRICTED_RATE = 0.01  # of entries, beyond the disclosures restricted anyway
RESTRICTED_DISCLOSURE_RATE = 0.4

ETHNICITY_WEIGHTS = {
    "white_british": 40, "white_other": 7, "black_african": 8, "black_caribbean": 6, "asian_pakistani": 6,
    "mixed_white_black_caribbean": 6, "asian_indian": 4, "asian_bangladeshi": 4,
}  # every other ONS group: weight 1
ETHNICITIES = [code for _, group in ETHNICITY_CHOICES for code, _ in group]
SEND_WEIGHTS = {SendStatus.NONE: 55, SendStatus.SEN_SUPPORT: 25, SendStatus.EHC_PLAN: 12,
                SendStatus.NOT_KNOWN: 8}
# Names given in England and Wales when these young people were born (Faker's en_GB first names belong to
# their parents' generation), and surnames of the borough's communities beside Faker's, nearly all English;
# first languages with their weights; what trusted adults are to them.
_PEOPLE = load(__file__, "people.json")
GIRLS_NAMES = _PEOPLE["girls_names"]
BOYS_NAMES = _PEOPLE["boys_names"]
SURNAMES = _PEOPLE["surnames"]
STREET_ENDINGS = _PEOPLE["street_endings"]
LANGUAGES = _PEOPLE["languages"]
COMMUNICATION_NEEDS = _PEOPLE["communication_needs"]
TRUSTED_RELATIONSHIPS = _PEOPLE["trusted_relationships"]
TRUSTED_NOTES = _PEOPLE["trusted_notes"]
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # "NF" is not a real postcode area

HARM_WEIGHTS = {
    HarmType.CCE: 22, HarmType.COUNTY_LINES: 12, HarmType.CSE: 16, HarmType.SYV: 14, HarmType.HSB: 8,
    HarmType.ONLINE: 10, HarmType.TRAFFICKING: 4, HarmType.RADICALISATION: 2, HarmType.MISSING: 12,
}
RISK_WEIGHTS = {RiskLevel.LOW: 25, RiskLevel.MEDIUM: 45, RiskLevel.HIGH: 30}
POLICE_LED = {HarmType.CCE, HarmType.COUNTY_LINES, HarmType.CSE, HarmType.SYV, HarmType.TRAFFICKING,
              HarmType.MISSING, HarmType.RADICALISATION}
SCHOOL_LED = {HarmType.HSB, HarmType.ONLINE}
# The other partners each kind of harm most often brings in.
HARM_PARTNERS = {
    HarmType.CCE: ["youth_justice", "voluntary", "transport"],
    HarmType.COUNTY_LINES: ["transport", "youth_justice", "voluntary"],
    HarmType.CSE: ["health", "voluntary", "housing"],
    HarmType.SYV: ["youth_justice", "health", "voluntary"],
    HarmType.HSB: ["health", "voluntary"],
    HarmType.ONLINE: ["health", "voluntary"],
    HarmType.TRAFFICKING: ["housing", "health", "voluntary"],
    HarmType.RADICALISATION: ["voluntary", "health"],
    HarmType.MISSING: ["transport", "housing", "voluntary"],
}
ENTRY_KIND_WEIGHTS = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: {
        EntryKind.NOTE: 35, EntryKind.CONTACT: 30, EntryKind.RETURN_INTERVIEW: 8, EntryKind.DISCLOSURE: 6,
        EntryKind.MISSING: 5, EntryKind.NRM_REFERRAL: 5, EntryKind.INCIDENT: 5, EntryKind.OTHER: 6,
    },
    AgencyKind.POLICE: {EntryKind.INCIDENT: 35, EntryKind.MISSING: 25, EntryKind.ARREST: 15,
                        EntryKind.NRM_REFERRAL: 10, EntryKind.NOTE: 15},
    AgencyKind.EDUCATION: {EntryKind.NOTE: 40, EntryKind.CONTACT: 25, EntryKind.DISCLOSURE: 15,
                           EntryKind.INCIDENT: 20},
    AgencyKind.HOUSING: {EntryKind.NOTE: 70, EntryKind.INCIDENT: 30},
    AgencyKind.HEALTH: {EntryKind.CONTACT: 40, EntryKind.NOTE: 40, EntryKind.DISCLOSURE: 20},
    AgencyKind.YOUTH_JUSTICE: {EntryKind.CONTACT: 40, EntryKind.NOTE: 40, EntryKind.ARREST: 20},
    AgencyKind.VOLUNTARY_SECTOR: {EntryKind.CONTACT: 50, EntryKind.RETURN_INTERVIEW: 30, EntryKind.NOTE: 20},
    AgencyKind.TRANSPORT: {EntryKind.INCIDENT: 60, EntryKind.OTHER: 40},
}
CLOSURE_WEIGHTS = {
    ClosureReason.RISK_REDUCED: 40, ClosureReason.STEPPED_DOWN: 30, ClosureReason.MOVED_AWAY: 10,
    ClosureReason.TRANSFERRED: 10, ClosureReason.NO_FURTHER_ACTION: 10,
}

# --- What the records say (fictional places; trauma-informed wording) -------------------------------------

_PLACES = load(__file__, "places.json")
PLACES = _PLACES["places"]
TOWNS = _PLACES["towns"]
_RECORDS = load(__file__, "records.json")
SUMMARIES = {HarmType(harm): text for harm, text in _RECORDS["summaries"].items()}
REFERRALS = _RECORDS["referrals"]
ENTRY_TEXTS = {EntryKind(kind): texts for kind, texts in _RECORDS["entry_texts"].items()}
CLOSURE_NOTES = {ClosureReason(reason): text for reason, text in _RECORDS["closure_notes"].items()}
VOICE_WORDS = _RECORDS["voice_words"]
HOW_CAPTURED = _RECORDS["how_captured"]


# --- Writing it -------------------------------------------------------------------------------------------


@dataclass
class Borough:
    """The agencies and staff that every young person's records are written by."""

    agencies: dict[str, Agency]
    users: dict[str, User]
    social_workers: list[User] = field(init=False)
    lead_weights: list[int] = field(init=False)
    managers: list[User] = field(init=False)

    def __post_init__(self):
        self.social_workers = self.staff(LEAD, Role.SOCIAL_WORKER)
        self.lead_weights = [
            LEAD_WEIGHT_OF_SW_DEMO if user.username == "sw.demo" else 1 for user in self.social_workers
        ]
        self.managers = self.staff(LEAD, Role.TEAM_MANAGER)

    def staff(self, agency: str, role: Role = Role.PARTNER_PRACTITIONER) -> list[User]:
        return [self.users[s.username] for s in STAFF if s.agency == agency and s.role == role]


@dataclass(frozen=True)
class Clock:
    """Today's date and the time now, read once so that every record is dated against the same moment."""

    today: date
    now: datetime


def seed(run: Run):
    """``run.young_people`` young people (person 1 to N), with everything that hangs from them."""
    if run.young_people < 0:
        raise DemoError("--young-people cannot be negative.")
    by_name = {a.name: a for a in Agency.objects.filter(name__in=[name for name, _ in AGENCIES.values()])}
    agencies = {key: by_name[name] for key, (name, _) in AGENCIES.items() if name in by_name}
    users = User.objects.select_related("agency").in_bulk([s.username for s in STAFF], field_name="username")
    missing = sorted({s.username for s in STAFF} - set(users)) + sorted(set(AGENCIES) - set(agencies))
    if missing:
        raise DemoError(f"Northfield's agencies and staff are missing ({', '.join(missing)}). Run seed_demo first.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        borough = Borough(agencies=agencies, users=users)
        _young_people(borough, run.young_people, tally)
        _moving_to_adult_services(borough, tally)
        frontdoor_demo.young_people(borough.managers, tally)
    run.report(tally, time.monotonic() - started, added="Seeded Northfield",
               nothing="Northfield demo data is already present: nothing to add.")


TRANSITION_PERSON_ID = f"{PERSON_ID_PREFIX}T00001"


def _moving_to_adult_services(borough: Borough, tally: Counter):
    """One young person aged 17 whose transition plan to adult social care is being worked out (cases.transitions):
    sw.demo leads, the handover meeting is booked and the named adult worker agreed."""
    if YoungPerson.objects.filter(la_person_id=TRANSITION_PERSON_ID).exists() or "adult_care" not in borough.agencies:
        return
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    lead = next(user for user in borough.social_workers if user.username == "sw.demo")
    today = timezone.localdate()
    person = case_services.young_person_create(
        actor=lead, first_name="Shannon", last_name=fake.last_name(), sex=Sex.FEMALE, ethnicity="white_british",
        date_of_birth=transitions.years_before(today, 17) - timedelta(days=75), la_person_id=TRANSITION_PERSON_ID,
        address=f"{rng.randint(1, 180)} {fake.last_name()} {rng.choice(STREET_ENDINGS)}, {BOROUGH}",
        postcode=_postcode(rng))
    case = case_services.case_open(
        actor=lead, young_person=person, opened_on=today - timedelta(days=200), lead_practitioner=lead,
        harm_types=[HarmType.CSE, HarmType.MISSING], risk_level=RiskLevel.HIGH,
        summary=SUMMARIES[HarmType.CSE].format(name=person.first_name, place=rng.choice(PLACES),
                                              town=rng.choice(TOWNS)),
        next_review_on=today + timedelta(days=21))
    transitions.transition_plan_open(
        actor=lead, case=case, adult_agency=borough.agencies["adult_care"], adult_worker=fake.name(),
        adult_worker_contact="Transitions Team, 0121 496 0000",
        continues=f"{person.first_name}'s youth worker from Safe Passage stays with her until she is 21; her "
                  "sexual health nurse continues; adult social care assess her care and support needs under the "
                  "Care Act 2014 before her birthday.",
        handover_on=today + timedelta(days=290), meeting_on=today + timedelta(days=230),
        notes=f"{person.first_name} wants to meet her adult worker before the handover meeting, at the youth "
              "centre, with her youth worker there.")
    tally["young people"] += 1
    tally["cases"] += 1
    tally["transition plans"] += 1


def _person_id(index: int) -> str:
    return f"{PERSON_ID_PREFIX}{index:06d}"


def _young_people(borough: Borough, count: int, tally: Counter):
    wanted = {_person_id(index): index for index in range(1, count + 1)}
    present = set(YoungPerson.objects.filter(la_person_id__in=wanted).values_list("la_person_id", flat=True))
    fake = Faker("en_GB")
    clock = Clock(today=timezone.localdate(), now=timezone.now())
    for person_id, index in wanted.items():
        if person_id not in present:
            seed = SEED * 1_000_000 + index
            fake.seed_instance(seed)
            _young_person(borough, index, fake, random.Random(seed), clock, tally)


def _young_person(borough: Borough, index: int, fake: Faker, rng: random.Random, clock: Clock,
                  tally: Counter):
    worker = rng.choices(borough.social_workers, weights=borough.lead_weights)[0]
    person = case_services.young_person_create(actor=worker, **_person_fields(index, fake, rng, clock.today))
    tally["young people"] += 1
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        _trusted_adult(worker, person, fake, rng)
        tally["trusted adults"] += 1
    if rng.random() < CASE_RATE:
        _case(borough, person, worker, rng, clock, tally)


def _person_fields(index: int, fake: Faker, rng: random.Random, today: date) -> dict:
    sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.NOT_KNOWN], weights=[44, 54, 2])[0]
    first_names = {Sex.FEMALE: GIRLS_NAMES, Sex.MALE: BOYS_NAMES}.get(sex, GIRLS_NAMES + BOYS_NAMES)
    first_name = rng.choice(first_names)
    last_name = rng.choice(SURNAMES) if rng.random() < 0.3 else fake.last_name()
    send_status = _weighted(rng, SEND_WEIGHTS)
    return {
        "first_name": first_name,
        "last_name": last_name,
        "known_as": _aliases(first_name, last_name, rng),
        # 3654..6569 days old is at least 10 and at most 17 years, whatever the leap years.
        "date_of_birth": today - timedelta(days=rng.randint(3654, 6569)),
        "sex": sex,
        "gender_identity": "Non-binary" if rng.random() < 0.03 else "",
        "ethnicity": rng.choices(ETHNICITIES, [ETHNICITY_WEIGHTS.get(code, 1) for code in ETHNICITIES])[0],
        "first_language": _weighted(rng, LANGUAGES),
        "send_status": send_status,
        "communication_needs": rng.choice(COMMUNICATION_NEEDS) if send_status == SendStatus.EHC_PLAN else "",
        "address": f"{rng.randint(1, 180)} {fake.last_name()} {rng.choice(STREET_ENDINGS)}, {BOROUGH}",
        "postcode": _postcode(rng),
        "la_person_id": _person_id(index),
        "nhs_number": _nhs_number(rng) if rng.random() < 0.7 else "",
    }


def _aliases(first_name: str, last_name: str, rng: random.Random) -> list[str]:
    if rng.random() >= 0.12:
        return []
    options = [f"{first_name[0]}{last_name[0]}", f"Lil {first_name}", first_name[:3], "Shorty", "Ace",
               "Smiley"]
    return rng.sample(options, rng.choice([1, 1, 2]))


def _postcode(rng: random.Random) -> str:
    units = "".join(rng.choices(POSTCODE_UNIT_LETTERS, k=2))
    return f"NF{rng.randint(1, 9)} {rng.randint(1, 9)}{units}"


def _nhs_number(rng: random.Random) -> str:
    """A number that passes the modulus 11 check, in the 999 range the NHS keeps for test data."""
    while True:
        stem = "999" + "".join(rng.choices("0123456789", k=6))
        valid = [stem + check for check in "0123456789" if nhs_number_is_valid(stem + check)]
        if valid:  # none when the check digit would be 10: such a stem is never issued
            return valid[0]


def _trusted_adult(actor: User, person: YoungPerson, fake: Faker, rng: random.Random):
    case_services.trusted_adult_add(
        actor=actor, young_person=person, name=f"{fake.first_name()} {fake.last_name()}",
        relationship=rng.choice(TRUSTED_RELATIONSHIPS),
        how_to_contact=f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's range for drama: never a real phone
        notes=rng.choice(TRUSTED_NOTES).format(name=person.first_name),
    )


def _case(borough: Borough, person: YoungPerson, lead: User, rng: random.Random, clock: Clock,
          tally: Counter):
    """Open a case, share it, write its chronology and the young person's voice, and perhaps close it."""
    opened_on = _opening_date(person, rng, clock.today)
    closed_on = _closing_date(opened_on, rng, clock.today)
    last_day = closed_on or clock.today
    harm_types = _harm_types(rng)
    words = {"name": person.first_name, "place": rng.choice(PLACES), "town": rng.choice(TOWNS)}
    case = case_services.case_open(
        actor=lead, young_person=person, opened_on=opened_on, lead_practitioner=lead, harm_types=harm_types,
        risk_level=_weighted(rng, RISK_WEIGHTS), summary=SUMMARIES[harm_types[0]].format(**words),
        next_review_on=None if closed_on else _review_date(rng, clock.today),
    )
    tally["cases"] += 1
    shared = _sharing_plan(rng, harm_types, person.age)
    _share(borough, case, lead, shared, tally)
    words["referrer"] = borough.agencies[rng.choice(list(shared))].name if shared else "a neighbour"
    partners = [user for key, level in shared.items() if level == access.CONTRIBUTE
                for user in borough.staff(key)]
    _chronology(borough, case, lead, partners, rng, words, (opened_on, last_day), clock.now, tally)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        _voice_entry(lead, person, rng, opened_on, last_day)
        tally["voice entries"] += 1
    if closed_on:
        reason = _weighted(rng, CLOSURE_WEIGHTS)
        case_services.case_close(
            actor=rng.choice(borough.managers), case=case, expected_version=case.version, reason=reason,
            note=CLOSURE_NOTES[reason].format(**words), closed_on=closed_on,
        )
        tally["closed cases"] += 1


def _opening_date(person: YoungPerson, rng: random.Random, today: date) -> date:
    latest = today - timedelta(days=3)
    earliest = max(today - timedelta(days=OLDEST_CASE_DAYS), person.date_of_birth + timedelta(days=3653))
    earliest = min(earliest, latest)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _closing_date(opened_on: date, rng: random.Random, today: date) -> date | None:
    open_days = (today - opened_on).days
    if open_days < 60 or rng.random() >= CLOSED_RATE:
        return None
    return opened_on + timedelta(days=rng.randint(45, open_days))


def _review_date(rng: random.Random, today: date) -> date:
    roll = rng.random()
    if roll < 0.2:
        return today - timedelta(days=rng.randint(1, 30))  # overdue
    if roll < 0.45:
        return today + timedelta(days=rng.randint(0, 14))  # due soon
    return today + timedelta(days=rng.randint(15, 90))


def _harm_types(rng: random.Random) -> list[str]:
    chosen = [_weighted(rng, HARM_WEIGHTS)]
    if chosen[0] == HarmType.COUNTY_LINES:
        chosen.append(HarmType.CCE)
    if rng.random() < 0.4:
        chosen.append(_weighted(rng, HARM_WEIGHTS))
    if rng.random() < 0.25:
        chosen.append(HarmType.MISSING)
    return list(dict.fromkeys(chosen))


def _sharing_plan(rng: random.Random, harm_types: list[str], age: int) -> dict[str, str]:
    """Which partners (one to three, or now and then none) the case is shared with, and at which level."""
    if rng.random() < 0.08:
        return {}
    plan = {}
    if rng.random() < (0.7 if POLICE_LED & set(harm_types) else 0.3):
        plan["police"] = _share_level(rng, contribute=0.8)
    if age < 17 and rng.random() < (0.9 if SCHOOL_LED & set(harm_types) else 0.5):
        plan[rng.choices(["school", "kestrel"], weights=[3, 1])[0]] = _share_level(rng, contribute=0.7)
    if not plan or rng.random() < 0.5:
        plan[rng.choice(HARM_PARTNERS[harm_types[0]])] = _share_level(rng, contribute=0.6)
    return plan


def _share_level(rng: random.Random, contribute: float) -> str:
    return access.CONTRIBUTE if rng.random() < contribute else access.VIEW


def _share(borough: Borough, case: Case, actor: User, plan: dict[str, str], tally: Counter):
    for key, level in plan.items():
        access.share(actor=actor, obj=case, agency=borough.agencies[key], level=level)
        tally["shares"] += 1


def _chronology(borough: Borough, case: Case, lead: User, partners: list[User], rng: random.Random,
                words: dict, window: tuple[date, date], now: datetime, tally: Counter):
    """The referral on the day the case opened, then what happened, in order, written by whoever saw it."""
    start, end = window
    _entry(case, lead, EntryKind.NOTE, _moment(rng, start, start, now), rng.choice(REFERRALS), words,
           borough, rng, tally)
    count = round(rng.triangular(*ENTRIES_PER_CASE))
    moments = sorted(_moment(rng, start + timedelta(days=1), end, now) for _ in range(count - 1))
    for occurred_at in moments:
        author = rng.choice(partners) if partners and rng.random() < 0.45 else lead
        kind = _weighted(rng, ENTRY_KIND_WEIGHTS[author.agency.kind])
        _entry(case, author, kind, occurred_at, rng.choice(ENTRY_TEXTS[kind]), words, borough, rng, tally)


def _entry(case: Case, author: User, kind: str, occurred_at: datetime, text: str, words: dict,
           borough: Borough, rng: random.Random, tally: Counter):
    rate = RESTRICTED_DISCLOSURE_RATE if kind == EntryKind.DISCLOSURE else RESTRICTED_RATE
    restricted = rng.random() < rate
    # A restricted entry by the lead authority is also open to its team managers; a partner's, to its author.
    named = borough.managers if restricted and author.agency.is_lead_authority else []
    case_services.chronology_add(actor=author, case=case, kind=kind, occurred_at=occurred_at,
                                 text=text.format(**words), restricted=restricted, restricted_to=named)
    tally["chronology entries"] += 1
    if restricted:
        tally["restricted entries"] += 1


def _moment(rng: random.Random, start: date, end: date, now: datetime) -> datetime:
    """A time of day between 07:00 and 22:55 on a day from ``start`` to ``end``, never later than ``now``."""
    day = start + timedelta(days=rng.randint(0, (end - start).days))
    hour, minute = rng.randint(7, 22), rng.randrange(0, 60, 5)
    moment = timezone.make_aware(datetime.combine(day, clock_time(hour, minute)))
    return min(moment, now - timedelta(minutes=rng.randint(5, 240)))


def _voice_entry(actor: User, person: YoungPerson, rng: random.Random, start: date, end: date):
    case_services.voice_entry_add(
        actor=actor, young_person=person, said_on=start + timedelta(days=rng.randint(0, (end - start).days)),
        words=rng.choice(VOICE_WORDS), how_captured=rng.choice(HOW_CAPTURED),
    )


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]
