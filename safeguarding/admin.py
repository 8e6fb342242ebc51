"""Administration of agencies and accounts. Every save goes through safeguarding.services, so it is audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm

from . import audit, services
from .models import Agency, AuditAction, LanguagePhrase, User
from .roles import Role

admin.site.site_header = "Service administration"
admin.site.site_title = "Service administration"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_lead_authority", "mfa_required", "is_active"]
    list_filter = ["kind", "is_active", "mfa_required"]
    search_fields = ["name"]
    fields = ["name", "kind", "is_lead_authority", "postcode_districts", "mfa_required", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            services.agency_update(actor=request.user, agency=obj,
                                   **{f: form.cleaned_data[f] for f in form.changed_data})
        else:
            created = services.agency_create(actor=request.user, name=obj.name, kind=obj.kind,
                                             is_lead_authority=obj.is_lead_authority,
                                             postcode_districts=obj.postcode_districts,
                                             mfa_required=obj.mfa_required)
            obj.pk, obj.group = created.pk, created.group

    def has_delete_permission(self, request, obj=None):
        return False  # agencies are deactivated, never deleted: records and audit refer to them


ROLE_CHOICES = [(r.value, r.value) for r in Role]


class RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=True)


class UserCreateForm(RolesMixin, UserCreationForm):
    """A new person: with a password typed here, or (the usual way) invited by email to choose their own."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email", "agency", "job_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].required = False
        self.fields["password1"].help_text = ("Leave both blank to invite them by email: they choose their own "
                                              "password from the link, then set up a second factor.")

    def validate_passwords(self, *args, **kwargs):
        if self.cleaned_data.get("password1") or self.cleaned_data.get("password2"):
            super().validate_passwords(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("password1") and not cleaned.get("email"):
            self.add_error("email", "Enter an email address to send the invitation to, or type a password.")
        return cleaned


class UserChangeForm(RolesMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "agency", "job_title", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = list(
                self.instance.groups.filter(name__in=[r.value for r in Role]).values_list("name", flat=True))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreateForm
    list_display = ["username", "first_name", "last_name", "agency", "job_title", "is_active", "last_login"]
    list_filter = ["agency", "is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["last_name", "first_name"]
    fieldsets = [(None, {"fields": ["first_name", "last_name", "email", "agency", "job_title", "roles",
                                    "is_active"]})]
    add_fieldsets = [(None, {"fields": ["username", "first_name", "last_name", "email", "agency", "job_title",
                                        "roles", "password1", "password2"]})]
    readonly_fields = []
    actions = ["deactivate", "reset_factors"]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        roles = form.cleaned_data["roles"]
        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f != "roles"}
            services.user_update(actor=request.user, user=obj, roles=roles, **fields)
        else:
            details = {"first_name": obj.first_name, "last_name": obj.last_name, "job_title": obj.job_title}
            if form.cleaned_data.get("password1"):
                created = services.user_create(actor=request.user, username=obj.username, agency=obj.agency,
                                               roles=roles, password=form.cleaned_data["password1"], email=obj.email,
                                               **details)
            else:
                created = services.user_invite(actor=request.user, username=obj.username, agency=obj.agency,
                                               roles=roles, email=obj.email, **details)
                self.message_user(request, f"An invitation has been emailed to {obj.email}.", messages.SUCCESS)
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # roles and agency group are set by the service

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the audit log refers to them

    @admin.action(description="Deactivate selected accounts and end their sessions")
    def deactivate(self, request, queryset):
        ended = sum(services.user_deactivate(actor=request.user, user=u) for u in queryset)
        self.message_user(request, f"{queryset.count()} account(s) deactivated; {ended} session(s) ended.",
                          messages.SUCCESS)


    @admin.action(description="Reset second factors of selected accounts (they set up a new one at next sign-in)")
    def reset_factors(self, request, queryset):
        removed = sum(services.user_factors_reset(actor=request.user, user=u) for u in queryset)
        self.message_user(request, f"Second factors reset for {queryset.count()} account(s); {removed} removed.",
                          messages.SUCCESS)


@admin.register(LanguagePhrase)
class LanguagePhraseAdmin(admin.ModelAdmin):
    """The trauma-informed language list: reference data, not personal data; changes kept by pghistory."""

    list_display = ["phrase", "suggestion", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["phrase", "suggestion"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE, target=obj,
                     detail={"fields": form.changed_data})

    def has_delete_permission(self, request, obj=None):
        return False  # switch a phrase off instead, so its history stays readable
