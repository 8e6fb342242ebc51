"""The chronology entry form: the trauma-informed prompt comes first, and restricting is folded away until used."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ..conftest import client_for
from .test_bad_input import entry_form

pytestmark = pytest.mark.django_db


def _form_part(page: str) -> str:
    """The chronology section up to the end of its form for adding an entry (its list's filters come after)."""
    start = page.index('<section id="chronology"')
    return page[start:page.index("</form>", start)]


def test_it_puts_the_language_guidance_before_the_fields_and_folds_the_restriction(client, alice, case):
    client_for(client, alice)
    form = _form_part(client.get(reverse("case", args=[case.pk])).content.decode())
    guide, box, first_field = (form.index("app-language-guide"), form.index('id="entry-language"'),
                               form.index('name="kind"'))
    assert guide < box < first_field
    assert "govuk-inset-text app-language-guide" in form
    details = form[form.index('id="restrict"') - 60:]
    assert "Restrict who can see this entry" in details and 'id="restrict">' in details  # closed
    assert form.index('id="restrict"') < form.index('name="restricted"') < form.index('name="restricted_to"')


def test_it_opens_the_restriction_when_one_is_set_or_has_an_error(client, alice, case):
    client_for(client, alice)
    response = client.post(reverse("chronology-add", args=[case.pk]),
                           entry_form(timezone.localdate() + timedelta(days=2), "Seen in town",
                                      restricted="on"))
    assert 'id="restrict" open>' in response.content.decode()
    response = client.post(reverse("chronology-add", args=[case.pk]),
                           entry_form(timezone.localdate() + timedelta(days=2), "Seen in town"))
    assert 'id="restrict">' in response.content.decode()


def test_the_missing_episode_form_puts_the_prompt_before_its_fields(client, alice, case):
    client_for(client, alice)
    page = client.get(reverse("missing-episode-new", args=[case.pk])).content.decode()
    assert page.index("app-language-guide") < page.index('id="episode-language"') < page.index('name="harm_detail"')
