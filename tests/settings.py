"""Settings for the test suite: production settings, served over plain HTTP.

Tests run with DEBUG off like production; only HTTPS (redirects, secure cookies) is off,
as the test client and the browser tests' live server speak plain HTTP. The deploy
settings themselves are tested by running ``check --deploy`` in a subprocess.
"""

import os

os.environ.setdefault("DJANGO_HTTPS", "0")

from chiefquality.settings import *  # noqa: F403

# Hashing test passwords with the production hasher costs ~0.3 s a user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# One process: the local-memory cache (tests clear it between tests), whatever REDIS_URL says.
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
