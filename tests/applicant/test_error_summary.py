"""A failed submission: the summary at the top leads to each field, and each field's message
is tied to its input (aria-describedby, aria-invalid) and says what to do."""

import pytest
from django.test.html import Element, parse_html

from applications import demo
from applications.validation import CREDIT_CODE_CHARSET
from tests.factories import form_data, seal_upload

pytestmark = pytest.mark.django_db

GOOD_CODE = demo.credit_code(5)
WRONG_CHECK = (
    GOOD_CODE[:-1] + CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.index(GOOD_CODE[-1]) + 1) % 31]
)


def elements(node):
    if isinstance(node, Element):
        yield node
        for child in node.children:
            yield from elements(child)


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    return "".join(text_of(child) for child in node.children)


class Page:
    def __init__(self, html: str):
        self.all = list(elements(parse_html(html)))
        self.by_id = {}
        for element in self.all:
            attrs = dict(element.attributes)
            if attrs.get("id"):
                assert attrs["id"] not in self.by_id, f"duplicate id {attrs['id']}"
                self.by_id[attrs["id"]] = element

    def attrs(self, element_id: str) -> dict:
        return dict(self.by_id[element_id].attributes)

    def summary_links(self) -> list[tuple[str, str]]:
        summary = self.by_id["error-summary"]
        return [
            (dict(a.attributes)["href"], text_of(a).strip())
            for a in elements(summary)
            if a.name == "a"
        ]


def post(client, data, **files):
    response = client.post("/calls/cqo-2021/apply/", {**data, **files})
    assert response.status_code == 200
    return Page(response.content.decode()), response.context["form"]


def test_summary_counts_the_errors_and_links_to_every_field(client, call):
    page, form = post(client, {"action": "submit", "postcode": "12", "drafter_email": "x@"})
    fields = [name for name in form.errors]
    assert len(fields) >= 30
    heading = text_of(page.by_id["error-summary-title"]).strip()
    assert heading == f"有 {len(fields)} 处需要修改"
    links = page.summary_links()
    assert len(links) == len(fields)
    for href, _label in links:
        target = href.removeprefix("#")
        # The link leads to a real, focusable control that says it is invalid and points
        # to the message shown at the field.
        attrs = page.attrs(target)
        assert page.by_id[target].name in ("input", "select", "textarea"), target
        assert attrs.get("aria-invalid") == "true", target
        described = attrs.get("aria-describedby", "").split()
        errors = [i for i in described if i.endswith("_error")]
        assert errors, f"{target} is not tied to its message"
        assert text_of(page.by_id[errors[0]]).strip(), target


def test_radio_groups_link_to_their_first_button_and_every_button_is_described(client, call):
    page, _form = post(client, {"action": "submit"})
    hrefs = [href for href, _label in page.summary_links()]
    for name in ("standards", "unit_type", "drafter_gender", "can_provide_funding"):
        assert f"#id_{name}_0" in hrefs, name
        buttons = [
            e for e in page.all if e.name == "input" and dict(e.attributes).get("name") == name
        ]
        assert len(buttons) >= 2
        for button in buttons:
            attrs = dict(button.attributes)
            assert attrs["aria-invalid"] == "true"
            assert f"id_{name}_error" in attrs["aria-describedby"].split()


def test_summary_follows_the_order_of_the_page(client, call):
    _page, form = post(client, {"action": "submit"})
    names = [item["target"].removeprefix("id_").removesuffix("_0") for item in form.error_summary()]
    assert names[:3] == ["standards", "unit_name", "credit_code"]
    assert names.index("drafter_resume") < names.index("seal_scan") < names.index("contact_email")


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        (
            {"credit_code": WRONG_CHECK},
            "credit_code",
            "统一社会信用代码的 18 位与校验规则不符：按前 17 位，最后一位（校验码）应为",
        ),
        ({"credit_code": "91350100M000100YI3"}, "credit_code", "请对照营业执照重新填写"),
        ({"postcode": "5180"}, "postcode", "请填写 6 位数字的邮政编码，如 518060"),
        ({"drafter_email": "wang@"}, "drafter_email", "请填写完整的电子邮箱地址"),
        (
            {
                "drafter_birth_date": None,
                "drafter_birth_date_year": "1990",
                "drafter_birth_date_month": "2",
                "drafter_birth_date_day": "",
            },
            "drafter_birth_date",
            "请选择完整的出生年、月、日",
        ),
        ({"signed_on": "2999-01-01"}, "signed_on", "请填写负责人签字盖章的日期"),
        ({"unit_type": ""}, "unit_type", "提交前请选择一项"),
        ({"drafter_birth_date": ""}, "drafter_birth_date", "提交前请填写日期"),
        ({"main_business": "业" * 501}, "main_business", "请删减到 500 字以内（现有 501 字）"),
        ({"unit_profile": "质" * 5001}, "unit_profile", "更多内容可另附文件"),
    ],
)
def test_messages_say_what_to_do(client, call, overrides, field, expected):
    data = form_data(call, action="submit", **overrides)
    page, form = post(client, data, seal_scan=seal_upload())
    assert list(form.errors) == [field]
    (message,) = form.errors[field]
    assert expected in message, message
    assert expected in text_of(page.by_id[f"id_{field}_error"])
