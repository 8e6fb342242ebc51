"""A private ClamAV daemon for the local demo, so that documents can be uploaded there.

    manage.py demo_scanner

Runs Debian's clamd (``apt-get install clamav-daemon``) on 127.0.0.1 at the port ``CLAMAV_URL`` names (3310 by
default), knowing one signature, the EICAR test file (``safeguarding.scanner.demo_daemon``): uploads are scanned as in
production and the test file is refused, but real malware is not recognised. A production deployment runs clamd with
freshclam's databases instead and points ``CLAMAV_URL`` at it. If a clamd already answers there this leaves it be;
without Debian's clamd the demo runs on and refuses uploads (the scanner fails closed).
"""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from safeguarding import scanner


class Command(BaseCommand):
    help = "Run a private clamd for the demo where CLAMAV_URL points (EICAR test signature only)."

    def handle(self, *args, **options):
        with scanner.demo_daemon() as daemon:
            if daemon is None:
                self.stdout.write(f"Documents are scanned by {settings.CLAMAV_URL}: {scanner.status()}.")
                return
            signal.signal(signal.SIGTERM, lambda *_: daemon.terminate())
            self.stdout.write(f"Documents are scanned by a private clamd at {settings.CLAMAV_URL} "
                              "(it knows the EICAR test file only).")
            try:
                daemon.wait()
            except KeyboardInterrupt:
                pass
