"""Contexts' reminders, run by the kernel's daily job (safeguarding.reminders): links past their review date.

Associations are evidence, not fact: whoever recorded a link is asked to review it or end it."""

from django.urls import reverse

from safeguarding.reminders import Run, link, reminder

from .models import Association, Membership, PlaceLink


@reminder
def links_past_review(run: Run) -> int:
    sent = 0
    for model in (Membership, Association, PlaceLink):
        for row in model.objects.filter(ended_on__isnull=True, review_by__lt=run.today).select_related(
                "source_person").iterator():
            sent += run.remind(f"review_{model._meta.model_name}", row.pk, row.source_person,
                               "A link you recorded is past its review date",
                               f"A link you recorded was due for review on {row.review_by:%-d %B %Y}. Review it or "
                               f"end it.\n{link(reverse('to-review'))}")
    return sent
