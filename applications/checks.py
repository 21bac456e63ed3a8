"""Deploy checks of our own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_for_rate_limits(app_configs, **kwargs):
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
