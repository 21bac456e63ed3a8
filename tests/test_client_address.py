"""Who the client is, for the rate limits and the admin lock-out (chiefquality/client_address.py).
Through real servers and proxies: tests/system/test_proxy.py."""

from django.conf import settings as django_settings
from django.test import RequestFactory

from chiefquality.client_address import client_address


def request(forwarded_for: str | None = None, remote: str = "10.0.0.9"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_both_libraries_ask_the_same_function():
    path = "chiefquality.client_address.client_address"
    assert path == django_settings.RATELIMIT_IP_META_KEY
    assert path == django_settings.AXES_CLIENT_IP_CALLABLE


def test_without_a_proxy_the_connection_is_the_client(settings):
    settings.CLIENT_ADDRESS_HEADER = ""
    assert client_address(request("203.0.113.7")) == "10.0.0.9"


def test_behind_the_proxy_only_the_hop_it_adds_counts(settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(request("203.0.113.7")) == "203.0.113.7"
    # What the client sent comes first; the proxy appends the address it saw.
    assert client_address(request("198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    assert client_address(request("198.51.100.1,2001:db8::1")) == "2001:db8::1"


def test_behind_the_proxy_a_missing_or_broken_header_falls_back_to_the_connection(settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(request()) == "10.0.0.9"
    assert client_address(request("203.0.113.7, not-an-address")) == "10.0.0.9"
