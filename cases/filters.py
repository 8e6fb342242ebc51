"""The filters of this app's lists, shared by the API and the HTML list pages (safeguarding.lists), so a filter means
the same in both. They only ever narrow the rows they are given: the access door's queryset."""

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django_filters import rest_framework as filters

from safeguarding.lists import CheckboxFilter, Column, GdsDateFilter, ListSpec, date_range
from safeguarding.models import Agency, Team, User

from . import finders, referrals, selectors
from .models import (
    ETHNICITY_CHOICES,
    Case,
    CaseStatus,
    EntryKind,
    HarmType,
    Referral,
    ReferralStatus,
    RiskLevel,
    Sex,
    TransferStatus,
)


class CaseFilter(filters.FilterSet):
    """The API's case filters, and the first of the case list's."""

    status = filters.ChoiceFilter(choices=CaseStatus.choices, empty_label="Any status")
    risk_level = filters.ChoiceFilter(choices=RiskLevel.choices, label="Risk level", empty_label="Any risk level")
    harm_type = filters.ChoiceFilter(choices=HarmType.choices, method="harm", label="Type of harm",
                                     empty_label="Any type of harm")

    def harm(self, rows, name, value):
        return rows.filter(harm_types__contains=[value])


def _teams(request):
    if request is None or not request.user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(agency_id=request.user.agency_id, is_active=True).order_by("name")


def _colleagues(request):
    if request is None or not request.user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(agency_id=request.user.agency_id, is_active=True).order_by("last_name", "first_name")


class CaseListFilter(CaseFilter):
    """The case list page's filters: the API's, and when it was opened, the young person's ethnicity, and who leads
    it (the reader's own team or colleague: a narrowing only, the rows are already those the agency may see)."""

    opened_from, opened_to = date_range("opened_on", "Opened")
    ethnicity = filters.ChoiceFilter(field_name="young_person__ethnicity", choices=ETHNICITY_CHOICES,
                                     label="Ethnicity", empty_label="Any ethnicity")
    team = filters.ModelChoiceFilter(field_name="lead_practitioner__team", queryset=_teams, label="Team",
                                     empty_label="Any team")
    practitioner = filters.ModelChoiceFilter(field_name="lead_practitioner", queryset=_colleagues,
                                             label="Lead practitioner", empty_label="Anyone")
    mine = CheckboxFilter(method="led_by_me", label="Only cases I lead")
    overdue = CheckboxFilter(method="past_review", label="Only cases past their review date")

    def led_by_me(self, rows, name, value):
        return rows.filter(lead_practitioner=self.request.user) if value else rows

    def past_review(self, rows, name, value):
        return rows.filter(Case.past_review()) if value else rows


RISK_ORDER = When_(*[When(risk_level=level, then=Value(n)) for n, level in enumerate(RiskLevel.values)],
                   output_field=IntegerField())

CASE_LIST = ListSpec(
    filterset=CaseListFilter, default_sort="-opened", noun="case", tie=("-id",),
    columns=[
        Column("reference", "Case", ("reference",)),
        Column("name", "Young person", ("young_person__last_name", "young_person__first_name")),
        Column("risk", "Risk", (RISK_ORDER,), first="descending"),
        Column("lead", "Lead"),
        Column("opened", "Opened", ("opened_on",), first="descending"),
        Column("review", "Next review", ("next_review_on",)),
    ])


class ChronologyFilter(filters.FilterSet):
    """A case's chronology on its page: by kind of entry (as the API's ``kind``) and by the day it happened."""

    kind = filters.ChoiceFilter(choices=EntryKind.choices, label="Type of entry", empty_label="Any type")
    date_from, date_to = date_range("occurred_at", "Happened", of_datetime=True)


CHRONOLOGY = ListSpec(
    filterset=ChronologyFilter, default_sort="-occurred", noun="entry", plural="entries", tie=("-id",), prefix="c",
    columns=[Column("occurred", "When it happened", ("occurred_at",), first="descending")])


# --- The front door's lists -----------------------------------------------------------------------------------------

class ReferralFilter(filters.FilterSet):
    """The API's referral filter on status, and the first of the referral lists'."""

    status = filters.ChoiceFilter(choices=ReferralStatus.choices, label="Status", empty_label="Any status")


class ReferralListFilter(ReferralFilter):
    """Referrals of every kind (``merged_list_page``: each kind's rows filtered by the same filters): by kind, status,
    the day it was received, and those waiting past their decide-by date."""

    kind = filters.ChoiceFilter(choices=[], method="of_kind", label="Kind of referral", empty_label="Any kind")
    received_from, received_to = date_range("referred_at", "Received", of_datetime=True)
    overdue = CheckboxFilter(method="late", label="Only overdue referrals (waiting past their decide-by date)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = [(w, k.noun.capitalize()) for w, k in referrals.KINDS.items()]

    def of_kind(self, rows, name, value):
        return rows if rows.model.kind_word == value else rows.none()

    def late(self, rows, name, value):
        return rows.filter(Referral.overdue()) if value else rows


class FrontDoorFilter(ReferralListFilter):
    """The front door's: the open referrals unless a status is chosen (the view passes only those), and who referred."""

    status = filters.ChoiceFilter(choices=ReferralStatus.choices, label="Status",
                                  empty_label="Open (waiting, or more information asked)")
    referring_agency = filters.ModelChoiceFilter(queryset=Agency.objects.order_by("name"), label="Referred by",
                                                 empty_label="Any agency")


class SentReferralFilter(ReferralListFilter):
    """The referrals the reader's agency made: also the lead authority each went to."""

    to_agency = filters.ModelChoiceFilter(queryset=Agency.objects.filter(is_lead_authority=True).order_by("name"),
                                          label="Referred to", empty_label="Any lead authority")


_REFERRAL = Column("referral", "Referral")
_KIND = Column("kind", "Kind")
# Overdue first (``in_time`` False), then the soonest date: the order a front door works in.
_DECIDE_BY = Column("decide_by", "Decide by", ("in_time", "decide_by", "referred_at"))
_RECEIVED = Column("received", "Received", ("referred_at",), first="descending")
_STATUS = Column("status", "Status")

FRONT_DOOR = ListSpec(
    filterset=FrontDoorFilter, default_sort="decide_by", noun="referral", tie=("id",),
    columns=[_REFERRAL, _KIND, Column("from", "From"), Column("urgency", "Urgency"), _RECEIVED, _DECIDE_BY, _STATUS])

REFERRALS_SENT = ListSpec(
    filterset=SentReferralFilter, default_sort="-received", noun="referral", tie=("id",),
    columns=[_REFERRAL, _KIND, Column("to", "To"), _RECEIVED, _DECIDE_BY, _STATUS])


# --- Transfers the reader's agency asked for ------------------------------------------------------------------------

class TransferListFilter(filters.FilterSet):
    """Transfers of every kind of record (``merged_list_page``): by status, the agency asked, and the day asked."""

    status = filters.ChoiceFilter(choices=TransferStatus.choices, label="Status", empty_label="Any status")
    to_agency = filters.ModelChoiceFilter(queryset=Agency.objects.filter(is_active=True).order_by("name"),
                                          label="Asked of", empty_label="Any agency")
    asked_from, asked_to = date_range("asked_at", "Asked", of_datetime=True)


TRANSFERS_ASKED = ListSpec(
    filterset=TransferListFilter, default_sort="-asked", noun="transfer", tie=("id",),
    columns=[Column("transfer", "Transfer"), Column("to", "To"),
             Column("asked", "Asked", ("asked_at",), first="descending"), Column("status", "Status", ("status",))])


# --- Finding a young person -----------------------------------------------------------------------------------------

OPEN_CASE = [("any", "Has an open case you can see"), ("mine", "Has an open case your agency holds"),
             ("none", "Has no open case you can see")]
# Age bands, as (youngest, oldest) today; either end open.
AGE_BANDS = {"under-14": ("Under 14", None, 13), "14-15": ("14 or 15", 14, 15), "16-17": ("16 or 17", 16, 17),
             "18-20": ("18 to 20", 18, 20), "21-over": ("21 or over", 21, None)}
SEARCH_FIELDS = ("q", "dob")


class YoungPeopleFilter(filters.FilterSet):
    """Finding a young person: by name or alias and date of birth, which the search must have one of (no one is
    listed without: data minimisation), then narrowed by open cases, sex and age."""

    q = filters.CharFilter(method="named", max_length=200, label="Name or alias",
                           help_text="Spelling does not need to be exact.")
    dob = GdsDateFilter(field_name="date_of_birth", label="Date of birth", help_text="For example, 14 3 2010")
    open_case = filters.ChoiceFilter(choices=OPEN_CASE, method="with_case", label="Cases",
                                     empty_label="With or without an open case")
    sex = filters.ChoiceFilter(choices=Sex.choices, label="Sex", empty_label="Any sex")
    age = filters.ChoiceFilter(choices=[(k, v[0]) for k, v in AGE_BANDS.items()], method="aged", label="Age",
                               empty_label="Any age")

    def searched(self) -> bool:
        """Whether a name or a date of birth was given (and could be used)."""
        return self.is_bound and self.is_valid() and any(self.form.cleaned_data.get(f) for f in SEARCH_FIELDS)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.searched() else queryset.none()

    def named(self, rows, name, value):
        return selectors.name_matches(rows, value)

    def with_case(self, rows, name, value):
        user = self.request.user
        if value == "none":
            return rows.exclude(selectors.open_case_q(user))
        return rows.filter(selectors.open_case_q(user, held_by_my_agency=value == "mine"))

    def aged(self, rows, name, value):
        _, youngest, oldest = AGE_BANDS[value]
        return rows.filter(finders.born_aged(youngest, oldest))


YOUNG_PEOPLE = ListSpec(
    filterset=YoungPeopleFilter, default_sort="-match", noun="young person", plural="young people",
    tie=("last_name", "first_name", "id"),
    columns=[Column("name", "Name", ("last_name", "first_name")), Column("aliases", "Also known as"),
             Column("dob", "Date of birth", ("date_of_birth",)), Column("open", "Open cases", numeric=True),
             Column("match", "Best match", ("similarity",), first="descending")])
