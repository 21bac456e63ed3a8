"""The step indicator of the private page: 填写 → 打印盖章 → 上传盖章扫描件 → 提交 → 评审结果."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import enums
from applications.applicant.progress import application_progress
from applications.models import Application
from tests.factories import create_application, seal_file

pytestmark = pytest.mark.django_db


def states(application):
    progress = application_progress(application)
    return [step.state for step in progress.steps], progress


def test_an_incomplete_draft_is_being_filled(call):
    application, _ = create_application(call, action="draft", drafter_resume="")
    shown, progress = states(application)
    assert shown == ["current", "todo", "todo", "todo", "todo"]
    assert progress.current == 0
    assert "带 * 的项目" in str(progress.next_action)


def test_a_complete_draft_without_seal_scan_is_to_be_printed_and_stamped(call):
    application, _ = create_application(call, action="draft")
    shown, progress = states(application)
    assert shown == ["done", "current", "todo", "todo", "todo"]
    assert "打印申报表" in str(progress.next_action)


def test_a_draft_with_its_seal_scan_is_to_be_submitted(call):

    application, _ = create_application(call, action="draft", files={"seal_scan": seal_file()})
    shown, progress = states(application)
    assert shown == ["done", "done", "done", "current", "todo"]
    assert "提交申报" in str(progress.next_action)


def test_a_submitted_application_waits_for_the_result(call):
    application, _ = create_application(call)
    shown, progress = states(application)
    assert shown == ["done", "done", "done", "done", "current"]
    assert str(progress.steps[-1].detail) == "等待评审"


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (enums.Status.SELECTED, "已入选"),
        (enums.Status.WAITLISTED, "候补"),
        (enums.Status.REJECTED, "未入选"),
    ],
)
def test_a_decision_is_shown_on_the_last_step(call, status, label):
    application, _ = create_application(call)
    # Decisions are the organisers' (admin) services; here only the state matters.
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    shown, progress = states(application)
    assert shown == ["done"] * 5
    assert progress.current == 4
    assert str(progress.steps[-1].detail) == label
    assert label in str(progress.next_action)


def test_a_withdrawn_application_says_so(call):
    application, _ = create_application(call)
    Application.objects.filter(pk=application.pk).update(status=enums.Status.WITHDRAWN)
    application.refresh_from_db()
    shown, progress = states(application)
    assert progress.withdrawn and progress.current is None
    assert shown == ["todo"] * 5


def test_private_page_shows_the_steps_as_an_ordered_list_with_the_current_one(client, call):
    application, token = create_application(call, action="draft")
    url = reverse(
        "applications:private", kwargs={"reference": application.reference, "token": token}
    )
    html = client.get(url).content.decode()
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li ([^>]*)>(.*?)</li>", steps, re.S)
    assert len(items) == 5
    labels = [re.search(r'class="step-label">([^<]+)', body).group(1) for _a, body in items]
    assert labels == ["填写", "打印盖章", "上传盖章扫描件", "提交", "评审结果"]
    current = [i for i, (attrs, _body) in enumerate(items) if 'aria-current="step"' in attrs]
    assert current == [1]
    assert "（当前步骤）" in items[1][1] and "（已完成）" in items[0][1]
    assert "下一步：" in html


def test_a_draft_after_the_deadline_is_told_it_was_not_submitted(client, call):
    application, token = create_application(call, action="draft")
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save(update_fields=["deadline"])
    application.refresh_from_db()
    _shown, progress = states(application)
    assert "继续填写" in str(progress.next_action)
    closed = application_progress(application, can_edit=False)
    assert "征集已截止，草稿未能提交" in str(closed.next_action)
    url = reverse(
        "applications:private", kwargs={"reference": application.reference, "token": token}
    )
    assert "征集已截止，草稿未能提交" in client.get(url).content.decode()
