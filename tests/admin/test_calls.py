import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from applications import enums, queries
from applications.models import CalendarDay, Call
from applications.roles import CALL_MANAGER_GROUP
from tests.factories import (
    UserFactory,
    create_application,
    other_call,
    recommend,
    reviewer_for,
)

pytestmark = pytest.mark.django_db

CALLS = "/admin/applications/call/"


@pytest.fixture
def manager_client(call):
    """A staff account in the "征集管理" group that seed_call made, logged in."""
    user = UserFactory(username="manager", is_staff=True)
    user.groups.add(Group.objects.get(name=CALL_MANAGER_GROUP))
    client = Client()
    client.force_login(user)
    return client


def messages_in(html: str) -> list[str]:
    found = re.findall(r'<ul class="messagelist">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li[^>]*>(.*?)</li>", found[0], re.S) if found else []
    return [re.sub(r"\s+", " ", item).strip() for item in items]


def add_form(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "code": "svc-2027",
        "title": "关于公开征集服务标准起草单位的通知",
        "series": "服务质量系列团体标准",
        "document_number": "商促字〔2027〕1号",
        "issued_on": now.date().isoformat(),
        "issuer": "服务标准中心",
        "notice": "## 一、范围\n\n征集起草单位。",
        "opens_at_0": now.date().isoformat(),
        "opens_at_1": "00:00",
        "deadline_0": (now.date() + dt.timedelta(days=30)).isoformat(),
        "deadline_1": "23:59",
        "max_selected": "10",
        "drafters_per_unit": "1",
        "required_recommendations": "1",
        "standards-TOTAL_FORMS": "1",
        "standards-INITIAL_FORMS": "0",
        "standards-MIN_NUM_FORMS": "0",
        "standards-MAX_NUM_FORMS": "1000",
        "standards-0-title": "《服务质量评价通则》",
        "standards-0-plan_number": "",
        "standards-0-position": "1",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **criteria_forms([("单位业绩", "", 60), ("起草人能力", "", 40)]),
    }
    data.update(overrides)
    return data


def criteria_forms(rows, *, initial=()) -> dict:
    """The criteria inline as posted: ``initial`` are existing rows (pk, label, weight, scale)."""
    data = {
        "criteria-TOTAL_FORMS": str(len(initial) + len(rows)),
        "criteria-INITIAL_FORMS": str(len(initial)),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for number, (pk, label, weight, scale) in enumerate(initial):
        data |= {
            f"criteria-{number}-id": str(pk),
            f"criteria-{number}-position": str(number + 1),
            f"criteria-{number}-label": label,
            f"criteria-{number}-weight": str(weight),
            f"criteria-{number}-scale_max": str(scale),
        }
    for number, (label, description, weight) in enumerate(rows, start=len(initial)):
        data |= {
            f"criteria-{number}-position": str(number + 1),
            f"criteria-{number}-label": label,
            f"criteria-{number}-description": description,
            f"criteria-{number}-weight": str(weight),
            f"criteria-{number}-scale_max": "10",
        }
    return data


def test_a_call_manager_creates_a_draft_then_publishing_says_what_is_missing(manager_client):
    response = manager_client.post(f"{CALLS}add/", add_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Call.objects.get(code="svc-2027")
    assert new.status == enums.CallStatus.DRAFT
    assert [s.title for s in new.standards.all()] == ["《服务质量评价通则》"]
    page = manager_client.get(f"{CALLS}{new.pk}/change/").content.decode()
    assert "本征集为草稿，公众看不到" in page
    assert "发布前还需：至少需要一个牵头组织单位。" in page

    response = manager_client.post(f"{CALLS}{new.pk}/publish/", follow=True)
    assert messages_in(response.content.decode()) == [
        "征集尚不完整，不能发布：至少需要一个牵头组织单位"
    ]
    new.refresh_from_db()
    assert new.status == enums.CallStatus.DRAFT

    new.organising_bodies.add(Call.objects.get(code="cqo-2021").organising_bodies.first())
    response = manager_client.post(f"{CALLS}{new.pk}/publish/", follow=True)
    assert messages_in(response.content.decode()) == ["征集 svc-2027 已发布，公众现在可以看到。"]
    new.refresh_from_db()
    assert new.status == enums.CallStatus.PUBLISHED


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(manager_client):
    response = manager_client.post(
        f"{CALLS}add/", add_form(code="带空格 的编号", deadline_0="2000-01-01")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "截止时间必须晚于开始时间。" in html
    assert "带空格 的编号" in html  # typed data kept
    assert not Call.objects.filter(title="关于公开征集服务标准起草单位的通知").exists()


def test_copy_button_makes_a_draft_and_opens_it(manager_client, call):
    response = manager_client.post(f"{CALLS}{call.pk}/copy/")
    copy = Call.objects.get(code="cqo-2021-copy")
    assert response.status_code == 302
    assert response["Location"] == f"{CALLS}{copy.pk}/change/"
    page = manager_client.get(response["Location"]).content.decode()
    assert "已从 cqo-2021 复制为新征集草稿 cqo-2021-copy" in page
    assert copy.status == enums.CallStatus.DRAFT
    assert copy.standards.count() == 3


def test_the_copy_and_publish_actions_of_the_change_list(manager_client, call):
    draft = other_call(status=enums.CallStatus.DRAFT)
    response = manager_client.post(CALLS, {"action": "copy_calls", "_selected_action": [call.pk]})
    copy = Call.objects.get(code="cqo-2021-copy")
    assert response["Location"] == f"{CALLS}{copy.pk}/change/"
    empty = other_call("empty-2026", status=enums.CallStatus.DRAFT, standards=0)
    response = manager_client.post(
        CALLS,
        {"action": "publish_calls", "_selected_action": [draft.pk, empty.pk]},
        follow=True,
    )
    assert messages_in(response.content.decode()) == [
        "已发布 1 个征集。"
        "empty-2026 未能发布：征集尚不完整，不能发布：至少需要一项征集起草单位的标准。"
    ]
    draft.refresh_from_db()
    empty.refresh_from_db()
    assert (draft.status, empty.status) == ("published", "draft")


def test_the_preview_renders_the_notice_sanitised(manager_client):
    response = manager_client.post(
        f"{CALLS}preview/",
        {"notice": "## 标题\n\n**加粗** <script>alert(1)</script><img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>标题</h2>" in html and "<strong>加粗</strong>" in html
    assert "<script" not in html and "onerror" not in html
    assert manager_client.get(f"{CALLS}preview/").status_code == 405


def test_the_change_page_shows_the_preview_and_its_script(manager_client, call):
    page = manager_client.get(f"{CALLS}{call.pk}/change/").content.decode()
    assert 'data-preview-url="/admin/applications/call/preview/"' in page
    assert "notice-preview.js" in page
    assert "一、起草单位、起草人资格条件" in page.split('class="notice-preview-body"')[1]


def test_a_reviewer_can_neither_publish_copy_nor_preview(client, call):
    draft = other_call(status=enums.CallStatus.DRAFT)
    reviewer = reviewer_for(call.organising_bodies.first())
    client.force_login(reviewer)
    assert client.post(f"{CALLS}{draft.pk}/publish/").status_code == 403
    assert client.post(f"{CALLS}{call.pk}/copy/").status_code == 403
    assert client.post(f"{CALLS}preview/", {"notice": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == enums.CallStatus.DRAFT
    assert Call.objects.count() == 2


def test_a_call_with_applications_keeps_its_code_and_cannot_be_deleted(manager_client, call):
    create_application(call, 1)
    page = manager_client.get(f"{CALLS}{call.pk}/change/").content.decode()
    assert 'name="code"' not in page
    assert manager_client.get(f"{CALLS}{call.pk}/delete/").status_code == 403
    draft = other_call(status=enums.CallStatus.DRAFT)
    assert 'name="code"' in manager_client.get(f"{CALLS}{draft.pk}/change/").content.decode()
    assert manager_client.get(f"{CALLS}{draft.pk}/delete/").status_code == 200


def test_a_call_manager_enters_a_holiday_and_sees_the_official_calendar_beside_it(
    manager_client, call
):
    url = "/admin/applications/calendarday/"
    response = manager_client.post(
        f"{url}add/", {"date": "2027-02-08", "is_working_day": "", "name": "春节"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.date, day.is_working_day, day.name) == (dt.date(2027, 2, 8), False, "春节")
    # 2026's National Day is in the official calendar: the list says what it holds.
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), is_working_day=False, name="国庆节")
    html = manager_client.get(url).content.decode()
    assert "春节" in html and "未收录" in html  # 2027: not in the calendar package
    assert "国庆节" in html and "休息日" in html
    # One day, one entry.
    again = manager_client.post(f"{url}add/", {"date": "2027-02-08", "name": "重复"})
    assert again.status_code == 200 and CalendarDay.objects.count() == 2


# --- the rubric (评分标准), edited inline ---------------------------------------------------
def test_a_call_manager_sets_the_rubric_and_weights_must_add_up_to_100(manager_client):
    response = manager_client.post(f"{CALLS}add/", add_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Call.objects.get(code="svc-2027")
    assert [(c.label, c.weight, c.scale_max) for c in queries.rubric_criteria(new)] == [
        ("单位业绩", 60, 10),
        ("起草人能力", 40, 10),
    ]
    refused = manager_client.post(
        f"{CALLS}add/",
        add_form(
            code="svc-2028",
            **criteria_forms([("单位业绩", "依法经营", 60), ("起草人能力", "", 30)]),
        ),
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "各评分项的权重之和须为 100，现为 90；请调整权重后再保存。" in html
    assert "依法经营</textarea>" in html  # typed data kept
    assert not Call.objects.filter(code="svc-2028").exists()


def test_once_a_verdict_scored_the_rubric_weights_and_scales_are_fixed(manager_client, call):
    page = manager_client.get(f"{CALLS}{call.pk}/change/").content.decode()
    assert 'name="criteria-0-weight"' in page and "criteria-empty" in page  # editable, addable
    application = create_application(call, 1)[0]
    recommend(application, list(call.organising_bodies.all())[:1])
    page = manager_client.get(f"{CALLS}{call.pk}/change/").content.decode()
    assert 'name="criteria-0-weight"' not in page and 'name="criteria-0-scale_max"' not in page
    assert 'name="criteria-0-DELETE"' not in page and "criteria-empty" not in page
    assert 'name="criteria-0-label"' in page  # still reworded
