"""Run the test identity provider beside `make demo`, as the Northfield Constabulary's (safeguarding/demo.py records
it): `python -m tests.oidc_provider.demo` from the project folder, then choose the constabulary at
http://127.0.0.1:8000/sign-in/sso/ and sign in as a police member of the demo staff (police.demo) with the demo
password. Stop it with Ctrl-C."""

import csv
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .provider import OidcProvider

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "northfield-demo-2026"  # noqa: S105 - the demo's shared password (safeguarding/demo.py)
CALLBACK = "/sign-in/sso/northfield-constabulary/callback/"


def main():
    port = int(os.environ.get("DEMO_SSO_PORT", "8001"))
    site = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    with (ROOT / "safeguarding" / "demo_data" / "staff.csv").open(newline="") as file:
        police = [row for row in csv.DictReader(file) if row["agency"] == "police"]
    people = {row["username"]: {
        "password": PASSWORD, "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"northfield-constabulary/{row['username']}")),
        "email": f"{row['username']}@northfield.example", "email_verified": True,
        "given_name": row["first_name"], "family_name": row["last_name"]} for row in police}
    provider = OidcProvider(Path(tempfile.mkdtemp(prefix="efh-demo-idp-")), port=port, people=people, clients=[{
        "client_id": "efh-demo-northfield-constabulary", "client_secret": "northfield-constabulary-demo-client-secret",
        "redirect_uris": [site + CALLBACK, site.replace("127.0.0.1", "localhost") + CALLBACK]}]).start()
    print(f"Northfield Constabulary's identity provider: {provider.issuer}")  # noqa: T201
    print(f"Sign in there as any of: {', '.join(people)} (password {PASSWORD}). Ctrl-C stops it.")  # noqa: T201
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped by a supervisor: stop the provider too
    try:
        while provider.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
