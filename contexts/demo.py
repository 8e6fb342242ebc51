"""Northfield's places and peer groups, and the evidence linking its young people to them and to each other.

Runs after ``cases.demo`` (``manage.py seed_demo`` runs every app's demo data in dependency order) and writes
through the services as the app does, so every record is checked against its actor's access, every link has a
source, a reliability and a review-by date, and every write is audited. Reproducible: the random draws come
from fixed seeds and never depend on what this module wrote before. Idempotent: places and peer groups are
found by name within their owning agency, and a link, share, guardian or tag already there is skipped, so a
second run adds nothing. It all runs in one transaction. The wards, places, groups, guardians and wording are
in ``demo_data/``.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cases import frontdoor_demo, transfers
from cases.demo import PERSON_ID_PREFIX, POSTCODE_UNIT_LETTERS, STORY_PERSON_ID
from cases.models import ChronologyEntry, EntryKind, YoungPerson
from contexts import services
from contexts.models import (
    Association,
    AssociationNature,
    ContextKind,
    ContextReferral,
    ContextStatus,
    ContextTransfer,
    Guardian,
    Membership,
    MembershipRole,
    PeerGroup,
    Place,
    PlaceKind,
    PlaceLink,
    PlaceLinkNature,
    PlaceTag,
    Purpose,
    Reliability,
)
from safeguarding import access
from safeguarding.demo import AGENCIES, LEAD, SHARE_BASIS, STAFF, DemoError, Run, load
from safeguarding.models import Agency, Area, User
from safeguarding.roles import Role

SEED = 2027
LEAD_AUTHORITY = AGENCIES[LEAD][0]
PARTNERS = ("police", "school", "kestrel")  # the agencies the demo's places and groups are shared with
CONTRIBUTE, VIEW = access.CONTRIBUTE, access.VIEW

# The six wards: postcode district, and the middle of the ward. Northfield is drawn on an ordinary English
# city's grid, in a box about 4 km across around (52.48, -1.89).
WARDS = {row["ward"]: (row["district"], float(row["latitude"]), float(row["longitude"]))
         for row in load(__file__, "wards.csv")}
WARD_OF_DISTRICT = {district: ward for ward, (district, _, _) in WARDS.items()}


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    kind: PlaceKind
    ward: str  # "" for an online place, which has no position or postcode
    street: str
    status: ContextStatus
    owner: str  # a key of safeguarding.demo's AGENCIES: the lead authority or the police
    shares: tuple[tuple[str, str], ...]
    description: str
    closure_reason: str = ""
    school_urn: str = ""


def _shares(rows: list) -> tuple[tuple[str, str], ...]:
    return tuple((key, level) for key, level in rows)


PLACES = [PlaceSpec(**{**row, "kind": PlaceKind(row["kind"]), "status": ContextStatus(row["status"]),
                       "shares": _shares(row["shares"])}) for row in load(__file__, "places.json")]

# The places cases.demo's chronology entries name, and the place each one is.
ENTRY_PLACES = load(__file__, "entry_places.json")


@dataclass(frozen=True)
class GroupSpec:
    name: str
    status: ContextStatus
    places: tuple[tuple[str, PlaceLinkNature], ...]  # one to three
    shares: tuple[tuple[str, str], ...]
    description: str
    closure_reason: str = ""
    ages: tuple[int, int] = (12, 17)


GROUPS = [GroupSpec(**{**row, "status": ContextStatus(row["status"]), "shares": _shares(row["shares"]),
                       "places": tuple((place, PlaceLinkNature(nature)) for place, nature in row["places"]),
                       **({"ages": tuple(row["ages"])} if "ages" in row else {})})
          for row in load(__file__, "groups.json")]

# The capable guardians at about half the places: role, organisation, what they do; and the training on offer.
_GUARDIANS = load(__file__, "guardians.json")
GUARDIANS = {place: (row["role"], row["organisation"], row["notes"]) for place, row in _GUARDIANS["guardians"].items()}
TRAINING = [(row["topic"], row["delivered_by"]) for row in _GUARDIANS["training"]]

# Where each kind of evidence comes from, by the recording agency's key.
NOTES = load(__file__, "evidence_notes.json")
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
OVERDUE_RATE = 0.1  # of the links this module records, shown as past their review-by date
EXPIRED_RATE = 0.3  # of those, unreviewed so long after it that they are no longer current
INTELLIGENCE_RATE = {"police": 0.5}  # of the links each agency records, recorded for intelligence only
TAGGED_ENTRIES = 60


def seed(run: Run):
    """Places, peer groups, their shares, and the links between them and the young people."""
    lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
    people = list(YoungPerson.objects.filter(owning_agency=lead, la_person_id__startswith=PERSON_ID_PREFIX)
                  .order_by("la_person_id")) if lead else []
    if not people:
        raise DemoError(f"There is no Northfield demo data ({LEAD_AUTHORITY} and its young people) to add "
                        "places and peer groups to. Run seed_demo first.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        Seeder(lead, people, tally).run()
    run.report(tally, time.monotonic() - started, added="Added Northfield's contexts",
               nothing="Northfield's places and peer groups are already present: nothing to add.")


class Seeder:
    """Draws everything from its own seeded generators, whatever is already there, then writes what is missing."""

    def __init__(self, lead: Agency, people: list[YoungPerson], tally: Counter):
        self.rng = random.Random(SEED)
        # Purposes and expiry are drawn apart from everything else, so adding them moved no other demo record.
        self.purpose_rng = random.Random(SEED + 1)
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
            raise DemoError(f"Northfield's demo staff or agencies are missing ({', '.join(sorted(missing))}). "
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
        self._areas()
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
        self._front_door()
        self._story()

    # The demo's story young person (cases.demo.story) frequents Eastgate Park and belongs to the group seen there:
    # both have safety plans, and so does she (assessments.demo), each listing the other.
    STORY_PLACE, STORY_GROUP = "Eastgate Park", "Group seen at Eastgate Park"

    def _story(self):
        """Link the story's young person to a place and a group, once, drawing nothing (no other record moves)."""
        person = YoungPerson.objects.filter(la_person_id=STORY_PERSON_ID).first()
        place, group = self.places.get(self.STORY_PLACE), self.groups.get(self.STORY_GROUP)
        if person is None or place is None or group is None:
            return
        evidence = {"reliability": Reliability.REPORTED, "review_by": self.today + timedelta(days=90),
                    "notes": "Seen there with the group on several evenings by the detached youth team."}
        if not PlaceLink.objects.filter(place=place, young_person=person, ended_on__isnull=True).exists():
            self._created(services.place_link_add(actor=self.sw, place=place, young_person=person,
                                                  nature=PlaceLinkNature.FREQUENTS, **evidence), False)
        if not Membership.objects.filter(peer_group=group, young_person=person, ended_on__isnull=True).exists():
            self._created(services.membership_add(actor=self.sw, peer_group=group, young_person=person,
                                                  role=MembershipRole.PERIPHERAL, **evidence), False)

    def _front_door(self):
        """A school's referral of a place, waiting at the front door, and a place the council asks the police to take
        over (written once)."""
        data = frontdoor_demo.DATA
        if not ContextReferral.objects.exists():
            row = data["context"]
            services.context_referral_create(
                actor=User.objects.get(username=row["referrer"]), kind=ContextKind.PLACE, name=row["name"],
                place_kind=row["place_kind"], postcode=row["postcode"], concerns=row["concerns"],
                harm_types=row["harm_types"], **frontdoor_demo.LAWFUL)
            self.tally["referrals"] += 1
        if not ContextTransfer.objects.exists():
            row = data["transfer"]
            spec = [p for p in PLACES if p.owner == LEAD and p.status != ContextStatus.CLOSED][row["place"]]
            place = self.places[spec.name]
            if not place.is_closed:
                transfers.transfer_request(actor=self.tm, record=place, to_agency=self.agencies[row["to"]],
                                           reason=row["reason"], basis=SHARE_BASIS)
                self.tally["transfers asked"] += 1

    # --- Places and peer groups ----------------------------------------------------------------------------

    def _lead_actor(self):
        return self.rng.choices(self.practitioners, weights=self.weights)[0]

    def _review_on(self, status: str) -> date | None:
        days = self.rng.randint(-21, 70)  # some already overdue
        return None if status == ContextStatus.CLOSED else self.today + timedelta(days=days)

    def _areas(self):
        """Northfield's wards, for placing a place at its ward's centre (the demo has no postcode finder). Reference
        data the administrators keep in the admin pages, as they keep the language list."""
        for ward, (district, latitude, longitude) in WARDS.items():
            _, created = Area.objects.get_or_create(name=ward, defaults={
                "district": district, "latitude": Decimal(str(latitude)), "longitude": Decimal(str(longitude))})
            self.tally["wards"] += created

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
            self._refer(record)  # a partner's own place reaches the lead authority by a referral, accepted
            return
        already = {agency.pk for agency, _ in access.sharing(record)}
        for key, level in shares:
            if self.agencies[key].pk not in already:
                access.share(actor=self.sw, obj=record, agency=self.agencies[key], level=level, basis=SHARE_BASIS)
                self.tally["shares"] += 1

    def _refer(self, record):
        """The partner refers its place to the front door, which works on it with them (written once)."""
        if record.referrals.exists():
            return
        referral = services.context_referral_create(
            actor=record.created_by, record=record, concerns=record.description or f"Concerns about {record.name}",
            harm_types=["cce"], **frontdoor_demo.LAWFUL)
        services.context_referral_accept(actor=self.tm, referral=referral, expected_version=referral.version,
                                         record=record)
        self.tally["referrals"] += 1

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
                    "review_by": self.today + timedelta(days=rng.randint(14, 180)),
                    "purpose": Purpose.INTELLIGENCE if self.purpose_rng.random() < INTELLIGENCE_RATE.get(key, 0)
                    else Purpose.WELFARE}
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
        Tagged by the case's lead practitioner, who can see the entry and contribute to every place. Which entries,
        which places and which also become links are drawn from a generator of their own: the shared one has by now
        drawn differently on a second run wherever what was already there changed a draw (a partner's reach grows with
        the panels' shares), and a second run then tagged and linked other entries.
        """
        rng = random.Random(SEED + 1)
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
            if self.purpose_rng.random() < EXPIRED_RATE:  # so long unreviewed that it is no longer current
                review_by -= timedelta(days=settings.LINK_EXPIRES_AFTER_DAYS)
                self.tally["links no longer current"] += 1
            model.objects.filter(pk=pk).update(review_by=review_by,
                                               last_reviewed_on=review_by - timedelta(days=self.rng.randint(60, 150)))
            self.tally["links made overdue"] += 1
