"""The policy layer on its own: what a rule answers, what ensuring it raises, and how templates ask it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory

from cases import policies as case_policies
from panels import policies as panel_policies
from safeguarding.policy import RULES

from ..conftest import SYSTEM
from ..panels.conftest import meeting, panel  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_every_app_declares_its_rules_in_one_registry():
    apps = {name.split(".")[0] for name in RULES}
    assert apps == {"safeguarding", "cases", "contexts", "assessments", "panels", "reports"}
    assert "panels.policies.can_run_meeting" in RULES and "safeguarding.access.can_share" in RULES


def test_a_rule_answers_with_a_reason_and_ensuring_it_raises(alice, mandy, pete, oscar, case, shared_case):
    assert case_policies.can_close_case(mandy, case)
    refused = case_policies.can_close_case(alice, case)  # her role does not close cases
    assert not refused and not refused.hidden and not refused.state
    with pytest.raises(PermissionDenied):
        case_policies.can_close_case.ensure(alice, case)
    hidden = case_policies.can_close_case(oscar, case)  # not shared with housing: as if it did not exist
    assert not hidden and hidden.hidden
    with pytest.raises(Http404):
        case_policies.can_close_case.ensure(oscar, case)
    assert case_policies.can_add_chronology_entry(pete, shared_case)  # shared with the police to contribute


def test_a_refusal_by_the_records_state_is_a_validation_error_with_its_reason(mandy, case):
    from cases import services

    services.case_close(actor=mandy, case=case, expected_version=case.version, reason="nfa")
    case.refresh_from_db()
    closed = case_policies.can_change_case(mandy, case)
    assert not closed and closed.state and "closed" in closed.reason
    with pytest.raises(ValidationError):
        case_policies.can_change_case.ensure(mandy, case)


def test_only_a_chair_of_this_panel_runs_its_meeting(colin, agencies, meeting):  # noqa: F811
    from safeguarding.roles import Role

    from ..conftest import _person

    carla = _person(agencies, "carla", "la", Role.PANEL_CHAIR)  # a chair in the same authority, not of this panel
    assert panel_policies.can_run_meeting(colin, meeting)
    refused = panel_policies.can_run_meeting(carla, meeting)
    assert not refused and refused.reason == "Only a chair of this panel can run its meetings."


def test_the_system_actor_may_only_what_a_rule_names_it_for(case):
    from assessments import policies as assessment_policies
    from safeguarding import policies as kernel_policies

    assert kernel_policies.can_add_agency(SYSTEM) and assessment_policies.can_change_framework(SYSTEM)
    assert not case_policies.can_add_young_person(SYSTEM)  # it belongs to no agency: it sees and records nothing
    assert not case_policies.can_close_case(SYSTEM, case)


def test_templates_ask_the_rule_by_name(alice, oscar):
    template = Template('{% load policies %}{% allowed "cases.can_add_young_person" as may %}{{ may }}')
    request = RequestFactory().get("/")
    for user, expected in ((alice, "True"), (oscar, "False")):
        request.user = user
        assert template.render(Context({"request": request})) == expected
