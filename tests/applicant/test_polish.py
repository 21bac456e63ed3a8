"""Issue 19 item 18: a way back from the print view, a copy button for the fresh private
link, and a birth-date picker kept to a drafter's possible ages."""

import re

from django.utils import timezone

from tests.factories import confirm_by_mail, create_application, form_data

APPLY = "/calls/cqo-2021/apply/"


def test_the_print_view_leads_back_to_the_application(client, call):
    application, token = create_application(call, 1)
    page = client.get(f"/a/{application.reference}/{token}/print/").content.decode()
    assert f'href="/a/{application.reference}/{token}/"' in page
    assert "返回申报页面" in page


def test_the_fresh_private_link_has_a_copy_button(client, call):
    client.post(APPLY, {**form_data(call, 1), "action": "draft"})
    response = client.get(confirm_by_mail(client)["Location"])  # shown once, on confirming
    page = response.content.decode()
    assert 'id="private-link"' in page and "复制链接" in page


def test_the_birth_date_is_chosen_as_year_month_day_among_a_drafters_possible_ages(client, call):
    """Three lists (年 / 月 / 日), each named for screen readers; the years run from a drafter
    of 18 back to one of 100, newest first, so 1975 is a short scroll, not decades."""
    page = client.get(APPLY).content.decode()
    year = re.search(r'<select[^>]*id="id_drafter_birth_date_year".*?</select>', page, re.S)
    years = [int(y) for y in re.findall(r'<option value="(\d{4})"', year.group(0))]
    today = timezone.localdate()
    assert years[0] == today.year - 18 and years[-1] == today.year - 101
    assert years == sorted(years, reverse=True) and 1975 in years
    for part, name in (("year", "出生年份"), ("month", "出生月份"), ("day", "出生日")):
        tag = re.search(rf'<select[^>]*id="id_drafter_birth_date_{part}"[^>]*>', page).group(0)
        assert f'aria-label="{name}"' in tag
    # the three lists are one group, named by its legend
    assert re.search(r'id="div_id_drafter_birth_date"[^>]*>\s*<fieldset>\s*<legend', page)


def test_a_birth_date_partly_chosen_is_refused_with_its_own_message(client, call):
    data = form_data(call, 1)
    del data["drafter_birth_date"]
    data.update(
        drafter_birth_date_year="1975", drafter_birth_date_month="", drafter_birth_date_day=""
    )
    page = client.post(APPLY, {**data, "action": "submit"}).content.decode()
    assert "请选择完整的出生年、月、日。" in page
    assert 'href="#id_drafter_birth_date_year"' in page  # the summary jumps to the lists
    assert re.search(r'<option value="1975" selected>', page)
