"""Issue 18 in the production layout: the production server (gunicorn) behind the proxy
(Debian's nginx, or the small forwarding proxy where nginx is not installed), an applicant
with a phone. Save a draft, open the confirmation link, print the 申报表 PDF, stamp and
photograph its first page (a 12 MP phone JPEG turned by its EXIF tag), upload the photo
through the edit form: the private page says the scan matches; edit the unit's address: it
says the stamped paper no longer matches. The same requests the browser sends, with httpx."""

import io
import re
import sqlite3

import pytest
from PIL import Image

from tests.factories import CONFIRM_LINK, form_data
from tests.factories import scans as s
from tests.system.servers import portal_env

from .test_proxy import PROXIES, client, proxied

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    directory = tmp_path_factory.mktemp("seal-proxy")
    return portal_env(directory), directory


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def confirmation_token(directory) -> str:
    """The link of the confirmation mail, from the outbox of the portal's database (no worker
    runs here: the mail waits there)."""
    with sqlite3.connect(directory / "db.sqlite3") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM outbox_outgoingmail")]
    found = [m.group(1) for text in texts if (m := CONFIRM_LINK.search(text))]
    assert len(found) == 1, texts
    return found[0]


def stamped_photo(pdf: bytes) -> bytes:
    page = s.pdf_pages(pdf, dpi=150)[0]
    stamped = s.draw_seal(page, (page.width * 2 // 3, page.height * 17 // 20), page.width // 9)
    return s.jpeg_bytes(s.photo_look(s.on_table(stamped)), orientation=6)


@pytest.mark.parametrize("kind", PROXIES)
def test_a_phone_photo_of_the_stamped_form_is_checked_behind_the_proxy(call, portal, kind):
    env, directory = portal
    with proxied(kind, env, directory) as port, client(port) as phone:
        apply = "/calls/cqo-2021/apply/"
        form = phone.get(apply)
        assert form.status_code == 200
        standards = re.findall(r'name="standards" value="(\d+)"', form.text)[:1]
        data = form_data(call, 71, standards=standards, action="draft")
        data["csrfmiddlewaretoken"] = csrf_of(form.text)
        saved = phone.post(apply, data=data, headers={"Referer": f"{phone.base_url}{apply}"})
        assert saved.status_code == 303, saved.text[:2000]
        opened = phone.get(f"/confirm/{confirmation_token(directory)}/")
        assert opened.status_code == 303, opened.text[:2000]
        private = opened.headers["location"]

        form_pdf = phone.get(private + "form.pdf", timeout=120)
        assert form_pdf.headers["content-type"] == "application/pdf"
        photo = stamped_photo(form_pdf.content)
        with Image.open(io.BytesIO(photo)) as taken:
            assert taken.size == (3024, 4032)  # 12 MP, stored turned: EXIF orientation 6

        edit = phone.get(private + "edit/")
        data.pop("idempotency_key", None)
        data.update(action="draft", csrfmiddlewaretoken=csrf_of(edit.text))
        uploaded = phone.post(
            private + "edit/",
            data=data,
            files={"seal_scan": ("IMG_0001.jpg", photo, "image/jpeg")},
            headers={"Referer": f"{phone.base_url}{private}edit/"},
        )
        assert uploaded.status_code == 303, uploaded.text[:2000]
        page = phone.get(private).text
        assert "盖章表校验：与在线内容一致" in page

        # A photo of another version of the form: the paper no longer says what is online.
        data["address"] = "北京市西城区月坛北街 26 号"
        edit = phone.get(private + "edit/")
        data["csrfmiddlewaretoken"] = csrf_of(edit.text)
        changed = phone.post(
            private + "edit/", data=data, headers={"Referer": f"{phone.base_url}{private}edit/"}
        )
        assert changed.status_code == 303, changed.text[:2000]
        assert "盖章表校验：与在线内容不一致" in phone.get(private).text
