"""The "shared with" panel of any shareable record, and what its share and unshare buttons post.

Cases, places and peer groups all use this; the rules themselves are in ``safeguarding.access``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from . import access, disclosures, pickers
from .forms import gds_helper, submit
from .lawful import LawfulBasisFields
from .models import Agency


class ShareForm(LawfulBasisFields):
    # A picker, not a list: a national deployment has thousands of agencies (listing them took 290 ms to render).
    agency = pickers.PickerField("agency", label="Agency")
    level = forms.ChoiceField(choices=access.SHARE_LEVEL_CHOICES, widget=forms.RadioSelect, initial=access.VIEW,
                              label="What can they do?")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active agency may be posted; the access door still refuses one that cannot be shared with.
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).exclude(pk=record.owning_agency_id)
        self.order_fields(["agency", "level"])
        self.offer_agreements(record.owning_agency, self._posted_agency())
        self.helper = gds_helper(self, "Share", form_tag=False)

    def _posted_agency(self) -> Agency | None:
        """The agency chosen so far (a picker's Search step, or a form shown again), to choose its agreement."""
        chosen = pickers.record_id(self.data.get(self.add_prefix("agency"), "")) if self.is_bound else None
        return self.fields["agency"].queryset.filter(pk=chosen).first() if chosen else None


def panel(request, record, *, noun: str, share_url: str, unshare_name: str, form=None) -> dict:
    """Template context for includes/sharing.html."""
    can_manage = bool(access.can_see_sharing(request.user, record))
    can_share = bool(access.can_share(request.user, record))
    return {
        "record": record, "noun": noun, "share_url": share_url, "unshare_name": unshare_name,
        "can_manage": can_manage, "can_share": can_share,
        "sharing": _with_bases(record) if can_manage else None,
        "share_form": (form or ShareForm(record=record)) if can_share else None,
    }


def _with_bases(record) -> list[tuple]:
    """Each agency the record is shared with, its level, and why it was lawful (None for a share made before bases
    were recorded): two queries however many agencies."""
    bases = disclosures.current_shares(record)
    return [(agency, level, bases.get(agency.pk)) for agency, level in access.sharing(record)]


def share_posted(request, record):
    """Share as the posted form asks. Returns None when done, or the form to show again: with its errors, or with the
    agencies found by its Search button (safeguarding.pickers)."""
    access.can_share.ensure(request.user, record)
    form = ShareForm(request.POST, record=record)
    if pickers.search_step(request.user, form):
        return form
    if form.is_valid() and submit(form, lambda: access.share(
            actor=request.user, obj=record, agency=form.cleaned_data["agency"], level=form.cleaned_data["level"],
            basis=form.basis())):
        messages.success(request, f"{record} shared with {form.cleaned_data['agency']}.")
        return None
    return form


def unshare_posted(request, record, agency_pk: int):
    agency = get_object_or_404(Agency, pk=agency_pk)
    try:
        access.unshare(actor=request.user, obj=record, agency=agency)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{agency} can no longer see {record}.")


def record_page(request, template: str, record, *, noun: str, url_name: str, share_form=None, status: int = 200,
                **context):
    """The page of a shareable record with its "shared with" panel (templates/includes/shared_record.html): its
    share and unshare buttons post to ``<url_name>-share`` and ``<url_name>-unshare``."""
    return render(request, template, {**context, **panel(
        request, record, noun=noun, share_url=reverse(f"{url_name}-share", args=[record.pk]),
        unshare_name=f"{url_name}-unshare", form=share_form)}, status=status)


def share_view(request, record, *, page, then: str):
    """What a share button posts to: share and go back to the record, or show its page again with the errors."""
    form = share_posted(request, record)
    if form is None:
        return redirect(then + "#sharing")
    return page(request, record, share_form=form, status=400 if form.errors else 200)


def unshare_view(request, record, agency_pk: int, *, then: str):
    unshare_posted(request, record, agency_pk)
    return redirect(then + "#sharing")
