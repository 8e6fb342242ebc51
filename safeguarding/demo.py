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
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.conf import settings
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from safeguarding.access import system
from safeguarding.apiclients import READ, RESOURCES, WRITE
from safeguarding.lawful import Article6, Article9, Basis, Told
from safeguarding.models import (
    Agency,
    AgencyKind,
    ApiClient,
    IdentityProvider,
    InformationSharingAgreement,
    Team,
    User,
    WebhookSubscription,
)
from safeguarding.roles import Role
from safeguarding.services import (
    agency_create,
    agreement_create,
    api_client_register,
    api_client_revoke,
    identity_provider_set,
    team_create,
    user_create,
    webhook_create,
)

# The demo is set up as a command would: by the named system actor (agencies and people); records by demo staff.
SEEDER = system("seed_demo")

DEMO_PASSWORD = "northfield-demo-2026"  # noqa: S105 - fictional demo logins, printed for whoever runs the demo
# Every demo agency asks for a second factor, as a real one would (Agency.mfa_required): the demo logins share this
# authenticator app secret (base32), printed with the logins; `manage.py demo_code` prints its current code.
DEMO_TOTP_SECRET = "NORTHFIELDDEMOTOTPSECRET234567AB"  # noqa: S105
BOROUGH = "Northfield"
EMAIL_DOMAIN = "northfield.example"  # .example is reserved: no demo email can reach anyone

# What the demo's practitioners give as the basis of their shares (the agreement in force is found for them).
SHARE_BASIS = Basis(lawful_basis=Article6.PUBLIC_TASK, special_category=Article9.SAFEGUARDING, told=Told.TOLD,
                    reason="The partner agency works with this young person and needs to know the risks to keep them "
                           "safe")


# Single sign-on (safeguarding.sso): the constabulary signs its people in with its own identity provider. In the demo
# that is the test provider (tests/oidc_provider), run beside the demo with `python -m tests.oidc_provider.demo`
# (README, "Single sign-on"); without it, choosing the constabulary says its sign-in is not answering.
DEMO_SSO_ISSUER = os.environ.get("DEMO_SSO_ISSUER", "http://127.0.0.1:8001/o")
DEMO_SSO_CLIENT_ID = "efh-demo-northfield-constabulary"
DEMO_SSO_CLIENT_SECRET = "northfield-constabulary-demo-client-secret"  # noqa: S105 - the demo provider's, printed


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
    team: str = ""  # a team of their agency, made if missing
    demo: bool = False  # signs in with DEMO_PASSWORD and is listed in the logins table


STAFF = [Staff(row["username"], row["agency"], Role(row["role"]), row["first_name"], row["last_name"],
               row["job_title"], row["team"], demo=row["demo"] == "yes") for row in load(__file__, "staff.csv")]


def seed(run: Run):
    """The agencies (found by name) and the staff (found by username), in one transaction."""
    other_lead = Agency.objects.filter(is_lead_authority=True).exclude(name=AGENCIES[LEAD][0]).first()
    if other_lead:
        raise DemoError(f"This database belongs to {other_lead.name}: demo data is only for a database of its own.")
    started = time.monotonic()
    tally = Counter()
    with transaction.atomic():
        agencies = _agencies(tally)
        users = _users(agencies, tally)
        _identity_provider(agencies["police"], tally)
        _api_clients(agencies, tally)
        _webhook(agencies, users, tally)
        _retention_schedules(tally)
        _agreements(agencies, tally)
    run.report(tally, time.monotonic() - started, added="Seeded Northfield's agencies and staff",
               nothing="Northfield's agencies, staff and agreements are already present: nothing to add.")


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
    credentials = _saved_credentials()
    if credentials:
        run.stdout.write(f"Demo API clients (docs/api.md; also kept in {_credentials_file()}):")
        run.stdout.write("")
        for name, credential in credentials.items():
            run.stdout.write(f"  {name}: {credential}")
        run.stdout.write("")
    run.stdout.write(f"Second factor: add the secret {DEMO_TOTP_SECRET} to an authenticator app, or run")
    run.stdout.write("`python manage.py demo_code` for the current six-digit code.")
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


def _teams(agencies: dict[str, Agency], tally: Counter) -> dict[tuple[str, str], Team]:
    teams = {(t.agency_id, t.name): t for t in Team.objects.filter(agency__in=agencies.values())}
    for spec in STAFF:
        key = (agencies[spec.agency].pk, spec.team)
        if spec.team and key not in teams:
            teams[key] = team_create(actor=SEEDER, agency=agencies[spec.agency], name=spec.team)
            tally["teams"] += 1
    return teams


def _users(agencies: dict[str, Agency], tally: Counter) -> dict[str, User]:
    users = User.objects.in_bulk([s.username for s in STAFF], field_name="username")
    teams = _teams(agencies, tally)
    for spec in STAFF:
        if spec.username not in users:
            users[spec.username] = user_create(
                actor=SEEDER, username=spec.username, agency=agencies[spec.agency],
                roles=[spec.role], password=DEMO_PASSWORD if spec.demo else None,
                first_name=spec.first_name, last_name=spec.last_name, job_title=spec.job_title,
                email=f"{spec.username}@{EMAIL_DOMAIN}", team=teams.get((agencies[spec.agency].pk, spec.team)),
            )
            if spec.demo:
                TOTP.activate(users[spec.username], DEMO_TOTP_SECRET)
            tally["users"] += 1
    return users


def _identity_provider(police: Agency, tally: Counter):
    if not IdentityProvider.objects.filter(agency=police).exists():
        identity_provider_set(actor=SEEDER, agency=police, issuer=DEMO_SSO_ISSUER, client_id=DEMO_SSO_CLIENT_ID,
                              client_secret=DEMO_SSO_CLIENT_SECRET, email_domains=[EMAIL_DOMAIN])
        tally["identity providers"] += 1


# --- The partner API: a demo client of the police's records system (docs/api.md) ------------------------------------

# A real credential is shown once and never kept; the demo's is kept in a git-ignored file beside the checkout, so
# seed_demo can print it again and docs/api.md's script can be run against `make demo` (DEMO_API_CREDENTIALS).
API_CLIENTS = {
    # name: (agency key, scopes)
    "Northfield Constabulary records system": ("police", {**dict.fromkeys(RESOURCES, READ), "chronology-entries": WRITE,
                                                          "contribution-requests": WRITE, "actions": WRITE}),
}


def _credentials_file() -> Path:
    return Path(settings.DEMO_API_CREDENTIALS)


def _saved_credentials() -> dict:
    try:
        return json.loads(_credentials_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _api_clients(agencies: dict[str, Agency], tally: Counter):
    saved = _saved_credentials()
    for name, (agency, scopes) in API_CLIENTS.items():
        existing = ApiClient.objects.filter(name=name, revoked_at__isnull=True).first()
        if existing and saved.get(name, "").startswith(f"{existing.key_id}."):
            continue
        if existing:  # registered by an earlier run whose file is gone: its secret is lost, so a new credential
            api_client_revoke(actor=SEEDER, client=existing)
        _, saved[name] = api_client_register(actor=SEEDER, agency=agencies[agency], name=name, scopes=scopes)
        tally["API clients"] += 1
    _credentials_file().parent.mkdir(parents=True, exist_ok=True)
    _credentials_file().write_text(json.dumps(saved, indent=2), encoding="utf-8")


# The police's case system, told of what is addressed to the police: the demo's receiver (manage.py webhook_receiver,
# which `make demo` starts on this port) prints each event. Without it running, deliveries fail, are retried, and after
# WEBHOOKS_PAUSE_AFTER failures in a row the connection pauses and police.admin is told: the other half of the demo.
DEMO_RECEIVER = "http://127.0.0.1:8765/efh-events"


def _webhook(agencies: dict[str, Agency], users: dict[str, User], tally: Counter):
    """Only where the settings let the service call a receiver on this machine (DEBUG, as `make demo` runs)."""
    from safeguarding.webhooks import SUBSCRIBABLE, address_allowed

    police = agencies["police"]
    if not (settings.WEBHOOKS_ALLOW_HTTP and address_allowed("127.0.0.1")) or WebhookSubscription.objects.filter(
            agency=police, url=DEMO_RECEIVER).exists():
        return

    webhook_create(actor=users["police.admin"], agency=police, url=DEMO_RECEIVER,
                   events=[value for value, _ in SUBSCRIBABLE],
                   description="Northfield Constabulary case system (the demo receiver)")
    tally["connected systems"] += 1


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


def _agreements(agencies: dict[str, Agency], tally: Counter):
    """The partnership's information-sharing agreements, one of them expired (so never offered)."""
    today = timezone.localdate()
    known = set(InformationSharingAgreement.objects.values_list("reference", flat=True))
    for row in load(__file__, "agreements.csv"):
        if row["reference"] in known:
            continue
        agreement_create(
            actor=SEEDER, parties=[agencies[key] for key in row["parties"].split()], title=row["title"],
            reference=row["reference"], summary=row["summary"],
            starts_on=today + timedelta(days=int(row["starts_days"])),
            ends_on=today + timedelta(days=int(row["ends_days"])) if row["ends_days"] else None,
            review_on=today + timedelta(days=int(row["review_days"])))
        tally["information-sharing agreements"] += 1
