from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and exports"

    def ready(self):
        from celery.schedules import crontab

        from safeguarding import celery_app

        # Exports older than REPORTS_EXPORT_DAYS are deleted, file and row, every night.
        celery_app.conf.beat_schedule["reports-exports-expire"] = {
            "task": "reports.tasks.exports_expire", "schedule": crontab(hour=2, minute=40)}
