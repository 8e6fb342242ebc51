"""Test data, made with Faker (en_GB) and always written through the services, as the app writes it."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, ChronologyEntry, EntryKind, HarmType, RiskLevel, Sex, YoungPerson


class ServiceFactory(factory.Factory):
    """A factory whose create() calls a service with ``actor`` (required) and the generated fields."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](**kwargs)


class YoungPersonFactory(ServiceFactory):
    class Meta:
        model = YoungPerson

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_between", start_date=date.today() - timedelta(days=17 * 365),
                                  end_date=date.today() - timedelta(days=12 * 365))
    sex = factory.Iterator([Sex.FEMALE, Sex.MALE])
    ethnicity = "not_known"


class CaseFactory(ServiceFactory):
    class Meta:
        model = Case

    harm_types = factory.LazyFunction(lambda: [HarmType.CCE])
    risk_level = RiskLevel.MEDIUM
    summary = factory.Faker("sentence", locale="en_GB")
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class ChronologyEntryFactory(ServiceFactory):
    class Meta:
        model = ChronologyEntry

    kind = EntryKind.NOTE
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    text = factory.Faker("paragraph", locale="en_GB")


SERVICES = {
    YoungPerson: case_services.young_person_create,
    Case: case_services.case_open,
    ChronologyEntry: case_services.chronology_add,
}
