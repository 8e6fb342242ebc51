from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_migrate


class SafeguardingConfig(AppConfig):
    default = True
    name = "safeguarding"
    verbose_name = "Agencies, people and audit"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import access, audit, dbroles, retention, roles, sso
        from .models import AuditEvent

        # Every app's named rules are in policy.RULES from the start (templates and tests ask them by name).
        autodiscover_modules("policies")

        post_migrate.connect(lambda **kwargs: roles.roles_sync(), weak=False, dispatch_uid="roles_sync")
        # A migrate or a flush may create permissions again, with new ids: forget the ones remembered.
        post_migrate.connect(lambda **kwargs: access.permission_id.cache_clear(), weak=False,
                             dispatch_uid="permission_ids")
        # After every migrate or flush (as the owner role), the app role's rights on every table are granted again.
        post_migrate.connect(dbroles.on_post_migrate, dispatch_uid="grant_app_role")
        # Sign-ins are audited from Django's own auth events, so every way in (our page, the admin's,
        # an Axes lockout) is logged by one mechanism.
        auth_signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit_login")
        auth_signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit_login_failed")
        auth_signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit_logout")
        # A session signed in by an agency's identity provider says so (sso.signed_in_by_sso).
        auth_signals.user_logged_in.connect(sso.on_logged_in, dispatch_uid="sso_session_mark")
        # What allauth does with second factors and passwords is audited from its own signals (safeguarding.factors).
        from allauth.account import signals as account_signals
        from allauth.mfa import signals as mfa_signals

        from . import factors

        for signal, receiver in [(mfa_signals.authenticator_added, factors.on_factor_added),
                                 (mfa_signals.authenticator_removed, factors.on_factor_removed),
                                 (mfa_signals.authenticator_reset, factors.on_factor_reset),
                                 (mfa_signals.authenticator_used, factors.on_factor_used),
                                 (mfa_signals.authentication_failed, factors.on_factor_failed),
                                 (account_signals.password_reset, factors.on_password_reset),
                                 (account_signals.password_changed, factors.on_password_changed),
                                 (account_signals.password_set, factors.on_password_changed)]:
            signal.connect(receiver, dispatch_uid=f"audit_{receiver.__name__}")

        # The audit log's own schedule: counted for an operator, never erased by the app (safeguarding.retention).
        retention.register(retention.RecordType(
            key="safeguarding.auditevent", label="Audit events", model=AuditEvent, anchor="occurred_at",
            anchor_label="recorded", agency="agency", dispose=None, default_months=84))


class StepUpAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site whose every page asks for a fresh second factor (safeguarding.adminsite)."""

    default = False
    default_site = "safeguarding.adminsite.StepUpAdminSite"
