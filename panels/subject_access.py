"""This app's section of a young person's subject access export (safeguarding.subject_access): the panel agenda items
about them, in meetings the asking agency sees."""

from safeguarding import access
from safeguarding import subject_access as sar

from .models import AgendaItem


def items(reader, person, redact) -> list[sar.Row]:
    about = AgendaItem.objects.filter(AgendaItem.subject_visible_q(reader), young_person=person)
    found = access.visible(reader, about).select_related("meeting__panel").order_by("meeting__starts_at", "position")
    return [sar.Row(f"{item.meeting.panel.name}, {sar.text(item.meeting.starts_at)}", [
        ("Why it was on the agenda", item.reason), ("What you said", item.voice),
        ("What will be fed back to you", item.feedback), ("Discussion", item.minutes), ("Decisions", item.decisions),
    ], item) for item in found]


def register() -> None:
    sar.register(sar.Section(key="panel_items", title="Panel meetings", order=50, rows=items))
