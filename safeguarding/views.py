from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import (
    access,
    attachments,
    audit,
    invitations,
    language,
    lists,
    pickers,
    policies,
    scanner,
    selectors,
    services,
    sso,
)
from . import notifications as notifications_list
from .factors import fresh_factor_required
from .forms import (
    AgreementForm,
    AuditSearchForm,
    DocumentForm,
    EmailPreferenceForm,
    InvitationAcceptForm,
    SsoStartForm,
    WebhookForm,
)
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
    body = {"status": "ok" if healthy else "degraded", **checks}
    if request.GET.get("detail") and checks["database"] == "ok" and policies.can_see_service_health(request.user):
        body["detail"] = _detail()
    return JsonResponse(body, status=200 if healthy else 503)


def _detail() -> dict:
    """For administrators only: what does not stop pages being served but needs someone to act. The scanner (uploads
    are refused while it is down) and stored files found missing (restore them from backup; packs rebuild)."""
    return {"scanner": scanner.status(), "missing_files": [
        {"record": f"{m.record_type.app_label}.{m.record_type.model} {m.record_label}", "path": m.path,
         "noticed_at": m.noticed_at.isoformat(), "times_asked": m.times_asked} for m in selectors.missing_files()]}


@access.public
class SignInView(LoginView):
    """django-allauth's sign-in (its form: safeguarding.forms.SignInForm, ACCOUNT_FORMS), then its second-factor
    stage for anyone with a factor; a passkey signs in on its own."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        return context


def _next_url(request) -> str | None:
    """Where to go after signing in: ``?next=`` when it is a page of this service."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if target and allowed else None


@access.public
@never_cache
def sign_in_sso(request):
    """Sign in with your agency's own account (single sign-on, safeguarding.sso): choose the agency, or give a work
    email address to find it, and go to its identity provider.

    Also the step-up of someone already signed in that way (``factors.step_up`` sends them here with ``?next=``):
    they sign in again at their own agency's provider, the only one offered, and come back to the page."""
    step_up = request.user.is_authenticated
    if step_up and not (sso.signed_in_by_sso(request) and _next_url(request)):
        return redirect(settings.LOGIN_REDIRECT_URL)
    providers = sso.providers_for_sign_in()
    providers = list(providers.filter(agency_id=request.user.agency_id) if step_up else providers)
    form = SsoStartForm(request.POST if request.method == "POST" else None, providers=providers, again=step_up,
                        initial={"agency": providers[0].pk} if step_up and providers else None)
    if request.method == "POST" and form.is_valid():
        try:
            return sso.begin(request, form.cleaned_data["provider"], _next_url(request))
        except sso.ProviderUnavailable:
            form.add_error(None, f"{form.cleaned_data['provider'].agency.name}'s sign-in is not answering. Try "
                                 "again in a few minutes, or sign in with your username and password")
    response = render(request, "registration/sso.html", {"form": form, "has_providers": bool(providers),
                                                         "step_up": step_up})
    # The form's answer is a redirect to the agency's provider: the Content-Security-Policy lets forms go there.
    response._csp_update = {"form-action": sorted({sso.origin(p.issuer) for p in providers})}
    return response


@access.public
def sso_callback(request, provider_id):
    """Where an agency's identity provider sends the browser back (the redirect URI its IT team registers):
    allauth's OpenID Connect callback, which asks safeguarding.sso who may come in."""
    return sso.callback(request, provider_id)


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
    listing = lists.list_page(request, selectors.notifications_for(request.user), notifications_list.NOTIFICATIONS)
    unread_only = request.GET.get("show") == "unread"
    return render(request, "safeguarding/notifications.html", {"list": listing, "unread_only": unread_only},
                  status=listing.status)


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


# --- Documents attached to records (safeguarding.attachments) ---------------------------------------------------

@access.signed_in
def document_new(request, kind, pk):
    """Attach a document to a record: the record through the door (404), then its rule for attaching (403)."""
    found = attachments.kind(kind)
    record = access.get_visible_or_404(request.user, found.parent_model._default_manager.all(), pk=pk)
    found.ensure_may_attach(request.user, record)
    form = DocumentForm(request.POST or None, request.FILES or None)
    back = found.url(record)
    return form_page(request, form, template="safeguarding/document_form.html",
                     call=lambda data: services.document_upload(actor=request.user, record=record, upload=data["file"],
                                                                description=data["description"]),
                     done=lambda document: f"{document.name} has been uploaded.", then=back,
                     context={"record": record, "kind": found, "back": back,
                              "max_size": settings.DOCUMENT_MAX_BYTES})


def file_missing(request, record, path: str, *, rebuilding: bool = False):
    """The stored file of a record the person may see is not there: say so plainly (410), and list it for
    administrators (/healthz detail)."""
    services.missing_file_record(actor=request.user, record=record, path=path)
    return render(request, "safeguarding/file_missing.html", {"record": record, "rebuilding": rebuilding},
                  status=410)


@access.signed_in
def document_download(request, kind, pk):
    """The file, to the people who may see its record, audited; never from a public address."""
    document = selectors.document_for(request.user, kind, pk)
    store = attachments.storage()
    try:
        if not store.exists(document.stored_as):
            raise FileNotFoundError(document.stored_as)
        handle = store.open(document.stored_as, "rb")
    except OSError:
        return file_missing(request, document, document.stored_as)
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=document,
                 detail={"record": audit.label_of(getattr(document, document.PARENT)), "sha256": document.sha256})
    response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- An agency's partner systems (webhooks) ----------------------------------------------------------------------

SHOWN_ONCE = "webhook_shown_once"  # the session's one-time slot for a new signing secret: {"pk": ..., "secret": ...}


def _show_secret_once(request, subscription, secret: str):
    request.session[SHOWN_ONCE] = {"pk": subscription.pk, "secret": secret}


@access.signed_in
def webhooks(request):
    policies.can_manage_webhooks.ensure(request.user)
    return render(request, "safeguarding/webhooks.html", {"subscriptions": selectors.webhooks_for(request.user)})


@access.signed_in
def webhook_new(request):
    policies.can_manage_webhooks.ensure(request.user, request.user.agency)
    form = WebhookForm(request.POST or None)

    def connect(data):
        subscription, secret = services.webhook_create(actor=request.user, agency=request.user.agency,
                                                       url=data["url"], events=data["events"],
                                                       description=data["description"])
        _show_secret_once(request, subscription, secret)
        return subscription

    return form_page(request, form, template="includes/form_page.html", call=connect,
                     done="System connected. Copy its signing secret now: it is not shown again.",
                     then=lambda subscription: reverse("webhook", args=[subscription.pk]),
                     context={"title": "Connect a system", "back": reverse("webhooks")})


@access.signed_in
@never_cache
def webhook(request, pk):
    """One connection and its delivery log; a new signing secret, once, just after it was made."""
    subscription = selectors.webhook_for(request.user, pk)
    policies.can_change_webhook.ensure(request.user, subscription)
    shown = request.session.get(SHOWN_ONCE)
    secret = None
    if shown and shown.get("pk") == subscription.pk:
        secret = request.session.pop(SHOWN_ONCE)["secret"]
    page = Paginator(selectors.webhook_deliveries(request.user, subscription), 25).get_page(request.GET.get("page"))
    return render(request, "safeguarding/webhook.html", {"subscription": subscription, "page": page,
                                                         "secret": secret})


@access.signed_in
@require_POST
def webhook_pause(request, pk):
    subscription = selectors.webhook_for(request.user, pk)
    services.webhook_pause(actor=request.user, subscription=subscription)
    messages.success(request, "Paused: the system is told nothing until you resume it.")
    return redirect("webhook", pk=subscription.pk)


@access.signed_in
@require_POST
def webhook_resume(request, pk):
    subscription = selectors.webhook_for(request.user, pk)
    services.webhook_resume(actor=request.user, subscription=subscription)
    messages.success(request, "Resumed: deliveries that were waiting are being sent now.")
    return redirect("webhook", pk=subscription.pk)


@access.signed_in
@require_POST
def webhook_rotate(request, pk):
    subscription = selectors.webhook_for(request.user, pk)
    subscription, secret = services.webhook_rotate_secret(actor=request.user, subscription=subscription)
    _show_secret_once(request, subscription, secret)
    messages.success(request, "New signing secret made. Copy it now: it is not shown again.")
    return redirect("webhook", pk=subscription.pk)


@access.signed_in
@require_POST
def webhook_test(request, pk):
    subscription = selectors.webhook_for(request.user, pk)
    services.webhook_test(actor=request.user, subscription=subscription)
    messages.success(request, "Test event sent. It appears in the delivery log below once it has been tried.")
    return redirect("webhook", pk=subscription.pk)


@access.signed_in
def webhook_delete(request, pk):
    subscription = selectors.webhook_for(request.user, pk)
    policies.can_change_webhook.ensure(request.user, subscription)
    if request.method == "POST":
        services.webhook_delete(actor=request.user, subscription=subscription)
        messages.success(request, "The system is disconnected.")
        return redirect("webhooks")
    return render(request, "safeguarding/webhook_delete.html", {"subscription": subscription})


# --- Information-sharing agreements ------------------------------------------------------------------------------

@access.signed_in
def agreements(request):
    """The agreements the person's agency is party to (every one, for an administrator), in force first."""
    page = Paginator(selectors.agreements_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "safeguarding/agreements.html", {
        "page": page, "can_record": policies.can_record_agreement(request.user)})


@access.signed_in
def agreement_detail(request, pk):
    agreement = selectors.agreement_for(request.user, pk)
    return render(request, "safeguarding/agreement.html", {
        "agreement": agreement, "can_record": policies.can_record_agreement(request.user)})


_AGREEMENT_DATA = ("title", "reference", "starts_on", "ends_on", "review_on", "summary")


@access.signed_in
def agreement_new(request):
    policies.can_record_agreement.ensure(request.user)
    form = AgreementForm(request.POST or None)
    return form_page(request, form, template="includes/form_page.html",
                     call=lambda data: services.agreement_create(
                         actor=request.user, parties=data["parties"], **{k: data[k] for k in _AGREEMENT_DATA}),
                     done=lambda agreement: f"{agreement} recorded.",
                     then=lambda agreement: reverse("agreement", args=[agreement.pk]),
                     context={"title": "Record an information-sharing agreement", "back": reverse("agreements")})


@access.signed_in
def agreement_edit(request, pk):
    agreement = selectors.agreement_for(request.user, pk)
    policies.can_record_agreement.ensure(request.user)
    initial = {**{k: getattr(agreement, k) for k in _AGREEMENT_DATA}, "version": agreement.version,
               "parties": list(agreement.parties.all())}
    form = AgreementForm(request.POST or None, initial=initial)
    return form_page(request, form, template="includes/form_page.html",
                     call=lambda data: services.agreement_update(
                         actor=request.user, agreement=agreement, expected_version=data["version"] or 0,
                         parties=data["parties"], **{k: data[k] for k in _AGREEMENT_DATA}),
                     done=lambda saved: f"{saved} saved.", then=reverse("agreement", args=[pk]),
                     context={"title": f"Change {agreement}", "back": reverse("agreement", args=[pk])})
