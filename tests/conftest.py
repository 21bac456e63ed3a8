import datetime as dt
import io
import random

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from applications import demo, page_cache
from applications.models import Call


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
    page_cache.public_pages_changed()  # nor may a page cached by one test show in the next
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


def seal_upload(name="盖章扫描件.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.seal_scan_png(), content_type="image/png")


def pdf_upload(name="单位简介.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.profile_pdf(), content_type="application/pdf")


def form_data(call: Call, number: int = 1, **overrides) -> dict:
    """POST data of a complete, valid 申报表 (without files), as the browser sends it."""
    values = demo.application_values(random.Random(number), number, today=timezone.localdate())
    data = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if name in ("agrees_to_declaration", "privacy_consent"):
                if value:
                    data[name] = "on"
            else:
                data[name] = "True" if value else "False"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    data["standards"] = [str(pk) for pk in call.standards.values_list("pk", flat=True)[:2]]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
