"""Deploy settings, security headers, login lock-out, TOTP, rate limits, hostile text."""

import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import Application
from tests.factories import UserFactory, create_application, form_data, seal_upload

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters of one test must not leak into the next
    yield
    cache.clear()


def deploy_check(**extra) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_URL", "SITE_URL", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="chiefquality.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
        DATABASE_URL="sqlite:///:memory:",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_BEHIND_PROXY": "1",
    "SITE_URL": "https://portal.example.cn",
    "EMAIL_URL": "submission://portal:secret@smtp.example.cn:587",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_a_per_process_cache_and_plain_http():
    result = deploy_check(DJANGO_HTTPS="0")
    assert result.returncode != 0
    assert "chiefquality.W001" in result.stderr  # no REDIS_URL
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT off


def test_check_deploy_catches_a_site_url_left_unset():
    unset = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = deploy_check(**unset)
    assert result.returncode != 0
    assert "chiefquality.W011" in result.stderr and "127.0.0.1:8000" in result.stderr
    empty = deploy_check(**{**PRODUCTION, "SITE_URL": ""})
    assert "chiefquality.W011" in empty.stderr


def test_check_deploy_refuses_production_without_a_mail_server():
    without = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = deploy_check(**without)  # the console backend, by default
    assert result.returncode != 0
    assert "chiefquality.E014" in result.stderr and "printed to the console" in result.stderr
    files = deploy_check(
        **without,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH="/tmp/mails",
    )
    assert "chiefquality.E014" in files.stderr and "written to files" in files.stderr


def test_check_deploy_catches_a_proxy_with_no_client_address_header():
    result = deploy_check(**PRODUCTION, DJANGO_CLIENT_ADDRESS_HEADER="")
    assert result.returncode != 0
    assert "chiefquality.E011" in result.stderr


def test_check_deploy_catches_an_unreachable_redis():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = deploy_check(**{**PRODUCTION, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    assert result.returncode != 0
    assert "chiefquality.E013" in result.stderr and "does not answer" in result.stderr


def test_check_deploy_catches_missing_cjk_fonts(tmp_path):
    """fc-list lists no font (a fake one, first on PATH): the PDFs could not be made."""
    fc_list = tmp_path / "fc-list"
    fc_list.write_text("#!/bin/sh\nexit 0\n")
    fc_list.chmod(0o755)

    result = deploy_check(**PRODUCTION, PATH=f"{tmp_path}:{os.environ['PATH']}")

    assert result.returncode != 0
    assert "chiefquality.E001" in result.stderr and "fonts-noto-cjk" in result.stderr


def test_every_page_carries_the_security_headers(client, admin_client, call):
    for response in (
        client.get("/"),
        client.get("/calls/cqo-2021/apply/"),
        admin_client.get("/admin/"),
    ):
        assert response.status_code == 200
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids them; this finds them before a browser does."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.parts:
            continue  # mail clients need inline styles; no CSP applies to mail
        text = path.read_text(encoding="utf-8")
        tags = re.findall(r"<script\b[^>]*>", text)
        offenders += [f"{path.name}: {tag}" for tag in tags if "src=" not in tag]
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\s(?:style|on[a-z]+)=\"", text)]
    assert offenders == []


def _login(client, username, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, **extra},
        REMOTE_ADDR="203.0.113.7",
    )


def test_admin_login_locks_after_five_failures(client, settings):
    UserFactory(username="organiser", is_staff=True)
    for _ in range(4):
        response = _login(client, "organiser", "wrong")
        assert response.status_code == 200 and "organiser" in response.content.decode()
    locked = _login(client, "organiser", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已暂时锁定" in page and "锁定 1 小时" in page
    still = _login(client, "organiser", PASSWORD)  # even the right password, for an hour
    assert still.status_code == 429
    assert "_auth_user_id" not in client.session
    other = _login(client, "someone-else", PASSWORD)
    assert other.status_code == 200  # the lock is per username and address


def test_totp_for_organisers_when_switched_on(client, settings, call):
    settings.ORGANISER_OTP_REQUIRED = True
    user = UserFactory(username="reviewer", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    without = _login(client, "reviewer", PASSWORD)
    assert without.status_code == 200 and "动态验证码" in without.content.decode()
    assert "_auth_user_id" not in client.session
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    ok = _login(client, "reviewer", PASSWORD, otp_token=f"{token:06d}")
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/applications/application/").status_code == 200
    # A session logged in without a device is not enough for the admin or the files.
    other = UserFactory(username="nodevice", is_staff=True, is_superuser=True)
    client.force_login(other)
    assert client.get("/admin/").status_code == 302
    application = create_application(call, 1)[0]
    assert client.get(f"/organiser/files/{application.pk}/seal_scan/").status_code == 403
    settings.ORGANISER_OTP_REQUIRED = False
    assert client.get("/admin/").status_code == 200


def test_form_posts_are_rate_limited_with_a_page_in_chinese(client, call, settings):
    # Per day: django-ratelimit's windows are aligned to the clock, and a test that ran
    # across a window's edge would see its count start again.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "2/d"}
    for number in (1, 2):
        response = client.post(
            reverse("applications:apply", args=["cqo-2021"]),
            {**form_data(call, number), "action": "submit", "seal_scan": seal_upload()},
        )
        assert response.status_code == 303
    limited = client.post(
        reverse("applications:apply", args=["cqo-2021"]),
        {**form_data(call, 3), "action": "submit", "seal_scan": seal_upload()},
    )
    assert limited.status_code == 429
    # issue 19 item 2: the message above the form, which keeps what was typed
    assert "操作过于频繁，暂未保存" in limited.content.decode()
    assert f'value="{form_data(call, 3)["unit_name"]}"' in limited.content.decode()
    assert Application.objects.count() == 2
    assert (
        client.get(reverse("applications:apply", args=["cqo-2021"])).status_code == 200
    )  # reading is free
    elsewhere = client.post(
        reverse("applications:apply", args=["cqo-2021"]),
        {**form_data(call, 4), "action": "submit", "seal_scan": seal_upload()},
        REMOTE_ADDR="198.51.100.9",
    )
    assert elsewhere.status_code == 303


def test_resend_link_is_limited_per_address_and_per_email(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "resend_link_email": "2/h"}
    url = reverse("applications:resend_link")
    for ip in ("198.51.100.1", "198.51.100.2"):
        assert client.post(url, {"email": "a@example.com"}, REMOTE_ADDR=ip).status_code == 200
    third = client.post(url, {"email": "a@example.com"}, REMOTE_ADDR="198.51.100.3")
    assert third.status_code == 429
    assert (
        client.post(url, {"email": "b@example.com"}, REMOTE_ADDR="198.51.100.3").status_code == 200
    )


def test_downloads_are_rate_limited(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "download": "3/d"}  # see above: per day
    application, token = create_application(call, 1)
    url = f"/a/{application.reference}/{token}/files/seal_scan/"
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert client.get(url).status_code == 429


def test_a_two_megabyte_text_field_is_refused_and_nothing_is_stored(client, call):
    response = client.post(
        reverse("applications:apply", args=["cqo-2021"]),
        {
            **form_data(call, 1, unit_profile="质" * 700_000),
            "action": "submit",
            "seal_scan": seal_upload(),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["unit_profile"]
    assert "5000" in form.errors["unit_profile"][0]
    assert Application.objects.count() == 0
