from datetime import datetime, time, timedelta

from allauth.account.forms import LoginForm
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout, Submit
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from . import pickers
from .inputs import YEAR_MAX, YEAR_MIN, harden
from .models import Agency, AuditAction, EmailPreference


def gds_helper(form, submit_label: str | None = None, method: str = "post", form_tag: bool = True) -> FormHelper:
    """GOV.UK-styled rendering for ``form``, with the Design System's wording for missing answers.

    Browsers' own validation is off, so our error messages are the ones people see. Every field is also guarded
    against hostile input, and its label and hint escaped (``safeguarding.inputs.harden``).
    """
    for field in form.fields.values():
        label = str(field.label or "").lower()
        if label and field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
            verb = "Select" if isinstance(field, forms.ChoiceField | forms.BooleanField) else "Enter"
            field.error_messages["required"] = f"{verb} {label}"
    harden(form)
    pickers.enable(form)
    for field in form.fields.values():
        _name_the_empty_choice(field)
        _count_characters(field)
    helper = FormHelper()
    helper.form_method = method
    helper.form_tag = form_tag
    helper.attrs = {"novalidate": ""}
    if getattr(form, "reveals", None):
        helper.layout = revealing_layout(form)
    if submit_label:
        # A real submit button; GOV.UK's script stops a double click sending the form twice.
        helper.add_input(Submit("submit", submit_label, data_module="govuk-button", data_prevent_double_click="true"))
    return helper


DASHES = "-" * 9  # Django's empty choice (BLANK_CHOICE_DASH), which means nothing to the people using the service


def _name_the_empty_choice(field):
    """A choice list's empty choice says what to do ("Choose a team") or, when it may stay empty, "None"."""
    label = str(field.label or "").lower()
    wording = f"Choose {label}" if field.required and label else "None"
    if isinstance(field, forms.ModelChoiceField) and field.empty_label == DASHES:
        field.empty_label = wording
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = list(field.choices)
        if any(value == "" and str(text) == DASHES for value, text in choices):
            if isinstance(field.widget, forms.RadioSelect):  # radios need no empty choice: none ticked is empty
                field.choices = [(value, text) for value, text in choices if value != ""]
            else:
                field.choices = [(value, wording if value == "" and str(text) == DASHES else text)
                                 for value, text in choices]


def _count_characters(field):
    """A text area with a limit counts the characters as they are typed (GOV.UK's character count): the class is
    what templates/gds/field.html and crispy-forms-gds's field tag look for. The browser's ``maxlength`` goes: it cuts
    pasted text short without a word, where the count says how far over it is and the form's error keeps every word
    for the person to shorten."""
    if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", None):
        field.widget.attrs.pop("maxlength", None)
        classes = field.widget.attrs.get("class", "").split()
        if "govuk-js-character-count" not in classes:
            field.widget.attrs["class"] = " ".join([*classes, "govuk-js-character-count"])
            # crispy-forms-gds's field tag appends the count's message to this, and fails when there is none yet
            field.widget.attrs.setdefault("aria-describedby", "")


def revealing_layout(form) -> Layout:
    """The form's fields in order, with each follow-up question inside the radio choice that asks it (GOV.UK's
    conditional reveal). A form declares them as ``reveals = {radio field: {choice value: (follow-up fields)}}``;
    without javascript every question shows, so a follow-up's label should still say when it applies."""
    followers = {name for by_value in form.reveals.values() for names in by_value.values() for name in names}
    parts = []
    for name, field in form.fields.items():
        if name in followers:
            continue
        if name in form.reveals:
            by_value = form.reveals[name]
            parts.append(ConditionalRadios(name, *[
                ConditionalQuestion(str(text), *by_value[value]) if value in by_value else str(text)
                for value, text in field.choices if value != ""]))
        else:
            parts.append(name)
    return Layout(*parts)


class DateField(DateInputField):
    """The GOV.UK date input (day, month, year); an impossible date gets the field's own message."""

    def __init__(self, label: str, *, required: bool = True, help_text: str = "For example, 27 3 2009"):
        super().__init__(label=label, required=required, help_text=help_text, require_all_fields=False)
        self.error_messages["invalid"] = f"{label} must be a real date"

    def compress(self, data_list):
        try:
            value = super().compress(data_list)
        except (ValidationError, OverflowError, ValueError):  # a 20-digit year overflows C's int
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ValidationError(f"{self.label} must be a date between {YEAR_MIN} and {YEAR_MAX}", code="date_range")
        return value


class SignInForm(LoginForm):
    """allauth's sign-in form (username or email address, and password), GOV.UK-styled (ACCOUNT_FORMS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or email address"
        login.widget.attrs = {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.helper = gds_helper(self, "Sign in")


class InvitationAcceptForm(SetPasswordForm):
    """Choosing a password on accepting an invitation: the service's password rules (AUTH_PASSWORD_VALIDATORS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password1"].help_text = ("At least 12 characters. A few unrelated words strung together "
                                                  "make a good one. Avoid passwords that are easy to guess.")
        self.fields["new_password2"].label = "Type the password again"
        self.fields["new_password2"].help_text = ""
        self.helper = gds_helper(self, "Set password and continue")


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        required=False, max_length=150, label="Person", help_text="Username, or part of their name."
    )
    record = forms.CharField(
        required=False, max_length=100, label="Record reference",
        help_text="For example a case reference (EFH-2026-000012) or a young person's ID (YP-123).",
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    date_from = DateField("From", required=False, help_text="For example, 1 3 2026")
    date_to = DateField("To", required=False, help_text="For example, 31 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Search", method="get")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data

    def filter(self, events):
        data = self.cleaned_data
        if person := data["person"].strip():
            events = events.filter(
                Q(actor_username__iexact=person)
                | Q(actor__first_name__icontains=person)
                | Q(actor__last_name__icontains=person)
            )
        if data["record"]:
            events = events.filter(target_label__iexact=data["record"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(occurred_at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
            events = events.filter(occurred_at__lt=end)
        return events


def submit(form, call, rename: dict[str, str] | None = None):
    """Run a service call for a valid form; put any ValidationError it raises onto the form.

    Returns the call's result (True for a call that returns nothing), or None when it refused (the form then
    carries the reasons, and the page shows them with everything the person typed still in place).
    """
    try:
        result = call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                field = (rename or {}).get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None
    return True if result is None else result


class EmailPreferenceForm(forms.Form):
    preference = forms.ChoiceField(
        label="How often should we email you about your notifications?", choices=EmailPreference.choices,
        widget=forms.RadioSelect,
        help_text="An email says only what kind of thing happened, never who it is about: you read the rest here. "
                  "What the service must tell you is emailed straight away, whatever you choose.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save")


class SsoStartForm(forms.Form):
    """Single sign-on's first step: which agency's provider to go to, chosen or found from a work email address.
    ``providers`` is the list of agencies' providers (read once: the page's one query)."""

    agency = forms.TypedChoiceField(coerce=int, required=False, widget=forms.RadioSelect, label="Your agency",
                                    help_text="Choose the agency you work for.")
    email = forms.EmailField(required=False, max_length=254, label="Or your work email address",
                             help_text="We will find your agency from it.")

    def __init__(self, *args, providers, again: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = {provider.pk: provider for provider in providers}
        self.fields["agency"].choices = [(pk, provider.agency.name) for pk, provider in self.providers.items()]
        if again:  # signing in again (a step-up): the person's own agency, nothing to find
            del self.fields["email"]
            self.fields["agency"].help_text = ""
        else:
            self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.helper = gds_helper(self, "Continue")

    def clean(self):
        from .sso import provider_for_email

        data = super().clean()
        if self.errors:
            return data
        provider = self.providers.get(data.get("agency"))
        if provider is None and data.get("email"):
            provider = provider_for_email(data["email"])
            if provider is None:
                self.add_error("email", "No agency signs in to this service with that email address. Sign in with "
                                        "your username and password instead")
        elif provider is None:
            self.add_error("email", "Enter your work email address, or choose your agency")
        data["provider"] = provider
        return data


class DocumentForm(forms.Form):
    file = forms.FileField(label="Upload a file", help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), "
                           "plain text, PNG or JPEG. Every file is checked for viruses before it is kept.",
                           error_messages={"required": "Select a file", "empty": "The selected file is empty"})
    description = forms.CharField(label="What is it? (optional)", required=False, max_length=500,
                                  help_text="For example, the school's attendance record for the autumn term.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Upload")


class WebhookForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=500, assume_scheme="https",
                         help_text="Where your system receives events, starting https://. It must answer within a few "
                                   "seconds with a 2xx status; redirects are not followed.")
    description = forms.CharField(label="What it is for", max_length=200, required=False,
                                  help_text="For example, Police case management system.")
    events = forms.MultipleChoiceField(
        label="What should it be told about?", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what the system should be told about"},
        help_text="Each event names only the kind of thing and where to fetch it through the API, never a person.")

    def __init__(self, *args, **kwargs):
        from .webhooks import SUBSCRIBABLE

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = SUBSCRIBABLE
        self.helper = gds_helper(self, "Connect the system")


# --- Retention and subject access --------------------------------------------------------------------------------

class RetentionKeepForm(forms.Form):
    reason = forms.CharField(label="Why must it be kept?", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="For example: a court case is still open, or a complaint is being answered.")
    keep_until = DateField("Keep it until", help_text="It will be listed for review again then. For example, 1 6 2028")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Keep the record")


class RetentionDisposeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm this record can be disposed of. Its personal details and text will be erased for good.",
        error_messages={"required": "Confirm that the record can be disposed of"})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Dispose of the record")


class SubjectAccessRequestForm(forms.Form):
    requested_by = forms.CharField(label="Who asked", max_length=200,
                                   help_text="The young person, or who is acting for them and how (for example, "
                                             "their solicitor, with their written consent).")
    received_on = DateField("Date the request was received", help_text="It is due one calendar month after this. "
                                                                         "For example, 2 12 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Ask for the export")


class SubjectAccessSignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read the whole export, and nothing in it identifies anyone else who has not agreed",
        error_messages={"required": "Confirm that you have read the export"})
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Sign off for release")


class AgreementForm(forms.Form):
    """An information-sharing agreement, as an administrator records it (safeguarding.services.agreement_create)."""

    title = forms.CharField(max_length=200, label="Title",
                            help_text="For example, Northfield Safeguarding Children Partnership agreement")
    reference = forms.CharField(max_length=60, label="Reference", help_text="The agreement's own reference")
    parties = pickers.PickerMultipleField("agency", label="Agencies party to it",
                                          help_text="Search by name, and choose each agency that signed it: at "
                                                    "least two")
    starts_on = DateField("Start date")
    ends_on = DateField("End date (optional)", required=False, help_text="Leave blank if it has no end date")
    review_on = DateField("Review date")
    summary = forms.CharField(label="What it covers", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="The purposes, the kinds of information, and any limits on sharing.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Agency.objects.filter(is_active=True)
        self.helper = gds_helper(self, "Save agreement")
