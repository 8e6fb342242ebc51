"""Forms check the shape of what was typed; services (cases.services) decide what it means."""

import re
from datetime import datetime, time

from crispy_forms.layout import LayoutObject
from crispy_forms_gds.layout import Layout
from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils import timezone
from django.utils.html import format_html

from safeguarding import language
from safeguarding.forms import DateField, gds_helper
from safeguarding.lawful import LawfulBasisFields
from safeguarding.models import Agency, AgencyKind
from safeguarding.pickers import PickerField, record_id

from .identifiers import NHS_NUMBER_EXAMPLE, UPN_EXAMPLE
from .models import (
    Agreement,
    Case,
    ChronologyEntry,
    ClosureReason,
    EntryKind,
    Exploitation,
    FirstResponder,
    GroundsDecision,
    HarmType,
    RhiOutcome,
    RiskLevel,
    TransitionPlan,
    TransitionStatus,
    TrustedAdult,
    Urgency,
    VoiceEntry,
    YoungPerson,
)


class VersionedForm(forms.Form):
    """Carries the version of the record the form was loaded from (safeguarding.versioning)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class YoungPersonForm(forms.ModelForm):
    known_as = SimpleArrayField(
        forms.CharField(max_length=100), delimiter="\n", required=False, label="Other names and aliases",
        help_text="One name on each line: nicknames, street names, previous names.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    date_of_birth = DateField("Date of birth")
    # Typed as printed (e.g. "943 476 5919"); stored as ten digits.
    nhs_number = forms.CharField(label="NHS number (optional)", max_length=14, required=False,
                                 help_text=f"10 digits, for example {NHS_NUMBER_EXAMPLE}",
                                 widget=forms.TextInput(attrs={"class": "govuk-input--width-10",
                                                               "inputmode": "numeric"}))
    # Typed with or without spaces, in either case; stored as 13 capitals.
    upn = forms.CharField(label="Unique pupil number (optional)", max_length=16, required=False,
                          help_text=f"13 characters from their school, for example {UPN_EXAMPLE}",
                          widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirmed_new = forms.BooleanField(
        required=False, label="I have checked these records and this is a different young person",
    )

    class Meta:
        model = YoungPerson
        fields = [
            "first_name", "last_name", "known_as", "date_of_birth", "sex", "gender_identity", "ethnicity",
            "first_language", "send_status", "communication_needs", "address", "postcode",
            "la_person_id", "nhs_number", "upn",
        ]
        widgets = {
            "sex": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
            "communication_needs": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"gender_identity": "Gender identity (if they have told us)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = self.fields["sex"].choices[1:]  # radios: no blank "-----" option
        if self.instance.pk:
            del self.fields["confirmed_new"]
            self.fields["version"].required = True
            self.initial.setdefault("known_as", "\n".join(self.instance.known_as))
        else:
            del self.fields["version"]
        self.helper = gds_helper(self, "Save")

    def clean_nhs_number(self):
        return self.cleaned_data["nhs_number"].replace(" ", "")

    def clean_upn(self):
        return self.cleaned_data["upn"].replace(" ", "").upper()

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TrustedAdultForm(forms.ModelForm):
    class Meta:
        model = TrustedAdult
        fields = ["name", "relationship", "how_to_contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Add trusted adult")


class VoiceEntryForm(forms.ModelForm):
    said_on = DateField("When they said it", help_text="For example, 14 10 2026")

    class Meta:
        model = VoiceEntry
        fields = ["said_on", "words", "how_captured"]
        widgets = {"words": forms.Textarea(attrs={"rows": 5})}
        labels = {"how_captured": "How it was captured", "words": "In their own words"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Record their words")


class CaseForm(forms.ModelForm):
    harm_types = forms.MultipleChoiceField(
        choices=HarmType.choices, widget=forms.CheckboxSelectMultiple, label="Types of harm",
        help_text="Select all that apply.", error_messages={"required": "Select at least one type of harm"},
    )
    next_review_on = DateField("Next review date", required=False, help_text="For example, 30 1 2027")
    lead_practitioner = PickerField("person", required=False, label="Lead practitioner",
                                    help_text="Search by name: someone in your agency")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = ["harm_types", "risk_level", "summary", "lead_practitioner", "next_review_on"]
        widgets = {"risk_level": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_level"].choices = RiskLevel.choices
        self.fields["lead_practitioner"].queryset = colleagues
        self.fields["version"].required = bool(self.instance.pk)
        self.helper = gds_helper(self, "Save case")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CaseCloseForm(VersionedForm):
    reason = forms.ChoiceField(choices=ClosureReason.choices, widget=forms.RadioSelect, label="Why is it closing?")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000,
                           label="Closing summary")
    closed_on = DateField("Date closed", required=False, help_text="Leave blank for today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Close case")


_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


class _Folded(LayoutObject):
    """Fields in a GOV.UK details component, open when any of them has a value or an error."""

    def __init__(self, summary: str, *fields):
        self.summary, self.fields = summary, list(fields)

    def render(self, form, context, template_pack=None, **kwargs):
        shown = any(form[name].value() or form[name].errors for name in self.fields)
        inner = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return format_html('<details class="govuk-details" id="restrict"{}><summary class="govuk-details__summary">'
                           '<span class="govuk-details__summary-text">{}</span></summary>'
                           '<div class="govuk-details__text">{}</div></details>', " open" if shown else "",
                           self.summary, inner)


class ChronologyEntryForm(forms.Form):
    # Missing episodes, return home interviews and NRM referrals have forms of their own (data, not text).
    kind = forms.ChoiceField(choices=[(key, label) for key, label in EntryKind.choices
                                      if key not in ChronologyEntry.RECORDED_KINDS], label="Type of entry")
    occurred_on = DateField("Date it happened", help_text="For example, 14 10 2026")
    occurred_time = forms.CharField(
        label="Time (24-hour clock, optional)", required=False, max_length=5, help_text="For example, 16:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, label="What happened")
    restricted = forms.BooleanField(
        required=False, label="Restrict this entry to named people in my agency",
        help_text="For example, a sensitive disclosure. You will always be able to see it.",
    )
    restricted_to = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Who else can see it",
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["restricted_to"].queryset = colleagues
        # Trauma-informed recording: suggestions appear above the form (includes/language_guide.html) as they write.
        self.fields["text"].widget.attrs.update(language.prompt_attrs("text", "entry-language"))
        self.helper = gds_helper(self, "Add entry", form_tag=False)
        # Restricting is the exception: folded away, open when a restriction is set or has an error.
        self.helper.layout = Layout("kind", "occurred_on", "occurred_time", "text",
                                    _Folded("Restrict who can see this entry", "restricted", "restricted_to"))

    def clean_occurred_time(self):
        value = self.cleaned_data["occurred_time"].strip()
        if not value:
            return None
        match = _TIME.match(value)
        if not match:
            raise forms.ValidationError("Enter a time like 16:30")
        return time(int(match[1]), int(match[2]))

    def occurred_at(self):
        """When it happened; with no time given, midday (or now, for something earlier today)."""
        day = self.cleaned_data["occurred_on"]
        if at := self.cleaned_data.get("occurred_time"):
            return timezone.make_aware(datetime.combine(day, at))
        noon, now = timezone.make_aware(datetime.combine(day, time(12, 0))), timezone.now()
        return now.replace(second=0, microsecond=0) if day == timezone.localdate() and noon > now else noon


class CaseSummaryForm(forms.Form):
    """What a printed case summary's chronology holds: kinds of entry and a date range (all of both when left blank).
    """

    kinds = forms.MultipleChoiceField(choices=EntryKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Types of entry", help_text="Leave them all unticked to print every type.")
    date_from = DateField("From", required=False, help_text="For example, 1 9 2026. Leave blank to start at the first")
    date_to = DateField("To", required=False, help_text="Leave blank to go up to today")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Download the PDF", method="get")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


# --- The front door and transfers ---------------------------------------------------------------------------------

class ReferralFields(LawfulBasisFields):
    """What every referral asks, whatever it is about (its own fields come first)."""

    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, label="Lead authority to refer to",
        empty_label="Choose from the postcode", help_text="Leave this to send it to the authority whose area the "
                                                          "postcode is in. Choose one to send it elsewhere.")
    concerns = forms.CharField(label="What are you worried about?", max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 6}))
    harm_types = forms.MultipleChoiceField(choices=HarmType.choices, widget=forms.CheckboxSelectMultiple,
                                           label="Kinds of harm")
    urgency = forms.ChoiceField(choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.ROUTINE,
                                label="How urgent is it?")
    # What the referrer is worried about is why it is shared; each kind asks what the young person and family know.
    reason = None
    told = None
    not_told_why = None

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_lead_authority=True, is_active=True).exclude(
            pk=user.agency_id).order_by("name")
        # The authority is often chosen by the postcode, after the form: its agreement is then found by the service.
        self.offer_agreements(user.agency)
        self.helper = gds_helper(self, "Send referral")


class YoungPersonReferralForm(ReferralFields):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    known_as = SimpleArrayField(forms.CharField(max_length=100), delimiter="\n", required=False,
                                label="Other names and aliases (optional)", help_text="One name on each line.",
                                widget=forms.Textarea(attrs={"rows": 2}))
    date_of_birth = DateField("Date of birth (if known)", required=False)
    address = forms.CharField(max_length=500, required=False, label="Address (optional)",
                              widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(max_length=10, required=False, label="Postcode",
                               widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    school = forms.CharField(max_length=200, required=False, label="School or college (optional)")
    family_knows = forms.CharField(label="What do the young person and their family know about this referral?",
                                   max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    young_person_agreed = forms.ChoiceField(choices=Agreement.choices, widget=forms.RadioSelect,
                                            label="Did the young person agree to the referral?")

    field_order = ["first_name", "last_name", "known_as", "date_of_birth", "address", "postcode", "school",
                   "to_agency", "concerns", "harm_types", "urgency", "family_knows", "young_person_agreed"]


class ReferralDeclineForm(VersionedForm):
    reason = forms.CharField(label="Why is it declined?", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    advice = forms.CharField(label="Advice to the referrer (optional)", max_length=5000, required=False,
                             help_text="For example, a service that may help instead.",
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Decline referral")


class ReferralAskForm(VersionedForm):
    question = forms.CharField(label="What do you need to know?", max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Ask the referrer")


class ReferralAnswerForm(VersionedForm):
    answer = forms.CharField(label="Your answer", max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Send answer")


class ReferralAcceptForm(VersionedForm):
    """Accept: what the referral becomes. ``options`` are (value, label) pairs: "new", "person:<id>", "case:<id>" for
    a young person; "new", "record:<id>" for a place or group."""

    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="What should accepting do?")
    lead_practitioner = PickerField("person", required=False, label="Lead practitioner (optional)",
                                    help_text="Search by name: someone in your agency")
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, initial=RiskLevel.MEDIUM, widget=forms.RadioSelect,
                                   label="Risk level of a new case", required=False)

    def __init__(self, *args, options, colleagues, risk: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = options
        self.fields["lead_practitioner"].queryset = colleagues
        if not risk:
            del self.fields["risk_level"]
        self.helper = gds_helper(self, "Accept referral")

    def chosen(self) -> tuple[str, int | None]:
        what, _, pk = self.cleaned_data["outcome"].partition(":")
        return what, int(pk) if pk else None


class TransferRequestForm(LawfulBasisFields):
    to_agency = PickerField("agency", label="Transfer to", help_text="Search by name: another authority or agency")
    reason = forms.CharField(label="Why should it move?", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    keep_view = forms.TypedChoiceField(
        choices=[("yes", "Yes, we keep view access (usual: we can still read what we recorded)"),
                 ("no", "No, we have no further part in it")],
        coerce=lambda value: value == "yes", initial="yes", widget=forms.RadioSelect,
        label="Should your agency keep view access after the transfer?")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True).exclude(pk=record.owning_agency_id)
        self.order_fields(["to_agency", "reason", "keep_view"])
        chosen = record_id(self.data.get(self.add_prefix("to_agency"), "")) if self.is_bound else None
        self.offer_agreements(record.owning_agency,
                              self.fields["to_agency"].queryset.filter(pk=chosen).first() if chosen else None)
        self.helper = gds_helper(self, "Ask for the transfer")


class TransferAcceptForm(VersionedForm):
    lead_practitioner = PickerField("person", label="Lead practitioner",
                                    help_text="Search by name: someone in your agency")

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].queryset = colleagues
        self.helper = gds_helper(self, "Accept transfer")


class TransferRejectForm(VersionedForm):
    reason = forms.CharField(label="Why is it rejected?", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Reject transfer")


# --- Missing episodes, return home interviews, NRM referrals ----------------------------------------------------------

_YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(choices=_YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect,
                                  label=label, **kwargs)


def _time_field(label: str, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=5, help_text="24-hour clock, for example 16:30",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}))


class MomentsForm(forms.Form):
    """A form whose moments (``MOMENTS``: model field name -> label) are typed as a GOV.UK date and a 24-hour time:
    ``<name>_on`` and ``<name>_time``, put together as ``cleaned_data[<name>]`` (None when both are empty)."""

    MOMENTS: dict[str, tuple[str, bool]] = {}  # name -> (label, required)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, required) in self.MOMENTS.items():
            self.fields[f"{name}_on"] = DateField(f"Date {label}", required=required,
                                                  help_text="For example, 14 10 2026")
            self.fields[f"{name}_time"] = _time_field(f"Time {label}", required=False)
            value = getattr(instance, name, None) if instance is not None else None
            if value is not None:
                local = timezone.localtime(value)
                self.initial.setdefault(f"{name}_on", local.date())
                self.initial.setdefault(f"{name}_time", f"{local:%H:%M}")

    def clean(self):
        data = super().clean()
        for name, (label, _required) in self.MOMENTS.items():
            day, typed = data.get(f"{name}_on"), (data.get(f"{name}_time") or "").strip()
            data[name] = None
            if typed and not _TIME.match(typed):
                self.add_error(f"{name}_time", "Enter a time like 16:30")
            elif day and not typed:
                self.add_error(f"{name}_time", f"Enter the time {label}")
            elif typed and not day and f"{name}_on" not in self.errors:
                self.add_error(f"{name}_on", f"Enter the date {label}")
            elif day and typed:
                match = _TIME.match(typed)
                data[name] = timezone.make_aware(datetime.combine(day, time(int(match[1]), int(match[2]))))
        return data

    @classmethod
    def rename(cls) -> dict[str, str]:
        """Where a service's error about a moment is shown: on its date."""
        return {name: f"{name}_on" for name in cls.MOMENTS}


class MissingEpisodeForm(MomentsForm):
    MOMENTS = {"missing_at": ("they were reported missing", True), "found_at": ("they were found or returned", False)}

    reported_by = forms.CharField(label="Reported missing by", max_length=200,
                                  help_text="Who reported it, and from where: for example, foster carer, Oak House")
    police_reference = forms.CharField(label="Police reference (optional)", max_length=40, required=False,
                                       widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}))
    where_found = forms.CharField(label="Where they were found (optional)", max_length=300, required=False)
    harm_disclosed = _yes_no("Did they disclose harm while missing?", initial="no")
    harm_detail = forms.CharField(label="What harm did they disclose? (if yes)", max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    FIELDS = ("missing_at", "reported_by", "police_reference", "found_at", "where_found", "harm_disclosed",
              "harm_detail")
    reveals = {"harm_disclosed": {"yes": ("harm_detail",)}}  # GOV.UK's conditional reveal (safeguarding.forms)
    field_order = ["missing_at_on", "missing_at_time", "reported_by", "police_reference", "found_at_on",
                   "found_at_time", "where_found", "harm_disclosed", "harm_detail"]

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {"reported_by": instance.reported_by, "police_reference": instance.police_reference,
                                 "where_found": instance.where_found, "harm_detail": instance.harm_detail,
                                 "harm_disclosed": "yes" if instance.harm_disclosed else "no",
                                 "version": instance.version, **kwargs.get("initial", {})}
        super().__init__(*args, instance=instance, **kwargs)
        self.order_fields(self.field_order)
        self.fields["version"].required = instance is not None
        self.fields["harm_detail"].widget.attrs.update(language.prompt_attrs("harm_detail", "episode-language"))
        self.helper = gds_helper(self, "Save missing episode" if instance is None else "Save changes")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ReturnInterviewForm(MomentsForm):
    MOMENTS = {"offered_at": ("it was offered", False)}

    outcome = forms.ChoiceField(choices=RhiOutcome.choices, widget=forms.RadioSelect,
                                label="Was a return home interview offered, and did they accept it?")
    not_offered_reason = forms.CharField(label="Why was it not offered? (if not offered)", max_length=2000,
                                         required=False, widget=forms.Textarea(attrs={"rows": 3}))
    conducted_by = PickerField("agency", required=False, label="Agency offering it",
                               help_text="Search by name: often a commissioned independent service")
    held_on = DateField("Date it was held (if accepted)", required=False, help_text="For example, 14 10 2026")
    words = forms.CharField(label="What they said, in their own words", max_length=10000, required=False,
                            help_text="As they said it. Do not interpret or summarise.",
                            widget=forms.Textarea(attrs={"rows": 5}))
    next_steps = forms.CharField(label="What will happen next", max_length=5000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    FIELDS = ("outcome", "offered_at", "not_offered_reason", "conducted_by", "held_on", "words", "next_steps")
    reveals = {"outcome": {RhiOutcome.NOT_OFFERED: ("not_offered_reason",), RhiOutcome.ACCEPTED: ("held_on",)}}
    field_order = ["outcome", "offered_at_on", "offered_at_time", "not_offered_reason", "conducted_by", "held_on",
                   "words", "next_steps"]

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {**{name: getattr(instance, name) for name in self.FIELDS if name != "offered_at"},
                                 "version": instance.version, **kwargs.get("initial", {})}
        super().__init__(*args, instance=instance, **kwargs)
        self.order_fields(self.field_order)
        self.fields["version"].required = instance is not None
        self.fields["conducted_by"].queryset = Agency.objects.filter(is_active=True)
        self.fields["words"].widget.attrs.update(language.prompt_attrs("words", "interview-language"))
        self.helper = gds_helper(self, "Save return home interview")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class NrmReferralForm(forms.Form):
    first_responder = forms.ChoiceField(choices=[("", "Choose the organisation"), *FirstResponder.choices],
                                        label="First responder organisation",
                                        help_text="The organisation that made the referral")
    referred_on = DateField("Date referred", help_text="For example, 14 10 2026")
    exploitation_types = forms.MultipleChoiceField(choices=Exploitation.choices, widget=forms.CheckboxSelectMultiple,
                                                   label="Kinds of exploitation", help_text="Select all that apply.")
    adult_consented = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes", empty_value=None,
        widget=forms.RadioSelect, required=False, label="If they were 18 or over when referred: did they consent?",
        help_text="Leave this unanswered for a child: no consent is needed to refer anyone under 18.")
    rg_decision = forms.ChoiceField(choices=GroundsDecision.choices, widget=forms.RadioSelect,
                                    initial=GroundsDecision.AWAITED, label="Reasonable-grounds decision")
    rg_decided_on = DateField("Date of the reasonable-grounds decision", required=False,
                              help_text="For example, 14 10 2026")
    cg_decision = forms.ChoiceField(choices=GroundsDecision.choices, widget=forms.RadioSelect,
                                    initial=GroundsDecision.AWAITED, label="Conclusive-grounds decision",
                                    help_text="Made only after a positive reasonable-grounds decision.")
    cg_decided_on = DateField("Date of the conclusive-grounds decision", required=False,
                              help_text="For example, 14 10 2026")
    devolved_pilot = _yes_no("Was it decided in a devolved decision-making pilot area?", initial="no")
    pilot_panel = forms.CharField(label="Pilot panel (if a pilot area)", max_length=200, required=False)
    reveals = {"devolved_pilot": {"yes": ("pilot_panel",)}}
    notes = forms.CharField(label="Notes (optional)", max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    FIELDS = ("first_responder", "referred_on", "exploitation_types", "adult_consented", "rg_decision",
              "rg_decided_on", "cg_decision", "cg_decided_on", "devolved_pilot", "pilot_panel", "notes")

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            consent = {True: "yes", False: "no", None: ""}[instance.adult_consented]
            kwargs["initial"] = {**{name: getattr(instance, name) for name in self.FIELDS}, "adult_consented": consent,
                                 "devolved_pilot": "yes" if instance.devolved_pilot else "no",
                                 "version": instance.version, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["version"].required = instance is not None
        self.helper = gds_helper(self, "Save NRM referral")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class TransitionPlanForm(forms.ModelForm):
    """A transition plan to adult services (cases.transitions): opened with ``early_reason`` where asked, edited with
    the version it was loaded at and whether it is agreed."""

    handover_on = DateField("Planned handover date", help_text="For example, 30 6 2027")
    meeting_on = DateField("Handover meeting date (optional)", required=False,
                           help_text="The meeting with the young person, their worker and adult services")
    early_reason = forms.CharField(
        label="Why start the plan now?", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if they are not yet 17: for example, an NRM decision may come after they turn 18.")
    agreed = forms.TypedChoiceField(
        label="Has the plan been agreed?", coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("no", "Not yet: still planning"), ("yes", "Yes, with the young person and adult services")])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TransitionPlan
        fields = ["adult_agency", "adult_worker", "adult_worker_contact", "continues", "handover_on", "meeting_on",
                  "notes"]
        widgets = {"continues": forms.Textarea(attrs={"rows": 4}), "notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"continues": "The support, relationships and plans that carry on past 18, and who holds them."}

    def __init__(self, *args, early: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adult_agency"].queryset = Agency.objects.filter(
            kind__in=AgencyKind.adult_services(), is_active=True).order_by("name")
        self.fields["adult_agency"].empty_label = "Choose an agency"
        if self.instance.pk:
            del self.fields["early_reason"]
            self.fields["version"].required = True
            self.initial.setdefault("agreed", "yes" if self.instance.status == TransitionStatus.AGREED else "no")
        else:
            del self.fields["agreed"], self.fields["version"]
            if not early:
                del self.fields["early_reason"]
        self.helper = gds_helper(self, "Save plan" if self.instance.pk else "Open plan")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TransitionHandoverForm(VersionedForm):
    confirmed = forms.BooleanField(
        label="Support has been handed over to adult services", error_messages={
            "required": "Confirm that support has been handed over"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Record handover")
