"""Every write of reports: asking for an export (the file itself is made by a worker, reports.exports)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding import audit, outbox
from safeguarding.models import AuditAction

from . import selectors
from .models import ExportFormat, ReportExport
from .policies import can_export


@transaction.atomic
def export_request(*, actor, what: str, params: dict, fmt: str) -> ReportExport:
    """Queue a CSV or XLSX file of the dashboard's tables (``what="dashboard"``) or of a drill-down list, over what
    ``actor``'s agency can see, for ``actor`` alone. Audited with the filters asked for."""
    can_export.ensure(actor, what)
    if what != "dashboard" and what not in selectors.LISTS:
        raise ValidationError({"what": "Choose a report or a list to export."})
    if fmt not in ExportFormat.values:
        raise ValidationError({"format": "Choose CSV or Excel."})
    period = selectors.period_from_params(params)
    filters = {**(selectors.list_params(params) if what != "dashboard" else {}), **period.params()}
    export = ReportExport.objects.create(
        owner=actor, agency=actor.agency, what=what, filters=filters, format=fmt,
        expires_at=timezone.now() + timedelta(days=settings.REPORTS_EXPORT_DAYS))
    from .tasks import export_build

    outbox.enqueue(export_build, export.pk, key=f"report-export:{export.pk}")
    audit.record(actor=actor, action=AuditAction.EXPORT, target=export,
                 detail={"report": what, "filters": filters, "format": fmt})
    return export
