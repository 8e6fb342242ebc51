"""Forms check the shape of what was typed; services (cases.services) decide what it means."""

import re
from datetime import datetime, time

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils import timezone

from safeguarding import language
from safeguarding.forms import DateField, gds_helper
from safeguarding.lawful import LawfulBasisFields
from safeguarding.models import Agency, AgencyKind
from safeguarding.pickers import PickerField

from .identifiers import NHS_NUMBER_EXAMPLE, UPN_EXAMPLE
from .models import (
    Agreement,
    Case,
    ClosureReason,
    EntryKind,
    HarmType,
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


class ChronologyEntryForm(forms.Form):
    kind = forms.ChoiceField(choices=EntryKind.choices, label="Type of entry")
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
        # Trauma-informed recording: suggestions appear below the form while the person writes.
        self.fields["text"].widget.attrs.update(language.prompt_attrs("text", "entry-language"))
        self.helper = gds_helper(self, "Add entry", form_tag=False)

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


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name or alias",
                        help_text="Spelling does not need to be exact.")
    dob = DateField("Date of birth", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Search", method="get")


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *Case._meta.get_field("status").choices],
                               required=False)
    risk_level = forms.ChoiceField(choices=[("", "Any risk level"), *RiskLevel.choices], required=False,
                                   label="Risk level")
    harm_type = forms.ChoiceField(choices=[("", "Any type of harm"), *HarmType.choices], required=False,
                                  label="Type of harm")
    mine = forms.BooleanField(required=False, label="Only cases I lead")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Filter", method="get")


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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_lead_authority=True, is_active=True).exclude(
            pk=user.agency_id).order_by("name")
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


class TransferRequestForm(forms.Form):
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
