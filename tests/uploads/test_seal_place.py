"""The red-seal hint says where on the page it saw the seal (a 3 × 3 grid), and a red mark
that is not a seal (a circled word, a sticker, a box stamp, a signature, a banner) is not
taken for one. On photos of the real 申报表 on a table, in any EXIF orientation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications import services, uploads
from applications.documents import pdf
from applications.enums import SealPlace
from applications.models import Application
from tests.factories import create_application, selector
from tests.factories import scans as s
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(call):
    application, _ = create_application(
        call, 21, unit_profile="本单位推行首席质量官制度，成效显著。" * 120
    )
    return s.pdf_pages(pdf.application_form_pdf(Application.objects.get(pk=application.pk)), 100)


SMALL = (1200, 900)  # the hint looks at 800 px at most


def test_every_seal_is_seen_at_its_place_and_no_other_red_mark_is_a_seal(pages):
    said = []
    for label, _truth, _where, photo in s.seal_hint_cases(pages, SMALL):
        for orientation in (1, 6, 3, 8):
            data = s.jpeg_bytes(photo, orientation=orientation)
            found = uploads.find_red_seal(io.BytesIO(data), "jpeg")
            said.append((label, orientation, found))
    expected = [
        (label, orientation, uploads.SealFinding(seen=truth, where=where))
        for label, truth, where, _photo in s.seal_hint_cases(pages, SMALL)
        for orientation in (1, 6, 3, 8)
    ]
    assert said == expected


@pytest.mark.parametrize(
    ("centre", "where"),
    [
        ((0.15, 0.12), SealPlace.TOP_LEFT),
        ((0.5, 0.15), SealPlace.TOP),
        ((0.85, 0.5), SealPlace.RIGHT),
        ((0.5, 0.5), SealPlace.CENTRE),
        ((0.15, 0.88), SealPlace.BOTTOM_LEFT),
    ],
)
def test_the_place_is_the_grid_cell_of_the_page_not_of_the_photo(pages, centre, where):
    page = pages[0]
    stamped = s.draw_seal(
        page, (int(page.width * centre[0]), int(page.height * centre[1])), page.width // 9
    )
    # The page fills 55 % of a landscape photo: the table round it is not the page.
    photo = s.on_table(stamped, size=(2000, 1500), fill=0.55)
    found = uploads.find_red_seal(io.BytesIO(s.jpeg_bytes(photo)), "jpeg")
    assert found == uploads.SealFinding(seen=True, where=where)
    # A flatbed scan: the picture is the page.
    scan = uploads.find_red_seal(io.BytesIO(s.png_bytes(stamped)), "png")
    assert scan == uploads.SealFinding(seen=True, where=where)


def test_the_worker_stores_the_place_and_both_pages_show_it(call, pages):
    application, token = create_application(call, 22)
    page = pages[0]
    stamped = s.draw_seal(page, (int(page.width * 0.72), int(page.height * 0.8)), page.width // 9)
    photo = s.jpeg_bytes(s.on_table(stamped, SMALL), orientation=6)
    application = Application.objects.get(pk=application.pk)
    services.application_update(
        application=application,
        values={},
        standards=list(application.standards.all()),
        files={
            "seal_scan": services.NewFile(
                upload=SimpleUploadedFile("IMG_1.jpg", photo, content_type="image/jpeg"),
                original_name="IMG_1.jpg",
                extension=".jpg",
            )
        },
        action="submit",
        token=token,
    )
    assert Application.objects.values_list("seal_detected", "seal_place").get(
        pk=application.pk
    ) == (None, "")
    run_jobs()
    application = Application.objects.get(pk=application.pk)
    assert (application.seal_detected, application.seal_place) == (True, "bottom_right")

    private = Client().get(f"/a/{application.reference}/{token}/").content.decode()
    assert "红章提示：在页面右下方检测到红色印章。" in private
    organiser = Client()
    organiser.force_login(selector())
    admin_page = organiser.get(
        f"/admin/applications/application/{application.pk}/change/"
    ).content.decode()
    assert "在页面右下方检测到红色印章（仅供参考，请人工核对）。" in admin_page
