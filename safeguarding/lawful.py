"""The lawful basis a share, referral, contribution or disclosure rests on: recorded once, the same way everywhere.

UK GDPR Article 6 for any personal data, and for special category data (health, ethnicity, sex life, religion...)
an Article 9 condition with the Data Protection Act 2018 Schedule 1 condition it relies on. Agencies sharing to
safeguard a child almost always rely on public task (or legal obligation) and, for special category data, the
safeguarding of children condition (DPA 2018 Sch. 1 para 18); consent is rarely the right basis, since it cannot
be freely given where a child is at risk, so it is not offered.

Each disclosure also records the information-sharing agreement between the two agencies where one is current
(administrators record them: ``InformationSharingAgreement``), why it was necessary to share, and whether the young
person and family were told, or why not.

- A model that records one inherits ``LawfulBasis``; a form that asks for one includes ``LawfulBasisFields``, and
  passes ``basis()`` (a ``Basis``) to the service.
- Services refuse a disclosure without a complete basis (``safeguarding.disclosures.check``), whatever the form did.
- Shares the system makes because of another lawful decision (a referral accepted, a transfer keeping view) carry
  that decision's basis (``Basis.caused_by``): nobody types it twice.

This module imports no model (the kernel's models import it); the agreement is looked up by
``safeguarding.disclosures``.
"""

from dataclasses import dataclass, replace

from django import forms
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Article6(models.TextChoices):
    PUBLIC_TASK = "public_task", "Public task: a statutory duty (UK GDPR Article 6(1)(e))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR Article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests: to protect someone's life (UK GDPR Article 6(1)(d))"
    LEGITIMATE_INTERESTS = "legitimate_interests", (
        "Legitimate interests: a voluntary sector organisation (UK GDPR Article 6(1)(f))")


class Article9(models.TextChoices):
    NONE = "none", "No special category data is shared"
    SAFEGUARDING = "safeguarding", (
        "Safeguarding of children and individuals at risk (Article 9(2)(g), DPA 2018 Schedule 1 paragraph 18)")
    HEALTH_SOCIAL_CARE = "health_social_care", (
        "Health or social care (Article 9(2)(h), DPA 2018 Schedule 1 paragraph 2)")
    VITAL_INTERESTS = "vital_interests", "Vital interests, the person cannot consent (Article 9(2)(c))"
    CRIME = "crime", "Preventing or detecting unlawful acts (Article 9(2)(g), DPA 2018 Schedule 1 paragraph 10)"


class Told(models.TextChoices):
    TOLD = "told", "Yes, they were told"
    NOT_TOLD = "not_told", "No, they were not told (say why)"


# What a form and a service say when a part is missing (safeguarding.disclosures.check), in the same words.
MISSING = {
    "lawful_basis": "Select the lawful basis for sharing",
    "special_category": "Select whether special category data is shared, and the condition it is shared under",
    "reason": "Say why it is necessary to share",
    "told": "Select whether the young person and family were told",
    "not_told_why": "Say why the young person and family were not told",
}


class LawfulBasis(models.Model):
    """What a disclosure records: its Article 6 basis, Article 9 condition, the agreement, why, and who was told."""

    # Blank until given (a request to share is asked before its holder decides); the services refuse a disclosure
    # without them (safeguarding.disclosures.check), and a ``Disclosure`` cannot be saved without them.
    lawful_basis = models.CharField("Lawful basis", max_length=30, choices=Article6.choices, blank=True)
    special_category = models.CharField("Special category data", max_length=30, choices=Article9.choices,
                                        blank=True)
    agreement = models.ForeignKey("safeguarding.InformationSharingAgreement", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name="Information-sharing agreement")
    # Typed before agreements were recorded (kept as written); new disclosures name an ``agreement`` instead.
    sharing_agreement = models.CharField("Information sharing agreement (as typed)", max_length=200, blank=True)
    reason = models.TextField("Why it is necessary to share", max_length=3000, blank=True)
    told = models.CharField("Were the young person and family told?", max_length=10, choices=Told.choices,
                            blank=True)
    not_told_why = models.TextField("Why they were not told", max_length=2000, blank=True)

    class Meta:
        abstract = True

    LAWFUL_FIELDS = ("lawful_basis", "special_category", "agreement", "reason", "told", "not_told_why")

    def lawful_detail(self) -> dict:
        """What the audit log records about the basis."""
        return basis_of(self).detail()

    def set_basis(self, basis: "Basis"):
        for name in self.LAWFUL_FIELDS:
            setattr(self, name, getattr(basis, name))

    @property
    def agreement_label(self) -> str:
        return str(self.agreement) if self.agreement_id else self.sharing_agreement


@dataclass(frozen=True)
class Basis:
    """One disclosure's lawful basis, as a service takes it. ``agreement`` is an ``InformationSharingAgreement``."""

    lawful_basis: str = ""
    special_category: str = ""
    reason: str = ""
    told: str = ""
    not_told_why: str = ""
    agreement: object = None

    def detail(self) -> dict:
        """What the audit log records: the basis, condition, agreement (by id and reference) and whether the young
        person and family were told; never the free text (why, why not told), which may name people: the audit log
        holds no personal details. The ``Disclosure`` row keeps it."""
        agreement = self.agreement
        return {"lawful_basis": self.lawful_basis, "special_category": self.special_category,
                "agreement_id": getattr(agreement, "pk", None),
                "agreement": str(agreement) if agreement is not None else "", "told": self.told}

    def caused_by(self, reason: str) -> "Basis":
        """This basis, carried by a share the system made because of the decision it was given for; the agreement is
        the one in force when the share is made (found again by ``disclosures.check``)."""
        return replace(self, reason=reason, agreement=None)


def basis_of(record: LawfulBasis) -> Basis:
    """The basis a model holding one recorded (a referral, an approved request to share)."""
    fields = {name: getattr(record, name, "") for name in Basis.__dataclass_fields__ if name != "agreement"}
    agreement = record.agreement if getattr(record, "agreement_id", None) else None
    return Basis(**{k: v or "" for k, v in fields.items()}, agreement=agreement)


LAWFUL_LAYOUT = ("lawful_basis", "special_category", "agreement", "reason", "told", "not_told_why")


class LawfulBasisFields(forms.Form):
    """The form fields asking for a lawful basis; mix into a form, call ``offer_agreements`` in ``__init__`` with
    the agencies concerned, and pass ``basis()`` to the service.

    Nothing is chosen in advance but the agreement: the person decides the basis for each disclosure."""

    lawful_basis = forms.ChoiceField(choices=Article6.choices, widget=forms.RadioSelect,
                                     label="Lawful basis for sharing",
                                     error_messages={"required": MISSING["lawful_basis"]})
    special_category = forms.ChoiceField(choices=Article9.choices, widget=forms.RadioSelect,
                                         label="Special category data",
                                         error_messages={"required": MISSING["special_category"]})
    agreement = forms.ModelChoiceField(
        queryset=None, required=False, widget=forms.RadioSelect, empty_label="No agreement applies",
        label="Information-sharing agreement",
        help_text="The current agreements your agency is party to. The one with the agency you share with is "
                  "chosen for you.")
    reason = forms.CharField(label="Why is it necessary to share?", max_length=3000,
                             widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": MISSING["reason"]},
                             help_text="What the other agency needs it for, and why less would not do.")
    told = forms.ChoiceField(choices=Told.choices, widget=forms.RadioSelect,
                             label="Were the young person and family told?",
                             error_messages={"required": MISSING["told"]})
    not_told_why = forms.CharField(label="If not, why not?", max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="For example, telling them would put the young person at risk.")

    def offer_agreements(self, agency, *others):
        """Offer the agreements current today that ``agency`` (an agency or its id) is party to; choose the one also
        covering every one of ``others`` (the agencies shared with, when known)."""
        if "agreement" not in self.fields:
            return
        model = apps.get_model("safeguarding", "InformationSharingAgreement")
        field = self.fields["agreement"]
        if agency is None:  # nothing to share from (the form will not be shown): offer none
            field.queryset, field.choices = model.objects.none(), [("", field.empty_label)]
            return
        field.queryset = model.objects.current().filter(parties=agency)
        known = [other for other in others if other is not None]
        parties = model.parties.through.objects
        # One query: the offered agreements, each with whether every agency shared with is party to it too. Read
        # once, as choices (the radios would otherwise count them, then read them).
        rows = list(field.queryset.annotate(covers=models.Value(True) if not known else models.ExpressionWrapper(
            models.Q(*(models.Exists(parties.filter(informationsharingagreement_id=models.OuterRef("pk"),
                                                    agency_id=getattr(other, "pk", other))) for other in known)),
            output_field=models.BooleanField())))
        field.choices = [("", field.empty_label), *((row.pk, str(row)) for row in rows)]
        covering = [row for row in rows if row.covers] if known else []
        if not covering:
            return
        chosen = max(covering, key=lambda row: (row.starts_on, row.pk))  # as disclosures.agreement_between chooses
        key = self.add_prefix("agreement")
        if not self.is_bound:
            self.initial["agreement"] = chosen.pk
        elif key not in self.data:  # nothing was chosen (choosing "No agreement applies" posts an empty value)
            data = self.data.copy()
            data[key] = str(chosen.pk)
            self.data = data

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("told") == Told.NOT_TOLD and not (cleaned.get("not_told_why") or "").strip():
            self.add_error("not_told_why", MISSING["not_told_why"])
        return cleaned

    def basis(self) -> Basis:
        data = self.cleaned_data
        return Basis(lawful_basis=data["lawful_basis"], special_category=data["special_category"],
                     reason=data.get("reason", ""), told=data.get("told", ""),
                     not_told_why=data.get("not_told_why", ""), agreement=data.get("agreement"))


def current_q(prefix: str = "", day=None) -> Q:
    """Agreements in force on ``day`` (today): started, and not yet ended."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": day}) & (Q(**{f"{prefix}ends_on__isnull": True})
                                                  | Q(**{f"{prefix}ends_on__gte": day}))


def summary(detail: dict) -> str:
    """An audit event's basis in words ("Public task ...; Safeguarding ...; under NSCP agreement"), or ""."""
    if not detail.get("lawful_basis"):
        return ""
    parts = [dict(Article6.choices).get(detail["lawful_basis"], detail["lawful_basis"]),
             dict(Article9.choices).get(detail.get("special_category", ""), detail.get("special_category", ""))]
    parts.append(f"under {detail['agreement']}" if detail.get("agreement") else "no agreement")
    if detail.get("told"):
        parts.append(dict(Told.choices).get(detail["told"], detail["told"]).split(" (")[0])
    return "; ".join(part for part in parts if part)
