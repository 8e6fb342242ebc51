"""The connected-systems pages: an agency's administrator lists, adds, pauses, resumes, tests, rotates the secret of
and disconnects their own agency's connections, and reads their delivery log. Another agency's are not found (404);
a person of the agency who is not its administrator is refused (403). Query counts pinned, flat with rows."""

import pytest
from django.urls import reverse

from safeguarding import services, webhooks
from safeguarding.models import AuditAction, AuditEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from safeguarding.roles import Role

from ..conftest import SYSTEM, _person, assert_queries, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def petra(agencies):
    """The police's administrator."""
    return _person(agencies, "petra", "police", Role.ADMINISTRATOR)


@pytest.fixture
def police_hook(agencies):
    hook, _ = services.webhook_create(actor=SYSTEM, agency=agencies["police"], url="https://cms.police.example/efh",
                                      events=["record.shared", "action.assigned"], description="Police CMS")
    return hook


@pytest.fixture
def council_hook(agencies):
    hook, _ = services.webhook_create(actor=SYSTEM, agency=agencies["la"], url="https://hooks.council.example/efh",
                                      events=["request.received"], description="Council casework")
    return hook


def action_urls(hook):
    return [reverse(name, args=[hook.pk]) for name in
            ("webhook-pause", "webhook-resume", "webhook-rotate", "webhook-test", "webhook-delete")]


def test_an_administrator_lists_only_their_own_agencys_connections(client, petra, police_hook, council_hook):
    response = client_for(client, petra).get(reverse("webhooks"))
    assert response.status_code == 200
    assert b"Police CMS" in response.content and b"Council casework" not in response.content
    assert b"hooks.council.example" not in response.content
    assert b"Connected systems" in client.get(reverse("dashboard")).content  # in the menu, for an administrator


def test_another_agencys_connection_is_not_found_and_nothing_changes(client, petra, council_hook):
    client_for(client, petra)
    before = (WebhookSubscription.objects.get(pk=council_hook.pk).secret, AuditEvent.objects.count())
    assert client.get(reverse("webhook", args=[council_hook.pk])).status_code == 404
    assert client.get(reverse("webhook-delete", args=[council_hook.pk])).status_code == 404
    for url in action_urls(council_hook):
        assert client.post(url).status_code == 404, url
    assert (WebhookSubscription.objects.get(pk=council_hook.pk).secret, AuditEvent.objects.count()) == before
    assert not WebhookDelivery.objects.exists()


def test_a_practitioner_of_the_agency_is_refused(client, pete, police_hook):
    client_for(client, pete)
    assert client.get(reverse("webhooks")).status_code == 403
    assert client.get(reverse("webhook-new")).status_code == 403
    assert client.get(reverse("webhook", args=[police_hook.pk])).status_code == 403
    for url in action_urls(police_hook):
        assert client.post(url).status_code == 403, url
    assert b"Connected systems" not in client.get(reverse("dashboard")).content


def test_connecting_a_system_shows_its_secret_once(client, petra, agencies):
    client_for(client, petra)
    response = client.post(reverse("webhook-new"), {"url": "https://cms.police.example/efh",
                                                   "description": "Police CMS", "events": ["record.shared"]})
    hook = WebhookSubscription.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhook", args=[hook.pk])
    assert (hook.agency, hook.created_by, hook.events) == (agencies["police"], petra, ["record.shared"])
    first = client.get(response["Location"])
    assert hook.secret.encode() in first.content and "no-store" in first["Cache-Control"]
    assert hook.secret.encode() not in client.get(response["Location"]).content
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(hook.pk))
    assert event.actor == petra and hook.secret not in str(event.detail)


@pytest.mark.parametrize(("data", "field"), [
    ({"url": "http://cms.police.example/efh", "events": ["record.shared"]}, "https://"),
    ({"url": "https://10.0.0.7/efh", "events": ["record.shared"]}, "not a private or local one"),
    ({"url": "not a url", "events": ["record.shared"]}, "Enter a valid URL"),
    ({"url": "https://cms.police.example/efh"}, "Select what the system should be told about"),
    ({"url": "https://cms.police.example/efh", "events": ["webhook.test"]}, "Select a valid choice"),
])
def test_a_bad_endpoint_is_shown_again_with_the_reason(client, petra, data, field):
    response = client_for(client, petra).post(reverse("webhook-new"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error: " in text and field in text
    assert not WebhookSubscription.objects.exists()


def test_pausing_resuming_testing_rotating_and_disconnecting(client, petra, police_hook):
    client_for(client, petra)
    page = reverse("webhook", args=[police_hook.pk])
    pause, resume, rotate, test, delete = action_urls(police_hook)

    assert client.post(pause)["Location"] == page
    assert not WebhookSubscription.objects.get().is_active
    assert client.post(pause).status_code == 409  # paused already: said, not failed
    assert client.post(test).status_code == 409  # resume before testing
    assert client.post(resume)["Location"] == page
    assert WebhookSubscription.objects.get().is_active

    assert client.post(test)["Location"] == page
    delivery = WebhookDelivery.objects.get()
    assert delivery.event.type == "webhook.test" and delivery.subscription == police_hook

    old = WebhookSubscription.objects.get().secret
    assert client.post(rotate)["Location"] == page
    rotated = WebhookSubscription.objects.get()
    assert rotated.secret != old and rotated.previous_secret == old
    assert rotated.secret.encode() in client.get(page).content

    assert client.get(delete).status_code == 200
    assert client.post(delete)["Location"] == reverse("webhooks")
    assert not WebhookSubscription.objects.exists() and not WebhookDelivery.objects.exists()
    mine = AuditEvent.objects.filter(actor=petra).exclude(action=AuditAction.LOGIN).order_by("pk")
    actions = list(mine.values_list("action", "detail"))
    assert [a for a, _ in actions] == [AuditAction.UPDATE, AuditAction.UPDATE, AuditAction.SUBMIT,
                                       AuditAction.UPDATE, AuditAction.CLOSE]
    assert actions[-1][1]["deleted"] and actions[-1][1]["deliveries"] == 1


def _log(hook, n):
    """``n`` test deliveries, each tried twice (a 500, then 200)."""
    for _ in range(n):
        event = webhooks.emit_test(hook)
        delivery = WebhookDelivery.objects.get(event=event)
        WebhookAttempt.objects.bulk_create([
            WebhookAttempt(delivery=delivery, number=1, status_code=500, error="The endpoint answered 500"),
            WebhookAttempt(delivery=delivery, number=2, status_code=200, succeeded=True)])


LIST = ["session", "the person and their agency", "the person's permissions (the menu and the rule)",
        "the agency's connections, with the deliveries waiting for each"]
DETAIL = ["session", "the person and their agency", "the connection, through the door",
          "the person's permissions", "the delivery log's count (pagination)", "a page of deliveries with their events",
          "their attempts"]


def test_the_pages_make_the_same_queries_however_many_connections_and_deliveries(client, petra, police_hook,
                                                                                   agencies):
    assert_queries(client, petra, reverse("webhooks"), LIST)
    assert_queries(client, petra, reverse("webhook", args=[police_hook.pk]), DETAIL[:5])  # an empty log: no page
    _log(police_hook, 3)
    assert_queries(client, petra, reverse("webhook", args=[police_hook.pk]), DETAIL)
    for n in range(4):
        services.webhook_create(actor=SYSTEM, agency=agencies["police"], url=f"https://cms{n}.police.example/",
                                events=["pack.ready"])
    _log(police_hook, 30)
    assert_queries(client, petra, reverse("webhooks"), LIST)
    assert_queries(client, petra, reverse("webhook", args=[police_hook.pk]), DETAIL)
    assert_queries(client, petra, reverse("webhook", args=[police_hook.pk]) + "?page=2", DETAIL)
