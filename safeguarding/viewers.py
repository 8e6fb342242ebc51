"""Who has seen a record: its views, downloads, exports and shares in the audit log, for the managers of the agency
that owns it (``policies.can_see_viewers``).

Each app registers the kinds of record with such a page where its models are loaded (``register``): the word in the
address, the model, and the name of the record's own page. The kernel imports no app.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import Http404
from django.urls import reverse

from . import access
from .models import AuditAction, AuditEvent

# What counts as having seen a record: opening it, downloading or exporting it, sharing it onwards.
SEEING = (AuditAction.VIEW, AuditAction.DOWNLOAD, AuditAction.EXPORT, AuditAction.SHARE)


@dataclass(frozen=True)
class Kind:
    word: str  # in addresses: /seen/<word>/<pk>/
    model: type[Model]
    page: str  # the record's own page's URL name, taking its pk
    noun: str


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.word] = kind
    return kind


def kind(word: str) -> Kind:
    try:
        return _KINDS[word]
    except KeyError:
        raise Http404 from None


def kind_of(record) -> Kind | None:
    return next((k for k in _KINDS.values() if isinstance(record, k.model)), None)


def url(record) -> str:
    return reverse("record-viewers", args=[kind_of(record).word, record.pk])


def record_for(user, word: str, pk: int):
    """The record, through the door (404 when not visible)."""
    found = kind(word)
    return access.get_visible_or_404(user, found.model._default_manager.all(), pk=pk)


def viewers_of(record):
    """Every event of someone seeing ``record``, newest first, with who and their agency: one query a page (the audit
    log's (target type, target id, time) index)."""
    return (AuditEvent.objects.filter(target_type=ContentType.objects.get_for_model(record), target_id=str(record.pk),
                                      action__in=SEEING)
            .select_related("actor", "agency").order_by("-occurred_at", "-id"))
