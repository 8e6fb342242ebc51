"""First run on a new installation: the lead authority and its first administrator.

    python manage.py setup_authority --agency "Northfield Council Children's Services" \
        --username j.smith --email j.smith@northfield.gov.example --first-name Jo --last-name Smith

The password is asked for at the terminal (or read from the variable named by --password-env, for
automation). Everything else — partner agencies, people, roles — is then done by that administrator in the
service's admin pages.
"""

import os
from getpass import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safeguarding import access, services
from safeguarding.models import Agency, AgencyKind
from safeguarding.roles import Role


class Command(BaseCommand):
    help = "Create the lead authority and its first administrator (once, on a new installation)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="The lead authority's name.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--password-env", help="Read the password from this environment variable.")

    def handle(self, *args, **options):
        if Agency.objects.filter(is_lead_authority=True).exists():
            raise CommandError("A lead authority already exists. Add people and agencies in the admin pages.")
        password = os.environ.get(options["password_env"], "") if options["password_env"] else ""
        if not password:
            password = getpass("Password for the administrator: ")
            if password != getpass("Password again: "):
                raise CommandError("The passwords do not match.")
        try:
            with transaction.atomic():
                agency = services.agency_create(actor=access.system("setup_authority"), name=options["agency"],
                                                kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
                user = services.user_create(
                    actor=access.system("setup_authority"), username=options["username"], agency=agency,
                    roles=[Role.ADMINISTRATOR],
                    password=password, email=options["email"], first_name=options["first_name"],
                    last_name=options["last_name"], job_title="Service administrator",
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {agency.name} and administrator {user.username}."))
