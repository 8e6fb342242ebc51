"""Generate a synthetic national-scale dataset for benchmarks, with PostgreSQL COPY (see ``bench.generate``).

    DEBUG=1 python manage.py generate --young-people 100000 [--seed 2026] [--force] [--no-verify] [--no-vacuum]

Into an empty database (no young people), or with --force into one whose name contains "bench". Generated rows
have no change history and no audit events: the history triggers are off while it copies.
"""

from django.core.management.base import BaseCommand, CommandError

from bench.generate import SEED, GenerationFailed, Refused, generate


class Command(BaseCommand):
    help = "Generate N young people with cases, grants, chronologies, contexts, assessments and meetings, fast."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=SEED, help=f"Random seed (default {SEED}).")
        parser.add_argument("--force", action="store_true",
                            help="Add to a database that already holds young people (its name must contain 'bench').")
        parser.add_argument("--no-verify", action="store_true",
                            help="Skip checking every foreign key written (faster at the largest sizes).")
        parser.add_argument("--no-vacuum", action="store_true", help="Skip vacuuming the tables after the commit.")

    def handle(self, *args, young_people, seed, force, no_verify, no_vacuum, **options):
        if young_people < 1:
            raise CommandError("--young-people must be at least 1.")
        try:
            generate(young_people=young_people, seed=seed, stdout=self.stdout, force=force, verify=not no_verify,
                     vacuum=not no_vacuum)
        except (Refused, GenerationFailed) as exc:
            raise CommandError(str(exc)) from exc
