"""The lawful basis a share, referral or disclosure rests on: recorded once, the same way everywhere.

UK GDPR Article 6 for any personal data, and for special category data (health, ethnicity, sex life, religion...)
an Article 9 condition with the Data Protection Act 2018 Schedule 1 condition it relies on. Agencies sharing to
safeguard a child almost always rely on public task (or legal obligation) and, for special category data, the
safeguarding of children condition (DPA 2018 Sch. 1 para 18); consent is rarely the right basis, since it cannot
be freely given where a child is at risk, so it is not offered.

A model that records one inherits ``LawfulBasis``; a form that asks for one includes ``LawfulBasisFields``.
"""

from django import forms
from django.db import models


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


class LawfulBasis(models.Model):
    """The three things a disclosure records: its Article 6 basis, its Article 9 condition, and the agreement."""

    lawful_basis = models.CharField("Lawful basis", max_length=30, choices=Article6.choices,
                                    default=Article6.PUBLIC_TASK)
    special_category = models.CharField("Special category data", max_length=30, choices=Article9.choices,
                                        default=Article9.SAFEGUARDING)
    sharing_agreement = models.CharField("Information sharing agreement", max_length=200, blank=True,
                                         help_text="The agreement this is shared under, if there is one")

    class Meta:
        abstract = True

    LAWFUL_FIELDS = ("lawful_basis", "special_category", "sharing_agreement")

    def lawful_detail(self) -> dict:
        """What the audit log records about the basis."""
        return {name: getattr(self, name) for name in self.LAWFUL_FIELDS}


class LawfulBasisFields(forms.Form):
    """The form fields asking for a lawful basis; mix into a form and pass ``lawful_data()`` to the service."""

    lawful_basis = forms.ChoiceField(choices=Article6.choices, initial=Article6.PUBLIC_TASK,
                                     widget=forms.RadioSelect, label="Lawful basis for sharing")
    special_category = forms.ChoiceField(choices=Article9.choices, initial=Article9.SAFEGUARDING,
                                         widget=forms.RadioSelect, label="Special category data")
    sharing_agreement = forms.CharField(max_length=200, required=False,
                                        label="Information sharing agreement (optional)",
                                        help_text="For example, the local safeguarding partnership's agreement")

    def lawful_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LawfulBasis.LAWFUL_FIELDS}
