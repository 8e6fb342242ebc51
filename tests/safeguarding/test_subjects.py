"""The subject registry: one place that knows the kinds of record an assessment, agenda item, link, safety plan or
pack can be about, and every site that used to dispatch on the model by hand now asks it.

Each site is proved to ask by changing what the registry says of a kind (``swapped``) and seeing the site follow.
"""

import dataclasses

import pytest
from django.http import Http404

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments import views as assessment_views
from assessments.models import Assessment, SafetyPlan
from cases.models import YoungPerson
from contexts import views as context_views
from contexts.models import PeerGroup, Place, PlaceKind, PlaceLink
from panels import packs
from panels.forms import AgendaItemForm
from panels.models import AgendaItem, ItemKind
from safeguarding import subjects
from safeguarding.templatetags import subjects as subject_tags

KINDS = [("young_person", YoungPerson, "young-person", "/young-people/7/"),
         ("place", Place, "place", "/places/7/"),
         ("peer_group", PeerGroup, "peer-group", "/peer-groups/7/")]


@pytest.fixture
def swapped(monkeypatch):
    """Change what the registry says of one kind, for one test."""
    def swap(key, **changes):
        kind = dataclasses.replace(subjects.get(key), **changes)
        monkeypatch.setitem(subjects._KINDS, key, kind)
        return kind
    return swap


def test_the_registry_knows_the_three_kinds_in_dependency_order():
    assert subjects.keys() == ("young_person", "place", "peer_group")
    assert [k.label for k in subjects.kinds()] == ["Young person", "Place", "Peer group"]
    assert [k.has_safety_plan for k in subjects.kinds()] == [True, True, True]


@pytest.mark.parametrize(("key", "model", "word", "url"), KINDS)
def test_a_kind_round_trips_between_model_key_and_url_word(key, model, word, url):
    kind = subjects.get(key)
    assert kind.model is model and kind.word == word
    assert subjects.of(model) is kind and subjects.of(model(pk=7)) is kind
    assert subjects.by_word(word) is kind
    assert kind.url(model(pk=7)) == kind.url(7) == url
    assert subjects.fields(model(pk=7)) == {key: model(pk=7)}
    # The agenda item's kind of the same name, and the field of the same name on every record about a subject.
    assert ItemKind(key).value == key
    for about in (Assessment, AgendaItem):
        assert key in [f.name for f in about._meta.get_fields()]


def test_unknown_kinds_are_refused():
    with pytest.raises(subjects.UnknownSubject):
        subjects.by_word("school")
    with pytest.raises(subjects.UnknownSubject):
        subjects.of(Assessment)
    with pytest.raises(ValueError, match="clashes"):
        subjects.register(subjects.Subject(key="other", model=Place, word="elsewhere", noun="x", page="place"))


def test_get_visible_or_404_answers_an_unknown_word_or_a_kind_without_a_plan_with_404_before_any_query():
    # No database here: a query would fail with RuntimeError, not answer 404.
    with pytest.raises(Http404):
        subjects.get_visible_or_404(None, "school", 1)
    with pytest.raises(Http404):
        subjects.get_visible_or_404(None, "young-person", 1, plan=True)


def test_records_about_a_subject_read_it_through_the_registry():
    place, group, person = Place(pk=3, name="Eastgate Park"), PeerGroup(pk=4, name="Beacon"), YoungPerson(pk=5)
    assessment = Assessment(place=place)
    assert assessment.subject is place and assessment.subject_kind == "place"
    assert SafetyPlan(peer_group=group).subject is group
    assert AgendaItem(young_person=person).subject is person and AgendaItem(theme="x").subject is None
    link = PlaceLink(place=place, peer_group=group)
    assert link.subject is group, "a place link's place is its other end, not its subject"
    assert subjects.related(SafetyPlan, "plan__") == ["plan__young_person", "plan__place", "plan__peer_group"]
    assert subjects.related(Assessment) == ["young_person", "place", "peer_group"]
    assert subjects.on(PlaceLink, skip=("place",)) == (subjects.get("young_person"), subjects.get("peer_group"))


def test_assessment_services_ask_the_registry_which_frameworks_fit(swapped):
    assert assessment_services.frameworks_for(YoungPerson(pk=1)) == ["young_person"]
    assert assessment_services.frameworks_for(Place(pk=1, kind=PlaceKind.SCHOOL)) == ["school", "place"]
    assert assessment_services.frameworks_for(Place(pk=1, kind="park")) == ["place"]
    swapped("peer_group", frameworks=lambda group: ["peer_group", "gang"])
    assert assessment_services.frameworks_for(PeerGroup(pk=1)) == ["peer_group", "gang"]
    assert assessment_services._subject_fields(PeerGroup(pk=1)) == {"peer_group": PeerGroup(pk=1)}


def test_pages_find_a_subject_s_address_in_the_registry(swapped):
    swapped("place", page="place-edit")  # any URL name taking the pk: the sites must take it from the registry
    swapped("peer_group", page="peer-group-edit")
    assert assessment_views.subject_url(Assessment(place=Place(pk=3))) == "/places/3/edit/"
    assert context_views._record_url(PeerGroup(pk=4)) == "/peer-groups/4/edit/"
    assert assessment_views.subject_url(SafetyPlan(peer_group=PeerGroup(pk=4))) == "/peer-groups/4/edit/"
    assert subject_tags.subject_url(PeerGroup(pk=4)) == "/peer-groups/4/edit/"


def test_a_safety_plan_s_address_takes_the_kind_s_word_from_the_registry():
    from assessments.models import Goal
    goal = Goal(plan=SafetyPlan(peer_group=PeerGroup(pk=4)))
    assert assessment_views._plan_url(goal) == "/safety-plans/peer-group/4/"


def test_the_subject_link_in_mixed_lists_says_the_kind_the_registry_gives(swapped):
    group = PeerGroup(pk=4, name="Beacon <estate>")
    assert subject_tags.subject_link(group) == (
        '<a class="govuk-link" href="/peer-groups/4/">Beacon &lt;estate&gt;</a> (peer group)')
    assert subject_tags.subject_link(Place(pk=3, name="Eastgate")) == (
        '<a class="govuk-link" href="/places/3/">Eastgate</a>')
    swapped("place", aside="place")
    assert subject_tags.subject_link(Place(pk=3, name="Eastgate")).endswith("</a> (place)")


def test_the_agenda_item_form_offers_one_field_per_registered_kind(swapped):
    swapped("place", noun="location")
    none = Place.objects.none()
    records = dict.fromkeys(subjects.keys(), none)
    form = AgendaItemForm({"kind": "place", "reason": "x"}, records=records, presenters=none)
    assert list(form.fields) == ["kind", "young_person", "place", "peer_group", "theme", "reason", "presenter"]
    assert form.fields["place"].label == "Location"
    assert form.fields["young_person"].label_from_instance(YoungPerson(pk=9, first_name="Ann", last_name="Lee")) \
        .endswith("(YP-9)")
    assert not form.is_valid() and form.errors["place"] == ["Choose the location"]


def test_a_pack_section_adds_the_plan_for_kinds_the_registry_says_have_one(monkeypatch, swapped):
    monkeypatch.setattr(packs, "_latest_assessment", lambda reader, subject: "latest")
    monkeypatch.setattr(assessment_selectors, "plan_for", lambda reader, subject: "plan")
    monkeypatch.setitem(packs.SECTIONS, "young_person", lambda reader, person: {"cases": []})
    assert packs._section(None, YoungPerson(pk=1)) == {"cases": [], "assessment": "latest", "plan": "plan"}
    swapped("young_person", has_safety_plan=False)
    assert packs._section(None, YoungPerson(pk=1)) == {"cases": [], "assessment": "latest"}


def test_the_identity_bar_is_for_the_kinds_the_registry_says_identify_a_person(swapped):
    person, place = YoungPerson(pk=5), Place(pk=3, name="Eastgate Park")
    assert subject_tags.identified(person) is person
    assert subject_tags.identified(place) is None and subject_tags.identified("") is None
    assert subjects.identified_related(Assessment) == ["young_person__owning_agency"]
    assert subjects.identified_related(SafetyPlan, "plan__") == ["plan__young_person__owning_agency"]
    swapped("place", identified_with=())
    assert subject_tags.identified(place) is place
    assert subjects.identified_related(Assessment) == ["young_person__owning_agency"]
