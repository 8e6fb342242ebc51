"""Northfield's MACE panel: a meeting about four weeks ago, its minutes approved and its actions under way, and the
next meeting in about ten days, its agenda set and its people invited.

Runs after ``assessments.demo`` (``manage.py seed_demo`` runs every app's demo data in dependency order) and writes
through the services as the app does: the team manager sets the panel up; chair.demo schedules the meetings, sets
the agendas, invites people, minutes the items, agrees the actions and approves the minutes; each agency reports on
its own actions. Approving the minutes queues the email that circulates them, sent when the transaction commits. No
packs are requested: building them needs a worker, and pressing that button is left to whoever runs the demo.

Every item is about a record the chair can see. Some of the next meeting's items are about records not shared with
the police, so the police see them as "not shared with your agency". The one place that moves dates back in time
(the past meeting's own timestamps) says so where it is done.

Reproducible: the draws come from a generator seeded with ``SEED`` and depend only on which young people have an
open case. Idempotent: nothing is added when the panel is already there (found by name), so a second run adds
nothing. It all runs in one transaction. The panel, its agendas, minutes and actions are in ``demo_data/``.
"""

import random
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.db import transaction
from django.utils import timezone

from cases.demo import PERSON_ID_PREFIX, TOWNS
from cases.models import Case, CaseStatus, HarmType, RiskLevel, YoungPerson
from contexts.models import PeerGroup, Place
from panels import services
from panels.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Panel,
    PanelKind,
)
from safeguarding import access
from safeguarding.demo import AGENCIES, LEAD, SHARE_BASIS, STAFF, DemoError, Run, load
from safeguarding.models import Agency, User

SEED = 2029
LEAD_AUTHORITY = AGENCIES[LEAD][0]
_PANEL = load(__file__, "panel.json")
PANEL_NAME = _PANEL["name"]
MEMBERS = (LEAD, "police", "school", "health", "youth_justice", "voluntary")
SETS_UP, CHAIR = "tm.demo", "chair.demo"  # a team manager may add a panel; only a panel chair may run a meeting
PAST_DAYS_AGO, NEXT_IN_DAYS = 28, 10
STARTS_AT = clock_time(10, 0)
LOCATION = _PANEL["location"]
ONLINE_LINK = _PANEL["online_link"]  # .example is reserved: it reaches no one
TERMS_OF_REFERENCE = _PANEL["terms_of_reference"]
DONE, IN_PROGRESS, OPEN = ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.OPEN
PRESENT, APOLOGIES, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT
# Who reports for an agency on an action that names nobody.
REPORTERS = {LEAD: "sw.demo", "police": "police.demo", "school": "school.demo", "health": "b.okoro",
             "youth_justice": "r.campbell", "voluntary": "j.morris"}
# The past meeting: who came, who sent apologies, who did not come, and who deputised for whom. The chair and the
# lead practitioners of the young people on the agenda were there too.
PAST_ATTENDANCE = [
    ("sw.demo", PRESENT, None), ("s.adeyemi", PRESENT, None), ("police.demo", APOLOGIES, None),
    ("m.griffiths", PRESENT, "police.demo"), ("school.demo", PRESENT, None), ("b.okoro", APOLOGIES, None),
    ("r.campbell", PRESENT, None), ("j.morris", PRESENT, None), ("k.flynn", ABSENT, None),
]
# The next meeting: invited from every member agency (with the chair and each item's presenter).
NEXT_INVITED = ["sw.demo", "s.adeyemi", "police.demo", "m.griffiths", "school.demo", "o.bennett", "b.okoro",
                "r.campbell", "j.morris", "k.flynn"]
# Young people brought to a MACE panel: those with an open case about exploitation or going missing.
MACE_HARMS = [HarmType.CCE, HarmType.COUNTY_LINES, HarmType.CSE, HarmType.TRAFFICKING, HarmType.MISSING]

# --- What the agendas and minutes say (fictional; trauma-informed: the harm is done to young people, by others) --

_AGENDA = load(__file__, "agenda.json")
PERSON_PLACES = _AGENDA["person_places"]
PERSON_REASONS = {HarmType(harm): text for harm, text in _AGENDA["person_reasons"].items()}
OTHER_REASON = _AGENDA["other_reason"]


@dataclass(frozen=True)
class Minute:
    voice: str
    feedback: str
    minutes: str
    decisions: str


@dataclass(frozen=True)
class ItemSpec:
    key: str  # "person-0" for the first young person drawn; otherwise a place's or peer group's name, or "theme"
    kind: str  # "person", "place", "group" or "theme"
    presenter: str  # a username, or "lead" for the young person's lead practitioner
    reason: str = ""  # a young person's comes from their case
    theme: str = ""
    minute: Minute | None = None


@dataclass(frozen=True)
class ActionSpec:
    item: str  # an ItemSpec's key
    description: str
    agency: str  # a key of safeguarding.demo's AGENCIES
    owner: str | None  # a username, "lead" for the young person's lead practitioner, or None for the agency
    due_after: int  # days after the meeting (those due before today and not done are overdue)
    updates: tuple[tuple[str, str], ...] = ()  # (status, what has happened), reported by the owning agency



def _item(row: dict) -> ItemSpec:
    return ItemSpec(**{**row, **({"minute": Minute(**row["minute"])} if "minute" in row else {})})


def _action(row: dict) -> ActionSpec:
    updates = tuple((ActionStatus(status), text) for status, text in row.get("updates", ()))
    return ActionSpec(**{**row, "updates": updates})


_PAST, _NEXT = load(__file__, "past_meeting.json"), load(__file__, "next_meeting.json")
FEEDBACK_HOW = ["In person at a home visit, with their mum there", "At school, with their key adult",
                "On a walk with their youth worker, then by text"]
PAST_ITEMS = [_item(row) for row in _PAST["items"]]
PAST_ACTIONS = [_action(row) for row in _PAST["actions"]]
NEXT_ITEMS = [_item(row) for row in _NEXT["items"]]


def seed(run: Run):
    """The panel, the past meeting with its minutes and actions, and the next meeting with its agenda."""
    lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
    if not lead:
        raise DemoError(f"There is no Northfield demo data ({LEAD_AUTHORITY} and its staff) to add a panel "
                        "to. Run seed_demo first.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        if not Panel.objects.filter(name=PANEL_NAME).exists():
            Seeder(tally).run()
    run.report(tally, time.monotonic() - started, added="Added Northfield's MACE panel",
               nothing="Northfield's MACE panel is already present: nothing to add.", made=_summary(tally))


def _weekday(day: date, *, forward: bool) -> date:
    """``day``, or the nearest weekday after it (``forward``) or before it."""
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


def _at(day: date, when: clock_time) -> datetime:
    return timezone.make_aware(datetime.combine(day, when))


def _summary(tally: Counter) -> str:
    details = {"agenda items": "minuted", "actions": "overdue actions"}
    parts = []
    for what in ("panel", "meetings", "agenda items", "attendance records", "actions", "action updates", "shares"):
        if tally[what]:
            detail = details.get(what)
            extra = f" ({tally[detail]} {detail.split()[0]})" if detail and tally[detail] else ""
            parts.append(f"{tally[what]} {what}{extra}")
    return ", ".join(parts)


class Seeder:
    """Draws the young people from one seeded generator, then writes the panel and its two meetings."""

    def __init__(self, tally: Counter):
        self.tally = tally
        self.rng = random.Random(SEED)
        self.today, self.now = timezone.localdate(), timezone.now()
        by_name = {agency.name: agency for agency in Agency.objects.filter(name__in=[n for n, _ in AGENCIES.values()])}
        self.agencies = {key: by_name[name] for key, (name, _) in AGENCIES.items() if name in by_name}
        self.users = User.objects.select_related("agency").filter(is_active=True).in_bulk(
            [s.username for s in STAFF], field_name="username")
        named = [spec.owner for spec in PAST_ACTIONS if spec.owner not in (None, "lead")]
        presenters = [spec.presenter for spec in PAST_ITEMS + NEXT_ITEMS if spec.presenter != "lead"]
        needed = {SETS_UP, CHAIR, *REPORTERS.values(), *NEXT_INVITED, *named, *presenters,
                  *(username for username, _, _ in PAST_ATTENDANCE)}
        missing = needed - set(self.users)
        if missing or set(MEMBERS) - set(self.agencies):
            raise DemoError(f"Northfield's demo staff or agencies are missing ({', '.join(sorted(missing))}). "
                            "Run seed_demo first.")
        self.chair = self.users[CHAIR]
        self.police = self.users["police.demo"]
        self.people = self._draw_people()

    def run(self):
        panel = services.panel_create(
            actor=self.users[SETS_UP], name=PANEL_NAME, kind=PanelKind.MACE,
            member_agencies=[self.agencies[key] for key in MEMBERS], chairs=[self.chair],
            terms_of_reference=TERMS_OF_REFERENCE)
        self.tally["panel"] += 1
        self._past_meeting(panel)
        self._next_meeting(panel)

    # --- Who and what is on the agendas ---------------------------------------------------------------------------

    def _draw_people(self) -> dict[str, tuple[YoungPerson, Case]]:
        """Young people with an open case the chair can see: some shared with the police, some not.

        The past meeting had three (shared with the police where possible); the next has the first of them again,
        two not shared with the police and one more that is.
        """
        open_cases = Case.objects.filter(owning_agency=self.agencies[LEAD], status=CaseStatus.OPEN,
                                         young_person__la_person_id__startswith=PERSON_ID_PREFIX,
                                         lead_practitioner__is_active=True)
        cases = access.visible(self.chair, open_cases.select_related("young_person", "lead_practitioner")).order_by(
            "young_person__la_person_id", "pk")
        mace = [case for case in cases if set(case.harm_types) & set(MACE_HARMS)
                and case.risk_level in (RiskLevel.HIGH, RiskLevel.MEDIUM)]
        if len(mace) < 6:
            mace = list(cases)
        first_case = {}
        for case in mace:
            first_case.setdefault(case.young_person_id, case)
        seen_by_police = set(access.visible(self.police, YoungPerson.objects.filter(
            pk__in=list(first_case))).values_list("pk", flat=True))
        shared = [case for case in first_case.values() if case.young_person_id in seen_by_police]
        unshared = [case for case in first_case.values() if case.young_person_id not in seen_by_police]
        shared, unshared = self.rng.sample(shared, len(shared)), self.rng.sample(unshared, len(unshared))
        used: set[int] = set()

        def take(count: int, *pools) -> list[Case]:
            chosen = [case for pool in pools for case in pool if case.pk not in used][:count]
            used.update(case.pk for case in chosen)
            return chosen

        drawn = take(3, shared, unshared) + take(2, unshared, shared) + take(1, shared, unshared)
        return {f"person-{slot}": (case.young_person, case) for slot, case in enumerate(drawn)}

    def _subject(self, spec: ItemSpec):
        """The record an item is about (None for a theme), if it is there and the chair can see it."""
        if spec.kind == "person":
            return self.people.get(spec.key, (None, None))[0]
        model = {"place": Place, "group": PeerGroup}.get(spec.kind)
        if model is None:
            return None
        return access.visible(self.chair, model.objects.filter(name=spec.key)).order_by("pk").first()

    def _words(self, spec: ItemSpec) -> dict:
        person, case = self.people.get(spec.key, (None, None))
        if person is None:
            return {}
        rng = random.Random(f"{SEED}:{spec.key}")
        worker = case.lead_practitioner
        return {"name": person.first_name, "worker": worker.get_full_name(), "worker_first": worker.first_name,
                "place": rng.choice(PERSON_PLACES), "town": rng.choice(TOWNS)}

    def _reason(self, spec: ItemSpec, words: dict) -> str:
        if spec.kind != "person" or spec.reason:
            return spec.reason.format(**words)
        case = self.people[spec.key][1]
        harm = next((harm for harm in case.harm_types if harm in PERSON_REASONS), None)
        return PERSON_REASONS.get(harm, OTHER_REASON).format(**words)

    def _presenter(self, spec: ItemSpec) -> User:
        if spec.presenter == "lead":
            return self.people[spec.key][1].lead_practitioner
        return self.users[spec.presenter]

    def _agenda(self, meeting: Meeting, specs: list[ItemSpec]) -> dict[str, tuple[AgendaItem, ItemSpec, dict]]:
        items = {}
        for spec in specs:
            subject = self._subject(spec)
            if subject is None and spec.kind != "theme":
                continue  # not in this borough (a small one), or not something the chair can see
            words = self._words(spec)
            item = services.agenda_item_add(actor=self.chair, meeting=meeting, subject=subject, theme=spec.theme,
                                            reason=self._reason(spec, words), presenter=self._presenter(spec))
            self.tally["agenda items"] += 1
            items[spec.key] = (item, spec, words)
        return items

    def _invite(self, meeting: Meeting, people: list[tuple[User, str, User | None]]):
        done = set()
        for person, status, deputy_for in people:
            if person.pk in done:
                continue
            done.add(person.pk)
            services.attendance_set(actor=self.chair, meeting=meeting, person=person, status=status,
                                    deputy_for=deputy_for)
            self.tally["attendance records"] += 1

    def _meeting_day(self, days: int) -> datetime:
        """``days`` from today, moved off a weekend (back for a past meeting, on for a future one), at 10:00."""
        return _at(_weekday(self.today + timedelta(days=days), forward=days > 0), STARTS_AT)

    # --- The meeting four weeks ago: minutes approved, actions under way ------------------------------------------

    def _past_meeting(self, panel: Panel):
        chair = self.chair
        meeting = services.meeting_schedule(actor=chair, panel=panel, starts_at=self._meeting_day(-PAST_DAYS_AGO),
                                            location=LOCATION, online_link=ONLINE_LINK)
        self.tally["meetings"] += 1
        items = self._agenda(meeting, PAST_ITEMS)
        leads = [self._presenter(spec) for _, spec, _ in items.values() if spec.presenter == "lead"]
        self._invite(meeting, [(chair, PRESENT, None)] + [
            (self.users[username], status, self.users[deputy_for] if deputy_for else None)
            for username, status, deputy_for in PAST_ATTENDANCE] + [(lead, PRESENT, None) for lead in leads])
        for item, spec, words in items.values():
            minute = {name: text.format(**words) for name, text in asdict(spec.minute).items()}
            services.item_minute(actor=chair, item=item, expected_version=item.version, **minute)
            self.tally["minuted"] += 1
        actions = []
        for spec in PAST_ACTIONS:
            if spec.item not in items:
                continue
            item, item_spec, words = items[spec.item]
            self._share_with(item_spec, item.subject, self.agencies[spec.agency])
            owner = self._presenter(item_spec) if spec.owner == "lead" else self.users.get(spec.owner)
            action = services.action_add(actor=chair, item=item, description=spec.description.format(**words),
                                         owner_agency=self.agencies[spec.agency], owner=owner,
                                         due_on=timezone.localdate(meeting.starts_at) + timedelta(days=spec.due_after))
            self.tally["actions"] += 1
            actions.append((action, spec, words))
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting = services.meeting_advance(actor=chair, meeting=meeting, to=MeetingStatus.MINUTES_DRAFTED,
                                           expected_version=meeting.version)
        meeting = services.meeting_advance(actor=chair, meeting=meeting, to=MeetingStatus.MINUTES_APPROVED,
                                           expected_version=meeting.version)
        updates = []
        for action, spec, words in actions:
            reporter = action.owner or self.users[REPORTERS[spec.agency]]
            for status, text in spec.updates:
                update = services.action_report(actor=reporter, action=action, text=text.format(**words),
                                                status=status)
                self.tally["action updates"] += 1
                updates.append((update, action))
            if action.due_on < self.today and all(status != DONE for status, _ in spec.updates):
                self.tally["overdue actions"] += 1
        self._date_the_past_meeting(meeting, [item for item, _, _ in items.values()], updates)
        self._feedback_given(meeting, items)

    def _feedback_given(self, meeting: Meeting, items):
        """Each young person's lead practitioner records that the panel's feedback reached them, days after."""
        day = min(timezone.localdate(meeting.starts_at) + timedelta(days=3), self.today)
        for item, spec, _ in items.values():
            if spec.kind != "person" or not item.feedback:
                continue
            lead = self.people[spec.key][1].lead_practitioner
            item = AgendaItem.objects.get(pk=item.pk)
            services.item_feedback_given(actor=lead, item=item, expected_version=item.version, given_on=day,
                                         how=FEEDBACK_HOW[len(item.feedback) % len(FEEDBACK_HOW)])
            self.tally["feedback given"] += 1

    def _share_with(self, spec: ItemSpec, subject, agency: Agency):
        """Share the record an action is about with the agency that owns the action, if it cannot see it yet.

        The services let an agency own an action about a record not shared with it (and so read the action, which
        names the young person); in practice the lead practitioner shares the case when the panel gives a partner
        work to do, and the demo does the same.
        """
        if subject is None or access.can(access.AgencyReader(agency), subject):
            return
        if spec.kind == "person":
            case = self.people[spec.key][1]
            access.share(actor=case.lead_practitioner, obj=case, agency=agency, level=access.CONTRIBUTE,
                         basis=SHARE_BASIS)
        else:
            access.share(actor=self.users[REPORTERS[LEAD]], obj=subject, agency=agency, level=access.CONTRIBUTE,
                         basis=SHARE_BASIS)
        self.tally["shares"] += 1

    def _date_the_past_meeting(self, meeting: Meeting, items: list[AgendaItem],
                               updates: list[tuple[ActionUpdate, Action]]):
        """Give the past meeting's records the dates they would have had.

        The services date everything now, rightly; so a meeting held four weeks ago would show its minutes approved
        today and every update on its actions made today. A queryset update written here is the only way for the
        demo to show the meeting as it happened: set up three weeks before, its agenda a week before, its actions
        agreed on the day, its minutes approved within a week, and each update on a day between the meeting and
        the action's due date (or yesterday). contexts.demo and assessments.demo do the same for review
        and due dates. The change history still records each update; the access log keeps the real times.
        """
        start = meeting.starts_at
        meeting_day, yesterday = timezone.localdate(start), self.today - timedelta(days=1)
        approved_on = min(_weekday(meeting_day + timedelta(days=4), forward=True), yesterday)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=start - timedelta(days=21),
                                                     minutes_approved_at=_at(approved_on, clock_time(15, 10)))
        AgendaItem.objects.filter(pk__in=[item.pk for item in items]).update(
            created_at=start - timedelta(days=7), updated_at=start + timedelta(hours=2, minutes=40))
        Action.objects.filter(item__in=items).update(created_at=start + timedelta(hours=2, minutes=30))
        for update, action in updates:
            earliest, latest = meeting_day + timedelta(days=2), min(action.due_on, yesterday)
            day = earliest + timedelta(days=self.rng.randint(0, max(0, (latest - earliest).days)))
            written = clock_time(self.rng.randint(9, 16), self.rng.randrange(0, 60, 5))
            ActionUpdate.objects.filter(pk=update.pk).update(
                created_at=_at(max(_weekday(day, forward=False), meeting_day + timedelta(days=1)), written))

    # --- The next meeting, in about ten days: agenda set, people invited, packs not yet asked for -----------------

    def _next_meeting(self, panel: Panel):
        chair = self.chair
        meeting = services.meeting_schedule(actor=chair, panel=panel, starts_at=self._meeting_day(NEXT_IN_DAYS),
                                            location=LOCATION, online_link=ONLINE_LINK)
        self.tally["meetings"] += 1
        items = self._agenda(meeting, NEXT_ITEMS)
        presenters = [self._presenter(spec) for _, spec, _ in items.values()]
        invited = [self.users[username] for username in NEXT_INVITED] + presenters
        self._invite(meeting, [(person, AttendanceStatus.INVITED, None) for person in invited
                               if person.pk != chair.pk])

