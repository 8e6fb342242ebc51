"""Pages for places, peer groups and the links between them. Thin: parse, call a selector or service, render."""

import copy
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import frontdoor_views as frontdoor
from cases import policies as case_policies
from cases import selectors as case_selectors
from cases.models import ChronologyEntry, YoungPerson
from safeguarding import access, attachments, audit, lists, sharing, subjects
from safeguarding.forms import gds_helper
from safeguarding.inputs import param
from safeguarding.models import User
from safeguarding.pages import form_page

from . import network, policies, selectors, services
from .filters import PEER_GROUPS, PLACES, TO_REVIEW, PlaceMapFilter
from .forms import (
    AssociationForm,
    BulkReviewForm,
    ContextReferralForm,
    EndForm,
    GuardianForm,
    MembershipForm,
    NetworkFilterForm,
    PeerGroupForm,
    PlaceForm,
    PlaceLinkForm,
    PlaceTagForm,
    ReviewForm,
    TrainingForm,
)
from .models import (
    Association,
    ContextKind,
    ContextStatus,
    Guardian,
    Membership,
    Place,
    PlaceKind,
    PlaceLink,
    PlaceTag,
)

# The two kinds of context record share their pages; each differs only in its form, and in what the subject
# registry (safeguarding.subjects) says of its kind: the model and the noun.
FORMS = {"place": PlaceForm, "peer-group": PeerGroupForm}
RECORDS = {word: {"model": subjects.by_word(word).model, "form": form, "noun": subjects.by_word(word).noun}
           for word, form in FORMS.items()}
LINKS = {"membership": Membership, "association": Association, "place-link": PlaceLink}


def _colleagues(user):
    return User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("last_name", "first_name")


def _visible_people(user):
    return access.visible(user, YoungPerson.objects.all()).order_by("last_name", "first_name")


def _record_for(user, kind: str, pk: int):
    model = RECORDS[kind]["model"]
    return access.get_visible_or_404(user, model.objects.select_related("owning_agency", "lead_practitioner"),
                                     pk=pk)


def _record_url(record) -> str:
    return subjects.of(record).url(record)


# --- Lists ---------------------------------------------------------------------------------------------------

@access.signed_in
def places(request):
    listing = lists.list_page(request, selectors.places_list(request.user), PLACES)
    return render(request, "contexts/places.html", {"list": listing}, status=listing.status)


@access.signed_in
def peer_groups(request):
    listing = lists.list_page(request, selectors.peer_groups_list(request.user), PEER_GROUPS)
    return render(request, "contexts/peer_groups.html", {"list": listing}, status=listing.status)


@access.signed_in
def to_review(request):
    """Current links past their review-by date that the reader's agency may act on, filtered, sorted and in pages;
    ticked ones reviewed or ended together (POST), each through the single link's service."""
    form = BulkReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            done, refused = _review_many(request, form)
            if done:
                verb = "ended" if form.cleaned_data["decision"] == "end" else "reviewed"
                messages.success(request, f"{len(done)} link{pluralize(len(done))} {verb}.")
            for link, reason in refused:
                messages.error(request, f"{link.link_kind.replace('-', ' ').capitalize()} {link.pk} was not "
                                        f"changed: {reason}")
            return redirect(request.get_full_path())
        # Nothing ticked, or a decision not offered: the page again with the error, as every form answers (200).
    listing = lists.merged_list_page(request, selectors.links_due(request.user), TO_REVIEW)
    for link in listing.page:  # what its checkbox sends: which link, and the version the person saw
        link.token = f"{link.link_kind}:{link.pk}:{link.version}"
    return render(request, "contexts/to_review.html", {"list": listing, "form": form,
                                                       "ticked": set(request.POST.getlist("selected"))},
                  status=listing.status)


def _review_many(request, form):
    """The ticked links the reader may still act on, through the door; one they may not is reported as gone."""
    wanted = form.chosen()
    found = {}
    for kind, model in LINKS.items():
        ids = [pk for k, pk, _ in wanted if k == kind]
        if ids:
            rows = access.visible(request.user, model.objects.filter(pk__in=ids), access.CONTRIBUTE)
            found.update({(kind, link.pk): link for link in rows})
    pairs = [(found[(kind, pk)], version) for kind, pk, version in wanted if (kind, pk) in found]
    data = form.cleaned_data
    done, refused = services.links_review_many(
        actor=request.user, links=pairs, decision=data["decision"], review_by=data["review_by"],
        reliability=data["reliability"], note=data["note"], reason=data["reason"])
    missing = len(wanted) - len(pairs)
    if missing:
        messages.error(request, f"{missing} of the selected links can no longer be found.")
    return done, refused


# --- Place and peer group records ------------------------------------------------------------------------------

@access.signed_in
def record_new(request, kind):
    spec = RECORDS[kind]
    policies.ADD[spec["model"]].ensure(request.user)
    form = spec["form"](request.POST or None, colleagues=_colleagues(request.user))
    return form_page(request, form, template="contexts/record_form.html", context={"noun": spec["noun"]},
                     call=lambda data: services.context_create(actor=request.user, model=spec["model"],
                                                               **form.model_fields()),
                     done=lambda record: f"{record.name} has been recorded.", then=_record_url)


@access.signed_in
def record_edit(request, kind, pk):
    spec = RECORDS[kind]
    record = _record_for(request.user, kind, pk)
    policies.can_change_context.ensure(request.user, record)
    form = spec["form"](request.POST or None, instance=copy.copy(record), colleagues=_colleagues(request.user),
                        initial={"version": record.version})
    return form_page(request, form, template="contexts/record_form.html",
                     context={"noun": spec["noun"], "record": record, "record_url": _record_url(record)},
                     call=lambda data: services.context_update(actor=request.user, record=record,
                                                               expected_version=data["version"],
                                                               **form.model_fields()),
                     done="Changes saved.", then=_record_url(record))


def _record_page(request, kind, record, template, *, share_form, status, **context):
    return sharing.record_page(
        request, template, record, noun=RECORDS[kind]["noun"], url_name=kind, share_form=share_form, status=status,
        can_contribute=policies.can_record_link(request.user, record),
        can_edit=policies.can_change_context(request.user, record), **attachments.page_context(request.user, record),
        **context)


# The long record pages' sections, for their sub-navigation (includes/sub_navigation.html): anchor and name.
PLACE_SECTIONS = [("details", "Details"), ("links", "Linked"), ("incidents", "Incidents"),
                  ("guardians", "Guardians"), ("documents", "Documents"), ("assessments", "Assessments")]
GROUP_SECTIONS = [("details", "Details"), ("members", "Members"), ("places", "Places"), ("documents", "Documents"),
                  ("assessments", "Assessments")]


def _place_page(request, place, *, share_form=None, status=200):
    links, hidden = selectors.place_links(request.user, place)
    return _record_page(request, "place", place, "contexts/place.html", share_form=share_form, status=status,
                        place=place, links=links, hidden=hidden, sections=PLACE_SECTIONS,
                        incidents=selectors.place_incidents(request.user, place),
                        guardians=selectors.guardians_for(request.user, place))


def _group_page(request, group, *, share_form=None, status=200):
    members, hidden_members = selectors.group_members(request.user, group)
    place_links, hidden_places = selectors.group_places(request.user, group)
    return _record_page(request, "peer-group", group, "contexts/peer_group.html", share_form=share_form,
                        status=status, group=group, members=members, place_links=place_links, sections=GROUP_SECTIONS,
                        hidden=hidden_members + hidden_places)


@access.signed_in
def place_detail(request, pk):
    place = selectors.place_for(request.user, pk)
    audit.record_view(request.user, place)
    return _place_page(request, place)


@access.signed_in
def peer_group_detail(request, pk):
    group = selectors.peer_group_for(request.user, pk)
    audit.record_view(request.user, group)
    return _group_page(request, group)


@access.signed_in
@require_POST
def record_share(request, kind, pk):
    record = _record_for(request.user, kind, pk)
    return sharing.share_view(request, record, page=_place_page if kind == "place" else _group_page,
                              then=_record_url(record))


@access.signed_in
@require_POST
def record_unshare(request, kind, pk, agency_pk):
    record = _record_for(request.user, kind, pk)
    return sharing.unshare_view(request, record, agency_pk, then=_record_url(record))


# --- Links: recording, reviewing, ending ---------------------------------------------------------------------

def _link_page(request, form, *, title: str, back: str, call, subject=None):
    """``subject``: the record the link is added to (a young person's page carries the identity bar)."""
    return form_page(request, form, template="contexts/link_form.html",
                     context={"title": title, "back": back, "subject": subject},
                     call=call, done="Link recorded.", then=back)


@access.signed_in
def membership_new(request, pk):
    group = selectors.peer_group_for(request.user, pk)
    policies.can_record_link.ensure(request.user, group)
    form = MembershipForm(request.POST or None, people=_visible_people(request.user))
    return _link_page(request, form, title=f"Add a member to {group.name}", back=_record_url(group),
                      call=lambda data: services.membership_add(
                          actor=request.user, peer_group=group, young_person=data["young_person"], role=data["role"],
                          from_date=data["from_date"], to_date=data["to_date"], **form.evidence()))


@access.signed_in
def association_new(request, pk):
    person = case_selectors.young_person_for(request.user, pk)
    policies.can_record_link.ensure(request.user, person)
    form = AssociationForm(request.POST or None, people=_visible_people(request.user))
    return _link_page(request, form, title=f"Link {person.full_name} to another young person",
                      back=reverse("young-person", args=[person.pk]) + "#contexts", subject=person,
                      call=lambda data: services.association_add(
                          actor=request.user, person=person, other=data["other"], nature=data["nature"],
                          **form.evidence()))


@access.signed_in
def place_link_new(request, pk):
    """From a place's page: link a young person or a peer group to it."""
    place = selectors.place_for(request.user, pk)
    policies.can_record_link.ensure(request.user, place)
    form = PlaceLinkForm(request.POST or None, people=_visible_people(request.user),
                         groups=selectors.peer_groups_list(request.user))
    return _link_page(request, form, title=f"Link someone to {place.name}", back=_record_url(place),
                      call=lambda data: services.place_link_add(
                          actor=request.user, place=place, nature=data["nature"], young_person=data["young_person"],
                          peer_group=data["peer_group"], **form.evidence()))


@access.signed_in
def subject_place_link_new(request, kind, pk):
    """From a young person's or a peer group's page: link them to a place."""
    subject = subjects.get_visible_or_404(request.user, kind, pk)
    form = PlaceLinkForm(request.POST or None,
                         places=access.visible(request.user, Place.objects.all(), access.CONTRIBUTE).order_by("name"))
    return _link_page(request, form, title=f"Link {subject} to a place", back=subjects.of(subject).links_url(subject),
                      subject=subject,
                      call=lambda data: services.place_link_add(
                          actor=request.user, place=data["place"], nature=data["nature"],
                          **subjects.fields(subject), **form.evidence()))


def _link_for(user, kind: str, pk: int):
    """A link the person may see, and whose record they may contribute to (reviewing and ending need both)."""
    model = LINKS.get(kind)
    if model is None:
        raise Http404
    link = access.get_visible_or_404(user, model.objects.all(), pk=pk)
    policies.can_review_link.ensure(user, link)
    return link


def _link_back(link) -> str:
    if isinstance(link, Membership):
        return _record_url(link.peer_group)
    if isinstance(link, Association):
        return reverse("young-person", args=[link.person_id]) + "#contexts"
    return _record_url(link.place)


@access.signed_in
def link_review(request, kind, pk):
    link = _link_for(request.user, kind, pk)
    form = ReviewForm(request.POST or None, initial={"version": link.version, "reliability": link.reliability})
    return form_page(request, form, template="contexts/link_change.html",
                     context={"link": link, "action": "Review", "back": _link_back(link)},
                     call=lambda data: services.link_review(
                         actor=request.user, link=link, expected_version=data["version"],
                         review_by=data["review_by"], reliability=data["reliability"], note=data["note"]),
                     done="Review recorded.",
                     then=request.GET.get("next") == "review" and reverse("to-review") or _link_back(link))


@access.signed_in
def link_end(request, kind, pk):
    link = _link_for(request.user, kind, pk)
    form = EndForm(request.POST or None, initial={"version": link.version})
    return form_page(request, form, template="contexts/link_change.html",
                     context={"link": link, "action": "End", "back": _link_back(link)},
                     call=lambda data: services.link_end(actor=request.user, link=link,
                                                         expected_version=data["version"], reason=data["reason"]),
                     done="Link ended. It stays in the history.", then=_link_back(link))


# --- Guardians -----------------------------------------------------------------------------------------------

@access.signed_in
def guardian_new(request, pk):
    place = selectors.place_for(request.user, pk)
    policies.can_record_link.ensure(request.user, place)
    return form_page(request, GuardianForm(request.POST or None), template="contexts/link_form.html",
                     context={"title": f"Add a guardian at {place.name}", "back": _record_url(place)},
                     call=lambda data: services.guardian_add(actor=request.user, place=place, **data),
                     done="Guardian added.", then=_record_url(place) + "#guardians")


@access.signed_in
def training_new(request, pk):
    guardian = access.get_visible_or_404(request.user, Guardian.objects.select_related("place"), pk=pk)
    policies.can_record_link.ensure(request.user, guardian.place)
    return form_page(request, TrainingForm(request.POST or None), template="contexts/link_form.html",
                     context={"title": f"Training given to {guardian.name}", "back": _record_url(guardian.place)},
                     call=lambda data: services.guardian_training_add(actor=request.user, guardian=guardian, **data),
                     done="Training recorded.", then=_record_url(guardian.place) + "#guardians")


# --- Contexts of a young person, and network pictures ----------------------------------------------------------

@access.signed_in
def person_contexts(request, pk):
    """The young person's groups, places and associations: loaded into their page by htmx."""
    person = case_selectors.young_person_for(request.user, pk)
    template = "contexts/_person_contexts.html" if request.htmx else "contexts/person_contexts.html"
    return render(request, template, {
        "person": person, **selectors.contexts_of_person(request.user, person),
        "can_contribute": policies.can_record_link(request.user, person),
    })


@access.signed_in
def person_network(request, pk):
    person = case_selectors.young_person_for(request.user, pk)
    form, only, steps = _network_filter(request, steps=True)
    nodes, edges, hidden = selectors.network_around_person(request.user, person, steps=steps, only=only)
    audit.record_view(request.user, person, network=True)
    return _network_page(request, form, nodes, edges, hidden, centre=f"yp:{person.pk}", subject=person,
                         title=f"Peer network around {person.full_name}", back=reverse("young-person",
                                                                                       args=[person.pk]))


@access.signed_in
def group_network(request, pk):
    group = selectors.peer_group_for(request.user, pk)
    form, only, _ = _network_filter(request, steps=False)
    nodes, edges, hidden = selectors.network_around_group(request.user, group, only=only)
    audit.record_view(request.user, group, network=True)
    return _network_page(request, form, nodes, edges, hidden, centre=f"group:{group.pk}", subject=group,
                         title=f"Network of {group.name}", back=_record_url(group))


def _show_not_current(request) -> bool:
    """The "Show links not current" switch: links unreviewed long past their review date are left out unless asked."""
    return request.GET.get("all") == "1"


def _network_filter(request, *, steps: bool):
    """The reader's filter of a network picture: it only ever narrows what the access door lets through."""
    form = NetworkFilterForm(request.GET or None, steps=steps)
    chosen = form.chosen()
    only = selectors.LinkFilter(reliability=chosen["reliability"], purpose=chosen["purpose"],
                                months=chosen["months"], include_expired=_show_not_current(request))
    return form, only, chosen["steps"]


def _network_page(request, form, nodes, edges, hidden, *, centre, title, back, subject):
    names = {node.key: node for node in nodes}
    rows = [(names[edge.a], edge, names[edge.b]) for edge in edges]
    svg = network.draw(nodes, edges, centre=centre, title=title, hidden=hidden, natural_size=True)
    switch = request.GET.copy()
    if _show_not_current(request):
        switch.pop("all", None)
    else:
        switch["all"] = "1"
    return render(request, "contexts/network.html", {
        "svg": svg, "rows": rows, "hidden": hidden, "title": title, "back": back, "form": form, "subject": subject,
        "show_all": _show_not_current(request), "switch_query": switch.urlencode(),
        "filtered": any(request.GET.get(name) for name in ("reliability", "purpose", "months")),
        "expires_after": settings.LINK_EXPIRES_AFTER_DAYS})


INCIDENTS_OVER_DAYS = 365  # the incidents layer, unless the reader picks dates
# Each kind of place's mark on the map (and in its key), so kind is told by letters as well as status by colour.
KIND_MARKS = {"street": "St", "park": "Pk", "transport": "Tr", "shop": "Sh", "school": "Sc", "youth": "Y",
              "housing": "H", "online": "On", "other": "?"}


def _marker(place) -> dict:
    return {"id": place.pk, "name": place.name, "kind": place.kind, "kind_label": place.get_kind_display(),
            "mark": KIND_MARKS.get(place.kind, "?"),
            "status": place.status, "status_label": place.get_status_display(), "ward": place.ward,
            "lat": float(place.latitude), "lng": float(place.longitude), "url": reverse("place", args=[place.pk])}


def _incident_markers(tags) -> list[dict]:
    """One marker per place, listing what happened there (kind and date, never who: the link opens the case)."""
    at: dict[int, dict] = {}
    for tag in tags:
        place, entry = tag.place, tag.entry
        marker = at.setdefault(place.pk, {"place": place.name, "lat": float(place.latitude),
                                          "lng": float(place.longitude), "entries": []})
        marker["entries"].append({"kind": entry.get_kind_display(), "date": f"{entry.occurred_at:%-d %B %Y}",
                                  "url": reverse("case", args=[entry.case_id]) + "#chronology"})
    return list(at.values())


@access.signed_in
def places_map(request):
    """Places with a position on a Leaflet map, coloured by status and marked by kind, with the incidents tagged at
    them over a date range; ``?place=<id>`` centres it on one place and opens its popup. Tiles from settings; without
    a tile server, a plain background with a scale and the wards' names. The places list's filters (one FilterSet),
    and the incidents layer's dates."""
    filterset = PlaceMapFilter(request.GET or None, queryset=selectors.places_list(request.user), request=request)
    form = filterset.form
    form.helper = gds_helper(form, "Filter", method="get")
    valid = filterset.is_valid()
    chosen = form.cleaned_data if valid else {}
    today = timezone.localdate()
    until = chosen.get("incidents_to") or today
    since = chosen.get("incidents_from") or until - timedelta(days=INCIDENTS_OVER_DAYS)
    if since > until:
        form.add_error("incidents_to", "Incidents to must be on or after incidents from")
        since = until - timedelta(days=INCIDENTS_OVER_DAYS)
    located = list((filterset.qs if valid else filterset.queryset).filter(latitude__isnull=False)[:500])
    focus = None
    if (pk := param(request, "place", max_length=12)).isdigit():
        focus = selectors.place_for(request.user, int(pk))
        if focus.has_position and focus.pk not in {p.pk for p in located}:
            located.append(focus)
    incidents = _incident_markers(selectors.incidents_on_map(request.user, since=since, until=until))
    return render(request, "contexts/places_map.html", {
        "form": form, "places": located, "markers": [_marker(p) for p in located], "incidents": incidents,
        "incident_count": sum(len(i["entries"]) for i in incidents), "since": since, "until": until,
        "focus": focus, "statuses": ContextStatus.choices,
        "kinds": [(KIND_MARKS[value], label) for value, label in PlaceKind.choices if value != PlaceKind.ONLINE],
        "map_settings": {"tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
                         "centre": settings.MAP_CENTRE, "zoom": settings.MAP_ZOOM,
                         "focus": focus.pk if focus and focus.has_position else None},
    })


@access.signed_in
def entry_place(request, pk):
    """Tag a chronology entry with the place where it happened; it then shows among the place's incidents."""
    entry = access.get_visible_or_404(
        request.user, ChronologyEntry.objects.select_related("case__young_person__owning_agency"), pk=pk)
    back = reverse("case", args=[entry.case_id]) + "#chronology"
    tags = access.visible(request.user, PlaceTag.objects.filter(entry=entry).select_related("place"))
    may_tag = policies.can_tag_entry(request.user, entry)
    if request.method == "POST":
        policies.can_tag_entry.ensure(request.user, entry)
    form = PlaceTagForm(request.POST or None,
                        places=access.visible(request.user, Place.objects.all(), access.CONTRIBUTE).order_by("name"))
    return form_page(request, form, template="contexts/entry_place.html",
                     context={"entry": entry, "tags": tags, "may_tag": may_tag, "back": back},
                     call=lambda data: services.place_tag(actor=request.user, entry=entry, place=data["place"]),
                     done=lambda tag: f"Entry tagged with {tag.place}.", then=back)


# --- Referrals of places and groups, and transfers (the mechanism and its pages: cases.referrals, cases.transfers) ---

@access.signed_in
def referral_new(request):
    """Refer a concern about a place or group: described, or one the referrer can see (``?place=`` or ``?group=``)."""
    case_policies.can_refer.ensure(request.user)
    record = None
    for word, name in (("place", "place"), ("peer-group", "group")):
        pk = param(request, name, max_length=12)
        if pk.isdigit():
            record = _record_for(request.user, word, int(pk))
    form = ContextReferralForm(request.POST or None, user=request.user, record=record)
    noun = str(record) if record else "a place or peer group"
    return frontdoor.referral_form_page(request, form, noun=noun, call=lambda data: services.context_referral_create(
        actor=request.user, record=record, **data))


def referral_accept_options(user, referral, duplicates) -> dict:
    noun = "place" if referral.kind == ContextKind.PLACE else "peer group"
    options = [(f"record:{record.pk}", f"Join {record.name} ({noun} recorded by {record.owning_agency})")
               for record in duplicates]
    if referral.record is not None and referral.record.pk not in {record.pk for record in duplicates}:
        options.insert(0, ("referred", f"Work on the {noun} as {referral.referring_agency} recorded it (it is shared "
                                       "with your agency to contribute)"))
    options.append(("new", f"Open a new {noun} from the referral"))
    return {"options": options, "colleagues": _colleagues(user), "risk": False}


def referral_accept(actor, referral, form):
    what, pk = form.chosen()
    data = form.cleaned_data
    word = "place" if referral.kind == ContextKind.PLACE else "peer-group"
    return services.context_referral_accept(
        actor=actor, referral=referral, expected_version=data["version"],
        record=_record_for(actor, word, pk) if what == "record" else referral.record if what == "referred" else None,
        lead_practitioner=data["lead_practitioner"])


@access.signed_in
def record_transfer(request, kind, pk):
    record = _record_for(request.user, kind, pk)
    return frontdoor.transfer_request_page(request, record, back=_record_url(record))
