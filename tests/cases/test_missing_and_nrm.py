"""Missing episodes, return home interviews and NRM referrals: records on the case, their rules, their checks, their
entries on the timeline, and their pages."""

import re
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import policies, services
from cases.models import (
    RHI_OFFER_WITHIN,
    CaseStatus,
    ChronologyEntry,
    EntryKind,
    GroundsDecision,
    MissingEpisode,
    NrmReferral,
    RhiOutcome,
    how_long,
)
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent
from tests.conftest import LAWFUL

from ..conftest import client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


@pytest.fixture
def episode(alice, case):
    return services.missing_episode_record(actor=alice, case=case, missing_at=_ago(days=5), reported_by="Mum")


def _found(actor, episode, **kwargs):
    return services.missing_episode_update(actor=actor, episode=episode, expected_version=episode.version,
                                           found_at=kwargs.pop("found_at", episode.missing_at + timedelta(days=1)),
                                           **kwargs)


# --- Missing episodes -------------------------------------------------------------------------------------------

def test_it_records_an_open_episode_then_that_they_were_found_each_on_the_timeline(alice, case, episode):
    assert episode.is_open and episode.rhi_due_by is None
    [reported] = ChronologyEntry.objects.filter(missing_episode=episode)
    assert (reported.kind, reported.occurred_at, reported.restricted) == (EntryKind.MISSING, episode.missing_at, False)
    assert "Reported missing by Mum" in reported.text
    found = _found(alice, episode, where_found="Ferris Road park", harm_disclosed=True, harm_detail="A cut hand")
    assert found.version == 2 and found.duration == timedelta(days=1)
    entries = ChronologyEntry.objects.filter(missing_episode=episode).order_by("occurred_at")
    assert [e.occurred_at for e in entries] == [found.missing_at, found.found_at]
    assert all(words in entries[1].text for words in ("Ferris Road park", "A cut hand", "1 day missing"))
    # A correction after that writes no new entry: it is in the history and the audit log.
    services.missing_episode_update(actor=alice, episode=found, expected_version=2, police_reference="NF-1")
    assert ChronologyEntry.objects.filter(missing_episode=episode).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, target_label=f"MIS-{episode.pk}").count() == 2


@pytest.mark.parametrize(("fields", "field"), [
    ({"found_at": "before"}, "found_at"),
    ({"missing_at": "future"}, "missing_at"),
    ({"where_found": "Station"}, "where_found"),
    ({"harm_disclosed": True}, "harm_detail"),
    ({"harm_detail": "Something"}, "harm_detail"),
])
def test_an_impossible_episode_is_refused_with_the_field_to_fix(alice, case, fields, field):
    moments = {"before": _ago(days=3), "future": timezone.now() + timedelta(hours=2)}
    data = {"missing_at": _ago(days=2), "reported_by": "Carer", **{k: moments.get(v, v) for k, v in fields.items()}}
    with pytest.raises(ValidationError) as refused:
        services.missing_episode_record(actor=alice, case=case, **data)
    assert field in refused.value.message_dict
    assert not MissingEpisode.objects.exists() and not ChronologyEntry.objects.exists()


def test_the_database_refuses_a_return_before_the_episode_began(alice, episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.filter(pk=episode.pk).update(found_at=episode.missing_at - timedelta(minutes=1))


def test_a_stale_edit_is_refused_and_saves_nothing(alice, pete, shared_case, episode):
    _found(pete, episode)
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        services.missing_episode_update(actor=alice, episode=episode, expected_version=1, reported_by="Dad")
    assert MissingEpisode.objects.get(pk=episode.pk).reported_by == "Mum"


# --- Who may record ----------------------------------------------------------------------------------------------

def test_a_partner_who_may_contribute_records_an_episode_one_who_may_view_may_not_an_outsider_gets_404(
        alice, pete, sam, oscar, case, agencies):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    access.share(actor=alice, obj=case, agency=agencies["school"], level=access.VIEW, basis=LAWFUL)
    made = services.missing_episode_record(actor=pete, case=case, missing_at=_ago(hours=3),
                                           reported_by="Police control room", police_reference="NF-22")
    assert made.agency == agencies["police"]
    assert policies.can_record_missing_episode(sam, case).allowed is False
    with pytest.raises(PermissionDenied):
        services.missing_episode_record(actor=sam, case=case, missing_at=_ago(hours=3), reported_by="School")
    with pytest.raises(Http404):
        services.nrm_referral_record(actor=oscar, case=case, first_responder="police",
                                     referred_on=timezone.localdate(), exploitation_types=["criminal"])
    # The school sees the episode with the case; housing does not.
    assert list(access.visible(sam, MissingEpisode.objects.all())) == [made]
    assert not access.visible(oscar, MissingEpisode.objects.all()).exists()


def test_a_closed_case_takes_no_new_episode(alice, mandy, case):
    services.case_close(actor=mandy, case=case, expected_version=case.version, reason="nfa")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    decision = policies.can_record_missing_episode(alice, case)
    assert not decision and decision.state
    with pytest.raises(ValidationError, match="closed"):
        services.missing_episode_record(actor=alice, case=case, missing_at=_ago(hours=3), reported_by="Mum")


# --- Return home interviews and the 72 hours ---------------------------------------------------------------------

def test_lateness_counts_72_clock_hours_from_the_return_weekends_included(alice, case):
    friday_evening = timezone.make_aware(datetime(2026, 10, 2, 18, 0))  # a Friday
    episode = services.missing_episode_record(actor=alice, case=case, missing_at=friday_evening - timedelta(hours=20),
                                              reported_by="Carer", found_at=friday_evening)
    assert episode.rhi_due_by == timezone.make_aware(datetime(2026, 10, 5, 18, 0)) == friday_evening + RHI_OFFER_WITHIN
    assert episode.rhi_lateness(now=episode.rhi_due_by) is None  # exactly 72 hours is in time
    assert episode.rhi_lateness(now=episode.rhi_due_by + timedelta(hours=29)) == timedelta(hours=29)
    interview = services.return_interview_record(actor=alice, episode=episode, outcome=RhiOutcome.ACCEPTED,
                                                  offered_at=episode.rhi_due_by + timedelta(days=2, hours=5),
                                                  held_on=timezone.localdate(), words="I was at my cousin's")
    episode.refresh_from_db()
    assert episode.rhi_lateness() == timedelta(days=2, hours=5) and episode.rhi_late_text == "2 days 5 hours"
    entry = ChronologyEntry.objects.get(missing_episode=episode, kind=EntryKind.RETURN_INTERVIEW)
    assert entry.occurred_at == interview.offered_at
    assert "2 days 5 hours after the 72 hours" in entry.text and "I was at my cousin's" in entry.text


def test_how_long_says_it_as_a_person_would():
    assert [how_long(timedelta(minutes=m)) for m in (5, 60, 61 * 25, 60 * 48)] == [
        "under an hour", "1 hour", "1 day 1 hour", "2 days"]


def test_an_interview_in_time_is_not_late_and_one_not_offered_says_why(alice, case, episode):
    found = _found(alice, episode, found_at=_ago(days=4))
    in_time = services.return_interview_record(actor=alice, episode=found, outcome=RhiOutcome.DECLINED,
                                               offered_at=_ago(days=3))
    found.refresh_from_db()
    assert found.rhi_lateness() is None and in_time.offered
    other = services.missing_episode_record(actor=alice, case=case, missing_at=_ago(days=9), reported_by="Mum",
                                            found_at=_ago(days=8))
    assert timedelta(days=4, hours=23) < other.rhi_lateness() < timedelta(days=5, hours=1)  # none yet: overdue
    with pytest.raises(ValidationError) as refused:
        services.return_interview_record(actor=alice, episode=other, outcome=RhiOutcome.NOT_OFFERED)
    assert "not_offered_reason" in refused.value.message_dict
    services.return_interview_record(actor=alice, episode=other, outcome=RhiOutcome.NOT_OFFERED,
                                     not_offered_reason="Moved out of area the day after")
    other.refresh_from_db()
    assert other.rhi_lateness() is None  # recorded as not offered: its reason is shown, not a growing lateness


@pytest.mark.parametrize(("fields", "field"), [
    ({"outcome": RhiOutcome.ACCEPTED}, "offered_at"),
    ({"outcome": RhiOutcome.DECLINED, "offered_at": "before_return"}, "offered_at"),
    ({"outcome": RhiOutcome.DECLINED, "offered_at": "ok", "held_on": "today"}, "held_on"),
    ({"outcome": RhiOutcome.ACCEPTED, "offered_at": "future"}, "offered_at"),
    ({"outcome": RhiOutcome.NOT_OFFERED, "offered_at": "ok", "not_offered_reason": "x"}, "offered_at"),
])
def test_an_impossible_interview_is_refused(alice, episode, fields, field):
    found = _found(alice, episode, found_at=_ago(days=4))
    values = {"before_return": _ago(days=4, hours=1), "ok": _ago(days=3), "future": timezone.now() + timedelta(days=1),
              "today": timezone.localdate()}
    with pytest.raises(ValidationError) as refused:
        services.return_interview_record(actor=alice, episode=found, **{k: values.get(v, v) if isinstance(v, str)
                                                                        else v for k, v in fields.items()})
    assert field in refused.value.message_dict


def test_no_interview_before_they_are_back_and_only_one_per_episode(alice, episode):
    with pytest.raises(ValidationError, match="not been found"):
        services.return_interview_record(actor=alice, episode=episode, outcome=RhiOutcome.DECLINED,
                                         offered_at=_ago(hours=1))
    found = _found(alice, episode)
    services.return_interview_record(actor=alice, episode=found, outcome=RhiOutcome.DECLINED, offered_at=_ago(days=3))
    with pytest.raises(ValidationError, match="already recorded"):
        services.return_interview_record(actor=alice, episode=found, outcome=RhiOutcome.DECLINED,
                                         offered_at=_ago(days=3))


def test_a_declined_interview_later_accepted_writes_a_new_entry(alice, episode):
    found = _found(alice, episode)
    interview = services.return_interview_record(actor=alice, episode=found, outcome=RhiOutcome.DECLINED,
                                                 offered_at=_ago(days=3, hours=12))
    services.return_interview_update(actor=alice, interview=interview, expected_version=interview.version,
                                     outcome=RhiOutcome.ACCEPTED, held_on=timezone.localdate(), words="OK then")
    texts = list(ChronologyEntry.objects.filter(kind=EntryKind.RETURN_INTERVIEW).order_by("pk").values_list(
        "text", flat=True))
    assert len(texts) == 2 and "declined" in texts[0] and "accepted it and held" in texts[1]


# --- NRM referrals ------------------------------------------------------------------------------------------------

def _nrm(actor, case, **fields):
    today = timezone.localdate()
    return services.nrm_referral_record(actor=actor, case=case, **{
        "first_responder": "local_authority", "referred_on": today - timedelta(days=60),
        "exploitation_types": ["criminal"], **fields})


def test_an_nrm_referral_and_its_decisions_each_go_on_the_timeline(alice, pete, shared_case):
    today = timezone.localdate()
    referral = _nrm(pete, shared_case)
    services.nrm_referral_update(actor=alice, referral=referral, expected_version=1, rg_decision="positive",
                                 rg_decided_on=today - timedelta(days=55))
    referral.refresh_from_db()
    services.nrm_referral_update(actor=alice, referral=referral, expected_version=2, cg_decision="positive",
                                 cg_decided_on=today - timedelta(days=2), devolved_pilot=True,
                                 pilot_panel="Northfield devolved panel")
    texts = list(ChronologyEntry.objects.filter(nrm_referral=referral).order_by("occurred_at").values_list(
        "text", flat=True))
    assert len(texts) == 3 and "by Local authority (criminal exploitation)" in texts[0]
    assert "reasonable-grounds decision: positive" in texts[1]
    assert "conclusive-grounds decision by the Northfield devolved panel (devolved pilot): positive" in texts[2]


@pytest.mark.parametrize(("fields", "field"), [
    ({"cg_decision": "positive", "cg_decided_on": 1}, "cg_decision"),
    ({"rg_decision": "negative", "rg_decided_on": 1, "cg_decision": "positive", "cg_decided_on": 2}, "cg_decision"),
    ({"rg_decision": "positive", "rg_decided_on": 10, "cg_decision": "negative", "cg_decided_on": 5},
     "cg_decided_on"),
    ({"rg_decision": "positive", "rg_decided_on": -1}, "rg_decided_on"),
    ({"rg_decision": "positive"}, "rg_decided_on"),
    ({"rg_decided_on": 3}, "rg_decided_on"),
    ({"referred_on": -60}, "referred_on"),
    ({"pilot_panel": "A panel"}, "pilot_panel"),
    ({"devolved_pilot": True}, "pilot_panel"),
    ({"exploitation_types": []}, "exploitation_types"),
    ({"adult_consented": True}, "adult_consented"),
])
def test_decisions_must_come_in_order_and_dates_not_in_the_future(alice, case, fields, field):
    """Days are counted from the referral, 60 days ago: 1 is the day after it, -1 the day before, -60 tomorrow."""
    referred = timezone.localdate() - timedelta(days=60)
    data = {k: (referred + timedelta(days=v) if k.endswith("_on") else v) for k, v in fields.items()}
    if "referred_on" in fields:
        data["referred_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _nrm(alice, case, **data)
    assert field in refused.value.message_dict
    assert not NrmReferral.objects.exists()


def test_a_young_adult_is_referred_only_with_consent_a_child_needs_none(alice):
    adult = YoungPersonFactory(actor=alice, date_of_birth=timezone.localdate() - timedelta(days=365 * 20))
    case = CaseFactory(actor=alice, young_person=adult)
    with pytest.raises(ValidationError) as refused:
        _nrm(alice, case)
    assert "adult_consented" in refused.value.message_dict
    referral = _nrm(alice, case, adult_consented=True)
    assert not referral.child_when_referred(adult)


def test_the_database_refuses_a_conclusive_decision_without_a_positive_reasonable_one(alice, case):
    referral = _nrm(alice, case)
    with pytest.raises(IntegrityError), transaction.atomic():
        NrmReferral.objects.filter(pk=referral.pk).update(cg_decision=GroundsDecision.POSITIVE,
                                                          cg_decided_on=timezone.localdate())


# --- Pages --------------------------------------------------------------------------------------------------------

def _moment(prefix, moment):
    local = timezone.localtime(moment)
    return {f"{prefix}_on_0": local.day, f"{prefix}_on_1": local.month, f"{prefix}_on_2": local.year,
            f"{prefix}_time": f"{local:%H:%M}"}


def test_the_pages_record_an_episode_its_interview_and_show_them_on_the_case(client, alice, case, agencies):
    client_for(client, alice)
    new = reverse("missing-episode-new", args=[case.pk])
    assert client.get(new).status_code == 200
    missing = _ago(days=6)
    response = client.post(new, {**_moment("missing_at", missing), "reported_by": "Foster carer",
                                 "harm_disclosed": "no"})
    episode = MissingEpisode.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("missing-episode", args=[episode.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Still missing" in page and "Record that they were found" in page
    found = _ago(days=5, hours=3)
    response = client.post(reverse("missing-episode-edit", args=[episode.pk]), {
        **_moment("missing_at", missing), **_moment("found_at", found), "reported_by": "Foster carer",
        "where_found": "Bus station", "harm_disclosed": "no", "version": 1})
    assert response.status_code == 302
    response = client.post(reverse("return-interview", args=[episode.pk]), {
        "outcome": "accepted", **_moment("offered_at", _ago(days=1)), "conducted_by": agencies["la"].pk,
        "held_on_0": timezone.localdate().day, "held_on_1": timezone.localdate().month,
        "held_on_2": timezone.localdate().year, "words": "I just needed space"})
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(reverse("missing-episode", args=[episode.pk])).content.decode()
    assert "Offered 1 day" in page and "late" in page and "I just needed space" in page
    case_page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "Missing episodes" in case_page and reverse("missing-episode", args=[episode.pk]) in case_page
    assert case_page.count("See the missing episode") == 3  # reported, found, interview


def test_a_form_with_mistakes_says_so_in_its_title_and_keeps_what_was_typed(client, alice, case):
    client_for(client, alice)
    response = client.post(reverse("missing-episode-new", args=[case.pk]), {
        **_moment("missing_at", _ago(days=2)), "found_at_on_0": "31", "found_at_on_1": "2", "found_at_on_2": "2026",
        "found_at_time": "25:00", "reported_by": "Teacher who saw it", "harm_disclosed": "no"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page and "Teacher who saw it" in page
    response = client.post(reverse("missing-episode-new", args=[case.pk]), {
        **_moment("missing_at", _ago(days=2)), **_moment("found_at", _ago(days=3)), "reported_by": "Carer",
        "harm_disclosed": "no"})
    assert "They must be found after they were reported missing" in response.content.decode()
    assert not MissingEpisode.objects.exists()


def test_the_nrm_pages_record_a_referral_and_a_decision(client, alice, case):
    client_for(client, alice)
    referred = timezone.localdate() - timedelta(days=30)
    response = client.post(reverse("nrm-referral-new", args=[case.pk]), {
        "first_responder": "nspcc", "referred_on_0": referred.day, "referred_on_1": referred.month,
        "referred_on_2": referred.year, "exploitation_types": ["sexual", "criminal"], "rg_decision": "awaited",
        "cg_decision": "awaited", "devolved_pilot": "no"})
    referral = NrmReferral.objects.get()
    assert response.status_code == 302 and referral.exploitation_types == ["sexual", "criminal"]
    page = client.get(reverse("nrm-referral", args=[referral.pk])).content.decode()
    assert "Not needed: under 18 when referred" in page and "NSPCC" in page
    stale = client.post(reverse("nrm-referral-edit", args=[referral.pk]), {
        "first_responder": "nspcc", "referred_on_0": referred.day, "referred_on_1": referred.month,
        "referred_on_2": referred.year, "exploitation_types": ["sexual"], "rg_decision": "positive",
        "rg_decided_on_0": referred.day, "rg_decided_on_1": referred.month, "rg_decided_on_2": referred.year,
        "cg_decision": "awaited", "devolved_pilot": "no", "version": 7})
    assert "Someone else changed this record" in stale.content.decode()
    referral.refresh_from_db()
    assert referral.rg_decision == GroundsDecision.AWAITED


def test_a_partner_who_may_only_view_sees_the_records_but_no_buttons_and_an_outsider_gets_404(
        client, alice, pete, oscar, case, agencies, episode):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    referral = _nrm(alice, case)
    client_for(client, pete)
    page = client.get(reverse("missing-episode", args=[episode.pk])).content.decode()
    assert "Reported missing" in page and "Record that they were found" not in page
    assert client.get(reverse("missing-episode-edit", args=[episode.pk])).status_code == 403
    assert client.get(reverse("nrm-referral-edit", args=[referral.pk])).status_code == 403
    case_page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "Record a missing episode" not in case_page and reverse("nrm-referral", args=[referral.pk]) in case_page
    client_for(client, oscar)
    for name, pk in (("missing-episode", episode.pk), ("return-interview", episode.pk), ("nrm-referral", referral.pk),
                     ("missing-episode-new", case.pk), ("nrm-referral-edit", referral.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_the_free_text_form_no_longer_offers_the_recorded_kinds_but_old_entries_still_read(client, alice, case):
    old = services.chronology_add(actor=alice, case=case, kind=EntryKind.MISSING, occurred_at=_ago(days=400),
                                  text="Missing overnight, back by morning")
    client_for(client, alice)
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    entry_form = page[page.index(f'action="{reverse("chronology-add", args=[case.pk])}"'):]
    entry_form = entry_form[:entry_form.index("</form>")]
    assert '<option value="missing"' not in entry_form and '<option value="note"' in entry_form
    assert '<option value="missing"' in page  # the chronology's filter still finds the old entries of that kind
    assert old.text in page and "Written as text before these were recorded as data" in page


def test_the_edit_pages_open_with_what_was_recorded(client, alice, case, agencies, episode):
    found = _found(alice, episode, where_found="Canal towpath")
    services.return_interview_record(actor=alice, episode=found, outcome=RhiOutcome.ACCEPTED, offered_at=_ago(days=3),
                                     conducted_by=agencies["police"], words="Nothing happened")
    referral = _nrm(alice, case, rg_decision="negative", rg_decided_on=timezone.localdate() - timedelta(days=50))
    client_for(client, alice)
    episode_page = client.get(reverse("missing-episode-edit", args=[episode.pk])).content.decode()
    local = timezone.localtime(found.found_at)
    assert 'value="Canal towpath"' in episode_page and f'value="{local:%H:%M}"' in episode_page
    interview_page = client.get(reverse("return-interview", args=[episode.pk])).content.decode()
    assert "Northfield Police" in interview_page and "Nothing happened" in interview_page
    assert 'name="version" value="1"' in interview_page
    nrm_page = client.get(reverse("nrm-referral-edit", args=[referral.pk])).content.decode()
    [chosen] = [tag for tag in re.findall(r"<input[^>]*>", nrm_page)
                if 'name="rg_decision"' in tag and 'value="negative"' in tag]
    assert "checked" in chosen
