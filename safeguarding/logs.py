"""Logs an operator can use: every record names the request it was written in, production writes JSON lines, and
errors may go to Sentry (only when SENTRY_DSN is set) without personal data.

Configured by ``settings.LOGGING``; imports nothing of the app but the request's origin, so it loads before the
models do.
"""

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from .request_origin import origin


class RequestIdFilter(logging.Filter):
    """Put the id of the request being handled on every record ("" outside a request: jobs, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = origin().request_id
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: level, logger, message, request_id and time, then whatever ``extra`` a call gave."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")  # ISO 8601, UTC
        super().__init__(*args, **kwargs)


# What Sentry may be sent about a request: never its body, cookies, query string (search terms are names) or who
# was signed in; the request's id instead, to find the same request in the logs and the audit log.
_REQUEST_KEYS_KEPT = ("url", "method")


def scrub_event(event: dict, hint=None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {key: request[key] for key in _REQUEST_KEYS_KEPT if key in request}
    event.pop("user", None)
    request_id = origin().request_id
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_options(dsn: str, *, environment: str, traces_sample_rate: float = 0.0) -> dict:
    return {
        "dsn": dsn,
        "environment": environment,
        "send_default_pii": False,  # no addresses, cookies, users or headers that identify anyone
        "include_local_variables": False,  # a stack frame's variables hold records' contents
        "max_request_body_size": "never",  # form posts are case notes
        "traces_sample_rate": traces_sample_rate,
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
    }


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float = 0.0):
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn, environment=environment, traces_sample_rate=traces_sample_rate))
