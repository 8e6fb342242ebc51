"""The test provider's people, shared by the single sign-on tests (tests/safeguarding/test_sso.py, tests/e2e)."""

from faker import Faker

POLICE_DOMAIN = "northfield.police.uk"
COUNCIL_DOMAIN = "northfield.gov.uk"
POLICE, COUNCIL = "northfield-police", "northfield-council"  # the providers' ids: their agencies' names, slugified


def _people() -> dict:
    """The provider's people (fictional, Faker en_GB): each with a stable subject and a work email."""
    fake = Faker("en_GB")
    fake.seed_instance(1701)

    def person(username, email, **more):
        return {"password": fake.password(length=16), "sub": fake.uuid4(), "email": email, "email_verified": True,
                "given_name": fake.first_name(), "family_name": fake.last_name(), **more}

    return {
        "officer": person("officer", f"r.harris@{POLICE_DOMAIN}"),
        # A second account at the police's provider given the officer's email (reused, or made again).
        "officer-again": person("officer-again", f"r.harris@{POLICE_DOMAIN}"),
        "stranger": person("stranger", f"j.okoro@{POLICE_DOMAIN}"),  # never invited to the service
        "unverified": person("unverified", f"t.shaw@{POLICE_DOMAIN}", email_verified=False),
        "councillor": person("councillor", f"k.patel@{COUNCIL_DOMAIN}", oid=fake.uuid4()),  # a council social worker
    }


PEOPLE = _people()
