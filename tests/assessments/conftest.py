"""Assessments around the cast (tests/conftest.py): the park and the group from tests/contexts, and helpers."""

import pytest

from assessments import frameworks, services
from assessments.models import Framework

from ..contexts import conftest as contexts

# The same park, peer group and friend as the contexts tests.
park, group, friend = contexts.park, contexts.group, contexts.friend


@pytest.fixture
def neighbourhood(db):
    return Framework.objects.get(key="neighbourhood")


@pytest.fixture
def draft(alice, park, neighbourhood):
    return services.assessment_start(actor=alice, subject=park, framework=neighbourhood)


def complete_answers(definition, *, rag="amber", scale_at=0.5) -> dict:
    """A valid answer to every question: text, the middle of each scale, one factor per list."""
    answers = {}
    for question in frameworks.questions(definition).values():
        if question.type == "text":
            answers[question.key] = f"Practitioners observed {question.key.replace('_', ' ')} over four visits."
        elif question.type == "rag":
            answers[question.key] = rag
        elif question.type == "scale":
            low, high = question.scale[:2]
            answers[question.key] = low + round((high - low) * scale_at)
        elif question.type == "factors":
            answers[question.key] = [{"kind": "strength", "description": "Shop owner knows the young people",
                                      "evidence": "Visit notes", "source": "Youth worker"}]
        else:
            answers[question.key] = question.options[0][0]
    return answers


def submitted(assessment, author, *, pending_confirmed=True, **answer_options):
    """Complete and submitted; by default going on without any request still waiting (the author confirms)."""
    definition = assessment.framework_version.definition
    saved = services.assessment_save(actor=author, assessment=assessment, expected_version=assessment.version,
                                     answers=complete_answers(definition, **answer_options),
                                     priority="Guardianship at the park after dark",
                                     priority_reason="Most incidents happen after 8pm when no adult is present.")
    return services.assessment_submit(actor=author, assessment=saved, expected_version=saved.version,
                                      pending_confirmed=pending_confirmed)


def approved(assessment, author, manager, *, pending_confirmed=True, **answer_options):
    done = submitted(assessment, author, pending_confirmed=pending_confirmed, **answer_options)
    return services.assessment_decide(actor=manager, assessment=done, expected_version=done.version, approve=True,
                                      pending_confirmed=pending_confirmed)
