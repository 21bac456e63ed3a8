"""Issue 19 item 18: a way back from the print view, a copy button for the fresh private
link, and a birth-date picker kept to a drafter's possible ages."""

import datetime as dt
import re

from django.utils import timezone

from tests.factories import create_application, form_data

APPLY = "/calls/cqo-2021/apply/"


def test_the_print_view_leads_back_to_the_application(client, call):
    application, token = create_application(call, 1)
    page = client.get(f"/a/{application.reference}/{token}/print/").content.decode()
    assert f'href="/a/{application.reference}/{token}/"' in page
    assert "返回申报页面" in page


def test_the_fresh_private_link_has_a_copy_button(client, call):
    response = client.post(APPLY, {**form_data(call, 1), "action": "draft"}, follow=True)
    page = response.content.decode()
    assert 'id="private-link"' in page and "复制链接" in page


def test_the_birth_date_picker_opens_among_a_drafters_possible_ages(client, call):
    page = client.get(APPLY).content.decode()
    tag = re.search(r'<input[^>]*id="id_drafter_birth_date"[^>]*>', page).group(0)
    today = timezone.localdate()
    latest = dt.date.fromisoformat(re.search(r'max="([\d-]+)"', tag).group(1))
    earliest = dt.date.fromisoformat(re.search(r'min="([\d-]+)"', tag).group(1))
    assert latest.year == today.year - 18 and earliest.year == today.year - 101
