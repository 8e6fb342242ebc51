from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_migrate


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Agencies, people and audit"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import access, audit, dbroles, retention, roles
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
        # The audit log's own schedule: counted for an operator, never erased by the app (safeguarding.retention).
        retention.register(retention.RecordType(
            key="safeguarding.auditevent", label="Audit events", model=AuditEvent, anchor="occurred_at",
            anchor_label="recorded", agency="agency", dispose=None, default_months=84))
