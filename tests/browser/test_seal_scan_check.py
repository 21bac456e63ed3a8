"""Issue 18's 'done when', on a 375 px phone: print the PDF, stamp it, photograph it, upload,
see ``matches``; edit the unit's address, see ``stale``; upload the new photo, see ``matches``
again. Then the organiser's change list and change page with every outcome.

The 'photo' is the downloaded PDF's page rendered by PDFium, with a red seal drawn on it,
laid on a table, noisy and vignetted, stored as a phone JPEG turned by its EXIF tag.
Screenshots (tests/browser/artifacts/seal-check-*) are for people to look at.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from applications import form_schema, services, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.models import Application
from applications.services.files import NewFile
from tests.factories import create_application, selector
from tests.factories import scans as s
from tests.jobs import run_jobs

from .conftest import DESKTOP, PHONE, artifact_path, screenshot
from .helpers import SUBMIT
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser

# WeasyPrint renders the form in the live server; on a loaded machine a long form takes more
# than the 10 s a request waits by default. Its speed is benchmarked, not timed here.
PDF_WAIT_MS = 60_000


def photo_of(pdf_bytes: bytes, path) -> None:
    """Print, sign and stamp the first page, and photograph it with a phone."""
    page = s.pdf_pages(pdf_bytes, dpi=150)[0]
    stamped = s.draw_seal(page, (page.width * 2 // 3, page.height * 17 // 20), page.width // 9)
    path.write_bytes(s.jpeg_bytes(s.photo_look(s.on_table(stamped)), orientation=6))


def upload_photo(page, private_url: str, path) -> None:
    page.goto(private_url + "edit/")
    page.set_input_files("#id_seal_scan", str(path))
    page.locator(SUBMIT).click()
    expect(page).to_have_url(private_url)


def new_scan(application, data: bytes, name="盖章表.pdf"):
    """Give ``application`` a seal scan through the service, as the form would."""
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    scan = NewFile(
        upload, name, inspected.extension, stamps=tuple(uploads.read_stamps(upload, "pdf"))
    )
    application = Application.objects.get(pk=application.pk)
    services.application_update(
        application=application,
        values={n: getattr(application, n) for n in form_schema.VALUE_FIELDS},
        standards=list(application.standards.all()),
        files={"seal_scan": scan},
        action="submit",
    )


def test_print_stamp_photograph_upload_edit_and_upload_again(
    transactional_db, call, open_page, tmp_path
):
    application, token = create_application(call, 31)
    private_url = f"/a/{application.reference}/{token}/"
    page = open_page(private_url, **PHONE)
    expect(page.locator("#scan-check")).to_contain_text("未识别到校验码")  # the factory's PNG

    # Print the PDF the page offers, stamp it, photograph it, upload the photo: matches.
    form_pdf = page.request.get(private_url + "form.pdf", timeout=PDF_WAIT_MS).body()
    photo_of(form_pdf, tmp_path / "IMG_0001.jpg")
    upload_photo(page, private_url, tmp_path / "IMG_0001.jpg")
    expect(page.locator("#scan-check")).to_contain_text("与在线内容一致")
    screenshot(page, "seal-check-matches-phone")

    # Edit the unit's address: the save asks for the explicit confirmation, then it is stale.
    page.goto(private_url + "edit/")
    page.fill("#id_address", "北京市西城区月坛北街 26 号")
    page.locator(SUBMIT).click()
    expect(page.locator("#id_seal_scan_error")).to_contain_text("盖章表与在线填写内容不一致")
    screenshot(page, "seal-check-confirm-phone")
    page.get_by_label("仍以当前盖章表提交", exact=False).check()
    page.locator(SUBMIT).click()
    expect(page).to_have_url(private_url)
    expect(page.locator("#scan-check")).to_contain_text(
        "盖章表与在线填写内容不一致，请重新打印盖章"
    )
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("打印盖章")
    screenshot(page, "seal-check-stale-phone")
    screenshot(open_page(private_url, **DESKTOP), "seal-check-stale-desktop")
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.STALE

    # Print the new version, stamp, photograph, upload: matches again.
    form_pdf = page.request.get(private_url + "form.pdf", timeout=PDF_WAIT_MS).body()
    photo_of(form_pdf, tmp_path / "IMG_0002.jpg")
    upload_photo(page, private_url, tmp_path / "IMG_0002.jpg")
    expect(page.locator("#scan-check")).to_contain_text("与在线内容一致")
    screenshot(page, "seal-check-matches-again-phone")
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.MATCHES


def test_the_applicant_and_the_organiser_see_every_outcome(transactional_db, call, open_page):
    tokens = {}
    matching, tokens["matches"] = create_application(call, 32)
    new_scan(matching, pdf.application_form_pdf(Application.objects.get(pk=matching.pk)))
    stale, tokens["stale"] = create_application(call, 33)
    new_scan(stale, pdf.application_form_pdf(Application.objects.get(pk=stale.pk)))
    stale = Application.objects.get(pk=stale.pk)
    services.application_update(
        application=stale,
        values={
            **{n: getattr(stale, n) for n in form_schema.VALUE_FIELDS},
            "address": "旧地址已改",
        },
        standards=list(stale.standards.all()),
        files={},
        action="submit",
        confirm_stale=True,
    )
    partial, tokens["partial"] = create_application(
        call, 34, unit_profile="本单位推行首席质量官制度。" * 250
    )
    whole = pdf.application_form_pdf(Application.objects.get(pk=partial.pk))
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(whole)).pages[0])
    first = io.BytesIO()
    writer.write(first)
    new_scan(partial, first.getvalue())
    other, tokens["other"] = create_application(call, 35)
    new_scan(other, pdf.application_form_pdf(Application.objects.get(pk=matching.pk)))
    unreadable, tokens["unreadable"] = create_application(call, 36)  # the factory's PNG
    selector("chief")

    page = open_page(None, **DESKTOP)
    log_in(page, "chief")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)
    for application, label in (
        (matching, "✓ 一致"),
        (stale, "✗ 不一致"),
        (partial, "缺第 2"),
        (other, "✗ 非本申报"),
    ):
        row = page.locator("#result_list tr", has_text=application.reference)
        expect(row.locator("td.field-scan_check_column")).to_contain_text(label)
    screenshot(page, "seal-check-admin-list")

    page.goto("/admin/applications/application/?scan_check__exact=stale")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(stale.reference)
    screenshot(page, "seal-check-admin-filter-stale")

    page.get_by_role("link", name=stale.reference).click()
    expect(page.locator(".field-scan_check_display")).to_contain_text("与在线内容不一致")
    expect(page.locator(".field-seal_scan_link")).to_be_visible()
    screenshot(page, "seal-check-admin-stale")

    # Every outcome on the application's admin page, and on the applicant's private page
    # (a phone) with what to do about it.
    phone = open_page(None, **PHONE)
    for application, outcome, in_admin, private in (
        (matching, "matches", "与在线内容一致", "二维码与当前在线填写内容一致"),
        (partial, "partial", "缺页（缺少第 2", "缺少第 2"),
        (other, "other", "其他申报的表", "属于另一份申报"),
        (unreadable, "unreadable", "未识别到校验码", "未在上传的文件中识别到申报表的二维码"),
        (stale, "stale", "与在线内容不一致", "请重新打印盖章"),
    ):
        assert Application.objects.get(pk=application.pk).scan_check == outcome
        page.goto(f"/admin/applications/application/{application.pk}/change/")
        expect(page.locator(".field-scan_check_display")).to_contain_text(in_admin)
        screenshot(page, f"seal-check-admin-page-{outcome}")
        seal_rows = page.locator("fieldset", has=page.locator(".field-scan_check_display"))
        if outcome == "unreadable":  # the factory's PNG: the scan itself beside its outcome
            scan = seal_rows.locator(".field-seal_scan_link img")
            scan.scroll_into_view_if_needed()
            expect(scan).to_have_js_property("complete", True)
            assert scan.evaluate("img => img.naturalWidth") > 0
        seal_rows.screenshot(path=artifact_path(f"seal-check-admin-field-{outcome}"))
        phone.goto(f"/a/{application.reference}/{tokens[outcome]}/")
        expect(phone.locator("#scan-check")).to_contain_text(private)
        # Pages are added one by one only to a form with pages missing; the other outcomes
        # need the whole stamped form again.
        adding = phone.locator("form.add-seal-page")
        expect(adding).to_have_count(1 if outcome == "partial" else 0)
        if outcome == "partial":
            expect(adding).to_contain_text("追加缺少的第 2、3 页")
        screenshot(phone, f"seal-check-private-{outcome}-phone")
        phone.locator("#scan-check").screenshot(
            path=artifact_path(f"seal-check-private-box-{outcome}-phone")
        )


def test_a_long_form_photographed_page_by_page(transactional_db, call, open_page, tmp_path):
    application, token = create_application(
        call, 37, unit_profile="本单位推行首席质量官制度，质量管理成效显著。" * 110
    )
    private_url = f"/a/{application.reference}/{token}/"
    page = open_page(private_url, **PHONE)
    pages = s.pdf_pages(
        page.request.get(private_url + "form.pdf", timeout=PDF_WAIT_MS).body(), dpi=150
    )
    assert len(pages) >= 2
    photos = []
    for number, printed in enumerate(pages, start=1):
        photo = tmp_path / f"IMG_{number:04d}.jpg"
        photo.write_bytes(s.jpeg_bytes(s.photo_look(s.on_table(printed)), orientation=6))
        photos.append(photo)

    # Page 1 through the form: the page says which pages are missing.
    upload_photo(page, private_url, photos[0])
    missing = "、".join(str(n) for n in range(2, len(pages) + 1))
    expect(page.locator("#scan-check")).to_contain_text(f"缺少第 {missing} 页")
    screenshot(page, "seal-check-partial-phone")

    # The others one by one, in order, with the box on the private page.
    for photo in photos[1:]:
        page.set_input_files("#id_page", str(photo))
        page.get_by_role("button", name="追加此页").click()
        expect(page.locator(".alert-success").first).to_contain_text(photo.name)
    expect(page.locator("#scan-check")).to_contain_text("与在线内容一致")
    expect(page.locator(".seal-pages li")).to_have_count(len(pages))
    screenshot(page, "seal-check-pages-matches-phone")

    # The organiser sees every photographed page in the application's page, and the
    # timeline says the pages were added.
    selector("chief")
    admin = open_page(None, **DESKTOP)
    log_in(admin, "chief")
    admin.goto(f"/admin/applications/application/{application.pk}/change/")
    expect(admin.locator(".field-scan_check_display")).to_contain_text("与在线内容一致")
    added = admin.locator(".field-seal_pages_links .seal-page img")
    expect(added).to_have_count(len(pages) - 1)
    for img in added.all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0
    expect(admin.locator(".timeline")).to_contain_text("盖章表追加页")
    admin.locator("fieldset", has=admin.locator(".field-seal_pages_links")).screenshot(
        path=artifact_path("seal-check-admin-pages")
    )

    # Removing one brings the missing page back.
    page.locator(".seal-pages li").last.get_by_role("button").click()
    expect(page.locator("#scan-check")).to_contain_text(f"缺少第 {len(pages)} 页")
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.PARTIAL


def test_the_seal_hint_says_where_on_the_page_it_saw_the_seal(
    transactional_db, call, open_page, tmp_path
):
    """The red-seal hint (the worker's) names the place of the seal on the page, on the
    private page and on the organiser's page, on a phone and on a desktop."""
    application, token = create_application(call, 38)
    page = s.pdf_pages(pdf.application_form_pdf(Application.objects.get(pk=application.pk)))[0]
    stamped = s.draw_seal(page, (page.width * 18 // 25, page.height * 4 // 5), page.width // 9)
    photo = s.jpeg_bytes(s.photo_look(s.on_table(stamped)), orientation=6)
    upload = SimpleUploadedFile("IMG_0004.jpg", photo)
    stamps = tuple(uploads.read_stamps(upload, "jpeg"))
    application = Application.objects.get(pk=application.pk)
    services.application_update(
        application=application,
        values={n: getattr(application, n) for n in form_schema.VALUE_FIELDS},
        standards=list(application.standards.all()),
        files={"seal_scan": NewFile(upload, "IMG_0004.jpg", ".jpg", stamps=stamps)},
        action="submit",
    )
    run_jobs()
    assert Application.objects.get(pk=application.pk).seal_place == "bottom_right"

    private_url = f"/a/{application.reference}/{token}/"
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        private = open_page(private_url, **size)
        hint = private.locator("#scan-check .seal-place")
        expect(hint).to_have_text("红章提示：在页面右下方检测到红色印章。")
        hint.scroll_into_view_if_needed()
        screenshot(private, f"seal-place-private-{name}")

    selector("chief")
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        admin = open_page(None, **size)
        log_in(admin, "chief")
        admin.goto(f"/admin/applications/application/{application.pk}/change/")
        hint = admin.locator(".field-seal_hint")
        expect(hint).to_contain_text("在页面右下方检测到红色印章（仅供参考，请人工核对）。")
        hint.scroll_into_view_if_needed()
        screenshot(admin, f"seal-place-admin-{name}")


def test_the_print_view_sends_a_long_form_to_the_numbered_pdf(transactional_db, call, open_page):
    application, token = create_application(call, 39)
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = open_page(f"/a/{application.reference}/{token}/print/", **size)
        expect(page.locator(".unpaged-note")).to_contain_text("网页打印的二维码只印在第一页")
        expect(page.locator(".stamp-caption")).to_contain_text("网页版（不分页）")
        link = page.get_by_role("link", name="下载 PDF 版（推荐用于盖章）")
        expect(link).to_have_attribute("href", f"/a/{application.reference}/{token}/form.pdf")
        screenshot(page, f"print-view-unpaged-{name}")
