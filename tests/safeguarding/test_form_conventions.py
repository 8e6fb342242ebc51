"""The GOV.UK form conventions, held by the kernel for every form page rather than by each template.

- a page whose form has errors has a title starting "Error: " (safeguarding/templatetags/titles.py);
- no choice list offers Django's "---------": its empty choice says what to do, or is dropped from radios;
- a date is asked with the GOV.UK date input (day, month, year), never the browser's date picker;
- a text area with a limit counts the characters (GOV.UK's character count);
- a follow-up question sits inside the radio choice that asks it (GOV.UK's conditional reveal).

All but the first are done by ``safeguarding.forms.gds_helper``, which every form calls.
"""

import importlib
import re
from datetime import timedelta

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.urls import reverse
from django.utils import timezone

from safeguarding.forms import DASHES, gds_helper
from safeguarding.models import Agency

from ..assessments.conftest import draft, neighbourhood  # noqa: F401 (fixtures)
from ..conftest import LAWFUL, client_for
from ..contexts.conftest import park  # noqa: F401 (fixture)
from ..panels.conftest import meeting, panel  # noqa: F401 (fixtures)

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


@pytest.fixture
def asked(alice, draft, agencies):  # noqa: F811
    from assessments import services
    return services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                         question="What do your patrols see at the park after 8pm?",
                                         due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)


@pytest.fixture
def item(colin, meeting, shared_case, person):  # noqa: F811
    from panels import services
    return services.agenda_item_add(actor=colin, meeting=meeting, subject=person, reason="Missing three times")


# Every page with a form that can refuse what is sent: (who, the page, what is sent). Sent as a person who
# submits the form untouched would (the button's name and value, every box empty), or with a date that is not one.
FORM_PAGES = {
    "sign-in": (None, lambda f: reverse("login"), {"login": "", "password": ""}),
    "new young person": ("alice", lambda f: reverse("young-person-new"), {}),
    "new place": ("alice", lambda f: reverse("place-new"), {}),
    "new peer group": ("alice", lambda f: reverse("peer-group-new"), {}),
    "chronology entry": ("alice", lambda f: reverse("chronology-add", args=[f("case").pk]), {}),
    "new case": ("alice", lambda f: reverse("case-new", args=[f("person").pk]), {}),
    "new assessment": ("alice", lambda f: reverse("assessment-start", args=["place", f("park").pk]), {}),
    "contribution answer": ("pete", lambda f: reverse("contribution", args=[f("asked").pk]),
                            {"response": "", "version": "1"}),
    "young person referral": ("pete", lambda f: reverse("referral-new"), {}),
    "context referral": ("pete", lambda f: reverse("context-referral-new"), {}),
    "agenda item": ("colin", lambda f: reverse("item-new", args=[f("meeting").pk]), {}),
    "action": ("colin", lambda f: reverse("action-new", args=[f("item").pk]), {}),
    "missing episode": ("alice", lambda f: reverse("missing-episode-new", args=[f("case").pk]), {}),
    "audit search": ("mandy", lambda f: reverse("audit-search"),
                     {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}),
}
# Forms shown on another page (the case's, the live meeting's) that post here.
POSTED_TO_ONLY = {"chronology entry", "action"}


def title(response) -> str:
    return TITLE.search(response.content.decode()).group(1).strip()


@pytest.mark.parametrize("page", FORM_PAGES)
def test_it_starts_the_title_with_error_when_the_form_has_errors(client, request, cast, page):
    who, url, data = FORM_PAGES[page]
    if who:
        client_for(client, cast[who])
    address = url(request.getfixturevalue)
    before = client.get(address) if page not in POSTED_TO_ONLY else None
    if before is not None:
        assert before.status_code == 200, page
        assert not title(before).startswith("Error: "), f"{page}: {title(before)}"
    if page == "audit search":
        response = client.get(address, data)
    else:
        response = client.post(address, {"submit": "Continue", **data})
    assert response.status_code in (200, 400), f"{page}: {response.status_code}"
    assert title(response).startswith("Error: "), f"{page}: {title(response)}"
    assert not title(response).startswith("Error: Error:"), page
    assert 'class="govuk-error-summary' in response.content.decode(), page


# Pages that show a form on opening them: the form pages above, and a few more with choice lists and text areas.
SHOWN = {name: page for name, page in FORM_PAGES.items() if name not in POSTED_TO_ONLY} | {
    "edit place": ("alice", lambda f: reverse("place-edit", args=[f("park").pk]), {}),
    "NRM referral": ("alice", lambda f: reverse("nrm-referral-new", args=[f("case").pk]), {}),
    "new panel": ("colin", lambda f: reverse("panel-new"), {}),
}
TEXTAREA = re.compile(r"<textarea\b[^>]*>", re.DOTALL)


@pytest.mark.parametrize("page", SHOWN)
def test_its_form_pages_name_every_empty_choice_and_count_characters(client, request, cast, page):
    who, url, _ = SHOWN[page]
    if who:
        client_for(client, cast[who])
    response = client.get(url(request.getfixturevalue))
    assert response.status_code == 200, page
    html = response.content.decode()
    assert DASHES not in html, f"{page} offers a choice of {DASHES}"
    assert 'type="date"' not in html, f"{page} uses the browser's date picker"
    # A text area with a limit counts its characters and never cuts text short (no maxlength: a form that skipped
    # gds_helper would still have Django's).
    areas = TEXTAREA.findall(html)
    assert not [tag for tag in areas if "maxlength=" in tag], page
    counted = [tag for tag in areas if "govuk-js-character-count" in tag]
    assert html.count('data-module="govuk-character-count"') == len(counted), page


class Choosing(forms.Form):
    team = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Team")
    helper_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Helper", required=False)
    colour = forms.ChoiceField(choices=[("", DASHES), ("red", "Red")], label="Colour")
    size = forms.ChoiceField(choices=[("", DASHES), ("s", "Small"), ("l", "Large")], widget=forms.RadioSelect,
                             required=False, label="Size")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save")


@pytest.mark.django_db
def test_it_names_the_empty_choice_instead_of_dashes():
    form = Choosing()
    assert form.fields["team"].empty_label == "Choose team"
    assert form.fields["helper_agency"].empty_label == "None"
    assert list(form.fields["colour"].choices)[0] == ("", "Choose colour")
    assert [value for value, _ in form.fields["size"].choices] == ["s", "l"]  # radios: none ticked is empty
    assert DASHES not in render_crispy_form(form)


FORM_MODULES = ["safeguarding.forms", "cases.forms", "contexts.forms", "assessments.forms", "panels.forms"]


def test_it_asks_every_date_with_the_govuk_date_input():
    """No form declares a single-box date (Django's DateField draws a text box, or the browser's picker)."""
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for form_class in vars(module).values():
            if not (isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)):
                continue
            for name, field in getattr(form_class, "base_fields", {}).items():
                if isinstance(field, forms.DateField | forms.DateTimeField) or \
                        field.widget.attrs.get("type") in ("date", "datetime-local"):
                    found.append(f"{module_name}.{form_class.__name__}.{name}")
    assert not found, found


def test_the_audit_search_asks_dates_with_day_month_and_year(client, mandy):
    client_for(client, mandy)
    html = client.get(reverse("audit-search")).content.decode()
    assert html.count('class="govuk-date-input"') == 2 and 'name="date_from_0"' in html


class Noting(forms.Form):
    note = forms.CharField(widget=forms.Textarea, max_length=500, label="Note")
    unlimited = forms.CharField(widget=forms.Textarea, label="Unlimited", required=False)
    name = forms.CharField(max_length=50, label="Name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save")


def test_it_counts_the_characters_of_a_text_area_with_a_limit():
    html = render_crispy_form(Noting())
    assert html.count('data-module="govuk-character-count"') == 1
    assert 'data-maxlength="500"' in html and 'id="id_note-info"' in html
    assert re.search(r'<textarea[^>]*name="note"[^>]*>', html).group(0).count("id_note-info") == 1
    assert "maxlength" not in re.search(r'<textarea[^>]*name="note"[^>]*>', html).group(0)


def test_text_past_the_limit_is_refused_whole_not_cut_short():
    form = Noting({"note": "word " * 120, "name": "Ann"})  # 600 characters, as if pasted
    assert not form.is_valid()
    assert form.errors["note"] == ["Note must be 500 characters or fewer"]
    html = render_crispy_form(form)
    assert ("word " * 120).strip() in html  # every word is back in the box, for the person to shorten


class Telling(forms.Form):
    told = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
                             label="Was the young person told?")
    told_why = forms.CharField(required=False, label="Why not? (if not told)")
    after = forms.CharField(required=False, label="Anything else")
    reveals = {"told": {"no": ("told_why",)}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save")


def test_it_reveals_a_follow_up_question_inside_its_choice():
    html = render_crispy_form(Telling())
    reveal = re.search(r'<div class="govuk-radios__conditional[^"]*" id="(conditional_told_\d)">(.*?)</div>\s*</div>',
                       html, re.DOTALL)
    assert reveal and 'name="told_why"' in reveal.group(2)
    assert f'aria-controls="{reveal.group(1)}"' in html
    assert html.count('name="told_why"') == 1 and html.index('name="after"') > html.index('name="told_why"')


def test_the_forms_with_a_follow_up_question_reveal_it(client, alice, park):  # noqa: F811
    client_for(client, alice)
    html = client.get(reverse("place-edit", args=[park.pk])).content.decode()
    assert re.search(r'govuk-radios__conditional[^>]*>.*?name="closure_reason"', html, re.DOTALL)
