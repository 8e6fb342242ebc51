"""Retention of this app's records (safeguarding.retention): panel packs, and the agenda items about an erased young
person, place or peer group.

A pack's PDF is a copy, made for one meeting: disposing of it deletes the file and keeps the row (which agency, which
agenda version, when it was built and downloaded stays readable in the audit log). An agenda item about an erased
subject keeps its place on the agenda and loses what was said and decided about it.
"""

from django.db import transaction
from django.db.models import Q

from safeguarding import retention

from .models import AgendaItem, PackStatus, PanelPack


def pack_dispose(pack: PanelPack, disposal: retention.Disposal) -> None:
    if pack.file:
        # The file goes once the disposal has committed: a disposal rolled back keeps the file its row names.
        storage, name = pack.file.storage, pack.file.name
        transaction.on_commit(lambda: storage.delete(name))
    disposal.erase(pack, file="", size=0, error=disposal.marker[:500])


def subject_erase(field: str):
    def erase(record, disposal: retention.Disposal) -> None:
        disposal.erase_all(AgendaItem.objects.filter(**{field: record}), reason=disposal.marker[:3000], voice="",
                           feedback="", minutes="", decisions="")
    erase.__name__ = f"agenda_items_of_{field}_erase"
    return erase


def register() -> None:
    retention.register(retention.RecordType(
        key="panels.panelpack", label="Panel packs", model=PanelPack, anchor="finished_at", anchor_label="built",
        eligible=Q(status=PackStatus.READY, finished_at__isnull=False) & ~Q(file=""), agency="meeting__owning_agency",
        dispose=pack_dispose, default_months=12))
    for label, field in (("cases.youngperson", "young_person"), ("contexts.place", "place"),
                         ("contexts.peergroup", "peer_group")):
        retention.on_erase(label, subject_erase(field))
