"""Accessibility in a real browser: axe-core on every applicant page (and the print view), in
both languages and both sizes; the whole form completed with the keyboard alone; the error
summary leads to each field.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from applications import enums
from applications.models import Application
from tests.factories import create_application, seal_file

from .axe import axe_run, blocking, describe
from .conftest import ARTIFACTS, DESKTOP, PHONE
from .helpers import (
    CHOSEN_FIELDS,
    DATE_FIELDS,
    PRIVATE_URL,
    SUBMIT,
    TEXT_FIELDS,
    TICKS,
    applicant_values,
    open_confirmation_link,
    write_files,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def choose_language(page: Page, language: str) -> None:
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def private_url(application, token) -> str:
    return f"/a/{application.reference}/{token}/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_axe_finds_nothing_serious_on_the_applicant_pages(
    transactional_db, call, open_page, viewport, language
):
    application, token = create_application(call, action="draft", files={"seal_scan": seal_file()})
    found: dict[str, list] = {}
    page = open_page("/calls/cqo-2021/", **VIEWPORTS[viewport])
    choose_language(page, language)
    found["call page"] = axe_run(page)
    page.goto("/")
    found["list of calls"] = axe_run(page)
    page.goto("/calls/cqo-2021/apply/")
    found["form"] = axe_run(page)
    page.locator(SUBMIT).click()
    expect(page.locator("#error-summary")).to_be_focused()
    found["form with errors"] = axe_run(page)
    base = private_url(application, token)
    for name, path in (
        ("edit form", f"{base}edit/"),
        ("withdraw confirmation", f"{base}withdraw/"),
        ("print view", f"{base}print/"),
        ("get my private link", "/link/"),
        ("check your mail", "/calls/cqo-2021/apply/check-mail/"),
        ("page not found", "/a/CQO-2021-9999/wrong/"),
    ):
        page.goto(path)
        found[name] = axe_run(page)
    for status in enums.Status.values:
        # Decisions are made by organisers (admin); only what the page shows matters here.
        Application.objects.filter(pk=application.pk).update(
            status=status, submitted_at=None if status == "draft" else timezone.now()
        )
        page.goto(private_url(application, token))
        expect(page.locator(".steps")).to_be_visible()
        found[f"private page ({status})"] = axe_run(page)

    report = "\n".join(f"{name}: {describe(violations)}" for name, violations in found.items())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{viewport}-{language}.txt").write_text(report + "\n", encoding="utf-8")
    assert not [name for name, violations in found.items() if blocking(violations)], report


# --- keyboard only ---------------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const x = r.left + Math.min(r.width / 2, 40), y = r.top + Math.min(r.height / 2, 12);
  const hit = document.elementFromPoint(x, y);
  return {
    tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "", value: e.value || "",
    id: e.id, checked: !!e.checked, text: (e.innerText || "").trim(),
    // Chromium's date field has a calendar button of its own (a Tab stop inside the field);
    // portal.css outlines it.
    calendar: e.type === "date" && !e.matches(":focus"),
    ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
          || (s.boxShadow !== "none" && s.boxShadow !== ""),
    inView: r.top >= 0 && r.bottom <= window.innerHeight,
    covered: !!hit && hit !== e && !e.contains(hit) && !(e.labels && [...e.labels].includes(hit)),
  };
}"""


def date_order(browser) -> str:
    """The order in which this Chromium's date fields take digits ("mdy", "dmy" or "ymd").

    Headless Chromium lays date fields out by its own UI locale, not the page's; a probe
    page typed into with the keyboard tells which.
    """
    page = browser.new_page()
    try:
        page.set_content("<input type=date id=d>")
        page.focus("#d")
        page.keyboard.type("01022003")
        value = page.input_value("#d")
    finally:
        page.close()
    return {"2003-01-02": "mdy", "2003-02-01": "dmy"}.get(value, "ymd")


def type_date(page: Page, iso: str, order: str) -> None:
    year, month, day = iso.split("-")
    parts = {"y": year, "m": month, "d": day}
    page.keyboard.type("".join(parts[c] for c in order))


def test_the_whole_form_with_the_keyboard_alone(
    transactional_db, call, open_page, browser, live_server, tmp_path
):
    """Tab from the call page to the submit button: type, Space, arrows, Enter; nothing else.

    The one stand-in is the operating system's file dialog, which a page cannot reach: Space
    on the file field opens the chooser (Playwright's file chooser event proves it), and the
    test hands it the file there, as a person picks it in the dialog.
    """
    values = applicant_values(31)
    files = write_files(tmp_path)
    order = date_order(browser)
    page = open_page("/calls/cqo-2021/", **DESKTOP)
    # Playwright starts intercepting file dialogs when a first listener subscribes, without
    # waiting for the browser; subscribing now, long before the first Space on a file field,
    # keeps that keypress from reaching an unintercepted (invisible, headless) dialog.
    page.on("filechooser", lambda _chooser: None)

    # The call page: Tab to "在线申报" and press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["text"] == "在线申报" and "apply" in page.evaluate(
            "document.activeElement.closest('.call-header') ? 'apply' : ''"
        ):
            break
    else:
        pytest.fail("the apply link cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/calls/cqo-2021/apply/")

    wanted_standards = set(
        page.locator("input[name=standards]").evaluate_all("els => [els[0].value, els[2].value]")
    )
    done: set[str] = set()
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        stops.append(f)
        name = f["name"]
        assert f["ring"] or f["calendar"], f"no visible focus indicator on {f}"
        assert f["inView"] and not f["covered"], f"focused element hidden: {f}"
        if f["tag"] == "button" and name == "action" and f["value"] == "submit":
            page.keyboard.press("Enter")
            break
        if name in TEXT_FIELDS and name not in done and values.get(name):
            page.keyboard.type(values[name])
            done.add(name)
        elif name == "standards" and f["value"] in wanted_standards:
            page.keyboard.press("Space")
            done.add(f"standards={f['value']}")
        elif name in CHOSEN_FIELDS and f["type"] == "radio" and name not in done:
            buttons = page.locator(f"input[name={name}]").evaluate_all(
                "els => els.map(e => e.value)"
            )
            steps = buttons.index(values[name])
            if steps == 0:
                page.keyboard.press("Space")
            for _step in range(steps):
                page.keyboard.press("ArrowDown")  # moves to the next button and checks it
            done.add(name)
        elif name in CHOSEN_FIELDS and f["tag"] == "select" and name not in done:
            options = page.locator(f"#id_{name} option").evaluate_all(
                "els => els.map(e => e.value)"
            )
            for _step in range(options.index(values[name])):
                page.keyboard.press("ArrowDown")
            done.add(name)
        elif f["tag"] == "select" and name.rsplit("_", 1)[0] in DATE_FIELDS and name not in done:
            # the birth date's 年 / 月 / 日 lists: arrow down to the wanted option
            field, part = name.rsplit("_", 1)
            wanted = dict(zip(("year", "month", "day"), values[field].split("-"), strict=True))
            options = page.locator(f"#id_{name} option").evaluate_all(
                "els => els.map(e => e.value)"
            )
            for _step in range(options.index(str(int(wanted[part])))):
                page.keyboard.press("ArrowDown")
            done.add(name)
        elif f["type"] == "date" and name not in done:
            type_date(page, values[name], order)
            done.add(name)
        elif name in TICKS and not f["checked"]:
            page.keyboard.press("Space")
            done.add(name)
        elif f["type"] == "file" and name in files and name not in done:
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(files[name])
            done.add(name)
    else:
        pytest.fail("the submit button cannot be reached with Tab")

    open_confirmation_link(page, timeout=20_000)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".status-badge")).to_have_text("已提交")
    application = Application.objects.get()
    assert application.status == enums.Status.SUBMITTED
    for name in ("unit_name", "credit_code", "drafter_mobile", "contact_email", "industry"):
        assert getattr(application, name) == values[name], name
    assert str(application.drafter_birth_date) == values["drafter_birth_date"]
    assert application.drafter_ethnicity == values["drafter_ethnicity"]
    assert application.can_provide_funding is (values["can_provide_funding"] == "True")
    assert application.standards.count() == 2
    assert application.seal_scan_name == files["seal_scan"].name
    assert application.unit_profile_file_name == files["unit_profile_file"].name
    assert len(stops) > 40  # every field was a stop on the way


# --- the error summary -------------------------------------------------------------------------


def test_error_summary_takes_focus_and_each_link_focuses_its_field(
    transactional_db, call, open_page
):
    page = open_page("/calls/cqo-2021/apply/", **DESKTOP)
    page.locator("#id_unit_name").fill("某某质量协会")
    page.locator("#id_postcode").fill("5180")
    page.locator(SUBMIT).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("有 29 处需要修改")
    # A link to a text field, to a radio group and to a file field: each lands in the field.
    for target in ("id_postcode", "id_unit_type_0", "id_seal_scan"):
        page.locator(f"#error-summary a[href='#{target}']").click()
        expect(page.locator(f"#{target}")).to_be_focused()
        described = page.locator(f"#{target}").get_attribute("aria-describedby").split()
        message = next(i for i in described if i.endswith("_error"))
        expect(page.locator(f"#{message}")).to_be_visible()
        expect(page.locator(f"#{target}")).to_have_attribute("aria-invalid", "true")
    # Back to the summary with the keyboard: its first link is the first field's.
    summary.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#id_standards_0")).to_be_focused()


def test_on_a_phone_the_first_field_to_correct_is_on_screen(transactional_db, call, open_page):
    page = open_page("/calls/cqo-2021/apply/", **PHONE)
    for name, value in applicant_values(3).items():
        if name in ("unit_name", "credit_code", "unit_type"):
            continue  # the second section's first fields are left wrong
        if name in TEXT_FIELDS:
            page.locator(f"#id_{name}").fill(value)
    page.locator("input[name=standards]").first.check()
    page.locator(SUBMIT).tap()
    expect(page.locator("#error-summary")).to_be_focused()
    first = page.locator("#div_id_unit_name")
    expect(first).to_be_in_viewport()
    expect(first).to_contain_text("提交前请填写此项")
    # The summary itself is above, reachable by scrolling back up.
    expect(page.locator("#error-summary")).not_to_be_in_viewport()
