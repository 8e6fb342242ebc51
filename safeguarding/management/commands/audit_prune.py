"""Remove the audit log's oldest rows, once they are past the audit events' retention schedule: an operator's job.

    manage.py audit_prune --before 2019-01-01 [--dry-run]

The app never deletes an audit row: its database role may only INSERT and SELECT the table, and a trigger refuses
DELETE. This command connects as the owner role (DATABASE_OWNER_URL) and, in one transaction holding the chain's
lock (so no row is written meanwhile):

1. takes the oldest rows recorded before ``--before``, as a prefix of the chain (it stops at the first row recorded
   on or after that time, and always keeps the newest row, which the next row links to);
2. verifies the chain up to the last of them, and refuses to prune a broken chain (run ``audit_verify`` first);
3. records where the chain now starts (``AuditChainStart``: the last removed row's id and hash), removes the rows
   with the append-only trigger ignored for this transaction only, and writes an audit row saying so.

``audit_verify`` then checks the chain from that start. Print the head afterwards (``audit_verify``) and keep it
with the other anchors.
"""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from safeguarding import access, audit, auditchain, dbroles
from safeguarding.models import AuditAction, AuditChainStart, AuditEvent


def _day(value: str):
    return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (a date; made aware below)


class Command(BaseCommand):
    help = "As the database owner, remove audit rows recorded before a date, keeping the chain verifiable."

    def add_arguments(self, parser):
        parser.add_argument("--before", type=_day, required=True, help="YYYY-MM-DD: rows before this day go")
        parser.add_argument("--dry-run", action="store_true", help="Say how many rows would go; remove nothing.")

    def handle(self, *args, before, dry_run=False, **options):
        import pgtrigger

        cutoff = timezone.make_aware(datetime.combine(before, time.min))
        with dbroles.as_owner(), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [auditchain.LOCK_KEY])
            rows = AuditEvent.objects.order_by()
            first_kept = rows.filter(occurred_at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
            newest = rows.order_by("-id").values_list("id", flat=True).first()
            if newest is None:
                self.stdout.write("The audit log is empty: nothing to remove")
                return
            last = min(first_kept - 1 if first_kept is not None else newest, newest - 1)
            start_id, _ = auditchain.start()
            doomed = rows.filter(id__gt=start_id, id__lte=last)
            count = doomed.count()
            if not count:
                self.stdout.write(f"No audit rows before {before:%Y-%m-%d} to remove")
                return
            if dry_run:
                self.stdout.write(f"{count} audit rows recorded before {before:%Y-%m-%d} would be removed")
                return
            checked = auditchain.verify(upto=last)
            if not checked.intact:
                raise CommandError(f"The chain is broken at row {checked.broken_id}: nothing removed. Run "
                                   "audit_verify and investigate first.")
            AuditChainStart.objects.create(after_id=checked.head_id, after_hash=checked.head_hash, before=cutoff,
                                           rows_removed=count)
            with pgtrigger.ignore("safeguarding.AuditEvent:append_only"):
                doomed.delete()
            audit.record(actor=access.system("audit_prune"), action=AuditAction.DISPOSE,
                         detail={"audit_rows_removed": count, "before": before.isoformat(),
                                 "chain_starts_after": checked.head_id})
        self.stdout.write(f"{count} audit rows recorded before {before:%Y-%m-%d} removed; the chain now starts after "
                          f"row {checked.head_id}")
