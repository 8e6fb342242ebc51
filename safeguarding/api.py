"""The partner API's shared machinery (Django REST framework): who is calling, what they may ask, and how answers look.

Each app's ``api.py`` declares its resources on ``RecordViewSet`` over its own selectors, services and policies; this
module holds what they all share, and imports no app.

- **Clients** (``ApiClient``): a registered partner system of one agency, calling with ``Authorization: Bearer
  <key_id>.<secret>``. The client acts through its own non-interactive account, so ``safeguarding.access``, the
  policies, the services and the audit log see an ordinary member of the agency: an invisible record is 404, a refused
  action 403, and every audit row of the call names the client (``Origin.api_client``).
- **Scopes**: per resource, ``read`` or ``write`` (which includes read). A resource the client holds no scope for is
  403 before any record is read (the same answer for every id).
- **Errors** are ``application/problem+json`` (RFC 9457): ``title``, ``status``, ``detail``, and ``errors`` (a map
  of field to messages) when the request's fields were refused.
- **Versions**: a record's ``ETag`` is its version; an update needs ``If-Match`` (428 without it), and a stale one is
  412 with nothing written.
- **Creates** accept an ``Idempotency-Key``: the same key again answers as the first time and creates nothing.
- **Pages** are cursor pages (newest first); a **throttle** counts each client's calls in Redis.
"""

import hashlib
import json
from datetime import UTC, timedelta
from http import HTTPStatus

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler

from . import audit, inputs
from .lawful import MISSING, Article6, Article9, Basis, Told
from .models import AuditAction, IdempotencyKey, InformationSharingAgreement
from .versioning import EditConflict

PROBLEM = "application/problem+json"


class ClientCredentialScheme(OpenApiAuthenticationExtension):
    """How the schema describes a client's credential."""

    target_class = "safeguarding.apiclients.ClientAuthentication"
    name = "clientCredential"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "<key id>.<secret>",
                "description": "The credential an administrator registered for your system (shown once)."}


# --- Errors as problem+json ---------------------------------------------------------------------------------------

class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The record has changed since you read it (its ETag is not the one in If-Match): read it again."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the record's ETag, so a change made meanwhile is not overwritten."
    default_code = "precondition_required"


class Refused(exceptions.APIException):
    """What the record's state does not allow now (``policy.must``): a closed case, an answered request."""

    status_code = 409
    default_detail = "The record's state does not allow this now."
    default_code = "conflict"


class KeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was used for a different request."
    default_code = "idempotency_key_reused"


def _field_map(data) -> dict:
    """DRF's nested error detail as {field: [messages]} ("non_field_errors" for the request as a whole)."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if isinstance(value, dict):
                for sub, messages in _field_map(value).items():
                    out[f"{key}.{sub}"] = messages
            else:
                out[str(key)] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return out
    return {"non_field_errors": [str(m) for m in (data if isinstance(data, list) else [data])]}


def problem_handler(exc, context):
    """Every refusal as ``application/problem+json``: Django's own exceptions (a selector's 404, a policy's refusal,
    a service's validation, an edit conflict) mapped to their status, then DRF's."""
    if isinstance(exc, EditConflict):
        exc = PreconditionFailed()
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError({field: [str(m) for m in errors] for field, errors in
                                              exc.message_dict.items()})
        else:
            exc = Refused(" ".join(exc.messages))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "Some of what was sent was refused: see errors."
        body["errors"] = _field_map(response.data)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        body["detail"] = str(detail)
    response.data = body
    response.content_type = PROBLEM
    return response


class ProblemSerializer(serializers.Serializer):
    """How every error answers (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


# --- Versions: ETag and If-Match ----------------------------------------------------------------------------------

def etag(record) -> str:
    return f'"{record.version}"'


def if_match(request, record) -> int:
    """The version the client last read, from ``If-Match``: 428 without it, 412 if it is not the record's now.
    The service then saves only if the row is still at that version (``versioning.lock_current``)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if "*" not in tags and etag(record) not in tags:
        raise PreconditionFailed()
    return record.version


def lock_at(record, expected_version: int):
    """Lock ``record``'s row for this transaction; 412 if it has moved past ``expected_version`` (for a service that
    appends to a record, changing its state, without taking a version itself)."""
    current = type(record)._default_manager.select_for_update().only("version").get(pk=record.pk)
    if current.version != expected_version:
        raise PreconditionFailed()


# --- Idempotent creates -------------------------------------------------------------------------------------------

def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def create_once(request, create) -> Response:
    """Run ``create()`` (which returns the 201 response) once per ``Idempotency-Key``.

    The key's row is inserted in the create's own transaction: a second request with the key waits on the unique
    index until the first commits, then answers what the first answered; a create that fails leaves no key.
    """
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return create()
    if len(key) > 200 or inputs.text_problem(key, multiline=False):
        raise exceptions.ValidationError({"Idempotency-Key": ["Send at most 200 printable characters."]})
    client, fingerprint = request.auth, _fingerprint(request)
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        IdempotencyKey.objects.filter(client=client, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(client=client, key=key, fingerprint=fingerprint)
        except IntegrityError:
            row = IdempotencyKey.objects.get(client=client, key=key)
            if row.fingerprint != fingerprint:
                raise KeyReused() from None
            headers = {"Idempotent-Replayed": "true", **({"Location": row.location} if row.location else {})}
            return Response(row.body, status=row.status, headers=headers)
        response = create()
        row.status, row.body, row.location = response.status_code, response.data, response.get("Location", "")
        row.save(update_fields=["status", "body", "location"])
        return response


# --- Filters and fields -------------------------------------------------------------------------------------------

class IdFilter(filters.NumberFilter):
    """A record's id: a whole number (an id out of range finds nothing; it is never an error or a clue)."""

    field_class = forms.IntegerField


def _instant(value, fail):
    """An aware datetime within the years every form takes, in UTC: PostgreSQL refuses an offset beyond 15:59 that
    ISO 8601 allows (+21:53), and a year near the ends of the calendar overflows when its zone is applied."""
    if value is None:
        return None
    if not inputs.YEAR_MIN <= value.year <= inputs.YEAR_MAX:
        fail(f"Give a date and time between the years {inputs.YEAR_MIN} and {inputs.YEAR_MAX}.")
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        fail("Give a date and time with a real time zone, like 2026-10-14T16:30:00+01:00.")


class InstantField(IsoDateTimeField):
    def to_python(self, value):
        return _instant(super().to_python(value), _form_error)


def _form_error(message):
    raise forms.ValidationError(message)


class InstantFilter(filters.IsoDateTimeFilter):
    """A date and time in ISO 8601 with its zone, as a filter."""

    field_class = InstantField


class Instant(serializers.DateTimeField):
    """A date and time in ISO 8601 with its zone, as sent in a body: without one, whose clock it was is a guess."""

    def to_internal_value(self, value):
        try:
            naive = isinstance(value, str) and (parsed := parse_datetime(value.strip())) and parsed.tzinfo is None
        except ValueError:
            naive = False  # not a date at all: DRF says so below
        if naive:
            _field_error("Give the time zone too, like 2026-10-14T16:30:00+01:00 or 2026-10-14T15:30:00Z.")
        return _instant(super().to_internal_value(value), _field_error)


def _field_error(message):
    raise serializers.ValidationError(message)


def plain_text(value: str):
    """Text as every form takes it (safeguarding.inputs): no control characters, nothing unreadable."""
    problem = inputs.text_problem(value, multiline=True)
    if problem:
        raise serializers.ValidationError(f"This {problem}.")


class LawfulBasisSerializer(serializers.Serializer):
    """The lawful basis of a disclosure made through the API (an answer to a contribution request), as the forms ask
    it (safeguarding.lawful): mix into a write's serializer and pass ``basis()`` to the service, which refuses an
    incomplete one (``disclosures.check``: the same messages, as field errors)."""

    lawful_basis = serializers.ChoiceField(choices=Article6.choices, help_text="The UK GDPR Article 6 basis.",
                                           error_messages={"required": MISSING["lawful_basis"]})
    special_category = serializers.ChoiceField(
        choices=Article9.choices, help_text="The Article 9 condition, or `none` if no special category data is shared.",
        error_messages={"required": MISSING["special_category"]})
    agreement = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="The id of the information-sharing agreement in force between the two agencies that this is shared "
                  "under. Left out, the one in force between them (if any) is recorded.")
    reason = serializers.CharField(max_length=3000, validators=[plain_text], help_text="Why it is necessary to share.",
                                   error_messages={"required": MISSING["reason"], "blank": MISSING["reason"]})
    told = serializers.ChoiceField(choices=Told.choices, help_text="Whether the young person and family were told.",
                                   error_messages={"required": MISSING["told"]})
    not_told_why = serializers.CharField(max_length=2000, required=False, allow_blank=True, validators=[plain_text],
                                         help_text="Why they were not told: needed when `told` is `not_told`.")

    def basis(self) -> Basis:
        """The basis given; an agreement id that names none is passed on as an agreement nobody is party to, so the
        service refuses it with the same message as one out of force (which agreements exist is not told)."""
        data = self.validated_data
        agreement = None
        if data.get("agreement") is not None:
            agreement = (InformationSharingAgreement.objects.filter(pk=data["agreement"]).first()
                         or InformationSharingAgreement(pk=0))
        return Basis(lawful_basis=data["lawful_basis"], special_category=data["special_category"],
                     reason=data["reason"], told=data["told"], not_told_why=data.get("not_told_why", ""),
                     agreement=agreement)


# --- Resources ----------------------------------------------------------------------------------------------------

def record_id(value) -> int:
    """An id from the address, or 404: anything not a positive 64-bit whole number names nothing."""
    try:
        pk = int(str(value))
    except ValueError:
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A resource over its app's selectors: ``rows(user)`` lists what the client may see, ``record(user, pk)`` is one
    of them or 404. Every page and record read is audited (a page as one event naming its records' ids)."""

    access_door = "api_client"
    resource: str = ""
    lookup_value_regex = "[^/]+"

    def rows(self, user):
        raise NotImplementedError

    def record(self, user, pk: int):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows(self.request.user)

    def get_object(self):
        return self.record(self.request.user, record_id(self.kwargs["pk"]))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit.record(actor=request.user, action=AuditAction.SEARCH, detail={
            "api": self.resource, "ids": [row.pk for row in page],
            "filters": sorted(k for k in request.query_params if k not in ("cursor", "page_size"))})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        audit.record_view(request.user, record, api=self.resource)
        return self.respond(record)

    def respond(self, record, status: int = 200, **headers) -> Response:
        response = Response(self.get_serializer(record).data, status=status, headers=headers)
        if hasattr(record, "version"):
            response["ETag"] = etag(record)
        return response


def problem_responses(result, generator, request, public):
    """drf-spectacular post-processing: every operation may answer with a problem (its statuses listed), so a
    client's generated code and the schema tests know each error's shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"},
                       "errors": {"type": "object", "additionalProperties": {"type": "array",
                                                                             "items": {"type": "string"}}}}}
    problem = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    statuses = {"400": "Refused input", "401": "No valid credential", "403": "Not allowed",
                "404": "Not found (or not visible to this client)", "405": "Method not allowed",
                "406": "Not acceptable", "415": "Unsupported media type", "429": "Too many requests"}
    writes = {"409": "The record's state does not allow this now", "412": "Stale If-Match",
              "422": "Idempotency-Key reused", "428": "If-Match required"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = {**statuses, **(writes if method in ("post", "put", "patch", "delete") else {})}
            for status, description in wanted.items():
                operation["responses"].setdefault(status, {"description": description, **problem})
    return result
