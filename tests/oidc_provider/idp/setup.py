"""Make the provider's database: its tables, its people (from IDP_PEOPLE) and its clients (from IDP_CLIENTS)."""

import json
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from idp.claims import people  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

call_command("migrate", verbosity=0)
for username, person in people().items():
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(person["password"])
    user.save()
for client in json.loads(Path(os.environ["IDP_CLIENTS"]).read_text()):
    Application.objects.update_or_create(client_id=client["client_id"], defaults={
        "name": client["client_id"], "client_secret": client["client_secret"],
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(client["redirect_uris"]), "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True})
