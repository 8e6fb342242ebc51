from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = "Multi-agency panels"

    def ready(self):
        # Its retention rules and its section of a subject access export (safeguarding.retention, .subject_access).
        from . import retention, subject_access

        retention.register()
        subject_access.register()
