"""Reports read every app and are read by none. The only rows of their own are exports: a tracked job per file a
person asked for, theirs alone (``OWN_RECORDS``: any role that may see reports reaches its own exports, and only them).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.models import Agency, User


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ReportExport(models.Model):
    """One file of a report's tables or a drill-down list, made by a worker (reports.tasks.export_build)."""

    OWN_RECORDS = True

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The agency whose figures it holds, as it was when asked: a person who moves agency keeps no access to them.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=40)  # "dashboard", or a drill-down's name (reports.selectors.DRILLDOWNS)
    filters = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_idx"),
                   models.Index(fields=["expires_at"], name="export_expires_idx")]
        # What reports need: seeing the partnership's figures at all (reports.policies.can_see_reports).
        permissions = [("view_reports", "Can see reports over what their agency can see")]

    def __str__(self):
        return f"Export {self.pk} of {self.what} ({self.format})"

    @property
    def audit_label(self):
        return f"EX-{self.pk}"

    @property
    def filename(self):
        return f"{self.what}-{self.created_at:%Y%m%d-%H%M}.{self.format}"

    @classmethod
    def access_q(cls, user, level):
        # Its owner's alone, while they are in the agency it was made for.
        return Q(owner_id=user.pk, agency_id=user.agency_id)
