from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark tools, as an app only so ``manage.py generate`` exists. It has no models."""

    name = "bench"
    verbose_name = "Benchmarks"
