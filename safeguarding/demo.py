"""The fictional borough of Northfield, part one: its agencies, and its staff with one demo login per role.

Every app's ``demo`` module adds that app's part of the demo data; ``manage.py seed_demo`` runs them in
dependency order (INSTALLED_APPS order), this one first. Each module has a ``seed(run)`` that writes through
the services, as the app writes, in one transaction of its own, says what it added, and adds nothing that is
already there. The tables of names and wording live in each app's ``demo_data/`` folder; the Python keeps the
logic. This module also holds what every later app needs: the agencies' keys, the staff, the ``Run`` handed to
each ``seed`` and the loader for the data files.
"""

import csv
import json
import time
from collections import Counter
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from safeguarding.access import system
from safeguarding.models import Agency, AgencyKind, User
from safeguarding.roles import Role
from safeguarding.services import agency_create, user_create

# The demo is set up as a command would: by the named system actor (agencies and people); records by demo staff.
SEEDER = system("seed_demo")

DEMO_PASSWORD = "northfield-demo-2026"  # noqa: S105 - fictional demo logins, printed for whoever runs the demo
BOROUGH = "Northfield"
EMAIL_DOMAIN = "northfield.example"  # .example is reserved: no demo email can reach anyone


class DemoError(Exception):
    """The demo data cannot be added here: what it builds on is missing, or the database is someone else's."""


@dataclass
class Run:
    """One run of the demo seeder, handed to every app's ``seed``: where to report, and what was asked for."""

    stdout: object  # anything with ``write(text)``: a command's OutputWrapper, or a StringIO in a test
    style: object = None  # a command's style (SUCCESS colours the summaries); plain when None
    young_people: int = 200

    def __post_init__(self):
        self.stdout = self.stdout if isinstance(self.stdout, OutputWrapper) else OutputWrapper(self.stdout)
        self.style = self.style or no_style()

    def report(self, tally: Counter, seconds: float, *, added: str, nothing: str, made: str | None = None):
        """One line: ``added`` with the time and what was made, or ``nothing`` when the tally is empty."""
        if not tally:
            self.stdout.write(nothing)
            return
        made = made or ", ".join(f"{count} {what}" for what, count in tally.items())
        self.stdout.write(self.style.SUCCESS(f"{added} in {seconds:.1f} s: {made}."))


def modules() -> dict:
    """The project apps' ``demo`` modules, by app label, in INSTALLED_APPS order: the order they depend on each other.

    Found by name, so the kernel imports no app; installed packages (site-packages) are not looked at.
    """
    found = {}
    for config in apps.get_app_configs():
        if "site-packages" in Path(config.path).parts or not module_has_submodule(config.module, "demo"):
            continue
        module = import_module(f"{config.name}.demo")
        if callable(getattr(module, "seed", None)):
            found[config.label] = module
    return found


def load(module_file: str, name: str):
    """A data file from the ``demo_data`` folder beside ``module_file``: JSON as loaded, CSV as a list of dicts."""
    path = Path(module_file).resolve().parent / "demo_data" / name
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file)) if path.suffix == ".csv" else json.load(file)


# --- The borough: agencies and staff ---------------------------------------------------------------------

LEAD = "la"
AGENCIES = {row["key"]: (row["name"], AgencyKind(row["kind"])) for row in load(__file__, "agencies.csv")}


@dataclass(frozen=True)
class Staff:
    username: str
    agency: str  # a key of AGENCIES
    role: Role
    first_name: str
    last_name: str
    job_title: str
    demo: bool = False  # signs in with DEMO_PASSWORD and is listed in the logins table


STAFF = [Staff(row["username"], row["agency"], Role(row["role"]), row["first_name"], row["last_name"],
               row["job_title"], demo=row["demo"] == "yes") for row in load(__file__, "staff.csv")]


def seed(run: Run):
    """The agencies (found by name) and the staff (found by username), in one transaction."""
    other_lead = Agency.objects.filter(is_lead_authority=True).exclude(name=AGENCIES[LEAD][0]).first()
    if other_lead:
        raise DemoError(f"This database belongs to {other_lead.name}: demo data is only for a database of its own.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        _users(_agencies(tally), tally)
        _retention_schedules(tally)
    run.report(tally, time.monotonic() - started, added="Seeded Northfield's agencies and staff",
               nothing="Northfield's agencies and staff are already present: nothing to add.")


def print_logins(run: Run):
    """The demo logins, with the password they share: printed by seed_demo after every app has run."""
    users = User.objects.select_related("agency").in_bulk([s.username for s in STAFF if s.demo],
                                                          field_name="username")
    rows = [("Username", "Role", "Agency")] + [
        (s.username, s.role.value, users[s.username].agency.name) for s in STAFF if s.demo and s.username in users
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    run.stdout.write("")
    run.stdout.write(f"Demo logins (password for every one: {DEMO_PASSWORD})")
    run.stdout.write("")
    for line in lines:
        run.stdout.write(f"  {line}")
    run.stdout.write("")


def _agencies(tally: Counter) -> dict[str, Agency]:
    existing = {a.name: a for a in Agency.objects.filter(name__in=[name for name, _ in AGENCIES.values()])}
    agencies = {}
    for key, (name, kind) in AGENCIES.items():
        if name not in existing:
            existing[name] = agency_create(actor=SEEDER, name=name, kind=kind, is_lead_authority=key == LEAD)
            tally["agencies"] += 1
        agencies[key] = existing[name]
    return agencies


def _users(agencies: dict[str, Agency], tally: Counter) -> dict[str, User]:
    users = User.objects.in_bulk([s.username for s in STAFF], field_name="username")
    for spec in STAFF:
        if spec.username not in users:
            users[spec.username] = user_create(
                actor=SEEDER, username=spec.username, agency=agencies[spec.agency],
                roles=[spec.role], password=DEMO_PASSWORD if spec.demo else None,
                first_name=spec.first_name, last_name=spec.last_name, job_title=spec.job_title,
                email=f"{spec.username}@{EMAIL_DOMAIN}",
            )
            tally["users"] += 1
    return users


def _retention_schedules(tally: Counter):
    """A schedule for every registered type of record, at its default period (administrators change them)."""
    from . import retention
    from .models import RetentionSchedule
    from .services import retention_schedule_save

    present = set(RetentionSchedule.objects.values_list("record_type", flat=True))
    for key, kind in retention.types().items():
        if key not in present:
            retention_schedule_save(actor=SEEDER, record_type=key, months=kind.default_months,
                                    notes="The partnership's default; check it against your records policy.")
            tally["retention schedules"] += 1
