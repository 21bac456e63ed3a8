"""Issue 19 item 9: a call carries a supplementary note (补充通知), shown above the notice,
and a "before you start" list; the 2021 call has both, and organisers edit them in admin."""

from applications.data import supplement_cqo_2021
from applications.models import Call
from applications.services import call_copy


def test_the_2021_call_explains_its_notice_above_it(client, call):
    page = client.get("/calls/cqo-2021/").content.decode()
    supplement = page.index('id="supplement-heading"')
    assert supplement < page.index('id="notice-heading"')
    assert "代替传真和邮寄" in page and "不再以通知中的“2021 年 8 月 20 日前”为准" in page
    before = page[page.index('id="before-heading"') :]
    assert "统一社会信用代码" in before and "打印机" in before and "公章" in before
    assert "扫描仪或能拍照的手机" in before


def test_a_call_without_a_note_shows_none(client, call):
    Call.objects.filter(pk=call.pk).update(supplement="", before_you_start="")
    page = client.get("/calls/cqo-2021/").content.decode()
    assert 'id="supplement-heading"' not in page and 'id="before-heading"' not in page


def test_the_seed_and_the_copy_carry_the_note(call, admin_user):
    assert call.supplement == supplement_cqo_2021.SUPPLEMENT
    assert call.before_you_start_items[0].startswith("营业执照")
    copy = call_copy(call=call, actor=admin_user)
    assert copy.supplement == call.supplement and copy.before_you_start == call.before_you_start


def test_organisers_edit_the_note_in_admin(admin_client, call):
    page = admin_client.get(f"/admin/applications/call/{call.pk}/change/").content.decode()
    assert 'name="supplement"' in page and 'name="before_you_start"' in page
