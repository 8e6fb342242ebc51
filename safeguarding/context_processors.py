from django.conf import settings


def service(request):
    return {"service_name": settings.SERVICE_NAME, "organisation_name": settings.ORGANISATION_NAME,
            "classification": settings.CLASSIFICATION}
