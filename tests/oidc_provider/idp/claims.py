"""What the provider says about a person: read from the people file on every request, so a test can change it."""

import json
import os
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict:
    return json.loads(Path(os.environ["IDP_PEOPLE"]).read_text())


class PeopleValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "oid": "openid"}

    def get_additional_claims(self, request):
        person = people()[request.user.username]
        claims = {key: person[key] for key in ("sub", "oid", "email", "email_verified", "given_name", "family_name")
                  if key in person}
        if "given_name" in person:
            claims["name"] = f"{person['given_name']} {person.get('family_name', '')}".strip()
        return claims
