"""One settings module, driven by the environment (django-environ).

Defaults are safe for production: DEBUG is off, cookies are secure, HTTPS is enforced. A developer sets
DEBUG=1 (the Makefile does) to work over plain HTTP on localhost.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .headers import tile_origin as _tile_origin

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
# `manage.py makemigrations` signs and serves nothing, so it may run without a key (a check that no model change
# lacks its migration, on any machine). Everything else refuses to start without one unless DEBUG is on.
_KEYLESS = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] == ["makemigrations"]
if not SECRET_KEY:
    if not (DEBUG or _KEYLESS):
        raise ImproperlyConfigured("Set SECRET_KEY (a long random string) in the environment.")
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "safeguarding.apps.StepUpAdminConfig",  # Django's admin, every page behind a fresh second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",  # allauth's list of passkeys uses it
    "guardian",
    "axes",
    # Sign-in, second factors, invitations and password reset (see "Sign-in and second factors" below).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "crispy_forms",
    "crispy_forms_gds",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "safeguarding",
    "cases",
    "contexts",
    "assessments",
    "panels",
    "reports",
]
# The benchmark tools (bench/: the data generator behind `manage.py generate`, `make bench`) are an app in a checkout
# only. The image leaves the folder out (Dockerfile, .dockerignore): a production server has no use for a command that
# fills a database with a synthetic country, and its settings must not name code the image does not carry.
if (BASE_DIR / "bench" / "apps.py").is_file():
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguarding.headers.PermissionsPolicyMiddleware",
    "safeguarding.audit.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safeguarding.sessions.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safeguarding.factors.FactorRequiredMiddleware",
    "safeguarding.pages.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes last, as its documentation asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# pghistory tags each tracked change with who made it and from which URL by prefixing every SQL statement of a
# request with two set_config calls. Only requests that change records need that; GETs never write tracked rows.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguarding.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/efh"),
}
# The app's role (DATABASE_URL) owns nothing; migrate and flush connect as the owner role (safeguarding/dbroles.py).
# Unset, the owner is the app's own connection (a developer who has not set the roles up).
DATABASE_OWNER = env.db("DATABASE_OWNER_URL",
                        default=env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/efh"))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Word similarity at or above this counts as a match in a picker's name search (cases/finders.py), read by the
# trigram index itself (the %> operator): "Jaden" finds Jayden. PostgreSQL's default, 0.6, misses such misspellings.
# JIT compilation off: the access door's subqueries make the planner's cost estimates large enough to trigger it,
# and compiling took 2 to 5 s of a report's counts that run in 0.2 s without it (docs/BENCHMARKS.md, reports).
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}),
                                   "options": "-c pg_trgm.word_similarity_threshold=0.4 -c jit=off"}
# An optional streaming replica for the heavy reads that build documents (safeguarding/routers.py). In tests it is
# a mirror of the test database, so the routing is exercised on every pack build.
if env("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = {**env.db("REPLICA_DATABASE_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
                            "OPTIONS": DATABASES["default"]["OPTIONS"],
                            "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["safeguarding.routers.ReplicaRouter"]
REPLICA_WAIT_SECONDS = env.float("REPLICA_WAIT_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
AUTH_USER_MODEL = "safeguarding.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "safeguarding.roles.RoleBackend",  # sign-in by username or email address (allauth's backend), roles
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NCSC password guidance: length, and a deny-list of common passwords; no composition rules and no forced rotation
# (nothing here expires a password). Django's deny-list is 20,000 common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on (OpenID Connect), one identity provider per agency: safeguarding/sso.py -----------------------
# django-allauth's socialaccount with its openid_connect provider. Each agency's provider is an IdentityProvider row
# (issuer, client, claim to match, email domains), turned into allauth's app by the adapter, so client secrets live in
# one table and never in settings, templates or logs. Nobody signs up: people are invited (an account made by an
# administrator) and bound to their provider's stable subject at their first sign-in (sso.SocialAccountAdapter).
# allauth and allauth.account are installed for password sign-in (below); socialaccount joins them. Before the
# service's own apps, so safeguarding/admin.py can take allauth's own admin pages away. Signing in by a provider goes
# through RoleBackend (allauth's backend), like a password.
INSTALLED_APPS[INSTALLED_APPS.index("safeguarding"):INSTALLED_APPS.index("safeguarding")] = [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
SOCIALACCOUNT_ADAPTER = "safeguarding.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never sign someone in because an IdP says an email is theirs
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False  # the service never calls the IdP on a person's behalf: no token is kept
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the agency's provider vouches for its people; nothing is emailed
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=5)
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = ""  # the callback is under /sign-in/sso/ (safeguarding/urls.py)
# --- end of single sign-on ----------------------------------------------------------------------------------------

# Sessions: an idle timeout and an absolute one (safeguarding.sessions enforces both).
SESSION_ENGINE = "safeguarding.sessions"  # database sessions that know their user
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=10))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: lock out a username from an address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# allauth signs in by username or email address: Axes keys the lockout on whichever was typed.
AXES_USERNAME_CALLABLE = "safeguarding.factors.typed_login"

# --- Sign-in and second factors (django-allauth's account and mfa) ----------------------------------------------
# Password sign-in, a second factor (TOTP, passkeys/WebAuthn, recovery codes), invitations and password reset.
# Single sign-on (allauth's socialaccount, safeguarding/sso.py) is configured in its own block; a session signed in
# by an agency's identity provider skips the service's own second factor (safeguarding.factors.signed_in_by_sso).
# Throttling: wrong passwords are Axes' (above: per username and address, in the database, with its lockout page);
# allauth's rate limits (in the cache, Redis) throttle everything else: second-factor codes, reset emails,
# reauthentication. The account adapter leaves password failures to Axes so there is one lockout per factor.
ACCOUNT_ADAPTER = "safeguarding.factors.AccountAdapter"
MFA_ADAPTER = "safeguarding.factors.MFAAdapter"
ACCOUNT_FORMS = {"login": "safeguarding.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]  # people are invited, never sign up: unused
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are an administrator's, proved by the invitation link
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser and at the idle and absolute limits
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True  # a reset request for an unknown address looks the same as for a known one
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # and sends nothing (allauth would invite the stranger to sign up)
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("STEP_UP_SECONDS", default=5 * 60)  # how fresh a step-up must be
ACCOUNT_RATE_LIMITS = {
    "reset_password": "20/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",  # second-factor codes only (passwords: Axes)
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="EFH service")
MFA_ALLOW_UNVERIFIED_EMAIL = True  # see ACCOUNT_EMAIL_VERIFICATION
MFA_RECOVERY_CODE_COUNT = 10
# Passkeys over plain HTTP on a developer's machine only; Chromium treats http://localhost as secure anyway.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# An invitation's link works once, for this many days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Rate limits are counted in Redis, shared by every web process; a Redis outage fails them open (logged), never a
# sign-in (safeguarding.caching).
# The partner API's per-client throttle counts in Redis too ("api", safeguarding.apiclients).
CACHES = {"default": {"BACKEND": "safeguarding.caching.FailOpenRedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "efh-cache", "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}},
          "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                  "KEY_PREFIX": "efh-api", "TIMEOUT": 3600}}
# --- end of sign-in and second factors ----------------------------------------------------------------------------

# The client's address (sign-in lockouts, the audit log) behind proxies, read by django-axes through django-ipware.
# TRUSTED_PROXY_COUNT is how many proxies stand in front of the app, each appending the address it was connected from
# to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for). The client is the entry that many places from the right
# (the last proxy's own address is REMOTE_ADDR, not in the header), so whatever a client writes into the header
# itself lands further left and is ignored. 0 (no proxy): REMOTE_ADDR, and the header is never read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IP_HEADERS", default=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"])
# django-ipware counts the proxies named in the header, one fewer than stand in front.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
IPWARE_STRICT = False  # a longer header (a client's own entries on the left) is read, not refused for the proxy's

# django-guardian: object permissions only through our direct-foreign-key tables; no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# Security: production-safe unless DEBUG.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp) and Permissions-Policy: a second line against injected markup. Scripts and
# styles only from this service's own files, or inline with the per-response nonce; no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_tile_origin(env("MAP_TILE_URL", default=""))],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "fullscreen", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "usb", "xr-spatial-tracking")}
# Passkeys: this service's own pages may ask the browser for a credential.
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Only the built assets are served (as /static/dist/...): static/build.mjs and static/src/ are their sources.
STATICFILES_DIRS = [("dist", BASE_DIR / "static" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files from collectstatic in production; plain files in development and tests.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Documents attached to records (safeguarding.attachments): in a private folder no URL serves, or in an S3-compatible
# bucket when DOCUMENTS_S3_BUCKET names one. Either way they are read only through the access door's download view.
DOCUMENTS_ROOT = env.path("DOCUMENTS_ROOT", default=BASE_DIR / "private" / "documents")
DOCUMENTS_S3_BUCKET = env("DOCUMENTS_S3_BUCKET", default="")
STORAGES["documents"] = (
    {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": DOCUMENTS_S3_BUCKET, "endpoint_url": env("DOCUMENTS_S3_ENDPOINT_URL", default=None),
        "region_name": env("DOCUMENTS_S3_REGION", default=None), "default_acl": "private",
        "querystring_auth": True, "file_overwrite": False, "location": "documents"}}
    if DOCUMENTS_S3_BUCKET else
    {"BACKEND": "django.core.files.storage.FileSystemStorage",
     "OPTIONS": {"location": DOCUMENTS_ROOT, "file_permissions_mode": 0o600,
                 "directory_permissions_mode": 0o700}})
# What may be attached: at most this many bytes (Django keeps larger uploads on disk while they are checked).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Every upload is scanned by ClamAV's daemon (clamd, its INSTREAM command over TCP) before anything is stored; an
# upload is refused while the scanner does not answer. Production runs freshclam with the official signatures.
CLAMAV_URL = env("CLAMAV_URL", default="tcp://127.0.0.1:3310")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="efh-service@localhost")

# Celery: late acknowledgement so a killed worker's job is delivered again; JSON only.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Must exceed the longest task (time limit above), or Redis redelivers a job still running.
# A broker that does not answer fails a hand-over in two seconds (the outbox keeps the job), never a request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Panel packs run on their own queue ("packs"), on workers started with a memory cap per child process
# (--max-memory-per-child, see docker-compose.yml) so one huge pack cannot starve the rest.
CELERY_TASK_ROUTES = {"panels.tasks.pack_build": {"queue": "packs"}}
# The outbox (safeguarding.outbox): a job handed to the broker but not done after this long is handed again (longer
# than any task may run), and one handed this many times is given up and logged for an administrator.
OUTBOX_HAND_AGAIN_AFTER = env.int("OUTBOX_HAND_AGAIN_AFTER", default=20 * 60)
OUTBOX_MAX_HANDS = env.int("OUTBOX_MAX_HANDS", default=10)
PACK_SOFT_TIME_LIMIT = env.int("PACK_SOFT_TIME_LIMIT", default=5 * 60)
PACK_WORKER_MAX_MEMORY_KIB = env.int("PACK_WORKER_MAX_MEMORY_KIB", default=600_000)
PACK_BUILD_TEST_DELAY = env.float("PACK_BUILD_TEST_DELAY", default=0.0)  # seconds per item; tests only

# Webhooks (safeguarding.webhooks, docs/webhooks.md): partner systems told what is addressed to their agency.
# Only https endpoints, on public addresses, unless these allow otherwise: the local demo (DEBUG) sends to its receiver
# on 127.0.0.1 (manage.py webhook_receiver); the tests run without DEBUG and allow it only where they need to.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = env.list("WEBHOOKS_ALLOWED_PRIVATE_NETWORKS",
                                             default=["127.0.0.1/32"] if DEBUG else [])
# Certificate authorities to trust for https endpoints, as a PEM file; empty: the system's (a partner's private CA, a
# test's own).
WEBHOOKS_CA_BUNDLE = env("WEBHOOKS_CA_BUNDLE", default="")
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=5.0)
# Tries per delivery, the first retry's wait (doubled each time, up to the cap: well inside the broker's visibility
# timeout), and failed attempts in a row after which a connection is paused and its administrators told.
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_RETRY_BASE = env.float("WEBHOOKS_RETRY_BASE", default=30.0)
WEBHOOKS_RETRY_MAX = env.float("WEBHOOKS_RETRY_MAX", default=60 * 60.0)
WEBHOOKS_PAUSE_AFTER = env.int("WEBHOOKS_PAUSE_AFTER", default=20)
# After a rotation the previous secret signs too for this long, so a receiver can change over.
WEBHOOKS_PREVIOUS_SECRET_HOURS = env.int("WEBHOOKS_PREVIOUS_SECRET_HOURS", default=24)
# Finished deliveries (and their attempts) are deleted from the log after this many days; the audit log keeps what
# was sent to whom.
WEBHOOKS_LOG_DAYS = env.int("WEBHOOKS_LOG_DAYS", default=90)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "6.6.0"

# The address people use, for links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = env("SERVICE_NAME", default="Extra-familial harm: multi-agency response")
CLASSIFICATION = env("CLASSIFICATION", default="OFFICIAL-SENSITIVE")
# Who runs the service, in the page header (GOV.UK's Generic header: a local authority is not GOV.UK).
ORGANISATION_NAME = env("ORGANISATION_NAME", default="Children's services")
# The places map: a tile server is optional (without one the map shows markers on a plain background).
MAP_TILE_URL = env("MAP_TILE_URL", default="")
# Finding a place from its postcode (safeguarding.geocoding): a postcodes.io-compatible API, or empty for none (then
# people choose the ward, and the place goes at its centre).
GEOCODER = env("GEOCODER", default="")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=3.0)
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
MAP_CENTRE = [env.float("MAP_CENTRE_LAT", default=52.4862), env.float("MAP_CENTRE_LNG", default=-1.8904)]
MAP_ZOOM = env.int("MAP_ZOOM", default=12)
# Cases due for review within this many days appear on the dashboard.
REVIEW_WARNING_DAYS = env.int("REVIEW_WARNING_DAYS", default=14)
# A link (membership, association, place link) unreviewed this many days after its review-by date stops counting as
# current: greyed on its records' pages, left out of network pictures and packs, and still on the "to review" list.
LINK_EXPIRES_AFTER_DAYS = env.int("LINK_EXPIRES_AFTER_DAYS", default=90)
# Transitional safeguarding: the age from which a transition plan to adult services is opened (earlier only with a
# reason, such as an NRM decision that may come after 18) and the lead practitioner is reminded to open one.
TRANSITION_PLAN_FROM_AGE = env.int("TRANSITION_PLAN_FROM_AGE", default=17)
# The front door (cases.referrals): a referral is to be decided within this many working days (weekdays that are not
# bank holidays). The ``holidays`` package is not installed, so England and Wales bank holidays are listed here
# (gov.uk/bank-holidays); BANK_HOLIDAYS in the environment (ISO dates, comma separated) replaces the list.
REFERRAL_DECISION_WORKING_DAYS = env.int("REFERRAL_DECISION_WORKING_DAYS", default=1)
BANK_HOLIDAYS = env.list("BANK_HOLIDAYS", default=[
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
])

# Reports (reports/): counts from 1 to this minus one are shown as "fewer than N" to anyone who may not see names
# (analysts); exports are deleted, file and row, after this many days.
REPORTS_SUPPRESS_BELOW = env.int("REPORTS_SUPPRESS_BELOW", default=5)
REPORTS_EXPORT_DAYS = env.int("REPORTS_EXPORT_DAYS", default=7)
REPORTS_EXPORT_SOFT_TIME_LIMIT = env.int("REPORTS_EXPORT_SOFT_TIME_LIMIT", default=10 * 60)
REPORTS_EXPORT_TEST_DELAY = env.float("REPORTS_EXPORT_TEST_DELAY", default=0.0)  # seconds per chunk; tests only

# Logs: one JSON object a line in production (LOG_FORMAT=json), plain text with DEBUG; every record carries the
# request's id (safeguarding.logs.RequestIdFilter), the one in the X-Request-ID header and on the audit rows.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safeguarding.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "safeguarding.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# Celery workers log through the same handler (JSON lines) rather than replacing it with their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry, only when SENTRY_DSN is set; no personal data leaves (safeguarding.logs.sentry_options).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from safeguarding.logs import init_sentry

    init_sentry(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"),
                traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))

# The partner API (/api/v1/, safeguarding.api and each app's api.py): registered clients only, JSON only, problem+json
# errors, cursor pages, a throttle per client.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["safeguarding.apiclients.ClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["safeguarding.apiclients.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["safeguarding.apiclients.ClientThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "safeguarding.apiclients.Cursor",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "safeguarding.api.problem_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")  # calls per client (apiclients.ClientThrottle)
API_CLIENT_DAYS = env.int("API_CLIENT_DAYS", default=365)  # how long a new credential lasts unless told otherwise
# The demo's API credentials (safeguarding/demo.py), kept for docs/api.md's script: the demo only, never a real one.
DEMO_API_CREDENTIALS = env.path("DEMO_API_CREDENTIALS", default=BASE_DIR / ".demo" / "api-credentials.json")
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)  # how long a create's key is remembered
SPECTACULAR_SETTINGS = {
    "TITLE": "Extra-familial harm: partner API",
    "DESCRIPTION": "For partner agencies' systems. Every call acts as the registered client's agency: a record it may "
                   "not see is 404, an action it may not take 403. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus", "ContextStatusEnum": "contexts.models.ContextStatus",
        "ReferralStatusEnum": "cases.models.ReferralStatus",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "RequestStatusEnum": "assessments.models.RequestStatus", "MeetingStatusEnum": "panels.models.MeetingStatus",
        "ActionStatusEnum": "panels.models.ActionStatus", "PlaceKindEnum": "contexts.models.PlaceKind",
        "EntryKindEnum": "cases.models.EntryKind", "ItemKindEnum": "panels.models.ItemKind",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "safeguarding.api.problem_responses"],
    "AUTHENTICATION_WHITELIST": ["safeguarding.apiclients.ClientAuthentication"],
}
