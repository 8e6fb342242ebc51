"""Trauma-informed recording in assessments: the one checker, prompting on every text answer."""

import pytest
from django.urls import reverse

from safeguarding import language
from safeguarding.models import LanguagePhrase

from ..conftest import client_for

pytestmark = pytest.mark.django_db

SENTENCES = [
    "Staff at the youth club said that {} when she went to the flat above the shop.",
    "The school describes him as {} in his referral.",
    "Police noted that the young person was {} at the time of the stop.",
]
NEUTRAL = [
    "Jayden told his youth worker that older men at the park give him money to carry bags, and he is frightened.",
    "She has been sexually exploited by adults who groomed her online; she needs protection and support.",
    "The takeaway owner agreed to call the police if adults approach children after school.",
    "Lighting on the canal path is poor and young people say they avoid it after dark.",
]


def test_every_shipped_phrase_is_found_in_a_realistic_sentence():
    phrases = list(LanguagePhrase.objects.filter(is_active=True).values_list("phrase", flat=True))
    assert len(phrases) >= 20
    for phrase in phrases:
        for sentence in SENTENCES:
            found = [f.phrase for f in language.check(sentence.format(phrase))]
            assert phrase in found, (phrase, sentence)


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_text_is_not_flagged(text):
    assert language.check(text) == []


def test_the_issue_names_these_phrases_and_they_are_on_the_list():
    for phrase in ("putting themselves at risk", "lifestyle choice", "streetwise", "promiscuous",
                   "sexually active with older men", "child prostitute"):
        assert language.check(f"Notes say: {phrase}."), phrase


def test_every_text_answer_in_the_assessment_form_prompts_while_writing(client, alice, draft):
    client_for(client, alice)
    page = client.get(reverse("assessment-section", args=[draft.pk, "voice"])).content.decode()
    assert page.count('hx-post="/language-check/"') == 4
    assert 'hx-vals="{&quot;field&quot;: &quot;voice_young_people&quot;}"' in page
    assert 'id="lang-voice_young_people"' in page
    prompt = client.post(reverse("language-check"), {"field": "voice_young_people",
                                                     "voice_young_people": "She made a lifestyle choice"})
    assert "Think about the words" in prompt.content.decode()
