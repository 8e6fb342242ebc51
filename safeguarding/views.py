from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import access, audit, invitations, language, pickers, policies, selectors, services
from .factors import fresh_factor_required
from .forms import AuditSearchForm, EmailPreferenceForm, InvitationAcceptForm
from .inputs import param
from .models import AuditAction
from .pages import form_page

# Once every migration is applied, a running process's code cannot gain a new one: the check is made until it passes.
_all_migrations_applied = False


def _migrations_check() -> str:
    global _all_migrations_applied
    if not _all_migrations_applied:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if unapplied:
            return f"error: {len(unapplied)} unapplied (run manage.py migrate)"
        _all_migrations_applied = True
    return "ok"


def _static_check() -> str:
    """Every page links the stylesheet: without its entry in the static manifest, every page is a 500."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        staticfiles_storage.url("dist/app.css")
    except ValueError:
        return "error: no static manifest entry for dist/app.css (run manage.py collectstatic)"
    return "ok"


@access.public
@never_cache
def healthz(request):
    """Whether pages can be served: database and broker reachable, migrations applied, static files collected.
    For load balancers and orchestration; cheap (no query once migrations are found applied), no personal data."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    if checks["database"] == "ok":
        try:
            checks["migrations"] = _migrations_check()
        except Exception as exc:  # noqa: BLE001
            checks["migrations"] = f"error: {type(exc).__name__}"
    else:
        checks["migrations"] = "unknown: no database"
    checks["static"] = _static_check()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


@access.public
class SignInView(LoginView):
    """django-allauth's sign-in (its form: safeguarding.forms.SignInForm, ACCOUNT_FORMS), then its second-factor
    stage for anyone with a factor; a passkey signs in on its own."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        return context


@access.public
@never_cache
def invitation_accept(request, uidb36, token):
    """The link in an invitation: choose a password, then sign in and set up a second factor. A link that is
    unknown, used or expired says so, and names no one."""
    person = invitations.person_for(uidb36, token)
    if person is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(actor=person, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, "Your password is set. Sign in with it to set up your second factor.")
            return redirect("login")
    return render(request, "registration/invitation_accept.html", {"form": form, "person": person})


@access.public
@require_POST
def sign_out(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@access.signed_in
@fresh_factor_required
def audit_search(request):
    policies.can_search_audit.ensure(request.user)
    form = AuditSearchForm(request.GET or None)
    events = selectors.audit_events_for(request.user)
    if form.is_valid():
        events = form.filter(events)
        # Looking at who saw what is itself an access to personal data.
        audit.record(actor=request.user, action=AuditAction.SEARCH,
                     detail={"audit_log": True, **{k: str(v) for k, v in form.cleaned_data.items() if v}})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "safeguarding/audit_search.html", {"form": form, "page": page})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def forbidden(request, exception=None):
    """Refused by a rule: the rule's reason, when it gave one (the record is visible, so saying why leaks nothing)."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


@access.signed_in
@require_POST
def language_check(request):
    """Prompts about victim-blaming or adultifying words in the text being written (htmx; never blocks)."""
    text = request.POST.get(request.POST.get("field", "text"), "")[:20000]
    return render(request, "includes/language_prompt.html", {"findings": language.check(text)})


# --- Notifications -----------------------------------------------------------------------------------------------

@access.signed_in
def notifications(request):
    """The person's notifications, newest first; ``?show=unread`` for those not yet opened."""
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.notifications_for(request.user, unread_only=unread_only), 25).get_page(
        request.GET.get("page"))
    return render(request, "safeguarding/notifications.html", {"page": page, "unread_only": unread_only})


@access.signed_in
@never_cache
def notifications_count(request):
    """The header's count of unread notifications (htmx, on load: no page pays a query for it)."""
    return render(request, "safeguarding/_notifications_count.html",
                  {"unread": selectors.unread_count(request.user), "current": request.GET.get("current") == "1"})


@access.signed_in
@require_POST
def notification_open(request, pk):
    """Open a notification: it is read, and the person goes where it points (within the service only)."""
    notification = selectors.notification_for(request.user, pk)
    services.notification_read(actor=request.user, notification=notification)
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect("notifications")


@access.signed_in
@require_POST
def notifications_read_all(request):
    marked = services.notifications_read_all(actor=request.user)
    messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked as read.")
    return redirect("notifications")


@access.signed_in
def notification_preference(request):
    form = EmailPreferenceForm(request.POST or None, initial={"preference": request.user.email_notifications})
    return form_page(request, form, template="includes/form_page.html",
                     call=lambda data: services.notification_preference_set(actor=request.user,
                                                                            preference=data["preference"]),
                     done="Your email preference has been saved.", then=reverse("notifications"),
                     context={"title": "Emails about your notifications", "back": reverse("notifications")})


@access.signed_in
def find(request, kind):
    """What a picker's type-ahead asks as the person types: the records of ``kind`` matching ``q`` that they may
    see (through the access door), at most ``pickers.LIMIT``, narrowed to the agencies given as ``agency``."""
    try:
        finder = pickers.get(kind)
    except KeyError:
        raise Http404 from None
    text = param(request, "q", max_length=pickers.QUERY_MAX)
    agencies = [pk for pk in map(pickers.record_id, request.GET.getlist("agency")[:pickers.AGENCIES_MAX])
                if pk is not None]
    found = finder.find(request.user, text, agencies=agencies)
    if found.text:
        pickers.record_search(request.user, finder, found, through="type-ahead")
    response = JsonResponse({"results": [{"id": m.pk, "label": m.label, "hint": m.hint} for m in found.matches],
                             "more": found.more})
    response["Cache-Control"] = "no-store"
    return response
