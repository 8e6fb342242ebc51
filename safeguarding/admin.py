"""Administration of agencies and accounts. Every save goes through safeguarding.services, so it is audited."""

from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm

from . import apiclients, audit, retention, services
from .models import (
    Agency,
    ApiClient,
    Area,
    AuditAction,
    IdentityProvider,
    LanguagePhrase,
    RetentionSchedule,
    Team,
    User,
)
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "is_active"]
    list_filter = ["agency", "is_active"]
    search_fields = ["name"]
    fields = ["agency", "name", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj else []  # a team stays in its agency; its people move instead

    def save_model(self, request, obj, form, change):
        if change:
            services.team_update(actor=request.user, team=obj, **{f: form.cleaned_data[f] for f in form.changed_data})
        else:
            obj.pk = services.team_create(actor=request.user, agency=obj.agency, name=obj.name).pk

    def has_delete_permission(self, request, obj=None):
        return False  # teams are retired, never deleted: people's history refers to them


ROLE_CHOICES = [(r.value, r.value) for r in Role]


class RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=True)


class UserCreateForm(RolesMixin, UserCreationForm):
    """A new person: with a password typed here, or (the usual way) invited by email to choose their own."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email", "agency", "team", "job_title"]

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
        fields = ["first_name", "last_name", "email", "agency", "team", "job_title", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = list(
                self.instance.groups.filter(name__in=[r.value for r in Role]).values_list("name", flat=True))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreateForm
    list_display = ["username", "first_name", "last_name", "agency", "team", "job_title", "is_active", "last_login"]
    list_filter = ["agency", "team", "is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["last_name", "first_name"]
    fieldsets = [(None, {"fields": ["first_name", "last_name", "email", "agency", "team", "job_title", "roles",
                                    "is_active"]})]
    add_fieldsets = [(None, {"fields": ["username", "first_name", "last_name", "email", "agency", "team", "job_title",
                                        "roles", "password1", "password2"]})]
    readonly_fields = []
    actions = ["deactivate", "sso_unbind", "reset_factors"]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        roles = form.cleaned_data["roles"]
        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f != "roles"}
            services.user_update(actor=request.user, user=obj, roles=roles, **fields)
        else:
            details = {"first_name": obj.first_name, "last_name": obj.last_name, "job_title": obj.job_title,
                       "team": obj.team}
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


    @admin.action(description="Unlink from their agency's sign-in (they are linked again at their next sign-in)")
    def sso_unbind(self, request, queryset):
        removed = sum(services.sso_account_unbind(actor=request.user, user=u) for u in queryset)
        self.message_user(request, f"{removed} sign-in link(s) removed.", messages.SUCCESS)

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


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """Wards and neighbourhoods a place can be put in when no postcode finder is configured (safeguarding.geocoding).
    """

    list_display = ["name", "district", "latitude", "longitude", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "district"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE, target=obj,
                     detail={"fields": form.changed_data})

    def has_delete_permission(self, request, obj=None):
        return False  # switch an area off instead: places placed at its centre keep their position


# --- Single sign-on (safeguarding/sso.py) ------------------------------------------------------------------------
# allauth's own admin pages would write its tables directly (a binding changed with no audit row) and show client
# secrets: the agency's provider is recorded below, and a person's binding is seen and undone on their account.
for _model in (SocialApp, SocialAccount, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class IdentityProviderForm(forms.ModelForm):
    issuer = forms.URLField(label="Issuer URL", max_length=500, assume_scheme="https",
                            help_text=IdentityProvider._meta.get_field("issuer").help_text)
    # Never shown again once saved (not in the page, the logs or the history); left empty, it stays as it is.
    client_secret = forms.CharField(label="Client secret", required=False, strip=True,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                    help_text="Leave empty to keep the secret already recorded.")

    class Meta:
        model = IdentityProvider
        fields = ["agency", "issuer", "client_id", "client_secret", "uid_claim", "email_domains", "is_active"]

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and not self.instance.pk:
            raise forms.ValidationError("Enter the client secret your agency's identity provider gave you.")
        return secret


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["agency", "issuer", "uid_claim", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["provider_id", "redirect_uri"]

    def get_fields(self, request, obj=None):
        fields = ["agency", "issuer", "client_id", "client_secret", "uid_claim", "email_domains", "is_active"]
        return fields + (["provider_id", "redirect_uri"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return ["agency", *self.readonly_fields] if obj else []

    @admin.display(description="Redirect URI to register with the provider")
    def redirect_uri(self, obj):
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("openid_connect_callback", kwargs={"provider_id": obj.provider_id})

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.identity_provider_set(
            actor=request.user, agency=obj.agency, issuer=data["issuer"], client_id=data["client_id"],
            client_secret=data["client_secret"], uid_claim=data["uid_claim"], email_domains=data["email_domains"],
            is_active=data["is_active"])
        obj.pk, obj.provider_id = saved.pk, saved.provider_id

    def has_delete_permission(self, request, obj=None):
        return False  # switched off, never deleted: people's bindings and the audit log name it


SCOPE_CHOICES = [("", "No access"), (apiclients.READ, "Read"), (apiclients.WRITE, "Read and write")]


class ApiClientFormBase(forms.ModelForm):
    """A partner system's client: its agency, its name, a scope for each resource, and when it expires."""

    expires_at = forms.DateTimeField(required=False, help_text="Leave empty for a year from now.")

    class Meta:
        model = ApiClient
        fields = ["agency", "name", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for resource, held in (self.instance.scopes if self.instance.pk else {}).items():
            self.initial[f"scope_{resource}"] = held

    def scopes(self) -> dict:
        return {r: self.cleaned_data[f"scope_{r}"] for r in apiclients.RESOURCES if self.cleaned_data[f"scope_{r}"]}


# One choice for each resource, declared on the form (so the admin may list them among its fields).
ApiClientForm = type("ApiClientForm", (ApiClientFormBase,), {
    f"scope_{resource}": forms.ChoiceField(label=resource.replace("-", " ").capitalize(), choices=SCOPE_CHOICES,
                                           required=False) for resource in apiclients.RESOURCES})


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Registering a partner system: the credential is shown once, on the next page, and never again."""

    form = ApiClientForm
    list_display = ["name", "agency", "key_id", "expires_at", "revoked_at", "created_at"]
    list_filter = ["agency"]
    search_fields = ["name", "key_id"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["agency", "name", "expires_at", *(f"scope_{r}" for r in apiclients.RESOURCES)]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit log names the client

    def save_model(self, request, obj, form, change):
        client, credential = services.api_client_register(
            actor=request.user, agency=form.cleaned_data["agency"], name=form.cleaned_data["name"],
            scopes=form.scopes(), expires_at=form.cleaned_data["expires_at"])
        obj.pk = client.pk
        messages.warning(request, f"The credential for {client.name} is {credential} . Copy it into the system now: "
                                  "it is not kept and will not be shown again.")

    def save_related(self, request, form, formsets, change):
        pass  # the service has saved everything

    @admin.action(description="Revoke the selected clients' credentials now")
    def revoke(self, request, queryset):
        revoked = [services.api_client_revoke(actor=request.user, client=c) for c in queryset if c.revoked_at is None]
        self.message_user(request, f"{len(revoked)} client(s) revoked.", messages.SUCCESS)


class RetentionScheduleForm(forms.ModelForm):
    record_type = forms.ChoiceField(label="Type of record")

    class Meta:
        model = RetentionSchedule
        fields = ["record_type", "months", "action", "is_active", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = retention.choices()


@admin.register(RetentionSchedule)
class RetentionScheduleAdmin(admin.ModelAdmin):
    """How long each type of record is kept (safeguarding.retention). Saved through the service, so audited."""

    form = RetentionScheduleForm
    list_display = ["__str__", "months", "action", "is_active"]
    list_filter = ["is_active", "action"]

    def save_model(self, request, obj, form, change):
        saved = services.retention_schedule_save(
            actor=request.user, schedule=RetentionSchedule.objects.get(pk=obj.pk) if change else None,
            **{f: form.cleaned_data[f] for f in ("record_type", "months", "action", "is_active", "notes")})
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # switch a schedule off instead: the items decided under it name it
