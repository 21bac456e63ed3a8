"""Settings for the drafting-unit portal, read from environment variables.

Every knob that differs between a laptop, CI and production comes from the environment
(see README "Configuration"); everything else is fixed here.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django

from chiefquality.observability import init_sentry, logging_config
from chiefquality.storage_url import private_storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, or a random key kept in var/secret_key (created on first use)."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "chiefquality.apps.PortalAdminConfig",  # django.contrib.admin with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The task queue: Django 6 has it built in; Django 5.2 takes the django-tasks backport.
    *([] if django.VERSION >= (6,) else ["django_tasks"]),
    "django_tasks_db",
    "health_check",
    "applications",
    "outbox",
]

MIDDLEWARE = [
    # First: a later middleware may parse the body (see the module).
    "chiefquality.multipart_names.KeepLegacyFileNames",
    "django.middleware.security.SecurityMiddleware",
    "chiefquality.middleware.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "applications.applicant.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chiefquality.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "chiefquality.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers queue for the write lock instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Applicant-facing strings are written in Chinese (the source language); the English
# catalogue is applications/locale/en/LC_MESSAGES/django.po, compiled by scripts/bootstrap.sh.
LOCALE_PATHS = [BASE_DIR / "applications" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from the WSGI process (gunicorn) after `collectstatic`;
# with DJANGO_STATIC_MANIFEST=1 (production) names carry a content hash and are cached
# for a year. Without it (development, tests) files are found where they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # Uploads: MEDIA_ROOT/private, or a private S3-compatible bucket when STORAGE_URL (or
    # AWS_STORAGE_BUCKET_NAME) is set; see applications/storage.py.
    "private": private_storage_settings(os.environ),
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded files are private: they live under MEDIA_ROOT but no URL serves that folder.
# They are streamed only by views that check the applicant's private link or an organiser.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# No URL serves uploads. An absolute URL on a reserved, non-existent host (RFC 2606) keeps
# any media handler (such as the test live server's) from serving MEDIA_ROOT.
MEDIA_URL = "https://media.invalid/"

# Uploads: every file field accepts at most this many bytes; larger files are discarded
# while they stream in (see applications.uploads.handlers.SizeLimitedUploadHandler).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_MAX_PIXELS = 40_000_000
# Memory one image may take to decode; a PNG, or a progressive JPEG, that needs more is
# refused with its own pixel limit (applications/uploads/images.py: pixel_limit).
UPLOAD_MAX_DECODED_BYTES = 64 * 1024 * 1024
# A phone's HEIC/HEIF photo (iPhones take 24 and 48 MP ones) is decoded by strips into a
# picture of at most PHOTO_SIDE pixels a side, not held whole by Pillow: its own limit.
UPLOAD_MAX_HEIF_PIXELS = 50_000_000
FILE_UPLOAD_HANDLERS = [
    "applications.uploads.handlers.SizeLimitedUploadHandler",
]
# Uploads stream into this folder while a request is read. A server killed mid-upload
# leaves its partial file here, where cleanup_orphan_files finds it (not in /tmp).
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or str(MEDIA_ROOT / "uploading")
FILE_UPLOAD_PERMISSIONS = 0o640
# Files kept between a failed form submission and the next try (hours).
PENDING_UPLOAD_MAX_AGE_HOURS = 24
# Periodic jobs (applications/schedule.py): drafts are reminded this many days before the
# deadline; the personal data of units that were not selected is erased this many days
# after their call's deadline (PIPL: no longer than needed).
DRAFT_REMINDER_DAYS = int(os.environ.get("DRAFT_REMINDER_DAYS", "3"))
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "365"))
# A new application is a draft of an unconfirmed contact address until the link of the
# confirmation mail is opened (applications/services/confirmation.py). Until then it takes
# no reference, its mails carry no typed text, its files are capped (per draft, and per
# client address over the last day across its unconfirmed drafts), and it is deleted with
# its files after UNCONFIRMED_DRAFT_HOURS.
UNCONFIRMED_DRAFT_HOURS = int(os.environ.get("UNCONFIRMED_DRAFT_HOURS", "72"))
UNCONFIRMED_DRAFT_MAX_BYTES = int(os.environ.get("UNCONFIRMED_DRAFT_MAX_MB", "5")) * 1024 * 1024
UNCONFIRMED_CLIENT_MAX_BYTES = int(os.environ.get("UNCONFIRMED_CLIENT_MAX_MB", "20")) * 1024 * 1024

# PDF documents (WeasyPrint): the CJK fonts they are set in, by fontconfig family name.
# Debian's fonts-noto-cjk provides both; without them a PDF would show empty boxes, so
# rendering refuses to start (applications.documents.pdf.check_fonts).
DOCUMENT_FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development unless EMAIL_URL or EMAIL_HOST is set. Django's own
# settings can also be given by name (EMAIL_BACKEND, EMAIL_FILE_PATH, EMAIL_TIMEOUT, …).
# Nothing is sent inside a request: every mail is a row of the outbox (the outbox app),
# sent by the worker, which retries when the server is down.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "团体标准起草单位征集 <noreply@localhost>"
)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not os.environ.get("EMAIL_URL") and not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
if os.environ.get("EMAIL_URL"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(os.environ["EMAIL_URL"])
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "submission"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that does not answer holds the worker (never a request) this long, then the
# mail is retried later.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# The task queue: jobs are rows of our own database (django-tasks-db), written in the
# transaction of the change that causes them; `manage.py db_worker` runs them and
# `manage.py run_scheduler` enqueues the periodic ones (applications/schedule.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The absolute address put in emails (private links). Requests fill it in when unset.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS: on by default in production (DJANGO_DEBUG=0); DJANGO_HTTPS=0 turns it off for a
# plain-HTTP test deployment or a benchmark on localhost.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips the client's.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Who the client is, for the rate limits and the admin lock-out (chiefquality/client_address.py):
# behind the proxy, the last address of this header (the one the proxy adds); otherwise
# REMOTE_ADDR, and a client's own X-Forwarded-For is ignored.
_client_header = os.environ.get("DJANGO_CLIENT_ADDRESS_HEADER", "X-Forwarded-For").strip()
CLIENT_ADDRESS_HEADER = (
    "HTTP_" + _client_header.upper().replace("-", "_") if BEHIND_PROXY and _client_header else ""
)
RATELIMIT_IP_META_KEY = "chiefquality.client_address.client_address"
AXES_CLIENT_IP_CALLABLE = "chiefquality.client_address.client_address"

# Content-Security-Policy (django-csp): no inline or foreign scripts anywhere, the admin
# included; data: images for Bootstrap's form icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the portal needs none of these. A phone's
# camera still works for the seal scan: <input type=file capture> opens the system camera.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    name: []
    for name in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: 5 failed logins for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "applications.applicant.views.login_locked"
AXES_VERBOSE = False
# django-otp: with ORGANISER_OTP=1, admin logins also need a TOTP code from a device the
# superuser registered for the account (admin → TOTP devices).
ORGANISER_OTP_REQUIRED = env_bool("ORGANISER_OTP", False)
OTP_TOTP_ISSUER = "起草单位征集平台"

# Caches. Rate limits count in the cache, so several workers must share one: set
# REDIS_URL in production (a deploy check says so). One process (runserver, tests)
# works with the local-memory cache.
CACHES: dict[str, dict[str, Any]]
if os.environ.get("REDIS_URL"):
    # chiefquality/cache.py: when Redis does not answer, the site goes on without it (the
    # database keeps the sessions, pages are served uncached, rate limits count per process).
    CACHES = {
        "default": {
            "BACKEND": "chiefquality.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
        "ratelimit": {
            "BACKEND": "chiefquality.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"FALLBACK": "local"},
        },
    }
    RATELIMIT_USE_CACHE = "ratelimit"
    # Sessions are read from the shared cache and written through to the database: no
    # session query on a page view (a per-worker cache would serve stale sessions).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The public pages, kept in each worker process's own memory (applicant/page_cache.py): a
# hit costs no round trip. Past MAX_ENTRIES the least recently used quarter is dropped.
CACHES["worker"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "worker",
    "OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4},
}
RATELIMIT_VIEW = "applications.applicant.views.rate_limited"
# Requests per client address (and per e-mail address for the link page).
RATE_LIMITS = {
    # per browser (or application), and per address for all its browsers together
    "form_post": os.environ.get("RATE_LIMIT_FORM", "30/10m"),
    "form_post_address": os.environ.get("RATE_LIMIT_FORM_ADDRESS", "300/10m"),
    "resend_link": os.environ.get("RATE_LIMIT_RESEND", "10/h"),
    "resend_link_email": os.environ.get("RATE_LIMIT_RESEND_EMAIL", "3/h"),
    "download": os.environ.get("RATE_LIMIT_DOWNLOAD", "120/m"),
    "objection": os.environ.get("RATE_LIMIT_OBJECTION", "10/h"),
}

# /readyz (applications/health.py): more django-health-check checks, by dotted path.
READYZ_EXTRA_CHECKS: list[Any] = ["outbox.health.QueueBacklog"]  # the worker keeps up

LOGGING = logging_config(
    os.environ.get("LOG_FORMAT", "text"), os.environ.get("DJANGO_LOG_LEVEL", "INFO")
)
SENTRY_ENABLED = init_sentry(os.environ)
