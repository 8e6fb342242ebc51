from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments and safety plans"

    def ready(self):
        # Its retention rules and its section of a subject access export (safeguarding.retention, .subject_access).
        from . import retention, subject_access

        retention.register()
        subject_access.register()
