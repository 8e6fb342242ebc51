"""Northfield's places and peer groups, and the evidence linking its young people to them and to each other.

Runs after ``seed_demo`` (which calls it), writing through the services as the app does, so every link has a
source, a reliability and a review-by date, and is audited. Reproducible (fixed seed) and idempotent: it all runs
in one transaction, and does nothing when Northfield's places are already there.

    DEBUG=1 python manage.py seed_demo_contexts [--force]
"""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.models import ChronologyEntry, EntryKind, YoungPerson
from contexts import services
from contexts.models import (
    Association,
    AssociationNature,
    ContextStatus,
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

SEED = 2027
LEAD_AUTHORITY = "Northfield Council Children's Services"
CENTRE = (52.4862, -1.8904)  # the fictional borough is drawn on an ordinary English city's grid

# name, kind, ward, status, owner ("la" or "police"), what is known
PLACES = [
    ("Eastgate Park", PlaceKind.PARK, "Eastgate", ContextStatus.OPEN, "la",
     "Young people gather by the skate ramp after school; adults not known to them have been seen approaching."),
    ("Marsh Lane Recreation Ground", PlaceKind.PARK, "Marsh Lane", ContextStatus.MONITORING, "la",
     "Reports of younger children being asked to carry bags across the ground."),
    ("Northfield Bus Station", PlaceKind.TRANSPORT, "Northfield Central", ContextStatus.OPEN, "police",
     "Young people reported missing have been found here several times, late at night."),
    ("Kestrel Hill tram stop", PlaceKind.TRANSPORT, "Kestrel Hill", ContextStatus.MONITORING, "la",
     "A stop where groups wait without boarding; staff report concerns about older males."),
    ("Route 11 night bus", PlaceKind.TRANSPORT, "Riverside", ContextStatus.NOTED, "la",
     "Drivers report young people travelling alone towards the county border."),
    ("Golden Fry, High Street", PlaceKind.SHOP, "Old Town", ContextStatus.OPEN, "la",
     "Takeaway where young people are given free food by adults; the owner is willing to work with us."),
    ("Riverside Mini Market", PlaceKind.SHOP, "Riverside", ContextStatus.MONITORING, "police",
     "Young people seen buying large numbers of phone top-up vouchers."),
    ("Kebab House, Station Road", PlaceKind.SHOP, "Northfield Central", ContextStatus.NOTED, "la",
     "Mentioned by two young people as a place they were told to wait."),
    ("Vape and Phone, Eastgate Parade", PlaceKind.SHOP, "Eastgate", ContextStatus.CLOSED, "la",
     "Concern about sales to children."),
    ("Northfield Park Academy", PlaceKind.SCHOOL, "Eastgate", ContextStatus.MONITORING, "la",
     "School assessment under way after a pattern of fights outside the gates."),
    ("Kestrel Hill School", PlaceKind.SCHOOL, "Kestrel Hill", ContextStatus.OPEN, "la",
     "Harmful sexual behaviour between pupils reported in the changing rooms and on the bus home."),
    ("Marsh Lane Youth Club", PlaceKind.YOUTH, "Marsh Lane", ContextStatus.MONITORING, "la",
     "Well used; youth workers share what they hear about tensions between groups."),
    ("Riverside Boxing Gym", PlaceKind.YOUTH, "Riverside", ContextStatus.NOTED, "la",
     "Coach has asked for advice about a young person arriving with injuries."),
    ("Canal House Hostel", PlaceKind.HOUSING, "Old Town", ContextStatus.OPEN, "la",
     "Supported accommodation; older residents have been seen bringing children in."),
    ("Tower Court flats", PlaceKind.HOUSING, "Northfield Central", ContextStatus.MONITORING, "police",
     "Cuckooing of a vulnerable adult's flat suspected; young people seen visiting at night."),
    ("Brook Street estate", PlaceKind.STREET, "Marsh Lane", ContextStatus.OPEN, "la",
     "Underpass and garages used to meet; poor lighting raised with the council's street lighting team."),
    ("Old Town underpass", PlaceKind.STREET, "Old Town", ContextStatus.MONITORING, "la",
     "Graffiti naming local groups; two robberies of young people reported."),
    ("Riverside towpath", PlaceKind.STREET, "Riverside", ContextStatus.NOTED, "la",
     "Young people report feeling unsafe walking home along the towpath."),
    ("Eastgate shopping centre car park", PlaceKind.OTHER, "Eastgate", ContextStatus.CLOSED, "la",
     "Gatherings stopped after security changes."),
    ("Snap group 'NF eastside'", PlaceKind.ONLINE, "", ContextStatus.OPEN, "police",
     "Online group used to recruit and to share videos of fights."),
    ("Gaming server used by Year 9s", PlaceKind.ONLINE, "", ContextStatus.NOTED, "la",
     "Adults not known to the young people have joined and offered gifts."),
    ("Kestrel Hill playing fields", PlaceKind.PARK, "Kestrel Hill", ContextStatus.MONITORING, "la",
     "Evening gatherings; residents report young people drinking with adults."),
    ("Northfield Central library", PlaceKind.OTHER, "Northfield Central", ContextStatus.NOTED, "la",
     "Staff have noticed the same adult collecting different young people."),
    ("St Anne's church hall", PlaceKind.YOUTH, "Old Town", ContextStatus.MONITORING, "la",
     "Holiday activity scheme; a protective space several young people name."),
]
SCHOOL_URNS = {"Northfield Park Academy": "148210", "Kestrel Hill School": "151337"}
GROUPS = [
    ("Group seen at Eastgate Park", ContextStatus.OPEN),
    ("Year 10 friendship group, Kestrel Hill School", ContextStatus.MONITORING),
    ("Young people linked to Tower Court", ContextStatus.OPEN),
    ("Brook Street estate group", ContextStatus.OPEN),
    ("Group meeting at the bus station", ContextStatus.MONITORING),
    ("Riverside towpath group", ContextStatus.NOTED),
    ("Online group 'NF eastside' members", ContextStatus.OPEN),
    ("Marsh Lane Youth Club regulars", ContextStatus.CLOSED),
]
GUARDIANS = [("Shop owner", "Owner"), ("Park warden", "Parks and Open Spaces"),
             ("Bus operator", "Northfield Metro Buses"), ("Housing officer", "Northfield Homes"),
             ("Youth worker", "Safe Passage Northfield"), ("Security supervisor", "Centre management")]
TOPICS = ["Spotting signs of exploitation", "What to do if a child seems unsafe", "Contextual Safeguarding basics"]


class Command(BaseCommand):
    help = "Add Northfield's places, peer groups and links to the demo data (run by seed_demo). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo_contexts loads fictional demo data: it runs only with DEBUG=1 or --force.")
        lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
        people = list(YoungPerson.objects.filter(owning_agency=lead, la_person_id__startswith="NF-")
                      .order_by("la_person_id")) if lead else []
        if not people:
            raise CommandError("Run seed_demo first: there is no Northfield demo data to add contexts to.")
        tally = Counter()
        # All or nothing, in one transaction: if the first place is there, everything is.
        if not Place.objects.filter(name=PLACES[0][0]).exists():
            with transaction.atomic():
                Seeder(lead, people, tally).run()
        if tally:
            made = ", ".join(f"{count} {what}" for what, count in tally.items())
            self.stdout.write(self.style.SUCCESS(f"Added Northfield's contexts: {made}."))
        else:
            self.stdout.write("Northfield's contexts are already present: nothing to add.")


class Seeder:
    def __init__(self, lead: Agency, people: list[YoungPerson], tally: Counter):
        self.rng = random.Random(SEED)
        self.people, self.tally = people, tally
        self.today = timezone.localdate()
        users = {u.username: u for u in User.objects.select_related("agency")}
        self.sw, self.tm, self.police = users["sw.demo"], users["tm.demo"], users["police.demo"]
        self.leads = [u for u in users.values() if u.agency_id == lead.pk and u.has_perm("contexts.change_place")]
        self.partners = {a.name: a for a in Agency.objects.exclude(pk=lead.pk)}
        self.reporters = [self.sw, self.tm, *self.leads[:4]]
        # The police link only the young people their agency can see (cases shared with them).
        self.police_people = list(access.visible(self.police, YoungPerson.objects.filter(
            pk__in=[p.pk for p in people])).order_by("pk"))

    def run(self):
        places = [self._place(*spec) for spec in PLACES]
        groups = [self._group(name, status) for name, status in GROUPS]
        self._share(places + groups)
        for group in groups:
            self._members_and_places(group, places)
        self._associations()
        self._person_places(places)
        self._guardians(places)
        self._tags(places)
        self._some_overdue()

    # -- records --

    def _review_on(self):
        return self.today + timedelta(days=self.rng.randint(-10, 60))

    def _place(self, name, kind, ward, status, owner, description):
        existing = Place.objects.filter(name=name).first()
        if existing:
            return existing
        actor = self.police if owner == "police" else self.rng.choice([self.sw, self.tm])
        position = {}
        if kind != PlaceKind.ONLINE:
            lat = CENTRE[0] + self.rng.uniform(-0.04, 0.04)
            lng = CENTRE[1] + self.rng.uniform(-0.06, 0.06)
            position = {"latitude": Decimal(f"{lat:.5f}"), "longitude": Decimal(f"{lng:.5f}"),
                        "postcode": f"NF{self.rng.randint(1, 9)} {self.rng.randint(1, 9)}"
                                    f"{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"}
        lead = actor if owner == "police" else self.rng.choice(self.leads)
        self.tally["places"] += 1
        return services.context_create(
            actor=actor, model=Place, name=name, kind=kind, ward=ward, description=description,
            status=status, closure_reason="Concern no longer present after a review with partners."
            if status == ContextStatus.CLOSED else "", lead_practitioner=lead, review_on=self._review_on(),
            school_urn=SCHOOL_URNS.get(name, ""), **position)

    def _group(self, name, status):
        existing = PeerGroup.objects.filter(name=name).first()
        if existing:
            return existing
        self.tally["peer groups"] += 1
        return services.context_create(
            actor=self.sw, model=PeerGroup, name=name, status=status, lead_practitioner=self.rng.choice(self.leads),
            review_on=self._review_on(), description="A working label for young people seen together; membership "
            "is evidence from the agencies named on each link.",
            closure_reason="The group no longer meets." if status == ContextStatus.CLOSED else "")

    def _share(self, records):
        police = self.partners["Northfield Constabulary"]
        school = self.partners["Northfield Park Academy"]
        for i, record in enumerate(records):
            if record.owning_agency_id == police.pk:
                continue  # a partner's referral goes to the lead authority; partners do not share onwards
            for agency, chance in [(police, 0.7), (school, 0.35)]:
                if self.rng.random() < chance and not access.can(self._member(agency), record):
                    access.share(actor=self.sw, obj=record, agency=agency,
                                 level=access.CONTRIBUTE if i % 3 == 0 else access.VIEW)
                    self.tally["shares"] += 1

    @staticmethod
    def _member(agency):
        return User.objects.filter(agency=agency, is_active=True).first()

    # -- evidence --

    def _evidence(self):
        return {"reliability": self.rng.choices(list(Reliability), weights=[4, 4, 2])[0],
                "review_by": self.today + timedelta(days=self.rng.randint(20, 120)),
                "notes": self.rng.choice(["From a return home interview.", "Seen by the detached youth team.",
                                          "Police intelligence, graded.", "Reported by school staff.",
                                          "The young person told their social worker.", ""])}

    def _members_and_places(self, group, places):
        rng = self.rng
        members = rng.sample(self.people, min(len(self.people), rng.randint(4, 12)))
        group.demo_members = members
        for person in members:
            if not Membership.objects.filter(peer_group=group, young_person=person, ended_on__isnull=True).exists():
                services.membership_add(actor=self.sw, peer_group=group, young_person=person,
                                        role=rng.choices(list(MembershipRole), weights=[3, 5, 2])[0],
                                        **self._evidence())
                self.tally["memberships"] += 1
        own = [p for p in places if p.owning_agency_id == self.sw.agency_id]
        for place in rng.sample(own, rng.randint(1, 3)):
            nature = rng.choice([PlaceLinkNature.GATHERING, PlaceLinkNature.FREQUENTS, PlaceLinkNature.INCIDENT])
            if not PlaceLink.objects.filter(place=place, peer_group=group, nature=nature,
                                            ended_on__isnull=True).exists():
                services.place_link_add(actor=self.sw, place=place, peer_group=group, nature=nature,
                                        **self._evidence())
                self.tally["place links"] += 1
        # Members of one group are likely to know each other.
        for a, b in zip(members, members[1:], strict=False):
            self._associate(a, b, rng.choice([AssociationNature.FRIEND, AssociationNature.ASSOCIATE]))

    def _associations(self):
        natures = list(AssociationNature)
        for _ in range(90 if len(self.people) > 1 else 0):
            a, b = self.rng.sample(self.people, 2)
            self._associate(a, b, self.rng.choices(natures, weights=[6, 2, 1, 5, 2, 1])[0])

    def _associate(self, a, b, nature):
        pair = Association.objects.filter(ended_on__isnull=True, nature=nature)
        if pair.filter(person=a, other=b).exists() or pair.filter(person=b, other=a).exists():
            return
        services.association_add(actor=self.rng.choice(self.reporters), person=a, other=b, nature=nature,
                                 **self._evidence())
        self.tally["associations"] += 1

    def _person_places(self, places):
        ours = [p for p in places if p.owning_agency_id == self.sw.agency_id]
        theirs = [p for p in places if p.owning_agency_id == self.police.agency_id]
        pairs = [(person, self.rng.choice(ours)) for person in self.rng.sample(self.people, min(len(self.people), 120))]
        pairs += [(person, self.rng.choice(theirs)) for person in self.police_people[:20]]
        for person, place in pairs:
            nature = self.rng.choice(list(PlaceLinkNature))
            if PlaceLink.objects.filter(place=place, young_person=person, nature=nature,
                                        ended_on__isnull=True).exists():
                continue
            services.place_link_add(actor=self._actor_for(place), place=place, young_person=person, nature=nature,
                                    **self._evidence())
            self.tally["place links"] += 1

    def _actor_for(self, place):
        return self.police if place.owning_agency_id == self.police.agency_id else self.sw

    def _guardians(self, places):
        for place in places[::2]:
            if place.guardians.exists() or place.kind == PlaceKind.ONLINE:
                continue
            role, organisation = self.rng.choice(GUARDIANS)
            first, last = self.rng.choice(["Sunita", "Dave", "Marek", "Grace", "Imran", "Carol"]), self.rng.choice(
                ["Patel", "Hughes", "Nowak", "Mensah", "Iqbal", "Reid"])
            guardian = services.guardian_add(
                actor=self._actor_for(place), place=place, name=f"{first} {last}", organisation=organisation,
                role=role, how_to_contact="Through the lead practitioner",
                engagement_notes="Met on site; keen to help and knows who to call if worried.")
            self.tally["guardians"] += 1
            if self.rng.random() < 0.6:
                services.guardian_training_add(actor=self._actor_for(place), guardian=guardian,
                                               given_on=self.today - timedelta(days=self.rng.randint(5, 200)),
                                               topic=self.rng.choice(TOPICS), delivered_by="Safe Passage Northfield")
                self.tally["training records"] += 1

    def _tags(self, places):
        physical = [p for p in places if p.kind != PlaceKind.ONLINE and p.owning_agency_id == self.sw.agency_id]
        entries = (ChronologyEntry.objects.filter(kind__in=[EntryKind.INCIDENT, EntryKind.MISSING],
                                                  case__owning_agency_id=self.sw.agency_id, restricted=False,
                                                  place_tag__isnull=True).order_by("pk")[:60])
        for entry in entries:
            if not PlaceTag.objects.filter(entry=entry).exists():
                services.place_tag(actor=self.sw, entry=entry, place=self.rng.choice(physical))
                self.tally["entries tagged"] += 1

    def _some_overdue(self):
        """Backdate about one link in ten, so the demo's "to review" list has something on it.

        The services rightly refuse a review-by date in the past, so this is the one place the seeder writes
        around them (a queryset update; the change history still records it).
        """
        if not self.tally:
            return
        long_ago = self.today - timedelta(days=150)
        for model in (Membership, Association, PlaceLink):
            ids = list(model.objects.filter(ended_on__isnull=True).order_by("pk").values_list("pk", flat=True)[::10])
            model.objects.filter(pk__in=ids).update(last_reviewed_on=long_ago,
                                                   review_by=self.today - timedelta(days=self.rng.randint(1, 40)))
