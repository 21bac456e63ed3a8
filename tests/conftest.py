import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation

from applications import public_pages
from applications.models import Call

# A real S3 server (SeaweedFS) for the storage tests: fixtures s3_server and s3_bucket.
pytest_plugins = ["tests.seaweed"]


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language; a page shown in English leaves it active."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test writes its uploads into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "media" / "uploading")
    cache.clear()  # rate-limit counters of one test must not count in the next
    public_pages.public_pages_changed()  # nor may a page cached by one test show in the next
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def call(db) -> Call:
    """The seeded call of the notice, open for another 30 days."""
    deadline = timezone.localdate() + dt.timedelta(days=30)
    call_command("seed_call", deadline=deadline.isoformat(), stdout=io.StringIO())
    return Call.objects.get(code="cqo-2021")


@pytest.fixture
def closed_call(call) -> Call:
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save(update_fields=["deadline"])
    return call
