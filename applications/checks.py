"""System checks of our own: the 申报表's declaration against the model, and deploy checks
(``manage.py check --deploy``)."""

from urllib.parse import urlsplit

import redis
from django.apps import apps
from django.conf import settings
from django.core import checks

from applications import form_schema
from applications.documents.fonts import FC_LIST_PACKAGE, FONT_PACKAGE, missing_families

LOOPBACK_HOSTS = {"localhost", "::1", "0.0.0.0", ""}


def form_schema_matches_the_model(app_configs=None, **kwargs):
    """Every editable field of ``Application`` is in one section of the 申报表 (or is one of
    the portal's own), and every field the sections name is a field of ``Application``."""
    if app_configs is not None and apps.get_app_config("applications") not in app_configs:
        return []
    return form_schema_errors(form_schema.SECTIONS)


def form_schema_errors(sections) -> list[checks.Error]:
    model = apps.get_model("applications", "Application")
    missing, repeated, unknown = form_schema.out_of_place(sections, model)
    errors = [
        checks.Error(
            f"Application.{name} is in no section of the form (form_schema.SECTIONS).",
            hint="Declare it in its section and row, or add it to form_schema.PORTAL_FIELDS "
            "if the portal sets it and the applicant never does.",
            obj="applications.form_schema",
            id="applications.E001",
        )
        for name in missing
    ]
    errors += [
        checks.Error(
            f"Application.{name} is declared more than once in form_schema.SECTIONS.",
            hint="A field belongs to one section and one row: remove the other declarations.",
            obj="applications.form_schema",
            id="applications.E002",
        )
        for name in repeated
    ]
    errors += [
        checks.Error(
            f"form_schema.SECTIONS declares {name!r}, which is no field of Application.",
            hint="Add the field to the model (and a migration), or correct the name.",
            obj="applications.form_schema",
            id="applications.E003",
        )
        for name in unknown
    ]
    return errors


def shared_cache_for_rate_limits(**kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "Rate limits count in the cache, which all workers must share.",
                hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0).",
                id="chiefquality.W001",
            )
        ]
    return []


def site_url_for_links(**kwargs):
    """Mailed private links are built on SITE_URL; its default is a developer's machine."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return [
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL or '(empty)'}: the private links in e-mails "
                "would point to this machine, not to the portal.",
                hint="Set SITE_URL to the portal's public address, e.g. https://portal.example.cn.",
                id="chiefquality.W011",
            )
        ]
    return []


CLIENT_ADDRESS_CALLABLE = "chiefquality.client_address.client_address"


def client_address_behind_proxy(**kwargs):
    """Behind a proxy every request comes from the proxy: without the header that names the
    client, every rate limit and lock-out would be one bucket for the whole site."""
    errors = []
    if settings.BEHIND_PROXY and not settings.CLIENT_ADDRESS_HEADER:
        errors.append(
            checks.Error(
                "DJANGO_BEHIND_PROXY is set but no header names the client's address: every "
                "client would share one rate limit and one admin lock-out.",
                hint="Leave DJANGO_CLIENT_ADDRESS_HEADER unset (X-Forwarded-For) or name the "
                "header the proxy sets, e.g. X-Real-IP.",
                id="chiefquality.E011",
            )
        )
    for name in ("RATELIMIT_IP_META_KEY", "AXES_CLIENT_IP_CALLABLE"):
        if getattr(settings, name, None) != CLIENT_ADDRESS_CALLABLE:
            errors.append(
                checks.Error(
                    f"{name} does not ask {CLIENT_ADDRESS_CALLABLE}: the rate limits and the "
                    "admin lock-out would disagree on who a client is.",
                    hint=f"Set {name} = {CLIENT_ADDRESS_CALLABLE!r}.",
                    id="chiefquality.E012",
                )
            )
    return errors


def cache_reachable(**kwargs):
    """REDIS_URL set but Redis not answering: the rate limits and sessions would fail."""
    location = settings.CACHES["default"].get("LOCATION")
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache") or not location:
        return []
    try:
        client = redis.Redis.from_url(location, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # connection refused, timeout, authentication, DNS...
        return [
            checks.Error(
                f"The cache at REDIS_URL does not answer ({exc.__class__.__name__}: {exc}).",
                hint="Start Redis, or correct REDIS_URL.",
                id="chiefquality.E013",
            )
        ]
    return []


# Backends that never deliver a mail to an applicant.
NON_DELIVERING_MAIL = {
    "django.core.mail.backends.console.EmailBackend": "printed to the console",
    "django.core.mail.backends.locmem.EmailBackend": "kept in memory",
    "django.core.mail.backends.dummy.EmailBackend": "thrown away",
    "django.core.mail.backends.filebased.EmailBackend": "written to files",
}


def mail_delivered(**kwargs):
    """Without EMAIL_URL (or EMAIL_HOST, or a chosen backend) the mails, and with them each
    applicant's only private link, would never leave the machine."""
    fate = NON_DELIVERING_MAIL.get(settings.EMAIL_BACKEND)
    if fate is None:
        return []
    return [
        checks.Error(
            f"No mail server is set: every e-mail would be {fate} ({settings.EMAIL_BACKEND}), "
            "and applicants would never receive their private links.",
            hint="Set EMAIL_URL, e.g. submission://user:password@smtp.example.cn:587.",
            id="chiefquality.E014",
        )
    ]


def fonts_for_documents(**kwargs):
    """The PDFs need the CJK fonts of DOCUMENT_FONTS; without them WeasyPrint prints boxes."""
    missing = missing_families(settings.DOCUMENT_FONTS.values())
    if missing is None:
        return [
            checks.Warning(
                "fontconfig's fc-list cannot run, so whether the fonts of the PDFs "
                "(DOCUMENT_FONTS) are installed is unknown.",
                hint=f"Install the Debian package {FC_LIST_PACKAGE}.",
                id="chiefquality.W002",
            )
        ]
    if missing:
        return [
            checks.Error(
                f"No font of the families {', '.join(missing)}: the PDFs cannot be made.",
                hint=f"Install the Debian package {FONT_PACKAGE}.",
                id="chiefquality.E001",
            )
        ]
    return []


def register() -> None:
    """Called once from AppConfig.ready."""
    checks.register(form_schema_matches_the_model, checks.Tags.models)
    checks.register(shared_cache_for_rate_limits, checks.Tags.caches, deploy=True)
    checks.register(fonts_for_documents, deploy=True)
    checks.register(site_url_for_links, deploy=True)
    checks.register(client_address_behind_proxy, deploy=True)
    checks.register(cache_reachable, checks.Tags.caches, deploy=True)
    checks.register(mail_delivered, deploy=True)
