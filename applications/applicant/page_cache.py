"""Whole-page cache for the public pages that are the same for every first-time visitor.

The list of calls, a call's page and its blank 申报表 are most of the portal's traffic (a
link shared in chat apps, opened on phones) and change only when organisers edit a call.
They are rendered once per language and kept in the cache:

- only for a plain GET without a query string, a session or pending messages (so nothing
  personal is ever stored or served);
- per-request values (the CSRF token, the form's idempotency key) are rendered as markers
  and filled in for each response;
- per call (the call's primary key is in the key: two calls never share a page), until a
  call is edited (``public_pages_changed``, called from signals), the call opens or closes
  (for the list: any call), or five minutes pass, whichever comes first.

The rendered pages live in each worker's memory (the ``worker`` cache: Django's
LocMemCache, which drops the least recently used quarter when full), keyed by a version
number kept in the shared cache; a worker reads that number at most once a second, so an
edit reaches every worker within a second and a cached page costs no database query and,
mostly, no round trip to the cache server.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from applications import enums, public_pages
from applications.models import Call, OrganisingBody, Question
from applications.public_pages import WORKER_CACHE

MAX_AGE = 300
CSRF_MARKER = "csrf-token-marker-3f9a1c"
KEY_MARKER = "00000000-0000-4000-8000-0000cafe0001"


def _key(parts: tuple) -> str:
    """The cache key of ``parts``: no spaces (Django warns of keys memcached would refuse)."""
    return ":".join(
        part.isoformat() if isinstance(part, dt.datetime) else str(part) for part in parts
    )


def _remember(key, value, timeout):
    """Keep ``value`` in this worker until ``timeout`` seconds from now."""
    caches[WORKER_CACHE].set(_key(key), value, timeout)


def _recall(key):
    return caches[WORKER_CACHE].get(_key(key))


def cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _kept(key, compute, timeout=MAX_AGE, version=None):
    """``compute()``, kept in this worker under ``key`` (with the version) for ``timeout``."""
    version = public_pages.version() if version is None else version
    if version is None:  # the shared cache is down: nobody would hear of an edit
        return compute()
    key = (*key, version)
    value = _recall(key)
    if value is None:
        value = compute()
        if value is not None:
            _remember(key, value, timeout)
    return value


def _call_brief(code: str, version: int):
    """(pk, opens_at, deadline) of the published call ``code`` (None if there is none), from
    this worker's memory while nothing changed."""

    def brief():
        return (
            Call.objects.filter(code=code, status=enums.CallStatus.PUBLISHED)
            .values_list("pk", "opens_at", "deadline")
            .first()
        )

    return _kept(("call-brief", code), brief, version=version)


def _public_moments(version: int) -> list:
    """When any published call opens or closes: the list of calls changes then."""

    def moments():
        rows = Call.objects.filter(status=enums.CallStatus.PUBLISHED).values_list(
            "opens_at", "deadline"
        )
        return [moment for row in rows for moment in row]

    return _kept(("public-moments",), moments, version=version)


def call_times(call_id: int):
    """(opens_at, deadline) of a call, from this worker's memory while no call changed."""
    return _kept(
        ("call-times", call_id),
        lambda: Call.objects.filter(pk=call_id).values_list("opens_at", "deadline").get(),
    )


def call_bodies(call_id: int) -> list[str]:
    """The names of a call's organising bodies (the pages' footer names them), from this
    worker's memory while no call or body changed."""
    return _kept(
        ("call-bodies", call_id),
        lambda: list(OrganisingBody.objects.filter(calls=call_id).values_list("name", flat=True)),
    )


def call_questions(call_id: int) -> list:
    """A call's own questions (the private page shows their answers), from this worker's
    memory while no call or question changed."""
    return _kept(("call-questions", call_id), lambda: list(Question.objects.filter(call=call_id)))


def cached_page(
    request, name: str, render, *, code: str | None = None, only_while_open: bool = False
) -> HttpResponse:
    """``render(markers)`` → HttpResponse, cached per page, call, language and version.

    ``code`` names the call the page shows (None: the list of calls, which changes whenever
    any call opens or closes). ``markers`` is a dict for the template context
    (``csrf_token``, ``idempotency_key``) whose values are placeholders replaced per
    response. Calls ``render({})`` directly when the request is not cacheable, the call is
    not public (the view answers 404) or, with ``only_while_open``, the call is not open.
    A cache hit costs no database query.
    """
    if not cacheable(request):
        return render({})
    version = public_pages.version()  # once, for both lookups below (each reads the cache)
    if version is None:  # the shared cache is down: serve uncached
        return render({})
    now = timezone.now()
    if code is None:
        moments = _public_moments(version)
        pk = ""
    else:
        brief = _call_brief(code, version)
        if brief is None:
            return render({})
        pk, opens_at, deadline = brief
        if only_while_open and not opens_at <= now < deadline:
            return render({})
        moments = [opens_at, deadline]
    key = ("page", name, pk, translation.get_language(), version)
    html = _recall(key)
    if html is None:
        response = render({"csrf_token": CSRF_MARKER, "idempotency_key": KEY_MARKER})
        if response.status_code != 200:
            return response
        html = response.content.decode()
        coming = [t for t in moments if t > now]
        timeout = min([MAX_AGE, *[int((t - now).total_seconds()) for t in coming]])
        _remember(key, html, max(1, timeout))
    # Only a page with a form asks for a CSRF token (which sets the cookie).
    if CSRF_MARKER in html:
        html = html.replace(CSRF_MARKER, get_token(request))
    if KEY_MARKER in html:
        html = html.replace(KEY_MARKER, str(uuid.uuid4()))
    return HttpResponse(html)


PRIVATE_MAX_AGE = 60


def cached_private_page(request, key: tuple, render) -> HttpResponse:
    """An applicant's private page, kept in this worker's memory only (never in the shared
    cache) under ``key``, which must change whenever the page would: the application's
    ``updated_at`` and token hash, whether it can still be edited. Not used while messages
    are waiting to be shown."""
    if "messages" in request.COOKIES or request.session.get("_messages"):
        return render()
    version = public_pages.version()
    if version is None:  # the shared cache is down: an edit of the call would go unheard
        return render()
    full = ("private", *key, translation.get_language(), version)
    html = _recall(full)
    if html is None:
        response = render()
        if response.status_code != 200:
            return response
        html = response.content.decode()
        _remember(full, html, PRIVATE_MAX_AGE)
    return HttpResponse(html)
