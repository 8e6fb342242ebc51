"""Delete the field history (django-pghistory) of every record disposed of at the end of its retention period.

    manage.py retention_purge_history [--dry-run]

Disposal (safeguarding.retention) erases a record's personal data in the app's own tables, but the history tables
still hold what it said before: the app's database role may only INSERT and SELECT them (safeguarding.dbroles), and it
keeps no more than that. This command connects as the owner role (DATABASE_OWNER_URL), deletes the history rows of
what each disposal erased (its ``erased`` list), with pghistory's append-only trigger ignored for those tables in this
transaction only, and marks each disposal purged. Run it after disposals, or nightly from the operator's scheduler.
The audit log is not touched: it names records by reference, never by name.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from safeguarding import dbroles, retention
from safeguarding.models import RetentionItem, RetentionStatus


class Command(BaseCommand):
    help = "As the database owner, delete the field history of every disposed-of record not yet purged."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say how many disposals wait, delete nothing.")

    def handle(self, *args, dry_run=False, **options):
        with dbroles.as_owner(), transaction.atomic():
            waiting = list(RetentionItem.objects.filter(status=RetentionStatus.DISPOSED,
                                                        history_purged_at__isnull=True).order_by("pk"))
            if dry_run:
                self.stdout.write(f"{len(waiting)} disposals wait for their history to be purged")
                return
            deleted = retention.purge_history(waiting)
        self.stdout.write(f"{len(waiting)} disposals purged: {deleted} history rows deleted")
