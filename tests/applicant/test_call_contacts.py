"""The call page gives the bodies' contacts once: where the notice has its 联系方式 section,
as cards with working links in its place; elsewhere as a section of their own."""

import pytest
from django.urls import reverse

from applications.notice import notice_parts

pytestmark = pytest.mark.django_db

NOTICE = """## 五、申报方式

请在线申报。

## 六、联系方式

### (一)深圳大学

电 话：17722506919

## 七、其他

另行通知。
"""


def test_the_contacts_section_is_cut_out_up_to_the_next_heading_of_its_level():
    parts = notice_parts(NOTICE)
    assert parts.contacts_heading == "六、联系方式" and parts.contacts_level == 2
    assert "请在线申报" in parts.before and "联系方式" not in parts.before
    assert "17722506919" not in parts.before + parts.after
    assert parts.after.startswith("<h2>七、其他</h2>") and "另行通知" in parts.after


def test_a_notice_without_contacts_is_kept_whole():
    parts = notice_parts("## 一、总则\n\n正文。")
    assert (parts.contacts_heading, parts.after) == ("", "")
    assert "正文" in parts.before


def test_the_seeded_call_page_shows_each_phone_number_once_with_a_link(client, call):
    html = client.get(reverse("applications:call", args=[call.code])).content.decode()
    bodies = list(call.organising_bodies.all())
    assert len(bodies) == 3
    for body in bodies:
        # The number once in the text, and in its tel: link.
        assert html.count(body.phone) == 2, body.phone
        assert f'href="tel:{body.phone}"' in html
        assert html.count(body.email) == 2, body.email
    assert html.count('id="contacts-heading"') == 1
    assert "六、联系方式" in html and "牵头组织单位与联系方式" not in html
    # In the notice's place: after its section 五, before the signature (落款).
    assert html.index("五、") < html.index("六、联系方式") < html.index(bodies[0].phone)


def test_a_call_whose_notice_has_no_contacts_gets_its_own_section(client, call):
    call.notice = "## 一、总则\n\n正文。"
    call.save(update_fields=["notice"])
    html = client.get(reverse("applications:call", args=[call.code])).content.decode()
    assert "牵头组织单位与联系方式" in html
    body = call.organising_bodies.first()
    assert html.count(f'href="tel:{body.phone}"') == 1
