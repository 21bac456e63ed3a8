"""The shared cache (Redis) in a way that an outage of Redis does not take the site down.

``ResilientRedisCache`` is Django's RedisCache with short socket timeouts and a breaker:
when Redis does not answer, the error is logged (once per ``RETRY_AFTER``), the cache is
marked down, and for ``RETRY_AFTER`` seconds no call waits for Redis again. While it is
down each operation behaves as OPTIONS["FALLBACK"] says:

- ``"miss"`` (the default alias): reads miss, writes do nothing. Sessions (``cached_db``)
  then come from the database, which stays the truth, so a login made on one app server is
  still valid on another and a logout is never undone by a stale copy; the public pages are
  served uncached (``public_pages.version`` returns None while the cache is down).
- ``"local"`` (the ``ratelimit`` alias): counts go to this process's own memory, so the
  rate limits still hold per process (with N processes a client gets at most N times the
  limit) instead of all failing open or every request being refused.

``available`` says whether the last call reached Redis (readiness reports it).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_SOCKET_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

_MISS_RESULTS: dict[str, Any] = {
    "add": False,
    "set": None,
    "touch": False,
    "delete": False,
    "has_key": False,
    "get_many": {},
    "set_many": [],
    "delete_many": None,
    "clear": None,
}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.fallback_mode = options.pop("FALLBACK", "miss")
        params = {**params, "OPTIONS": {**DEFAULT_SOCKET_OPTIONS, **options}}
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._local = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10000}})

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, error: BaseException) -> None:
        with self._lock:
            first = self.available
            self._down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning(
                "The shared cache (Redis) is unreachable (%s); %s for %.0f s",
                error,
                "counting in this process"
                if self.fallback_mode == "local"
                else "serving without it",
                RETRY_AFTER,
            )

    def _call(self, name: str, *args, default: Any = None, **kwargs):
        if self.available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._mark_down(error)
        if self.fallback_mode == "local":
            return getattr(self._local, name)(*args, **kwargs)
        return _MISS_RESULTS.get(name, default)

    # Reads
    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version, default=default)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    # Writes
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def incr(self, key, delta=1, version=None):
        if self.available:
            try:
                return super().incr(key, delta, version)
            except UNREACHABLE as error:
                self._mark_down(error)
        if self.fallback_mode == "local":
            return self._local.incr(key, delta, version)
        raise ValueError("the shared cache is unreachable")  # as for a missing key
