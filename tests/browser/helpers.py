"""What the browser tests share: the applicant's values as typed, files, and form filling."""

import datetime as dt
import random
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from applications import demo, form_schema
from applications.form_schema import Kind
from applications.validation import CREDIT_CODE_CHARSET
from tests.factories import confirmation_token

CALL_TITLE = "关于公开征集首席质量官系列团体标准起草单位和起草人的通知"
PRIVATE_URL = re.compile(r"/a/CQO-2021-\d{4}/[^/]+/$")
DEFAULT_WAIT_MS = 10_000
CHECK_MAIL_URL = re.compile(r"/calls/[^/]+/apply/check-mail/$")
SUBMIT = "button[name=action][value=submit]"
DRAFT = "button[name=action][value=draft]"


SEAL_NAME = "申报表盖章扫描件.png"
PROFILE_NAME = "单位简介.pdf"


def _names(*kinds: Kind) -> tuple[str, ...]:
    return tuple(field.name for field in form_schema.FIELDS if field.kind in kinds)


# The 申报表's fields by how a person fills them in (form_schema's kinds); a choice is a group
# of radio buttons or a list, as the page has it.
TEXT_FIELDS = _names(Kind.LINE, Kind.TEXT, Kind.NUMBER, Kind.EMAIL)
CHOSEN_FIELDS = _names(Kind.CHOICE, Kind.CODE, Kind.YES_NO)
DATE_FIELDS = _names(Kind.DATE)
TICKS = _names(Kind.TICK)


def applicant_values(number: int) -> dict[str, str]:
    """demo.application_values as the strings a person enters in the form."""
    values = demo.application_values(random.Random(number), number, today=timezone.localdate())
    entered = {}
    for name, value in values.items():
        if isinstance(value, bool):
            entered[name] = "True" if value else "False"
        elif isinstance(value, dt.date):
            entered[name] = value.isoformat()
        else:
            entered[name] = str(value)
    return entered


def wrong_check_char(code: str) -> str:
    """The same code with another valid character in place of its check character."""
    other = CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.index(code[-1]) + 7) % 31]
    return code[:-1] + other


def write_files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "picked"
    folder.mkdir()
    seal = folder / SEAL_NAME
    seal.write_bytes(demo.seal_scan_png())
    profile = folder / PROFILE_NAME
    profile.write_bytes(demo.profile_pdf())
    return {"seal_scan": seal, "unit_profile_file": profile}


def type_into(field: Locator, text: str, *, tap: bool = False, replace: bool = False) -> None:
    """Click (or tap) a field, make sure it has the focus, then type key by key."""
    if tap:
        field.tap()
    else:
        field.click()
    expect(field).to_be_focused()
    if replace:
        field.press("ControlOrMeta+A")
    field.press_sequentially(text)
    expect(field).to_have_value(text)


def fill_form(page: Page, values: dict[str, str], files: dict[str, Path], *, typing: bool) -> None:
    """Fill every section of the 申报表. ``typing`` types key by key, as a person does."""
    checkboxes = page.locator("input[name=standards]")
    expect(checkboxes).to_have_count(3)
    checkboxes.nth(0).check()
    checkboxes.nth(2).check()
    for name in TEXT_FIELDS:
        if not values.get(name):
            continue
        field = page.locator(f"#id_{name}")
        if typing:
            type_into(field, values[name])
        else:
            field.fill(values[name])
    for name in CHOSEN_FIELDS:
        radio = page.locator(f"input[type=radio][name={name}][value='{values[name]}']")
        if radio.count():
            radio.check()
        else:
            page.locator(f"select#id_{name}").select_option(values[name])
    for name in DATE_FIELDS:
        fill_date(page, name, values[name])
    for name in TICKS:
        page.locator(f"#id_{name}").check()
    for name, path in files.items():
        page.locator(f"#id_{name}").set_input_files(path)


def fill_date(page: Page, name: str, value: str) -> None:
    """A date as a person enters it: a date input, or the 年 / 月 / 日 lists of a birth date."""
    if page.locator(f"#id_{name}_year").count():
        year, month, day = (str(int(part)) for part in value.split("-"))
        page.locator(f"#id_{name}_year").select_option(year)
        page.locator(f"#id_{name}_month").select_option(month)
        page.locator(f"#id_{name}_day").select_option(day)
    else:
        page.locator(f"#id_{name}").fill(value)


def assert_no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the window: nothing to scroll sideways."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways: scrollWidth {scroll} > {client}"


def open_confirmation_link(page: Page, *, timeout: float = DEFAULT_WAIT_MS) -> None:
    """After the first save the page says "请查收确认邮件"; the applicant then opens the link
    of the confirmation mail (read from the outbox, as from the mailbox), which confirms the
    address and leads to the private page."""
    expect(page).to_have_url(CHECK_MAIL_URL, timeout=timeout)
    base = page.url.split("/calls/", 1)[0]
    page.goto(f"{base}/confirm/{confirmation_token()}/")
