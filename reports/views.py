from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding import access, audit, routers
from safeguarding.factors import fresh_factor_required, step_up
from safeguarding.models import AuditAction

from . import policies, selectors, services
from .forms import ExportForm, PeriodForm
from .models import ExportStatus, ReportExport


def from_replica(view):
    """The figures pages read on the replica when one is configured and up to date (safeguarding/routers.py), so a
    manager's counts over a million records never compete with practitioners' pages on the primary, and with the
    door's conditions shaped for counting whole tables (``access.scanning``)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with routers.replica_reads(), access.scanning():
            return view(request, *args, **kwargs)
    return wrapped


def _link(figure, period) -> str:
    from django.urls import reverse

    return f"{reverse('reports-list')}?{urlencode(figure.link_params(period))}"


@access.signed_in
@from_replica
def dashboard(request):
    policies.can_see_reports.ensure(request.user)
    form = PeriodForm(request.GET or None)
    period = form.chosen()
    names = selectors.names_allowed(request.user)
    tables = selectors.dashboard(request.user, period)
    selectors.protect(tables, hide=not names)
    for rows in tables.values():
        for row in rows:
            for figure in row.figures if isinstance(row, selectors.ActionRow) else (row,):
                figure.url = _link(figure, period) if names and figure.count else ""
    return render(request, "reports/dashboard.html", {
        "form": form, "period": period, "tables": tables, "names": names,
        "titles": selectors.TABLE_TITLES, "threshold": settings.REPORTS_SUPPRESS_BELOW})




@access.signed_in
def drilldown(request):
    policies.can_see_names.ensure(request.user)
    name = request.GET.get("list", "")
    if name not in selectors.LISTS:
        raise Http404
    kind = selectors.LISTS[name]
    params = selectors.list_params(request.GET)
    period = selectors.period_from_params(request.GET)
    rows = selectors.drilldown(request.user, name, params, period)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    # One event for the list, not one per record: who looked at which figure's records, with which filters.
    audit.record(actor=request.user, action=AuditAction.SEARCH,
                 detail={"report_list": name, **params, **period.params()})
    query = urlencode({"list": name, **params, **period.params()})
    return render(request, "reports/list.html", {
        "kind": kind, "name": name, "page": page, "period": period, "query": query,
        "rows": [(_record_link(name, record), [cell(record) for _, cell in kind.columns]) for record in page]})


def _record_link(name, record) -> str:
    from django.urls import reverse

    match name:
        case "cases":
            return reverse("case", args=[record.pk])
        case "places":
            return reverse("place", args=[record.pk])
        case "peer-groups":
            return reverse("peer-group", args=[record.pk])
        case "assessments":
            return reverse("assessment", args=[record.pk])
        case "annex-a-missing":
            return reverse("missing-episode", args=[record.pk])
    return ""


@access.signed_in
def exports(request):
    policies.can_see_reports.ensure(request.user)
    mine = access.visible(request.user, ReportExport.objects.all())[:50]
    waiting = any(e.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for e in mine)
    return render(request, "reports/exports.html", {"exports": mine, "waiting": waiting,
                                                    "days": settings.REPORTS_EXPORT_DAYS})


@access.signed_in
@require_POST
@fresh_factor_required
def export_create(request):
    form = ExportForm(request.POST)
    what = request.POST.get("what", "dashboard")
    if not form.is_valid():
        policies.can_export.ensure(request.user, what)
        return redirect("reports")
    services.export_request(actor=request.user, what=what, params=request.POST, fmt=form.cleaned_data["format"])
    return redirect("reports-exports")


@access.signed_in
def export_download(request, pk):
    export = access.get_visible_or_404(request.user, ReportExport.objects.all(), pk=pk)
    policies.can_see_reports.ensure(request.user)
    if (confirm := step_up(request)) is not None:  # after the door: not visible is 404, whoever asks
        return confirm
    if export.status != ExportStatus.READY or not export.file:
        raise Http404
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=export,
                 detail={"report": export.what, "filters": export.filters, "format": export.format})
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)


@access.signed_in
@from_replica
def disproportionality(request):
    """Who gets a welfare response and who an enforcement one, by ethnicity, sex and age band (selectors)."""
    policies.can_see_reports.ensure(request.user)
    measure = request.GET.get("measure")
    if measure not in selectors.MEASURE_KEYS:
        measure = selectors.WELFARE
    references = {key: request.GET.get(f"ref_{key}", "") for key, _title in selectors.DIMENSIONS}
    chosen = request.GET.get("period")
    if chosen not in selectors.PERIODS:
        chosen = "all"
    make = selectors.PERIODS[chosen][1]
    period = make() if make else None
    tables = selectors.disproportionality(request.user, measure, references, period=period)
    return render(request, "reports/disproportionality.html", {
        "tables": tables, "measure": measure, "measures": selectors.MEASURES,
        "periods": [(key, label) for key, (label, _make) in selectors.PERIODS.items()], "chosen": chosen,
        "period": period,
        "measure_label": {key: label for key, label, _what in selectors.MEASURES}[measure],
        "not_recorded": selectors.NOT_RECORDED, "threshold": settings.REPORTS_SUPPRESS_BELOW})


@access.signed_in
@from_replica
def outcomes(request):
    """Risk at opening against the level now (or at closing), as a table and an SVG chart of the same figures."""
    from django.utils.safestring import mark_safe

    from .charts import paired_bars

    policies.can_see_reports.ensure(request.user)
    hide = not selectors.names_allowed(request.user)
    rows = selectors.risk_movement(request.user)
    for row in rows:
        row.shown = [selectors.suppress(getattr(row, f), hide=hide)
                     for f in ("opened", "now", "lower", "same", "higher")]
    threshold = settings.REPORTS_SUPPRESS_BELOW

    def plotted(field):
        return [None if hide and 0 < getattr(row, field) < threshold else getattr(row, field) for row in rows]

    chart = paired_bars([row.label for row in rows], [("At opening", plotted("opened")),
                                                      ("Now, or at closing", plotted("now"))],
                        title="Cases by risk level at opening and now", empty=f"fewer than {threshold}")

    domains = selectors.context_domain_change(request.user)
    for row in domains:
        small = hide and 0 < row.contexts < threshold  # a mean of so few is as telling as the scores
        row.shown = [selectors.suppress(getattr(row, f), hide=hide) for f in ("contexts", "safer", "same",
                                                                               "less_safe")]
        row.means = [None, None] if small else [row.first_mean, row.latest_mean]
    domain_chart = paired_bars(
        [f"{i}" for i, _row in enumerate(domains, 1)],
        [("First assessment", [row.means[0] for row in domains]), ("Latest", [row.means[1] for row in domains])],
        title="Mean domain score of reassessed places and groups, first and latest (0 serious concern, 100 safe)",
        empty="suppressed")
    goals, actions = selectors.goals_by_status(request.user), selectors.actions_completed(request.user)
    selectors.protect({"goals": goals, "actions_completed": actions}, hide=hide)

    def bars(figures, title):  # numbered bars; the table beside it names each number
        shown = [f.shown if isinstance(f.shown, int) else None for f in figures]
        return mark_safe(paired_bars([str(i) for i in range(1, len(figures) + 1)], [(title, shown)],  # noqa: S308
                                     title=title, empty="suppressed"))  # the chart escapes what it draws

    return render(request, "reports/outcomes.html", {
        "rows": rows, "chart": mark_safe(chart), "names": not hide, "threshold": threshold,  # noqa: S308
        "domains": domains, "domain_chart": mark_safe(domain_chart) if domains else "",  # noqa: S308
        "goals": goals, "goals_chart": bars(goals, "Safety goals for places and groups"),
        "actions": actions, "actions_chart": bars(actions, "Panel actions")})


@access.signed_in
@from_replica
def returns_page(request):
    """The Children in Need census factors extract: what it holds, what the data cannot supply yet, the counts, and
    the child-level file for whoever may see names."""
    from . import returns

    policies.can_see_reports.ensure(request.user)
    form = PeriodForm(request.GET or None)
    period = form.chosen()
    names = selectors.names_allowed(request.user)
    figures = selectors.census_factors(request.user, period)
    missing = selectors.missing_figures(request.user, period)
    selectors.protect({"census": figures, "missing": missing}, hide=not names)
    for first in (figures[0], missing[0]):
        if names and first.count:
            first.url = _link(first, period)
    return render(request, "reports/returns.html", {
        "form": form, "period": period, "names": names, "figures": figures, "factors": returns.FACTORS,
        "recorded": returns.RECORDED, "missing": missing, "gaps": returns.GAPS,
        "threshold": settings.REPORTS_SUPPRESS_BELOW})
