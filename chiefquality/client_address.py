"""The client's address, for the rate limits (django-ratelimit) and the admin login lock-out
(django-axes): both libraries call ``client_address`` (settings ``RATELIMIT_IP_META_KEY``
and ``AXES_CLIENT_IP_CALLABLE``), so they always agree on who a client is.

Directly on the Internet the client is ``REMOTE_ADDR``, and any ``X-Forwarded-For`` it
sends is its own invention. Behind our proxy (``DJANGO_BEHIND_PROXY=1``) ``REMOTE_ADDR`` is
the proxy for everyone; the client is the address the proxy itself adds, the *last* one of
``settings.CLIENT_ADDRESS_HEADER`` (nginx: ``proxy_set_header X-Forwarded-For
$proxy_add_x_forwarded_for``, or ``X-Real-IP $remote_addr``). Addresses before it were
sent by the client and are never trusted.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        added = request.META.get(header, "").rsplit(",", 1)[-1]
        address = _valid(added)
        if address:
            return address
    # Not behind a proxy, or a request that reached the server without passing the proxy.
    return remote
