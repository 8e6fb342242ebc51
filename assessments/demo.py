"""Northfield's assessments of its places, schools, peer groups and young people, the partners' contributions to
them, and the safety plans for its contexts (and for the story's young person).

Runs after ``contexts.demo`` (``manage.py seed_demo`` runs every app's demo data in dependency order) and writes
through the services as the app does: assessments are started, saved, submitted and decided by people allowed to,
contributions are asked for by the lead authority and answered by the police and the schools, and every write is
checked and audited. The one place that moves a date back in time is said so where it is done.

Reproducible: each assessment and each plan draws from its own generator, seeded from ``SEED`` and its label, so
nothing drawn depends on what this module or anyone else wrote before. Idempotent: an assessment is skipped when
the lead authority already has one on that framework about that subject, and a goal when the subject's plan
already has it (with its interventions), so a second run adds nothing. It all runs in one transaction. What the
assessments and plans say is in ``demo_data/``.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from faker import Faker

from assessments import frameworks, services
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ContributionRequest,
    Framework,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    SafetyPlan,
)
from cases.demo import PERSON_ID_PREFIX, STORY_PERSON_ID
from cases.models import Case, CaseStatus, YoungPerson
from contexts.models import PeerGroup, Place
from safeguarding import access, subjects
from safeguarding.demo import AGENCIES, LEAD, SHARE_BASIS, STAFF, DemoError, Run, load
from safeguarding.models import Agency, User
from safeguarding.roles import Role

SEED = 2028
LEAD_AUTHORITY = AGENCIES[LEAD][0]
DRAFT, SUBMITTED, RETURNED, APPROVED = (AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED,
                                        AssessmentStatus.RETURNED, AssessmentStatus.APPROVED)
# What happens to a contribution request: answered before the assessment moves on, still waiting, or overdue.
ANSWERED, WAITING, OVERDUE = "answered", "waiting", "overdue"
# Who answers for each partner asked to contribute.
RESPONDERS = {"police": "police.demo", "school": "school.demo", "kestrel": "h.nwosu"}
# Who is responsible for an intervention its agency owns, and reports on it if their agency can see the plan.
OWNERS = {LEAD: "sw.demo", "police": "police.demo", "school": "school.demo", "voluntary": "j.morris",
          "transport": "p.hughes"}
STATE_WORDS = {DRAFT: "drafts", SUBMITTED: "submitted", RETURNED: "returned", APPROVED: "approved"}
SUMMARY_PARTS = {"assessments": ("approved", "submitted", "returned", "drafts"),
                 "contribution requests": ("answered", "overdue requests"), "interventions": ("overdue interventions",)}
REASSESSED_AFTER_DAYS = 182  # the first of the two neighbourhood assessments of one place is about six months old


@dataclass(frozen=True)
class AssessmentSpec:
    label: str  # names the assessment's own random generator
    framework: str
    subject: str  # a place's or a peer group's name, or the story's young person's ID (her plan)
    state: str
    asks: tuple[tuple[str, str], ...] = ()  # (agency key, ANSWERED / WAITING / OVERDUE)


# The place assessed twice is one of the places with a safety plan (the one young people are most linked to);
# these are the other neighbourhoods, in the states they take one by one.
NEIGHBOURHOODS = ["Eastgate Park", "Ring road underpass", "Chicken Express, Station Parade", "Beacon estate",
                  "Canal towpath, Tenter Street"]
NEIGHBOURHOOD_STATES = [
    (DRAFT, (("police", ANSWERED), ("school", WAITING))),
    (SUBMITTED, (("police", ANSWERED),)),
    (RETURNED, ()),
    (DRAFT, (("police", OVERDUE),)),
]
ASSESSMENTS = [
    AssessmentSpec("school-npa", "school", "Northfield Park Academy", SUBMITTED,
                   (("school", ANSWERED), ("police", ANSWERED))),
    AssessmentSpec("school-kestrel", "school", "Kestrel Hill School", DRAFT,
                   (("kestrel", WAITING), ("police", OVERDUE))),
    AssessmentSpec("group-eastgate", "peer-group", "Group seen at Eastgate Park", APPROVED,
                   (("police", ANSWERED), ("school", ANSWERED))),
    AssessmentSpec("group-beacon", "peer-group", "Beacon estate group", DRAFT, (("police", OVERDUE),)),
    AssessmentSpec("group-year-10", "peer-group", "Year 10 friendship group, Kestrel Hill School", RETURNED,
                   (("kestrel", ANSWERED),)),
]
SCREENINGS = 8  # young people with an open case, each screened once
SCREENING_STATES = [
    (APPROVED, ()),
    (DRAFT, (("police", WAITING),)),
    (SUBMITTED, ()),
    (APPROVED, (("police", ANSWERED),)),
    (RETURNED, ()),
    (DRAFT, (("police", OVERDUE),)),
    (APPROVED, ()),
    (SUBMITTED, (("police", ANSWERED),)),
]


# --- What the assessments say (fictional; trauma-informed: the harm is done to young people, by others) --------

_ANSWERS = load(__file__, "answers.json")
# Each framework's written answers, by question key; the voice of young people, parents and the community, which
# every framework asks about; and the factors: (kind, description, evidence, source).
TEXTS = _ANSWERS["texts"]
VOICE = _ANSWERS["voice"]
FACTORS = {key: [(row["kind"], row["description"], row["evidence"], row["source"]) for row in rows]
           for key, rows in _ANSWERS["factors"].items()}
YES_IS_SAFER = {"guardian_training", "cctv_coverage", "youth_provision", "has_trusted_adult"}
# Context weighting: what must change first, and why.
PRIORITIES = {key: [(row["priority"], row["reason"]) for row in rows]
              for key, rows in load(__file__, "weighting.json").items()}
_DECISIONS = load(__file__, "decisions.json")
APPROVAL_COMMENTS = _DECISIONS["approval_comments"]
RETURN_COMMENTS = _DECISIONS["return_comments"]
# What the lead authority asks each partner, and what the partner answers (the two schools alike).
_CONTRIBUTIONS = load(__file__, "contributions.json")
QUESTIONS = _CONTRIBUTIONS["questions"]
QUESTIONS["kestrel"] = QUESTIONS["school"]
RESPONSES = _CONTRIBUTIONS["responses"]
RESPONSES["kestrel"] = RESPONSES["school"]


# --- Safety plans ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InterventionSpec:
    what: str
    agency: str  # a key of safeguarding.demo's AGENCIES
    due_in_days: int
    updates: tuple[tuple[str, str], ...] = ()  # (status, what happened), reported in order
    overdue: bool = False  # shown past its due date


@dataclass(frozen=True)
class GoalSpec:
    statement: str
    met_when: str
    measured_by: str
    interventions: tuple[InterventionSpec, ...]
    status: str = GoalStatus.NOT_MET


@dataclass(frozen=True)
class PlanSpec:
    subject: str  # a place's or a peer group's name, or the story's young person's ID (her plan)
    goals: tuple[GoalSpec, ...]
    # If this place is the one assessed twice: what its second assessment says has changed.
    changed: dict


def _plan(row: dict) -> PlanSpec:
    goals = tuple(
        GoalSpec(goal["statement"], goal["met_when"], goal["measured_by"], tuple(
            InterventionSpec(item["what"], item["agency"], item["due_in_days"],
                             tuple((InterventionStatus(status), text) for status, text in item.get("updates", ())),
                             item.get("overdue", False))
            for item in goal["interventions"]), GoalStatus(goal.get("status", GoalStatus.NOT_MET)))
        for goal in row["goals"])
    return PlanSpec(row["subject"], goals, row["changed"])


PLANS = [_plan(row) for row in load(__file__, "plans.json")]


def seed(run: Run):
    """Assessments in every state, requests to partners, and safety plans for the contexts."""
    lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
    if not lead or not Place.objects.filter(owning_agency=lead).exists():
        raise DemoError(f"There is no Northfield demo data ({LEAD_AUTHORITY}, its young people and places) "
                        "to assess. Run seed_demo first.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        Seeder(lead, tally).run()
    run.report(tally, time.monotonic() - started, added="Added Northfield's assessments and safety plans",
               nothing="Northfield's assessments and safety plans are already present: nothing to add.",
               made=_summary(tally))


def _summary(tally: Counter) -> str:
    """What was added, with how far the assessments got and what is overdue in brackets."""
    parts = []
    for what in ("assessments", "contribution requests", "safety plans", "goals", "interventions",
                 "intervention updates"):
        if tally[what]:
            detail = ", ".join(f"{tally[part]} {part.split()[0]}" for part in SUMMARY_PARTS.get(what, ())
                               if tally[part])
            parts.append(f"{tally[what]} {what}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def _draw(rng: random.Random, level: float, spread: float) -> float:
    """How safe one answer says things are, from 0 (serious concern) to 1, within ``spread`` of ``level``."""
    return min(1.0, max(0.0, level + rng.uniform(-spread, spread)))


class Seeder:
    """Each assessment and plan draws from its own seeded generator; then what is missing is written."""

    def __init__(self, lead: Agency, tally: Counter):
        self.lead, self.tally = lead, tally
        self.today, self.now = timezone.localdate(), timezone.now()
        self.fake = Faker("en_GB")
        by_name = {agency.name: agency for agency in Agency.objects.filter(name__in=[n for n, _ in AGENCIES.values()])}
        self.agencies = {key: by_name[name] for key, (name, _) in AGENCIES.items() if name in by_name}
        self.users = User.objects.select_related("agency").filter(is_active=True).in_bulk(
            [s.username for s in STAFF], field_name="username")
        needed = {"sw.demo", "tm.demo", *RESPONDERS.values(), *OWNERS.values()}
        missing = needed - set(self.users)
        if missing or {*RESPONDERS, *OWNERS} - set(self.agencies):
            raise DemoError(f"Northfield's demo staff or agencies are missing ({', '.join(sorted(missing))}). "
                            "Run seed_demo first.")
        self.sw, self.tm = self.users["sw.demo"], self.users["tm.demo"]
        # Assessments are written by the lead authority's social workers (sw.demo most often), approved by tm.demo.
        self.authors = [self.users[s.username] for s in STAFF
                        if s.agency == LEAD and s.role == Role.SOCIAL_WORKER and s.username in self.users]
        self.frameworks = {f.key: f for f in Framework.objects.filter(is_active=True)}
        self.places = {p.name: p for p in Place.objects.filter(owning_agency=lead)}
        self.groups = {g.name: g for g in PeerGroup.objects.filter(owning_agency=lead)}
        self.overdue_requests: list[int] = []
        self.overdue_interventions: list[int] = []

    def run(self):
        reassessed = self._reassessment()
        others = [name for name in NEIGHBOURHOODS if name != reassessed]
        for name, (state, asks) in zip(others, NEIGHBOURHOOD_STATES, strict=False):
            self._assess(AssessmentSpec(f"neighbourhood-{name}", "neighbourhood", name, state, asks))
        for spec in ASSESSMENTS:
            self._assess(spec)
        self._screenings()
        for spec in PLANS:
            self._plan(spec)
        self._make_some_overdue()

    # --- Assessments ------------------------------------------------------------------------------------------

    def _subject(self, name: str):
        """A place or a peer group by its name; the story's young person by her person ID (``STORY_PERSON_ID``)."""
        if name == STORY_PERSON_ID:
            return YoungPerson.objects.filter(la_person_id=STORY_PERSON_ID, owning_agency=self.lead).first()
        return self.places.get(name) or self.groups.get(name)

    def _exists(self, framework: Framework, subject) -> bool:
        return Assessment.objects.filter(owning_agency=self.lead, framework_version__framework=framework,
                                         **subjects.fields(subject)).exists()

    def _assess(self, spec: AssessmentSpec, *, subject=None, author=None, level=None, spread=0.35, words=None,
                changed=None, check=True) -> Assessment | None:
        """Write one assessment, as far as ``spec.state``, unless the lead already has one of its subject."""
        rng = random.Random(f"{SEED}:{spec.label}")
        self.fake.seed_instance(f"{SEED}:{spec.label}")
        framework = self.frameworks.get(spec.framework)
        subject = subject or self._subject(spec.subject)
        if framework is None or subject is None:
            return None
        words = {"resident": f"{self.fake.first_name()} {self.fake.last_name()}", **(words or {})}
        level = rng.uniform(0.15, 0.65) if level is None else level
        author = author or rng.choices(self.authors, weights=[4 if u == self.sw else 1 for u in self.authors])[0]
        definition = services.current_version(framework).definition
        answers = self._answers(rng, spec.framework, definition, (level, spread), spec.state != DRAFT, words,
                               changed or {})
        priority, reason = (text.format(**words) for text in rng.choice(PRIORITIES[spec.framework]))
        weighting = {"priority": priority, "priority_reason": reason} if spec.state != DRAFT or rng.random() < 0.5 \
            else {}
        asks = [(key, outcome, rng.choice(QUESTIONS[key]), rng.choice(RESPONSES[key]), rng.randint(7, 21))
                for key, outcome in spec.asks]
        comments = rng.choice(APPROVAL_COMMENTS if spec.state == APPROVED else RETURN_COMMENTS)
        if check and self._exists(framework, subject):
            return None

        assessment = services.assessment_start(actor=author, subject=subject, framework=framework)
        assessment = services.assessment_save(actor=author, assessment=assessment,
                                              expected_version=assessment.version, answers=answers, **weighting)
        self.tally["assessments"] += 1
        for key, outcome, question, response, due_in in asks:
            asked = services.contribution_request(actor=author, assessment=assessment, agency=self.agencies[key],
                                                  question=question, due_on=self.today + timedelta(days=due_in),
                                                      basis=SHARE_BASIS)
            self.tally["contribution requests"] += 1
            if outcome == ANSWERED:
                services.contribution_answer(actor=self.users[RESPONDERS[key]], contribution=asked,
                                             expected_version=asked.version, response=response, basis=SHARE_BASIS)
                self.tally["answered"] += 1
            elif outcome == OVERDUE:
                self.overdue_requests.append(asked.pk)
        self.tally[STATE_WORDS[spec.state]] += 1
        if spec.state == DRAFT:
            return assessment
        # Requests still waiting (the overdue ones) are gone on without, as the author and manager confirm on the
        # page: an answer that comes later is an addendum.
        assessment = services.assessment_submit(actor=author, assessment=assessment,
                                                expected_version=assessment.version, pending_confirmed=True)
        if spec.state != SUBMITTED:
            assessment = services.assessment_decide(actor=self.tm, assessment=assessment,
                                                    expected_version=assessment.version,
                                                    approve=spec.state == APPROVED, comments=comments,
                                                    pending_confirmed=True)
        return assessment

    def _answers(self, rng: random.Random, key: str, definition: dict, level: tuple[float, float], complete: bool,
                 words: dict, changed: dict) -> dict:
        """Every required answer (and most others) for a complete assessment; a draft's first sections."""
        sections = frameworks.sections(definition)
        written = len(sections) if complete else rng.randint(1, len(sections) - 2)
        answers = {}
        for index, section in enumerate(sections):
            for question in section.questions:
                answer = self._answer(rng, key, question, level, words, changed)
                skip = (not question.required and rng.random() < 0.3) or index > written or (
                    index == written and rng.random() < 0.5)
                if not skip:
                    answers[question.key] = answer
        return answers

    def _answer(self, rng: random.Random, key: str, question: frameworks.Question, level: tuple[float, float],
                words: dict, changed: dict):
        if question.type == "text":
            options = changed.get(question.key) or TEXTS[key].get(question.key) or VOICE[question.key]
            return rng.choice(options).format(**words)
        if question.type == "rag":
            safety = _draw(rng, *level)
            return "red" if safety < 0.3 else "amber" if safety < 0.7 else "green"
        if question.type == "scale":
            low, high = question.scale[:2]
            return low + round(_draw(rng, *level) * (high - low))
        if question.type == "yes_no":
            safer = rng.random() < level[0]
            return "yes" if safer == (question.key in YES_IS_SAFER) else "no"
        if question.type == "choice":
            return rng.choice(question.choices)
        rows = rng.sample(FACTORS[key], rng.randint(1, 2))
        return [{"kind": kind, "description": description.format(**words), "evidence": evidence.format(**words),
                 "source": source} for kind, description, evidence, source in rows]

    def _reassessment(self) -> str | None:
        """One place assessed twice, six months apart, so that the change can be measured.

        The place with a plan that young people are most linked to. Its first assessment (mostly red and amber,
        low scales) is approved and then moved back six months; the second, now, shows what the plan changed.
        """
        planned = [spec.subject for spec in PLANS if spec.subject in self.places]
        if not planned or "neighbourhood" not in self.frameworks:
            return None
        links = dict(Place.objects.filter(name__in=planned, owning_agency=self.lead).annotate(
            n=Count("links", filter=Q(links__ended_on__isnull=True))).values_list("name", "n"))
        name = max(planned, key=lambda place: (links.get(place, 0), -planned.index(place)))
        place = self.places[name]
        if self._exists(self.frameworks["neighbourhood"], place):
            return name
        changed = next(spec.changed for spec in PLANS if spec.subject == name)
        before = self._assess(AssessmentSpec("reassessment-before", "neighbourhood", name, APPROVED),
                              author=self.sw, level=0.3, spread=0.15, check=False)
        # The services date everything now; moving the first assessment back six months is the only way for the
        # demo to show change over time. The change history keeps the update.
        created = self.now - timedelta(days=REASSESSED_AFTER_DAYS + 14)
        submitted = self.now - timedelta(days=REASSESSED_AFTER_DAYS + 2)
        decided = self.now - timedelta(days=REASSESSED_AFTER_DAYS)
        Assessment.objects.filter(pk=before.pk).update(created_at=created, updated_at=submitted,
                                                       submitted_at=submitted, decided_at=decided)
        self._assess(AssessmentSpec("reassessment-after", "neighbourhood", name, APPROVED, (("police", ANSWERED),)),
                     author=self.sw, level=0.85, spread=0.15, changed=changed, check=False)
        return name

    def _screenings(self):
        """Individual screenings of young people with an open case, each by their case's lead practitioner."""
        framework = self.frameworks.get("individual-screening")
        if framework is None:
            return
        cases = (Case.objects.filter(owning_agency=self.lead, status=CaseStatus.OPEN,
                                     young_person__la_person_id__startswith=PERSON_ID_PREFIX)
                 .select_related("young_person", "lead_practitioner").order_by("young_person__la_person_id", "pk"))
        leads = {}
        for case in cases:
            leads.setdefault(case.young_person, case.lead_practitioner)
        people = list(leads)
        rng = random.Random(f"{SEED}:screenings")
        chosen = sorted(rng.sample(people, min(SCREENINGS, len(people))), key=lambda p: p.la_person_id)
        for person, (state, asks) in zip(chosen, SCREENING_STATES, strict=False):
            author = leads[person] if leads[person] in self.authors else self.sw
            self._assess(AssessmentSpec(f"screening-{person.la_person_id}", "individual-screening", "", state, asks),
                         subject=person, author=author, words={"name": person.first_name})

    # --- Safety plans -----------------------------------------------------------------------------------------

    def _plan(self, spec: PlanSpec):
        subject = self._subject(spec.subject)
        if subject is None:
            return
        field = subjects.of(subject).key
        for goal_spec in spec.goals:
            if Goal.objects.filter(**{f"plan__{field}": subject}, statement=goal_spec.statement).exists():
                continue  # there with its interventions
            new_plan = not SafetyPlan.objects.filter(**{field: subject}).exists()
            goal = services.goal_add(actor=self.sw, subject=subject, statement=goal_spec.statement,
                                     met_when=goal_spec.met_when, measured_by=goal_spec.measured_by,
                                     status=goal_spec.status)
            if new_plan:
                self.tally["safety plans"] += 1
            self.tally["goals"] += 1
            for item in goal_spec.interventions:
                self._intervention(goal, item)

    def _intervention(self, goal: Goal, spec: InterventionSpec):
        owner = self.users[OWNERS[spec.agency]]
        intervention = services.intervention_add(actor=self.sw, goal=goal, what=spec.what,
                                                 owner_agency=self.agencies[spec.agency], owner=owner,
                                                 due_on=self.today + timedelta(days=spec.due_in_days))
        self.tally["interventions"] += 1
        # The owner reports on it if their agency can see the plan; otherwise the social worker passes it on.
        reporter = owner if access.can(owner, intervention) else self.sw
        for status, text in spec.updates:
            services.intervention_report(actor=reporter, intervention=intervention, text=text, status=status)
            self.tally["intervention updates"] += 1
        if spec.overdue:
            self.overdue_interventions.append(intervention.pk)

    def _make_some_overdue(self):
        """Put a few contribution requests and one intervention past their dates.

        The services rightly refuse a date in the past, so a queryset update written here is the only way to give
        the demo's lists something overdue (contexts.demo does the same for links past their review date).
        An overdue request was asked for three weeks ago, so its assessment is moved back with it. The change
        history still records each update.
        """
        asked = self.now - timedelta(days=21)
        for n, pk in enumerate(self.overdue_requests):
            request = ContributionRequest.objects.get(pk=pk)
            ContributionRequest.objects.filter(pk=pk).update(due_on=self.today - timedelta(days=3 + 2 * n),
                                                             created_at=asked)
            Assessment.objects.filter(pk=request.assessment_id, created_at__gt=asked).update(
                created_at=asked - timedelta(days=2))
            self.tally["overdue requests"] += 1
        for pk in self.overdue_interventions:
            Intervention.objects.filter(pk=pk).update(due_on=self.today - timedelta(days=9))
            self.tally["overdue interventions"] += 1
