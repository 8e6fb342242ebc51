"""Administration of agencies and accounts. Every save goes through safeguarding.services, so it is audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm

from . import audit, retention, services
from .models import Agency, AuditAction, LanguagePhrase, RetentionSchedule, User
from .roles import Role

admin.site.site_header = "Service administration"
admin.site.site_title = "Service administration"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_lead_authority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    fields = ["name", "kind", "is_lead_authority", "postcode_districts", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            services.agency_update(actor=request.user, agency=obj,
                                   **{f: form.cleaned_data[f] for f in form.changed_data})
        else:
            created = services.agency_create(actor=request.user, name=obj.name, kind=obj.kind,
                                             is_lead_authority=obj.is_lead_authority,
                                             postcode_districts=obj.postcode_districts)
            obj.pk, obj.group = created.pk, created.group

    def has_delete_permission(self, request, obj=None):
        return False  # agencies are deactivated, never deleted: records and audit refer to them


ROLE_CHOICES = [(r.value, r.value) for r in Role]


class RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=True)


class UserCreateForm(RolesMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email", "agency", "job_title"]


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
    actions = ["deactivate"]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        roles = form.cleaned_data["roles"]
        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f != "roles"}
            services.user_update(actor=request.user, user=obj, roles=roles, **fields)
        else:
            created = services.user_create(
                actor=request.user, username=obj.username, agency=obj.agency, roles=roles,
                password=form.cleaned_data["password1"], first_name=obj.first_name, last_name=obj.last_name,
                email=obj.email, job_title=obj.job_title)
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
