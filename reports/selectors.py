"""The dashboard's figures and the lists behind them, all through the access door for the reader's agency.

A reader who may open records (a team manager, a panel chair) is counted as themselves, so a figure and its drill-down
list are the same rows through the same door. An analyst, whose role opens no record, is counted as their agency
(``access.AgencyReader``): the same grants, never a record page. Small numbers are suppressed for whoever may not see
names (``suppress``).

Each figure is a filter (``Filter``: a list and its query-string parameters) applied to what the reader can see; the
dashboard counts every filter of a list in one aggregate query (conditional counts), and the drill-down applies the
same filter to the same door. A bounded number of queries whatever the number of rows (tests/reports).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, ContributionRequest, RequestStatus
from cases.models import (
    ETHNICITY_CHOICES,
    RHI_OFFER_WITHIN,
    Case,
    CaseStatus,
    HarmType,
    MissingEpisode,
    RhiOutcome,
    RiskLevel,
    Sex,
)
from contexts.models import Association, ContextStatus, Membership, PeerGroup, Place, PlaceKind, PlaceLink
from panels.models import Action, ActionStatus, ActionUpdate
from safeguarding import access
from safeguarding.roles import Perm

from . import returns

ETHNICITIES = [(code, label) for _group, options in ETHNICITY_CHOICES for code, label in options]
# (key, label, youngest, oldest) in whole years on the day the figures are read.
AGE_BANDS = [("10-13", "10 to 13", 10, 13), ("14-15", "14 to 15", 14, 15), ("16-17", "16 to 17", 16, 17),
             ("18-25", "18 to 25", 18, 25)]


def reader_for(user):
    """Whom the door is asked for: the person if their role opens records, else their agency as a whole."""
    return user if user.has_perm(Perm.VIEW_RECORDS) else access.AgencyReader(user.agency)


def names_allowed(user) -> bool:
    from .policies import can_see_names

    return bool(can_see_names(user))


# --- The period ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @classmethod
    def this_quarter(cls, today: date | None = None):
        today = today or timezone.localdate()
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return cls(start, today, "This quarter")

    @classmethod
    def last_12_months(cls, today: date | None = None):
        today = today or timezone.localdate()
        start = today.replace(year=today.year - 1) + timedelta(days=1) if not (today.month == 2 and today.day == 29) \
            else date(today.year - 1, 3, 1)
        return cls(start, today, "Last 12 months")

    @classmethod
    def census_year(cls, today: date | None = None):
        """From the 1 April on or before today: the Children in Need census's year, so far."""
        today = today or timezone.localdate()
        return cls(date(today.year if today.month > 3 else today.year - 1, 4, 1), today, "This census year")

    def params(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def period_from_params(params) -> Period:
    """The period a drill-down or export names in ``from``/``to`` (ISO dates); this quarter if they are missing."""
    try:
        start, end = date.fromisoformat(params.get("from", "")), date.fromisoformat(params.get("to", ""))
    except ValueError:
        return Period.this_quarter()
    if start > end:
        start, end = end, start
    return Period(start, end, f"{start:%-d %b %Y} to {end:%-d %b %Y}")


# --- Filters: one per figure, shared by the count and the list -------------------------------------------------

def _age_q(band: str, today: date, prefix="young_person__") -> Q:
    for key, _label, youngest, oldest in AGE_BANDS:
        if key == band:
            born_after = _years_before(today, oldest + 1)  # still under oldest + 1
            born_by = _years_before(today, youngest)
            return Q(**{f"{prefix}date_of_birth__gt": born_after, f"{prefix}date_of_birth__lte": born_by})
    return Q(pk__in=[])


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def case_q(params: dict, period: Period, today: date) -> Q:
    q = Q()
    if params.get("status") == "open":
        q &= Q(status=CaseStatus.OPEN)
    if harm := params.get("harm"):
        q &= Q(harm_types__contains=[harm])
    if risk := params.get("risk"):
        q &= Q(risk_level=risk)
    if sex := params.get("sex"):
        q &= Q(young_person__sex=sex)
    if ethnicity := params.get("ethnicity"):
        q &= Q(young_person__ethnicity=ethnicity)
    if band := params.get("band"):
        q &= _age_q(band, today)
    if params.get("opened") == "period":
        q &= Q(opened_on__range=(period.start, period.end))
    if params.get("closed") == "period":
        q &= Q(closed_on__range=(period.start, period.end))
    if params.get("review") == "overdue":
        q &= Case.past_review(today)
    if lead := params.get("lead"):
        q &= Q(lead_practitioner_id=None if lead == "none" else _int(lead))
    if team := params.get("team"):
        q &= Q(lead_practitioner__team_id=None) if team == "none" else Q(lead_practitioner__team_id=_int(team))
    return q


def context_q(params: dict, period: Period, today: date) -> Q:
    q = Q()
    for field in ("kind", "status", "ward"):
        if field in params:
            q &= Q(**{field: params[field]})
    return q


def link_q(params: dict, period: Period, today: date) -> Q:
    return Q(ended_on__isnull=True, review_by__lt=today)


def assessment_q(params: dict, period: Period, today: date) -> Q:
    return Q(status=params["status"]) if params.get("status") else Q()


def request_q(params: dict, period: Period, today: date) -> Q:
    q = Q(status=RequestStatus.REQUESTED, due_on__lt=today)
    if agency := params.get("agency"):
        q &= Q(agency_id=_int(agency))
    return q


def action_q(params: dict, period: Period, today: date) -> Q:
    q = Q()
    state = params.get("state")
    if state == "open":
        q &= Q(status__in=Action.OUTSTANDING)
    elif state == "overdue":
        q &= Q(status__in=Action.OUTSTANDING, due_on__lt=today)
    elif state == "done":
        q &= Q(status=ActionStatus.DONE, done_on__range=(period.start, period.end))
    if agency := params.get("agency"):
        q &= Q(owner_agency_id=_int(agency))
    return q


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _actions():
    done = ActionUpdate.objects.filter(action=OuterRef("pk"), status=ActionStatus.DONE).order_by("created_at")
    return Action.objects.annotate(done_at=Subquery(done.values("created_at")[:1])).annotate(
        done_on=TruncDate("done_at"))


@dataclass(frozen=True)
class ListKind:
    title: str
    queryset: callable  # () -> the unfiltered queryset of the list's model
    q: callable  # (params, period, today) -> Q
    columns: list  # (heading, function of a row) for pages and exports
    select: tuple = ()
    annotate: callable = None  # (period) -> annotations the columns read


def _name(person):
    return person.get_full_name() if person else "No lead practitioner"


LISTS: dict[str, ListKind] = {
    "cases": ListKind("Cases", lambda: Case.objects.all(), case_q, [
        ("Reference", lambda c: c.reference), ("Young person", lambda c: c.young_person.full_name),
        ("Status", lambda c: c.get_status_display()), ("Opened", lambda c: c.opened_on),
        ("Closed", lambda c: c.closed_on or ""), ("Risk", lambda c: c.get_risk_level_display()),
        ("Harm", lambda c: "; ".join(c.harm_type_labels())),
        ("Lead practitioner", lambda c: _name(c.lead_practitioner)),
        ("Next review", lambda c: c.next_review_on or "")], ("young_person", "lead_practitioner")),
    "places": ListKind("Places", lambda: Place.objects.all(), context_q, [
        ("Name", lambda p: p.name), ("Kind", lambda p: p.get_kind_display()),
        ("Status", lambda p: p.get_status_display()),
        ("Ward", lambda p: p.ward)]),
    "peer-groups": ListKind("Peer groups", lambda: PeerGroup.objects.all(), context_q, [
        ("Name", lambda g: g.name), ("Status", lambda g: g.get_status_display())]),
    "place-links": ListKind(
        "Links of young people and groups to places past review", lambda: PlaceLink.objects.all(), link_q,
        [("Place", lambda link: link.place.name), ("Review by", lambda link: link.review_by),
         ("Source", lambda link: link.source_agency.name)], ("place", "source_agency")),
    "memberships": ListKind("Peer group memberships past review", lambda: Membership.objects.all(), link_q, [
        ("Peer group", lambda m: m.peer_group.name), ("Young person", lambda m: m.young_person.full_name),
        ("Review by", lambda m: m.review_by), ("Source", lambda m: m.source_agency.name)],
        ("peer_group", "young_person", "source_agency")),
    "associations": ListKind("Associations between young people past review", lambda: Association.objects.all(),
                             link_q, [("Young person", lambda a: a.person.full_name),
                                      ("Associated with", lambda a: a.other.full_name),
                                      ("Review by", lambda a: a.review_by), ("Source", lambda a: a.source_agency.name)],
                             ("person", "other", "source_agency")),
    "assessments": ListKind("Assessments", lambda: Assessment.objects.all(), assessment_q, [
        ("Reference", lambda a: a.audit_label), ("Framework", lambda a: a.framework_version.framework.name),
        ("Status", lambda a: a.get_status_display()), ("Agency", lambda a: a.owning_agency.name),
        ("Started", lambda a: a.created_at.date())], ("framework_version__framework", "owning_agency")),
    "requests": ListKind("Contribution requests overdue", lambda: ContributionRequest.objects.all(), request_q, [
        ("Reference", lambda r: r.audit_label), ("Agency asked", lambda r: r.agency.name),
        ("Respond by", lambda r: r.due_on), ("Assessment", lambda r: r.assessment.audit_label)], ("agency",)),
    "cin-factors": ListKind("Children in need census: factors identified (extract)", lambda: Case.objects.all(),
                            lambda params, period, today: returns.open_in(period.start, period.end), returns.COLUMNS,
                            ("young_person",), lambda period: returns.recorded_annotations(period.start, period.end)),
    "annex-a-missing": ListKind("Ofsted Annex A: children who go missing (episodes open in the period)",
                                lambda: MissingEpisode.objects.all(),
                                lambda params, period, today: returns.episodes_in(period.start, period.end),
                                returns.ANNEX_A_COLUMNS, ("case__young_person", "return_interview")),
    "actions": ListKind("Panel actions", _actions, action_q, [
        ("Reference", lambda a: a.audit_label), ("Action", lambda a: a.description),
        ("Agency", lambda a: a.owner_agency.name), ("Due by", lambda a: a.due_on),
        ("Status", lambda a: a.get_status_display()), ("Done on", lambda a: a.done_on or "")], ("owner_agency",)),
}


# Each dashboard table's title: the page's captions and the export's sheet headings.
TABLE_TITLES = {
    "totals": "Cases", "harm": "Open cases by harm type", "risk": "Open cases by risk level",
    "age": "Open cases by age band", "sex": "Open cases by sex", "ethnicity": "Open cases by ethnicity",
    "caseload": "Open cases by lead practitioner", "team": "Open cases by team",
    "place_kind": "Places by kind", "place_status": "Places by status", "place_ward": "Places by ward",
    "group_status": "Peer groups by status", "links": "Links past their review date",
    "assessments": "Assessments by state", "requests": "Contribution requests overdue, by agency asked",
    "actions": "Panel actions by agency",
}


@dataclass
class Figure:
    label: str
    count: int
    list: str
    params: dict
    shown: int | str | None = None  # the count, or why it is not shown (``protect``)
    url: str = ""

    def link_params(self, period: Period) -> dict:
        return {"list": self.list, **self.params, **period.params()}


def suppress(count: int, hide: bool) -> str | int:
    threshold = settings.REPORTS_SUPPRESS_BELOW
    if hide and 0 < count < threshold:
        return f"fewer than {threshold}"
    return count


# The dashboard's tables whose rows split one total between them: every open case has one risk level, one sex, one
# lead practitioner; every place one kind, one status, one ward. From such a table and its total (published, or the
# sum of the same total split another way) one hidden cell could be worked out by subtraction.
PARTITIONS = ("risk", "age", "sex", "ethnicity", "caseload", "team", "place_kind", "place_status", "place_ward",
              "group_status", "assessments", "goals", "actions_completed")
SECONDARY = "suppressed"


def protect(tables: dict, hide: bool) -> None:
    """Set each dashboard figure's ``shown`` value for a person who may (``hide`` False) or may not see names.

    Primary suppression: a count from 1 to the threshold − 1 is shown as "fewer than N". Secondary (complementary)
    suppression: in a table that splits a total (``PARTITIONS``), a lone hidden cell would be the total less the
    others, so the smallest other non-zero cell is hidden too, shown as "suppressed"; two hidden cells give away
    only their sum, which says no more than that each is small. Zeros are shown: that nobody is counted identifies
    nobody.
    """
    for name, rows in tables.items():
        figures = [f for row in rows for f in (row.figures if isinstance(row, ActionRow) else (row,))]
        for figure in figures:
            figure.shown = suppress(figure.count, hide)
        if not hide or name not in PARTITIONS:
            continue
        hidden = [f for f in figures if f.shown != f.count]
        others = sorted((f for f in figures if f.shown == f.count and f.count), key=lambda f: f.count)
        if len(hidden) == 1 and others:
            others[0].shown = SECONDARY


# --- The dashboard ---------------------------------------------------------------------------------------------

class Percentile(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _counted(reader, model_qs, q_fn, specs, period, today) -> list[Figure]:
    """Every spec (label, list, params) counted over what ``reader`` can see, in one aggregate query."""
    counts = access.visible(reader, model_qs).aggregate(**{
        f"f{i}": Count("pk", filter=q_fn(params, period, today)) for i, (_label, _list, params) in enumerate(specs)})
    return [Figure(label, counts[f"f{i}"], name, params) for i, (label, name, params) in enumerate(specs)]


def dashboard(user, period: Period) -> dict:
    """Every table of the dashboard: a dict of titled tables, each a list of rows of ``Figure``s."""
    reader, today = reader_for(user), timezone.localdate()
    open_ = {"status": "open"}
    case_specs = {
        "totals": [("Open cases now", "cases", open_),
                   ("Opened in the period", "cases", {"opened": "period"}),
                   ("Closed in the period", "cases", {"closed": "period"}),
                   ("Open cases with a review overdue", "cases", {"review": "overdue"})],
        "harm": [(label, "cases", {**open_, "harm": key}) for key, label in HarmType.choices],
        "risk": [(label, "cases", {**open_, "risk": key}) for key, label in RiskLevel.choices],
        "age": [(label, "cases", {**open_, "band": key}) for key, label, _y, _o in AGE_BANDS],
        "sex": [(label, "cases", {**open_, "sex": key}) for key, label in Sex.choices],
        "ethnicity": [(label, "cases", {**open_, "ethnicity": key}) for key, label in ETHNICITIES],
    }
    flat = [spec for specs in case_specs.values() for spec in specs]
    figures = iter(_counted(reader, Case.objects.all(), case_q, flat, period, today))  # 1 query
    tables = {name: [next(figures) for _ in specs] for name, specs in case_specs.items()}

    caseload = list(access.visible(reader, Case.objects.filter(status=CaseStatus.OPEN))  # 1 query
                    .values("lead_practitioner_id", "lead_practitioner__first_name", "lead_practitioner__last_name",
                            "lead_practitioner__team_id", "lead_practitioner__team__name")
                    .annotate(n=Count("pk")).order_by("-n", "lead_practitioner__last_name"))
    tables["caseload"] = [
        Figure(f"{row['lead_practitioner__first_name']} {row['lead_practitioner__last_name']}"
               if row["lead_practitioner_id"] else "No lead practitioner", row["n"], "cases",
               {**open_, "lead": row["lead_practitioner_id"] or "none"}) for row in caseload]
    teams: dict = {}
    for row in caseload:  # the same rows, by the lead practitioner's team
        key = (row["lead_practitioner__team__name"] or "", row["lead_practitioner__team_id"] or "none")
        teams[key] = teams.get(key, 0) + row["n"]
    tables["team"] = [Figure(name or "No team", n, "cases", {**open_, "team": team})
                      for (name, team), n in sorted(teams.items(), key=lambda item: (-item[1], item[0][0]))]

    places = list(access.visible(reader, Place.objects.all()).values("kind", "status", "ward")  # 1 query
                  .annotate(n=Count("pk")))
    kinds = dict(PlaceKind.choices)
    statuses = dict(ContextStatus.choices)
    tables["place_kind"] = _grouped(places, "kind", kinds, "places")
    tables["place_status"] = _grouped(places, "status", statuses, "places")
    tables["place_ward"] = _grouped(places, "ward", {}, "places")
    groups = list(access.visible(reader, PeerGroup.objects.all()).values("status").annotate(n=Count("pk")))  # 1
    tables["group_status"] = _grouped(groups, "status", statuses, "peer-groups")

    tables["links"] = [  # 3 queries
        Figure(label, access.visible(reader, model.objects.filter(link_q({}, period, today))).count(), name, {})
        for label, model, name in (("Links to places", PlaceLink, "place-links"),
                                   ("Peer group memberships", Membership, "memberships"),
                                   ("Associations between young people", Association, "associations"))]

    states = dict(access.visible(reader, Assessment.objects.all()).values_list("status")  # 1 query
                  .annotate(n=Count("pk")).values_list("status", "n"))
    tables["assessments"] = [Figure(label, states.get(key, 0), "assessments", {"status": key})
                             for key, label in AssessmentStatus.choices]

    overdue = (access.visible(reader, ContributionRequest.objects.filter(request_q({}, period, today)))  # 1 query
               .values("agency_id", "agency__name").annotate(n=Count("pk")).order_by("agency__name"))
    tables["requests"] = [Figure(row["agency__name"], row["n"], "requests", {"agency": row["agency_id"]})
                          for row in overdue]

    tables["actions"] = _actions_by_agency(reader, period, today)  # 1 query
    return tables


def _grouped(rows, field, labels, list_name) -> list[Figure]:
    totals: dict = {}
    for row in rows:
        totals[row[field]] = totals.get(row[field], 0) + row["n"]
    order = list(labels) or sorted(totals)
    return [Figure(labels.get(key, key) or "No ward recorded", totals.get(key, 0), list_name, {field: key})
            for key in order if labels or totals.get(key)]


@dataclass
class ActionRow:
    agency: str
    open: Figure
    overdue: Figure
    done: Figure
    median_days: float | None

    @property
    def figures(self) -> list[Figure]:
        return [self.open, self.overdue, self.done]


def _actions_by_agency(reader, period, today) -> list[ActionRow]:
    rows = (access.visible(reader, _actions()).values("owner_agency_id", "owner_agency__name").annotate(
        open=Count("pk", filter=action_q({"state": "open"}, period, today)),
        overdue=Count("pk", filter=action_q({"state": "overdue"}, period, today)),
        done=Count("pk", filter=action_q({"state": "done"}, period, today)),
        median=Percentile(Func(F("done_at") - F("created_at"), template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0",
                               output_field=FloatField()), filter=action_q({"state": "done"}, period, today)),
    ).order_by("owner_agency__name"))
    result = []
    for row in rows:
        agency = {"agency": row["owner_agency_id"]}
        result.append(ActionRow(
            row["owner_agency__name"],
            Figure("Open", row["open"], "actions", {**agency, "state": "open"}),
            Figure("Overdue", row["overdue"], "actions", {**agency, "state": "overdue"}),
            Figure("Done in the period", row["done"], "actions", {**agency, "state": "done"}),
            None if row["median"] is None else round(row["median"], 1)))
    return result


# --- Drill-down lists ------------------------------------------------------------------------------------------

LIST_PARAMS = ("status", "harm", "risk", "sex", "ethnicity", "band", "opened", "closed", "review", "lead", "team",
               "kind", "ward", "agency", "state")


def list_params(query) -> dict:
    return {key: query[key] for key in LIST_PARAMS if key in query}


def drilldown(user, name: str, params: dict, period: Period):
    """The records a figure counts, through the door as the person (who must be allowed names), newest first."""
    kind = LISTS[name]
    rows = kind.queryset().filter(kind.q(params, period, timezone.localdate()))
    if kind.select:
        rows = rows.select_related(*kind.select)
    if kind.annotate:
        rows = rows.annotate(**kind.annotate(period))
    return access.visible(user, rows).order_by("-pk")


# --- Disproportionality ----------------------------------------------------------------------------------------

# (key, label, what it counts): each a yes/no per young person, over what the reader can see.
WELFARE = "welfare"
ENFORCEMENT = "enforcement"
MEASURES = [
    (WELFARE, "Any welfare response", "any of the four welfare measures below"),
    ("trusted", "Trusted adult recorded", "at least one trusted adult recorded for the young person"),
    ("nrm", "NRM referral", "an NRM referral recorded on one of their cases (or, written before referrals were "
                            "recorded as data, a chronology entry of that kind)"),
    ("rhi", "Return home interview", "a return home interview offered and accepted on one of their cases (or, written "
                                     "before interviews were recorded as data, a chronology entry of that kind)"),
    ("assessed", "Assessment of the young person", "an assessment of the young person, in any state (the nearest "
                                                   "recorded step to a safety plan: safety plans are recorded for "
                                                   "places and peer groups only)"),
    (ENFORCEMENT, "Any enforcement response", "either of the two enforcement measures below"),
    ("arrest", "Arrest", "a chronology entry of the kind “Arrest” on one of their cases"),
    ("police_action", "Police panel action", "a panel action owned by a police agency on an agenda item about the "
                                             "young person"),
]
MEASURE_KEYS = [key for key, _label, _what in MEASURES]
# The periods the page offers: all the records (the default: the rates need numbers), or responses in a period.
PERIODS = {"all": ("All the records", None), "quarter": ("This quarter", Period.this_quarter),
           "year": ("Last 12 months", Period.last_12_months), "census": ("This census year", Period.census_year)}
NOT_RECORDED = [
    "Whether a return home interview was offered, or the outcome of an NRM referral, where they were written as "
    "chronology text before they were recorded as data (such an entry counts as the interview held, or the referral "
    "made).",
    "Safety plans for individual young people (safety plans are recorded for places and peer groups).",
    "Police actions outside panels (stop and search, charge, caution, dispersal): only arrests recorded in the "
    "chronology and panel actions owned by a police agency are counted.",
]
DIMENSIONS = [("ethnicity", "Ethnicity"), ("sex", "Sex"), ("band", "Age band")]
OTHER_AGES = "other"


def _band_expression(today: date):
    from django.db.models import Case as Choose
    from django.db.models import CharField, Value, When

    return Choose(*[When(_age_q(key, today, prefix=""), then=Value(key)) for key, _l, _y, _o in AGE_BANDS],
                  default=Value(OTHER_AGES), output_field=CharField())


def _flags(reader, period: Period | None = None) -> dict:
    """Per young person (``OuterRef('pk')``), whether each measure is recorded in what ``reader`` can see: ever, or
    with ``period``, dated in it (an entry that happened, an assessment or action made, in the period; a trusted adult
    recorded by its end)."""
    from cases.models import ChronologyEntry, EntryKind, NrmReferral, ReturnInterview, TrustedAdult
    from safeguarding.models import AgencyKind

    def within(field: str) -> Q:
        return Q(**{f"{field}__date__range": (period.start, period.end)}) if period else Q()

    def entry(kind):
        return Exists(access.visible(reader, ChronologyEntry.objects.filter(
            within("occurred_at"), case__young_person=OuterRef("pk"), kind=kind)))

    def written_as_text(kind):  # before these were recorded as data: an entry linked to no record
        return Exists(access.visible(reader, ChronologyEntry.objects.filter(
            within("occurred_at"), case__young_person=OuterRef("pk"), kind=kind, missing_episode__isnull=True,
            nrm_referral__isnull=True)))

    def either(recorded, written):
        return ExpressionWrapper(Q(recorded) | Q(written), output_field=BooleanField())

    nrm_on = Q(referred_on__range=(period.start, period.end)) if period else Q()
    accepted = Q(outcome=RhiOutcome.ACCEPTED) & (Q(offered_at__date__range=(period.start, period.end)) if period
                                                 else Q())

    by_end = Q(added_at__date__lte=period.end) if period else Q()
    return {
        "trusted": Exists(access.visible(reader, TrustedAdult.objects.filter(by_end, young_person=OuterRef("pk")))),
        "nrm": either(Exists(access.visible(reader, NrmReferral.objects.filter(
            nrm_on, case__young_person=OuterRef("pk")))), written_as_text(EntryKind.NRM_REFERRAL)),
        "rhi": either(Exists(access.visible(reader, ReturnInterview.objects.filter(
            accepted, episode__case__young_person=OuterRef("pk")))), written_as_text(EntryKind.RETURN_INTERVIEW)),
        "assessed": Exists(access.visible(reader, Assessment.objects.filter(
            within("created_at"), young_person=OuterRef("pk")))),
        "arrest": entry(EntryKind.ARREST),
        "police_action": Exists(access.visible(reader, Action.objects.filter(
            within("created_at"), item__young_person=OuterRef("pk"), owner_agency__kind=AgencyKind.POLICE))),
    }


def disproportionality_counts(reader, today: date, period: Period | None = None) -> list[dict]:
    """One aggregate query: young people with a case ``reader`` can see (with ``period``: open at some time in it),
    grouped by ethnicity, sex and age band, with how many of each group have each measure recorded. Rows:
    ethnicity, sex, band, n and one count a measure."""
    from cases.models import YoungPerson

    flags = _flags(reader, period)
    cases = Case.objects.filter(returns.open_in(period.start, period.end)) if period else Case.objects.all()
    with_case = Exists(access.visible(reader, cases.filter(young_person=OuterRef("pk"))))
    people = access.visible(reader, YoungPerson.objects.filter(with_case)).annotate(
        band=_band_expression(today), **{f"has_{key}": flag for key, flag in flags.items()})
    welfare = Q(has_trusted=True) | Q(has_nrm=True) | Q(has_rhi=True) | Q(has_assessed=True)
    enforcement = Q(has_arrest=True) | Q(has_police_action=True)
    counts = {key: Count("pk", filter=Q(**{f"has_{key}": True})) for key in flags}
    return list(people.values("ethnicity", "sex", "band").annotate(
        n=Count("pk"), welfare=Count("pk", filter=welfare), enforcement=Count("pk", filter=enforcement), **counts,
    ).order_by())


@dataclass
class GroupRow:
    key: str
    label: str
    n: int
    count: int
    reference: bool = False
    n_shown: str | int = ""
    count_shown: str | int = ""
    rate: float | None = None  # a percentage, None when suppressed
    ratio: object = None  # stats.RateRatio, or None
    note: str = ""
    suppressed: bool = False


@dataclass
class DimensionTable:
    key: str
    title: str
    reference: str
    rows: list
    choices: list  # (key, label) of groups that may be the reference


def _labels(dimension: str) -> dict:
    if dimension == "ethnicity":
        return dict(ETHNICITIES)
    if dimension == "sex":
        return dict(Sex.choices)
    return {**{key: label for key, label, _y, _o in AGE_BANDS}, OTHER_AGES: "Other ages"}


def disproportionality(user, measure: str, references: dict, today: date | None = None,
                       period: Period | None = None) -> list[DimensionTable]:
    """For ``measure``, a table per dimension (ethnicity, sex, age band): each group's young people, how many have
    the measure recorded, the rate, and the rate ratio against the reference group (``references[dimension]``, or
    the largest group) with its 95% confidence interval. Counts from 1 to the threshold − 1 are suppressed for
    everyone, as is a count leaving fewer than the threshold without the measure; no ratio uses a suppressed cell."""
    from . import stats

    today = today or timezone.localdate()
    threshold = settings.REPORTS_SUPPRESS_BELOW
    rows = disproportionality_counts(reader_for(user), today, period)  # 1 query
    tables = []
    for dimension, title in DIMENSIONS:
        labels = _labels(dimension)
        totals: dict = {}
        for row in rows:
            n, count = totals.get(row[dimension], (0, 0))
            totals[row[dimension]] = (n + row["n"], count + row[measure])
        groups = [GroupRow(key, labels.get(key, key), *totals[key]) for key in labels if key in totals]
        for group in groups:
            n_hidden = stats.hidden(group.n, threshold)
            group.suppressed = n_hidden or stats.hidden(group.count, threshold) \
                or stats.hidden(group.n - group.count, threshold)
            group.n_shown = f"fewer than {threshold}" if n_hidden else group.n
            group.count_shown = group.count if not group.suppressed else (
                f"fewer than {threshold}" if stats.hidden(group.count, threshold) else "suppressed")
            if not group.suppressed:
                group.rate = 100 * group.count / group.n
        eligible = [g for g in groups if not g.suppressed]
        chosen = references.get(dimension)
        reference = next((g for g in eligible if g.key == chosen), None) or max(
            eligible, key=lambda g: g.n, default=None)
        for group in groups:
            if reference is None or group.suppressed:
                group.note = "not computed: suppressed" if group.suppressed else "no reference group"
            elif group is reference:
                group.reference = True
                group.note = "reference group"
            else:
                group.ratio = stats.rate_ratio(group.count, group.n, reference.count, reference.n)
                if group.ratio is None:
                    group.note = "not computed: a count is zero"
        tables.append(DimensionTable(dimension, title, reference.key if reference else "", groups,
                                     [(g.key, g.label) for g in eligible]))
    return tables


# --- Outcomes --------------------------------------------------------------------------------------------------

def risk_movement_counts(reader) -> list[dict]:
    """One aggregate query: cases ``reader`` can see, by risk level at opening (the case's first history row) and its
    level now (for a closed case, the level it closed at), with open and closed apart."""
    from django.apps import apps
    from django.db.models.functions import Coalesce

    history = apps.get_model("cases", "CaseEvent").objects.filter(pgh_obj=OuterRef("pk")).order_by("pgh_id")
    return list(access.visible(reader, Case.objects.all()).annotate(
        opening=Coalesce(Subquery(history.values("risk_level")[:1]), F("risk_level"))).values(
        "opening", "risk_level", "status").annotate(n=Count("pk")).order_by())


@dataclass
class RiskRow:
    key: str
    label: str
    opened: int = 0  # cases that opened at this level
    now: int = 0  # cases at this level now (or when closed)
    lower: int = 0  # cases that opened at this level and are now lower
    same: int = 0
    higher: int = 0


def risk_movement(user) -> list[RiskRow]:
    """Per risk level: how many cases opened at it, how many are at it now (or closed at it), and of those opened at
    it, how many are now lower, the same or higher. Suppression is the view's (as the dashboard's)."""
    order = [key for key, _label in RiskLevel.choices]
    rows = {key: RiskRow(key, label) for key, label in RiskLevel.choices}
    for row in risk_movement_counts(reader_for(user)):  # 1 query
        start, end, n = row["opening"], row["risk_level"], row["n"]
        if start in rows:
            rows[start].opened += n
            move = order.index(end) - order.index(start) if end in rows else 0
            field = "lower" if move < 0 else "higher" if move > 0 else "same"
            setattr(rows[start], field, getattr(rows[start], field) + n)
        if end in rows:
            rows[end].now += n
    return list(rows.values())


@dataclass
class DomainRow:
    """One assessment domain (a scored section, by its title) across the contexts reassessed on it."""

    title: str
    contexts: int = 0  # places and peer groups scored on it in their first and their latest approved assessment
    safer: int = 0
    same: int = 0
    less_safe: int = 0
    first_sum: int = 0
    latest_sum: int = 0

    @property
    def first_mean(self) -> float | None:
        return round(self.first_sum / self.contexts) if self.contexts else None

    @property
    def latest_mean(self) -> float | None:
        return round(self.latest_sum / self.contexts) if self.contexts else None


def context_domain_change(user) -> list[DomainRow]:
    """Whether places and peer groups got safer: for each context ``user``'s agency can see with two or more approved
    assessments on one framework, each scored domain (0 serious concern, 100 safe: ``frameworks.scores``) in the
    first against the latest; per domain, how many contexts scored higher, the same or lower, and the mean scores.

    Two queries (the approved assessments, oldest first, and their framework versions); the scoring is Python's,
    the same function the assessment's own "Change over time" page uses.
    """
    from assessments import frameworks
    from assessments.models import FrameworkVersion

    assessed = (access.visible(reader_for(user), Assessment.objects.filter(
        status=AssessmentStatus.APPROVED, young_person__isnull=True))
        .order_by("place_id", "peer_group_id", "framework_version__framework_id", "created_at", "pk")
        .values_list("place_id", "peer_group_id", "framework_version__framework_id", "framework_version_id",
                     "answers"))
    series: dict[tuple, list[tuple[int, dict]]] = {}
    for place, group, framework, version, answers in assessed:
        series.setdefault((place, group, framework), []).append((version, answers))
    reassessed = {key: (runs[0], runs[-1]) for key, runs in series.items() if len(runs) > 1}
    versions = {v.pk: v.definition for v in FrameworkVersion.objects.filter(
        pk__in={version for pair in reassessed.values() for version, _ in pair})}
    rows: dict[str, DomainRow] = {}
    for (first_version, first_answers), (latest_version, latest_answers) in reassessed.values():
        first = frameworks.scores(versions[first_version], first_answers)
        latest = frameworks.scores(versions[latest_version], latest_answers)
        titles = {s.key: s.title for s in frameworks.sections(versions[latest_version])}
        for key, score in latest.items():
            before = first.get(key)
            if score is None or before is None:
                continue
            row = rows.setdefault(titles[key], DomainRow(titles[key]))
            row.contexts += 1
            row.first_sum += before
            row.latest_sum += score
            if score > before:
                row.safer += 1
            elif score < before:
                row.less_safe += 1
            else:
                row.same += 1
    return sorted(rows.values(), key=lambda row: row.title)


def goals_by_status(user) -> list[Figure]:
    """Safety-plan goals for places and peer groups ``user``'s agency can see, by how far each is met (1 query)."""
    from assessments.models import Goal, GoalStatus

    counts = dict(access.visible(reader_for(user), Goal.objects.all()).values_list("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    return [Figure(label, counts.get(key, 0), "", {}) for key, label in GoalStatus.choices]


def actions_completed(user) -> list[Figure]:
    """Panel actions ``user``'s agency can see, cancelled ones aside: done (on time or late), and not done yet (in
    time or overdue). One aggregate query."""
    today = timezone.localdate()
    live = ~Q(status=ActionStatus.CANCELLED)
    done = Q(status=ActionStatus.DONE)
    waiting = Q(status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
    counts = access.visible(reader_for(user), _actions()).aggregate(
        on_time=Count("pk", filter=live & done & Q(done_on__lte=F("due_on"))),
        late=Count("pk", filter=live & done & (Q(done_on__gt=F("due_on")) | Q(done_on__isnull=True))),
        in_time=Count("pk", filter=waiting & Q(due_on__gte=today)),
        overdue=Count("pk", filter=waiting & Q(due_on__lt=today)))
    return [Figure("Done by the date due", counts["on_time"], "", {}),
            Figure("Done after the date due", counts["late"], "", {}),
            Figure("Not done yet, not yet due", counts["in_time"], "", {}),
            Figure("Not done yet, overdue", counts["overdue"], "", {})]


def census_factors(user, period: Period) -> list[Figure]:
    """Cases open in ``period`` that ``user``'s agency can see, with each census factor their harm types and records
    stand for (one aggregate query); a case may have several."""
    counts = access.visible(reader_for(user), Case.objects.filter(returns.open_in(period.start, period.end))).aggregate(
        all=Count("pk"), **{f"f{i}": Count("pk", filter=returns.factor_q(code, harms, period.start, period.end))
                            for i, (code, _label, harms) in enumerate(returns.FACTORS)})
    return [Figure("Cases open in the period", counts["all"], "cin-factors", {}),
            *(Figure(f"{code} {label}", counts[f"f{i}"], "", {})
              for i, (code, label, _harms) in enumerate(returns.FACTORS))]


def missing_figures(user, period: Period) -> list[Figure]:
    """Ofsted Annex A's counts: missing episodes open in ``period`` that ``user``'s agency can see, the children they
    are of, and their return home interviews (one aggregate query). Late is after 72 clock hours from the return."""
    now = timezone.now()
    interview = "return_interview__"
    offered = Q(**{f"{interview}outcome__in": [RhiOutcome.ACCEPTED, RhiOutcome.DECLINED]})
    counts = access.visible(reader_for(user), MissingEpisode.objects.filter(
        returns.episodes_in(period.start, period.end))).aggregate(
        episodes=Count("pk"), children=Count("case__young_person", distinct=True),
        missing=Count("pk", filter=Q(found_at__isnull=True)),
        offered=Count("pk", filter=offered),
        late=Count("pk", filter=offered & Q(return_interview__offered_at__gt=F("found_at") + RHI_OFFER_WITHIN)),
        accepted=Count("pk", filter=Q(**{f"{interview}outcome": RhiOutcome.ACCEPTED})),
        not_offered=Count("pk", filter=Q(**{f"{interview}outcome": RhiOutcome.NOT_OFFERED})),
        overdue=Count("pk", filter=Q(return_interview__isnull=True, found_at__lt=now - RHI_OFFER_WITHIN)))
    return [Figure("Missing episodes open in the period", counts["episodes"], "annex-a-missing", {}),
            Figure("Children who went missing", counts["children"], "", {}),
            Figure("Episodes still open (still missing)", counts["missing"], "", {}),
            Figure("Return home interview offered", counts["offered"], "", {}),
            Figure("Offered more than 72 hours after the return", counts["late"], "", {}),
            Figure("Offered and accepted", counts["accepted"], "", {}),
            Figure("Recorded as not offered", counts["not_offered"], "", {}),
            Figure("None recorded, and 72 hours have passed", counts["overdue"], "", {})]
