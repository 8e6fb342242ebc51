"""The filters of this app's lists, shared by the API and the HTML list pages (safeguarding.lists), so a filter means
the same in both. They only ever narrow the rows they are given: the access door's queryset."""

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django_filters import rest_framework as filters

from safeguarding.lists import CheckboxFilter, Column, GdsDateFilter, ListSpec
from safeguarding.models import Team, User

from .models import ETHNICITY_CHOICES, Case, CaseStatus, EntryKind, HarmType, RiskLevel


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

    opened_from = GdsDateFilter(field_name="opened_on", lookup_expr="gte", label="Opened on or after",
                                help_text="For example, 1 9 2026")
    opened_to = GdsDateFilter(field_name="opened_on", lookup_expr="lte", label="Opened on or before",
                              help_text="For example, 30 9 2026")
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
    date_from = GdsDateFilter(field_name="occurred_at", lookup_expr="date__gte", label="Happened on or after",
                              help_text="For example, 1 9 2026")
    date_to = GdsDateFilter(field_name="occurred_at", lookup_expr="date__lte", label="Happened on or before",
                            help_text="For example, 30 9 2026")


CHRONOLOGY = ListSpec(
    filterset=ChronologyFilter, default_sort="-occurred", noun="entry", plural="entries", tie=("-id",), prefix="c",
    columns=[Column("occurred", "When it happened", ("occurred_at",), first="descending")])
