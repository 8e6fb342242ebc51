from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Young people and cases"

    def ready(self):
        from . import finders  # noqa: F401 (registers this app's pickers with the kernel)
