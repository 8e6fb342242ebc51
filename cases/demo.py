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

from django.core.files.uploadedfile import SimpleUploadedFile
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
from safeguarding import access, documents, scanner
from safeguarding import services as kernel_services
from safeguarding.demo import AGENCIES, BOROUGH, LEAD, STAFF, DemoError, Run, load
from safeguarding.models import Agency, AgencyKind, User
from safeguarding.roles import Role

SEED = 2026
PERSON_ID_PREFIX = "NF-"  # the demo young people's local authority person IDs: what makes a re-run safe

LEAD_WEIGHT_OF_SW_DEMO = 2  # sw.demo leads about a quarter of the cases, so their caseload is worth opening

# Missing episodes, return home interviews and NRM referrals are records, not chronology text (their own draws, from a
# generator of their own, so they leave every other draw as it was).
EPISODES_PER_MISSING_CASE = (1, 4)
RHI_NOT_RECORDED_RATE = 0.12
RHI_NOT_OFFERED_RATE = 0.08
RHI_ACCEPTED_RATE = 0.6
NRM_RATE = {HarmType.TRAFFICKING: 0.8, HarmType.COUNTY_LINES: 0.35, HarmType.CCE: 0.2, HarmType.CSE: 0.2}
# The young person whose year the demo tells (``story``): outside the numbered people (``NF-``), whom the other apps
# draw their own demo data for.
STORY_PERSON_ID = "STORY-0001"

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
        EntryKind.NOTE: 45, EntryKind.CONTACT: 35, EntryKind.DISCLOSURE: 6, EntryKind.INCIDENT: 8,
        EntryKind.OTHER: 6,
    },
    AgencyKind.POLICE: {EntryKind.INCIDENT: 50, EntryKind.ARREST: 20, EntryKind.NOTE: 30},
    AgencyKind.EDUCATION: {EntryKind.NOTE: 40, EntryKind.CONTACT: 25, EntryKind.DISCLOSURE: 15,
                           EntryKind.INCIDENT: 20},
    AgencyKind.HOUSING: {EntryKind.NOTE: 70, EntryKind.INCIDENT: 30},
    AgencyKind.HEALTH: {EntryKind.CONTACT: 40, EntryKind.NOTE: 40, EntryKind.DISCLOSURE: 20},
    AgencyKind.YOUTH_JUSTICE: {EntryKind.CONTACT: 40, EntryKind.NOTE: 40, EntryKind.ARREST: 20},
    AgencyKind.VOLUNTARY_SECTOR: {EntryKind.CONTACT: 65, EntryKind.NOTE: 35},
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
        story(borough, tally)
        _moving_to_adult_services(borough, tally)
        frontdoor_demo.young_people(borough.managers, tally)
        _documents(run, tally)
        _data_protection(borough, tally)
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


def _age_in_days(index: int, rng: random.Random) -> int:
    """3654..6569 days old is at least 10 and at most 17 years, whatever the leap years; one young person in twelve
    is a young adult of 18 to 24 (6575..9129 days: transitional safeguarding keeps cases open to 25), from the same
    draw, so every other demo record stays as it was."""
    days = rng.randint(3654, 6569)
    return 6575 + (days - 3654) % 2555 if index % 12 == 11 else days


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
        "date_of_birth": today - timedelta(days=_age_in_days(index, rng)),
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
    _missing_and_nrm(borough, case, lead, partners, random.Random(rng.random()), words, (opened_on, last_day),
                     clock.now, tally)
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


# --- Documents on the demo social worker's first open case ------------------------------------------------------

DEMO_DOCUMENTS = [
    ("Return home interview summary.pdf", "Return home interview summary",
     "Notes of the independent return home interview after the latest missing episode."),
    ("School attendance review.pdf", "School attendance review",
     "The school's summary of attendance and exclusions this term."),
]


def _documents(run: Run, tally: Counter):
    """Two small PDFs (made by WeasyPrint) on the demo social worker's first open case, uploaded through the service,
    so scanned like any upload: by the clamd at CLAMAV_URL, or by the demo's own (``scanner.demo_daemon``) while they
    are added. With neither (Debian's clamd not installed) nothing can be uploaded: the run says so."""
    demo_worker = next((s.username for s in STAFF if s.demo and s.role == Role.SOCIAL_WORKER), None)
    case = (Case.objects.filter(status="open", lead_practitioner__username=demo_worker).select_related(
        "young_person", "lead_practitioner__agency").order_by("pk").first())
    if case is None or case.documents.exists():
        return
    with scanner.demo_daemon():  # the demo's own clamd while the documents are scanned, if none is running
        state = scanner.status()
        if state != "ok":
            run.stdout.write(f"Demo documents not added: no malware scanner answers at CLAMAV_URL ({state}).")
            return
        fake = Faker("en_GB")
        fake.seed_instance(SEED)
        author = case.lead_practitioner
        for name, title, description in DEMO_DOCUMENTS:
            content = documents.render_pdf("cases/demo_document_pdf.html", {
                "title": title, "case": case, "author": author, "written_on": timezone.localdate(),
                "paragraphs": [fake.paragraph(nb_sentences=5) for _ in range(4)]})
            kernel_services.document_upload(actor=author, record=case, description=description,
                                            upload=SimpleUploadedFile(name, content))
            tally["documents"] += 1


# --- Missing episodes, return home interviews, NRM referrals -------------------------------------------------------

_MISSING = load(__file__, "missing.json")


def _missing_and_nrm(borough: Borough, case: Case, lead: User, partners: list[User], rng: random.Random,
                     words: dict, window: tuple[date, date], now: datetime, tally: Counter):
    """For a case about going missing, its episodes (reported by the police where the case is shared with them) and
    their return home interviews, some late and some not recorded; for exploitation, now and then an NRM referral."""
    start, end = window
    police = [user for user in partners if user.agency.kind == AgencyKind.POLICE]
    if HarmType.MISSING in case.harm_types and (end - start).days >= 3:
        days = sorted(rng.sample(range((end - start).days - 1), min(rng.randint(*EPISODES_PER_MISSING_CASE),
                                                                     (end - start).days - 1)))
        for offset in days:
            missing_at = _moment(rng, start + timedelta(days=offset), start + timedelta(days=offset), now)
            found_at = min(missing_at + timedelta(hours=rng.choice([3, 6, 14, 20, 30, 52, 75])),
                           now - timedelta(minutes=30))
            recorder = rng.choice(police) if police and rng.random() < 0.6 else lead
            episode = case_services.missing_episode_record(
                actor=recorder, case=case, missing_at=missing_at, found_at=found_at,
                reported_by=rng.choice(_MISSING["reported_by"]).format(**words),
                police_reference=f"NF-{missing_at:%y}-{rng.randint(10000, 99999)}" if recorder in police else "",
                where_found=rng.choice(_MISSING["where_found"]).format(**words),
                harm_disclosed=(disclosed := rng.random() < 0.25),
                harm_detail=rng.choice(_MISSING["harm"]).format(**words) if disclosed else "")
            tally["missing episodes"] += 1
            _return_interview(borough, lead, episode, rng, words, now, tally)
    chance = max((NRM_RATE.get(harm, 0) for harm in case.harm_types), default=0)
    if chance and rng.random() < chance and (end - start).days >= 2:
        referred_on = start + timedelta(days=rng.randint(1, (end - start).days))
        _nrm_referral(lead, case, rng, referred_on, now.date(), tally)


def _return_interview(borough: Borough, lead: User, episode, rng: random.Random, words: dict, now: datetime,
                      tally: Counter):
    roll = rng.random()
    if roll < RHI_NOT_RECORDED_RATE:
        return
    if roll < RHI_NOT_RECORDED_RATE + RHI_NOT_OFFERED_RATE:
        case_services.return_interview_record(actor=lead, episode=episode, outcome="not_offered",
                                              not_offered_reason=rng.choice(_MISSING["not_offered"]))
    else:
        # Most within the 72 hours; some days late, as inspectors find.
        offered_at = episode.found_at + timedelta(hours=rng.choice([4, 20, 26, 44, 70, 80, 100, 130]))
        if offered_at > now - timedelta(minutes=10):
            return
        accepted = rng.random() < RHI_ACCEPTED_RATE
        held_on = timezone.localtime(offered_at).date() + timedelta(days=rng.randint(0, 3)) if accepted else None
        held_on = min(held_on, now.date()) if held_on else None
        case_services.return_interview_record(
            actor=lead, episode=episode, outcome="accepted" if accepted else "declined", offered_at=offered_at,
            conducted_by=borough.agencies["voluntary"] if rng.random() < 0.6 else borough.agencies["la"],
            held_on=held_on, words=rng.choice(_MISSING["words"]).format(**words) if accepted else "",
            next_steps=rng.choice(_MISSING["next_steps"]).format(**words))
    tally["return home interviews"] += 1


def _nrm_referral(actor: User, case: Case, rng: random.Random, referred_on: date, today: date, tally: Counter):
    """A referral, with the decisions that would have come by now: reasonable grounds within days, conclusive
    grounds months later."""
    fields = {"first_responder": rng.choice(["local_authority", "local_authority", "police", "barnardos"]),
              "referred_on": referred_on,
              "exploitation_types": ["sexual"] if HarmType.CSE in case.harm_types else ["criminal"]}
    rg_on = referred_on + timedelta(days=rng.randint(3, 20))
    if rg_on <= today:
        fields |= {"rg_decision": "positive" if rng.random() < 0.85 else "negative", "rg_decided_on": rg_on}
        cg_on = rg_on + timedelta(days=rng.randint(90, 400))
        if fields["rg_decision"] == "positive" and cg_on <= today:
            fields |= {"cg_decision": "positive" if rng.random() < 0.8 else "negative", "cg_decided_on": cg_on}
    if case.young_person.age >= 18 and not _child_on(case.young_person.date_of_birth, referred_on):
        fields["adult_consented"] = True
    case_services.nrm_referral_record(actor=actor, case=case, **fields)
    tally["NRM referrals"] += 1


def _child_on(born: date, day: date) -> bool:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day)) < 18


def story(borough: Borough, tally: Counter):
    """One young person's year, told in records: four missing episodes (the second far from home, with harm
    disclosed and a return home interview offered days late; the last so recent that its interview is overdue), an
    NRM referral by the council with its reasonable-grounds and, in the devolved pilot, its conclusive-grounds
    decision. Written once: found again by her person ID."""
    if YoungPerson.objects.filter(la_person_id=STORY_PERSON_ID).exists():
        return
    tale = _MISSING["story"]
    today = timezone.localdate()
    worker = next((u for u in borough.social_workers if u.username == "sw.demo"), borough.social_workers[0])
    officer = next((u for u in borough.staff("police") if u.username == "c.baptiste"), borough.staff("police")[0])

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), clock_time(hour, minute)))

    person = case_services.young_person_create(actor=worker, la_person_id=STORY_PERSON_ID, **tale["person"],
                                               date_of_birth=today - timedelta(days=15 * 365 + 120))
    case = case_services.case_open(
        actor=worker, young_person=person, opened_on=today - timedelta(days=364), lead_practitioner=worker,
        harm_types=[HarmType.MISSING, HarmType.COUNTY_LINES, HarmType.CCE], risk_level=RiskLevel.HIGH,
        summary=tale["summary"], next_review_on=today + timedelta(days=14))
    access.share(actor=worker, obj=case, agency=borough.agencies["police"], level=access.CONTRIBUTE)
    access.share(actor=worker, obj=case, agency=borough.agencies["voluntary"], level=access.VIEW)
    tally["cases"] += 1
    for told in tale["episodes"]:
        episode = case_services.missing_episode_record(
            actor=officer, case=case, missing_at=at(*told["missing"]), reported_by=told["reported_by"],
            police_reference=told["police_reference"], found_at=at(*told["found"]), where_found=told["where_found"],
            harm_disclosed=bool(told.get("harm")), harm_detail=told.get("harm", ""))
        tally["missing episodes"] += 1
        if interview := told.get("interview"):
            held = interview.get("held_days_ago")
            case_services.return_interview_record(
                actor=worker, episode=episode, outcome=interview["outcome"], offered_at=at(*interview["offered"]),
                conducted_by=borough.agencies[interview["by"]],
                held_on=today - timedelta(days=held) if held is not None else None,
                words=interview.get("words", ""), next_steps=interview.get("next_steps", ""))
            tally["return home interviews"] += 1
    nrm = tale["nrm"]
    referral = case_services.nrm_referral_record(
        actor=worker, case=case, first_responder="local_authority", referred_on=today - timedelta(days=nrm["referred"]),
        exploitation_types=["criminal"], notes=nrm["notes"])
    referral = case_services.nrm_referral_update(
        actor=worker, referral=referral, expected_version=referral.version, rg_decision="positive",
        rg_decided_on=today - timedelta(days=nrm["reasonable_grounds"]))
    case_services.nrm_referral_update(
        actor=worker, referral=referral, expected_version=referral.version, cg_decision="positive",
        cg_decided_on=today - timedelta(days=nrm["conclusive_grounds"]), devolved_pilot=True,
        pilot_panel=nrm["pilot_panel"])
    tally["NRM referrals"] += 1


# --- Data protection: records past their retention date, and a subject access request ---------------------------

OLD_CASES = 3  # closed long enough ago to be past the closed-case schedule: the managers' disposal queue shows them


def _data_protection(borough: Borough, tally: Counter):
    """A few young people whose cases closed years ago, listed for disposal by the daily job's own service; and a
    subject access request for the first demo young person, which a worker builds for the data protection officer
    to sign off."""
    from safeguarding import services as kernel_services
    from safeguarding.demo import SEEDER
    from safeguarding.models import SubjectAccessRequest

    fake = Faker("en_GB")
    today = timezone.localdate()
    wanted = [f"{PERSON_ID_PREFIX}OLD{n}" for n in range(1, OLD_CASES + 1)]
    present = set(YoungPerson.objects.filter(la_person_id__in=wanted).values_list("la_person_id", flat=True))
    made = 0
    for n, person_id in enumerate(wanted, 1):
        if person_id in present:
            continue
        fake.seed_instance(SEED * 7 + n)
        rng = random.Random(SEED * 7 + n)
        lead, manager = borough.social_workers[0], borough.managers[0]
        opened_on = date(today.year - 8, 3, 1) + timedelta(days=40 * n)
        person = case_services.young_person_create(actor=lead, **{
            **_person_fields(10_000 + n, fake, rng, today), "la_person_id": person_id,
            "date_of_birth": date(today.year - 22, 6, 1) + timedelta(days=30 * n)})
        harm = _harm_types(rng)
        case = case_services.case_open(
            actor=lead, young_person=person, opened_on=opened_on, lead_practitioner=lead, harm_types=harm,
            risk_level=RiskLevel.MEDIUM, summary=SUMMARIES[harm[0]].format(
                name=person.first_name, place=rng.choice(PLACES), town=rng.choice(TOWNS)))
        case_services.case_close(actor=manager, case=case, expected_version=case.version,
                                 reason=ClosureReason.RISK_REDUCED, closed_on=opened_on + timedelta(days=200))
        tally["cases past their retention date"] += 1
        made += 1
    if made:  # the daily job's own service (it audits each run, so a re-run of the seeder does not call it)
        listed = kernel_services.retention_list_due(actor=SEEDER)["listed"]
        tally["records listed for disposal"] += sum(listed.values())
    first = YoungPerson.objects.filter(la_person_id=_person_id(1)).first()
    manager = borough.users.get("tm.demo")
    if first is not None and manager is not None and not SubjectAccessRequest.objects.filter(
            young_person_id=first.pk).exists():
        kernel_services.subject_access_request(actor=manager, young_person=first,
                                               requested_by=f"{first.first_name} {first.last_name}, by email",
                                               received_on=today - timedelta(days=3))
        tally["subject access requests"] += 1
