"""Load the fictional borough of Northfield: its agencies, staff with one demo login per role, and young
people with their cases, chronologies, voices and trusted adults.

Every write goes through the services, as the app writes it, so the access log, the change history and the
object grants are what real use would leave. The data are reproducible: each young person has their own
fixed seed, so person *n* is the same whatever ``--young-people`` says (dates move with today). Running it
again adds only what is missing: agencies are found by name, staff by username and young people by their
local authority person ID, and a young person already there is skipped with everything that hangs from
them. It all runs in one transaction, so a failure leaves nothing half-written.

    DEBUG=1 python manage.py seed_demo [--young-people 200] [--force]
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

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
from safeguarding.models import Agency, AgencyKind, User
from safeguarding.roles import Role
from safeguarding.services import agency_create, user_create

SEED = 2026
DEMO_PASSWORD = "northfield-demo-2026"  # noqa: S105 - fictional demo logins, printed for whoever runs the demo
BOROUGH = "Northfield"
PERSON_ID_PREFIX = "NF-"  # the demo young people's local authority person IDs: what makes a re-run safe
EMAIL_DOMAIN = "northfield.example"  # .example is reserved: no demo email can reach anyone

# --- The borough: agencies and staff ---------------------------------------------------------------------

LEAD = "la"
AGENCIES = {
    LEAD: ("Northfield Council Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "police": ("Northfield Constabulary", AgencyKind.POLICE),
    "school": ("Northfield Park Academy", AgencyKind.EDUCATION),
    "kestrel": ("Kestrel Hill School", AgencyKind.EDUCATION),
    "housing": ("Northfield Homes", AgencyKind.HOUSING),
    "health": ("Northfield and Marsh Community Health NHS Trust", AgencyKind.HEALTH),
    "youth_justice": ("Northfield Youth Justice Service", AgencyKind.YOUTH_JUSTICE),
    "voluntary": ("Safe Passage Northfield", AgencyKind.VOLUNTARY_SECTOR),
    "transport": ("Northfield Metro Buses", AgencyKind.TRANSPORT),
}


@dataclass(frozen=True)
class Staff:
    username: str
    agency: str
    role: Role
    first_name: str
    last_name: str
    job_title: str
    demo: bool = False  # signs in with DEMO_PASSWORD and is listed in the logins table


_SW = "Social Worker, Adolescent Safeguarding Team"
STAFF = [
    Staff("sw.demo", LEAD, Role.SOCIAL_WORKER, "Priya", "Sandhu", _SW, demo=True),
    Staff("tm.demo", LEAD, Role.TEAM_MANAGER, "Gareth", "Ellison",
          "Team Manager, Adolescent Safeguarding Team", demo=True),
    Staff("chair.demo", LEAD, Role.PANEL_CHAIR, "Yvonne", "Adebayo",
          "Chair, Multi-Agency Child Exploitation Panel", demo=True),
    Staff("police.demo", "police", Role.PARTNER_PRACTITIONER, "Tom", "Brackley",
          "Detective Constable, Child Exploitation Team", demo=True),
    Staff("school.demo", "school", Role.PARTNER_PRACTITIONER, "Aisha", "Rahman",
          "Designated Safeguarding Lead", demo=True),
    Staff("analyst.demo", LEAD, Role.ANALYST, "Marcus", "Leung",
          "Performance and Intelligence Analyst", demo=True),
    Staff("admin.demo", LEAD, Role.ADMINISTRATOR, "Helen", "Cartwright", "Systems Administrator", demo=True),
    # Colleagues without a demo password: they lead cases and write chronology entries.
    Staff("k.osei", LEAD, Role.SOCIAL_WORKER, "Kwame", "Osei", _SW),
    Staff("r.doyle", LEAD, Role.SOCIAL_WORKER, "Rachel", "Doyle",
          "Senior Practitioner, Adolescent Safeguarding Team"),
    Staff("l.brennan", LEAD, Role.SOCIAL_WORKER, "Lucy", "Brennan", _SW),
    Staff("d.kowalski", LEAD, Role.SOCIAL_WORKER, "Daniel", "Kowalski", _SW),
    Staff("f.ahmed", LEAD, Role.SOCIAL_WORKER, "Fatima", "Ahmed",
          "Social Worker (ASYE), Adolescent Safeguarding Team"),
    Staff("s.adeyemi", LEAD, Role.SOCIAL_WORKER, "Sophie", "Adeyemi", "Exploitation and Missing Coordinator"),
    Staff("j.holt", LEAD, Role.TEAM_MANAGER, "Jonathan", "Holt",
          "Deputy Team Manager, Adolescent Safeguarding Team"),
    Staff("c.baptiste", "police", Role.PARTNER_PRACTITIONER, "Chloe", "Baptiste",
          "Police Constable, Missing Persons Unit"),
    Staff("m.griffiths", "police", Role.PARTNER_PRACTITIONER, "Mark", "Griffiths",
          "Detective Sergeant, Child Exploitation Team"),
    Staff("o.bennett", "school", Role.PARTNER_PRACTITIONER, "Owen", "Bennett", "Head of Year 10"),
    Staff("h.nwosu", "kestrel", Role.PARTNER_PRACTITIONER, "Hannah", "Nwosu", "Designated Safeguarding Lead"),
    Staff("e.walsh", "kestrel", Role.PARTNER_PRACTITIONER, "Emma", "Walsh", "Pastoral Support Worker"),
    Staff("g.pearce", "housing", Role.PARTNER_PRACTITIONER, "Graham", "Pearce",
          "Anti-social Behaviour Officer"),
    Staff("n.chaudhry", "housing", Role.PARTNER_PRACTITIONER, "Nadia", "Chaudhry",
          "Tenancy Sustainment Officer"),
    Staff("b.okoro", "health", Role.PARTNER_PRACTITIONER, "Bisi", "Okoro",
          "Named Nurse for Safeguarding Children"),
    Staff("t.fraser", "health", Role.PARTNER_PRACTITIONER, "Tessa", "Fraser", "School Nurse"),
    Staff("r.campbell", "youth_justice", Role.PARTNER_PRACTITIONER, "Ryan", "Campbell",
          "Youth Justice Case Manager"),
    Staff("i.petrova", "youth_justice", Role.PARTNER_PRACTITIONER, "Irina", "Petrova",
          "Youth Justice Officer"),
    Staff("j.morris", "voluntary", Role.PARTNER_PRACTITIONER, "Jade", "Morris", "Detached Youth Worker"),
    Staff("k.flynn", "voluntary", Role.PARTNER_PRACTITIONER, "Kieran", "Flynn",
          "Exploitation Support Worker"),
    Staff("p.hughes", "transport", Role.PARTNER_PRACTITIONER, "Paul", "Hughes", "Network Safeguarding Lead"),
]
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
LANGUAGES = {
    "English": 80, "Polish": 3, "Somali": 3, "Urdu": 3, "Bengali": 2, "Romanian": 2, "Arabic": 2,
    "Portuguese": 2, "Tigrinya": 1, "Kurdish": 1, "Albanian": 1,
}
SEND_WEIGHTS = {SendStatus.NONE: 55, SendStatus.SEN_SUPPORT: 25, SendStatus.EHC_PLAN: 12,
                SendStatus.NOT_KNOWN: 8}
# Names given in England and Wales when these young people were born (Faker's en_GB first names belong to
# their parents' generation), and surnames of the borough's communities beside Faker's, nearly all English.
GIRLS_NAMES = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Lily", "Sophie", "Grace", "Evie", "Ella", "Emily", "Poppy",
    "Jessica", "Chloe", "Ruby", "Freya", "Isabella", "Amira", "Aaliyah", "Maya", "Zara", "Leah", "Hannah",
    "Layla", "Nia", "Kayla", "Imani", "Zainab", "Maryam", "Ayesha", "Megan", "Courtney", "Zuzanna", "Skye",
]
BOYS_NAMES = [
    "Oliver", "Harry", "Jack", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar", "Leo",
    "Mohammed", "Ethan", "Kai", "Tyler", "Jayden", "Riley", "Mason", "Kian", "Reece", "Callum", "Dylan",
    "Tyrese", "Kwame", "Ibrahim", "Yusuf", "Adam", "Kacper", "Jakub", "Luca", "Ayaan", "Rio", "Isaac", "Ezra",
]
SURNAMES = [
    "Okafor", "Mensah", "Begum", "Hussain", "Khan", "Ali", "Patel", "Nowak", "Kowalczyk", "Popescu",
    "Mohamed", "Yusuf", "Campbell", "Clarke", "Francis", "Osei", "Rahman", "Miah", "Ahmed", "Haile",
]
STREET_ENDINGS = ["Road", "Street", "Close", "Avenue", "Way", "Gardens", "Court", "Crescent", "Lane", "Walk"]
COMMUNICATION_NEEDS = [
    "Autistic. Prefers meetings somewhere quiet, with the questions written down beforehand.",
    "ADHD. Keep meetings short; walking while talking helps.",
    "Speech, language and communication needs: check understanding by asking them to explain back.",
    "Dyslexic. Read letters and plans aloud with them.",
]
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

PLACES = [
    "Northfield bus station", "the Marsh Lane retail park", "Ashgrove Park",
    "the canal towpath by Tenter Street",
    "the chicken shop on Station Parade", "the Beacon estate", "the multi-storey car park on Mill Road",
    "the skate park at Victoria Fields", "Northfield Central station", "the underpass by the ring road",
]
TOWNS = ["Saltmarsh-on-Sea", "Eastbridge Quay", "Kingsholme", "Port Alder"]

SUMMARIES = {
    HarmType.CCE: "Found at {place} with a large amount of cash and a second phone. Concern that {name} is "
                  "being criminally exploited by older males.",
    HarmType.COUNTY_LINES: "Found by police in {town}, far from home, in a flat used to sell drugs. Concern "
                           "that {name} is being exploited to run a county line.",
    HarmType.CSE: "Seen getting into cars with adult men near {place}; has new clothes and phones the family "
                  "cannot account for. Concern that {name} is being sexually exploited.",
    HarmType.SYV: "{name} was assaulted near {place} and says they now feel unsafe walking to school. "
                  "Concern about serious violence between groups of young people in the area.",
    HarmType.HSB: "School reports harmful sexual behaviour within {name}'s peer group, including sharing of "
                  "images. Work is with the peer group and the school as well as with {name}.",
    HarmType.ONLINE: "{name} has been contacted online by an unknown adult who asked for images and offered "
                     "money. Concern about online grooming.",
    HarmType.TRAFFICKING: "{name} arrived in the UK unaccompanied and has gone missing twice from placement. "
                          "Concern about trafficking; NRM referral to be considered.",
    HarmType.RADICALISATION: "School raised concerns about extremist material {name} has been sent and "
                             "shared online. Support agreed with the Prevent coordinator.",
    HarmType.MISSING: "{name} has been reported missing several times in the last three months, often "
                      "returning with injuries or items nobody can explain.",
}
REFERRALS = [
    "Referral received from {referrer}. Strategy discussion held the same day; agreed to open an "
    "extra-familial harm case and to map {name}'s peer group and the places they spend time.",
    "Contact from {referrer} passed to the adolescent safeguarding team. First visit to {name} and their "
    "family arranged for this week.",
    "Referral from {referrer} after {name} was seen at {place} late at night with older young people. Case "
    "opened; information requested from partners.",
]
ENTRY_TEXTS = {
    EntryKind.NOTE: [
        "Multi-agency meeting held. Partners shared what they know about {place}; agreed a disruption plan "
        "with police and a safety plan with {name} and their family.",
        "Spoke to {name}'s mum by phone. She says {name} has been coming home later and has a new phone; she "
        "is worried but feels more able to ask questions since the last visit.",
        "Supervision: risk remains linked to the group around {place} rather than to home. Work to stay "
        "focused on that place as well as on {name}.",
        "Information shared with the designated safeguarding lead about who {name} should not be left alone "
        "with on the school site.",
        "Case discussed at the MACE panel. Agreed outreach at {place} on Friday evenings, and a check on "
        "reports of young people being gathered in the stairwells there.",
    ],
    EntryKind.CONTACT: [
        "Visited {name} at home. We talked about school, football and who they have been spending time "
        "with. {name} agreed to keep their phone charged and to call their trusted adult if they feel "
        "unsafe.",
        "Met {name} at the café on Station Parade. Quiet at first, then talked about feeling pressure to pay "
        "back a debt to older boys.",
        "Walk and talk with {name} around Ashgrove Park. {name} said they want things to calm down before "
        "their exams.",
        "Video call with {name}, who did not want a home visit this week. Agreed to meet after school on "
        "Thursday instead.",
        "Saw {name} at school with their head of year. {name} helped write their own safety plan and chose "
        "who is on it.",
    ],
    EntryKind.INCIDENT: [
        "Officers called to {place} after reports of a fight between two groups of young people. {name} was "
        "there, was not injured, and was taken home to their carer.",
        "{name} was robbed of their phone and trainers near {place}. Shaken but unhurt; a statement was "
        "taken and a safeguarding referral made.",
        "CCTV shows {name} getting into a car with two adult men at {place}. Vehicle details passed to the "
        "exploitation team.",
        "A knife was found in {name}'s bag at school. {name} said they carry it because they were threatened "
        "on the way home. Police informed; welfare response agreed.",
        "Driver saw {name} on the late bus from {place} with an older man who paid their fare. Driver used "
        "the safe-space scheme and called police.",
    ],
    EntryKind.MISSING: [
        "{name} reported missing by their carer at 22:30 after not coming home from school. Found by police "
        "the next morning in {town}, tired and hungry, and brought home.",
        "{name} missing overnight. Found at {place} by officers at 04:00. No injuries seen; return home "
        "interview requested.",
        "Reported missing for the third time this month, phone switched off. {name} came home at 13:00 on "
        "their own with new clothes and cash.",
    ],
    EntryKind.RETURN_INTERVIEW: [
        "Return home interview at school. {name} said they were at a friend's flat and did not feel able to "
        "leave. Information passed to police.",
        "Independent return interview offered; {name} chose to talk to their youth worker. Older boys gave "
        "them a train ticket to {town}.",
        "Return interview: {name} said they went missing after arguments at home about where they go after "
        "school. Family support offered.",
    ],
    EntryKind.NRM_REFERRAL: [
        "National Referral Mechanism referral submitted for suspected child criminal exploitation. Awaiting "
        "the reasonable grounds decision.",
        "NRM referral talked through with {name} and their family, who agreed to it. Submitted the same day; "
        "support continues while the decision is awaited.",
        "NRM referral made by police as first responder after {name} was found in {town} in a flat used to "
        "sell drugs.",
    ],
    EntryKind.ARREST: [
        "{name} arrested in {town} on suspicion of possession with intent to supply. Treated as a possible "
        "victim of exploitation; appropriate adult present; released under investigation.",
        "{name} arrested after an incident at {place}. Bailed to live at home; joint visit with youth "
        "justice arranged.",
    ],
    EntryKind.DISCLOSURE: [
        "{name} told us an older male has been asking for images and threatening to share ones already sent. "
        "Strategy discussion requested.",
        "{name} disclosed being made to hold drugs inside their body while travelling to {town}. Medical "
        "check arranged; police informed with {name}'s knowledge.",
        "{name} disclosed a sexual assault at a party near {place}. Appointment at the sexual assault "
        "referral centre offered; {name} will decide about reporting to police.",
    ],
    EntryKind.OTHER: [
        "Letter sent to {name} in plain language explaining what the panel decided and what happens next.",
        "Safeguarding team briefed staff at {place} to look out for {name} on Friday and Saturday nights.",
    ],
}
CLOSURE_NOTES = {
    ClosureReason.RISK_REDUCED: "{name} has not been missing for several weeks, is attending school and says "
                                "they feel safer. Safety plan outcomes met.",
    ClosureReason.STEPPED_DOWN: "Risk has reduced. {name} and their family agreed to step down to early "
                                "help; their youth worker stays involved.",
    ClosureReason.MOVED_AWAY: "The family moved out of the area. Information shared with the new area's "
                              "children's services.",
    ClosureReason.TRANSFERRED: "Transferred to the receiving local authority after {name} moved to live with "
                               "their father.",
    ClosureReason.NO_FURTHER_ACTION: "No current extra-familial harm found. Concerns about {place} passed to "
                                     "the community safety partnership.",
}
VOICE_WORDS = [
    "I just want people to stop asking me where I've been. When everyone shouts it makes me want to go "
    "out more.",
    "At my nan's I can actually sleep. Nobody knocks on the door there.",
    "I didn't think anyone would believe me because of the stuff I've done.",
    "They said I owed them for the trainers. I didn't know it worked like that.",
    "I don't want the police at my house again, it scares my little brother.",
    "I want to go to college and do mechanics. I need my GCSEs for that.",
    "Boxing helps. When I'm training I don't think about any of it.",
    "I'm not scared of them. I'm scared of what happens to my mum if I stop.",
    "Please don't tell my dad about the photos. I'll tell him myself when I'm ready.",
    "I liked that you came to the park instead of making me come to the office.",
    "Everyone thinks I'm older than I am. I'm still a kid.",
    "When I go missing it's because I can't be in that house, not because I want to be out.",
]
HOW_CAPTURED = [
    "Said during a home visit with their social worker",
    "Said on a walk to the shop after a return home interview",
    "Written in their own words on a 'my views' form",
    "Said to their youth worker at the boxing club",
    "Voice note sent to their social worker",
    "Said in a meeting at school with their head of year",
]
TRUSTED_RELATIONSHIPS = ["Grandmother", "Aunt", "Older sister", "Uncle", "Football coach", "Boxing coach",
                         "Youth worker", "Head of year", "Family friend"]
TRUSTED_NOTES = [
    "{name} says they can talk to them about anything.",
    "Can collect {name} if they are found late at night.",
    "{name} asked for them to be at review meetings.",
    "",
]


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


class Command(BaseCommand):
    help = "Load the fictional borough of Northfield with demo data and one login per role. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=200, metavar="N",
                            help="How many young people to create (default 200).")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, young_people: int, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo loads fictional demo data: it runs only with DEBUG=1 or --force.")
        if young_people < 0:
            raise CommandError("--young-people cannot be negative.")
        other_lead = Agency.objects.filter(is_lead_authority=True).exclude(name=AGENCIES[LEAD][0]).first()
        if other_lead:
            raise CommandError(f"This database belongs to {other_lead.name}: demo data is only for a database "
                               "of its own.")
        started = time.monotonic()
        tally = Counter()
        with transaction.atomic():
            agencies = _agencies(tally)
            borough = Borough(agencies=agencies, users=_users(agencies, tally))
            _young_people(borough, young_people, tally)
        self._say_what_was_done(tally, time.monotonic() - started)
        if apps.is_installed("contexts"):  # places, peer groups and links, seeded by the contexts app
            call_command("seed_demo_contexts", force=True, stdout=self.stdout)
        self._print_logins(borough)

    def _say_what_was_done(self, tally: Counter, seconds: float):
        if not tally:
            self.stdout.write("Northfield demo data is already present: nothing to add.")
            return
        made = ", ".join(f"{count} {what}" for what, count in tally.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded Northfield in {seconds:.1f} s: {made}."))

    def _print_logins(self, borough: Borough):
        rows = [("Username", "Role", "Agency")] + [
            (s.username, s.role.value, borough.users[s.username].agency.name) for s in STAFF if s.demo
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every one: {DEMO_PASSWORD})")
        self.stdout.write("")
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write("")


def _agencies(tally: Counter) -> dict[str, Agency]:
    existing = {a.name: a for a in Agency.objects.filter(name__in=[name for name, _ in AGENCIES.values()])}
    agencies = {}
    for key, (name, kind) in AGENCIES.items():
        if name not in existing:
            existing[name] = agency_create(actor=access.system("seed_demo"), name=name, kind=kind, is_lead_authority=key == LEAD)
            tally["agencies"] += 1
        agencies[key] = existing[name]
    return agencies


def _users(agencies: dict[str, Agency], tally: Counter) -> dict[str, User]:
    users = User.objects.in_bulk([s.username for s in STAFF], field_name="username")
    for spec in STAFF:
        if spec.username not in users:
            users[spec.username] = user_create(
                actor=access.system("seed_demo"), username=spec.username, agency=agencies[spec.agency],
                roles=[spec.role], password=DEMO_PASSWORD if spec.demo else None,
                first_name=spec.first_name, last_name=spec.last_name, job_title=spec.job_title,
                email=f"{spec.username}@{EMAIL_DOMAIN}",
            )
            tally["users"] += 1
    return users


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
