"""A world of lead-authority records, and every app URL filled in with their ids.

``build`` makes one record of every kind a URL can name, all owned by the lead authority, written through the
services as the app writes them. The case, a friend's case, the place and the peer group are shared with the police
(to view); nothing is shared with housing (oscar). The panel's members are the council, the police and the school.

``plant`` then adds lead-authority records shared with no one, linked to the shared ones: what a partner must
never learn about (tests/security/test_planted_records.py).

``urls`` turns every non-admin URL pattern into concrete addresses by the parameter's name and the route's first
segment (``PK``, ``KINDS``, ``OTHER`` below). A pattern that cannot be filled is reported, never skipped.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Framework
from cases import services as case_services
from cases import transfers
from cases.models import EntryKind
from contexts import services as context_services
from contexts.models import AssociationNature, MembershipRole, PeerGroup, Place, PlaceKind, PlaceLinkNature, Reliability
from panels import services as panel_services
from panels.models import PanelKind
from reports import services as report_services
from safeguarding import access
from safeguarding import services as kernel_services
from safeguarding.models import Notification, RetentionItem
from safeguarding.roles import Role
from tests.conftest import LAWFUL

from ..factories import CaseFactory, YoungPersonFactory

# <int:pk> by the route's first segment: the world's record it names.
PK = {
    "young-people": "person", "cases": "case", "chronology": "entry", "places": "place", "guardians": "guardian",
    "peer-groups": "group", "assessments": "assessment", "contributions": "contribution", "goals": "goal",
    "interventions": "intervention", "panels": "panel", "meetings": "meeting", "items": "item", "actions": "action",
    "packs": "pack", "frameworks": "framework", "reports": "export", "notifications": "notification",
    "share-requests": "share_request", "webhooks": "webhook", "missing": "episode", "nrm": "nrm_referral",
    "retention": "retention_item", "subject-access": "sar",
    # A person's own passkeys (allauth's pages under /account/2fa/webauthn/keys/<pk>/): alice's.
    "account": "passkey",
    "agreements": "agreement",
}
# Routes with <str:kind>: by first segment, each kind's word and the record its <int:pk> then names.
SUBJECT_KINDS = {"young-person": "person", "place": "place", "peer-group": "group"}
KINDS = {
    "links": {"membership": "membership", "association": "association", "place-link": "place_link"},
    "assessments": SUBJECT_KINDS,
    "referrals": {"young-person": "yp_referral", "context": "context_referral"},
    "transfers": {"case": "case_transfer", "context": "context_transfer"},
    "safety-plans": SUBJECT_KINDS,
    # Documents (safeguarding.attachments): a document of each kind; uploading names the record it is attached to.
    "documents": {"case": "case_document", "place": "place_document", "peer-group": "group_document",
                  "assessment": "assessment_document", "meeting": "meeting_document"},
    "upload": {"case": "case", "place": "place", "peer-group": "group", "assessment": "assessment",
               "meeting": "meeting"},
    # A picker's search (safeguarding.pickers): its kinds name no record.
    "find": {"young-person": None, "place": None, "peer-group": None, "agency": None, "person": None},
    # Who has seen a record (safeguarding.viewers): each kind's word and its record.
    "seen": {"young-person": "person", "case": "case", "place": "place", "peer-group": "group"},
}
# Other parameters, by name.
OTHER = {"agency_pk": "agency", "person_pk": "attendee"}
# Parameters that name no record but a fixed part of one, the same in every world: an assessment's section (every
# framework ends with the outcome section, assessments.frameworks.OUTCOME).
LITERAL = {"key": "outcome"}
# Records that are no agency's secret: frameworks are the service's, agencies and people are known to all.
NOT_SECRET = {"framework", "agency", "attendee"}
# The partner API's resources (/api/v1/<name>/<pk>/ and their actions): the world's record each <pk> names.
API_PK = {
    "young-people": "person", "cases": "case", "chronology-entries": "entry", "places": "place", "peer-groups": "group",
    "place-links": "place_link", "associations": "association", "memberships": "membership",
    "assessments": "assessment", "contribution-requests": "contribution", "meetings": "meeting",
    "agenda-items": "item", "actions": "action", "referrals": "yp_referral",
}
# Public pages name nothing, and signing out (or in) would end the session under test: tests/security's door test
# covers them (single sign-on's page and callback too: tests/safeguarding/test_sso.py).
SKIP = {"login", "logout", "healthz", "sign-in-sso", "openid_connect_callback", "account_login", "account_logout",
        "account_inactive", "account_reset_password", "account_reset_password_done", "account_reset_password_from_key",
        "account_reset_password_from_key_done", "mfa_authenticate", "mfa_login_webauthn", "invitation-accept"}


def app_patterns(resolver=None, prefix=""):
    """(route, name) of every URL pattern outside the admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or getattr(entry, "app_name", None) == "admin":
                continue
            yield from app_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


@dataclass
class Url:
    name: str
    path: str
    names: list = field(default_factory=list)  # the world's keys of the records in the address

    @property
    def secret(self) -> list:
        return [key for key in self.names if key not in NOT_SECRET]


def _params(route: str, pattern: URLPattern) -> dict:
    """The parameters of the whole route: an include's prefix may hold one (allauth's ``keys/<int:pk>/``)."""
    if isinstance(pattern.pattern, RoutePattern):
        return dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", route))
    return dict.fromkeys(pattern.pattern.regex.groupindex)


class Literal(str):
    """A parameter's fixed value (``LITERAL``), not the key of a record in the world."""


def fill(route: str, pattern: URLPattern, world: dict) -> tuple[list[Url], list[str]]:
    """Concrete addresses of one pattern from ``world`` (a dict of records by key), and what could not be filled."""
    params = _params(route, pattern)
    first = route.split("/", 1)[0]
    where = f"{route} ({pattern.name})"
    if "kind" in params:
        if first not in KINDS:
            return [], [f"{where}: cannot fill <kind>: add its words to KINDS in tests/security/world.py"]
        choices = [{"kind": word, **({"pk": key} if "pk" in params else {})} for word, key in KINDS[first].items()]
    else:
        choices = [{}]
    problems = []
    for param in params:
        if param in ("kind", "pk") and "kind" in params:
            continue
        if param in LITERAL:
            for choice in choices:
                choice[param] = Literal(LITERAL[param])
            continue
        key = PK.get(first) if param == "pk" else OTHER.get(param)
        if key is None:
            problems.append(f"{where}: cannot fill <{param}>: add the record it names to "
                            f"{'PK' if param == 'pk' else 'OTHER'} in tests/security/world.py")
        for choice in choices:
            choice[param] = key
    if problems:
        return [], problems
    made = []
    for choice in choices:
        kwargs, names = {}, []
        for param, key in choice.items():
            if param == "kind" or isinstance(key, Literal):
                kwargs[param] = str(key)
                continue
            if world.get(key) is None:
                return [], [f"{where}: the world has no {key!r}: add one to tests/security/world.py"]
            kwargs[param], _ = world[key].pk, names.append(key)
        made.append(Url(pattern.name, reverse(pattern.name, kwargs=kwargs), names))
    return made, []


def is_api(route: str) -> bool:
    return route.startswith("api/")


def urls(world: dict) -> tuple[list[Url], list[str]]:
    """Every app URL filled from ``world``, and every pattern that could not be (each a message saying what to add).
    The partner API's are ``api_urls``: called with a client's credential, not a signed-in person's session.
    """
    found, problems = [], []
    for route, pattern in app_patterns():
        if pattern.name in SKIP or is_api(route):
            continue
        made, missing = fill(route, pattern, world)
        found += made
        problems += missing
    return found, problems


@dataclass
class ApiUrl:
    name: str  # the route's name in the "api" namespace: cases-list, cases-detail, actions-progress
    path: str
    methods: list  # what the route answers besides OPTIONS: ["get"], ["get", "post"], ["post"]
    names: list = field(default_factory=list)

    @property
    def secret(self) -> list:
        return self.names


def _api_methods(pattern: URLPattern) -> list[str]:
    actions = getattr(pattern.callback, "actions", None) or {}
    return sorted(method for method in actions if method not in ("options", "head"))  # HEAD is GET without a body


def api_urls(world: dict) -> tuple[list[ApiUrl], list[str]]:
    """Every partner API route filled from ``world`` (``API_PK``), and those that could not be (what to add). The
    schema and its documentation page name nothing and are left out."""
    found, problems = [], []
    for route, pattern in app_patterns():
        if not is_api(route) or pattern.name in ("schema", "docs"):
            continue
        params = _params(route, pattern)
        resource = max((name for name in API_PK if pattern.name.startswith(f"{name}-")), key=len, default=None)
        if resource is None:
            problems.append(f"{route} ({pattern.name}): add its resource to API_PK in tests/security/world.py")
            continue
        unknown = set(params) - {"pk"}
        if unknown:
            problems.append(f"{route} ({pattern.name}): cannot fill {sorted(unknown)}: teach api_urls in "
                            "tests/security/world.py")
            continue
        if "pk" in params:
            key = API_PK[resource]
            if world.get(key) is None:
                problems.append(f"{route} ({pattern.name}): the world has no {key!r}")
                continue
            found.append(ApiUrl(pattern.name, reverse(f"api:{pattern.name}", args=[world[key].pk]),
                                _api_methods(pattern), [key]))
        else:
            found.append(ApiUrl(pattern.name, reverse(f"api:{pattern.name}"), _api_methods(pattern)))
    return found, problems


def _evidence(days=60):
    return {"reliability": Reliability.REPORTED, "review_by": timezone.localdate() + timedelta(days=days)}


def _person(actor, first, last):
    return YoungPersonFactory(actor=actor, first_name=first, last_name=last)


def _case(actor, person):
    return CaseFactory(actor=actor, young_person=person, lead_practitioner=actor,
                       summary=f"Concerns about {person.first_name}")


def _place(actor, name, **extra):
    return context_services.context_create(actor=actor, model=Place, name=name, kind=PlaceKind.PARK, ward="Marsh",
                                           postcode="B2 2BB", latitude=52.47, longitude=-1.88,
                                           description=f"{name}: reports of older males", **extra)


def _group(actor, name):
    return context_services.context_create(actor=actor, model=PeerGroup, name=name)


def build(cast: dict, agencies: dict, *, share_with_police: bool = True) -> tuple[dict, list[str]]:
    """The world, and the names and references in it that no outsider may ever read."""
    alice, colin, pete, sam = cast["alice"], cast["colin"], cast["pete"], cast["sam"]
    police, la, school = agencies["police"], agencies["la"], agencies["school"]
    now, today = timezone.now(), timezone.localdate()

    person = _person(alice, "Zephyrine", "Quillfeather")
    friend = _person(alice, "Barnaby", "Thistlewood")
    case = _case(alice, person)
    friend_case = _case(alice, friend)
    case_services.trusted_adult_add(actor=alice, young_person=person, name="Auntie Gwendolyn Marchbank",
                                    relationship="Aunt")
    case_services.voice_entry_add(actor=alice, young_person=person, said_on=today,
                                  words="I feel safe at the climbing wall")
    entry = case_services.chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT,
                                         occurred_at=now - timedelta(days=2), text="Seen at Cobblewick Rec at night")
    # On the friend's case (shared with the police to view, on no agenda): what the packs hold stays as it was.
    episode = case_services.missing_episode_record(
        actor=alice, case=friend_case, missing_at=now - timedelta(days=6),
        reported_by="Foster carer at Gallowmere House",
        police_reference="NF-MIS-4417", found_at=now - timedelta(days=5), where_found="Gallowmere bus station",
        harm_disclosed=True, harm_detail="Given a Gallowmere phone to carry")
    case_services.return_interview_record(
        actor=alice, episode=episode, outcome="accepted", offered_at=now - timedelta(days=1), conducted_by=la,
        held_on=today, words="Gallowmere lads said I owed them", next_steps="Safety plan review")
    nrm_referral = case_services.nrm_referral_record(
        actor=alice, case=friend_case, first_responder="local_authority", referred_on=today - timedelta(days=4),
        exploitation_types=["criminal"], rg_decision="positive", rg_decided_on=today - timedelta(days=2),
        devolved_pilot=True, pilot_panel="Gallowmere devolved panel")
    place = _place(alice, "Cobblewick Recreation Ground")
    group = _group(alice, "Cobblewick Riders")
    membership = context_services.membership_add(actor=alice, peer_group=group, young_person=person,
                                                 role=MembershipRole.CORE, **_evidence())
    context_services.membership_add(actor=alice, peer_group=group, young_person=friend,
                                    role=MembershipRole.PERIPHERAL, **_evidence())
    association = context_services.association_add(actor=alice, person=person, other=friend,
                                                   nature=AssociationNature.FRIEND, **_evidence())
    place_link = context_services.place_link_add(actor=alice, place=place, young_person=person,
                                                 nature=PlaceLinkNature.GATHERING, **_evidence())
    context_services.place_link_add(actor=alice, place=place, peer_group=group, nature=PlaceLinkNature.GATHERING,
                                    **_evidence())
    guardian = context_services.guardian_add(actor=alice, place=place, name="Mr Ignatius Pennywhistle",
                                             role="Park warden")
    context_services.guardian_training_add(actor=alice, guardian=guardian, given_on=today - timedelta(days=3),
                                           topic="Spotting grooming")

    neighbourhood = Framework.objects.get(key="neighbourhood")
    assessment = assessment_services.assessment_start(actor=alice, subject=place, framework=neighbourhood)
    contribution = assessment_services.contribution_request(
        actor=alice, assessment=assessment, agency=school, question="What do pupils say about Cobblewick?",
        due_on=today + timedelta(days=7), basis=LAWFUL)
    goal = assessment_services.goal_add(actor=alice, subject=place, statement="Children cross Cobblewick safely",
                                        met_when="No reports for three months", measured_by="Police logs")
    intervention = assessment_services.intervention_add(actor=alice, goal=goal, what="Detached youth work at dusk",
                                                        owner_agency=la, due_on=today + timedelta(days=30))
    assessment_services.goal_add(actor=alice, subject=group, statement="The riders find a safe space",
                                 met_when="A youth club place each", measured_by="Attendance")
    assessment_services.goal_add(actor=alice, subject=person, statement="Feels safe on the way home",
                                 met_when="Says so at two reviews", measured_by="Their own words")

    if share_with_police:
        for record in (case, friend_case, place, group):
            access.share(actor=alice, obj=record, agency=police, level=access.VIEW, basis=LAWFUL)

    panel = panel_services.panel_create(actor=colin, name="Cobblewick MACE panel", kind=PanelKind.MACE,
                                        member_agencies=[la, police, school], chairs=[colin])
    meeting = panel_services.meeting_schedule(actor=colin, panel=panel, starts_at=now + timedelta(days=7),
                                              location="Quillfeather House, room 9")
    panel_services.attendance_set(actor=colin, meeting=meeting, person=pete, status="invited")
    panel_services.attendance_set(actor=colin, meeting=meeting, person=sam, status="invited")
    add = panel_services.agenda_item_add
    item = add(actor=colin, meeting=meeting, subject=person, reason="Missing from home twice")
    place_item = add(actor=colin, meeting=meeting, subject=place, reason="Approaches after school")
    group_item = add(actor=colin, meeting=meeting, subject=group, reason="Riders carrying bags")
    add(actor=colin, meeting=meeting, theme="Late buses through Marsh", reason="Reports from two schools")
    action = panel_services.action_add(actor=colin, item=item, description="Return home interview for Zephyrine",
                                       owner_agency=police, owner=pete, due_on=today + timedelta(days=10))
    # The school cannot see the place: the chair asks the council to share it with them.
    share_request = panel_services.share_request_ask(actor=colin, item=place_item, agencies=[school],
                                                     reason="Pupils of Cobblewick Academy cross the ground")
    packs = panel_services.packs_request(actor=colin, meeting=meeting)
    pack = next(p for p in packs if p.agency_id == police.pk)
    export = report_services.export_request(actor=cast["mandy"], what="cases", params={"status": "open"}, fmt="csv")
    # Pete's own (the action is his): names the action, so no one else may open it.
    notification = Notification.objects.filter(recipient=pete).order_by("pk").first()
    # The front door: the police refer a young person and a place to the lead authority (both waiting); the lead
    # authority asks the police to take over the friend's case; the police's manager asks the lead authority to take
    # over a place of theirs.
    # The council and the police have an information-sharing agreement (housing is no party to it).
    agreement = kernel_services.agreement_create(
        actor=access.system("tests"), parties=[la, police], title="Quenby Accord on sharing", reference="QA-1",
        starts_on=today - timedelta(days=30), review_on=today + timedelta(days=300),
        summary="What the council and the police share about young people at risk")
    lawful = {"lawful_basis": "public_task", "special_category": "safeguarding"}
    yp_referral = case_services.referral_create(
        actor=pete, first_name="Peregrine", last_name="Ashcombe-Referred", date_of_birth=today - timedelta(days=5000),
        postcode="B2 2BB", concerns="Seen at Wickerly Arcade with older men", harm_types=["cce"],
        family_knows="Dad knows", young_person_agreed="agreed", **lawful)
    context_referral = context_services.context_referral_create(
        actor=pete, kind="place", name="Wickerly Arcade", place_kind=PlaceKind.SHOP, postcode="B2 2BB",
        concerns="Adults buying food for children", harm_types=["cse"], **lawful)
    case_transfer = transfers.transfer_request(actor=cast["mandy"], record=friend_case, to_agency=police,
                                               reason="Police-led Larkspur operation", basis=LAWFUL)
    police_manager = kernel_services.user_create(
        actor=access.system("tests"), username="pam", agency=police, roles=[Role.TEAM_MANAGER], first_name="Pam",
        last_name="Test", email="pam@example.org")
    garages = context_services.context_create(actor=pete, model=Place, name="Larkspur Lane garages",
                                              kind=PlaceKind.STREET)
    context_transfer = transfers.transfer_request(actor=police_manager, record=garages, to_agency=la,
                                                  reason="Larkspur garages are a council matter", basis=LAWFUL)
    # The council's case management system, told of what is addressed to the council (safeguarding.webhooks): its
    # administrators' alone; another agency does not learn it exists.
    webhook, _ = kernel_services.webhook_create(
        actor=access.system("tests"), agency=la, url="https://hooks.mossgiel-council.example/efh-events",
        events=["request.received", "record.shared"], description="Mossgiel casework system")

    # Alice's passkey (allauth writes one from a browser's answer: tests/e2e/test_sign_in_mfa.py): only she may open it.
    passkey = Authenticator.objects.create(user=alice, type=Authenticator.Type.WEBAUTHN,
                                           data={"name": "Work laptop", "passwordless": True, "credential": {}})

    # Data protection: a closed case past a (zero-month) retention period, listed for the council's managers; and a
    # subject access request for the young person, queued.
    retained = _person(alice, "Quillon", "Retainwell")
    retained_case = _case(alice, retained)
    retained_case = case_services.case_close(actor=cast["mandy"], case=retained_case,
                                             expected_version=retained_case.version, reason="nfa")
    kernel_services.retention_schedule_save(actor=access.system("tests"), record_type="cases.case", months=0)
    kernel_services.retention_list_due(actor=access.system("tests"))
    retention_item = RetentionItem.objects.get(record_id=retained_case.pk)
    sar = kernel_services.subject_access_request(actor=cast["mandy"], young_person=person,
                                                 requested_by="Zephyrine herself", received_on=today)

    world = {
        "passkey": passkey, "retention_item": retention_item, "sar": sar,
        "person": person, "friend": friend, "case": case, "friend_case": friend_case, "entry": entry,
        "place": place, "group": group, "membership": membership, "association": association,
        "place_link": place_link, "guardian": guardian, "assessment": assessment, "contribution": contribution,
        "goal": goal, "intervention": intervention, "panel": panel, "meeting": meeting, "item": item,
        "action": action, "pack": pack, "packs": packs, "framework": neighbourhood, "agency": police,
        "attendee": pete, "export": export, "notification": notification, "place_item": place_item,
        "group_item": group_item, "share_request": share_request, "yp_referral": yp_referral,
        "context_referral": context_referral, "case_transfer": case_transfer, "context_transfer": context_transfer,
        "webhook": webhook, "episode": episode, "nrm_referral": nrm_referral,
        "agreement": agreement,
    }
    secrets = ["Zephyrine", "Quillfeather", "Barnaby", "Thistlewood", case.reference, friend_case.reference,
               "Gwendolyn", "climbing wall", "Cobblewick", "Pennywhistle", "Spotting grooming",
               "Detached youth work", "Missing from home twice", "Riders carrying bags", "Late buses through Marsh",
               "Return home interview", "Peregrine", "Ashcombe-Referred", "Wickerly", "Larkspur", "Mossgiel",
               "Gallowmere", "NF-MIS-4417", "Quillon", "Retainwell", retained_case.reference, "Zephyrine herself",
               "Quenby"]
    return world, secrets


def documents(cast: dict, world: dict) -> dict:
    """A document attached to each kind of record that takes them, uploaded through the service, so scanned: the
    caller runs the private clamd (the ``scanner`` fixture). Their names are secrets (Quillfeather, Cobblewick)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding import services as kernel_services

    alice, colin = cast["alice"], cast["colin"]
    made = {}
    for key, record, actor in (("case_document", "case", alice), ("place_document", "place", alice),
                               ("group_document", "group", alice), ("assessment_document", "assessment", alice),
                               ("meeting_document", "meeting", colin)):
        made[key] = kernel_services.document_upload(
            actor=actor, record=world[record], description="Quillfeather family statement",
            upload=SimpleUploadedFile(f"Cobblewick {key}.txt", f"Notes about Zephyrine for the {record}.".encode()))
    return made


def plant(cast: dict, agencies: dict, world: dict) -> tuple[dict, list[str]]:
    """Lead-authority records shared with no one, linked to the world's shared records. Returns them, and the names
    and references a partner must never read (the police own one intervention on a hidden plan, and may read what
    it says, but nothing about the place)."""
    alice, colin, mandy = cast["alice"], cast["colin"], cast["mandy"]
    police = agencies["police"]
    now, today = timezone.now(), timezone.localdate()
    person, place, group, case, meeting = (world[k] for k in ("person", "place", "group", "case", "meeting"))

    hidden_case = _case(alice, person)  # the same young person's other case, not shared
    case_services.chronology_add(actor=alice, case=hidden_case, kind=EntryKind.NOTE, occurred_at=now,
                                 text="Vesperine ledger entry on the unshared case")
    stranger = _person(alice, "Octavian", "Nightingale-Hidden")
    _case(alice, stranger)
    hidden_place = _place(alice, "Vesperine Yard")
    hidden_group = _group(alice, "Vesperine Crew")
    context_services.association_add(actor=alice, person=person, other=stranger,
                                     nature=AssociationNature.FRIEND, **_evidence())
    context_services.membership_add(actor=alice, peer_group=group, young_person=stranger,
                                    role=MembershipRole.CORE, **_evidence())
    context_services.membership_add(actor=alice, peer_group=hidden_group, young_person=person,
                                    role=MembershipRole.CORE, **_evidence())
    context_services.place_link_add(actor=alice, place=hidden_place, young_person=person,
                                    nature=PlaceLinkNature.GATHERING, **_evidence())
    context_services.place_link_add(actor=alice, place=hidden_place, peer_group=group,
                                    nature=PlaceLinkNature.GATHERING, **_evidence())
    context_services.place_link_add(actor=alice, place=place, young_person=stranger,
                                    nature=PlaceLinkNature.GATHERING, **_evidence())
    case_services.chronology_add(actor=alice, case=case, kind=EntryKind.DISCLOSURE, occurred_at=now,
                                 text="Vesperine disclosure for named people only", restricted=True,
                                 restricted_to=[mandy])
    hidden_goal = assessment_services.goal_add(actor=alice, subject=hidden_place, statement="Vesperine goal",
                                               met_when="Never", measured_by="Nothing")
    # A hidden young person's plan, linked to the shared place: never on the place's plan page for a partner; and
    # the shared young person's link to the hidden place's plan never shows on theirs.
    assessment_services.goal_add(actor=alice, subject=stranger, statement="Vesperine goal of a hidden young person",
                                 met_when="Never", measured_by="Nothing")
    police_intervention = assessment_services.intervention_add(
        actor=alice, goal=hidden_goal, what="Patrols on the planted plan", owner_agency=police,
        due_on=today + timedelta(days=30))
    add = panel_services.agenda_item_add
    add(actor=colin, meeting=meeting, subject=hidden_place, reason="Vesperine item about a hidden place")
    add(actor=colin, meeting=meeting, subject=stranger, reason="Vesperine item about a hidden person")
    add(actor=colin, meeting=meeting, subject=hidden_group, reason="Vesperine item about a hidden group")
    # A document on the case nobody else may see: its name and description never reach a partner.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding import services as kernel_services

    kernel_services.document_upload(actor=alice, record=hidden_case, description="Vesperine ledger scan",
                                    upload=SimpleUploadedFile("Vesperine ledger.txt", b"Ledger of the unshared case"))
    planted = {"hidden_case": hidden_case, "stranger": stranger, "hidden_place": hidden_place,
               "hidden_group": hidden_group, "hidden_goal": hidden_goal, "police_intervention": police_intervention}
    secrets = ["Vesperine", "Octavian", "Nightingale-Hidden", hidden_case.reference]
    return planted, secrets


def plant_place_tag(cast: dict, world: dict) -> tuple[dict, list[str]]:
    """A shared case's chronology entry tagged with a place not shared: "where it happened"."""
    alice = cast["alice"]
    hidden_place = _place(alice, "Umbervale Underpass")
    context_services.place_tag(actor=alice, entry=world["entry"], place=hidden_place)
    return {"tagged_place": hidden_place}, ["Umbervale"]
