"""The current authenticator code of the demo logins (they share safeguarding.demo.DEMO_TOTP_SECRET): for whoever
runs `make demo` without an authenticator app. It knows the demo's secret only, never a real person's."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from safeguarding.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current six-digit code for the demo logins' second factor."

    def handle(self, *args, **options):
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
