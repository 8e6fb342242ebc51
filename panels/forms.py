"""Forms for panels and meetings: the shape of what was typed. Services decide what it means."""

from crispy_forms_gds.layout import HTML, Layout
from django import forms
from django.utils import timezone

from safeguarding import language, subjects
from safeguarding.forms import DateField, gds_helper
from safeguarding.lawful import LawfulBasisFields
from safeguarding.models import Agency, User
from safeguarding.pickers import PickerField, PickerMultipleField

from .models import AttendanceStatus, ItemKind, PanelKind


class PanelForm(forms.Form):
    name = forms.CharField(max_length=150, label="Panel name", help_text="For example, Northfield MACE panel")
    kind = forms.ChoiceField(choices=PanelKind.choices, widget=forms.RadioSelect, label="Kind of panel")
    # Pickers, not lists: a national deployment has thousands of agencies and people. Each search adds to the chosen.
    member_agencies = PickerMultipleField("agency", Agency.objects.filter(is_active=True), label="Member agencies",
                                          help_text="Search by name, and choose each agency that sits on the panel")
    chairs = PickerMultipleField("person", User.objects.filter(is_active=True), label="Chairs",
                                 help_text="Search by name, and choose each person who chairs it")
    terms_of_reference = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000)
    packs_to_apologies = forms.BooleanField(
        required=False, initial=True, label="Send packs to agencies that sent apologies",
        help_text="An agency whose only attendees sent apologies still gets a pack, to act on the panel's actions.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Create panel")


class PanelSettingsForm(forms.Form):
    terms_of_reference = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000)
    packs_to_apologies = PanelForm.base_fields["packs_to_apologies"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save settings")


class MeetingForm(forms.Form):
    day = DateField("Date", help_text="For example, 14 1 2027")
    time = forms.TimeField(label="Start time", help_text="For example, 10:00", input_formats=["%H:%M", "%H.%M"],
                           error_messages={"invalid": "Enter a time like 10:00"})
    location = forms.CharField(max_length=300, required=False, label="Where")
    online_link = forms.URLField(max_length=500, required=False, label="Online meeting link (optional)",
                                 assume_scheme="https",
                                 error_messages={"invalid": "Enter a link starting with https://"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Schedule meeting")

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            data["starts_at"] = timezone.make_aware(timezone.datetime.combine(data["day"], data["time"]))
        if not data.get("location") and not data.get("online_link"):
            self.add_error("location", "Enter where the meeting is, or an online link")
        return data


class AgendaItemForm(forms.Form):
    """What an item is about: a record of one of the registered kinds (safeguarding.subjects), or a theme."""

    kind = forms.ChoiceField(choices=ItemKind.choices, widget=forms.RadioSelect, label="What is the item about?")
    theme = forms.CharField(max_length=200, required=False, label="Theme",
                            help_text="For example, younger children being approached near Eastgate schools")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000,
                             label="Why it is on the agenda")
    presenter = PickerField("person", required=False, label="Presenter")

    def __init__(self, *args, records, presenters, agencies=None, **kwargs):
        """``records``: for each kind's key, the records of that kind the person may choose from; ``presenters``
        the people who may present, from ``agencies`` (the panel's member agencies, to narrow the search)."""
        super().__init__(*args, **kwargs)
        fields = {"kind": self.fields.pop("kind")}
        for subject in subjects.kinds():
            # Each kind's picker is found by the word of its address (young-person, place, peer-group).
            field = fields[subject.key] = PickerField(subject.word, records[subject.key], required=False,
                                                      label=subject.label)
            if subject.choice_label:
                field.label_from_instance = subject.choice_label
        self.fields = {**fields, **self.fields}
        self.fields["presenter"].queryset = presenters
        self.fields["presenter"].widget.agencies = agencies
        self.helper = gds_helper(self, "Add to agenda")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != ItemKind.THEME and not data.get(kind):
            self.add_error(kind, f"Choose the {subjects.get(kind).noun}")
        if kind == ItemKind.THEME and not data.get("theme", "").strip():
            self.add_error("theme", "Enter the theme")
        return data

    def subject(self):
        kind = self.cleaned_data["kind"]
        return None if kind == ItemKind.THEME else self.cleaned_data[kind]


class InviteForm(forms.Form):
    person = PickerField("person", label="Who?", help_text="Search by name: someone in a member agency")
    status = forms.ChoiceField(choices=AttendanceStatus.choices, initial=AttendanceStatus.INVITED,
                               widget=forms.RadioSelect, label="Attendance")
    deputy_for = PickerField("person", required=False, label="Deputising for (optional)")

    def __init__(self, *args, people, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("person", "deputy_for"):
            self.fields[name].queryset = people
            self.fields[name].widget.agencies = agencies
        self.helper = gds_helper(self, "Save")


def _minute_widget(name: str, item_pk: int, rows: int):
    target = f"lang-{name}-{item_pk}"
    return forms.Textarea(attrs={"rows": rows, **language.prompt_attrs(name, target)})


class MinuteForm(forms.Form):
    """One item's minutes on the live page; saved as the chair types."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    voice = forms.CharField(required=False, max_length=5000, label="What the young person has said")
    feedback = forms.CharField(required=False, max_length=3000, label="What will be fed back to them")
    minutes = forms.CharField(required=False, max_length=20000, label="Discussion")
    decisions = forms.CharField(required=False, max_length=5000, label="Decisions")

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)
        for name, rows in (("voice", 2), ("feedback", 2), ("minutes", 6), ("decisions", 3)):
            self.fields[name].widget = _minute_widget(self.add_prefix(name), item.pk, rows)
        self.helper = gds_helper(self, form_tag=False)
        self.helper.disable_csrf = True  # the live page's form carries the token
        self.helper.layout = Layout(*[part for name in ("voice", "feedback", "minutes", "decisions") for part in (
            name, HTML(f'<div id="lang-{self.add_prefix(name)}-{item.pk}" aria-live="polite"></div>'))], "version")


class FeedbackGivenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    given_on = DateField("When was the feedback given?", help_text="For example, 31 1 2027")
    how = forms.CharField(max_length=300, label="How was it given?",
                          help_text="For example: in person at a home visit, by their youth worker, by text message.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Record feedback given")


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=3000, label="Action")
    owner_agency = PickerField("agency", Agency.objects.filter(is_active=True), label="Agency")
    # Narrowed to the agency chosen above: the search lists only its people, and the form refuses anyone else.
    owner = PickerField("person", required=False, narrowed_by="owner_agency", label="Person responsible (optional)",
                        help_text="Search by name: someone in the agency chosen above")
    due_on = DateField("Due by", help_text="For example, 31 1 2027")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.helper = gds_helper(self, "Add action")

    def inline(self, item_pk: int) -> "ActionForm":
        """Inside the live page's own <form> for an item, with a button id of its own."""
        self.helper.form_tag, self.helper.disable_csrf = False, True
        self.helper.inputs[0].id = f"submit-action-{item_pk}"
        return self

    @classmethod
    def for_items(cls, items, people) -> dict:
        """One blank form per item for the live page. Its pickers list nothing, so nothing is read for them."""
        forms_by_item = {item.pk: cls(people=people, prefix=f"action-{item.pk}").inline(item.pk) for item in items}
        return forms_by_item


class ShareRequestForm(forms.Form):
    """A chair asking the agency that holds an item's record to share it with panel agencies that cannot see it."""

    agencies = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                              label="Which agencies need to see it?",
                                              error_messages={"required": "Choose the agencies that need to see it"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=3000,
                             label="Why the panel needs them to see it",
                             error_messages={"required": "Enter why the panel needs them to see it"},
                             help_text="The agency that holds the record reads this when it decides.")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        self.helper = gds_helper(self, "Ask to share")


class ShareApproveForm(LawfulBasisFields):
    """The holding agency sharing its record with the agencies a panel asked for, on a lawful basis."""

    reason = None  # the panel's, given by the chair when asking

    def __init__(self, *args, holder, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_agreements(holder, *agencies)
        self.helper = gds_helper(self, "Share with these agencies", form_tag=False)


class ShareDeclineForm(forms.Form):
    decline_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000,
                                     label="Why it cannot be shared",
                                     error_messages={"required": "Enter why the record cannot be shared"},
                                     help_text="The chair reads this.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Decline", form_tag=False)
