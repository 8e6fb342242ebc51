"""Load the fictional borough of Northfield: every installed app's demo data, in dependency order.

Each app of the project may have a ``demo`` module with a ``seed(run)`` that adds its part (agencies and staff,
then young people and cases, places and peer groups, assessments and safety plans, the MACE panel). They run in
INSTALLED_APPS order, which is the order the apps depend on each other; the kernel finds the modules by name and
imports no app. Every part writes through the services, runs in one transaction of its own and adds only what
is missing, so running it again adds nothing. The demo logins are printed at the end.

    DEBUG=1 python manage.py seed_demo [--young-people 200] [--only cases,contexts] [--force]
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding import demo


class Command(BaseCommand):
    help = "Load the fictional borough of Northfield with demo data and one login per role. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=200, metavar="N",
                            help="How many young people to create (default 200).")
        parser.add_argument("--only", metavar="APP[,APP...]",
                            help="Only these apps' demo data (still in dependency order), e.g. contexts,panels. "
                                 "What they build on must be there already.")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, young_people: int = 200, only: str | list[str] | None = None, force: bool = False,
               **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo loads fictional demo data: it runs only with DEBUG=1 or --force.")
        if young_people < 0:
            raise CommandError("--young-people cannot be negative.")
        modules = demo.modules()
        if isinstance(only, str):  # "cases,contexts", from the command line or call_command
            only = [label.strip() for label in only.split(",") if label.strip()]
        if only:
            unknown = sorted(set(only) - set(modules))
            if unknown:
                raise CommandError(f"No demo data for {', '.join(unknown)}: --only takes {', '.join(modules)}.")
            modules = {label: module for label, module in modules.items() if label in only}
        run = demo.Run(stdout=self.stdout, style=self.style, young_people=young_people)
        try:
            for module in modules.values():
                module.seed(run)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if demo.__name__ in {module.__name__ for module in modules.values()}:
            demo.print_logins(run)
