from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "contexts"
    verbose_name = "Places and peer groups"

    def ready(self):
        from . import finders  # noqa: F401 (registers this app's pickers with the kernel)
