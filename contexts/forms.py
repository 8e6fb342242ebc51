"""Forms for places, peer groups and links: the shape of what was typed. Services decide what it means."""

import re

from crispy_forms_gds.layout import Layout
from django import forms

from cases.forms import ReferralFields
from safeguarding import geocoding
from safeguarding.forms import DateField, gds_helper
from safeguarding.models import Area
from safeguarding.pickers import PickerField

from .models import (
    AssociationNature,
    ContextKind,
    ContextStatus,
    Guardian,
    MembershipRole,
    PeerGroup,
    Place,
    PlaceKind,
    PlaceLinkNature,
    Purpose,
    Reliability,
)

_RECORD_FIELDS = ["status", "closure_reason", "lead_practitioner", "review_on"]


class ContextRecordForm(forms.ModelForm):
    review_on = DateField("Next review date", required=False, help_text="For example, 30 1 2027")
    lead_practitioner = PickerField("person", required=False, label="Lead practitioner",
                                    help_text="Search by name: someone in your agency. Blank if not allocated yet.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reveals = {"status": {ContextStatus.CLOSED: ("closure_reason",)}}  # GOV.UK's conditional reveal

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].queryset = colleagues
        self.fields["status"].widget = forms.RadioSelect(choices=ContextStatus.choices)
        self.fields["closure_reason"].label = "Why it is being closed (if closing)"
        if self.instance.pk:
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        self.helper = gds_helper(self, "Save")

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PlaceForm(ContextRecordForm):
    """A place is put on the map from its postcode (when a postcode finder is configured) or at the centre of the
    ward chosen from the administrators' list, never by typing coordinates. A place that already has a position
    keeps it unless its postcode changes or a ward is chosen."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, empty_label="Choose a ward or area",
        label="Ward or area, for the map (optional)",
        help_text="The place is shown at the ward's centre, marked as approximate.")
    # The ward or area after the postcode it stands in for (the form's helper lays the fields out in this order).
    field_order = ["name", "kind", "school_urn", "address", "postcode", "area"]

    class Meta:
        model = Place
        fields = ["name", "kind", "school_urn", "address", "postcode", "ward", "description", *_RECORD_FIELDS]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "description": forms.Textarea(attrs={"rows": 4}),
                   "closure_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"description": "What is known about the place and why there is a concern."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        if geocoding.configured():
            self.fields["postcode"].help_text = "The place is put on the map from its postcode."
            self.fields["area"].label = "Ward or area, if the postcode cannot be found (optional)"
        self.position = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        postcode, area = data.get("postcode", ""), data.get("area")
        changed = not self.instance.pk or postcode != self.instance.postcode
        if postcode and changed and geocoding.configured():
            try:
                self.position = geocoding.by_postcode(postcode)
                if self.position is None and area is None:
                    self.add_error("postcode", f"The postcode {postcode} could not be found. Check it, or choose "
                                               "the ward or area instead")
            except geocoding.Unavailable:
                if area is None:
                    self.add_error("postcode", "The postcode finder is not answering just now. Try again, or "
                                               "choose the ward or area instead")
        if self.position is None and area is not None:
            self.position = geocoding.by_area(area)
            if not data.get("ward"):
                data["ward"] = area.name
        return data

    def model_fields(self) -> dict:
        fields = super().model_fields()
        if self.position is not None:
            fields.update(latitude=self.position.latitude, longitude=self.position.longitude,
                          position_note=self.position.note)
        return fields


class PeerGroupForm(ContextRecordForm):
    class Meta:
        model = PeerGroup
        fields = ["name", "description", *_RECORD_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "closure_reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"name": "Working name"}
        help_texts = {"name": "A neutral label, for example 'Group seen at Eastgate Park'. Never a gang name "
                              "unless that name has been confirmed."}


class EvidenceForm(forms.Form):
    """What every link records: how reliable it is, and when to look at it again."""

    reliability = forms.ChoiceField(choices=Reliability.choices, widget=forms.RadioSelect,
                                    label="How reliable is this information?")
    purpose = forms.ChoiceField(choices=Purpose.choices, widget=forms.RadioSelect, label="Why is it recorded?",
                                help_text="Intelligence-only links are printed only in your own agency's panel packs.")
    review_by = DateField("Review by", required=False, help_text="Leave blank for 3 months from today.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
                            label="Source and notes", help_text="Where this comes from and anything to know about it.")

    submit_label = "Record link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last = ("reliability", "purpose", "review_by", "notes")
        self.order_fields([name for name in self.fields if name not in last])
        self.helper = gds_helper(self, self.submit_label)

    def evidence(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("reliability", "purpose", "review_by", "notes")}


def _people(queryset):
    return PickerField("young-person", queryset, label="Young person")


class MembershipForm(EvidenceForm):
    role = forms.ChoiceField(choices=MembershipRole.choices, widget=forms.RadioSelect, label="Role in the group")
    from_date = DateField("Member from (optional)", required=False)
    to_date = DateField("Member until (optional)", required=False)

    def __init__(self, *args, people, **kwargs):
        self.base_fields = {"young_person": _people(people), **self.base_fields}
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            self.add_error("to_date", "The end of membership must be on or after its start.")
        return data


class AssociationForm(EvidenceForm):
    nature = forms.ChoiceField(choices=AssociationNature.choices, label="Nature of the link")

    def __init__(self, *args, people, **kwargs):
        self.base_fields = {"other": _people(people), **self.base_fields}
        super().__init__(*args, **kwargs)
        self.fields["other"].label = "Linked to"


class PlaceLinkForm(EvidenceForm):
    """A link to a place, from the place's page (choose who) or from a person or group (choose where)."""

    nature = forms.ChoiceField(choices=PlaceLinkNature.choices, label="Nature of the link")

    def __init__(self, *args, people=None, groups=None, places=None, **kwargs):
        extra = {}
        if places is not None:
            extra["place"] = PickerField("place", places, label="Place")
        if people is not None:
            extra["young_person"] = PickerField("young-person", people, required=False, label="Young person")
        if groups is not None:
            extra["peer_group"] = PickerField("peer-group", groups, required=False, label="Or a peer group")
        self.base_fields = {**extra, **self.base_fields}
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if "young_person" in self.fields and "peer_group" in self.fields:
            if bool(data.get("young_person")) == bool(data.get("peer_group")):
                self.add_error("young_person", "Choose a young person or a peer group, not both.")
        return data


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reliability = forms.ChoiceField(choices=Reliability.choices, widget=forms.RadioSelect,
                                    label="How reliable is it now?")
    review_by = DateField("Next review by", help_text="For example, 30 1 2027")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000,
                           label="What was checked")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save review")


class LinkTokens(forms.MultipleChoiceField):
    """Ticked links, "kind:id:version": any well-formed one is accepted here; the view finds it through the door."""

    def valid_value(self, value):
        return bool(re.fullmatch(r"(membership|association|place-link):[0-9]{1,12}:[0-9]{1,9}", str(value)))


class BulkReviewForm(forms.Form):
    """What to do with the links ticked on /to-review/: each ``selected`` value is "kind:id:version", the version
    the person saw (a link changed since is reported, not overwritten)."""

    selected = LinkTokens(required=True, error_messages={
        "required": "Select at least one link", "invalid_choice": "Select links from the list"})
    decision = forms.ChoiceField(choices=[("review", "Mark reviewed: keep them, with a new review date"),
                                          ("end", "End them: they no longer hold")],
                                 widget=forms.RadioSelect, label="What do you want to do with the selected links?",
                                 error_messages={"required": "Select what to do with the selected links"})
    review_by = DateField("Next review by", required=False, help_text="For example, 30 1 2027")
    reliability = forms.ChoiceField(choices=[("", "Keep each link's reliability"), *Reliability.choices],
                                    required=False, label="Reliability now")
    note = forms.CharField(required=False, max_length=1000, label="What was checked")
    reason = forms.CharField(required=False, max_length=300, label="Why have they ended?")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, None, form_tag=False)
        # The ticked links are the table's checkboxes: the form below it asks only what to do with them.
        self.helper.layout = Layout("decision", "review_by", "reliability", "note", "reason")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "review" and not data.get("review_by") and "review_by" not in self.errors:
            self.add_error("review_by", "Enter the next review date")
        if data.get("decision") == "end" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the links have ended")
        return data

    def chosen(self) -> list[tuple[str, int, int]]:
        """The ticked links as (kind, id, version)."""
        out = []
        for value in self.cleaned_data["selected"]:
            kind, pk, version = value.split(":")
            out.append((kind, int(pk), int(version)))
        return out


class EndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=300, label="Why has this link ended?",
                             help_text="For example: moved away, no longer in contact, information found to be wrong.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "End link")


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "organisation", "role", "how_to_contact", "engagement_notes"]
        widgets = {"engagement_notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Add guardian")


class TrainingForm(forms.Form):
    given_on = DateField("Date of the training")
    topic = forms.CharField(max_length=200, label="Topic", help_text="For example, spotting signs of exploitation.")
    delivered_by = forms.CharField(max_length=150, required=False, label="Delivered by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Record training")


class PlaceTagForm(forms.Form):
    place = PickerField("place", label="Where it happened")

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.helper = gds_helper(self, "Tag the place")


class ContextReferralForm(ReferralFields):
    """A referral about a place or a peer group: described here, or one the referrer can see (``record``)."""

    kind = forms.ChoiceField(choices=ContextKind.choices, widget=forms.RadioSelect, label="What is it about?")
    name = forms.CharField(max_length=150, label="Name", help_text="What people call it: a park, a street, a group")
    place_kind = forms.ChoiceField(choices=[("", "Not a place"), *PlaceKind.choices], required=False,
                                   label="Kind of place")
    description = forms.CharField(max_length=5000, required=False, label="Describe it (optional)",
                                  widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(max_length=500, required=False, label="Address or location (optional)",
                              widget=forms.Textarea(attrs={"rows": 2}))
    postcode = forms.CharField(max_length=10, required=False, label="Postcode",
                               widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    field_order = ["kind", "name", "place_kind", "description", "address", "postcode", "to_agency", "concerns",
                   "harm_types", "urgency"]

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:  # its details come from the record itself
            for name in ("kind", "name", "place_kind", "address", "postcode"):
                del self.fields[name]
            self.fields["description"].label = "Anything to add to its description (optional)"


class NetworkFilterForm(forms.Form):
    """Narrowing a network picture (contexts.selectors.LinkFilter): by reliability, purpose, how recent, how far out.
    A GET form, so it works without JavaScript and a filtered picture has an address."""

    RECENCY = [("", "Any time"), ("3", "In the last 3 months"), ("6", "In the last 6 months"),
               ("12", "In the last 12 months")]
    STEPS = [("1", "1 step"), ("2", "2 steps"), ("3", "3 steps")]

    reliability = forms.MultipleChoiceField(choices=Reliability.choices, widget=forms.CheckboxSelectMultiple,
                                            required=False, label="Reliability",
                                            help_text="None ticked: every reliability.")
    purpose = forms.MultipleChoiceField(choices=Purpose.choices, widget=forms.CheckboxSelectMultiple,
                                        required=False, label="Recorded for")
    months = forms.ChoiceField(choices=RECENCY, required=False, label="Recorded or last reviewed")
    steps = forms.ChoiceField(choices=STEPS, required=False, initial="2", label="How far out",
                              help_text="Steps from the young person through links between young people.")
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)  # the "links not current" switch, kept

    def __init__(self, *args, steps: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not steps:
            del self.fields["steps"]
        self.helper = gds_helper(self, "Apply filters", method="get")

    def chosen(self) -> dict:
        """What was validly asked for; anything not valid is left at its default (the picture never fails)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"reliability": tuple(data.get("reliability") or ()), "purpose": tuple(data.get("purpose") or ()),
                "months": int(data["months"]) if data.get("months") else None,
                "steps": int(data.get("steps") or 2)}
