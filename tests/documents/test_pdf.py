"""The PDF documents: the 申报表 of one application and the list of selected units.

Read back as a reader would: the text with pypdf, the fonts from the page resources, the
first page as pixels through poppler's pdftoppm.
"""

import io
import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFile

from applications import demo, form_schema, services, uploads
from applications.documents import fonts, pdf
from applications.form_schema import Kind
from applications.models import Application
from tests.factories import create_application, decide_final, pdf_file, seal_file
from tests.factories.documents import (
    ARTIFACTS,
    font_names,
    ink,
    organiser,
    page_texts,
    pdf_page_png,
    pdf_reader,
    select,
    selected_units,
    squash,
)

pytestmark = pytest.mark.django_db

# Where the QR code sits: the top right corner of every page (fractions of the page).
QR_BOX = (0.855, 0.035, 0.905, 0.07)


def cjk_only(names: set[str]) -> bool:
    return bool(names) and all(
        n.replace("-", "").startswith(("NotoSerifCJK", "NotoSansCJK")) for n in names
    )


def test_the_form_is_the_filled_paper_table_in_the_cjk_font(call):
    standards = list(call.standards.all())
    application, _ = create_application(
        call,
        7,
        unit_name="深圳市欧阳质量技术有限公司",
        drafter_name="欧阳明月",
        standards=[standards[0], standards[2]],
        can_provide_funding=False,
    )
    data = pdf.application_form_pdf(application)

    assert len(pdf_reader(data).pages) == 1
    text = page_texts(data)[0]
    signed = application.signed_on
    for expected in (
        "首席质量官系列团体标准起草单位申报表",
        "商贸促字〔2021〕163号",
        f"申报编号{application.reference}",
        "单位名称深圳市欧阳质量技术有限公司单位性质" + application.get_unit_type_display(),
        f"统一社会信用代码{application.credit_code}",
        f"推荐起草人姓名欧阳明月性别{application.get_drafter_gender_display()}",
        f"民族汉族籍贯{application.drafter_native_place}",
        f"手机{application.drafter_mobile}",
        f"电子邮箱{application.drafter_email}",
        squash(application.unit_profile),
        squash(application.drafter_resume),
        # The three questions with the answers ticked, as on paper: 是（✓） 否（ ）
        "按时参加标准各项起草会议：是（✓）否（）",
        "提供必要的资金支持：是（）否（✓）",
        "提供必要的技术支持：是（✓）否（）",
        "单位意见：我单位同意作为该团体标准起草单位",
        f"负责人：{application.responsible_person}（公章）",
        f"{signed.year}年{signed.month}月{signed.day}日",
        "第1页共1页",
    ):
        assert expected in text, expected
    # The standards applied for are ticked, the other one is not.
    assert "✓《首席质量官术语与原则》" in text
    assert "✓《首席质量官培育指南》" not in text and "《首席质量官培育指南》" in text
    assert "✓《首席质量官评价指南》" in text

    # No fallback font (every glyph came from Noto CJK), and no bold faces: two fonts.
    assert font_names(data) == {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}
    # Only the glyphs used are embedded: one whole Noto CJK font is over 10 MB.
    assert len(data) < 1_000_000, len(data)


def paper_table(html: str) -> list[list[str]]:
    """The cells' texts of the 申报表's table, row by row (ticks and blanks left out)."""
    start = html.index('<table class="form">')
    table = html[start : html.index("</table>", start)]
    return [
        [
            squash(re.sub(r"<[^>]+>|[☑☐✓]", "", cell))
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_the_print_view_and_the_pdf_print_the_same_table_with_every_printed_field(client, call):
    application, token = create_application(
        call, 7, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    printed = client.get(f"/a/{application.reference}/{token}/print/").content.decode()
    document = pdf.application_form_html(application)

    rows = paper_table(document)
    assert paper_table(printed) == rows
    assert len(rows) == len(form_schema.PAPER_ROWS)
    # The credit code (beyond the paper form) on a row of its own, as in the PDF.
    assert rows[2] == ["统一社会信用代码", application.credit_code]
    assert rows[3] == ["主营业务", squash(application.main_business), "所属行业", "E建筑业"]
    whole = "".join(cell for row in rows for cell in row)
    for field in form_schema.FIELDS:
        label = squash(field.paper_text(Application.label(field.name)))
        assert (label in whole) is (field.printed and field.kind is not Kind.FILE), field.name
    assert "另附：单位简介.pdf" in whole


def test_long_texts_run_onto_further_pages_with_reference_and_qr_on_each(call):
    profile = "".join(f"第{i:03d}句：本单位推行首席质量官制度，成效显著。" for i in range(1, 201))
    resume = "\n".join(f"简历{i:03d}：主持团体标准起草工作。" for i in range(1, 231))
    assert len(profile) <= 5000 and len(resume) <= 5000
    application, _ = create_application(call, 8, unit_profile=profile, drafter_resume=resume)
    data = pdf.application_form_pdf(application)

    texts = page_texts(data)
    assert len(texts) >= 3
    # The running header and footer come last in each page's text: leave them out.
    whole = "".join(text[: text.rindex("商贸促字〔2021〕163号附件")] for text in texts)
    # Nothing lost and nothing out of order across the page breaks.
    positions = [whole.index(f"第{i:03d}句") for i in range(1, 201)]
    positions += [whole.index(f"简历{i:03d}") for i in range(1, 231)]
    assert positions == sorted(positions)
    assert whole.index("简历001") > whole.index("第200句")
    for number, text in enumerate(texts, start=1):
        assert f"申报编号{application.reference}" in text
        assert f"第{number}页共{len(texts)}页" in text
        qr = ink(pdf_page_png(data, number, dpi=30), QR_BOX)
        assert qr["dark"] > 0.25, (number, qr)
    # The declaration, signature and seal box stay together, after everything else.
    assert "（公章）" in texts[-1] and whole.count("（公章）") == 1


def test_the_selected_list_uses_the_foreword_wording_in_list_order(call):
    chief = organiser("chief", "decide_application")
    units = selected_units(
        call,
        chief,
        [
            (1, "深圳甲质量技术有限公司", "张三", [1, 2]),
            (2, "北京乙大学", "李四", [2]),
            (3, "上海丙质量管理协会", "王五", [1, 3]),
            (4, "杭州丁质量发展研究院", "赵六", [1, 2, 3]),
        ],
    )
    first, second, third, fourth = units
    services.selected_list_reorder(
        call=call, order=[third.pk, first.pk, fourth.pk, second.pk], actor=chief
    )
    waitlisted, _ = create_application(call, 5, unit_name="成都戊公司", drafter_name="孙七")
    decide_final(waitlisted, "waitlist", chief)
    withdrawn, _ = create_application(call, 6, unit_name="武汉己公司", drafter_name="周八")
    select(withdrawn, chief)
    services.application_withdraw(application=withdrawn)

    data = pdf.selected_list_pdf(call)

    texts = page_texts(data)
    # The 落款 does not fit under the table on the first page: it takes the table's last
    # row with it to the second (never a page of its own).
    assert len(texts) == 2
    text = "".join(texts)
    for expected in (
        "深圳大学中国质量报刊社中国国际贸易促进委员会商业行业委员会",
        "首席质量官系列团体标准起草单位和起草人名单",
        "共有4家单位入选",
        "一、《首席质量官术语与原则》（CCPIT-CSC-JH2021164）"
        "本文件起草单位：上海丙质量管理协会、深圳甲质量技术有限公司、杭州丁质量发展研究院。"
        "本文件主要起草人：王五、张三、赵六。",
        "二、《首席质量官培育指南》（CCPIT-CSC-JH2021165）"
        "本文件起草单位：深圳甲质量技术有限公司、杭州丁质量发展研究院、北京乙大学。"
        "本文件主要起草人：张三、赵六、李四。",
        "三、《首席质量官评价指南》（CCPIT-CSC-JH2021166）"
        "本文件起草单位：上海丙质量管理协会、杭州丁质量发展研究院。"
        "本文件主要起草人：王五、赵六。",
        "序号单位名称单位性质推荐起草人职称/职务申报标准",
        "商贸促字〔2021〕163号",
        "第1页共2页",
    ):
        assert expected in text, expected
    table = text[text.index("入选起草单位一览表") :]
    rows = [
        f"{n}{u.unit_name}{u.get_unit_type_display()}{u.drafter_name}"
        for n, u in enumerate([third, first, fourth, second], start=1)
    ]
    assert [table.index(row) for row in rows] == sorted(table.index(row) for row in rows)
    for absent in ("成都戊公司", "孙七", "武汉己公司", "周八"):
        assert absent not in text
    assert cjk_only(font_names(data))


def test_thirty_selected_units_fill_three_pages_in_order(call):
    chief = organiser("chief", "decide_application")
    demo.create_demo_applications(call, 30)
    applications = list(Application.objects.filter(call=call).order_by("-reference"))
    for application in applications:  # selected in reverse order of reference
        select(application, chief)

    data = pdf.selected_list_pdf(call)

    texts = page_texts(data)
    assert len(texts) == 3
    for number, text in enumerate(texts, start=1):
        assert "商贸促字〔2021〕163号" in text and f"第{number}页共3页" in text
    whole = "".join(texts)
    table = whole[whole.index("入选起草单位一览表") :]
    places = [table.index(squash(a.unit_name)) for a in applications]
    assert places == sorted(places)


def test_first_pages_have_ink_black_on_the_form_red_on_the_list_masthead(call):
    application, _ = create_application(call, 9)
    select(application, organiser("chief", "decide_application"))
    form = pdf.application_form_pdf(application)
    listing = pdf.selected_list_pdf(call)

    page = pdf_page_png(form, dpi=50, keep_as="application-form.png")
    whole = ink(page)
    assert whole["non_white"] > 0.04 and whole["dark"] > 0.01, whole
    assert ink(page, QR_BOX)["dark"] > 0.25  # the QR code
    assert ink(page, (0.08, 0.15, 0.92, 0.9))["dark"] > 0.01  # the table's lines and text
    # No red anywhere: the red-seal hint on the scanned form must mean a real seal.
    assert whole["red"] == 0
    png = io.BytesIO()
    page.save(png, "PNG")
    assert uploads.detect_red_seal(io.BytesIO(png.getvalue()), "png") is False
    # The same page stamped (a seal drawn over 单位意见) is recognised as sealed.
    width, height = page.size
    draw = ImageDraw.Draw(page)
    box = (int(width * 0.62), int(height * 0.74), int(width * 0.84), int(height * 0.89))
    draw.ellipse(box, outline=(210, 20, 30), width=4)
    centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    draw.regular_polygon((*centre, (box[2] - box[0]) // 6), 5, fill=(210, 20, 30))
    stamped = io.BytesIO()
    page.save(stamped, "PNG")
    assert uploads.detect_red_seal(io.BytesIO(stamped.getvalue()), "png") is True

    page = pdf_page_png(listing, dpi=50, keep_as="selected-list.png")
    whole = ink(page)
    assert whole["non_white"] > 0.03 and whole["dark"] > 0.01, whole
    masthead = ink(page, (0.1, 0.08, 0.9, 0.2))
    assert masthead["red"] > 0.01, masthead  # the bodies' names and the rule, in red
    assert ink(page, (0.1, 0.3, 0.9, 0.6))["red"] == 0  # the list itself is black
    assert (ARTIFACTS / "selected-list.png").exists()


def test_without_the_cjk_font_no_pdf_of_empty_boxes_is_made(call, settings):
    application, _ = create_application(call, 10)
    settings.DOCUMENT_FONTS = {"serif": "No Such Serif CJK", "sans": "Noto Sans CJK SC"}

    with pytest.raises(pdf.FontMissing) as missing:
        pdf.application_form_pdf(application)
    message = str(missing.value)
    assert "No Such Serif CJK" in message and "fonts-noto-cjk" in message
    assert "apt-get install fonts-noto-cjk" in message
    with pytest.raises(pdf.FontMissing):
        pdf.selected_list_pdf(call)


def test_without_fc_list_no_pdf_is_risked(call, settings, tmp_path, monkeypatch):
    """fontconfig's fc-list not on PATH: whether the fonts are there is unknown, so no PDF
    (the deploy check has said so). Noto Sans CJK TC is installed here, and no other test
    asks for it, so it is looked up now."""
    application, _ = create_application(call, 12)
    settings.DOCUMENT_FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK TC"}
    assert fonts.missing_families(["Noto Sans CJK TC"]) == []
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(pdf.FontMissing) as missing:
        pdf.application_form_pdf(application)
    assert "Noto Sans CJK TC" in missing.value.families


def test_making_a_pdf_leaves_the_upload_checks_strict(call):
    """WeasyPrint's import sets Pillow's LOAD_TRUNCATED_IMAGES; pdf puts it back."""
    application, _ = create_application(call, 11)
    pdf.application_form_pdf(application)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    noise = Image.frombytes("RGB", (300, 200), random.Random(1).randbytes(300 * 200 * 3))
    png = io.BytesIO()
    noise.save(png, "PNG")
    cut = SimpleUploadedFile("cut.png", png.getvalue()[: png.tell() // 2], "image/png")
    with pytest.raises(ValidationError) as refused:
        uploads.inspect_upload(cut, allowed=frozenset({"png"}))
    assert refused.value.code == "corrupt_image"


def test_fontconfig_lists_the_installed_families_only():
    installed = fonts.installed_families()

    assert {"noto serif cjk sc", "noto sans cjk sc"} <= installed
    assert "no such serif cjk" not in installed
    assert fonts.missing_families(
        ["Noto Serif CJK SC", "noto sans cjk sc", "No Such Serif CJK", "No Such Serif CJK"]
    ) == ["No Such Serif CJK"]
