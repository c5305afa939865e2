"""Project settings, read from environment variables with safe development defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but the usual spellings is an error."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only ever used on a developer's machine: DEBUG or the test suite.
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-7c1e0f3b9a"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The task queue's table (the worker's backend, TASKS_BACKEND=database); installed
    # always so the schema does not depend on an environment variable.
    "django_tasks_db",
    "governance",
    "elections",
    "motions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app servers themselves, before anything touches the session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Roles are kept for the request (and forgotten when a service changes one), not on the user.
    "governance.accounts.middleware.RolesPerRequestMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.accounts.middleware.MemberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "governance.accounts.middleware.RequireMFAForPrivilegedRolesMiddleware",
    "governance.accounts.middleware.RequireEnrolmentProofMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.roles",
            ],
        },
    }
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections in production (a sync gunicorn worker holds one), checked
        # before reuse so a restarted PostgreSQL costs one reconnect, not an error page.
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG or TESTING else 60),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "PG_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server and statements prepared on their second use: a vote's
    # statements cost PostgreSQL half the CPU (docs/benchmarks.md). Set it to false behind
    # a pooler in transaction mode (PgBouncer before 1.21), which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue up
    # instead of one failing with "database is locked" half-way through a service.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache, sessions
# ---------------------------------------------------------------------------

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "governance.cache.RedisCache",
            "LOCATION": CACHE_URL,
            # An unreachable Redis fails a request (and /ready/) in seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are written to the database and cached in Redis: every app server reads
    # them from the cache, and a Redis restart (or eviction) logs nobody out, since the
    # next read falls back to the database. A cache-only session would lose every login.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// or rediss:// URL, not {CACHE_URL!r}")
else:
    # One process only: several app servers need CACHE_URL to share rate limits.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8

# ---------------------------------------------------------------------------
# Authentication: custom user, allauth with e-mail login and MFA
# ---------------------------------------------------------------------------

AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's, loading the member with the user (governance/accounts/auth.py).
    "governance.accounts.auth.ModelBackend",
    "governance.accounts.auth.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Accounts are created from the membership roll by staff, not by open sign-up.
ACCOUNT_ADAPTER = "governance.accounts.adapters.AccountAdapter"
# Failed logins are slowed per account and client, never per account alone (which would let
# anyone lock a member out): governance/accounts/login_throttle.py, called by the adapter. A browser the
# account logged in from before has its own count (a signed device cookie); any other client
# is counted per account and address. Five failures are free, then each costs twice the wait
# of the last, from 15 s up to 15 minutes; a refusal says how long, and never sleeps.
LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 5)
LOGIN_FIRST_DELAY_SECONDS = env_int("LOGIN_FIRST_DELAY_SECONDS", 15)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 15 * 60)
LOGIN_FAILURE_MEMORY_SECONDS = env_int("LOGIN_FAILURE_MEMORY_SECONDS", 24 * 60 * 60)
LOGIN_DEVICE_MAX_AGE = env_int("LOGIN_DEVICE_MAX_AGE", 365 * 24 * 60 * 60)
# allauth's own limits are per address only, and wide: a meeting room of 500 members behind one
# NAT logs in at the same moment. The failed-login one slows a sweep across many accounts from
# one address (known browsers skip it). No limit on logins as such: a success guesses nothing.
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "300/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Before a sensitive step (a second factor, the password) the account holder confirms who
# they are: with the password, a code e-mailed to a verified address (django-allauth 65.22
# added it; it is as strong as the password reset, which trusts the same mailbox) or the
# second factor. Stated here so that a later release cannot change the list unseen.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "code", "mfa")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Governance] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The account holder is told by e-mail of every change to the password, the addresses and the
# second factor (allauth's notifications); a second factor is set up only with a proof beyond
# the password (governance/accounts/enrolment.py).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Casting a vote, page and API together, per account (governance.accounts.ratelimit): a member casts
# once, a proxy holder once per proxy; more than this in a minute is a script.
VOTE_RATE_LIMIT_PER_MINUTE = env_int("VOTE_RATE_LIMIT_PER_MINUTE", 20)
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Governance platform")

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------

# Django 6.1's MAILERS, built from the usual EMAIL_* environment variables. Development
# prints mail on the console; EMAIL_BACKEND=...filebased.EmailBackend writes it to var/mail.
_mail_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
elif _mail_backend.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "governance@localhost")
# The address people reach the platform at, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Audit checkpoints (governance.audit.checkpoints)
# ---------------------------------------------------------------------------

# The Ed25519 key that signs the audit log's checkpoints: never in the database, and kept
# apart from its backups (docs/deploy.md). AUDIT_SIGNING_KEY holds the 32-byte seed in
# base64; AUDIT_SIGNING_KEY_FILE names a file holding it (or a PEM key). Development and the
# test suite generate their own in var/ (or the file named) when it does not exist.
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", "")
AUDIT_SIGNING_KEY_GENERATE = DEBUG or TESTING
AUDIT_SIGNING_KEY_FILE = os.environ.get(
    "AUDIT_SIGNING_KEY_FILE",
    str(BASE_DIR / "var" / "audit-signing.key") if AUDIT_SIGNING_KEY_GENERATE else "",
)
# The name the checkpoints are signed under (a signed note's origin): one per deployment.
AUDIT_LOG_ORIGIN = os.environ.get("AUDIT_LOG_ORIGIN", "governance-platform/audit-log")
# Who receives every checkpoint by e-mail besides the auditors' accounts.
AUDIT_CHECKPOINT_EMAILS = env_list("AUDIT_CHECKPOINT_EMAILS")

# ---------------------------------------------------------------------------
# Background tasks (Django's tasks API; in process by default)
# ---------------------------------------------------------------------------

# TASKS_BACKEND=database queues them in PostgreSQL (django-tasks-db) for the worker,
# `manage.py db_worker`; the default runs each task in the process that enqueued it.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'immediate' or 'database', not {TASKS_BACKEND!r}"
    )

# ---------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, Arabic included (governance/formats/).
FORMAT_MODULE_PATH = ["governance.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Tunis")

# ---------------------------------------------------------------------------
# Static files
# ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
# Production serves collected files with hashed names (cached for a year) through
# WhiteNoise, so `collectstatic` must run before the app servers start (the Dockerfile and
# deploy/smoke.sh do). DEBUG serves them from the source folders, with nothing to collect.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # allauth draws the TOTP QR code as a data: URI.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token is sent from hx-headers
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The probes are asked over plain HTTP inside the private network (container
    # healthchecks, the load balancer), where a redirect to HTTPS would read as a failure.
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]

# Behind a load balancer every request comes from its address: the number of proxies that
# append to X-Forwarded-For (1 for the compose file's nginx) lets the rate limits count the
# client's address instead. 0 (no proxy) uses the connection's address and ignores the header,
# which a client could forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# ---------------------------------------------------------------------------
# REST API
# ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["governance.api.permissions.IsMemberOrPrivileged"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.StrictLimitOffsetPagination",
    # A JSON API: forms are for the pages, which have their own views.
    # Bounded in size and nesting (governance/api/parsers.py): deep JSON is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": ["governance.api.parsers.BoundedJSONParser"],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"user": "600/min", "anon": "60/min"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Governance platform API",
    "DESCRIPTION": "Units, bodies, mandates, statutes, decisions and the audit log.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for logged-in users, not for the public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A member's kind and status appear in the roll's list and in one member's record.
    "ENUM_NAME_OVERRIDES": {
        "MemberKindEnum": "governance.models.Member.Kind",
        "MemberStatusEnum": "governance.models.Member.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # 403, 404, 400 and 429, which every operation of its kind can answer.
        "governance.api.schema.document_common_responses",
    ],
}

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------

# Everything to standard output, one line per record: the container or the process
# manager collects it (12-factor); nothing writes log files.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
        # Django's own, kept: a server error is mailed to ADMINS when there are some.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
        # runserver's line per request, as Django has it.
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    # Django's loggers as Django has them, less its console handler: with DEBUG it printed
    # every record a second time (unformatted, on stderr) beside the root's line (each task
    # run of `load_demo`, each refused request of `make run`). Configuring "django" resets
    # its children, so runserver's request lines are configured again below.
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    # The worker (`db_worker`) sets its own loggers to INFO: one line per task run.
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------------------
# Limits on what one request may ask of the platform (hostile or careless input)
# ---------------------------------------------------------------------------

# Word diffs (governance/textdiff.py): texts longer than this are shown whole, not compared;
# a comparison that takes longer than this many seconds returns a coarser diff.
DIFF_MAX_CHARS = env_int("DIFF_MAX_CHARS", 200_000)
DIFF_TIMEOUT_SECONDS = float(os.environ.get("DIFF_TIMEOUT_SECONDS") or 0.5)
# What one ballot, text or list may hold (governance/limits.py), checked by the services for
# the pages, the API and the commands alike. 200 candidates is ten times the largest election
# the section has held; 100,000 characters is about forty pages.
LIMIT_CANDIDATES = env_int("LIMIT_CANDIDATES", 200)
LIMIT_TEXT_CHARS = env_int("LIMIT_TEXT_CHARS", 100_000)
LIMIT_LIST_ITEMS = env_int("LIMIT_LIST_ITEMS", 200)
# The Retry-After of the 503 answered while the database cannot be reached (a restart).
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 5)
# JSON read from people (API bodies, statute changes, files given to commands) nests at most
# this deep (governance/jsonsafe.py); no document the platform knows needs more than 6.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)

# ---------------------------------------------------------------------------
# The section this installation serves (document references: "ORG 50/003/2026")
# ---------------------------------------------------------------------------

DOCUMENT_SUBJECT_CODE = os.environ.get("DOCUMENT_SUBJECT_CODE", "ORG 50")
# Motions are indexed under their own subject code (the register's decisions under the above).
MOTION_SUBJECT_CODE = os.environ.get("MOTION_SUBJECT_CODE", "ORG 52")
# The body whose members rule on the admissibility of motions and amendments.
STANDING_ORDERS_BODY = os.environ.get("STANDING_ORDERS_BODY", "standing-orders")

# ---------------------------------------------------------------------------
# Secret ballots
# ---------------------------------------------------------------------------

# A secret ballot opens only with its trustees' joint key (elections/ballot_box.py). On a
# demonstration (and in the test suite) a ballot without trustees may open with a 1-of-1
# key the server holds, labelled as a demonstration on every page and in the result.
ELECTIONS_DEMO_SERVER_KEY = env_bool("ELECTIONS_DEMO_SERVER_KEY", DEBUG or TESTING)
