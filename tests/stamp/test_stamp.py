"""The version stamp: the digest follows exactly the printed fields, the PDF carries it on
every page, and a seal scan is judged against it when uploaded and whenever the data change."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from applications import form_schema, services, stamp, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.form_schema import Kind
from applications.models import Application
from applications.services.files import NewFile
from tests.factories import create_application, values
from tests.factories.documents import page_texts

pytestmark = pytest.mark.django_db

LONG_PROFILE = "本单位推行首席质量官制度，质量管理成效显著。" * 110  # runs onto more pages


def changed(application: Application, field: form_schema.Field):
    """Change the field on the (unsaved) application; any other value will do."""
    name = field.name
    value = getattr(application, name)
    if field.kind in (Kind.LINE, Kind.TEXT, Kind.NUMBER):
        setattr(application, name, (value or "") + "9")
    elif field.kind is Kind.EMAIL:
        setattr(application, name, "z" + value)
    elif field.kind in (Kind.CHOICE, Kind.CODE):
        choices = [c for c, _label in Application._meta.get_field(name).choices if c != value]
        setattr(application, name, choices[0])
    elif field.kind is Kind.DATE:
        setattr(application, name, value + datetime.timedelta(days=1))
    elif field.kind in (Kind.YES_NO, Kind.TICK):
        setattr(application, name, not value)
    elif field.kind is Kind.FILE:
        getattr(application, name).name = "applications/x/other.pdf"
        setattr(application, f"{name}_name", "另一个文件.pdf")
    elif field.kind is Kind.STANDARDS:
        others = [s for s in application.call.standards.all() if s not in value.all()]
        value.add(others[0])
    elif field.kind is Kind.BODIES:
        setattr(application, name, [*value, application.call.organising_bodies.first().pk])
    else:  # a new kind must say how it changes
        raise AssertionError(field.kind)


@pytest.mark.parametrize("field", form_schema.FIELDS, ids=lambda f: f.name)
def test_every_printed_field_changes_the_digest_and_no_other_does(call, field):
    application, _ = create_application(call, 4)
    application = Application.objects.get(pk=application.pk)
    before = stamp.digest(application)
    changed(application, field)
    assert (stamp.digest(application) != before) is field.printed


def test_the_digest_is_stable_and_versioned(call):
    application, _ = create_application(call, 5)
    code = stamp.digest(Application.objects.get(pk=application.pk))
    assert code == stamp.digest(Application.objects.get(pk=application.pk))
    assert len(code) == 6 and code == code.upper()
    assert stamp.short(code) == f"v1·{code[:4]}-{code[4:]}"
    text = stamp.qr_text(application.reference, code, 1, 2)
    assert text == f"CQ|{application.reference}|v1|{code}|1/2"
    assert stamp.parse(text) == stamp.PageStamp(application.reference, "v1", code, 1, 2)
    assert stamp.parse("https://example.com/") is None
    assert stamp.parse(f"CQ|{application.reference}|v1|{code}|3/2") is None


def test_every_page_of_the_pdf_carries_its_own_stamp(call):
    application, _ = create_application(call, 6, unit_profile=LONG_PROFILE)
    data = pdf.application_form_pdf(application)
    code = stamp.digest(application)

    found = uploads.read_stamps(io.BytesIO(data), "pdf")

    texts = page_texts(data)
    assert len(texts) >= 2
    assert found == [
        stamp.qr_text(application.reference, code, n, len(texts)) for n in range(1, len(texts) + 1)
    ]
    for number, text in enumerate(texts, start=1):
        caption = f"{application.reference}·v1·{code[:4]}-{code[4:]}"
        assert f"{caption}·第{number}页共{len(texts)}页" in text


def test_the_print_view_carries_an_unpaged_stamp_and_sends_a_long_form_to_the_pdf(call, client):
    """The browser breaks the pages where its printer says, which the page cannot know: its
    one stamp says 0/0 and the paper says it is unpaged; the view says why and links to the
    PDF, whose every page has a numbered stamp."""
    application, token = create_application(call, 7)
    response = client.get(f"/a/{application.reference}/{token}/print/")
    code = stamp.digest(application)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{stamp.caption(application.reference, code)} · 网页版（不分页）" in page
    assert page.count('class="stamp-qr"') == 1
    assert stamp.qr_svg_data_uri(stamp.qr_text(application.reference, code, 0, 0)) in page
    assert "网页打印的二维码只印在第一页，且不带页码" in page
    assert f'href="/a/{application.reference}/{token}/form.pdf">下载 PDF 版（推荐用于盖章）' in page

    client.post("/i18n/setlang/", {"language": "en"})
    english = client.get(f"/a/{application.reference}/{token}/print/").content.decode()
    assert "Download the PDF (best for stamping)" in english
    assert "without a page number" in english


@pytest.mark.parametrize(
    ("texts", "outcome", "missing"),
    [
        (["CQ|R-1|v1|AAAAAA|1/2", "CQ|R-1|v1|AAAAAA|2/2"], ScanCheck.MATCHES, ()),
        (["CQ|R-1|v1|AAAAAA|0/0"], ScanCheck.MATCHES, ()),
        (["CQ|R-1|v1|AAAAAA|1/3"], ScanCheck.PARTIAL, (2, 3)),
        (["CQ|R-1|v1|AAAAAA|1/2", "CQ|R-1|v1|BBBBBB|2/2"], ScanCheck.STALE, ()),
        (["CQ|R-1|v0|AAAAAA|1/1"], ScanCheck.STALE, ()),
        (["CQ|R-2|v1|AAAAAA|1/1"], ScanCheck.OTHER, ()),
        ([], ScanCheck.UNREADABLE, ()),
    ],
)
def test_judge(texts, outcome, missing):
    assert stamp.judge(texts, "R-1", "AAAAAA") == stamp.Verdict(outcome, missing)


def scan_of(data: bytes, name="盖章表.pdf") -> NewFile:
    """The seal scan as the form hands it to the service: inspected, stamps read."""
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    stamps = uploads.read_stamps(upload, inspected.kind)
    return NewFile(upload, name, inspected.extension, stamps=tuple(stamps))


def update(application, token, *, files=None, confirm_stale=False, **changes):
    application = Application.objects.get(pk=application.pk)
    data = {name: getattr(application, name) for name in form_schema.VALUE_FIELDS}
    data.update(changes)
    return services.application_update(
        application=application,
        values=data,
        standards=list(application.standards.all()),
        files=files or {},
        action="submit",
        token=token,
        confirm_stale=confirm_stale,
    )


def test_a_matching_scan_turns_stale_on_a_printed_edit_and_back_with_a_new_scan(call):
    application, token = create_application(call, 8)
    assert application.scan_check == ScanCheck.UNREADABLE  # the factory's seal PNG has no QR

    application = update(
        application, token, files={"seal_scan": scan_of(pdf.application_form_pdf(application))}
    )
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.MATCHES

    # An unprinted field: still matches.
    application = update(application, token, contact_email="new@example.com")
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.MATCHES

    # A printed one: submitting with the stale scan needs the explicit confirmation.
    with pytest.raises(ValidationError) as refused:
        update(application, token, address="北京市西城区月坛北街 26 号")
    assert refused.value.error_dict["seal_scan"][0].code == "stale_scan"
    new_address = "北京市西城区月坛北街 26 号"
    assert Application.objects.get(pk=application.pk).address != new_address
    application = update(application, token, confirm_stale=True, address=new_address)
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.STALE
    # Once confirmed, another edit does not ask again.
    update(application, token, contact_email="again@example.com")

    fresh = Application.objects.get(pk=application.pk)
    update(fresh, token, files={"seal_scan": scan_of(pdf.application_form_pdf(fresh))})
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.MATCHES


def test_a_missing_page_and_another_applications_form(call):
    application, token = create_application(call, 9, unit_profile=LONG_PROFILE)
    other, _ = create_application(call, 10)
    whole = pdf.application_form_pdf(application)
    pages = len(PdfReader(io.BytesIO(whole)).pages)
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(whole)).pages[0])
    first_page = io.BytesIO()
    writer.write(first_page)

    update(application, token, files={"seal_scan": scan_of(first_page.getvalue())})
    saved = Application.objects.get(pk=application.pk)
    assert saved.scan_check == ScanCheck.PARTIAL
    assert stamp.judge(saved.scan_stamps, saved.reference, stamp.digest(saved)).missing == tuple(
        range(2, pages + 1)
    )

    update(application, token, files={"seal_scan": scan_of(pdf.application_form_pdf(other))})
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.OTHER


def test_the_factory_values_make_a_complete_form(call):
    # The helper above resubmits every value field: the factory's data must round-trip.
    assert set(values(1)) >= set(form_schema.VALUE_FIELDS) - {"extra_answers"}
