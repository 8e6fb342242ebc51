"""Walk the audit log's hash chain and report the first broken link, or that the chain is intact.

    manage.py audit_verify [--anchor ID:HASH]

Exits non-zero on a break. It needs only SELECT (run it as the app role, or any read-only role). Keep the last line
it prints ("head: ID HASH") somewhere the database's owner cannot change (a ticket, an email): a later run with
``--anchor ID:HASH`` then also catches an owner who rewrote every hash after the row they changed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding import auditchain


def _anchor(value: str) -> tuple[int, str]:
    row_id, _, digest = value.partition(":")
    if not row_id.isdigit() or len(digest) != 64:
        raise ValueError(value)
    return int(row_id), digest.lower()


class Command(BaseCommand):
    help = "Verify the audit log's hash chain: report the first broken link (row id and time), or that it is intact."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", type=_anchor, default=None,
                            help="ID:HASH of a row printed by an earlier run, which must still be in the chain")

    def handle(self, *args, anchor=None, **options):
        result = auditchain.verify(anchor=anchor)
        if result.broken_id is not None:
            when = timezone.localtime(result.broken_at).strftime("%Y-%m-%d %H:%M:%S %Z")
            before = f"row {result.after_id}" if result.after_id else "the start of the log"
            raise CommandError(
                f"Broken link at row {result.broken_id} ({when}), after {result.rows} intact rows: its hash does not "
                f"follow from {before}. Row {result.broken_id} was changed, or a row between them was removed.")
        if result.anchor_problem:
            raise CommandError(f"{result.rows} rows chained, but {result.anchor_problem}: the log was rewritten.")
        self.stdout.write(f"{result.rows} rows, chain intact")
        if result.head_id is not None:
            self.stdout.write(f"head: {result.head_id} {result.head_hash}")
