"""Roles and what each may *do*, declared once.

A role is a Django group holding model permissions. What a person may *see* is never a model permission:
it comes from object grants to their agency (safeguarding.access).
"""

from enum import StrEnum

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.models import Group, Permission
from django.db import transaction


class Perm(StrEnum):
    ADD_YOUNG_PERSON = "cases.add_youngperson"
    CHANGE_YOUNG_PERSON = "cases.change_youngperson"
    ADD_CASE = "cases.add_case"
    CHANGE_CASE = "cases.change_case"
    CLOSE_CASE = "cases.close_case"
    SHARE_CASE = "cases.share_case"
    ADD_CHRONOLOGY_ENTRY = "cases.add_chronologyentry"
    # The front door (cases.referrals): referring a young person, place or group to a lead authority, and deciding
    # what to do with one (a lead authority's team manager); transfers of a case, place or group between agencies.
    REFER = "cases.add_youngpersonreferral"
    TRIAGE = "cases.triage_referral"
    REQUEST_TRANSFER = "cases.add_casetransfer"
    DECIDE_TRANSFER = "cases.decide_transfer"
    ADD_PLACE = "contexts.add_place"
    CHANGE_PLACE = "contexts.change_place"
    SHARE_PLACE = "contexts.share_place"
    ADD_PEER_GROUP = "contexts.add_peergroup"
    CHANGE_PEER_GROUP = "contexts.change_peergroup"
    SHARE_PEER_GROUP = "contexts.share_peergroup"
    # Recording evidence (memberships, associations, place links, guardians) and reviewing or ending it.
    RECORD_LINK = "contexts.add_placelink"
    REVIEW_LINK = "contexts.change_placelink"
    ADD_ASSESSMENT = "assessments.add_assessment"
    CHANGE_ASSESSMENT = "assessments.change_assessment"
    APPROVE_ASSESSMENT = "assessments.approve_assessment"
    REQUEST_CONTRIBUTION = "assessments.add_contributionrequest"
    ANSWER_CONTRIBUTION = "assessments.change_contributionrequest"
    CHANGE_SAFETY_PLAN = "assessments.change_safetyplan"
    UPDATE_INTERVENTION = "assessments.add_interventionupdate"
    CHANGE_FRAMEWORK = "assessments.change_framework"
    ADD_PANEL = "panels.add_panel"
    RUN_MEETING = "panels.change_meeting"
    UPDATE_ACTION = "panels.add_actionupdate"
    SEARCH_AUDIT = "safeguarding.search_auditevent"
    VIEW_LANGUAGE_PHRASE = "safeguarding.view_languagephrase"
    ADD_LANGUAGE_PHRASE = "safeguarding.add_languagephrase"
    CHANGE_LANGUAGE_PHRASE = "safeguarding.change_languagephrase"
    ADD_USER = "safeguarding.add_user"
    VIEW_USER = "safeguarding.view_user"
    CHANGE_USER = "safeguarding.change_user"
    ADD_AGENCY = "safeguarding.add_agency"
    VIEW_AGENCY = "safeguarding.view_agency"
    # Registering and revoking partner systems' API clients (safeguarding.apiclients).
    ADD_API_CLIENT = "safeguarding.add_apiclient"
    VIEW_API_CLIENT = "safeguarding.view_apiclient"
    # Recording information-sharing agreements between agencies (safeguarding.lawful).
    ADD_AGREEMENT = "safeguarding.add_informationsharingagreement"
    CHANGE_AGREEMENT = "safeguarding.change_informationsharingagreement"
    CHANGE_AGENCY = "safeguarding.change_agency"
    # An agency's identity provider for single sign-on (safeguarding.sso): recording it is changing it.
    VIEW_IDENTITY_PROVIDER = "safeguarding.view_identityprovider"
    ADD_IDENTITY_PROVIDER = "safeguarding.add_identityprovider"
    CONFIGURE_SSO = "safeguarding.change_identityprovider"
    # An agency's partner systems told of what is addressed to it (safeguarding.webhooks): its administrators.
    MANAGE_WEBHOOKS = "safeguarding.change_webhooksubscription"
    # Opening individual records shared with the agency (safeguarding.access); analysts work with figures only.
    VIEW_RECORDS = "safeguarding.view_records"
    # Retention (safeguarding.retention): administrators set the schedules, managers keep or dispose of what is due.
    VIEW_RETENTION_SCHEDULE = "safeguarding.view_retentionschedule"
    ADD_RETENTION_SCHEDULE = "safeguarding.add_retentionschedule"
    CHANGE_RETENTION_SCHEDULE = "safeguarding.change_retentionschedule"
    DECIDE_RETENTION = "safeguarding.decide_retentionitem"
    # Subject access (safeguarding.subject_access) and the audit log's export, for the data protection officer.
    REQUEST_SUBJECT_ACCESS = "safeguarding.add_subjectaccessrequest"
    SIGN_OFF_SUBJECT_ACCESS = "safeguarding.review_subjectaccessrequest"
    EXPORT_AUDIT = "safeguarding.export_auditevent"
    VIEW_REPORTS = "reports.view_reports"


class Role(StrEnum):
    SOCIAL_WORKER = "Social worker"
    TEAM_MANAGER = "Team manager"
    PANEL_CHAIR = "Panel chair"
    PARTNER_PRACTITIONER = "Partner practitioner"
    PARTNER_MANAGER = "Partner manager"
    ANALYST = "Analyst"
    ADMINISTRATOR = "Administrator"
    DATA_PROTECTION_OFFICER = "Data protection officer"


# Any practitioner may refer a concern about a place or group and record what they know about links.
# Editing one needs the manage level too, which only its owning agency holds.
_CONTEXT_EVIDENCE = [Perm.ADD_PLACE, Perm.ADD_PEER_GROUP, Perm.CHANGE_PLACE, Perm.CHANGE_PEER_GROUP,
                     Perm.RECORD_LINK, Perm.REVIEW_LINK]

_PRACTICE = [
    Perm.VIEW_RECORDS,
    *_CONTEXT_EVIDENCE,
    Perm.SHARE_PLACE,
    Perm.SHARE_PEER_GROUP,
    Perm.ADD_YOUNG_PERSON,
    Perm.CHANGE_YOUNG_PERSON,
    Perm.ADD_CASE,
    Perm.CHANGE_CASE,
    Perm.SHARE_CASE,
    Perm.ADD_CHRONOLOGY_ENTRY,
    Perm.REFER,
    Perm.ADD_ASSESSMENT,
    Perm.CHANGE_ASSESSMENT,
    Perm.REQUEST_CONTRIBUTION,
    Perm.ANSWER_CONTRIBUTION,
    Perm.CHANGE_SAFETY_PLAN,
    Perm.UPDATE_INTERVENTION,
    Perm.UPDATE_ACTION,
]

ROLE_PERMISSIONS: dict[Role, list[Perm]] = {
    Role.SOCIAL_WORKER: _PRACTICE,
    Role.TEAM_MANAGER: [*_PRACTICE, Perm.TRIAGE, Perm.REQUEST_TRANSFER, Perm.DECIDE_TRANSFER,
                        Perm.CLOSE_CASE, Perm.SEARCH_AUDIT, Perm.APPROVE_ASSESSMENT, Perm.ADD_PANEL,
                        Perm.VIEW_REPORTS, Perm.DECIDE_RETENTION, Perm.REQUEST_SUBJECT_ACCESS,
                        Perm.SIGN_OFF_SUBJECT_ACCESS],
    Role.PANEL_CHAIR: [Perm.VIEW_RECORDS, Perm.VIEW_REPORTS,
                       Perm.ADD_CHRONOLOGY_ENTRY, Perm.ANSWER_CONTRIBUTION, Perm.UPDATE_INTERVENTION,
                       Perm.ADD_PANEL, Perm.RUN_MEETING, Perm.UPDATE_ACTION],
    # Partners answer requests, update their own interventions, and may run an assessment of a context shared
    # with them to contribute (a school's self-assessment).
    Role.PARTNER_PRACTITIONER: [Perm.VIEW_RECORDS, Perm.ADD_CHRONOLOGY_ENTRY, Perm.REFER, *_CONTEXT_EVIDENCE,
                                Perm.ADD_ASSESSMENT,
                                Perm.CHANGE_ASSESSMENT, Perm.ANSWER_CONTRIBUTION, Perm.UPDATE_INTERVENTION,
                                Perm.UPDATE_ACTION],
    # A partner agency's manager (a detective inspector, a head teacher): a practitioner who also sees the figures
    # over what their agency can see, and the lists behind them.
    Role.PARTNER_MANAGER: [Perm.VIEW_RECORDS, Perm.ADD_CHRONOLOGY_ENTRY, Perm.REFER, *_CONTEXT_EVIDENCE,
                           Perm.ADD_ASSESSMENT, Perm.CHANGE_ASSESSMENT, Perm.ANSWER_CONTRIBUTION,
                           Perm.UPDATE_INTERVENTION, Perm.UPDATE_ACTION, Perm.VIEW_REPORTS],
    # Figures over what the agency can see, small numbers suppressed; never an individual record (no VIEW_RECORDS).
    Role.ANALYST: [Perm.VIEW_REPORTS],
    Role.ADMINISTRATOR: [
        Perm.VIEW_RECORDS,
        Perm.SEARCH_AUDIT,
        Perm.ADD_USER,
        Perm.VIEW_USER,
        Perm.CHANGE_USER,
        Perm.ADD_AGENCY,
        Perm.VIEW_AGENCY,
        Perm.CHANGE_AGENCY,
        Perm.VIEW_IDENTITY_PROVIDER,
        Perm.ADD_IDENTITY_PROVIDER,
        Perm.CONFIGURE_SSO,
        Perm.ADD_API_CLIENT,
        Perm.VIEW_API_CLIENT,
        Perm.MANAGE_WEBHOOKS,
        Perm.ADD_AGREEMENT,
        Perm.CHANGE_AGREEMENT,
        Perm.VIEW_LANGUAGE_PHRASE,
        Perm.ADD_LANGUAGE_PHRASE,
        Perm.CHANGE_LANGUAGE_PHRASE,
        Perm.CHANGE_FRAMEWORK,
        Perm.ADD_PANEL,
        Perm.VIEW_RETENTION_SCHEDULE,
        Perm.ADD_RETENTION_SCHEDULE,
        Perm.CHANGE_RETENTION_SCHEDULE,
    ],
    # Answers subject access requests, signs their exports off, and exports the audit log; sees records to do so.
    Role.DATA_PROTECTION_OFFICER: [Perm.VIEW_RECORDS, Perm.SEARCH_AUDIT, Perm.EXPORT_AUDIT,
                                   Perm.REQUEST_SUBJECT_ACCESS, Perm.SIGN_OFF_SUBJECT_ACCESS],
}


@transaction.atomic
def roles_sync():
    """Make each role's group hold exactly its declared permissions. Idempotent; runs after every migrate."""
    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type"):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
    return wanted - set(by_name)


def role_groups():
    return Group.objects.filter(name__in=[r.value for r in Role])


class RoleBackend(AuthenticationBackend):
    """Signing in by username or email address (django-allauth's backend, Django's ModelBackend underneath); what a
    person may do comes from their roles alone.

    Nobody is ever given a permission of their own (the admin offers roles, not permissions), so a person's own
    permissions are not read: one query fewer on every page that asks what someone may do.
    """

    def _get_user_permissions(self, user_obj):
        return Permission.objects.none()
