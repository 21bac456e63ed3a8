"""A scratch portal for the benchmarks: Django set up on a throw-away SQLite database.

Import this before anything from Django. ``scratch(units)`` migrates, seeds the call of
the notice and ``units`` submitted demo applications, and returns (call, organiser).
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = tempfile.TemporaryDirectory(prefix="chiefquality-bench-")
# A throw-away SQLite file unless BENCH_DATABASE_URL names another (empty) database.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_TMP.name}/bench.sqlite3"
)
os.environ["MEDIA_ROOT"] = f"{_TMP.name}/media"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
# The test Client speaks plain HTTP: without this, production settings (DJANGO_DEBUG=0)
# would redirect every request to HTTPS.
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiefquality.settings")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def scratch(units: int):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from applications.demo import create_demo_applications
    from applications.models import Call

    setup_test_environment()  # the test Client, locmem e-mail
    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("seed_call", deadline="2099-12-31", stdout=quiet)
    call = Call.objects.get(code="cqo-2021")
    if not call.applications.exists():
        create_demo_applications(call, units)
    organiser, _ = get_user_model().objects.get_or_create(
        username="bench-organiser", defaults={"is_staff": True, "is_superuser": True}
    )
    return call, organiser
