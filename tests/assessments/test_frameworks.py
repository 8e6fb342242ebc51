"""Frameworks are versioned data: an edit makes a new version and never changes an assessment's questions."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction
from django.urls import reverse

from assessments import frameworks, services
from assessments.models import Framework, FrameworkVersion

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_four_frameworks_ship_as_data():
    shipped = {f.key: f.subject for f in Framework.objects.all()}
    assert shipped == {"peer-group": "peer_group", "neighbourhood": "place", "school": "school",
                       "individual-screening": "young_person"}
    for framework in Framework.objects.all():
        version = services.current_version(framework)
        sections = version.sections
        assert sections[-1].key == "voice", "every framework ends with the voice of young people and others"
        assert any(q.type == "factors" for s in sections for q in s.questions)
        assert all(s.is_scored for s in sections[:-1])


def test_school_assessment_is_traffic_lights_across_the_four_areas():
    sections = services.current_version(Framework.objects.get(key="school")).sections
    titles = " ".join(s.title.lower() for s in sections)
    for area in ("structures", "prevention", "identification", "response"):
        assert area in titles
    assert sum(q.type == "rag" for s in sections for q in s.questions) >= 12


def test_an_edit_makes_a_new_version_and_existing_assessments_keep_theirs(alice, adam, draft, neighbourhood, park):
    before = draft.framework_version
    questions_before = list(frameworks.questions(before.definition))
    definition = copy.deepcopy(before.definition)
    definition["sections"][0]["questions"].pop(0)
    definition["sections"][0]["questions"].insert(0, {"key": "night_economy", "type": "rag", "required": True,
                                                      "label": "How safe is the night-time economy?", "hint": ""})
    v2 = services.framework_revise(actor=adam, framework=neighbourhood, definition=definition,
                                   change_note="Night-time economy question")
    assert v2.number == 2
    draft.refresh_from_db()
    assert draft.framework_version == before
    assert list(frameworks.questions(draft.framework_version.definition)) == questions_before
    newer = services.assessment_start(actor=alice, subject=park, framework=neighbourhood)
    assert newer.framework_version == v2 and "night_economy" in frameworks.questions(v2.definition)
    # The database refuses to change a version in place.
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        FrameworkVersion.objects.filter(pk=before.pk).update(definition={"sections": []})


@pytest.mark.parametrize(("definition", "problem"), [
    ({"sections": []}, "Add at least one section"),
    ({"sections": [{"key": "a b", "title": "T", "questions": [{"key": "q1", "type": "text", "label": "Q"}]}]},
     "Section 1: the key must be"),
    ({"sections": [{"key": "aa", "title": "T", "questions": [{"key": "q1", "type": "colour", "label": "Q"}]}]},
     "Section 1, question 1: the type must be one of"),
    ({"sections": [{"key": "aa", "title": "T", "questions": [{"key": "q1", "type": "scale", "label": "Q"}]}]},
     "a scale needs whole numbers"),
    ({"sections": [{"key": "aa", "title": "T", "questions": [
        {"key": "q1", "type": "text", "label": "Q"}, {"key": "q1", "type": "text", "label": "Again"}]}]},
     "used more than once"),
    ({"sections": [{"key": "aa", "title": "T", "questions": [{"key": "feedback", "type": "text", "label": "Q"}]}]},
     "reserved"),
])
def test_a_broken_definition_is_refused_with_reasons(adam, neighbourhood, definition, problem):
    with pytest.raises(ValidationError) as refused:
        services.framework_revise(actor=adam, framework=neighbourhood, definition=definition, change_note="x")
    assert problem in " ".join(refused.value.message_dict["definition"])
    assert neighbourhood.versions.count() == 1


def test_administrators_edit_frameworks_in_the_browser(client, adam, alice, neighbourhood):
    url = reverse("framework-edit", args=[neighbourhood.pk])
    client_for(client, alice)
    assert client.get(url).status_code == 403
    assert client.get(reverse("framework", args=[neighbourhood.pk])).status_code == 200  # anyone may read
    client_for(client, adam)
    page = client.get(url)
    assert page.status_code == 200 and "strengths_and_needs" in page.content.decode()
    broken = client.post(url, {"definition": '{"sections": [', "change_note": "Oops"})
    assert broken.status_code == 200 and "not valid JSON" in broken.content.decode()
    wrong = client.post(url, {"definition": '{"sections": [{"key": "x"}]}', "change_note": "Oops"})
    assert "Section 1: the key must be" in wrong.content.decode()
    definition = services.current_version(neighbourhood).definition
    definition["sections"][0]["title"] = "Young people's strengths, needs and hopes"
    import json
    saved = client.post(url, {"definition": json.dumps(definition), "change_note": "Wording"})
    assert saved.status_code == 302
    assert services.current_version(neighbourhood).number == 2
    assert neighbourhood.versions.count() == 2
