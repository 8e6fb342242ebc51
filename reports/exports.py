"""Making an export's file: rows streamed from the database (a server-side cursor) into CSV or write-only XLSX on
disk, so memory stays flat whatever the number of rows; read from the replica when one is configured.

Every text cell that a spreadsheet would take for a formula (beginning ``=``, ``+``, ``-``, ``@``, tab or carriage
return) gets a leading apostrophe: the value is shown as typed and never run.
"""

import csv
import os
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from safeguarding import access, routers
from safeguarding.spreadsheets import neutralise

from . import selectors
from .models import ExportFormat, ExportStatus, ReportExport

CHUNK = 2000


def _dashboard_rows(export: ReportExport, owner):
    period = selectors.period_from_params(export.filters)
    hide = not selectors.names_allowed(owner)
    tables = selectors.dashboard(owner, period)
    selectors.protect(tables, hide)
    yield ["Table", "Figure", "Count", "Period from", "Period to"]
    for name, rows in tables.items():
        title = selectors.TABLE_TITLES.get(name, name)
        for row in rows:
            if isinstance(row, selectors.ActionRow):
                for figure in (row.open, row.overdue, row.done):
                    yield [title, f"{row.agency}: {figure.label}", figure.shown,
                           period.start, period.end]
                yield [title, f"{row.agency}: median days to done", row.median_days if row.median_days is not None
                       else "", period.start, period.end]
            else:
                yield [title, row.label, row.shown, period.start, period.end]


def _list_rows(export: ReportExport, owner, progress):
    kind = selectors.LISTS[export.what]
    period = selectors.period_from_params(export.filters)
    rows = selectors.drilldown(owner, export.what, export.filters, period)
    total = rows.count() or 1
    progress(0)  # counted: the rows come next
    yield [heading for heading, _ in kind.columns]
    for i, record in enumerate(rows.iterator(chunk_size=CHUNK), 1):
        yield [cell(record) for _, cell in kind.columns]
        if i % CHUNK == 0:
            progress(i / total)




def _progress(export_id: int, fraction: float):
    ReportExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(progress=5 + int(85 * fraction))
    if settings.REPORTS_EXPORT_TEST_DELAY:  # lets a test kill a worker mid-export; 0 in service
        time.sleep(settings.REPORTS_EXPORT_TEST_DELAY)


def _write(path: str, fmt: str, rows) -> int:
    count = 0
    if fmt == ExportFormat.CSV:
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([neutralise(value) for value in row])
                count += 1
        return count - 1
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    for row in rows:
        sheet.append([neutralise(value) for value in row])
        count += 1
    book.save(path)
    return count - 1


def build(export_id: int) -> ReportExport | None:
    """Make one export's file. Idempotent: a ready export is left alone; one a dead worker left half-made is made
    again from the start."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status == ExportStatus.READY:
            return export
        export.status, export.progress, export.error = ExportStatus.RUNNING, 5, ""
        export.attempts += 1
        export.started_at = timezone.now()
        export.save()
    from safeguarding.models import User

    owner = User.objects.get(pk=export.owner_id)
    if owner.agency_id != export.agency_id or not owner.is_active:
        fail(export_id, "The person who asked for it is no longer in this agency.")
        return None
    handle, path = tempfile.mkstemp(suffix=f".{export.format}")
    os.close(handle)
    try:
        with routers.replica_reads(), access.scanning():  # whole tables read: the door's set-shaped conditions
            if export.what == "dashboard":
                rows = _dashboard_rows(export, owner)
            else:
                rows = _list_rows(export, owner, lambda f: _progress(export_id, f))
            count = _write(path, export.format, rows)
        with transaction.atomic():
            export = ReportExport.objects.select_for_update().get(pk=export_id)
            if export.status != ExportStatus.RUNNING:
                return export
            with open(path, "rb") as content:
                export.file.save(f"export-{export.pk}.{export.format}", File(content), save=False)
            export.size, export.rows, export.progress = os.path.getsize(path), count, 100
            export.status, export.finished_at = ExportStatus.READY, timezone.now()
            export.save()
        return export
    finally:
        os.unlink(path)


def fail(export_id: int, reason: str):
    ReportExport.objects.filter(pk=export_id).exclude(status=ExportStatus.READY).update(
        status=ExportStatus.FAILED, error=reason[:500], finished_at=timezone.now())


def expire(now=None) -> int:
    """Delete every export past its date, its file first. Returns how many went."""
    now = now or timezone.now()
    gone = 0
    for export in ReportExport.objects.filter(expires_at__lt=now).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        gone += 1
    return gone
