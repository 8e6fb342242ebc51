"""Forms for assessments and plans: the shape of what was typed. Services (and frameworks) decide what it means.

The assessment form is built from the framework version's definition, one field per question (four per factor
row). Every field is optional here: a part-done draft always saves, and submitting checks completeness.
"""

import json

from crispy_forms_gds.layout import HTML, Layout
from django import forms
from django.core.validators import MaxLengthValidator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from safeguarding import add_another, language
from safeguarding.forms import DateField, gds_helper
from safeguarding.lawful import LAWFUL_LAYOUT, LawfulBasisFields
from safeguarding.models import Agency
from safeguarding.pickers import PickerField, record_id

from . import frameworks
from .models import Goal, GoalStatus, Intervention

BLANK_FACTOR_ROWS = 1  # and "Add another factor" for more (MoJ add-another; without JavaScript, a round trip)


def _lang_target(name: str) -> str:
    return f"lang-{name}"


def _prompt_box(name: str) -> HTML:
    return HTML(format_html('<div id="{}" class="app-language-box" aria-live="polite"></div>', _lang_target(name)))


def _text_widget(name: str, rows: int = 4):
    return forms.Textarea(attrs={"rows": rows, **language.prompt_attrs(name, _lang_target(name))})


class AssessmentForm(forms.Form):
    """One section of an assessment, on its own page. ``values`` is what the assessment holds now (answers and
    outcome); ``seen`` carries that section's fingerprint, so a save can keep another person's edits elsewhere."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, section: frameworks.Section, values=None, add_to: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.section, self.add_to = section, add_to
        values = values or {}
        self.fields["seen"].initial = frameworks.fingerprint(section, values)
        layout = []
        if section.guidance:
            layout.append(HTML(format_html('<p class="govuk-body">{}</p>', section.guidance)))
        for question in section.questions:
            layout += self._add(question, values.get(question.key))
        if section is frameworks.OUTCOME:  # kept in the assessment's own fields, whose limits apply
            self.fields["priority"].validators.append(MaxLengthValidator(300))
            self.fields["priority_reason"].validators.append(MaxLengthValidator(5000))
        layout += ["version", "seen"]
        self.helper = gds_helper(self, form_tag=False)
        self.helper.layout = Layout(*layout)

    def _add(self, question: frameworks.Question, initial) -> list:
        label, hint = question.label + (" (required)" if question.required else ""), question.hint
        if question.type == "text":
            self.fields[question.key] = forms.CharField(label=label, help_text=hint, required=False,
                                                        widget=_text_widget(question.key), initial=initial)
            return [question.key, _prompt_box(question.key)]
        if question.type == "factors":
            return self._add_factors(question, initial or [])
        self.fields[question.key] = forms.ChoiceField(
            label=label, help_text=hint, required=False, choices=question.options, widget=forms.RadioSelect,
            initial=str(initial) if initial is not None else None)
        return [question.key]

    def _add_factors(self, question, rows: list) -> list:
        """A factor list as the MoJ add-another component (safeguarding.add_another): a fieldset a row, and "Add
        another factor", which with JavaScript adds a row in the page and without it sends the form back with one
        more (``add_to``)."""
        count = add_another.count(self, question.key, held=len(rows), blank=BLANK_FACTOR_ROWS,
                                  adding=question.key == self.add_to, maximum=frameworks.FACTORS_MAX)
        layout = []
        for i in range(count):
            row = rows[i] if i < len(rows) else {}
            names = dict(zip(frameworks.FACTOR_FIELDS, add_another.add_row(self, question.key, i, {
                "kind": forms.ChoiceField(label="Kind", required=False, initial=row.get("kind"),
                                          choices=[("", "Choose"), *frameworks.FACTOR_KINDS.items()]),
                "description": forms.CharField(
                    label="Factor", required=False, max_length=2000, initial=row.get("description"),
                    widget=_text_widget(add_another.name(question.key, i, "description"), rows=2)),
                "evidence": forms.CharField(label="Evidence", required=False, max_length=2000,
                                            initial=row.get("evidence")),
                "source": forms.CharField(label="Source", required=False, max_length=2000, initial=row.get("source"),
                                          help_text="Who says so: agency, person or document."),
            }), strict=True))
            layout.append([names["kind"], names["description"], _prompt_box(names["description"]),
                           names["evidence"], names["source"]])
        return add_another.layout(question.key, layout, item="Factor", element_id=f"factors-{question.key}",
                                  heading=question.label + (" (required)" if question.required else ""),
                                  hint=question.hint)

    def values(self) -> dict:
        """What was typed in this section, keyed by question (blank factor rows are dropped by the framework)."""
        data, result = self.cleaned_data, {}
        for question in self.section.questions:
            if question.type == "factors":
                rows, i = [], 0
                while f"{question.key}-{i}-kind" in self.fields:
                    rows.append({part: data.get(f"{question.key}-{i}-{part}", "") for part in frameworks.FACTOR_FIELDS})
                    i += 1
                result[question.key] = rows
            else:
                result[question.key] = data.get(question.key, "")
        return result


class SubmitAssessmentForm(forms.Form):
    """The task list's one question: submit, confirming any request still waiting."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        confirm = _confirm_pending(self, pending, "Submit without waiting for them. Anything they send later will "
                                                  "be added to the assessment as an addendum, and you will be told.")
        self.helper = gds_helper(self, form_tag=False)
        self.helper.layout = Layout(*confirm, "version")


class StartForm(forms.Form):
    framework = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None,
                                       label="Which framework?")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = choices
        self.fields["framework"].label_from_instance = lambda f: f.name
        self.helper = gds_helper(self, "Start assessment")


def _confirm_pending(form, pending, label: str) -> list:
    """The requests still waiting for an answer, listed, and a box to confirm going on without them (the service
    refuses to go on unconfirmed, naming them)."""
    if not pending:
        return []
    form.fields["pending_confirmed"] = forms.BooleanField(required=False, label=label)
    listed = render_to_string("assessments/_pending_requests.html", {"pending": pending, "today": timezone.localdate()})
    # crispy renders HTML() as a template: braces from names must stay text.
    return [HTML(listed.replace("{", "&#123;").replace("}", "&#125;")), "pending_confirmed"]


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return to the author for changes")],
                                 widget=forms.RadioSelect, label="Your decision")
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000,
                               label="Comments", help_text="Required when returning: say what needs to change.")

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        confirm = _confirm_pending(self, pending, "Approve without waiting for them. Anything they send later will "
                                                  "be added to the assessment as an addendum, and you and the author "
                                                  "will be told.")
        self.helper = gds_helper(self, "Record decision", form_tag=False)
        self.helper.layout = Layout("decision", "comments", *confirm, "version")


class ContributionRequestForm(LawfulBasisFields):
    agency = PickerField("agency", label="Which agency?")
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=3000,
                               label="What you are asking for",
                               help_text="Say which part of the assessment you need their knowledge for. They will "
                                         "see this request and the subject's name, not the rest of the assessment.")
    due_on = DateField("Respond by", help_text="For example, 14 12 2026")

    field_order = ["agency", "question", "due_on"]

    def __init__(self, *args, exclude_agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).exclude(pk=exclude_agency.pk)
        posted = self.fields["agency"].queryset.filter(pk=pk).first() if (
            pk := record_id(self.data.get(self.add_prefix("agency"), "")) if self.is_bound else None) else None
        self.offer_agreements(exclude_agency, posted)
        self.helper = gds_helper(self, "Send request")


class ContributionAnswerForm(LawfulBasisFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(label="Your agency's response", max_length=10000,
                               widget=_text_widget("response", rows=8),
                               help_text="What your agency knows that answers this request, and where it comes from.")

    def __init__(self, *args, agency, asking_agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_agreements(agency, asking_agency)
        self.fields["reason"].label = "Why is it necessary to share your response?"
        self.helper = gds_helper(self, "Send response")
        self.helper.layout = Layout("response", _prompt_box("response"), *LAWFUL_LAYOUT, "version")


GOAL_HINTS = {"statement": "For example: young people feel safe waiting at the bus station in the evening.",
              "met_when": "For example: no reports of young people being approached there for 3 months.",
              "measured_by": "For example: bus station staff log, young people's survey, police reports."}
GOAL_MISSING = {"statement": "Enter the goal", "met_when": "Enter what would show the goal is met",
                "measured_by": "Enter how you will know"}
GOALS_MAX = 20  # on the new-goal page at once


class GoalForm(forms.ModelForm):
    """One goal, changed (its status too). New goals come in rows: ``GoalsForm``."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Goal
        fields = ["statement", "met_when", "measured_by", "status"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "met_when": forms.Textarea(attrs={"rows": 2}),
                   "measured_by": forms.Textarea(attrs={"rows": 2}), "status": forms.RadioSelect}
        help_texts = GOAL_HINTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = GoalStatus.choices
        self.helper = gds_helper(self, "Save goal")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GoalsForm(forms.Form):
    """New goals for a safety plan, as many as there are rows (MoJ add-another: safeguarding.add_another); a blank row
    is left out, a row begun must be finished."""

    KEY = "goals"
    PARTS = ("statement", "met_when", "measured_by")

    def __init__(self, *args, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = add_another.count(self, self.KEY, adding=adding, maximum=GOALS_MAX)
        rows = []
        for i in range(self.count):
            rows.append(add_another.add_row(self, self.KEY, i, {part: Goal._meta.get_field(part).formfield(
                required=False, help_text=GOAL_HINTS[part], widget=forms.Textarea(attrs={"rows": 2}))
                for part in self.PARTS}))
        self.helper = gds_helper(self, "Save goals")
        self.helper.layout = Layout(*add_another.layout(self.KEY, rows, item="Goal", element_id="goals"))
        # services.goals_add names a refused goal's field "<n>-<field>", n counting only the goals sent: filled in by
        # clean(), for the page to put the error at the row's field (form_page's rename).
        self.rename: dict[str, str] = {}

    def _row(self, i: int) -> dict:
        return {part: self.cleaned_data.get(add_another.name(self.KEY, i, part), "").strip() for part in self.PARTS}

    def clean(self):
        data = super().clean()
        begun = [i for i in range(self.count) if any(self._row(i).values())]
        for i in begun or [0]:
            for part, value in self._row(i).items():
                field = add_another.name(self.KEY, i, part)
                if not value and field not in self.errors:  # a field already refused says why itself
                    where = f" (goal {i + 1})" if self.count > 1 else ""
                    self.add_error(field, GOAL_MISSING[part] + where)
        self.rows = begun
        self.rename.update({f"{n}-{part}": add_another.name(self.KEY, i, part)
                            for n, i in enumerate(begun) for part in self.PARTS})
        return data

    def goals(self) -> list[dict]:
        """The goals typed, in order: each a dict of the goal's fields."""
        return [self._row(i) for i in self.rows]


class InterventionForm(forms.ModelForm):
    due_on = DateField("Due by", help_text="For example, 31 1 2027")
    owner_agency = PickerField("agency", Agency.objects.filter(is_active=True), label="Which agency will do it?")
    # Narrowed to the agency chosen above: the search lists only its people, and the form refuses anyone else.
    owner = PickerField("person", required=False, narrowed_by="owner_agency", label="Who is responsible (optional)",
                        help_text="Search by name: someone in the agency chosen above. Leave blank if not named yet.")

    class Meta:
        model = Intervention
        fields = ["what", "owner_agency", "owner", "due_on"]
        widgets = {"what": forms.Textarea(attrs={"rows": 3})}
        labels = {"owner_agency": "Which agency will do it?", "owner": "Who is responsible (optional)"}
        help_texts = {"what": "For example: better lighting on the path, detached youth work on Friday evenings, "
                              "a licensing conversation with the shop, a change of school policy."}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.helper = gds_helper(self, "Add intervention")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IndentedJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class FrameworkForm(forms.Form):
    definition = IndentedJSONField(
        label="Sections and questions (JSON)", widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false",
                                                                          "class": "app-code"}),
        help_text="Each section has a key, a title, guidance and questions; each question a key, a type "
                  "(text, scale, rag, yes_no, choice, factors), a label, a hint and whether it is required.")
    change_note = forms.CharField(label="What changed and why", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].error_messages["invalid"] = (
            "The sections and questions are not valid JSON: check for a missing comma, quote or bracket")
        self.helper = gds_helper(self, "Save as a new version")
