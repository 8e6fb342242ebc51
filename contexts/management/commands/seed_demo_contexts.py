"""Northfield's places and peer groups, and the evidence linking its young people to them and to each other.

Runs on top of ``seed_demo`` (which calls it at its end) and writes through the services as the app does, so
every record is checked against its actor's access, every link has a source, a reliability and a review-by
date, and every write is audited. Reproducible: the random draws come from fixed seeds and never depend on what
this command wrote before. Idempotent: places and peer groups are found by name within their owning agency,
and a link, share, guardian or tag already there is skipped, so a second run adds nothing. It all runs in one
transaction.

    DEBUG=1 python manage.py seed_demo_contexts [--force]
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cases.management.commands.seed_demo import AGENCIES, LEAD, PERSON_ID_PREFIX, POSTCODE_UNIT_LETTERS, STAFF
from cases.models import ChronologyEntry, EntryKind, YoungPerson
from contexts import services
from contexts.models import (
    Association,
    AssociationNature,
    ContextStatus,
    Guardian,
    Membership,
    MembershipRole,
    PeerGroup,
    Place,
    PlaceKind,
    PlaceLink,
    PlaceLinkNature,
    PlaceTag,
    Reliability,
)
from safeguarding import access
from safeguarding.models import Agency, User
from safeguarding.roles import Role

SEED = 2027
LEAD_AUTHORITY = AGENCIES[LEAD][0]
PARTNERS = ("police", "school", "kestrel")  # the agencies the demo's places and groups are shared with
CONTRIBUTE, VIEW = access.CONTRIBUTE, access.VIEW

# The six wards: postcode district, and the middle of the ward. Northfield is drawn on an ordinary English
# city's grid, in a box about 4 km across around (52.48, -1.89).
WARDS = {
    "Northfield Central": ("NF1", 52.4800, -1.8900),
    "Old Town": ("NF2", 52.4850, -1.9020),
    "Eastgate": ("NF3", 52.4790, -1.8740),
    "Marsh Lane": ("NF4", 52.4680, -1.8870),
    "Kestrel Hill": ("NF5", 52.4950, -1.8830),
    "Riverside": ("NF6", 52.4740, -1.9100),
}
WARD_OF_DISTRICT = {district: ward for ward, (district, _, _) in WARDS.items()}


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    kind: PlaceKind
    ward: str  # "" for an online place, which has no position or postcode
    street: str
    status: ContextStatus
    owner: str  # a key of seed_demo's AGENCIES: the lead authority or the police
    shares: tuple[tuple[str, str], ...]
    description: str
    closure_reason: str = ""
    school_urn: str = ""


PLACES = [
    # Northfield Central
    PlaceSpec("Northfield Bus Station", PlaceKind.TRANSPORT, "Northfield Central", "Station Street",
              ContextStatus.MONITORING, "police", (),
              "Young people reported missing have several times been found here late at night. Older males have "
              "been seen buying them food and bus tickets."),
    PlaceSpec("Northfield Central station", PlaceKind.TRANSPORT, "Northfield Central", "Station Approach",
              ContextStatus.OPEN, LEAD, (("police", CONTRIBUTE),),
              "Rail and tram interchange. Transport police report children travelling alone towards the coast on "
              "the last trains, some carrying bags they say are not theirs."),
    PlaceSpec("Chicken Express, Station Parade", PlaceKind.SHOP, "Northfield Central", "Station Parade",
              ContextStatus.OPEN, LEAD, (("police", VIEW),),
              "Takeaway where young people are given free food by adults not known to them. The manager has asked "
              "for advice and is willing to work with us."),
    PlaceSpec("Tower Court flats", PlaceKind.HOUSING, "Northfield Central", "Tower Court",
              ContextStatus.OPEN, "police", (),
              "A vulnerable adult's flat is believed to be taken over by others to sell drugs (cuckooing). Young "
              "people have been seen visiting at night."),
    PlaceSpec("Northfield Central Library", PlaceKind.OTHER, "Northfield Central", "Market Square",
              ContextStatus.NOTED, LEAD, (),
              "Staff have noticed the same adult collecting different young people after school. For many young "
              "people the library is a protective space: warm, staffed and free."),
    # Old Town
    PlaceSpec("Golden Fry, High Street", PlaceKind.SHOP, "Old Town", "High Street",
              ContextStatus.MONITORING, LEAD, (("police", VIEW), ("school", VIEW)),
              "Takeaway where young people wait to be collected by cars. The owner knows many of them by name and "
              "has joined the safe-space scheme."),
    PlaceSpec("Canal House hostel", PlaceKind.HOUSING, "Old Town", "Canal Street",
              ContextStatus.OPEN, LEAD, (("police", CONTRIBUTE),),
              "Supported accommodation for young adults. Residents have been seen bringing children into the "
              "building; the hostel manager is working with us on visitor checks."),
    PlaceSpec("Ring road underpass", PlaceKind.STREET, "Old Town", "Queensway",
              ContextStatus.MONITORING, LEAD, (("police", CONTRIBUTE),),
              "Poorly lit underpass on the walk home from school. Two robberies of young people reported; the "
              "lighting has been raised with the council's highways team."),
    PlaceSpec("Mill Road multi-storey car park", PlaceKind.OTHER, "Old Town", "Mill Road",
              ContextStatus.CLOSED, LEAD, (("police", VIEW),),
              "The top deck was used by adults to meet young people in cars.",
              closure_reason="The car park has closed for redevelopment and the meetings there have stopped. "
                             "Reviewed with the police at the MACE panel."),
    PlaceSpec("St Anne's church hall", PlaceKind.YOUTH, "Old Town", "Church Lane",
              ContextStatus.NOTED, LEAD, (),
              "Holiday activity scheme and a Friday drop-in. Several young people name it as somewhere they feel "
              "safe."),
    # Eastgate
    PlaceSpec("Eastgate Park", PlaceKind.PARK, "Eastgate", "Eastgate Road",
              ContextStatus.OPEN, LEAD, (("police", CONTRIBUTE), ("school", VIEW)),
              "Young people gather by the pavilion after school. Adults not known to them have been seen "
              "approaching them and offering lifts."),
    PlaceSpec("Victoria Fields skate park", PlaceKind.PARK, "Eastgate", "Victoria Road",
              ContextStatus.MONITORING, LEAD, (("police", VIEW),),
              "Busy after school and at weekends. Younger children report being asked to hold bags and phones for "
              "older young people."),
    PlaceSpec("Vape and phone shop, Eastgate Parade", PlaceKind.SHOP, "Eastgate", "Eastgate Parade",
              ContextStatus.CLOSED, LEAD, (("police", VIEW),),
              "Concern about vapes sold to children and phones given to them on credit.",
              closure_reason="The shop has changed hands. Trading standards visited and no concerns have been "
                             "reported for six months."),
    PlaceSpec("Northfield Park Academy", PlaceKind.SCHOOL, "Eastgate", "Academy Way",
              ContextStatus.MONITORING, LEAD, (("school", CONTRIBUTE), ("police", VIEW)),
              "School context assessment under way after fights outside the gates at home time. The school is "
              "reviewing supervision on the routes to the bus stops.", school_urn="148210"),
    # Marsh Lane
    PlaceSpec("Beacon estate", PlaceKind.STREET, "Marsh Lane", "Beacon Road",
              ContextStatus.OPEN, LEAD, (("police", CONTRIBUTE),),
              "Garages and stairwells where young people are gathered by older males. The residents' association "
              "and housing are part of the plan."),
    PlaceSpec("Marsh Lane Retail Park", PlaceKind.OTHER, "Marsh Lane", "Marsh Lane",
              ContextStatus.MONITORING, LEAD, (("police", VIEW),),
              "The car park is used in the evenings; security staff report young people being approached by "
              "adults in cars."),
    PlaceSpec("Marsh Lane Recreation Ground", PlaceKind.PARK, "Marsh Lane", "Recreation Road",
              ContextStatus.NOTED, LEAD, (),
              "Residents report younger children being asked to carry bags across the ground."),
    PlaceSpec("Marsh Lane Youth Club", PlaceKind.YOUTH, "Marsh Lane", "Marsh Lane",
              ContextStatus.MONITORING, LEAD, (("school", VIEW),),
              "Well used by young people from across the ward. Youth workers share what they hear about tensions "
              "between groups."),
    # Kestrel Hill
    PlaceSpec("Ashgrove Park", PlaceKind.PARK, "Kestrel Hill", "Ashgrove Road",
              ContextStatus.OPEN, LEAD, (("police", CONTRIBUTE), ("kestrel", VIEW)),
              "Evening gatherings by the bandstand; residents report young people being given alcohol by adults."),
    PlaceSpec("Kestrel Hill tram stop", PlaceKind.TRANSPORT, "Kestrel Hill", "Kestrel Hill Road",
              ContextStatus.MONITORING, LEAD, (("police", VIEW),),
              "Groups wait at the stop without boarding. Tram staff report older males approaching pupils on the "
              "way home."),
    PlaceSpec("Kestrel Hill School", PlaceKind.SCHOOL, "Kestrel Hill", "School Lane",
              ContextStatus.OPEN, LEAD, (("kestrel", CONTRIBUTE),),
              "Harmful sexual behaviour between pupils reported in the changing rooms and on the bus home. A "
              "whole-school response is being planned with the school.", school_urn="151337"),
    # Riverside
    PlaceSpec("Canal towpath, Tenter Street", PlaceKind.STREET, "Riverside", "Tenter Street",
              ContextStatus.MONITORING, LEAD, (("police", CONTRIBUTE),),
              "Young people say they feel unsafe walking home along the towpath after dark; several robberies of "
              "young people have been reported."),
    PlaceSpec("Riverside Mini Market", PlaceKind.SHOP, "Riverside", "River Road",
              ContextStatus.NOTED, "police", (),
              "Young people seen buying many phone top-up vouchers and being met outside by adults in cars."),
    PlaceSpec("Riverside Boxing Gym", PlaceKind.YOUTH, "Riverside", "Wharf Street",
              ContextStatus.NOTED, LEAD, (),
              "The coach has asked for advice about a young person arriving with injuries they do not want to talk "
              "about. For many young people the gym is a protective space."),
    # Online: no position, no postcode
    PlaceSpec("Group chat 'NF Eastside'", PlaceKind.ONLINE, "", "",
              ContextStatus.OPEN, "police", (),
              "Online group chat used to arrange meet-ups and to share videos of fights. Some members are adults "
              "not known to the young people's families."),
    PlaceSpec("Gaming server used by Year 9 pupils", PlaceKind.ONLINE, "", "",
              ContextStatus.NOTED, LEAD, (("school", VIEW),),
              "Adults not known to the young people have joined the server and offered them gifts and game "
              "credit."),
]

# The places seed_demo's chronology entries name, and the place each one is.
ENTRY_PLACES = {
    "Northfield bus station": "Northfield Bus Station",
    "the Marsh Lane retail park": "Marsh Lane Retail Park",
    "Ashgrove Park": "Ashgrove Park",
    "the canal towpath by Tenter Street": "Canal towpath, Tenter Street",
    "the chicken shop on Station Parade": "Chicken Express, Station Parade",
    "the Beacon estate": "Beacon estate",
    "the multi-storey car park on Mill Road": "Mill Road multi-storey car park",
    "the skate park at Victoria Fields": "Victoria Fields skate park",
    "Northfield Central station": "Northfield Central station",
    "the underpass by the ring road": "Ring road underpass",
}


@dataclass(frozen=True)
class GroupSpec:
    name: str
    status: ContextStatus
    places: tuple[tuple[str, PlaceLinkNature], ...]  # one to three
    shares: tuple[tuple[str, str], ...]
    description: str
    closure_reason: str = ""
    ages: tuple[int, int] = (12, 17)


GROUPS = [
    GroupSpec("Group seen at Eastgate Park", ContextStatus.OPEN,
              (("Eastgate Park", PlaceLinkNature.GATHERING), ("Victoria Fields skate park", PlaceLinkNature.FREQUENTS)),
              (("police", CONTRIBUTE), ("school", VIEW)),
              "Young people, mostly aged 13 to 15, seen together at the park after school. Adults not known to "
              "them have been seen with the group.", ages=(12, 16)),
    GroupSpec("Year 10 friendship group, Kestrel Hill School", ContextStatus.MONITORING,
              (("Kestrel Hill School", PlaceLinkNature.ATTENDS), ("Ashgrove Park", PlaceLinkNature.GATHERING)),
              (("kestrel", CONTRIBUTE),),
              "Friendship group in which harmful sexual behaviour has been reported. The work is with the whole "
              "group and the school, not only with the young people named.", ages=(14, 15)),
    GroupSpec("Young people seen at Tower Court", ContextStatus.OPEN,
              (("Tower Court flats", PlaceLinkNature.FREQUENTS),),
              (("police", CONTRIBUTE),),
              "Young people seen visiting a flat at Tower Court late at night. Police believe adults are using the "
              "flat to sell drugs."),
    GroupSpec("Beacon estate group", ContextStatus.OPEN,
              (("Beacon estate", PlaceLinkNature.GATHERING), ("Marsh Lane Retail Park", PlaceLinkNature.FREQUENTS),
               ("Marsh Lane Youth Club", PlaceLinkNature.ATTENDS)),
              (("police", CONTRIBUTE),),
              "Young people gathered in the garages on the estate by older males; some have been found far from "
              "home."),
    GroupSpec("Group meeting at Northfield Bus Station", ContextStatus.MONITORING,
              (("Northfield Bus Station", PlaceLinkNature.GATHERING),
               ("Chicken Express, Station Parade", PlaceLinkNature.FREQUENTS)),
              (("police", VIEW),),
              "Young people from several wards who meet at the bus station in the evenings."),
    GroupSpec("Riverside towpath group", ContextStatus.NOTED,
              (("Canal towpath, Tenter Street", PlaceLinkNature.GATHERING),),
              (),
              "Referred by the detached youth team: young people seen together on the towpath late in the "
              "evening."),
    GroupSpec("Members of the 'NF Eastside' group chat", ContextStatus.OPEN,
              (("Group chat 'NF Eastside'", PlaceLinkNature.FREQUENTS),),
              (("police", CONTRIBUTE),),
              "Young people known to be in the group chat, from what young people and their parents have shown "
              "us."),
    GroupSpec("Marsh Lane Youth Club regulars", ContextStatus.CLOSED,
              (("Marsh Lane Youth Club", PlaceLinkNature.ATTENDS),),
              (("school", VIEW),),
              "Young people who go to the youth club together; recorded while there were tensions with another "
              "group.",
              closure_reason="Tensions with the other group have eased. The youth workers continue to offer "
                             "support."),
]

# The capable guardians at about half the places: role, organisation, what they do.
GUARDIANS = {
    "Chicken Express, Station Parade": (
        "Shop manager", "Chicken Express",
        "Calls the police non-emergency line when adults gather outside; lets young people wait inside if they "
        "feel unsafe."),
    "Golden Fry, High Street": (
        "Shop owner", "Golden Fry", "Knows many of the young people by name; part of the safe-space scheme."),
    "Eastgate Park": (
        "Park warden", "Northfield Council Parks and Open Spaces",
        "Locks the pavilion at dusk and reports cars parked by the gates."),
    "Ashgrove Park": (
        "Park warden", "Northfield Council Parks and Open Spaces",
        "Walks the park in the evenings and knows the local neighbourhood officer."),
    "Northfield Bus Station": (
        "Station supervisor", "Northfield Metro Buses",
        "Station staff look out for children travelling with adults who are not their carers."),
    "Kestrel Hill tram stop": (
        "Bus and tram operator", "Northfield Metro Buses",
        "Drivers on the route use the safe-space scheme and radio the control room when worried."),
    "Canal House hostel": (
        "Hostel manager", "Northfield Homes", "Introducing a visitor log and checks on under-18s in the building."),
    "Tower Court flats": (
        "Housing officer", "Northfield Homes", "Visits the tenant weekly and reports visitors at night."),
    "Beacon estate": (
        "Residents' association chair", "Beacon Residents' Association",
        "Raised the lighting in the garages; passes on what residents see."),
    "Marsh Lane Youth Club": (
        "Youth worker", "Safe Passage Northfield",
        "Runs the Tuesday and Friday sessions; trusted by many of the young people."),
    "Riverside Boxing Gym": (
        "Head coach", "Riverside Boxing Gym", "Offers free sessions to young people referred by the team."),
    "St Anne's church hall": (
        "Youth worker", "St Anne's Youth Project", "Runs the holiday scheme and a Friday drop-in."),
    "Northfield Central Library": (
        "Library manager", "Northfield Libraries", "Staff know how to raise a concern with the team."),
}
TRAINING = [
    ("Spotting the signs of exploitation", "Safe Passage Northfield"),
    ("What to do if a child seems unsafe", "Northfield Council Exploitation and Missing Team"),
    ("Contextual Safeguarding: making places safer", "Northfield Council Exploitation and Missing Team"),
    ("The safe-space scheme", "Northfield Constabulary"),
]

# Where each kind of evidence comes from, by the recording agency's key.
NOTES = {
    LEAD: ["Told to their social worker during a visit.", "From a return home interview.",
           "Seen by the detached youth team and passed on.", "Discussed at the MACE panel.",
           "A parent told us.", ""],
    "police": ["From police intelligence, graded.", "Seen by officers on patrol.",
               "From a missing person debrief.", ""],
    "school": ["Reported by school staff.", "Seen on the school's CCTV at the gates.", ""],
    "kestrel": ["Reported by school staff.", "From the pastoral team's records.", ""],
}
# How a person is usually linked to each kind of place.
NATURES = {
    PlaceKind.STREET: [PlaceLinkNature.LIVES_NEAR, PlaceLinkNature.FREQUENTS, PlaceLinkNature.GATHERING,
                       PlaceLinkNature.INCIDENT],
    PlaceKind.PARK: [PlaceLinkNature.FREQUENTS, PlaceLinkNature.GATHERING, PlaceLinkNature.INCIDENT],
    PlaceKind.TRANSPORT: [PlaceLinkNature.FREQUENTS, PlaceLinkNature.INCIDENT],
    PlaceKind.SHOP: [PlaceLinkNature.FREQUENTS, PlaceLinkNature.INCIDENT],
    PlaceKind.SCHOOL: [PlaceLinkNature.ATTENDS],
    PlaceKind.YOUTH: [PlaceLinkNature.ATTENDS],
    PlaceKind.HOUSING: [PlaceLinkNature.LIVES_NEAR, PlaceLinkNature.FREQUENTS],
    PlaceKind.ONLINE: [PlaceLinkNature.FREQUENTS],
    PlaceKind.OTHER: [PlaceLinkNature.FREQUENTS, PlaceLinkNature.GATHERING, PlaceLinkNature.INCIDENT],
}
OVERDUE_RATE = 0.1  # of the links this command records, shown as past their review-by date
TAGGED_ENTRIES = 60


class Command(BaseCommand):
    help = "Add Northfield's places, peer groups and links to seed_demo's data (seed_demo runs it). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo_contexts loads fictional demo data: it runs only with DEBUG=1 or --force.")
        lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
        people = list(YoungPerson.objects.filter(owning_agency=lead, la_person_id__startswith=PERSON_ID_PREFIX)
                      .order_by("la_person_id")) if lead else []
        if not people:
            raise CommandError(f"There is no Northfield demo data ({LEAD_AUTHORITY} and its young people) to add "
                               "places and peer groups to. Run seed_demo first.")
        started = time.monotonic()
        tally = Counter()
        with transaction.atomic():
            Seeder(lead, people, tally).run()
        if not tally:
            self.stdout.write("Northfield's places and peer groups are already present: nothing to add.")
        else:
            made = ", ".join(f"{count} {what}" for what, count in tally.items())
            self.stdout.write(self.style.SUCCESS(
                f"Added Northfield's contexts in {time.monotonic() - started:.1f} s: {made}."))
        if apps.is_installed("assessments"):  # assessments, contributions and safety plans, seeded by that app
            call_command("seed_demo_assessments", force=True, stdout=self.stdout)


class Seeder:
    """Draws everything from its own seeded generators, whatever is already there, then writes what is missing."""

    def __init__(self, lead: Agency, people: list[YoungPerson], tally: Counter):
        self.rng = random.Random(SEED)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.lead, self.people, self.tally = lead, people, tally
        self.today = timezone.localdate()
        by_name = {agency.name: agency for agency in Agency.objects.filter(name__in=[n for n, _ in AGENCIES.values()])}
        self.agencies = {key: by_name[name] for key, (name, _) in AGENCIES.items() if name in by_name}
        users = User.objects.select_related("agency").filter(is_active=True).in_bulk(
            [s.username for s in STAFF], field_name="username")
        missing = {"sw.demo", "tm.demo", "police.demo"} - set(users)
        if missing or set(PARTNERS) - set(self.agencies):
            raise CommandError(f"Northfield's demo staff or agencies are missing ({', '.join(sorted(missing))}). "
                               "Run seed_demo first.")
        self.sw, self.tm = users["sw.demo"], users["tm.demo"]
        # Who records and leads: the lead authority's social workers and team managers (sw.demo most often),
        # and each partner's practitioners.
        self.practitioners = [users[s.username] for s in STAFF if s.agency == LEAD and s.username in users
                              and s.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)]
        self.weights = [4 if user == self.sw else 1 for user in self.practitioners]
        self.staff = {key: [users[s.username] for s in STAFF if s.agency == key and s.username in users
                            and s.role == Role.PARTNER_PRACTITIONER] for key in PARTNERS}
        self.staff["police"].sort(key=lambda user: user.username != "police.demo")  # police.demo first
        self.overdue: list[tuple[type, int]] = []

    def run(self):
        self.places = {spec.name: self._place(spec) for spec in PLACES}
        self.groups = {spec.name: self._group(spec) for spec in GROUPS}
        for spec in PLACES:
            self._share(self.places[spec.name], spec.shares, spec.owner)
        for spec in GROUPS:
            self._share(self.groups[spec.name], spec.shares, LEAD)
        self._partner_reach()
        members = {spec.name: self._members(spec) for spec in GROUPS}
        for spec in GROUPS:
            for place_name, nature in spec.places:
                self._place_link(self.places[place_name], nature, group=self.groups[spec.name])
        self._associations(members)
        self._person_places(members)
        self._guardians()
        self._tags()
        self._make_some_overdue()

    # --- Places and peer groups ----------------------------------------------------------------------------

    def _lead_actor(self):
        return self.rng.choices(self.practitioners, weights=self.weights)[0]

    def _review_on(self, status: str) -> date | None:
        days = self.rng.randint(-21, 70)  # some already overdue
        return None if status == ContextStatus.CLOSED else self.today + timedelta(days=days)

    def _place(self, spec: PlaceSpec) -> Place:
        rng = self.rng
        actor = self.staff["police"][0] if spec.owner == "police" else rng.choice([self.sw, self.tm])
        lead = rng.choice(self.staff["police"] if spec.owner == "police" else self.practitioners)
        fields = {"name": spec.name, "kind": spec.kind, "ward": spec.ward, "status": spec.status,
                  "description": spec.description, "closure_reason": spec.closure_reason,
                  "school_urn": spec.school_urn, "lead_practitioner": lead, "review_on": self._review_on(spec.status)}
        if spec.ward:
            district, latitude, longitude = WARDS[spec.ward]
            units = "".join(rng.choices(POSTCODE_UNIT_LETTERS, k=2))
            fields |= {
                "address": f"{rng.randint(1, 120)} {spec.street}, {spec.ward}, Northfield",
                "postcode": f"{district} {rng.randint(1, 9)}{units}",
                "latitude": Decimal(f"{latitude + rng.uniform(-0.004, 0.004):.5f}"),
                "longitude": Decimal(f"{longitude + rng.uniform(-0.006, 0.006):.5f}"),
            }
        existing = Place.objects.filter(name=spec.name, owning_agency=actor.agency).first()
        if existing:
            return existing
        self.tally["places"] += 1
        return services.context_create(actor=actor, model=Place, **fields)

    def _group(self, spec: GroupSpec) -> PeerGroup:
        actor = self.rng.choice([self.sw, self.tm])
        lead = self.rng.choice(self.practitioners)
        review_on = self._review_on(spec.status)
        existing = PeerGroup.objects.filter(name=spec.name, owning_agency=self.lead).first()
        if existing:
            return existing
        self.tally["peer groups"] += 1
        return services.context_create(actor=actor, model=PeerGroup, name=spec.name, status=spec.status,
                                       description=spec.description, closure_reason=spec.closure_reason,
                                       lead_practitioner=lead, review_on=review_on)

    def _share(self, record, shares, owner: str):
        if owner != LEAD:
            return  # a partner's referral is shared with the lead authority by rule; partners share no further
        already = {agency.pk for agency, _ in access.sharing(record)}
        for key, level in shares:
            if self.agencies[key].pk not in already:
                access.share(actor=self.sw, obj=record, agency=self.agencies[key], level=level)
                self.tally["shares"] += 1

    def _partner_reach(self):
        """Which places each partner may add links to, and which of the young people it can see."""
        person_ids = [person.pk for person in self.people]
        place_ids = [place.pk for place in self.places.values()]
        self.partner_places, self.partner_people = {}, {}
        for key in PARTNERS:
            user = self.staff[key][0]
            self.partner_places[key] = set(access.visible(user, Place.objects.filter(pk__in=place_ids),
                                                          CONTRIBUTE).values_list("pk", flat=True))
            self.partner_people[key] = set(access.visible(user, YoungPerson.objects.filter(pk__in=person_ids))
                                           .values_list("pk", flat=True))

    # --- Evidence --------------------------------------------------------------------------------------------

    def _evidence(self, key: str, reliability=None) -> tuple[dict, bool]:
        """The evidence fields for a link recorded by agency ``key``, and whether to show it as overdue."""
        rng = self.rng
        drawn = rng.choices(list(Reliability), weights=[3, 5, 2])[0]
        evidence = {"reliability": reliability or drawn, "notes": rng.choice(NOTES[key]),
                    "review_by": self.today + timedelta(days=rng.randint(14, 180))}
        return evidence, rng.random() < OVERDUE_RATE

    def _created(self, link, overdue: bool):
        self.tally[{Membership: "memberships", Association: "associations", PlaceLink: "place links"}[type(link)]] += 1
        if overdue:
            self.overdue.append((type(link), link.pk))

    def _members(self, spec: GroupSpec) -> list[YoungPerson]:
        rng, group = self.rng, self.groups[spec.name]
        of_age = [p for p in self.people if spec.ages[0] <= p.age <= spec.ages[1]]
        pool = of_age if len(of_age) >= 4 else self.people
        members = sorted(rng.sample(pool, min(len(pool), rng.randint(4, 12))), key=lambda p: p.la_person_id)
        for person in members:
            role = rng.choices(list(MembershipRole), weights=[3, 5, 2])[0]
            from_date = self.today - timedelta(days=rng.randint(20, 400)) if rng.random() < 0.6 else None
            evidence, overdue = self._evidence(LEAD)
            actor = self._lead_actor()
            if not Membership.objects.filter(peer_group=group, young_person=person, ended_on__isnull=True).exists():
                self._created(services.membership_add(actor=actor, peer_group=group, young_person=person, role=role,
                                                      from_date=from_date, **evidence), overdue)
        return members

    def _associations(self, members: dict[str, list[YoungPerson]]):
        """Mostly between members of the same group; then siblings, conflicts, exploitation concerns, friends."""
        rng, people, count = self.rng, self.people, len(self.people)
        planned: dict[frozenset, tuple[YoungPerson, YoungPerson, str]] = {}

        def plan(person, other, nature):
            if person.pk != other.pk:
                planned.setdefault(frozenset((person.pk, other.pk)), (person, other, nature))

        for group_members in members.values():
            for a, b in combinations(group_members, 2):
                if rng.random() < 0.45:
                    plan(a, b, rng.choices([AssociationNature.FRIEND, AssociationNature.ASSOCIATE], [3, 2])[0])
        by_surname: dict[str, list[YoungPerson]] = {}
        for person in people:
            by_surname.setdefault(person.last_name, []).append(person)
        families = [family for family in by_surname.values() if len(family) > 1]
        for family in rng.sample(families, min(len(families), max(2, count // 40))):
            plan(family[0], family[1], AssociationNature.SIBLING)
        if count < 2:
            return
        groups = [group_members for group_members in members.values() if group_members]
        for _ in range(max(2, count // 40)):  # tensions between young people in different groups
            first, second = rng.sample(groups, 2) if len(groups) > 1 else (people, people)
            plan(rng.choice(first), rng.choice(second), AssociationNature.CONFLICT)
        for _ in range(max(2, count // 50)):  # ``person`` is the one at risk, from someone older
            person, other = sorted(rng.sample(people, 2), key=lambda p: p.date_of_birth, reverse=True)
            if (person.date_of_birth - other.date_of_birth).days > 365:
                plan(person, other, AssociationNature.EXPLOITATION)
        for _ in range(count // 8):
            a, b = rng.sample(people, 2)
            plan(a, b, rng.choices([AssociationNature.FRIEND, AssociationNature.ASSOCIATE], [3, 2])[0])
        for person, other, nature in planned.values():
            reliability = Reliability.REPORTED if nature == AssociationNature.SIBLING else None
            evidence, overdue = self._evidence(LEAD, reliability)
            actor = self._lead_actor()
            current = Association.objects.filter(ended_on__isnull=True, nature=nature)
            if current.filter(person=person, other=other).exists() or current.filter(person=other,
                                                                                     other=person).exists():
                continue
            self._created(services.association_add(actor=actor, person=person, other=other, nature=nature,
                                                   **evidence), overdue)

    def _person_places(self, members: dict[str, list[YoungPerson]]):
        """About one place per young person, near home more often than not; and group members at its places."""
        rng = self.rng
        open_places = [self.places[s.name] for s in PLACES if s.status != ContextStatus.CLOSED]
        for person in self.people:
            home = WARD_OF_DISTRICT.get(person.postcode.split(" ")[0])
            near = [place for place in open_places if place.ward == home]
            for _ in range(rng.choices([0, 1, 2], weights=[3, 5, 2])[0]):
                place = rng.choice(near if near and rng.random() < 0.6 else open_places)
                natures = [n for n in NATURES[place.kind] if n != PlaceLinkNature.LIVES_NEAR or place.ward == home]
                self._place_link(place, rng.choice(natures), person=person)
        for spec in GROUPS:
            place = self.places[spec.places[0][0]]
            for person in members[spec.name]:
                if rng.random() < 0.5:
                    self._place_link(place, spec.places[0][1], person=person)

    def _place_link(self, place: Place, nature: str, *, person: YoungPerson | None = None,
                    group: PeerGroup | None = None, actor=None, reliability=None):
        """Record a link as the lead authority, or now and then as a partner who can see both ends."""
        rng = self.rng
        partners = [key for key in PARTNERS if person and place.pk in self.partner_places[key]
                    and person.pk in self.partner_people[key]]
        key = partners[rng.randrange(len(partners))] if partners and rng.random() < 0.5 else LEAD
        chosen = rng.choice(self.staff[key]) if key != LEAD else self._lead_actor()
        actor = actor or chosen
        evidence, overdue = self._evidence(key if actor == chosen else LEAD, reliability)
        if PlaceLink.objects.filter(place=place, young_person=person, peer_group=group, nature=nature,
                                    ended_on__isnull=True).exists():
            return
        self._created(services.place_link_add(actor=actor, place=place, nature=nature, young_person=person,
                                              peer_group=group, **evidence), overdue)

    # --- Guardians and tagged chronology entries ---------------------------------------------------------

    def _guardians(self):
        rng, fake = self.rng, self.fake
        for place_name, (role, organisation, notes) in GUARDIANS.items():
            place = self.places[place_name]
            actor = self.staff["police"][0] if place.owning_agency_id == self.agencies["police"].pk else self.sw
            name = f"{fake.first_name()} {fake.last_name()}"
            contact = f"07700 900{rng.randint(0, 999):03d}"  # Ofcom's range for drama: never a real phone
            courses = rng.sample(TRAINING, rng.choices([0, 1, 2], weights=[4, 4, 2])[0])
            dates = [self.today - timedelta(days=rng.randint(10, 400)) for _ in courses]
            if Guardian.objects.filter(place=place, role=role).exists():
                continue
            guardian = services.guardian_add(actor=actor, place=place, name=name, organisation=organisation,
                                             role=role, how_to_contact=contact, engagement_notes=notes)
            self.tally["guardians"] += 1
            for (topic, delivered_by), given_on in zip(courses, dates, strict=True):
                services.guardian_training_add(actor=actor, guardian=guardian, given_on=given_on, topic=topic,
                                               delivered_by=delivered_by)
                self.tally["training records"] += 1

    def _tags(self):
        """Tag incidents and missing episodes on the lead authority's cases with where they happened.

        An entry that names one of the places is tagged with it; the rest with a place drawn at random.
        Tagged by the case's lead practitioner, who can see the entry and contribute to every place.
        """
        rng = self.rng
        entries = list(ChronologyEntry.objects.filter(
            kind__in=[EntryKind.INCIDENT, EntryKind.MISSING], case__owning_agency=self.lead, restricted=False,
            case__young_person__in=self.people).select_related("case__lead_practitioner", "case__young_person")
            .order_by("pk"))
        named = {entry.pk: self.places[place] for entry in entries
                 for phrase, place in ENTRY_PLACES.items() if phrase in entry.text}
        with_place = [entry for entry in entries if entry.pk in named]
        chosen = rng.sample(with_place, min(len(with_place), TAGGED_ENTRIES))
        rest = [entry for entry in entries if entry.pk not in named]
        chosen += rng.sample(rest, min(len(rest), TAGGED_ENTRIES - len(chosen)))
        physical = [place for place in self.places.values()
                    if place.kind != PlaceKind.ONLINE and place.status != ContextStatus.CLOSED]
        for entry in sorted(chosen, key=lambda entry: entry.pk):
            place = named.get(entry.pk) or rng.choice(physical)
            actor = entry.case.lead_practitioner
            if actor not in self.practitioners:
                actor = self.sw
            also_link = rng.random() < 0.5 and place.status != ContextStatus.CLOSED
            if not PlaceTag.objects.filter(entry=entry).exists():
                services.place_tag(actor=actor, entry=entry, place=place)
                self.tally["entries tagged"] += 1
            if also_link:
                self._place_link(place, PlaceLinkNature.INCIDENT, person=entry.case.young_person, actor=actor,
                                 reliability=Reliability.CONFIRMED)

    def _make_some_overdue(self):
        """Put about one link in ten that this run recorded past its review-by date.

        The services rightly refuse a review-by date in the past, so a queryset update written here is the only
        way to give the demo's "to review" list something on it. The last review moves back with it, to keep
        the review-by date on or after it (a database constraint); the change history still records the update.
        """
        for model, pk in self.overdue:
            review_by = self.today - timedelta(days=self.rng.randint(1, 45))
            model.objects.filter(pk=pk).update(review_by=review_by,
                                               last_reviewed_on=review_by - timedelta(days=self.rng.randint(60, 150)))
            self.tally["links made overdue"] += 1
