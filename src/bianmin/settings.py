"""Settings, all from environment variables.

Defaults are safe for production (DEBUG off, secrets required); `BIANMIN_ENV=dev` (set by
`make demo`) and the test suite opt into convenient local values.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
ENV = os.environ.get("BIANMIN_ENV", "production")
IS_LOCAL = ENV in {"dev", "test"}


def _env(name: str, dev_default: str | None = None) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if IS_LOCAL and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(f"Environment variable {name} is required when BIANMIN_ENV={ENV}")


DEBUG = os.environ.get("BIANMIN_DEBUG", "1" if ENV == "dev" else "0") == "1"
SECRET_KEY = _env("BIANMIN_SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789")
# 32 random bytes, urlsafe base64. Encrypts ID numbers at rest and keys their look-up hash.
FIELD_ENCRYPTION_KEY = _env("BIANMIN_FIELD_KEY", "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE=")
ALLOWED_HOSTS = os.environ.get(
    "BIANMIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if IS_LOCAL else ""
).split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("BIANMIN_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "bianmin.core",
    "bianmin.registry",
    "bianmin.catalog",
    "bianmin.notifications",
    "bianmin.cases",
    "bianmin.queueing",
    "bianmin.evaluation",
    "bianmin.certificates",
    "bianmin.sharing",
    "bianmin.exchange",
    "bianmin.programs",
    "bianmin.health",
    "bianmin.indicators",
    "bianmin.ledger",
    "bianmin.ratings",
    "bianmin.hygiene",
    "bianmin.portal",
    "bianmin.counter",
    "bianmin.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bianmin.registry.middleware.StaffScopeMiddleware",
]

ROOT_URLCONF = "bianmin.urls"
WSGI_APPLICATION = "bianmin.wsgi.application"

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
                "django.template.context_processors.i18n",
                "bianmin.core.context.staff_context",
                "bianmin.notifications.context.notifications_context",
            ]
        },
    }
]

VAR_DIR = Path(os.environ.get("BIANMIN_VAR_DIR", PROJECT_DIR / "var"))
_default_db = f"sqlite:///{VAR_DIR / 'bianmin.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
    # timeout instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Assigned, not setdefault: dj_database_url.parse always sets CONN_MAX_AGE=0, which would
    # open a new PostgreSQL connection (a forked backend, several ms) for every request.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("BIANMIN_DB_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT off for our sessions: the indicator library's grouped queries (one FILTER aggregate
    # per measure, correlated EXISTS for states such as "diagnosed", "followed up 4 times")
    # are estimated far above their real cost, so PostgreSQL compiles them — 0.4 to 4 s of
    # JIT for a query that runs in 0.2 to 0.6 s (bench/health_indicators.py, RESULTS.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Values bound by the server, not quoted into the SQL by psycopg: psycopg then prepares a
    # statement it has run 5 times on a connection, and PostgreSQL parses and plans it once
    # instead of on every run. The window intake (~15 small statements) spent half of its
    # database CPU planning them: 6.5 → 3.2 ms per case, and psycopg's own quoting cost the
    # application ~2.5 ms more (bench/cases_intake.py, bench/RESULTS.md 2026-12-07). Set
    # BIANMIN_DB_SERVER_BINDING=0 behind a pooler in transaction mode (PgBouncer < 1.21), where
    # a prepared statement may not be on the next transaction's server connection.
    if os.environ.get("BIANMIN_DB_SERVER_BINDING", "1") != "0":
        options["server_side_binding"] = True
        # Django turns psycopg's preparing off unless told (None); 5 is psycopg's own default.
        options["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Project-wide assets (the workbench stylesheet) live outside any one app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("BIANMIN_MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not IS_LOCAL
CSRF_COOKIE_SECURE = not IS_LOCAL
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bianmin.core.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "bianmin.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "便民 Bianmin API",
    "DESCRIPTION": (
        "便民服务平台 一号一窗一网 API. Authenticate with `Authorization: Token <key>` "
        "obtained from POST /api/v1/auth/token/. Errors answer with `detail` (zh-Hans by "
        "default, English with `Accept-Language: en`) and a stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Government networks are often offline: serve Swagger UI from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several serializers share (status, method …).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "bianmin.cases.models.CaseStatus",
        "ReviewStatusEnum": "bianmin.cases.models.ReviewStatus",
        "ExtensionStatusEnum": "bianmin.cases.models.ExtensionStatus",
        "ConsentMethodEnum": "bianmin.cases.models.ConsentMethod",
        "DeliveryMethodEnum": "bianmin.cases.models.DeliveryMethod",
        "HygieneGradeEnum": "bianmin.hygiene.models.Grade",
        "PlannedInspectionReasonEnum": "bianmin.hygiene.models.PlannedInspection.Reason",
        "ProgramExitReasonEnum": "bianmin.programs.models.ExitReason",
        "HealthRecordCloseReasonEnum": "bianmin.health.models.records.CloseReason",
        "YearNoticeKindEnum": "bianmin.ratings.models.YearNotice.Kind",
        "VisitKindEnum": "bianmin.programs.models.VisitKind",
        "ScheduleKindEnum": "bianmin.programs.models.ScheduleKind",
        "ExchangeRecordKindEnum": "bianmin.exchange.models.RecordKind",
        "EncounterKindEnum": "bianmin.health.models.care.EncounterKind",
        "CheckKindEnum": "bianmin.health.models.records.CheckKind",
        "HistoryKindEnum": "bianmin.health.models.records.HistoryKind",
    },
}

# Never write an ID number or a phone number in clear to a log: the filter masks them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "bianmin.core.masking.PiiLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("BIANMIN_LOG_LEVEL", "INFO")},
}

BIANMIN = {
    # The demo/home city: Wuhan (GB/T 2260 420100), the city of seed 000.
    "HOME_CITY_CODE": os.environ.get("BIANMIN_CITY", "420100"),
    "IMPORT_BATCH_SIZE": 2000,
    # A first load (registry/importing/firstload.py): an all-or-nothing import of at least this
    # many rows into an empty 人口库 locks the register's tables and builds their secondary
    # indexes after the rows (None: never). The lock is waited for this many seconds at most,
    # else the import goes the ordinary way; the index builds get this much server memory each.
    "IMPORT_FIRST_LOAD_MIN_ROWS": 100_000,
    "IMPORT_FIRST_LOAD_LOCK_WAIT": 2.0,
    "IMPORT_FIRST_LOAD_INDEX_MEMORY": "256MB",
    # Worker processes that check an import's rows beside the one reading the file
    # (PostgreSQL, files of at least IMPORT_WORKERS_MIN_ROWS rows, and only when the import
    # runs on a process's single thread — `bianmin worker`, `bianmin import_people`; see
    # registry/importing/workers.py). None: one per core, at most 4; 0: none.
    "IMPORT_WORKERS": None,
    "IMPORT_WORKERS_MIN_ROWS": 20_000,
    # What an import keeps in memory of the ID numbers (to refuse a number's second row; 8–16
    # bytes each) and the 户号 (~150 bytes each) met in the file; past these the rest goes to
    # a temporary SQLite file in IMPORT_SPILL_DIR (None: the system's temporary directory),
    # deleted when the import ends — the import's memory then stays bounded whatever the file's
    # size (registry/importing/spill.py).
    "IMPORT_SEEN_KEYS_IN_MEMORY": 1_000_000,
    "IMPORT_HOUSEHOLDS_IN_MEMORY": 100_000,
    "IMPORT_SPILL_DIR": os.environ.get("BIANMIN_IMPORT_SPILL_DIR") or None,
    # Run an uploaded import on a thread of the web process (no broker needed); set
    # BIANMIN_IMPORT_INLINE_THREAD=0 to leave jobs pending for `bianmin worker` instead.
    "IMPORT_INLINE_THREAD": os.environ.get("BIANMIN_IMPORT_INLINE_THREAD", "1") == "1",
    # Which channel delivers each outbox channel (bianmin.notifications.channels): "file"
    # (var/outbox/sms.jsonl, what residents would get), "console", "http_sms" (SMS_HTTP below),
    # "in_app", or a dotted path to a class. The test run logs instead of writing files.
    "NOTIFY_CHANNELS": {
        "sms": os.environ.get("BIANMIN_SMS_CHANNEL", "console" if ENV == "test" else "file"),
        "in_app": "in_app",
    },
    "NOTIFY_FILE_DIR": VAR_DIR / "outbox",
    "NOTIFY_MAX_ATTEMPTS": 6,  # the first try and five retries (1 min … 6 h apart)
    # A message SENDING longer than this is 状态不明: shown to an administrator, never resent.
    "NOTIFY_SENDING_LEASE": 600,
    # Who a resident on the portal is (portal/identity.py): phone + password against the
    # registry today; a unified identity platform (统一身份认证) replaces it by class path.
    "RESIDENT_IDENTITY_PROVIDER": "bianmin.portal.identity.PhonePasswordProvider",
    "SMS_HTTP": {
        "URL": os.environ.get("BIANMIN_SMS_URL", ""),
        "KEY": os.environ.get("BIANMIN_SMS_KEY", ""),
        "TIMEOUT": 10,
    },
}

if ENV == "test":
    # Hashing passwords properly costs ~100 ms each; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
