"""Settings, read from the environment.

With no variables set at all this is the embedded default a newcomer gets: SQLite in
``var/``, Celery tasks run in-process, e-mail printed to the console. Production sets
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``DEBUG=false`` and ``ALLOWED_HOSTS``.
A value that cannot be understood stops the process at start-up rather than being guessed.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PINGSHEN_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean, refusing anything that is not clearly one (healthchecks' envbool)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


DEBUG = env_bool("DEBUG", default="SECRET_KEY" not in os.environ)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-embedded-default-only-for-local-use"  # noqa: S105 - DEBUG only
# Rotating the key (docs/operations.md): the old keys, comma-separated, still check sessions,
# password-reset links and signed values made before, until they expire; new ones use SECRET_KEY.
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, not a CDN
    "django_filters",
    "django_htmx",
    "guardian",
    "axes",
    "viewflow",
    "viewflow.workflow",
    # Ours, in the direction of dependency: accounts and audit under everything.
    "core",  # background jobs (core.models.Job); the backup and restore commands
    "accounts",
    "audit",
    "notifications",
    "applications",
    "reviews",
    "funding",
    "integrity",
    "aftergrant",
    "awards",
    "upward",
    "workflow",
    # Interfaces over workflow.steps.
    "api",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the rest: /api/ errors become JSON whichever layer made them (issue 13).
    "core.middleware.ErrorAnswerMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A body over its limit is refused (413) before any session, parser or view touches it.
    "accounts.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workflow.middleware.PageLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # Security (issue 8): money actions need a recent login; CSP and friends on every answer;
    # axes last, so it turns a lockout into a clear answer.
    "accounts.middleware.RecentLoginMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

#: Set only by ``bench.pages_load`` for the gunicorn it starts: answers then carry the run's
#: token and the database name, so the benchmark measures its own server and nothing else.
BENCH_TOKEN = os.environ.get("PINGSHEN_BENCH_TOKEN", "")
if BENCH_TOKEN:
    MIDDLEWARE.insert(0, "core.middleware.BenchIdentityMiddleware")

ROOT_URLCONF = "workflow.urls"
WSGI_APPLICATION = "workflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread",
                "pages.context_processors.deployment",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pingshen.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 60 if not DEBUG else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrency (issue 13): readers never wait for the writer (WAL),
    # a write transaction takes the write lock when it begins (IMMEDIATE), so it cannot fail half
    # way on a lock upgrade, and waits up to the timeout for it. If it still cannot get it, the
    # answer is 409 "try again" (core.middleware.ErrorAnswerMiddleware), never a 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Server-side parameters, and each statement a connection sends again and again prepared
    # after its fifth time (issue 18): its plan is made once per connection, not on every
    # step. The engine's reads join the task, the process and the item; prepared, the time the
    # lifecycle bench waits on the server went 2.38 -> 1.23 s (docs/performance.md). Django
    # leaves prepared statements off for transaction-pooling proxies (PgBouncer before 1.21):
    # behind one, set DATABASE_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5)}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ThrottledBackend",  # django-axes: refuses locked-out logins first
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Guardian resolves the concrete model's content type, but viewflow's flow permissions
# hang off the process proxy models (VIEWFLOW.md).
GUARDIAN_GET_CONTENT_TYPE = "workflow.permissions.get_content_type"
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments live outside the web root and are served only by a view that
# checks the caller may see them; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))


def media_storage() -> dict[str, object]:
    """Where uploads live: MEDIA_ROOT (a volume shared by every web and worker host), or with
    PINGSHEN_MEDIA_STORAGE=s3 an S3-compatible object store through django-storages."""
    kind = os.environ.get("PINGSHEN_MEDIA_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"PINGSHEN_MEDIA_STORAGE={kind!r}: use filesystem or s3")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("PINGSHEN_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, a cloud's S3
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,  # else boto3's own chain (roles)
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),  # a prefix inside the bucket
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most MinIO
            "default_acl": None,  # private: files are served only through the view that checks access
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "core.storage.StaticStorage"
    },
}
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# E-mail, under Django's own names.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pingshen@localhost")

# Celery. Without REDIS_URL, tasks run in-process (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 1}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "close-due-calls": {"task": "workflow.tasks.close_due_calls", "schedule": 60.0},
    "close-due-notices": {"task": "workflow.tasks.close_due_notices", "schedule": 300.0},
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "sweep-jobs": {"task": "core.tasks.sweep_jobs", "schedule": 120.0},
    "expire-unanswered-invitations": {"task": "workflow.tasks.expire_unanswered_invitations", "schedule": 900.0},
    "remind-due-reviews": {"task": "workflow.tasks.remind_due_reviews", "schedule": 3600.0},
    "escalate-overdue-reviews": {"task": "workflow.tasks.escalate_overdue_reviews", "schedule": 3600.0},
    "remind-acceptance-due": {"task": "workflow.tasks.remind_acceptance_due", "schedule": 3600.0},
    "open-midterm-reports": {"task": "aftergrant.tasks.open_midterm_reports", "schedule": 3600.0},
    "remind-midterm-due": {"task": "aftergrant.tasks.remind_midterm_due", "schedule": 3600.0},
    "escalate-overdue-midterm": {"task": "aftergrant.tasks.escalate_overdue_midterm", "schedule": 3600.0},
    "staff-digest": {"task": "workflow.tasks.send_staff_digest", "schedule": crontab(hour=8, minute=0)},
    "audit-verify": {"task": "workflow.tasks.verify_audit_trail", "schedule": crontab(hour=2, minute=30)},
}

# Notifications: the outside channels (the in-app inbox is always on), name → class.
PINGSHEN_NOTIFICATION_CHANNELS = {"email": "notifications.channels.EmailChannel"}
#: Where links in e-mails point.
PINGSHEN_SITE_URL = os.environ.get("PINGSHEN_SITE_URL", "http://localhost:8000")
#: The bureau that runs this deployment, at the top of every page and on its documents
#: (e.g. 永嘉县科学技术局); empty: a generic "County Science & Technology Bureau".
PINGSHEN_AUTHORITY_NAME = os.environ.get("PINGSHEN_AUTHORITY_NAME", "").strip()
#: A line shown under the header on every page, the public ones included (e.g. the call
#: deadline or a maintenance window); empty: no banner.
PINGSHEN_BANNER_TEXT = os.environ.get("PINGSHEN_BANNER_TEXT", "").strip()
#: The short name in the funding notices' document numbers (文号), e.g. 永科 in 永科〔2016〕12号.
PINGSHEN_DOCUMENT_PREFIX = os.environ.get("PINGSHEN_DOCUMENT_PREFIX", "").strip()
#: Experts are reminded this many days before a review is due.
PINGSHEN_REVIEW_REMINDER_DAYS = env_int("PINGSHEN_REVIEW_REMINDER_DAYS", 3)
#: An invitation not accepted within this many days (or by the due date) expires and is redrawn.
PINGSHEN_REVIEW_RESPONSE_DAYS = env_int("PINGSHEN_REVIEW_RESPONSE_DAYS", 5)
#: Applicants are reminded of the acceptance report this many days before the project ends.
PINGSHEN_ACCEPTANCE_REMINDER_DAYS = env_int("PINGSHEN_ACCEPTANCE_REMINDER_DAYS", 30)
#: A budget move (change request) that changes any line's county amount by more than this share
#: of the line also needs the finance head after staff (issue 16.3); a fraction, 0.10 = 10 %.
PINGSHEN_BUDGET_MOVE_HEAD_SHARE = os.environ.get("PINGSHEN_BUDGET_MOVE_HEAD_SHARE", "0.10").strip()
try:
    if not 0 <= Decimal(PINGSHEN_BUDGET_MOVE_HEAD_SHARE) <= 1:
        raise InvalidOperation
except InvalidOperation as exc:
    raise ImproperlyConfigured(
        f"PINGSHEN_BUDGET_MOVE_HEAD_SHARE={PINGSHEN_BUDGET_MOVE_HEAD_SHARE!r} is not a share between 0 and 1"
    ) from exc
#: The applicant files the acceptance (验收) within this many days after the contract's end date;
#: later, the project is overdue (``aftergrant.acceptance.acceptance_overdue_q``).
PINGSHEN_ACCEPTANCE_WINDOW_DAYS = env_int("PINGSHEN_ACCEPTANCE_WINDOW_DAYS", 90)
#: An acceptance file of a project whose county grant is at least this (yuan) carries an
#: audit report (审计报告) as an attachment of kind ``acceptance_audit``.
PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN = env_int("PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN", 500000)
#: The system advises fail when fewer than this share of the contract's targets are met.
PINGSHEN_ACCEPTANCE_TARGETS_SHARE = os.environ.get("PINGSHEN_ACCEPTANCE_TARGETS_SHARE", "0.8").strip()
try:
    if not 0 <= Decimal(PINGSHEN_ACCEPTANCE_TARGETS_SHARE) <= 1:
        raise InvalidOperation
except InvalidOperation as exc:
    raise ImproperlyConfigured(
        f"PINGSHEN_ACCEPTANCE_TARGETS_SHARE={PINGSHEN_ACCEPTANCE_TARGETS_SHARE!r} is not a share between 0 and 1"
    ) from exc
#: A mid-term report opens this many days before it is due (the clock opens it then).
PINGSHEN_MIDTERM_OPEN_DAYS = env_int("PINGSHEN_MIDTERM_OPEN_DAYS", 30)
#: Applicants are reminded of an open mid-term report this many days before it is due.
PINGSHEN_MIDTERM_REMINDER_DAYS = env_int("PINGSHEN_MIDTERM_REMINDER_DAYS", 7)
#: Background jobs (core.jobs.jobs_sweep): a job still queued after this many minutes is queued
#: again (its task never reached a worker); a running one silent this long is failed (its
#: worker died). The longest job (a county draw) runs well under a minute.
PINGSHEN_JOB_REQUEUE_MINUTES = env_int("PINGSHEN_JOB_REQUEUE_MINUTES", 5)
PINGSHEN_JOB_DEAD_MINUTES = env_int("PINGSHEN_JOB_DEAD_MINUTES", 60)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies are read at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes deep (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pingshen API",
    "DESCRIPTION": "Grant and award review: calls, applications, expert review, funding.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several serializers have a "status"; name the item states' enum so they never collide.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.enums.ApplicationStatus",
        # Two "level" fields: an award's level (1, 2, 3) and a credit record's severity.
        "CreditLevelEnum": "integrity.enums.CreditLevel",
        "AwardLevelEnum": [(1, "1"), (2, "2"), (3, "3")],
        # A change request's kind beside an organisation's kind.
        "ChangeKindEnum": "aftergrant.enums.ChangeKind",
        "ChangeStatusEnum": "aftergrant.enums.ChangeStatus",
        # The upward work's levels: of a higher-level call, and of an award a winner goes to.
        "UpperLevelEnum": "upward.enums.UpperLevel",
        "AwardLevelUpEnum": "upward.enums.AwardLevelUp",
        # Four "result" fields: of an acceptance, a mid-term check, a commissioner's assessment and an
        # upward project's county-organised acceptance.
        "AcceptanceResultEnum": "funding.enums.AcceptanceResult",
        "MidtermResultEnum": "aftergrant.enums.MidtermResult",
        "AssessmentResultEnum": "upward.enums.AssessmentResult",
        "UpperAcceptanceResultEnum": "upward.enums.UpperAcceptanceResult",
        # A background job's status (the import's and any job's status endpoint).
        "JobStatusEnum": [(s, s) for s in ("queued", "running", "done", "failed")],
    },
    # Swagger UI from the pinned drf-spectacular-sidecar package, served by WhiteNoise: bureaus
    # run on intranets without internet access, and a page staff log into must not run code
    # fetched at @latest from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

VIEWFLOW: dict[str, object] = {}

# --- Security (issue 8; docs/security.md) -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after PINGSHEN_SESSION_HOURS; API tokens after PINGSHEN_TOKEN_HOURS (a new
# POST /api/auth/token/ issues a fresh one); money actions in the pages need a password typed
# within PINGSHEN_RECENT_LOGIN_MINUTES.
SESSION_COOKIE_AGE = env_int("PINGSHEN_SESSION_HOURS", 8) * 3600
PINGSHEN_TOKEN_HOURS = env_int("PINGSHEN_TOKEN_HOURS", 24)
# A password-reset link works once, for PINGSHEN_PASSWORD_RESET_HOURS; the link in an
# invitation (an account made by staff or an expert import) once, for PINGSHEN_INVITATION_DAYS.
PASSWORD_RESET_TIMEOUT = env_int("PINGSHEN_PASSWORD_RESET_HOURS", 24) * 3600
PINGSHEN_INVITATION_DAYS = env_int("PINGSHEN_INVITATION_DAYS", 14)
PINGSHEN_RECENT_LOGIN_MINUTES = env_int("PINGSHEN_RECENT_LOGIN_MINUTES", 15)
# Content-Security-Policy sent by accounts.middleware.SecurityHeadersMiddleware: our pages load
# only our own files; the API docs page and viewflow's process UI get the relaxed one.
PINGSHEN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PINGSHEN_CSP_RELAXED = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: https://cdn.jsdelivr.net; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PINGSHEN_CSP_RELAXED_PREFIXES = ("/processes/", "/admin/")
# The API docs (Swagger UI, split view: its start-up script is a same-origin file too): scripts
# only from this site; inline styles, which Swagger UI sets on its elements, allowed.
PINGSHEN_CSP_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PINGSHEN_CSP_DOCS_PREFIXES = ("/api/docs/",)
# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one
# address lock that pair out for AXES_COOLOFF_MINUTES; the page says so, the API answers 429.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.middleware.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
# How many reverse proxies of ours stand in front (0: REMOTE_ADDR is the client); the objection
# rate limit reads the client's address with it (core.ratelimit.client_address).
PINGSHEN_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
# Objections to one notice from one client address: at most this many an hour (issue 14.6).
PINGSHEN_OBJECTIONS_PER_HOUR = env_int("PINGSHEN_OBJECTIONS_PER_HOUR", 5)
# Public notices show the funded projects and awarded nominations only; a bureau that publishes
# the items not funded as well (names of unsuccessful applicants) says so here.
PINGSHEN_NOTICE_SHOWS_NOT_FUNDED = env_bool("PINGSHEN_NOTICE_SHOWS_NOT_FUNDED", False)
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"  # cut to the column: no 500 on a long name
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
