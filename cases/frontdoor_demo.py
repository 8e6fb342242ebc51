"""The front door's demo records: referrals of young people from partners (one waiting, one overdue, one declined),
one of a place, and a transfer asked. Run by cases' and contexts' ``demo.py``; idempotent (written once)."""

from datetime import date, timedelta

from django.utils import timezone

from safeguarding.demo import load
from safeguarding.lawful import Article6, Article9
from safeguarding.models import User

from . import referrals, services
from .models import YoungPersonReferral

DATA = load(__file__, "front_door.json")
# The agreement in force between the referrer and the authority is found and recorded by the service.
LAWFUL = {"lawful_basis": Article6.PUBLIC_TASK, "special_category": Article9.SAFEGUARDING}


def young_people(managers: list[User], tally) -> None:
    if YoungPersonReferral.objects.exists() or not managers:
        return
    today = timezone.localdate()
    for row in DATA["young_people"]:
        referrer = User.objects.get(username=row["referrer"])
        birthday = date(today.year - row["age"], 3, 14)
        referral = services.referral_create(
            actor=referrer, first_name=row["first_name"], last_name=row["last_name"], known_as=row["known_as"],
            date_of_birth=birthday, postcode=row["postcode"], school=row["school"], concerns=row["concerns"],
            harm_types=row["harm_types"], urgency=row["urgency"], family_knows=row["family_knows"],
            young_person_agreed=row["agreed"], **LAWFUL)
        if row["state"] == "overdue":  # referred three working days ago: past its clock
            YoungPersonReferral.objects.filter(pk=referral.pk).update(
                referred_at=timezone.now() - timedelta(days=5), decide_by=today - timedelta(days=2))
        elif row["state"] == "declined":
            referrals.referral_decline(actor=managers[0], referral=referral, expected_version=referral.version,
                                       reason=row["decline_reason"], advice=row["advice"])
        tally["referrals"] += 1
