"""Trauma-informed recording: prompts about victim-blaming words while writing; never a block."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import ChronologyEntry
from safeguarding import language
from safeguarding.models import AuditAction, AuditEvent, LanguagePhrase

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_shipped_list_finds_phrases_as_whole_words_in_any_case():
    findings = language.check("Staff feel she is Putting  herself at risk; he is very streetwise. Streetwise.")
    assert [f.phrase for f in findings] == ["putting herself at risk", "streetwise"]
    assert findings[0].found == "Putting  herself at risk" and "put at risk by others" in findings[0].suggestion
    assert language.check("He walked down Streetwiser Road") == []
    assert language.check("") == []


def test_the_list_is_data_an_administrator_can_change(client, adam):
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_languagephrase_add"), {
        "phrase": "hanging around with", "suggestion": "spending time with", "why": "", "is_active": "on"})
    assert response.status_code == 302
    assert [f.suggestion for f in language.check("Hanging around with older boys")] == ["spending time with"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_type__model="languagephrase").exists()
    LanguagePhrase.objects.filter(phrase="streetwise").update(is_active=False)
    assert language.check("streetwise") == []


def test_the_prompt_appears_while_writing_and_the_entry_still_saves(client, alice, case):
    client_for(client, alice)
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert 'hx-post="/language-check/"' in page and 'id="entry-language"' in page
    prompt = client.post(reverse("language-check"), {"text": "Jayden is a drug runner"}).content.decode()
    assert "Think about the words" in prompt and "criminally exploited" in prompt
    assert client.post(reverse("language-check"), {"text": "Seen at the park"}).content.decode().strip() == ""
    today = timezone.localdate()
    client.post(reverse("chronology-add", args=[case.pk]), {
        "kind": "note", "occurred_on_0": today.day, "occurred_on_1": today.month, "occurred_on_2": today.year,
        "text": "Said to be a drug runner"})
    assert ChronologyEntry.objects.get().text == "Said to be a drug runner"  # a prompt, not a block


def test_the_check_is_for_signed_in_people_only(client):
    assert client.post(reverse("language-check"), {"text": "streetwise"}).status_code == 302
