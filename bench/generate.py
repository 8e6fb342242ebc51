"""A synthetic national-scale dataset for benchmarks, written fast with PostgreSQL COPY.

    generate(young_people=1_000_000, seed=2026)           # or: manage.py generate --young-people N

The shape follows a country rather than one borough: about one local authority per 2,500 young people, each with
its own schools, housing, youth justice service and voluntary partner, health trusts shared by two authorities,
bus operators by ten, and police forces covering about ten authorities each. One force, ``BENCH_AGENCY``, covers
the first authorities and sees about ``BENCH_SHARE`` (4%) of all cases: the partner whose view the benchmarks
measure. Its practitioner signs in as ``bench.police``; the first authority's people are ``bench.sw``,
``bench.tm``, ``bench.chair``, ``bench.analyst`` and ``bench.admin``. Every generated login has the password
``BENCH_PASSWORD`` (one precomputed hash).

How it is written, and what that means:

- Rows are drawn with numpy in bulk and streamed with psycopg's ``cursor.copy``; ids are allocated here, from each
  table's current maximum, and every sequence is moved past them at the end, so the app inserts normally after.
- The whole run is one transaction: a failure leaves nothing behind.
- The secondary indexes of the tables written (those backing no constraint) are dropped before copying and built
  again at the end, in the same transaction: one sort per index instead of a million random inserts. The tables
  are locked against other sessions until the run commits. Unique indexes are rebuilt as unique, so a duplicate
  still fails the run.
- For the run the session sets ``session_replication_role = replica`` (the connection must be a superuser, as
  ``postgres`` is). That switches off the django-pghistory triggers, which would otherwise write an event row per
  row copied and double the cost: **generated data has no change history and no audit events**, by design.
  It also switches off the foreign-key triggers, so instead every foreign key of every table written is checked
  in one set-based query each before the transaction commits (``verify=False`` skips that). NOT NULL, CHECK and
  UNIQUE constraints are enforced as always. If the role cannot be set (not a superuser), the run goes on with
  the triggers on: slower, and with history rows.
- After the commit, ``vacuum=True`` (the command's default) vacuums the tables written, so that benchmarks start
  from a settled state (visibility map set: index-only scans on the grant tables) rather than whenever autovacuum
  gets there. It cannot run inside a transaction, so it is skipped there (tests).
- It refuses to run on a database that already holds young people, unless ``force`` is given and the database's
  name contains "bench".
- Only one authority is marked ``is_lead_authority``: the flag means the lead of *the* partnership (its managers
  search every audit event; partners' context referrals are shared with every lead authority), which does not
  mean anything sensible for 400 authorities at once.

The data are fictional: names from Faker (en_GB) pools and the demo's lists, fictional towns, test-range NHS
numbers (999...), and wording from the demo seeders (trauma-informed).
"""

import json
import random
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from faker import Faker

from assessments import frameworks
from assessments.models import Assessment, Framework, FrameworkVersion
from cases.demo import (
    BOYS_NAMES,
    CLOSURE_NOTES,
    CLOSURE_WEIGHTS,
    COMMUNICATION_NEEDS,
    ENTRY_KIND_WEIGHTS,
    ENTRY_TEXTS,
    ETHNICITIES,
    ETHNICITY_WEIGHTS,
    GIRLS_NAMES,
    HARM_WEIGHTS,
    LANGUAGES,
    PLACES,
    POSTCODE_UNIT_LETTERS,
    RISK_WEIGHTS,
    SEND_WEIGHTS,
    SUMMARIES,
    SURNAMES,
    TOWNS,
)
from cases.models import Case, CaseGroupObjectPermission, ChronologyEntry, EntryKind, YoungPerson
from contexts.models import (
    Association,
    AssociationNature,
    Membership,
    MembershipRole,
    PeerGroup,
    PeerGroupGroupObjectPermission,
    Place,
    PlaceGroupObjectPermission,
    PlaceKind,
    PlaceLink,
    PlaceLinkNature,
    Purpose,
    Reliability,
)
from panels.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingGroupObjectPermission,
    Panel,
)
from safeguarding import access
from safeguarding.models import Agency, AgencyKind, EmailPreference, User
from safeguarding.roles import Role, roles_sync

BENCH_AGENCY = "Metropolitan Area Police (bench)"
BENCH_SHARE = 0.04  # of all cases, shared with the benchmark force
BENCH_PASSWORD = "bench-generated-2026"  # noqa: S105 - fictional logins on a generated benchmark database
SEED = 2026
CHUNK = 100_000  # rows made into Python objects at a time

YOUNG_PEOPLE_PER_AUTHORITY = 2500
AUTHORITIES_PER_FORCE = 10
BENCH_FORCE_COVERS = 0.08  # of young people: its authorities; it sees about half their cases
POLICE_SHARE_RATE = 0.5
CASES_PER_PERSON = {0: 10, 1: 78, 2: 12}
SHARES_PER_CASE = {1: 45, 2: 40, 3: 15}
# The partners (beyond the police) a case is shared with, and how often.
CASE_PARTNERS = {"school": 35, "yjs": 20, "health": 15, "voluntary": 15, "housing": 10, "transport": 5}
CONTRIBUTE_RATE = {"police": 0.3, "other": 0.15}
CLOSED_RATE = 0.35
ENTRIES_MEAN = 5.2  # beyond the long tail
TAIL_RATE = 0.0008  # of cases, with 500 to 1,500 entries
TAIL_ENTRIES = (500, 1500)
PARTNER_ENTRY_RATE = 0.25  # of entries on a case a partner may contribute to, written by that partner
RESTRICTED_DISCLOSURE_RATE, RESTRICTED_RATE = 0.4, 0.01

PLACES_PER = 50  # young people per place
GROUPS_PER = 200
ASSOCIATIONS_PER = 8  # young people per association
PERSON_LINKS_PER = 4  # young people per person-place link
HOT_PLACE_SHARE = 0.15  # of person-place links, to a few busy places (hubs, retail parks)
PLACES_PER_HOT_PLACE = 4000
ASSESSMENTS_PER = 20
MEETINGS_PER = 2000
ITEMS_PER_MEETING = (8, 12)

ROLE_TITLES = {
    Role.SOCIAL_WORKER: "Social Worker, Adolescent Safeguarding Team",
    Role.TEAM_MANAGER: "Team Manager, Adolescent Safeguarding Team",
    Role.PANEL_CHAIR: "Chair, Multi-Agency Child Exploitation Panel",
    Role.ANALYST: "Performance and Intelligence Analyst",
    Role.ADMINISTRATOR: "Systems Administrator",
    Role.PARTNER_PRACTITIONER: "Safeguarding Lead",
}
# Agency kinds, in the order of the codes used in arrays here.
KINDS = [AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.EDUCATION, AgencyKind.HEALTH,
         AgencyKind.HOUSING, AgencyKind.YOUTH_JUSTICE, AgencyKind.VOLUNTARY_SECTOR, AgencyKind.TRANSPORT]
LA, POLICE, SCHOOL, HEALTH, HOUSING, YJS, VOLUNTARY, TRANSPORT = range(len(KINDS))
USERS_PER_PARTNER = {POLICE: 3, SCHOOL: 2, HEALTH: 3, HOUSING: 2, YJS: 3, VOLUNTARY: 2, TRANSPORT: 2}

POSTCODE_AREAS = ["B", "BD", "BS", "CF", "CV", "DE", "E", "HU", "L", "LE", "LS", "M", "N", "NE", "NG", "NW",
                  "S", "SE", "SW", "W"]
NICKNAMES = ["JJ", "Tiny", "Mouse", "Bugsy", "Skinny", "Kiki", "Rocco", "Deedee", "Bones", "Midge", "Lil T"]
GENDER_IDENTITIES = {"": 97, "Non-binary": 2, "Prefers not to say": 1}
SEX_WEIGHTS = {"female": 45, "male": 53, "not_known": 2}
PLACE_KINDS = {PlaceKind.STREET: 25, PlaceKind.PARK: 15, PlaceKind.TRANSPORT: 12, PlaceKind.SHOP: 15,
               PlaceKind.SCHOOL: 10, PlaceKind.YOUTH: 8, PlaceKind.HOUSING: 8, PlaceKind.ONLINE: 4,
               PlaceKind.OTHER: 3}
CONTEXT_STATUS = {"noted": 25, "monitoring": 30, "open": 30, "closed": 15}
CONTEXT_CLOSURES = ["Concerns have reduced: no incidents reported for six months.",
                    "The premises have closed.",
                    "Merged into the wider context plan for the area."]
RELIABILITY = {Reliability.CONFIRMED: 30, Reliability.REPORTED: 45, Reliability.SUSPECTED: 25}
PURPOSE = {Purpose.WELFARE: 85, Purpose.INTELLIGENCE: 15}
EVIDENCE_NOTES = ["Seen together by outreach workers on several evenings.",
                  "Reported by school staff after an incident at the gates.",
                  "From a police intelligence report; not yet corroborated.",
                  "Said by the young person in a return home interview.", ""]
END_REASONS = ["No longer seen together.", "Moved out of the area.", "Information found to be wrong."]
ASSOCIATIONS = {AssociationNature.FRIEND: 40, AssociationNature.ASSOCIATE: 25, AssociationNature.SIBLING: 8,
                AssociationNature.PARTNER: 7, AssociationNature.CONFLICT: 10, AssociationNature.EXPLOITATION: 10}
LINKS = {PlaceLinkNature.FREQUENTS: 40, PlaceLinkNature.LIVES_NEAR: 15, PlaceLinkNature.ATTENDS: 15,
         PlaceLinkNature.INCIDENT: 15, PlaceLinkNature.GATHERING: 15}
ASSESSMENT_STATUS = {"draft": 35, "submitted": 15, "returned": 5, "approved": 45}
MEETING_THEMES = ["Violence on the late buses", "Exploitation around the retail park",
                  "Young people missing from care placements", "Online harm in Year 9"]
ITEM_KINDS = {"young_person": 60, "place": 20, "peer_group": 10, "theme": 10}
AGENDA_REASONS = ["New information from police about who is around them.",
                  "Risk has gone up since the last meeting.", "Review of the safety plan.",
                  "Partners asked for a joint plan."]
MINUTES = ["Partners shared what they know. The young person's words were read out. Agreed to keep the focus "
           "on the place and the people around them, not on their choices.",
           "Discussion of the disruption plan and of support for the family."]
DECISIONS = ["Keep on the panel; review in four weeks.", "Step down to the locality team.",
             "Joint visit by social worker and youth worker within a week."]
ACTIONS = ["Outreach on Friday evenings at the place discussed.", "Share the safety plan with the school.",
           "Check CCTV and report back.", "Offer the family a meeting with the youth worker."]


class Refused(Exception):
    """Generating here is not safe: the database already holds young people."""


class GenerationFailed(Exception):
    """A check after writing found something wrong (the transaction is rolled back)."""


# --- Small helpers ---------------------------------------------------------------------------------------------

def _draw(rng, weights: dict, n: int) -> np.ndarray:
    """``n`` indices into ``list(weights)``, drawn by weight."""
    w = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _values(weights: dict) -> np.ndarray:
    return np.array([str(k) for k in weights], dtype=object)


def _pick(rng, lo: np.ndarray, n: np.ndarray) -> np.ndarray:
    """For each row, one integer from ``[lo, lo + n)``."""
    return lo + (rng.random(len(lo)) * n).astype(np.int64)


# A column handed to ``Generator.copy`` is a scalar (repeated), a list, a numpy array, or a function of a chunk's
# row range returning that chunk's values: so a million rows are never all Python objects at once.

def _days(arr):
    """Day numbers (since 1970-01-01) as ISO dates; negative means NULL."""
    arr = np.asarray(arr, dtype=np.int64)

    def column(lo, hi):
        part = arr[lo:hi]
        out = np.datetime_as_string(part.astype("datetime64[D]")).astype(object)
        out[part < 0] = None
        return out.tolist()
    return column


def _stamps(arr):
    """Seconds since the epoch as UTC timestamps; negative means NULL."""
    arr = np.asarray(arr, dtype=np.int64)

    def column(lo, hi):
        part = arr[lo:hi]
        out = np.datetime_as_string(part.astype("datetime64[s]"), timezone="UTC").astype(object)
        out[part < 0] = None
        return out.tolist()
    return column


def _nullable_ids(arr):
    arr = np.asarray(arr, dtype=np.int64)

    def column(lo, hi):
        part = arr[lo:hi]
        out = part.astype(object)
        out[part < 0] = None
        return out.tolist()
    return column


def _rows(fn, *arrays):
    """A column made row by row: ``fn`` of each row's values in ``arrays``."""
    def column(lo, hi):
        return [fn(*row) for row in zip(*(a[lo:hi] for a in arrays), strict=True)]
    return column


def _chunk(column, lo: int, hi: int) -> list:
    if callable(column):
        return column(lo, hi)
    if isinstance(column, np.ndarray):
        return column[lo:hi].tolist()
    if isinstance(column, list):
        return column[lo:hi]
    return [column] * (hi - lo)


def _text_array(values) -> str:
    """A PostgreSQL array literal of strings."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _nhs_numbers(rng, n: int) -> np.ndarray:
    """Ten-digit numbers with a valid modulus 11 check digit, in the 999 range the NHS never issues."""
    out = np.empty(n, dtype=object)
    todo = np.arange(n)
    weights = np.arange(10, 1, -1)
    while len(todo):
        digits = np.concatenate([np.full((len(todo), 3), 9), rng.integers(0, 10, (len(todo), 6))], axis=1)
        check = 11 - (digits * weights).sum(axis=1) % 11
        check[check == 11] = 0
        ok = check != 10
        for i, row, c in zip(todo[ok], digits[ok], check[ok], strict=True):
            out[i] = "".join(map(str, row)) + str(c)
        todo = todo[~ok]
    return out


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


# Real local authority numbers (DfE), which a UPN's first three digits must be (cases.identifiers checks them).
UPN_LA_NUMBERS = (201, 202, 204, 330, 341, 350, 380, 420, 801, 810, 850, 886, 937)


def _upns(rng, n: int) -> list[str]:
    """Unique pupil numbers: a check letter (DfE's modulus 23), a real LA number and nine more digits."""
    la = np.array(UPN_LA_NUMBERS)[rng.integers(0, len(UPN_LA_NUMBERS), n)]
    digits = np.concatenate([np.stack([la // 100, la // 10 % 10, la % 10], axis=1), rng.integers(0, 10, (n, 9))],
                            axis=1)
    check = (digits * np.arange(2, 14)).sum(axis=1) % 23
    return [UPN_LETTERS[c] + "".join(map(str, row)) for c, row in zip(check, digits, strict=True)]


# --- The national shape ------------------------------------------------------------------------------------------

@dataclass
class World:
    """What is generated, as arrays indexed by position; a row's id is its table's start plus its position."""

    start: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # Agencies
    a_kind: np.ndarray = None
    a_name: list = None
    a_la: np.ndarray = None  # the authority an agency belongs to (the first one, for shared agencies)
    a_user_lo: np.ndarray = None
    a_user_n: np.ndarray = None
    a_prac_lo: np.ndarray = None  # practitioners: social workers in authorities, everyone elsewhere
    a_prac_n: np.ndarray = None
    # Authorities (authority l is agency l)
    n_la: int = 0
    la_yp_lo: np.ndarray = None
    la_yp_n: np.ndarray = None
    la_force: np.ndarray = None
    la_school_lo: np.ndarray = None
    la_school_n: np.ndarray = None
    la_partner: dict = None  # partner key -> agency per authority
    la_tm_lo: np.ndarray = None
    la_tm_n: np.ndarray = None
    la_chair: np.ndarray = None
    la_area: list = None
    la_centre: np.ndarray = None
    la_town: list = None
    bench_force: int = 0
    bench_covers: np.ndarray = None
    bench_users: dict = None
    # Young people
    yp_la: np.ndarray = None
    yp_first: np.ndarray = None  # index into first_names
    yp_dob: np.ndarray = None
    # Cases
    c_yp: np.ndarray = None
    c_open: np.ndarray = None
    c_end: np.ndarray = None  # closing day, or today for open cases
    c_closed: np.ndarray = None  # closing day, or -1
    c_la: np.ndarray = None
    c_contrib: np.ndarray = None  # a partner that may contribute, or -1
    # Contexts
    pl_lo: np.ndarray = None
    pl_n: np.ndarray = None
    pl_owner: np.ndarray = None
    pl_kind: np.ndarray = None
    pg_lo: np.ndarray = None
    pg_n: np.ndarray = None
    pg_owner: np.ndarray = None

    def id(self, table: str, index):
        return self.start[table] + np.asarray(index, dtype=np.int64)

    def agency_id(self, index):
        return self.id("safeguarding_agency", index)

    def group_id(self, index):
        return self.id("auth_group", index)

    def user_id(self, index):
        return self.id("safeguarding_user", index)


class Generator:
    def __init__(self, *, young_people: int, seed: int, stdout, verify: bool, vacuum: bool = False):
        if young_people < 1:
            raise ValueError("young_people must be at least 1")
        self.n = young_people
        self.rng = np.random.default_rng(seed)
        self.random = random.Random(seed)
        self.seed = seed
        self.out = stdout
        self.verify = verify
        self.vacuum = vacuum
        self.w = World()
        self.timings: dict[str, float] = {}
        self.today = timezone.localdate()
        self.today_n = (self.today - date(1970, 1, 1)).days
        self.now_s = int(timezone.now().timestamp())
        self.tag = ""

    # --- Plumbing ---------------------------------------------------------------------------------------------

    def say(self, text: str):
        self.out.write(text + "\n")
        if hasattr(self.out, "flush"):
            self.out.flush()

    @contextmanager
    def phase(self, label: str):
        started = time.perf_counter()
        before = dict(self.w.counts)
        yield
        took = time.perf_counter() - started
        self.timings[label] = took
        added = {t: c - before.get(t, 0) for t, c in self.w.counts.items() if c != before.get(t, 0)}
        detail = ", ".join(f"{c:,} {t.split('_', 1)[1]}" for t, c in added.items())
        self.say(f"  {label:<26} {took:8.1f}s  {detail}")

    def allocate(self, table: str) -> int:
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - our own table names
        self.w.start[table] = self.cursor.fetchone()[0]
        self.w.counts.setdefault(table, 0)
        return self.w.start[table]

    def copy(self, table: str, columns: list[str], data: list, n: int):
        """COPY ``n`` rows given column by column (see ``_chunk``), with ids following the table's last."""
        start = self.w.start[table] + self.w.counts[table]
        sql = f"COPY {table} (id, {', '.join(columns)}) FROM STDIN"
        with self.cursor.copy(sql) as copy:
            for lo in range(0, n, CHUNK):
                hi = min(n, lo + CHUNK)
                parts = [_chunk(column, lo, hi) for column in data]
                for row in zip(range(start + lo, start + hi), *parts, strict=True):
                    copy.write_row(row)
        self.w.counts[table] += n

    # --- Run --------------------------------------------------------------------------------------------------

    def run(self) -> dict:
        total = time.perf_counter()
        self.say(f"Generating {self.n:,} young people (seed {self.seed}) into {connection.settings_dict['NAME']}")
        with transaction.atomic(), connection.cursor() as django_cursor:
            self.cursor = django_cursor.cursor  # the psycopg cursor, for COPY
            with self.phase("setup"):
                self.setup()
            replica = self.replication_role("replica")
            if not replica:
                self.say("  (not a superuser: history triggers stay on; slower, and history rows are written)")
            with self.phase("drop secondary indexes"):
                self.drop_indexes()
            with self.phase("agencies and people"):
                self.agencies_and_users()
            with self.phase("young people"):
                self.young_people()
            with self.phase("cases and grants"):
                self.cases()
            with self.phase("chronology"):
                self.chronology()
            with self.phase("places and peer groups"):
                self.contexts()
            with self.phase("links"):
                self.links()
            with self.phase("assessments"):
                self.assessments()
            with self.phase("panels and meetings"):
                self.panels()
            if not replica:  # foreign-key checks of the rows copied are pending: no index can be built until they run
                self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with self.phase("rebuild indexes"):
                self.rebuild_indexes()
            if replica:
                self.replication_role("origin")
            with self.phase("sequences and analyze"):
                self.finish()
            if self.verify:
                with self.phase("verify foreign keys"):
                    self.verify_foreign_keys()
            seen, cases = self.benchmark_view()
        if self.vacuum:
            if connection.in_atomic_block:
                self.say("  (inside a transaction: not vacuuming)")
            else:
                with self.phase("vacuum"), connection.cursor() as cursor:
                    for model in self.WRITTEN:
                        cursor.execute(f"VACUUM {model._meta.db_table}")
        took = time.perf_counter() - total
        self.timings["total"] = took
        self.say(f"  {'total':<26} {took:8.1f}s")
        self.say(f"{BENCH_AGENCY + self.tag} sees {seen:,} of {cases:,} cases ({seen / max(cases, 1):.1%}); "
                 f"logins bench.police{self.tag_user}, bench.sw{self.tag_user}, ... password {BENCH_PASSWORD}")
        self.say(f"Case grants: {3 * cases:,} to owners, {self.share_rows:,} shares "
                 f"({self.share_rows / self.n:.2f} per young person); longest chronology {self.max_entries:,} "
                 f"entries; busiest place {self.busiest_place_links:,} links")
        self.say("Rows: " + ", ".join(f"{t} {c:,}" for t, c in self.w.counts.items()))
        return {"counts": dict(self.w.counts), "timings": dict(self.timings), "bench_visible_cases": seen,
                "cases": cases, "case_share_grants": self.share_rows, "bench_agency": BENCH_AGENCY + self.tag,
                "bench_users": dict(self.w.bench_users)}

    def replication_role(self, role: str) -> bool:
        try:
            # Django's cursor, so that a refusal (not a superuser) is a DatabaseError.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL session_replication_role = {role}")
        except DatabaseError:
            return False
        return True

    # --- Setup ------------------------------------------------------------------------------------------------

    def setup(self):
        roles_sync()
        self.role_group = {r: Group.objects.get(name=r.value).pk for r in Role}
        self.perm = {}
        for model in (Case, Place, PeerGroup, Meeting):
            for level in access.LEVELS:
                self.perm[model, level] = Permission.objects.get(
                    content_type__app_label=model._meta.app_label, codename=access.codename(model, level)).pk
        self.password = make_password(BENCH_PASSWORD)
        runs = Agency.objects.filter(name__startswith=BENCH_AGENCY).count()
        self.tag = f" #{runs + 1}" if runs else ""
        self.tag_user = f".{runs + 1}" if runs else ""
        # Name pools: Faker (en_GB) beside the demo's lists of names given when these young people were born.
        fake = Faker("en_GB")
        fake.seed_instance(self.seed)
        girls = sorted({fake.first_name_female() for _ in range(3000)} | set(GIRLS_NAMES))
        boys = sorted({fake.first_name_male() for _ in range(3000)} | set(BOYS_NAMES))
        self.first_names = girls + boys
        self.n_girls = len(girls)
        self.last_names = sorted({fake.last_name() for _ in range(4000)} | set(SURNAMES))
        self.streets = sorted({fake.street_name() for _ in range(3000)})
        towns = []
        seen = set()
        while len(towns) < 3000:
            town = fake.city()
            if town not in seen:
                seen.add(town)
                towns.append(town)
        self.towns = towns
        self.frameworks = {}
        for fw in Framework.objects.filter(is_active=True):
            version = FrameworkVersion.objects.filter(framework=fw).order_by("-number").first()
            if version is not None:
                self.frameworks.setdefault(fw.subject, []).append((fw.key, version.pk, version.definition))
        for table in ("auth_group", "safeguarding_agency", "safeguarding_user", "safeguarding_user_groups",
                      "cases_youngperson", "cases_case", "cases_casegroupobjectpermission", "cases_chronologyentry",
                      "cases_chronologyentry_restricted_to", "contexts_place", "contexts_placegroupobjectpermission",
                      "contexts_peergroup", "contexts_peergroupgroupobjectpermission", "contexts_membership",
                      "contexts_association", "contexts_placelink", "assessments_assessment", "panels_panel",
                      "panels_panel_member_agencies", "panels_panel_chairs", "panels_meeting",
                      "panels_meetinggroupobjectpermission", "panels_agendaitem", "panels_attendance",
                      "panels_action"):
            self.allocate(table)

    # --- Agencies and people ----------------------------------------------------------------------------------

    def agencies_and_users(self):
        w, rng = self.w, self.rng
        n_la = w.n_la = max(1, min(self.n, round(self.n / YOUNG_PEOPLE_PER_AUTHORITY)))
        weights = rng.lognormal(0, 0.5, n_la)
        w.la_yp_n = 1 + rng.multinomial(self.n - n_la, weights / weights.sum()).astype(np.int64)
        w.la_yp_lo = np.concatenate([[0], np.cumsum(w.la_yp_n)[:-1]]).astype(np.int64)
        # The benchmark force covers the first authorities, up to BENCH_FORCE_COVERS of young people.
        covered = np.searchsorted(np.cumsum(w.la_yp_n), BENCH_FORCE_COVERS * self.n) + 1
        w.bench_covers = np.arange(n_la) < min(covered, n_la)
        others = np.flatnonzero(~w.bench_covers)
        n_forces = 1 + -(-len(others) // AUTHORITIES_PER_FORCE)
        n_health = -(-n_la // 2)
        n_transport = -(-n_la // 10)
        schools_n = np.maximum(2, np.round(w.la_yp_n / 250)).astype(np.int64)

        kinds, names, las = [], [], []
        used = set()

        def add(kind: int, name: str, la: int) -> int:
            base, k = name, 2
            while name in used:
                name, k = f"{base} {k}", k + 1
            used.add(name)
            kinds.append(kind)
            names.append(name + self.tag)
            las.append(la)
            return len(kinds) - 1

        w.la_town = self.towns[:n_la] if n_la <= len(self.towns) else [
            f"{self.towns[i % len(self.towns)]} {i // len(self.towns) + 1}" for i in range(n_la)]
        for la in range(n_la):
            add(LA, f"{w.la_town[la]} Council Children's Services", la)
        w.la_force = np.empty(n_la, dtype=np.int64)
        w.bench_force = add(POLICE, BENCH_AGENCY, 0)
        w.la_force[w.bench_covers] = w.bench_force
        for f in range(n_forces - 1):
            chunk = others[f * AUTHORITIES_PER_FORCE:(f + 1) * AUTHORITIES_PER_FORCE]
            w.la_force[chunk] = add(POLICE, f"{w.la_town[chunk[0]]} Police", int(chunk[0]))
        w.la_school_lo = np.empty(n_la, dtype=np.int64)
        w.la_school_n = schools_n
        endings = ["Academy", "High School", "College", "School", "Community School"]
        for la in range(n_la):
            w.la_school_lo[la] = len(kinds)
            for _ in range(schools_n[la]):
                add(SCHOOL, f"{self.random.choice(self.streets)} {self.random.choice(endings)}, {w.la_town[la]}", la)
        w.la_partner = {key: np.empty(n_la, dtype=np.int64) for key in ("health", "housing", "yjs", "voluntary",
                                                                          "transport")}
        for h in range(n_health):
            pair = [la for la in (2 * h, 2 * h + 1) if la < n_la]
            name = " and ".join(w.la_town[la] for la in pair) + " Community Health NHS Trust"
            w.la_partner["health"][pair] = add(HEALTH, name, pair[0])
        for la in range(n_la):
            w.la_partner["housing"][la] = add(HOUSING, f"{w.la_town[la]} Homes", la)
            w.la_partner["yjs"][la] = add(YJS, f"{w.la_town[la]} Youth Justice Service", la)
            w.la_partner["voluntary"][la] = add(VOLUNTARY, f"Safe Passage {w.la_town[la]}", la)
        for t in range(n_transport):
            span = list(range(10 * t, min(10 * t + 10, n_la)))
            w.la_partner["transport"][span] = add(TRANSPORT, f"{w.la_town[span[0]]} Metro Buses", span[0])
        w.a_kind = np.array(kinds, dtype=np.int64)
        w.a_name = names
        w.a_la = np.array(las, dtype=np.int64)
        n_agencies = len(kinds)
        w.la_area = [POSTCODE_AREAS[la % len(POSTCODE_AREAS)] for la in range(n_la)]
        w.la_centre = np.column_stack([rng.uniform(50.8, 55.0, n_la), rng.uniform(-3.0, 0.5, n_la)])

        # Groups, then agencies (one group each).
        created = _stamps(self.now_s - rng.integers(5 * 365 * 86400, 6 * 365 * 86400, n_agencies))
        self.copy("auth_group", ["name"], [[f"Agency: {name}" for name in names]], n_agencies)
        # Second factors off: the benchmark measures pages, and its load test signs in by password (bench.load).
        self.copy("safeguarding_agency", ["name", "kind", "is_lead_authority", "is_active", "created_at", "group_id",
                                          "postcode_districts", "mfa_required"],
                  [names, [str(KINDS[k]) for k in kinds],
                   # One "home" authority leads: the flag means the one partnership's lead (audit search sees all,
                   # partners' context referrals go to it), which does not scale to a country of authorities.
                   [i == 0 and not self.tag for i in range(n_agencies)], True, created,
                   w.group_id(np.arange(n_agencies)).tolist(), "{}", False], n_agencies)  # no area: no routing

        # People: authorities have social workers, managers, a chair, an analyst and an administrator.
        roles: list[Role] = []
        agency_of: list[int] = []
        w.a_user_lo = np.empty(n_agencies, dtype=np.int64)
        w.a_user_n = np.empty(n_agencies, dtype=np.int64)
        w.a_prac_lo = np.empty(n_agencies, dtype=np.int64)
        w.a_prac_n = np.empty(n_agencies, dtype=np.int64)
        w.la_tm_lo = np.empty(n_la, dtype=np.int64)
        w.la_tm_n = np.empty(n_la, dtype=np.int64)
        w.la_chair = np.empty(n_la, dtype=np.int64)
        for a, kind in enumerate(kinds):
            w.a_user_lo[a] = w.a_prac_lo[a] = len(roles)
            if kind == LA:
                n_sw = max(3, round(w.la_yp_n[a] / 100))
                n_tm = max(1, round(n_sw / 6))
                w.la_tm_lo[a], w.la_tm_n[a] = len(roles) + n_sw, n_tm
                w.la_chair[a] = len(roles) + n_sw + n_tm
                staff = ([Role.SOCIAL_WORKER] * n_sw + [Role.TEAM_MANAGER] * n_tm
                         + [Role.PANEL_CHAIR, Role.ANALYST, Role.ADMINISTRATOR])
                w.a_prac_n[a] = n_sw
            else:
                covers = max(1, int((w.la_force == a).sum())) if kind == POLICE else 1
                staff = [Role.PARTNER_PRACTITIONER] * (USERS_PER_PARTNER[kind] * covers)
                w.a_prac_n[a] = len(staff)
            w.a_user_n[a] = len(staff)
            roles += staff
            agency_of += [a] * len(staff)
        n_users = len(roles)
        agency_of = np.array(agency_of, dtype=np.int64)
        female = rng.random(n_users) < 0.6
        first = np.where(female, rng.integers(0, self.n_girls, n_users),
                         rng.integers(self.n_girls, len(self.first_names), n_users))
        last = rng.integers(0, len(self.last_names), n_users)
        firsts = [self.first_names[i] for i in first]
        lasts = [self.last_names[i] for i in last]
        start = self.w.start["safeguarding_user"]
        usernames = [f"{_slug(f)}.{_slug(s)}.{start + u}" for u, (f, s) in enumerate(zip(firsts, lasts, strict=True))]
        w.bench_users = {}
        special = {f"bench.police{self.tag_user}": int(w.a_user_lo[w.bench_force])}
        for role, name in ((Role.SOCIAL_WORKER, "sw"), (Role.TEAM_MANAGER, "tm"), (Role.PANEL_CHAIR, "chair"),
                           (Role.ANALYST, "analyst"), (Role.ADMINISTRATOR, "admin")):
            special[f"bench.{name}{self.tag_user}"] = next(u for u in range(w.a_user_lo[0], w.a_user_lo[0]
                                                                             + w.a_user_n[0]) if roles[u] == role)
        for username, u in special.items():
            usernames[u] = username
            w.bench_users[username] = start + u
        joined = _stamps(self.now_s - rng.integers(86400, 5 * 365 * 86400, n_users))
        self.copy("safeguarding_user",
                  ["password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                   "is_staff", "is_active", "date_joined", "job_title", "agency_id", "email_notifications"],
                  [self.password, None, False, usernames, firsts, lasts, [f"{u}@bench.example" for u in usernames],
                   [r == Role.ADMINISTRATOR for r in roles], True, joined, [ROLE_TITLES[r] for r in roles],
                   w.agency_id(agency_of).tolist(), EmailPreference.IMMEDIATELY.value], n_users)
        user_ids = w.user_id(np.arange(n_users))
        self.copy("safeguarding_user_groups", ["user_id", "group_id"],
                  [np.repeat(user_ids, 2).tolist(),
                   np.column_stack([w.group_id(agency_of),
                                    [self.role_group[r] for r in roles]]).ravel().tolist()], 2 * n_users)

    def practitioner(self, agencies: np.ndarray) -> np.ndarray:
        """A practitioner (user index) of each agency given."""
        return _pick(self.rng, self.w.a_prac_lo[agencies], self.w.a_prac_n[agencies])

    def postcodes(self, las: np.ndarray) -> np.ndarray:
        rng, n = self.rng, len(las)
        district = rng.integers(1, 21, n)
        sector = rng.integers(0, 10, n)
        units = np.array(list(POSTCODE_UNIT_LETTERS))
        u1, u2 = units[rng.integers(0, len(units), n)], units[rng.integers(0, len(units), n)]
        areas = np.array(self.w.la_area, dtype=object)[las]
        return np.array([f"{a}{d} {s}{x}{y}" for a, d, s, x, y in zip(areas, district, sector, u1, u2, strict=True)],
                        dtype=object)

    # --- Young people -----------------------------------------------------------------------------------------

    def young_people(self):
        w, rng, n = self.w, self.rng, self.n
        w.yp_la = np.repeat(np.arange(w.n_la), w.la_yp_n)
        sex = _draw(rng, SEX_WEIGHTS, n)
        girl = (sex == 0) | ((sex == 2) & (rng.random(n) < 0.5))
        w.yp_first = np.where(girl, rng.integers(0, self.n_girls, n),
                              rng.integers(self.n_girls, len(self.first_names), n))
        last = rng.integers(0, len(self.last_names), n)
        # Ages: most 13 to 17; some 18 to 24 (transitional safeguarding).
        adult = rng.random(n) < 0.15
        age_days = np.where(adult, rng.uniform(18 * 365.25, 24.9 * 365.25, n),
                            np.clip(rng.normal(15.5 * 365.25, 1.6 * 365.25, n), 10 * 365.25, 17.99 * 365.25))
        w.yp_dob = self.today_n - age_days.astype(np.int64)
        firsts = np.array(self.first_names, dtype=object)[w.yp_first]
        lasts = np.array(self.last_names, dtype=object)[last]
        known = np.array(["", *NICKNAMES], dtype=object)[
            np.where(rng.random(n) < 0.12, 1 + rng.integers(0, len(NICKNAMES), n), 0)]
        ethnicity_weights = {code: ETHNICITY_WEIGHTS.get(code, 1) for code in ETHNICITIES}
        has_nhs = rng.random(n) < 0.85
        nhs = np.full(n, "", dtype=object)
        nhs[has_nhs] = _nhs_numbers(rng, int(has_nhs.sum()))
        has_upn = rng.random(n) < 0.6
        upn = np.full(n, "", dtype=object)
        upn[has_upn] = _upns(rng, int(has_upn.sum()))
        needs = np.full(n, "", dtype=object)
        with_needs = rng.random(n) < 0.1
        needs[with_needs] = np.array(COMMUNICATION_NEEDS, dtype=object)[
            rng.integers(0, len(COMMUNICATION_NEEDS), int(with_needs.sum()))]
        streets = np.array(self.streets, dtype=object)[rng.integers(0, len(self.streets), n)]
        numbers = rng.integers(1, 200, n)
        # Recorded when their first case was opened, or (no case) some time in the last year.
        self.draw_cases()
        created = self.now_s - rng.integers(3600, 365 * 86400, n)
        first_case = np.ones(len(w.c_yp), dtype=bool)
        first_case[1:] = w.c_yp[1:] != w.c_yp[:-1]
        created[w.c_yp[first_case]] = w.c_open[first_case] * 86400 + rng.integers(8 * 3600, 17 * 3600,
                                                                                  int(first_case.sum()))
        created = np.minimum(created, self.now_s)
        start = w.start["cases_youngperson"]
        self.copy("cases_youngperson",
                  ["first_name", "last_name", "known_as", "date_of_birth", "sex", "gender_identity", "ethnicity",
                   "first_language", "send_status", "communication_needs", "address", "postcode", "la_person_id",
                   "nhs_number", "upn", "created_at", "search_text", "version", "created_by_id", "owning_agency_id"],
                  [firsts, lasts, _rows(lambda k: _text_array([k] if k else []), known), _days(w.yp_dob),
                   _values(SEX_WEIGHTS)[sex], _values(GENDER_IDENTITIES)[_draw(rng, GENDER_IDENTITIES, n)],
                   _values(ethnicity_weights)[_draw(rng, ethnicity_weights, n)],
                   _values(LANGUAGES)[_draw(rng, LANGUAGES, n)], _values(SEND_WEIGHTS)[_draw(rng, SEND_WEIGHTS, n)],
                   needs, _rows(lambda no, street: f"{no} {street}", numbers, streets), self.postcodes(w.yp_la),
                   _rows(lambda i, la: f"LA{la:03d}-{i}", np.arange(start, start + n), w.yp_la), nhs, upn,
                   _stamps(created), _rows(lambda f, s, k: f"{f} {s} {k}".strip().lower(), firsts, lasts, known), 1,
                   w.user_id(self.practitioner(w.yp_la)), w.agency_id(w.yp_la)], n)

    # --- Cases and their grants -------------------------------------------------------------------------------

    def draw_cases(self):
        """Who has cases, and when each opened and closed (the young person's record is dated by the first)."""
        w, rng, n = self.w, self.rng, self.n
        per = np.array(list(CASES_PER_PERSON))[_draw(rng, CASES_PER_PERSON, n)]
        w.c_yp = np.repeat(np.arange(n), per)
        c = len(w.c_yp)
        second = np.zeros(c, dtype=bool)
        second[1:] = w.c_yp[1:] == w.c_yp[:-1]
        first_of_two = np.zeros(c, dtype=bool)
        first_of_two[:-1] = second[1:]
        # Dates: within the last four years, never before the young person was nine.
        lo = np.maximum(self.today_n - 4 * 365, w.yp_dob[w.c_yp] + 9 * 365)
        span = self.today_n - lo
        u = rng.random((c, 3))
        u.sort(axis=1)
        opened = lo + (rng.random(c) * (span + 1)).astype(np.int64)
        closed = np.where((rng.random(c) < CLOSED_RATE) & (self.today_n - opened >= 14),
                          opened + 7 + (rng.random(c) * (self.today_n - opened - 6)).astype(np.int64), -1)
        # Two cases: the first opened and closed, the second opened after it closed (three sorted points).
        opened[first_of_two] = lo[first_of_two] + (u[first_of_two, 0] * span[first_of_two]).astype(np.int64)
        closed[first_of_two] = lo[first_of_two] + (u[first_of_two, 1] * span[first_of_two]).astype(np.int64)
        prev_closed = np.roll(closed, 1)
        opened[second] = np.maximum(prev_closed[second],
                                    lo[second] + (u[second, 2] * span[second]).astype(np.int64))
        reopen_closed = second & (rng.random(c) < 0.25) & (self.today_n - opened >= 1)
        closed[second] = -1
        closed[reopen_closed] = opened[reopen_closed] + (
            rng.random(int(reopen_closed.sum())) * (self.today_n - opened[reopen_closed] + 1)).astype(np.int64)
        closed = np.where(closed >= 0, np.minimum(closed, self.today_n), -1)
        is_closed = closed >= 0
        w.c_open, w.c_end, w.c_closed = opened, np.where(is_closed, closed, self.today_n), closed
        w.c_la = w.yp_la[w.c_yp]

    def cases(self):
        w, rng = self.w, self.rng
        c = len(w.c_yp)
        opened, closed = w.c_open, w.c_closed
        is_closed = closed >= 0
        start = w.start["cases_case"]
        years = (opened.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
        harm_keys = [str(k) for k in HARM_WEIGHTS]
        primary = _draw(rng, HARM_WEIGHTS, c)
        # A second harm for a third of cases, a third for one in ten (when different).
        extra = np.where(rng.random(c) < 0.35, _draw(rng, HARM_WEIGHTS, c), primary)
        third = np.where(rng.random(c) < 0.1, _draw(rng, HARM_WEIGHTS, c), primary)

        def harms(p, e, t):
            return "{" + ",".join(dict.fromkeys([harm_keys[p], harm_keys[e], harm_keys[t]])) + "}"

        names = np.array(self.first_names, dtype=object)[w.yp_first[w.c_yp]]
        place_pick = rng.integers(0, len(PLACES), c)
        town_pick = rng.integers(0, len(TOWNS), c)

        def summary(p, name, place, town):
            return SUMMARIES[harm_keys[p]].format(name=name, place=PLACES[place], town=TOWNS[town])
        reasons = np.full(c, "", dtype=object)
        notes = np.full(c, "", dtype=object)
        reason_keys = list(CLOSURE_WEIGHTS)
        reason_pick = _draw(rng, CLOSURE_WEIGHTS, c)
        for i in np.flatnonzero(is_closed):
            key = reason_keys[reason_pick[i]]
            reasons[i] = str(key)
            notes[i] = CLOSURE_NOTES[key].format(name=names[i], place=PLACES[place_pick[i]])
        review = np.where(is_closed, -1, self.today_n + rng.integers(-20, 90, c))
        lead = self.practitioner(w.c_la)
        created = opened * 86400 + rng.integers(8 * 3600, 18 * 3600, c)
        self.copy("cases_case",
                  ["reference", "status", "opened_on", "closed_on", "closure_reason", "closure_note", "harm_types",
                   "risk_level", "summary", "next_review_on", "created_at", "version", "created_by_id",
                   "lead_practitioner_id", "owning_agency_id", "young_person_id"],
                  [_rows(lambda y, i: f"EFH-{y}-{i:06d}", years, np.arange(start, start + c)),
                   np.where(is_closed, "closed", "open"), _days(opened), _days(closed), reasons, notes,
                   _rows(harms, primary, extra, third), _values(RISK_WEIGHTS)[_draw(rng, RISK_WEIGHTS, c)],
                   _rows(summary, primary, names, place_pick, town_pick), _days(review),
                   _stamps(np.minimum(created, self.now_s)), 1, w.user_id(lead), w.user_id(lead),
                   w.agency_id(w.c_la), w.id("cases_youngperson", w.c_yp)], c)
        self.case_grants()

    def case_grants(self):
        """The owner's three levels; shares with one to three partners of the authority (view, some contribute)."""
        w, rng = self.w, self.rng
        c = len(w.c_yp)
        # The police share rate: the benchmark force's authorities are tuned so it sees BENCH_SHARE of all cases.
        p_police = np.full(w.n_la, POLICE_SHARE_RATE)
        covered_cases = int(w.bench_covers[w.c_la].sum())
        if covered_cases:
            p_police[w.bench_covers] = min(0.95, BENCH_SHARE * c / covered_cases)
        shares = np.array(list(SHARES_PER_CASE))[_draw(rng, SHARES_PER_CASE, c)]
        police = rng.random(c) < p_police[w.c_la]
        others = shares - police
        keys = list(CASE_PARTNERS)
        weights = np.array(list(CASE_PARTNERS.values()), dtype=float)
        order = np.argsort(-(rng.random((c, len(keys))) ** (1 / weights)), axis=1)  # weighted, without replacement
        partners = np.full((c, 4), -1, dtype=np.int64)
        partners[police, 0] = w.la_force[w.c_la[police]]
        for slot in range(3):
            active = others > slot
            for k, key in enumerate(keys):
                rows = active & (order[:, slot] == k)
                if not rows.any():
                    continue
                las = w.c_la[rows]
                if key == "school":
                    partners[rows, slot + 1] = _pick(rng, w.la_school_lo[las], w.la_school_n[las])
                else:
                    partners[rows, slot + 1] = w.la_partner[key][las]
        contribute = np.column_stack([rng.random(c) < CONTRIBUTE_RATE["police"]]
                                     + [rng.random(c) < CONTRIBUTE_RATE["other"] for _ in range(3)])
        contribute &= partners >= 0
        w.c_contrib = np.full(c, -1, dtype=np.int64)
        for slot in (3, 2, 1, 0):
            w.c_contrib = np.where(contribute[:, slot], partners[:, slot], w.c_contrib)
        cases = np.arange(c)
        owner_group = w.group_id(w.c_la)
        view, contrib, manage = (self.perm[Case, level] for level in access.LEVELS)
        parts_case = [cases, cases, cases]
        parts_group = [owner_group, owner_group, owner_group]
        parts_perm = [np.full(c, view), np.full(c, contrib), np.full(c, manage)]
        for slot in range(4):
            active = partners[:, slot] >= 0
            parts_case.append(cases[active])
            parts_group.append(w.group_id(partners[active, slot]))
            parts_perm.append(np.full(int(active.sum()), view))
            parts_case.append(cases[contribute[:, slot]])
            parts_group.append(w.group_id(partners[contribute[:, slot], slot]))
            parts_perm.append(np.full(int(contribute[:, slot].sum()), contrib))
        case_idx = np.concatenate(parts_case)
        order = np.argsort(case_idx, kind="stable")
        self.copy("cases_casegroupobjectpermission", ["content_object_id", "group_id", "permission_id"],
                  [w.id("cases_case", case_idx[order]), np.concatenate(parts_group)[order],
                   np.concatenate(parts_perm)[order]], len(case_idx))
        self.share_rows = len(case_idx) - 3 * c

    # --- Chronology -------------------------------------------------------------------------------------------

    def chronology(self):
        w, rng = self.w, self.rng
        c = len(w.c_yp)
        self.max_entries = 0
        if not c:
            return
        r = 1.3
        counts = 1 + rng.negative_binomial(r, r / (r + ENTRIES_MEAN - 1), c)
        tail = rng.choice(c, size=min(c, max(1, round(c * TAIL_RATE))), replace=False)
        counts[tail] = rng.integers(TAIL_ENTRIES[0], TAIL_ENTRIES[1] + 1, len(tail))
        kinds_by_agency = {kind: (np.array([str(k) for k in ENTRY_KIND_WEIGHTS[KINDS[kind]]], dtype=object),
                                  ENTRY_KIND_WEIGHTS[KINDS[kind]]) for kind in range(len(KINDS))}
        templates = {str(k): v for k, v in ENTRY_TEXTS.items()}
        chunk = 50_000
        restricted_entries, restricted_authors = [], []
        table = "cases_chronologyentry"
        columns = ["kind", "occurred_at", "text", "restricted", "recorded_at", "agency_id", "author_id", "case_id"]
        for lo in range(0, c, chunk):
            cases = np.arange(lo, min(lo + chunk, c))
            case = np.repeat(cases, counts[cases])
            e = len(case)
            start = w.c_open[case] * 86400 + 8 * 3600
            end = np.minimum(w.c_end[case] * 86400 + 22 * 3600, self.now_s - 60)
            start = np.minimum(start, end)
            occurred = start + (rng.random(e) * (end - start)).astype(np.int64)
            by_partner = (rng.random(e) < PARTNER_ENTRY_RATE) & (w.c_contrib[case] >= 0)
            agency = np.where(by_partner, w.c_contrib[case], w.c_la[case])
            author = self.practitioner(agency)
            kind = np.empty(e, dtype=object)
            a_kind = w.a_kind[agency]
            for k, (values, weights) in kinds_by_agency.items():
                rows = a_kind == k
                if rows.any():
                    kind[rows] = values[_draw(rng, weights, int(rows.sum()))]
            names = [self.first_names[i] for i in w.yp_first[w.c_yp[case]]]
            pick, place, town = rng.random(e), rng.integers(0, len(PLACES), e), rng.integers(0, len(TOWNS), e)
            texts = []
            for k, nm, p, pl, tw in zip(kind, names, pick, place, town, strict=True):
                options = templates[k]
                texts.append(options[int(p * len(options))].format(name=nm, place=PLACES[pl], town=TOWNS[tw]))
            restricted = np.where(kind == str(EntryKind.DISCLOSURE), rng.random(e) < RESTRICTED_DISCLOSURE_RATE,
                                  rng.random(e) < RESTRICTED_RATE)
            recorded = np.minimum(occurred + rng.integers(600, 3 * 86400, e), self.now_s)
            first_id = w.start[table] + w.counts[table]
            restricted_entries.append(first_id + np.flatnonzero(restricted))
            restricted_authors.append(w.user_id(author[restricted]))
            self.copy(table, columns,
                      [kind.tolist(), _stamps(occurred), texts, restricted.tolist(), _stamps(recorded),
                       w.agency_id(agency).tolist(), w.user_id(author).tolist(), w.id("cases_case", case).tolist()], e)
        entries, authors = np.concatenate(restricted_entries), np.concatenate(restricted_authors)
        self.copy("cases_chronologyentry_restricted_to", ["chronologyentry_id", "user_id"],
                  [entries.tolist(), authors.tolist()], len(entries))
        self.max_entries = int(counts.max())

    # --- Places and peer groups -------------------------------------------------------------------------------

    def _spread(self, total: int) -> tuple[np.ndarray, np.ndarray]:
        """``total`` records over the authorities, by their size, at least one each: (first index, count)."""
        w = self.w
        extra = max(0, total - w.n_la)
        n = 1 + self.rng.multinomial(extra, w.la_yp_n / w.la_yp_n.sum())
        return np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64), n.astype(np.int64)

    def _context_common(self, n: int, owner: np.ndarray) -> list:
        rng = self.rng
        status = _values(CONTEXT_STATUS)[_draw(rng, CONTEXT_STATUS, n)]
        closed = status == "closed"
        reason = np.full(n, "", dtype=object)
        reason[closed] = np.array(CONTEXT_CLOSURES, dtype=object)[rng.integers(0, len(CONTEXT_CLOSURES),
                                                                                int(closed.sum()))]
        review = np.where(closed, -1, self.today_n + rng.integers(-30, 120, n))
        lead = np.where(rng.random(n) < 0.7, self.w.user_id(self.practitioner(owner)), -1)
        created = self.now_s - rng.integers(86400, 3 * 365 * 86400, n)
        return [status.tolist(), reason.tolist(), _days(review), _stamps(created), 1,
                self.w.user_id(self.practitioner(owner)).tolist(), _nullable_ids(lead),
                self.w.agency_id(owner).tolist()]

    def _context_grants(self, table: str, model, records: np.ndarray, owner: np.ndarray, la: np.ndarray):
        """Owner: every level. Then the authority (contribute) when a partner owns it, the force, and others."""
        w, rng = self.w, self.rng
        n = len(records)
        view, contrib, manage = (self.perm[model, level] for level in access.LEVELS)
        shares: list[tuple[np.ndarray, np.ndarray, bool]] = []  # (rows, agency, contribute)
        partner_owned = owner != la
        shares.append((partner_owned, la, True))
        force = w.la_force[la]
        to_force = ~partner_owned & (rng.random(n) < 0.6)
        shares.append((to_force, force, rng.random(n) < 0.3))
        extra = rng.random(n) < 0.4
        school = _pick(rng, w.la_school_lo[la], w.la_school_n[la])
        shares.append((extra & (owner != school), school, np.zeros(n, dtype=bool)))
        parts_record, parts_group, parts_perm = [records] * 3, [w.group_id(owner)] * 3, [
            np.full(n, view), np.full(n, contrib), np.full(n, manage)]
        for rows, agency, contribute in shares:
            parts_record.append(records[rows])
            parts_group.append(w.group_id(agency[rows]))
            parts_perm.append(np.full(int(rows.sum()), view))
            both = rows & contribute
            parts_record.append(records[both])
            parts_group.append(w.group_id(agency[both]))
            parts_perm.append(np.full(int(both.sum()), contrib))
        rec = np.concatenate(parts_record)
        order = np.argsort(rec, kind="stable")
        self.copy(table, ["content_object_id", "group_id", "permission_id"],
                  [rec[order].tolist(), np.concatenate(parts_group)[order].tolist(),
                   np.concatenate(parts_perm)[order].tolist()], len(rec))

    def contexts(self):
        w, rng = self.w, self.rng
        # Places
        w.pl_lo, w.pl_n = self._spread(max(20, self.n // PLACES_PER))
        n = int(w.pl_n.sum())
        la = np.repeat(np.arange(w.n_la), w.pl_n)
        kind = _values(PLACE_KINDS)[_draw(rng, PLACE_KINDS, n)]
        w.pl_kind = kind
        owner = np.where(rng.random(n) < 0.85, la, w.la_force[la])
        w.pl_owner = owner
        school = _pick(rng, w.la_school_lo[la], w.la_school_n[la])
        street = np.array(self.streets, dtype=object)[rng.integers(0, len(self.streets), n)]
        surname = np.array(self.last_names, dtype=object)[rng.integers(0, len(self.last_names), n)]
        names, addresses, urns = [], [], []
        for i, k in enumerate(kind):
            town = w.la_town[la[i]]
            names.append({
                "street": f"{street[i]}, {town}", "park": f"{surname[i]} Park, {town}",
                "transport": f"{town} bus station" if i % 2 else f"{town} Central station",
                "shop": f"Chicken shop, {street[i]}, {town}", "school": w.a_name[school[i]],
                "youth": f"{surname[i]} Youth Centre, {town}", "housing": f"{surname[i]} House hostel, {town}",
                "online": f"Group chat '{surname[i].lower()}{i % 100}'", "other": f"Car park, {street[i]}, {town}",
            }[k][:150])
            addresses.append("" if k == "online" else f"{rng.integers(1, 300)} {street[i]}")
            urns.append(f"{100000 + school[i] % 900000}" if k == "school" else "")
        online = kind == "online"
        lat = w.la_centre[la, 0] + rng.uniform(-0.05, 0.05, n)
        lon = w.la_centre[la, 1] + rng.uniform(-0.05, 0.05, n)
        lat_s = np.char.mod("%.5f", lat).astype(object)
        lon_s = np.char.mod("%.5f", lon).astype(object)
        lat_s[online], lon_s[online] = None, None
        postcodes = self.postcodes(la)
        postcodes[online] = ""
        wards = [f"{self.streets[(la_i * 7 + j) % len(self.streets)].split()[0]} ward"
                 for la_i, j in zip(la, rng.integers(0, 6, n), strict=True)]
        self.copy("contexts_place",
                  ["name", "description", "status", "closure_reason", "review_on", "created_at", "version",
                   "created_by_id", "lead_practitioner_id", "owning_agency_id", "kind", "address", "postcode",
                   "latitude", "longitude", "ward", "school_urn", "position_note"],
                  [names, "Young people reported gathering here; partners mapping who is around them.",
                   *self._context_common(n, owner), kind.tolist(), addresses, postcodes.tolist(), lat_s.tolist(),
                   lon_s.tolist(), wards, urns, ""], n)
        self._context_grants("contexts_placegroupobjectpermission", Place, w.id("contexts_place", np.arange(n)),
                             owner, la)
        # Peer groups
        w.pg_lo, w.pg_n = self._spread(max(5, self.n // GROUPS_PER))
        n = int(w.pg_n.sum())
        la = np.repeat(np.arange(w.n_la), w.pg_n)
        owner = np.where(rng.random(n) < 0.9, la, w.la_force[la])
        w.pg_owner = owner
        street = np.array(self.streets, dtype=object)[rng.integers(0, len(self.streets), n)]
        names = [f"Young people around {s}" if i % 3 else f"{s} group" for i, s in enumerate(street)]
        self.copy("contexts_peergroup",
                  ["name", "description", "status", "closure_reason", "review_on", "created_at", "version",
                   "created_by_id", "lead_practitioner_id", "owning_agency_id"],
                  [names, "A group of young people seen together; some are at risk of exploitation.",
                   *self._context_common(n, owner)], n)
        self._context_grants("contexts_peergroupgroupobjectpermission", PeerGroup,
                             w.id("contexts_peergroup", np.arange(n)), owner, la)

    # --- Evidence: memberships, associations, place links -----------------------------------------------------

    def evidence(self, la: np.ndarray) -> tuple[list, np.ndarray]:
        """The evidence columns for links in these authorities: who says so, how sure, when to review."""
        w, rng = self.w, self.rng
        n = len(la)
        source = np.where(rng.random(n) < 0.5, la, np.where(rng.random(n) < 0.7, w.la_force[la],
                                                             _pick(rng, w.la_school_lo[la], w.la_school_n[la])))
        reviewed = self.today_n - rng.integers(0, 365, n)
        review_by = reviewed + rng.integers(30, 180, n)  # some are overdue
        ended = rng.random(n) < 0.08
        ended_on = np.where(ended, np.minimum(reviewed + rng.integers(0, 60, n), self.today_n), -1)
        end_reason = np.full(n, "", dtype=object)
        end_reason[ended] = np.array(END_REASONS, dtype=object)[rng.integers(0, len(END_REASONS), int(ended.sum()))]
        notes = np.array(EVIDENCE_NOTES, dtype=object)[rng.integers(0, len(EVIDENCE_NOTES), n)]
        recorded = (reviewed - rng.integers(0, 200, n)) * 86400 + rng.integers(8 * 3600, 18 * 3600, n)
        columns = [w.agency_id(source).tolist(), w.user_id(self.practitioner(source)).tolist(),
                   _values(RELIABILITY)[_draw(rng, RELIABILITY, n)].tolist(),
                   _values(PURPOSE)[_draw(rng, PURPOSE, n)].tolist(), notes.tolist(), _days(reviewed),
                   _days(review_by), _days(ended_on), end_reason.tolist(), _stamps(np.minimum(recorded, self.now_s)),
                   1]
        return columns, ended

    EVIDENCE = ["source_agency_id", "source_person_id", "reliability", "purpose", "notes", "last_reviewed_on",
                "review_by", "ended_on", "end_reason", "recorded_at", "version"]

    def _local_people(self, la: np.ndarray) -> np.ndarray:
        return _pick(self.rng, self.w.la_yp_lo[la], self.w.la_yp_n[la])

    def links(self):
        w, rng = self.w, self.rng
        # Memberships: three to twelve members of each group, from its authority's young people.
        groups = len(w.pg_owner)
        group_la = np.repeat(np.arange(w.n_la), w.pg_n)
        size = 3 + rng.binomial(9, 0.33, groups)
        member_group = np.repeat(np.arange(groups), size)
        person = self._local_people(group_la[member_group])
        _, keep = np.unique(member_group * self.n + person, return_index=True)
        member_group, person = member_group[keep], person[keep]
        m = len(person)
        evidence, ended = self.evidence(group_la[member_group])
        from_date = self.today_n - rng.integers(30, 700, m)
        to_date = np.where(ended, np.maximum(from_date, self.today_n - rng.integers(0, 30, m)), -1)
        self.copy("contexts_membership",
                  [*self.EVIDENCE, "role", "from_date", "to_date", "young_person_id", "peer_group_id"],
                  [*evidence, _values(dict.fromkeys(MembershipRole, 1))[rng.integers(0, 3, m)].tolist(),
                   _days(np.where(rng.random(m) < 0.7, from_date, -1)), _days(to_date),
                   w.id("cases_youngperson", person).tolist(), w.id("contexts_peergroup", member_group).tolist()], m)
        # Associations between young people of the same authority.
        n = max(1, self.n // ASSOCIATIONS_PER)
        person = rng.integers(0, self.n, n)
        la = w.yp_la[person]
        size = w.la_yp_n[la]
        ok = size > 1
        person, la, size = person[ok], la[ok], size[ok]
        offset = 1 + (rng.random(len(person)) * np.minimum(size - 1, 100)).astype(np.int64)
        other = w.la_yp_lo[la] + (person - w.la_yp_lo[la] + offset) % size
        nature = _draw(rng, ASSOCIATIONS, len(person))
        _, keep = np.unique((person * self.n + other) * 8 + nature, return_index=True)
        person, other, nature, la = person[keep], other[keep], nature[keep], la[keep]
        evidence, _ = self.evidence(la)
        self.copy("contexts_association", [*self.EVIDENCE, "nature", "other_id", "person_id"],
                  [*evidence, _values(ASSOCIATIONS)[nature].tolist(), w.id("cases_youngperson", other).tolist(),
                   w.id("cases_youngperson", person).tolist()], len(person))
        # Place links: young people to places of their authority (a few places much more than others), some to the
        # busiest places in the country; peer groups to one to three places of their authority.
        n = max(1, self.n // PERSON_LINKS_PER)
        person = rng.integers(0, self.n, n)
        la = w.yp_la[person]
        place = w.pl_lo[la] + (rng.random(n) ** 2 * w.pl_n[la]).astype(np.int64)
        hot_places = rng.choice(len(w.pl_owner), size=max(1, len(w.pl_owner) // PLACES_PER_HOT_PLACE),
                                replace=False)
        hot = rng.random(n) < HOT_PLACE_SHARE
        place[hot] = hot_places[rng.integers(0, len(hot_places), int(hot.sum()))]
        nature = _draw(rng, LINKS, n)
        group_la = np.repeat(np.arange(w.n_la), w.pg_n)
        links_per_group = rng.integers(1, 4, groups)
        group = np.repeat(np.arange(groups), links_per_group)
        group_place = w.pl_lo[group_la[group]] + (rng.random(len(group)) * w.pl_n[group_la[group]]).astype(np.int64)
        group_nature = _draw(rng, LINKS, len(group))
        _, keep = np.unique((place * self.n + person) * 8 + nature, return_index=True)
        _, keep_g = np.unique((group_place * groups + group) * 8 + group_nature, return_index=True)
        place, person, nature, la = place[keep], person[keep], nature[keep], la[keep]
        group_place, group, group_nature = group_place[keep_g], group[keep_g], group_nature[keep_g]
        all_place = np.concatenate([place, group_place])
        subject_la = np.concatenate([la, group_la[group]])
        evidence, _ = self.evidence(subject_la)
        total = len(all_place)
        self.copy("contexts_placelink", [*self.EVIDENCE, "nature", "place_id", "young_person_id", "peer_group_id"],
                  [*evidence, _values(LINKS)[np.concatenate([nature, group_nature])].tolist(),
                   w.id("contexts_place", all_place).tolist(),
                   _nullable_ids(np.concatenate([w.id("cases_youngperson", person), np.full(len(group), -1)])),
                   _nullable_ids(np.concatenate([np.full(len(person), -1), w.id("contexts_peergroup", group)]))],
                  total)
        self.busiest_place_links = int(np.bincount(all_place).max())

    # --- Assessments ------------------------------------------------------------------------------------------

    def _answer_pool(self, definition: dict, complete: bool) -> list[str]:
        """A few valid answer sets for a framework version, as JSON."""
        pool = []
        for variant in range(6):
            rnd = random.Random(self.seed * 31 + variant)
            answers = {}
            for number, (key, q) in enumerate(frameworks.questions(definition).items()):
                if not complete and (number > 3 or rnd.random() < 0.4):
                    continue
                if q.type == "text":
                    answers[key] = rnd.choice(["Partners describe a group of older males around the area.",
                                               "Staff say the young people feel safer since the lights went in.",
                                               "They said they want somewhere to go after school."])
                elif q.type == "factors":
                    answers[key] = [{"kind": rnd.choice(list(frameworks.FACTOR_KINDS)),
                                     "description": "Older young people waiting outside at closing time.",
                                     "evidence": "Outreach notes.", "source": "Youth service"}]
                elif q.options:
                    answers[key] = rnd.choice(q.options)[0]
                    if q.type == "scale":
                        answers[key] = int(answers[key])
            pool.append(json.dumps(frameworks.clean_answers(definition, answers, complete=complete)))
        if not complete:
            pool.append("{}")
        return pool

    def assessments(self):
        w, rng = self.w, self.rng
        n = max(1, self.n // ASSESSMENTS_PER)
        fw = self.frameworks
        kinds = np.array(["young_person", "place", "peer_group"])[
            _draw(rng, {"young_person": 65, "place": 25, "peer_group": 10}, n)]
        if "young_person" not in fw:
            kinds[kinds == "young_person"] = "place"
        yp, place, group = np.full(n, -1), np.full(n, -1), np.full(n, -1)
        la = np.empty(n, dtype=np.int64)
        rows = kinds == "young_person"
        yp[rows] = w.c_yp[rng.integers(0, len(w.c_yp), int(rows.sum()))] if len(w.c_yp) else 0
        la[rows] = w.yp_la[yp[rows]]
        rows = kinds == "place"
        place[rows] = rng.integers(0, len(w.pl_owner), int(rows.sum()))
        la[rows] = np.repeat(np.arange(w.n_la), w.pl_n)[place[rows]]
        rows = kinds == "peer_group"
        group[rows] = rng.integers(0, len(w.pg_owner), int(rows.sum()))
        la[rows] = np.repeat(np.arange(w.n_la), w.pg_n)[group[rows]]
        status = _values(ASSESSMENT_STATUS)[_draw(rng, ASSESSMENT_STATUS, n)]
        framework_subject = np.where(kinds == "place", np.where(
            (place >= 0) & (w.pl_kind[np.maximum(place, 0)] == "school") & ("school" in fw), "school", "place"),
            kinds)
        pools = {(subject, key): (version, self._answer_pool(definition, True), self._answer_pool(definition, False))
                 for subject, options in fw.items() for key, version, definition in options}
        version = np.empty(n, dtype=np.int64)
        answers = []
        pick = rng.integers(0, 1000, n)
        for i, subject in enumerate(framework_subject):
            key = fw[subject][pick[i] % len(fw[subject])][0]
            v, complete, draft = pools[subject, key]
            version[i] = v
            options = draft if status[i] == "draft" else complete
            answers.append(options[pick[i] % len(options)])
        created = self.now_s - rng.integers(86400, 700 * 86400, n)
        decided = np.isin(status, ["approved", "returned"])
        sent = decided | (status == "submitted")
        submitted = np.where(sent, created + rng.integers(3600, 20 * 86400, n), -1)
        decided_at = np.where(decided, submitted + rng.integers(3600, 10 * 86400, n), -1)
        submitted, decided_at = np.minimum(submitted, self.now_s), np.minimum(decided_at, self.now_s)
        updated = np.maximum(created, np.maximum(submitted, decided_at))
        manager = np.where(decided, w.user_id(_pick(rng, w.la_tm_lo[la], w.la_tm_n[la])), -1)
        priority = np.where(sent, "Who is around the young people at the station after school", "")
        self.copy("assessments_assessment",
                  ["status", "answers", "priority", "priority_reason", "decision_comments", "submitted_at",
                   "decided_at", "created_at", "updated_at", "version", "decided_by_id", "lead_author_id",
                   "owning_agency_id", "peer_group_id", "place_id", "young_person_id", "framework_version_id"],
                  [status.tolist(), answers, priority.tolist(),
                   np.where(sent, "Most incidents start there; the young people named it too.", "").tolist(),
                   np.where(decided, "Agreed: clear and evidenced.", "").tolist(), _stamps(submitted),
                   _stamps(decided_at), _stamps(created), _stamps(updated), 1, _nullable_ids(manager),
                   w.user_id(self.practitioner(la)).tolist(), w.agency_id(la).tolist(),
                   _nullable_ids(np.where(group >= 0, w.id("contexts_peergroup", group), -1)),
                   _nullable_ids(np.where(place >= 0, w.id("contexts_place", place), -1)),
                   _nullable_ids(np.where(yp >= 0, w.id("cases_youngperson", yp), -1)), version.tolist()], n)

    # --- Panels and meetings ----------------------------------------------------------------------------------

    def panels(self):
        w, rng = self.w, self.rng
        n_la = w.n_la
        members = [sorted({la, int(w.la_force[la]), int(w.la_partner["health"][la]),
                           int(w.la_partner["housing"][la]), int(w.la_partner["yjs"][la]),
                           int(w.la_partner["voluntary"][la]),
                           *range(w.la_school_lo[la], w.la_school_lo[la] + min(2, w.la_school_n[la]))})
                   for la in range(n_la)]
        panel_ids = w.id("panels_panel", np.arange(n_la))
        self.copy("panels_panel", ["name", "kind", "terms_of_reference", "is_active", "owning_agency_id"],
                  [[f"{w.la_town[la]} MACE panel{self.tag}" for la in range(n_la)], "mace",
                   "Multi-agency child exploitation panel for the authority's young people and places.", True,
                   w.agency_id(np.arange(n_la)).tolist()], n_la)
        pairs = [(panel_ids[la], a) for la in range(n_la) for a in members[la]]
        self.copy("panels_panel_member_agencies", ["panel_id", "agency_id"],
                  [[int(p) for p, _ in pairs], w.agency_id([a for _, a in pairs]).tolist()], len(pairs))
        self.copy("panels_panel_chairs", ["panel_id", "user_id"],
                  [panel_ids.tolist(), w.user_id(w.la_chair).tolist()], n_la)
        # Meetings: by authority size. The benchmark's own authority holds the first three, held six weeks ago, held
        # last week (with actions still outstanding from the first) and to come, so that its meeting pages have the
        # same parts at every size.
        n = max(3, self.n // MEETINGS_PER)
        la = rng.choice(n_la, size=n, p=w.la_yp_n / w.la_yp_n.sum())
        day = self.now_s // 86400 - rng.integers(-30, 365, n)
        la[:3] = 0
        day[:3] = self.now_s // 86400 - np.array([42, 7, -7])
        starts = day * 86400 + np.where(rng.random(n) < 0.5, 10, 14) * 3600
        past = starts < self.now_s - 14 * 86400
        status = np.where(past, np.where(rng.random(n) < 0.8, "minutes_approved", "minutes_drafted"),
                          np.where(starts > self.now_s, np.where(rng.random(n) < 0.5, "planned", "agenda_set"),
                                   "in_progress"))
        approved = status == "minutes_approved"
        chair = w.la_chair[la]
        approved_at = np.where(approved, np.minimum(starts + rng.integers(3, 10, n) * 86400, self.now_s), -1)
        self.copy("panels_meeting",
                  ["starts_at", "location", "online_link", "status", "agenda_version", "minutes_approved_at",
                   "created_at", "version", "created_by_id", "minutes_approved_by_id", "owning_agency_id",
                   "panel_id"],
                  [_stamps(starts), "Council offices, meeting room 2", "", status.tolist(), 1, _stamps(approved_at),
                   _stamps(np.minimum(starts - 20 * 86400, self.now_s)), 1, w.user_id(chair).tolist(),
                   _nullable_ids(np.where(approved, w.user_id(chair), -1)), w.agency_id(la).tolist(),
                   panel_ids[la].tolist()], n)
        meeting_ids = w.id("panels_meeting", np.arange(n))
        view, contrib, manage = (self.perm[Meeting, level] for level in access.LEVELS)
        grants = []
        for m in range(n):
            grants += [(meeting_ids[m], la[m], p) for p in (view, contrib, manage)]
            grants += [(meeting_ids[m], a, p) for a in members[la[m]] if a != la[m] for p in (view, contrib)]
        self.copy("panels_meetinggroupobjectpermission", ["content_object_id", "group_id", "permission_id"],
                  [[int(g[0]) for g in grants], w.group_id([g[1] for g in grants]).tolist(),
                   [g[2] for g in grants]], len(grants))
        # Agenda items, attendance, actions.
        per = rng.integers(ITEMS_PER_MEETING[0], ITEMS_PER_MEETING[1] + 1, n)
        meeting = np.repeat(np.arange(n), per)
        k = len(meeting)
        position = np.concatenate([np.arange(1, p + 1) for p in per])
        kind = _values(ITEM_KINDS)[_draw(rng, ITEM_KINDS, k)]
        item_la = la[meeting]
        yp = np.where(kind == "young_person", self._local_people(item_la), -1)
        place = np.where(kind == "place", w.pl_lo[item_la] + (rng.random(k) * w.pl_n[item_la]).astype(np.int64), -1)
        group = np.where(kind == "peer_group", w.pg_lo[item_la] + (rng.random(k) * w.pg_n[item_la]).astype(np.int64),
                         -1)
        theme = np.where(kind == "theme", np.array(MEETING_THEMES, dtype=object)[
            rng.integers(0, len(MEETING_THEMES), k)], "")
        held = past[meeting] | (status[meeting] == "in_progress")
        pick = rng.integers(0, 100, k)
        created = starts[meeting] - 10 * 86400
        self.copy("panels_agendaitem",
                  ["position", "kind", "theme", "reason", "voice", "feedback", "minutes", "decisions", "created_at",
                   "updated_at", "version", "added_by_id", "peer_group_id", "place_id", "presenter_id",
                   "young_person_id", "meeting_id", "feedback_given_how"],
                  [position.tolist(), kind.tolist(), theme.tolist(),
                   [AGENDA_REASONS[p % len(AGENDA_REASONS)] for p in pick],
                   np.where(kind == "young_person", "They want people to listen before deciding.", "").tolist(),
                   np.where(kind == "young_person", "Their social worker will explain the plan to them.", "").tolist(),
                   np.where(held, MINUTES[0], "").tolist(),
                   [DECISIONS[p % len(DECISIONS)] if h else "" for p, h in zip(pick, held, strict=True)],
                   _stamps(np.minimum(created, self.now_s)), _stamps(np.minimum(created, self.now_s)), 1,
                   w.user_id(chair[meeting]).tolist(),
                   _nullable_ids(np.where(group >= 0, w.id("contexts_peergroup", group), -1)),
                   _nullable_ids(np.where(place >= 0, w.id("contexts_place", place), -1)),
                   w.user_id(self.practitioner(item_la)).tolist(),
                   _nullable_ids(np.where(yp >= 0, w.id("cases_youngperson", yp), -1)),
                   meeting_ids[meeting].tolist(), ""], k)  # feedback given: not recorded yet
        people, agencies, meetings, att_status = [], [], [], []
        for m in range(n):
            attendees = [(int(w.la_chair[la[m]]), la[m])] + [
                (int(self.practitioner(np.array([a]))[0]), a) for a in members[la[m]] if a != la[m]]
            for person, agency in attendees:
                people.append(person)
                agencies.append(agency)
                meetings.append(meeting_ids[m])
                att_status.append(("present" if rng.random() < 0.8 else "apologies") if past[m] else "invited")
        self.copy("panels_attendance", ["status", "agency_id", "deputy_for_id", "person_id", "meeting_id"],
                  [att_status, w.agency_id(agencies).tolist(), None, w.user_id(people).tolist(),
                   [int(m) for m in meetings]], len(people))
        acted = np.flatnonzero(held & (rng.random(k) < 0.6))
        a = len(acted)
        owner_agency = np.array([self.random.choice(members[la[meeting[i]]]) for i in acted], dtype=np.int64)
        due = (starts[meeting[acted]] // 86400) + rng.integers(14, 43, a)
        done = (due < self.today_n) & (rng.random(a) < 0.7)
        self.copy("panels_action",
                  ["description", "due_on", "status", "created_at", "version", "created_by_id",
                   "owner_id", "owner_agency_id", "item_id"],
                  [[ACTIONS[i % len(ACTIONS)] for i in acted], _days(due),
                   np.where(done, "done", np.where(rng.random(a) < 0.5, "open", "in_progress")).tolist(),
                   _stamps(np.minimum(starts[meeting[acted]] + 3600, self.now_s)), 1,
                   w.user_id(chair[meeting[acted]]).tolist(), w.user_id(self.practitioner(owner_agency)).tolist(),
                   w.agency_id(owner_agency).tolist(), w.id("panels_agendaitem", acted).tolist()], a)

    # --- Finishing --------------------------------------------------------------------------------------------

    WRITTEN = [Group, Agency, User, User.groups.through, YoungPerson, Case, CaseGroupObjectPermission,
               ChronologyEntry, ChronologyEntry.restricted_to.through, Place, PlaceGroupObjectPermission, PeerGroup,
               PeerGroupGroupObjectPermission, Membership, Association, PlaceLink, Assessment, Panel,
               Panel.member_agencies.through, Panel.chairs.through, Meeting, MeetingGroupObjectPermission,
               AgendaItem, Attendance, Action]

    def drop_indexes(self):
        """Drop the indexes that back no constraint, to build each once at the end (much faster than row by row).

        Primary keys and unique constraints stay. Unique indexes that back no constraint (Django's conditional
        UniqueConstraint) are built again as they were, so a duplicate still fails the run.
        """
        tables = [model._meta.db_table for model in self.WRITTEN]
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [tables])
        self.dropped = self.cursor.fetchall()
        for name, _ in self.dropped:
            self.cursor.execute(f"DROP INDEX {name}")

    def rebuild_indexes(self):
        self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in self.dropped:
            self.cursor.execute(definition)

    def finish(self):
        for sql in connection.ops.sequence_reset_sql(no_style(), self.WRITTEN):
            self.cursor.execute(sql)
        for model in self.WRITTEN:
            self.cursor.execute(f"ANALYZE {model._meta.db_table}")

    def verify_foreign_keys(self):
        """Every foreign key of every row written points at a row (the FK triggers were off while copying)."""
        problems = []
        for model in self.WRITTEN:
            table = model._meta.db_table
            first = self.w.start[table]
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                target = f.related_model._meta.db_table
                sql = (f"SELECT count(*) FROM {table} t WHERE t.id >= %s AND t.{f.column} IS NOT NULL "  # noqa: S608
                       f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.{f.target_field.column} = t.{f.column})")
                self.cursor.execute(sql, [first])
                missing = self.cursor.fetchone()[0]
                if missing:
                    problems.append(f"{table}.{f.column}: {missing} rows point nowhere")
        if problems:
            raise GenerationFailed("; ".join(problems))

    def benchmark_view(self) -> tuple[int, int]:
        user = User.objects.get(pk=self.w.bench_users[f"bench.police{self.tag_user}"])
        first = self.w.start["cases_case"]
        cases = Case.objects.filter(pk__gte=first)
        return access.visible(user, cases).count(), self.w.counts["cases_case"]


def check_safe(*, force: bool):
    """Refuse a database that already holds young people, unless forced on a database named for benchmarks."""
    name = connection.settings_dict["NAME"] or ""
    if YoungPerson.objects.exists():
        if not force:
            raise Refused(f"The database {name} already holds young people. Generate into an empty database, or "
                          "pass --force on a benchmark database (one whose name contains 'bench').")
        if "bench" not in name:
            raise Refused(f"--force is allowed only on a database whose name contains 'bench', not {name}.")


def generate(*, young_people: int, seed: int = SEED, stdout=None, force: bool = False, verify: bool = True,
             vacuum: bool = False) -> dict:
    """Generate ``young_people`` young people and everything around them; return counts, timings and the view of
    the benchmark force. See the module's docstring for how, and what it leaves out (history, audit)."""
    check_safe(force=force)
    started = datetime.now()
    result = Generator(young_people=young_people, seed=seed, stdout=stdout or sys.stdout, verify=verify,
                       vacuum=vacuum).run()
    result["started"] = started.isoformat(timespec="seconds")
    return result

