"""The version of the public pages: one number in the shared cache, bumped when the call, its
standards or its bodies change, so that every worker forgets the pages it keeps.

Below the models (it imports none), so that ``signals`` can bump it while the app loads.
"""

from django.core.cache import cache, caches

VERSION_KEY = "public-pages-version"
VERSION_TTL = 1.0  # seconds a worker trusts the version number it last read
WORKER_CACHE = "worker"  # the CACHES alias of this process's own memory


def public_pages_changed() -> None:
    """The call, its standards or its bodies changed: forget every cached page."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    caches[WORKER_CACHE].clear()


def version() -> int | None:
    """The version of the public pages, as this worker last read it (at most VERSION_TTL ago).

    None while the shared cache is unreachable: no worker could learn of an edit then, so
    pages are not kept (chiefquality/cache.py)."""
    if not getattr(cache, "available", True):
        return None
    here = caches[WORKER_CACHE]
    number = here.get(VERSION_KEY)
    if number is None:
        number = cache.get_or_set(VERSION_KEY, 1, None)
        here.set(VERSION_KEY, number, VERSION_TTL)
    return number
