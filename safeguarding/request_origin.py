"""Where the request being handled comes from: its client's address, browser and id.

Set once per request by ``safeguarding.audit.AuditContextMiddleware``; read by the audit log and by the logging
filter that puts the request's id on every log record (``safeguarding.logs``). It imports nothing of the app, so
logging can be configured before the models are loaded.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    api_client: str = ""  # the key id of the partner API client making the request (safeguarding.api), if any


_NOWHERE = Origin()
_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def origin() -> Origin:
    """Where the current request comes from (empty outside a request)."""
    return _origin.get() or _NOWHERE
