"""Where notifications come from (a share, a request to an agency, an action assigned or overdue, a pack ready), and a
partner's dashboard: new for my agency, my agency's actions, meetings coming up. Every count pinned."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Framework
from panels import reminders as panel_reminders
from panels import services
from panels.models import Action, PanelPack
from panels.tasks import pack_ready_notify
from safeguarding import access, reminders
from safeguarding.models import Notification, NotificationKind, OutboxJob
from safeguarding.roles import Role
from tests.conftest import LAWFUL

from ..conftest import _person, client_for

pytestmark = pytest.mark.django_db


def _told(kind, **filters):
    return {n.recipient.username: n for n in Notification.objects.filter(kind=kind, **filters)
            .select_related("recipient")}


# --- The hooks -------------------------------------------------------------------------------------------------

def test_a_share_tells_the_agency_members_who_may_view_records(alice, pete, polly, sam, case, agencies):
    police_analyst = _person(agencies, "paula", "police", Role.ANALYST)  # figures only: opens no record
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    told = _told(NotificationKind.SHARED)
    assert set(told) == {"pete", "polly"} and police_analyst.username not in told
    assert told["pete"].url == reverse("case", args=[case.pk]) == case.get_absolute_url()
    assert case.reference in told["pete"].title
    # Emailed as each prefers, never with the title.
    email = OutboxJob.objects.get(key=f"notification:{told['pete'].pk}")
    assert email.args[2] == [pete.email] and case.reference not in email.args[0] + email.args[1]


def test_sharing_a_place_or_a_meeting_links_to_its_own_page(alice, oscar, park, meeting, agencies):
    access.share(actor=alice, obj=park, agency=agencies["housing"], level=access.VIEW, basis=LAWFUL)
    assert Notification.objects.get(kind=NotificationKind.SHARED).url == reverse("place", args=[park.pk])
    assert meeting.get_absolute_url() == reverse("meeting", args=[meeting.pk])


def test_a_contribution_request_tells_the_agency_asked(alice, sam, pete, park, agencies):
    draft = assessment_services.assessment_start(actor=alice, subject=park,
                                                 framework=Framework.objects.get(key="neighbourhood"))
    asked = assessment_services.contribution_request(actor=alice, assessment=draft, agency=agencies["school"],
                                                     question="What do pupils say?",
                                                     due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)
    told = _told(NotificationKind.CONTRIBUTION_REQUESTED)
    assert set(told) == {"sam"} and told["sam"].url == reverse("contribution", args=[asked.pk])


def test_an_action_tells_its_named_owner_or_else_its_agency(colin, pete, polly, sam, meeting, agencies):
    item = services.agenda_item_add(actor=colin, meeting=meeting, theme="Bus station", reason="Reports")
    due = timezone.localdate() + timedelta(days=14)
    services.action_add(actor=colin, item=item, description="Check CCTV", owner_agency=agencies["police"],
                        owner=pete, due_on=due)
    assert set(_told(NotificationKind.ACTION_ASSIGNED)) == {"pete"}
    services.action_add(actor=colin, item=item, description="Patrol at dusk", owner_agency=agencies["police"],
                        due_on=due)
    told = _told(NotificationKind.ACTION_ASSIGNED, title__contains="Patrol")
    assert set(told) == {"pete", "polly"} and told["polly"].url == reverse("actions")


def test_an_overdue_action_is_told_once_beside_its_reminder_email(colin, pete, meeting, agencies):
    item = services.agenda_item_add(actor=colin, meeting=meeting, theme="Bus station", reason="Reports")
    action = services.action_add(actor=colin, item=item, description="Check CCTV", owner_agency=agencies["police"],
                                 owner=pete, due_on=timezone.localdate() + timedelta(days=8))
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=2))  # time passes
    run = reminders.Run(actor=access.system(reminders.ACTOR), today=timezone.localdate(), now=timezone.now())
    before = OutboxJob.objects.filter(key__startswith="notification:").count()
    with transaction.atomic():
        assert panel_reminders.overdue_actions(run) == 1  # the reminder email
    with transaction.atomic():
        panel_reminders.overdue_actions(run)  # the job again the same day
    (note,) = Notification.objects.filter(kind=NotificationKind.ACTION_OVERDUE)
    assert note.recipient == pete and note.emailed_at is not None and "Check CCTV" in note.title
    assert OutboxJob.objects.filter(key__startswith="notification:").count() == before  # not emailed twice


def test_a_ready_pack_tells_its_agencys_invitees_once(colin, pete, sam, meeting, agencies):
    services.agenda_item_add(actor=colin, meeting=meeting, theme="Bus station", reason="Reports")
    services.packs_request(actor=colin, meeting=meeting)
    pack = PanelPack.objects.get(meeting=meeting, agency=agencies["police"])
    pack_ready_notify.run(pack.pk)
    pack_ready_notify.run(pack.pk)  # the notice handed twice
    (note,) = Notification.objects.filter(kind=NotificationKind.PACK_READY)
    assert note.recipient == pete and note.url.startswith(reverse("meeting", args=[meeting.pk]))
    assert OutboxJob.objects.filter(key=f"notification:{note.pk}").count() == 1
    assert not OutboxJob.objects.filter(key__startswith="pack-ready-email").exists()  # the old email is gone


# --- The dashboard (its queries are pinned in tests/safeguarding/test_dashboards.py) ---------------------------

def test_a_partners_dashboard_shows_what_is_new_their_actions_and_meetings(client, alice, colin, pete, oscar,
                                                                           shared_case, meeting, agencies):
    item = services.agenda_item_add(actor=colin, meeting=meeting, theme="Bus station", reason="Reports")
    services.action_add(actor=colin, item=item, description="Late action", owner_agency=agencies["police"],
                        due_on=timezone.localdate() + timedelta(days=8))
    services.action_add(actor=colin, item=item, description="Early action", owner_agency=agencies["police"],
                        due_on=timezone.localdate() + timedelta(days=9))
    Action.objects.filter(description="Late action").update(due_on=timezone.localdate() - timedelta(days=1))
    client_for(client, pete)
    page = client.get(reverse("dashboard")).content.decode()
    assert "New for your agency" in page and shared_case.reference in page
    assert "Your cases" not in page  # a partner leads no cases: no empty tables
    actions = page[page.index('id="dashboard-agency-actions"'):]
    assert actions.index("Late action") < actions.index("Early action") and "Overdue by 1 day" in actions
    assert "Northfield MACE" in page  # the meeting in 7 days

    note = Notification.objects.get(recipient=pete, kind=NotificationKind.SHARED)
    client.post(reverse("notification-open", args=[note.pk]))
    assert shared_case.reference not in client.get(reverse("dashboard")).content.decode()  # opened: not new

    client_for(client, oscar)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Late action" not in page and "Northfield MACE" not in page


def test_the_social_workers_dashboard_keeps_her_cases(client, alice, case):
    page = client_for(client, alice).get(reverse("dashboard")).content.decode()
    assert "Your cases" in page and case.young_person.full_name in page and "New for your agency" in page

