"""Every read of young people, cases and chronologies that depends on who is asking."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent

from . import referrals, transfers
from .models import (
    Case,
    CaseStatus,
    ChronologyEntry,
    MissingEpisode,
    NrmReferral,
    Referral,
    TransferStatus,
    VoiceEntry,
    YoungPerson,
    YoungPersonReferral,
)

SEARCH_LIMIT = 50


def name_matches(people, text: str):
    """``people`` whose names or aliases match ``text`` (spelling need not be exact), each with its ``similarity``.

    Both conditions are ones the trigram GIN index on ``search_text`` answers, so a search reads its candidates, not
    every young person: word similarity through ``%>`` (at or above ``pg_trgm.word_similarity_threshold``, 0.4 as set
    on every connection in settings: "Jayden" finds "Jaden", "Mohammed" finds "Muhammad"), and the words as they are
    typed through ``LIKE`` (``search_text`` is held in lower case). Written as ``word_similarity(...) >= 0.4 OR
    ILIKE`` they were the same rows read by a scan of every young person the reader may see."""
    text = " ".join(text.lower().split())
    if not text:
        return people
    return (people.filter(Q(search_text__trigram_word_similar=text) | Q(search_text__contains=text))
            .annotate(similarity=TrigramWordSimilarity(text, "search_text")))


def young_people_search(user, *, text: str = "", date_of_birth=None):
    """The best ``SEARCH_LIMIT`` matches of a name and a date of birth (possible duplicates, a referral's matches)."""
    people = access.visible(user, YoungPerson.objects.all())
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if " ".join(text.split()):
        people = name_matches(people, text).order_by("-similarity", "last_name", "first_name")
    return people.annotate(open_cases=_open_cases_seen(user))[:SEARCH_LIMIT]


def young_people_found(user):
    """The young people ``user`` may see, for the search page (``cases.filters.YoungPeopleFilter`` narrows them to a
    name or date of birth, never wider), each with how many open cases the reader may see, and a ``similarity`` of
    0 until a name is searched for (the best-match sort reads it)."""
    return access.visible(user, YoungPerson.objects.annotate(similarity=Value(0.0), open_cases=_open_cases_seen(user)))


def open_case_q(user, *, held_by_my_agency: bool = False) -> Q:
    """Young people with an open case ``user`` may see (held by their agency, if asked)."""
    cases = Case.objects.filter(young_person=OuterRef("pk"), status=CaseStatus.OPEN)
    if held_by_my_agency:
        cases = cases.filter(owning_agency_id=user.agency_id)
    return Q(Exists(access.visible(user, cases)))


def _open_cases_seen(user):
    """How many of a young person's open cases ``user`` may see: a count through the door, never of every case (a
    partner shown one of two cases must read "1")."""
    seen = access.visible(user, Case.objects.filter(young_person=OuterRef("pk"), status=CaseStatus.OPEN))
    return Coalesce(Subquery(seen.order_by().values("young_person").annotate(n=Count("pk")).values("n")), 0)


def possible_duplicates(user, *, first_name: str, last_name: str, date_of_birth):
    """Visible people who may be the one about to be created: same birthday and a similar name."""
    return young_people_search(user, text=f"{first_name} {last_name}", date_of_birth=date_of_birth)


def young_person_for(user, pk: int) -> YoungPerson:
    return access.get_visible_or_404(
        user, YoungPerson.objects.select_related("owning_agency").prefetch_related("trusted_adults"), pk=pk
    )


def voice_entries_for(user, person: YoungPerson):
    return person.voice_entries.select_related("recorded_by", "agency")


def recent_voice(user, person: YoungPerson, *, limit: int, within_days: int) -> list[VoiceEntry]:
    """The young person's most recent own words said within ``within_days``, newest first, through the door (a panel
    pack asks as the agency it is for)."""
    since = timezone.localdate() - timedelta(days=within_days)
    entries = VoiceEntry.objects.filter(young_person=person, said_on__gte=since).select_related("agency")
    return list(access.visible(user, entries).order_by("-said_on", "-recorded_at")[:limit])


def cases_of(user, person: YoungPerson):
    return access.visible(user, person.cases.select_related("owning_agency", "lead_practitioner"))


def case_for(user, pk: int) -> Case:
    return access.get_visible_or_404(
        user, Case.objects.select_related("young_person__owning_agency", "owning_agency", "lead_practitioner"), pk=pk
    )


def cases_list(user, *, status: str = "", risk_level: str = "", harm_type: str = "", mine: bool = False):
    """The cases ``user`` may see, newest first, without their related rows: slice it, then ``joined``."""
    cases = access.visible(user, Case.objects.all())
    if status:
        cases = cases.filter(status=status)
    if risk_level:
        cases = cases.filter(risk_level=risk_level)
    if harm_type:
        cases = cases.filter(harm_types__contains=[harm_type])
    if mine:
        cases = cases.filter(lead_practitioner=user)
    return cases.order_by("-opened_on", "-id")


def joined(cases):
    """A slice of cases with each one's young person, agency and lead practitioner, in one query that picks the
    slice's ids first and joins only those rows. PostgreSQL does not push a LIMIT below joins: joined first, a lead
    authority's first page read the person of every visible case (at 1M young people 11 ms, against 3.6 ms)."""
    return (Case.objects.filter(pk__in=cases.values("pk"))
            .select_related("young_person", "owning_agency", "lead_practitioner").order_by(*cases.query.order_by))


def cases_paginator(user, per_page: int = 25, **filters) -> Paginator:
    """The case list in pages. Unfiltered, its total is counted on the agency's grants alone (fast at scale)."""
    paginator = Paginator(cases_list(user, **filters), per_page)
    if not any(filters.values()):
        paginator.count = access.visible_count(user, Case)
    return paginator


def cases_page(user, number, **filters):
    """Page ``number`` (as given in the address: anything unusable gives the first or last page) of the list."""
    page = cases_paginator(user, **filters).get_page(number)
    page.object_list = joined(page.object_list)
    return page


def chronology_for(user, case: Case):
    entries = ChronologyEntry.objects.filter(case=case).select_related("author", "agency")
    return access.visible(user, entries).prefetch_related("restricted_to")


SUMMARY_LIMIT = 2000  # entries in one printed chronology; a longer one is narrowed by its filters


def chronology_printed(user, case: Case, *, kinds=(), date_from=None, date_to=None):
    """The chronology a printed case summary holds, oldest first: what the reader may see of it (restricted entries
    only for the people named), narrowed to ``kinds`` and the dates given, at most ``SUMMARY_LIMIT`` + 1 rows (the
    extra one says there are more)."""
    entries = chronology_for(user, case)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(occurred_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        entries = entries.filter(occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz))
    return list(entries.order_by("occurred_at", "id")[:SUMMARY_LIMIT + 1])


def missing_episodes_for(user, case: Case):
    """The case's missing episodes, newest first, each with its return home interview (one query)."""
    episodes = MissingEpisode.objects.filter(case=case).select_related("return_interview__conducted_by")
    return access.visible(user, episodes)


def nrm_referrals_for(user, case: Case):
    return access.visible(user, NrmReferral.objects.filter(case=case))


def _with_case_levels(record):
    """A record that inherits its case's visibility comes with what the reader may do to it, read in the same query:
    the same levels hold for its case, so the policies asking about the case cost nothing more."""
    if "_access_levels" in record.__dict__:
        record.case._access_levels = record._access_levels
    return record


def episode_for(user, pk: int) -> MissingEpisode:
    return _with_case_levels(access.get_visible_or_404(user, MissingEpisode.objects.select_related(
        "case__young_person__owning_agency", "case__owning_agency", "recorded_by", "agency",
        "return_interview__conducted_by", "return_interview__recorded_by", "return_interview__agency"), pk=pk))


def nrm_referral_for(user, pk: int) -> NrmReferral:
    return _with_case_levels(access.get_visible_or_404(user, NrmReferral.objects.select_related(
        "case__young_person__owning_agency", "case__owning_agency", "recorded_by", "agency"), pk=pk))


def recently_viewed(user, limit: int = 8):
    """The young people this person last opened, from the audit log, and only those they may still see."""
    yp_type = ContentType.objects.get_for_model(YoungPerson)
    recent_ids = (
        AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW, target_type=yp_type)
        .order_by("-occurred_at")
        .values_list("target_id", flat=True)[:100]
    )
    ordered = list(dict.fromkeys(int(pk) for pk in recent_ids))[:limit]
    people = access.visible(user, YoungPerson.objects.all()).in_bulk(ordered)
    return [people[pk] for pk in ordered if pk in people]


# --- The front door and transfers ---------------------------------------------------------------------------------

def _referrals(user, kind, **filters):
    rows = kind.model.objects.filter(**filters).select_related("referring_agency", "referred_by", "to_agency")
    return access.visible(user, rows)


def _clocked(rows):
    """With ``in_time``: False while a referral waits past its decide-by date (``Referral.is_overdue``), so sorting by
    it, then the date, puts the overdue first."""
    return rows.annotate(in_time=ExpressionWrapper(~Referral.overdue(), output_field=BooleanField()))


def front_door(user, *, open_only: bool = True) -> dict:
    """Referrals to the user's agency, by kind (a query each when read): the open ones (or all), waiting first, the
    oldest clock first."""
    status = {"status__in": Referral.OPEN} if open_only else {}
    return {kind: _clocked(_referrals(user, kind, to_agency_id=user.agency_id, **status)).order_by(
        "-status", "decide_by", "referred_at", "id") for kind in referrals.KINDS.values()}


def agency_referrals(user) -> dict:
    """What the user's agency has referred, newest first, by kind (a query each when read)."""
    return {kind: _clocked(_referrals(user, kind, referring_agency_id=user.agency_id)).order_by("-referred_at", "-id")
            for kind in referrals.KINDS.values()}


def referral_for(user, word: str, pk: int):
    kind = referrals.KINDS.get(word)
    if kind is None:
        raise Http404
    records = [f.name for f in kind.model._meta.fields if f.name in ("case", "place", "peer_group")]
    rows = kind.model.objects.select_related("referring_agency", "referred_by", "to_agency", "routed_to",
                                             "decided_by", "agreement", *records)
    return access.get_visible_or_404(user, rows, pk=pk)


def referral_duplicates(user, referral: YoungPersonReferral) -> list:
    """Young people the triager can see who may be the one referred: a similar name and the same birthday."""
    return list(young_people_search(user, text=f"{referral.first_name} {referral.last_name}",
                                    date_of_birth=referral.date_of_birth)[:10])


def transfers_incoming(user) -> list:
    """Transfers asked of the user's agency, waiting for an answer (one query per kind)."""
    return [t for model in transfers.KINDS.values() for t in access.visible(user, model.objects.filter(
        to_agency_id=user.agency_id, status=TransferStatus.ASKED).select_related("from_agency", "asked_by"))]


def transfers_outgoing(user) -> list:
    """Transfers the user's agency asked for, a queryset a kind (``merged_list_page`` filters, sorts and pages them)."""
    return [access.visible(user, model.objects.filter(from_agency_id=user.agency_id).select_related(
        "to_agency", "asked_by")) for model in transfers.KINDS.values()]


def transfer_for(user, word: str, pk: int):
    model = transfers.KINDS.get(word)
    if model is None:
        raise Http404
    records = [f.name for f in model._meta.fields if f.name in ("case", "place", "peer_group")]
    return access.get_visible_or_404(user, model.objects.select_related(
        "from_agency", "to_agency", "asked_by", "decided_by", "agreement", *records), pk=pk)


# --- The partner API (cases/api.py): lists a cursor pages by id, with what each row shows read in the same query ------

def young_people_api(user):
    return access.visible(user, YoungPerson.objects.select_related("owning_agency"))


def young_person_api_for(user, pk: int) -> YoungPerson:
    return access.get_visible_or_404(user, YoungPerson.objects.select_related("owning_agency"), pk=pk)


def cases_api(user):
    return access.visible(user, Case.objects.select_related("owning_agency", "lead_practitioner"))


def chronology_api(user):
    return access.visible(user, ChronologyEntry.objects.select_related("author", "agency"))


def chronology_entry_for(user, pk: int) -> ChronologyEntry:
    return access.get_visible_or_404(user, ChronologyEntry.objects.select_related("author", "agency"), pk=pk)


def referrals_api(user):
    return _referrals(user, referrals.KINDS[YoungPersonReferral.kind_word])


# --- The dashboard's sections (cases.dashboard) -------------------------------------------------------------------

def my_cases_by_review(user):
    """The open cases ``user`` leads, the next review soonest first (so overdue first), those with none set last."""
    return cases_list(user, status=CaseStatus.OPEN, mine=True).order_by(
        F("next_review_on").asc(nulls_last=True), "id")


def team_overdue_reviews(user):
    """Open cases led by a member of ``user``'s team whose review date has passed, the longest overdue first."""
    if not user.team_id:
        return Case.objects.none()
    return cases_list(user, status=CaseStatus.OPEN).filter(Case.past_review(), lead_practitioner__team_id=user.team_id
                                                           ).order_by("next_review_on", "id")


def team_open_cases(user):
    """The open cases led by a member of ``user``'s team that ``user`` may see."""
    if not user.team_id:
        return Case.objects.none()
    return cases_list(user, status=CaseStatus.OPEN).filter(lead_practitioner__team_id=user.team_id)


def team_caseload(user):
    """Each active member of ``user``'s team with how many open cases they lead and how many of those are past their
    review date, counted through the door: the most overdue first. One query, however large the team or its work."""
    from safeguarding.models import User

    if not user.team_id:
        return User.objects.none()
    led = Case.objects.filter(lead_practitioner=OuterRef("pk"), status=CaseStatus.OPEN)
    return (User.objects.filter(team_id=user.team_id, is_active=True)
            .annotate(open_cases=access.count_visible(user, led, "lead_practitioner"),
                      overdue_reviews=access.count_visible(
                          user, led.filter(Case.past_review()), "lead_practitioner"))
            .order_by("-overdue_reviews", "-open_cases", "last_name", "first_name", "id"))


def front_door_waiting(user, limit: int) -> list:
    """The referrals waiting at ``user``'s agency that should be decided soonest (so overdue first), across kinds:
    one query a kind."""
    rows = [r for kind in referrals.KINDS.values() for r in _referrals(
        user, kind, to_agency_id=user.agency_id, status__in=Referral.OPEN).order_by("decide_by", "referred_at", "id")[
        :limit]]
    return sorted(rows, key=lambda r: (r.decide_by, r.referred_at))[:limit]


def front_door_count(user) -> int:
    """How many referrals wait at ``user``'s agency, of every kind: one query a kind."""
    return sum(_referrals(user, kind, to_agency_id=user.agency_id, status__in=Referral.OPEN).count()
               for kind in referrals.KINDS.values())
