"""Every service, called directly (as the API, a job or the admin would), as every member of the cast.

Services are found by themselves: every public function of an app's ``services`` module (and the kernel's sharing)
that takes the actor as a keyword. Each must have a scenario below, saying how to call it and who may; a new
service without one fails ``test_every_service_has_a_scenario``.

For each service and each actor, in a savepoint rolled back afterwards:
- one who may not is refused (PermissionDenied, or Http404 where the record is not visible to them) and nothing
  changes: no row of any model (domain, grants, change history) and no audit row appears or goes;
- one who may succeeds (no refusal, no validation error) and writes at least one audit row.

The cast: alice (social worker), mandy (team manager), colin (panel chair, chairs the world's panel), carla (panel
chair in the same authority who does not chair it), adam (administrator), all in the lead authority; pete (police:
the case and the place are shared with them to contribute, the peer group to view), sam (school: asked to contribute
to the assessment), oscar (housing: nothing shared), and the system actor of a command.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from inspect import Parameter, getmembers, isfunction, signature

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cases.models import EntryKind
from contexts.models import AssociationNature, ContextStatus, Place, PlaceKind, PlaceLinkNature, Reliability
from panels.models import AttendanceStatus, MeetingStatus, PanelKind
from safeguarding import access
from safeguarding.models import AgencyKind, AuditEvent, User
from safeguarding.roles import Role
from tests.conftest import LAWFUL, REFERRAL_LAWFUL

from ..assessments.conftest import complete_answers
from ..conftest import SYSTEM, _person
from . import world as world_module
from .test_outsider_matrix import row_counts

pytestmark = pytest.mark.django_db

SERVICE_MODULES = ["safeguarding.services", "safeguarding.access", "cases.services", "cases.referrals",
                   "cases.transfers", "cases.transitions", "contexts.services",
                   "assessments.services", "panels.services", "reports.services"]
CAST = ["alice", "mandy", "colin", "carla", "adam", "pete", "sam", "oscar", "system"]


def discovered() -> set[str]:
    found = set()
    for module_name in SERVICE_MODULES:
        module = import_module(module_name)
        for name, fn in getmembers(module, isfunction):
            if name.startswith("_") or fn.__module__ != module_name:
                continue
            actor = signature(fn).parameters.get("actor")
            if actor is not None and actor.kind == Parameter.KEYWORD_ONLY:
                found.add(f"{module_name}.{name}")
    return found


@dataclass
class Scenario:
    may: set[str]
    call: callable  # (world, actor) -> result; sets up what it needs, then calls the service
    notes: str = ""
    valid: bool = field(default=True)


def fresh(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def _today():
    return timezone.localdate()


def _met(w):
    """The world's item about a young person, its meeting held yesterday: feedback can now be recorded."""
    from panels.models import Meeting

    item = fresh(w["item"])
    Meeting.objects.filter(pk=item.meeting_id).update(status=MeetingStatus.IN_PROGRESS,
                                                      starts_at=timezone.now() - timedelta(days=1))
    return item


def _submitted(w):
    """The world's assessment, complete and submitted by alice."""
    from assessments import services

    assessment = fresh(w["assessment"])
    saved = services.assessment_save(
        actor=w["cast"]["alice"], assessment=assessment, expected_version=assessment.version,
        answers=complete_answers(assessment.framework_version.definition), priority="Lighting",
        priority_reason="Most incidents happen after dark.")
    return services.assessment_submit(actor=w["cast"]["alice"], assessment=saved, expected_version=saved.version,
                                      pending_confirmed=True)  # without waiting for the school


def _completed(w):
    from assessments import services

    assessment = fresh(w["assessment"])
    return services.assessment_save(
        actor=w["cast"]["alice"], assessment=assessment, expected_version=assessment.version,
        answers=complete_answers(assessment.framework_version.definition), priority="Lighting",
        priority_reason="Most incidents happen after dark.")


def _police_provider(w):
    from safeguarding import services

    return services.identity_provider_set(
        actor=SYSTEM, agency=fresh(w["agencies"]["police"]), issuer="https://login.example.org/police/v2.0",
        client_id="efh-police", client_secret="police-secret-0123456789", email_domains=["northfield.police.uk"])


def _bound(w, who):
    """``who``, bound to the police's provider at a first sign-in (as the service does it)."""
    from safeguarding import services

    person = fresh(w["cast"][who])
    services.sso_account_bind(actor=SYSTEM, user=person, identity_provider=_police_provider(w),
                              uid=f"subject-of-{who}", claims={})
    return person


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _ready(pack):
    """The world's police pack as if built (its file is not there: what the rebuild is for)."""
    from panels.models import PackStatus, PanelPack

    PanelPack.objects.filter(pk=pack.pk).update(status=PackStatus.READY, file=f"packs/missing-{pack.pk}.pdf")
    return fresh(pack)


def _sar_to_review(w):
    """A subject access request asked for by the council's data protection officer, built (its files are not needed
    to decide who may sign it off)."""
    from safeguarding import services
    from safeguarding.models import SubjectAccessRequest, SubjectAccessStatus

    dora = User.objects.filter(username="dora").first() or _person(w["agencies"], "dora", "la",
                                                                   Role.DATA_PROTECTION_OFFICER)
    sar = services.subject_access_request(actor=dora, young_person=fresh(w["person"]), requested_by="Her mother",
                                          received_on=_today())
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(status=SubjectAccessStatus.TO_REVIEW)
    return fresh(sar)


def _adult_services(w):
    from safeguarding import services

    return services.agency_create(actor=SYSTEM, name="Northfield Adult Social Care", kind=AgencyKind.ADULT_SOCIAL_CARE)


def _plan(w, *, agreed=False):
    """The world's case's transition plan, opened (and agreed) by alice."""
    from cases import transitions

    alice = w["cast"]["alice"]
    plan = transitions.transition_plan_open(
        actor=alice, case=fresh(w["case"]), adult_agency=_adult_services(w), continues="Youth worker until 21",
        handover_on=_today() + timedelta(days=200), early_reason="NRM decision awaited")
    if agreed:
        plan = transitions.transition_plan_update(actor=alice, plan=plan, expected_version=plan.version, agreed=True)
    return plan


def _scenarios():
    from assessments import services as a
    from cases import referrals as f
    from cases import services as c
    from cases import transfers as t
    from cases import transitions as tr
    from contexts import services as x
    from panels import services as p
    from reports import services as r
    from safeguarding import services as k

    lead = {"alice", "mandy"}
    admin = {"adam", "system"}
    partners = {"pete", "sam", "oscar"}  # referring to the lead authority (its own people record directly)
    people = set(CAST) - {"system"}
    return {
        # --- the kernel: agencies, people, sharing ---
        "safeguarding.services.agency_create": Scenario(admin, lambda w, u: k.agency_create(
            actor=u, name="Northfield Youth Club", kind=AgencyKind.VOLUNTARY_SECTOR)),
        "safeguarding.services.agency_update": Scenario(admin, lambda w, u: k.agency_update(
            actor=u, agency=fresh(w["agencies"]["housing"]), name="Northfield Homes Trust")),
        # An agency's teams: set up with the agency, by an administrator.
        "safeguarding.services.team_create": Scenario(admin, lambda w, u: k.team_create(
            actor=u, agency=fresh(w["agencies"]["la"]), name="Exploitation team")),
        "safeguarding.services.team_update": Scenario(admin, lambda w, u: k.team_update(
            actor=u, team=k.team_create(actor=SYSTEM, agency=fresh(w["agencies"]["la"]), name="Old team"),
            name="Renamed team")),
        "safeguarding.services.user_create": Scenario(admin, lambda w, u: k.user_create(
            actor=u, username="newperson", agency=fresh(w["agencies"]["school"]), roles=[Role.PARTNER_PRACTITIONER],
            first_name="New", last_name="Person", email="new@example.org")),
        "safeguarding.services.user_update": Scenario(admin, lambda w, u: k.user_update(
            actor=u, user=fresh(w["cast"]["sam"]), job_title="Designated safeguarding lead")),
        "safeguarding.services.user_deactivate": Scenario(admin, lambda w, u: k.user_deactivate(
            actor=u, user=fresh(w["cast"]["sam"]))),
        # Single sign-on: recording an agency's provider and undoing a person's binding are an administrator's; binding
        # is the service's own, at the person's first sign-in (safeguarding.sso).
        "safeguarding.services.identity_provider_set": Scenario(admin, lambda w, u: k.identity_provider_set(
            actor=u, agency=fresh(w["agencies"]["housing"]), issuer="https://login.example.org/homes/v2.0",
            client_id="efh-homes", client_secret="homes-secret-0123456789", email_domains=["northfieldhomes.org.uk"])),
        "safeguarding.services.sso_account_bind": Scenario({"system"}, lambda w, u: k.sso_account_bind(
            actor=u, user=fresh(w["cast"]["pete"]), identity_provider=_police_provider(w), uid="subject-of-pete",
            claims={})),
        "safeguarding.services.sso_account_unbind": Scenario(admin, lambda w, u: k.sso_account_unbind(
            actor=u, user=_bound(w, "pete"))),
        "safeguarding.services.user_invite": Scenario(admin, lambda w, u: k.user_invite(
            actor=u, username="invited", agency=fresh(w["agencies"]["school"]), roles=[Role.PARTNER_PRACTITIONER],
            first_name="Invited", last_name="Person", email="invited@example.org")),
        # Only an invited person who has not yet accepted may: everyone in the cast has an account already.
        "safeguarding.services.invitation_accept": Scenario(set(), lambda w, u: k.invitation_accept(
            actor=u, password="a long passphrase of several words")),
        "safeguarding.services.user_factors_reset": Scenario(admin, lambda w, u: k.user_factors_reset(
            actor=u, user=fresh(w["cast"]["sam"]))),
        # A person's own notifications and how they are told: any person, for themselves; one notification, its
        # recipient alone (pete's: the world's action is his).
        "safeguarding.services.notification_preference_set": Scenario(
            people, lambda w, u: k.notification_preference_set(actor=u, preference="daily")),
        "safeguarding.services.notification_read": Scenario({"pete"}, lambda w, u: k.notification_read(
            actor=u, notification=fresh(w["notification"]))),
        "safeguarding.services.notifications_read_all": Scenario(people, lambda w, u: k.notifications_read_all(
            actor=u)),
        # A partner system's API client: registered and revoked by an administrator (or the system, in a command).
        "safeguarding.services.api_client_register": Scenario(admin, lambda w, u: k.api_client_register(
            actor=u, agency=w["agencies"]["police"], name="Force records system", scopes={"cases": "read"})),
        "safeguarding.services.api_client_revoke": Scenario(admin, lambda w, u: k.api_client_revoke(
            actor=u, client=k.api_client_register(actor=SYSTEM, agency=w["agencies"]["police"], name="Old system",
                                                  scopes={"cases": "read"})[0])),
        # Documents: attaching follows the record's contribute rule (a case: whoever adds to its chronology); saying a
        # file is missing, whoever sees the record; that it is back, the service's own jobs.
        "safeguarding.services.document_upload": Scenario(
            lead | {"colin", "carla", "pete"}, lambda w, u: k.document_upload(
                actor=u, record=fresh(w["case"]), upload=_upload("Contact log.txt", b"Seen at the station"))),
        "safeguarding.services.missing_file_record": Scenario(
            lead | {"colin", "carla", "adam", "pete"}, lambda w, u: k.missing_file_record(
                actor=u, record=fresh(w["case_document"]), path=w["case_document"].stored_as)),
        "safeguarding.services.missing_file_resolve": Scenario({"system"}, lambda w, u: (
            k.missing_file_record(actor=w["cast"]["alice"], record=fresh(w["case_document"]), path="gone"),
            k.missing_file_resolve(actor=u, record=fresh(w["case_document"])))[1],
            notes="alice reports it missing first; only the service's jobs say it is back"),
        # An agency's partner systems (webhooks): its administrators (the world's is the council's), or a command.
        "safeguarding.services.webhook_create": Scenario(admin, lambda w, u: k.webhook_create(
            actor=u, agency=w["agencies"]["la"], url="https://hooks.example.org/efh", events=["record.shared"])),
        "safeguarding.services.webhook_pause": Scenario(admin, lambda w, u: k.webhook_pause(
            actor=u, subscription=fresh(w["webhook"]))),
        "safeguarding.services.webhook_resume": Scenario(admin, lambda w, u: k.webhook_resume(
            actor=u, subscription=k.webhook_pause(actor=SYSTEM, subscription=fresh(w["webhook"])))),
        "safeguarding.services.webhook_rotate_secret": Scenario(admin, lambda w, u: k.webhook_rotate_secret(
            actor=u, subscription=fresh(w["webhook"]))),
        "safeguarding.services.webhook_test": Scenario(admin, lambda w, u: k.webhook_test(
            actor=u, subscription=fresh(w["webhook"]))),
        "safeguarding.services.webhook_delete": Scenario(admin, lambda w, u: k.webhook_delete(
            actor=u, subscription=fresh(w["webhook"]))),
        # Information-sharing agreements: administrators (and a setup command) record and change them.
        "safeguarding.services.agreement_create": Scenario(admin, lambda w, u: k.agreement_create(
            actor=u, parties=[w["agencies"]["la"], w["agencies"]["school"]], title="Schools agreement",
            reference="SCH-1", starts_on=_today(), review_on=_today() + timedelta(days=90), summary="Pupils")),
        "safeguarding.services.agreement_update": Scenario(admin, lambda w, u: k.agreement_update(
            actor=u, agreement=fresh(w["agreement"]), expected_version=fresh(w["agreement"]).version,
            parties=[w["agencies"]["la"], w["agencies"]["police"], w["agencies"]["school"]], title="Wider accord",
            reference="QA-1", starts_on=_today(), review_on=_today() + timedelta(days=90), summary="More")),
        "safeguarding.access.share": Scenario(lead, lambda w, u: access.share(
            actor=u, obj=fresh(w["case"]), agency=w["agencies"]["school"], level=access.VIEW, basis=LAWFUL)),
        "safeguarding.access.unshare": Scenario(lead, lambda w, u: access.unshare(
            actor=u, obj=fresh(w["case"]), agency=w["agencies"]["police"])),
        # --- data protection: retention schedules (administrators), the daily listing (the system), deciding on a
        # listed record (the council's manager), subject access (its manager asks; another signs off) ---
        "safeguarding.services.retention_schedule_save": Scenario(admin, lambda w, u: k.retention_schedule_save(
            actor=u, record_type="contexts.place", months=72)),
        "safeguarding.services.retention_list_due": Scenario({"system"}, lambda w, u: k.retention_list_due(
            actor=u)),
        "safeguarding.services.retention_item_keep": Scenario({"mandy"}, lambda w, u: k.retention_item_keep(
            actor=u, item=fresh(w["retention_item"]), expected_version=w["retention_item"].version,
            reason="A complaint is open", keep_until=_today() + timedelta(days=365))),
        "safeguarding.services.retention_item_dispose": Scenario({"mandy"}, lambda w, u: k.retention_item_dispose(
            actor=u, item=fresh(w["retention_item"]), expected_version=w["retention_item"].version)),
        "safeguarding.services.subject_access_request": Scenario({"mandy"}, lambda w, u: k.subject_access_request(
            actor=u, young_person=fresh(w["person"]), requested_by="Her solicitor", received_on=_today())),
        "safeguarding.services.subject_access_sign_off": Scenario({"mandy"}, lambda w, u: k.subject_access_sign_off(
            actor=u, request=_sar_to_review(w), expected_version=1),
            notes="asked for by the data protection officer; anyone else who may sign off, in the council"),
        "safeguarding.services.subject_access_rebuild": Scenario({"mandy"}, lambda w, u: k.subject_access_rebuild(
            actor=u, request=_sar_to_review(w), expected_version=1)),
        # --- young people, cases, chronologies ---
        "cases.services.young_person_create": Scenario(lead, lambda w, u: c.young_person_create(
            actor=u, first_name="Rowan", last_name="Test", date_of_birth=_today() - timedelta(days=15 * 365),
            sex="female", ethnicity="not_known")),
        "cases.services.young_person_update": Scenario(lead, lambda w, u: c.young_person_update(
            actor=u, young_person=fresh(w["person"]), expected_version=fresh(w["person"]).version,
            first_language="Welsh")),
        "cases.services.trusted_adult_add": Scenario(lead, lambda w, u: c.trusted_adult_add(
            actor=u, young_person=fresh(w["person"]), name="Coach Test", relationship="Football coach")),
        "cases.services.voice_entry_add": Scenario(lead | {"colin", "carla", "pete"}, lambda w, u: c.voice_entry_add(
            actor=u, young_person=fresh(w["person"]), said_on=_today(), words="I want to stay at my school")),
        "cases.services.case_open": Scenario(lead, lambda w, u: c.case_open(
            actor=u, young_person=fresh(w["person"]), harm_types=["cce"], risk_level="medium",
            summary="A second concern")),
        "cases.services.case_update": Scenario(lead, lambda w, u: c.case_update(
            actor=u, case=fresh(w["case"]), expected_version=fresh(w["case"]).version, summary="Updated")),
        "cases.services.case_close": Scenario({"mandy"}, lambda w, u: c.case_close(
            actor=u, case=fresh(w["case"]), expected_version=fresh(w["case"]).version, reason="nfa")),
        "cases.services.chronology_add": Scenario(lead | {"colin", "carla", "pete"}, lambda w, u: c.chronology_add(
            actor=u, case=fresh(w["case"]), kind=EntryKind.NOTE, occurred_at=timezone.now(), text="A note")),
        # --- missing episodes, return home interviews, NRM referrals: whoever may add to the case's chronology ---
        "cases.services.missing_episode_record": Scenario(lead | {"colin", "carla", "pete"},
                                                          lambda w, u: c.missing_episode_record(
            actor=u, case=fresh(w["case"]), missing_at=timezone.now() - timedelta(hours=5),
            reported_by="Residential home staff")),
        # The world's episode and NRM referral are on the friend's case, shared with the police only to view.
        "cases.services.missing_episode_update": Scenario(lead | {"colin", "carla"},
                                                          lambda w, u: c.missing_episode_update(
            actor=u, episode=fresh(w["episode"]), expected_version=fresh(w["episode"]).version,
            police_reference="NF-MIS-9000")),
        "cases.services.return_interview_record": Scenario(lead | {"colin", "carla", "pete"}, lambda w, u: (
            lambda episode: c.return_interview_record(
                actor=u, episode=episode, outcome="declined", offered_at=timezone.now() - timedelta(hours=1)))(
            c.missing_episode_record(actor=w["cast"]["alice"], case=fresh(w["case"]),
                                     missing_at=timezone.now() - timedelta(hours=9), reported_by="Mum",
                                     found_at=timezone.now() - timedelta(hours=3))),
            notes="an episode with no interview yet, recorded by alice"),
        "cases.services.return_interview_update": Scenario(lead | {"colin", "carla"},
                                                           lambda w, u: c.return_interview_update(
            actor=u, interview=fresh(w["episode"].return_interview),
            expected_version=fresh(w["episode"].return_interview).version, next_steps="Weekly check-ins")),
        "cases.services.nrm_referral_record": Scenario(lead | {"colin", "carla", "pete"},
                                                       lambda w, u: c.nrm_referral_record(
            actor=u, case=fresh(w["case"]), first_responder="police", referred_on=_today(),
            exploitation_types=["sexual"])),
        "cases.services.nrm_referral_update": Scenario(lead | {"colin", "carla"},
                                                       lambda w, u: c.nrm_referral_update(
            actor=u, referral=fresh(w["nrm_referral"]), expected_version=fresh(w["nrm_referral"]).version,
            cg_decision="positive", cg_decided_on=_today())),
        # --- the front door: referrals (the police referred both waiting ones), and transfers ---
        "cases.services.referral_create": Scenario(partners, lambda w, u: c.referral_create(
            actor=u, first_name="Rowan", last_name="Referred", postcode="B2 2BB", concerns="Seen with adults",
            harm_types=["cce"], family_knows="Nothing yet", young_person_agreed="not_asked", **REFERRAL_LAWFUL)),
        "contexts.services.context_referral_create": Scenario(partners, lambda w, u: x.context_referral_create(
            actor=u, kind="peer_group", name="Station crew", concerns="Fights", harm_types=["syv"],
            **REFERRAL_LAWFUL)),
        "cases.services.referral_accept": Scenario({"mandy"}, lambda w, u: c.referral_accept(
            actor=u, referral=fresh(w["yp_referral"]), expected_version=fresh(w["yp_referral"]).version)),
        "contexts.services.context_referral_accept": Scenario({"mandy"}, lambda w, u: x.context_referral_accept(
            actor=u, referral=fresh(w["context_referral"]), expected_version=fresh(w["context_referral"]).version)),
        "cases.referrals.referral_decline": Scenario({"mandy"}, lambda w, u: f.referral_decline(
            actor=u, referral=fresh(w["yp_referral"]), expected_version=fresh(w["yp_referral"]).version,
            reason="Early help instead")),
        "cases.referrals.referral_ask": Scenario({"mandy"}, lambda w, u: f.referral_ask(
            actor=u, referral=fresh(w["context_referral"]), expected_version=fresh(w["context_referral"]).version,
            question="Which entrance?")),
        "cases.referrals.referral_answer": Scenario({"pete"}, lambda w, u: (
            lambda asked: f.referral_answer(actor=u, referral=asked, expected_version=asked.version,
                                            answer="The north entrance"))(f.referral_ask(
                actor=w["cast"]["mandy"], referral=fresh(w["yp_referral"]), expected_version=fresh(
                    w["yp_referral"]).version, question="Which school?")),
            notes="the referring agency, once the front door has asked"),
        "cases.transfers.transfer_request": Scenario({"mandy"}, lambda w, u: t.transfer_request(
            actor=u, record=fresh(w["case"]), to_agency=w["agencies"]["school"], reason="Moved school", basis=LAWFUL)),
        "cases.transfers.transfer_accept": Scenario({"mandy"}, lambda w, u: t.transfer_accept(
            actor=u, transfer=fresh(w["context_transfer"]), expected_version=fresh(w["context_transfer"]).version,
            lead_practitioner=u)),
        "cases.transfers.transfer_reject": Scenario({"mandy"}, lambda w, u: t.transfer_reject(
            actor=u, transfer=fresh(w["context_transfer"]), expected_version=fresh(w["context_transfer"]).version,
            reason="Not ours")),
        # --- transitional safeguarding: whoever may change the case ---
        "cases.transitions.transition_plan_open": Scenario(lead, lambda w, u: tr.transition_plan_open(
            actor=u, case=fresh(w["case"]), adult_agency=_adult_services(w), continues="Mentoring",
            handover_on=_today() + timedelta(days=200), early_reason="NRM decision awaited")),
        "cases.transitions.transition_plan_update": Scenario(lead, lambda w, u: (
            lambda plan: tr.transition_plan_update(actor=u, plan=plan, expected_version=plan.version,
                                                   notes="Met adult services"))(_plan(w))),
        "cases.transitions.transition_plan_handover": Scenario(lead, lambda w, u: (
            lambda plan: tr.transition_plan_handover(actor=u, plan=plan, expected_version=plan.version))(
                _plan(w, agreed=True))),
        # --- places, groups, evidence ---
        "contexts.services.context_create": Scenario(lead | {"pete", "sam", "oscar"}, lambda w, u: x.context_create(
            actor=u, model=Place, name="Underpass by the station", kind=PlaceKind.TRANSPORT, status=ContextStatus.NOTED,
            description="Reported by several agencies")),
        "contexts.services.context_update": Scenario(lead, lambda w, u: x.context_update(
            actor=u, record=fresh(w["place"]), expected_version=fresh(w["place"]).version,
            description="Updated")),
        "contexts.services.membership_add": Scenario(lead, lambda w, u: x.membership_add(
            actor=u, peer_group=fresh(w["hidden_group"]), young_person=fresh(w["friend"]), role="peripheral",
            reliability=Reliability.REPORTED)),
        "contexts.services.association_add": Scenario(lead, lambda w, u: x.association_add(
            actor=u, person=fresh(w["person"]), other=fresh(w["stranger"]), nature=AssociationNature.SIBLING,
            reliability=Reliability.REPORTED)),
        "contexts.services.place_link_add": Scenario(lead | {"pete"}, lambda w, u: x.place_link_add(
            actor=u, place=fresh(w["place"]), young_person=fresh(w["person"]), nature=PlaceLinkNature.FREQUENTS,
            reliability=Reliability.REPORTED)),
        "contexts.services.link_review": Scenario(lead | {"pete"}, lambda w, u: x.link_review(
            actor=u, link=fresh(w["place_link"]), expected_version=fresh(w["place_link"]).version,
            review_by=_today() + timedelta(days=60))),
        "contexts.services.link_end": Scenario(lead | {"pete"}, lambda w, u: x.link_end(
            actor=u, link=fresh(w["place_link"]), expected_version=fresh(w["place_link"]).version,
            reason="No longer seen there")),
        "contexts.services.links_review_many": Scenario(lead | {"pete"}, lambda w, u: x.links_review_many(
            actor=u, links=[(fresh(w["place_link"]), fresh(w["place_link"]).version)], decision="review",
            review_by=_today() + timedelta(days=60))),
        "contexts.services.guardian_add": Scenario(lead | {"pete"}, lambda w, u: x.guardian_add(
            actor=u, place=fresh(w["place"]), name="Cafe owner", role="Owner")),
        "contexts.services.guardian_training_add": Scenario(lead | {"pete"}, lambda w, u: x.guardian_training_add(
            actor=u, guardian=fresh(w["guardian"]), given_on=_today(), topic="Spotting exploitation")),
        "contexts.services.place_tag": Scenario(lead | {"pete"}, lambda w, u: x.place_tag(
            actor=u, entry=fresh(w["entry"]), place=fresh(w["place"]))),
        # --- frameworks, assessments, contributions, safety plans ---
        "assessments.services.framework_install": Scenario(admin, lambda w, u: a.framework_install(
            actor=u, definition={**fresh(w["framework"]).versions.first().definition, "key": "local",
                                 "name": "A local framework", "subject": "place"})),
        "assessments.services.framework_revise": Scenario(admin, lambda w, u: a.framework_revise(
            actor=u, framework=fresh(w["framework"]), definition={
                **a.current_version(w["framework"]).definition, "key": "neighbourhood",
                "name": w["framework"].name, "subject": "place"}, change_note="Clearer wording")),
        "assessments.services.assessment_start": Scenario(lead | {"pete"}, lambda w, u: a.assessment_start(
            actor=u, subject=fresh(w["place"]), framework=w["framework"])),
        "assessments.services.assessment_save": Scenario(lead, lambda w, u: a.assessment_save(
            actor=u, assessment=fresh(w["assessment"]), expected_version=fresh(w["assessment"]).version,
            answers={})),
        "assessments.services.assessment_save_section": Scenario(lead, lambda w, u: a.assessment_save_section(
            actor=u, assessment=fresh(w["assessment"]), section="outcome",
            expected_version=fresh(w["assessment"]).version, seen="", values={})),
        "assessments.services.assessment_submit": Scenario(lead, lambda w, u: (
            lambda done: a.assessment_submit(actor=u, assessment=done, expected_version=done.version,
                                             pending_confirmed=True))(_completed(w))),
        "assessments.services.assessment_decide": Scenario({"mandy"}, lambda w, u: (
            lambda done: a.assessment_decide(actor=u, assessment=done, expected_version=done.version,
                                             approve=True, pending_confirmed=True))(_submitted(w))),
        "assessments.services.contribution_request": Scenario(lead, lambda w, u: a.contribution_request(
            actor=u, assessment=fresh(w["assessment"]), agency=w["agencies"]["police"], question="What do you see?",
            due_on=_today() + timedelta(days=7), basis=LAWFUL)),
        "assessments.services.contribution_answer": Scenario({"sam"}, lambda w, u: a.contribution_answer(
            actor=u, contribution=fresh(w["contribution"]), expected_version=fresh(w["contribution"]).version,
            response="Pupils avoid the park after school", basis=LAWFUL)),
        "assessments.services.contribution_withdraw": Scenario(lead, lambda w, u: a.contribution_withdraw(
            actor=u, contribution=fresh(w["contribution"]))),
        "assessments.services.goal_add": Scenario(lead, lambda w, u: a.goal_add(
            actor=u, subject=fresh(w["place"]), statement="Lighting fixed", met_when="Lights work",
            measured_by="Council check")),
        "assessments.services.goals_add": Scenario(lead, lambda w, u: a.goals_add(
            actor=u, subject=fresh(w["place"]), goals=[
                {"statement": "Lighting fixed", "met_when": "Lights work", "measured_by": "Council check"},
                {"statement": "Path cleared", "met_when": "No litter", "measured_by": "Park warden"}])),
        "assessments.services.goal_update": Scenario(lead, lambda w, u: a.goal_update(
            actor=u, goal=fresh(w["goal"]), expected_version=fresh(w["goal"]).version, status="partly_met")),
        "assessments.services.intervention_add": Scenario(lead, lambda w, u: a.intervention_add(
            actor=u, goal=fresh(w["goal"]), what="Street lighting survey", owner_agency=w["agencies"]["la"],
            due_on=_today() + timedelta(days=14))),
        "assessments.services.intervention_report": Scenario(
            lead | {"colin", "carla"}, lambda w, u: a.intervention_report(
                actor=u, intervention=fresh(w["intervention"]), text="First session held", status="in_progress"),
            notes="the owning agency (the lead authority), or anyone who may change the plan"),
        # --- panels, meetings, actions, packs ---
        "panels.services.panel_create": Scenario({"mandy", "colin", "carla", "adam"}, lambda w, u: p.panel_create(
            actor=u, name="Context conference", kind=PanelKind.CONTEXT_CONFERENCE,
            member_agencies=[w["agencies"]["la"], w["agencies"]["police"]], chairs=[w["cast"]["colin"]])),
        "panels.services.panel_update": Scenario({"colin"}, lambda w, u: p.panel_update(
            actor=u, panel=fresh(w["panel"]), packs_to_apologies=False)),
        "panels.services.meeting_schedule": Scenario({"colin"}, lambda w, u: p.meeting_schedule(
            actor=u, panel=fresh(w["panel"]), starts_at=timezone.now() + timedelta(days=30), location="Room 2")),
        "panels.services.agenda_item_add": Scenario({"colin"}, lambda w, u: p.agenda_item_add(
            actor=u, meeting=fresh(w["meeting"]), theme="School holidays", reason="Rise in reports")),
        "panels.services.item_minute": Scenario({"colin"}, lambda w, u: p.item_minute(
            actor=u, item=fresh(w["item"]), expected_version=fresh(w["item"]).version, minutes="Discussed")),
        "panels.services.item_feedback_given": Scenario(
            {"alice", "mandy", "colin", "carla"}, lambda w, u: p.item_feedback_given(
                actor=u, item=_met(w), expected_version=fresh(w["item"]).version, given_on=_today(),
                how="In person, at a home visit"),
            notes="after the meeting: the agency holding the young person's record, with a role that records"),
        "panels.services.attendance_set": Scenario({"colin"}, lambda w, u: p.attendance_set(
            actor=u, meeting=fresh(w["meeting"]), person=fresh(w["cast"]["sam"]), status=AttendanceStatus.PRESENT)),
        "panels.services.action_add": Scenario({"colin"}, lambda w, u: p.action_add(
            actor=u, item=fresh(w["item"]), description="Visit the family", owner_agency=w["agencies"]["la"],
            due_on=_today() + timedelta(days=14))),
        "panels.services.action_report": Scenario({"colin", "pete"}, lambda w, u: p.action_report(
            actor=u, action=fresh(w["action"]), text="Interview arranged", status="in_progress"),
            notes="the owning agency (the police), or the chair running the meeting"),
        "panels.services.meeting_advance": Scenario({"colin"}, lambda w, u: p.meeting_advance(
            actor=u, meeting=fresh(w["meeting"]), to=MeetingStatus.IN_PROGRESS,
            expected_version=fresh(w["meeting"]).version)),
        "panels.services.packs_request": Scenario({"colin"}, lambda w, u: p.packs_request(
            actor=u, meeting=fresh(w["meeting"]))),
        # A ready pack whose file went missing: whoever may download it (the police's: the police, and the council
        # that runs the meeting).
        "panels.services.pack_rebuild": Scenario(lead | {"colin", "carla", "adam", "pete"}, lambda w, u: p.pack_rebuild(
            actor=u, pack=_ready(w["pack"]))),
        "panels.services.share_request_ask": Scenario({"colin"}, lambda w, u: p.share_request_ask(
            actor=u, item=fresh(w["group_item"]), agencies=[w["agencies"]["school"]], reason="Pupils are members"),
            notes="a chair running the meeting; the school cannot see the group"),
        "panels.services.share_request_approve": Scenario(lead, lambda w, u: p.share_request_approve(
            actor=u, share_request=fresh(w["share_request"]),
                basis=LAWFUL), notes="whoever may share the place: its agency, a role that shares"),
        "panels.services.share_request_decline": Scenario(lead, lambda w, u: p.share_request_decline(
            actor=u, share_request=fresh(w["share_request"]), reason="An operation is under way")),
        # --- reports: a list of named records needs names (not an analyst); the tables need reports only ---
        "reports.services.export_request": Scenario({"mandy", "colin", "carla"}, lambda w, u: r.export_request(
            actor=u, what="cases", params={"status": "open"}, fmt="xlsx")),
    }


def test_every_service_has_a_scenario():
    """A service nobody has said the rule of fails here: add its scenario (and so its rule) above."""
    found, known = discovered(), set(_scenarios())
    assert found - known == set(), f"services without a scenario: {sorted(found - known)}"
    assert known - found == set(), f"scenarios for services that no longer exist: {sorted(known - found)}"
    assert len(found) >= 45


@pytest.fixture
def matrix_world(alice, mandy, colin, adam, pete, sam, oscar, agencies):
    carla = _person(agencies, "carla", "la", Role.PANEL_CHAIR)
    cast = {"alice": alice, "mandy": mandy, "colin": colin, "carla": carla, "adam": adam, "pete": pete,
            "sam": sam, "oscar": oscar}
    world, _ = world_module.build(cast, agencies)  # case, friend's case, place and group shared with the police
    world.update(world_module.documents(cast, world))
    for record in (world["case"], world["place"]):
        access.share(actor=alice, obj=record, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    planted, _ = world_module.plant(cast, agencies, world)
    return {**world, **planted, "cast": cast, "agencies": agencies}


class _Rollback(Exception):
    pass


def _attempt(world, scenario, who) -> tuple[str, str]:
    """Call the scenario as ``who`` in a savepoint that is always rolled back: (outcome, what went wrong)."""
    outcome = ["", ""]
    try:
        with transaction.atomic():
            actor = SYSTEM if who == "system" else User.objects.get(pk=world["cast"][who].pk)
            setup_done = []

            def call():
                setup_done.append(True)
                return scenario.call(world, actor)

            before_audit = AuditEvent.objects.count()
            before = row_counts()
            try:
                with transaction.atomic():
                    call()
            except (PermissionDenied, Http404) as exc:
                outcome[:] = ["refused", type(exc).__name__]
                # The scenario's own setup (done as alice) is undone with the refusal's savepoint; compare anyway.
                after = row_counts()
                changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
                if changed or AuditEvent.objects.count() != before_audit:
                    outcome[1] += f"; but it changed {changed}"
            except ValidationError as exc:
                outcome[:] = ["invalid", "; ".join(exc.messages)]
            else:
                outcome[:] = ["done", "" if AuditEvent.objects.count() > before_audit else "; but nothing audited"]
            raise _Rollback
    except _Rollback:
        pass
    return outcome[0], outcome[1]


def test_each_service_refuses_whoever_may_not_and_lets_whoever_may(matrix_world):
    problems = []
    for name, scenario in sorted(_scenarios().items()):
        for who in CAST:
            outcome, detail = _attempt(matrix_world, scenario, who)
            expected = "done" if who in scenario.may else "refused"
            if outcome != expected or "but" in detail:
                problems.append(f"{name} as {who}: expected {expected}, got {outcome} {detail}".rstrip())
    assert not problems, "\n".join(problems)
