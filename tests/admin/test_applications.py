import re

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications import form_schema, queries, services, stamp, workflow
from applications.demo import create_demo_applications, create_demo_reviews
from applications.enums import Status
from applications.models import Application, Review
from tests.factories import (
    application_in_status,
    create_application,
    decide_final,
    pdf_file,
    recommend,
    review_post,
    reviewer_for,
    seal_file,
    selector,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def test_organiser_can_look_but_not_change_applicant_data(admin_client, call):
    application, _ = create_application(call, 1)
    listing = admin_client.get("/admin/applications/application/")
    assert listing.status_code == 200
    assert application.reference in listing.content.decode()
    url = f"/admin/applications/application/{application.pk}/change/"
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert application.unit_name in html and application.credit_code in html
    assert f"/organiser/files/{application.pk}/seal_scan/" in html
    assert 'name="unit_name"' not in html  # read-only: no input to change it
    assert application.access_token_hash not in html
    admin_client.post(url, {"unit_name": "改名", "status": "selected"})
    application.refresh_from_db()
    assert application.unit_name != "改名" and application.status == "submitted"
    assert admin_client.get("/admin/applications/application/add/").status_code == 403


def test_the_change_page_has_every_field_of_the_form_in_its_section(admin_client, call):
    application, _ = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    page = re.sub(r"\s+", " ", admin_client.get(change_url(application)).content.decode())
    starts = [page.index(f">{section.title}<") for section in form_schema.SECTIONS]
    assert starts == sorted(starts)
    for section, start, end in zip(form_schema.SECTIONS, starts, [*starts[1:], None], strict=True):
        for field in section.fields:
            assert f">{Application.label(field.name)}:</label>" in page[start:end], field.name
    assert f"/organiser/files/{application.pk}/unit_profile_file/" in page
    assert "单位简介.pdf" in page


def test_call_and_bodies_are_registered(admin_client, call):
    for path in ("call", "standard", "organisingbody", "auditentry"):
        assert admin_client.get(f"/admin/applications/{path}/").status_code == 200
    assert Application.objects.count() == 0


# --- Review and selection in admin -------------------------------------------------------
CHANGELIST = "/admin/applications/application/"


def change_url(application):
    return f"{CHANGELIST}{application.pk}/change/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def bodies(call):
    return list(call.organising_bodies.all())


@pytest.fixture
def selector_client(client, call):
    client.force_login(selector())
    return client


def test_change_list_shows_verdicts_mean_score_counter_and_filters(admin_client, call, bodies):
    scored, plain = create_application(call, 1)[0], create_application(call, 2)[0]
    recommend(scored, bodies[:2], score=90)
    recommend(scored, bodies[2:], score=60, recommendation="not_recommend")
    page = text(admin_client.get(CHANGELIST))
    assert "已入选 0 / 30" in page and "候补 0" in page
    for body in bodies:
        assert body.short_name in page
    assert "80.0" in page  # (90 + 90 + 60) / 3
    assert page.count("未评审") >= 3  # plain has no verdict from any body
    verdict_param = f"verdict_{bodies[2].pk}"
    filtered = admin_client.get(CHANGELIST, {verdict_param: "not_recommend"})
    assert [a.pk for a in filtered.context["cl"].result_list] == [scored.pk]
    unreviewed = admin_client.get(CHANGELIST, {verdict_param: "none"})
    assert [a.pk for a in unreviewed.context["cl"].result_list] == [plain.pk]
    quorum = admin_client.get(CHANGELIST, {"quorum": "yes"})
    assert [a.pk for a in quorum.context["cl"].result_list] == [scored.pk]
    no_quorum = admin_client.get(CHANGELIST, {"quorum": "no"})
    assert [a.pk for a in no_quorum.context["cl"].result_list] == [plain.pk]
    column = _column(admin_client.get(CHANGELIST), "mean_score_display")
    by_score = admin_client.get(CHANGELIST, {"o": f"-{column}"})
    assert [a.pk for a in by_score.context["cl"].result_list] == [scored.pk, plain.pk]
    ascending = admin_client.get(CHANGELIST, {"o": f"{column}"})
    assert [a.pk for a in ascending.context["cl"].result_list] == [plain.pk, scored.pk]
    search = admin_client.get(CHANGELIST, {"q": plain.credit_code})
    assert [a.pk for a in search.context["cl"].result_list] == [plain.pk]


def test_a_draft_whose_address_is_not_confirmed_says_so_in_the_list(admin_client, call):
    """An anonymous visitor's draft, deleted unless its address is confirmed in time, is
    told apart from the drafts of confirmed applicants."""
    confirmed = create_application(call, 1, action="draft")[0]
    unconfirmed = create_application(call, 2, action="draft", confirmed=False)[0]
    page = text(admin_client.get(CHANGELIST, {"status__exact": "draft"}))
    rows = {
        application.reference: re.search(
            rf"<tr>(?:(?!</tr>).)*{re.escape(application.reference)}.*?</tr>", page, re.S
        ).group(0)
        for application in (confirmed, unconfirmed)
    }
    assert "邮箱未确认" in rows[unconfirmed.reference]
    assert "72 小时内未确认的草稿将连同附件删除" in rows[unconfirmed.reference]
    assert "邮箱未确认" not in rows[confirmed.reference]


def _column(response, name):
    """1-based index of a list_display column, as the admin's ``o`` parameter wants."""
    names = [getattr(c, "__name__", c) for c in response.context["cl"].list_display]
    return names.index(name)


def test_the_action_checkbox_is_djangos_own_written_out(call):
    """Written out for speed (its docstring says why); it must stay what Django renders."""
    application, _ = create_application(call, 1, unit_name="<深圳> & 质量")
    model_admin = admin.site.get_model_admin(Application)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            ours = model_admin.action_checkbox(application)
            assert ours == ModelAdmin.action_checkbox(model_admin, application)
            assert "&lt;深圳&gt; &amp; 质量" in ours


def test_change_list_query_count_does_not_grow_with_the_rows(admin_client, call, bodies):
    reviewers = {body: reviewer_for(body) for body in bodies}

    def queries():
        admin_client.get(CHANGELIST)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    create_demo_applications(call, 10)
    create_demo_reviews(call, reviewers, share=1.0)
    small, shown_small = queries()
    create_demo_applications(call, 490)
    create_demo_reviews(call, reviewers, share=0.8)
    large, shown_large = queries()
    assert (shown_small, shown_large) == (10, 100)
    print(f"change list queries: {small} with 10 rows, {large} with 100 of 500 rows")
    assert small == large <= 12, (small, large)


def test_partial_scans_add_no_query_per_row(admin_client, call):
    """Naming a partial scan's missing pages ("缺第 2、3 页") reads the stamps the list
    already holds: as many queries with one such row as with six."""

    def partial(number):
        application = create_application(call, number)[0]
        texts = [stamp.qr_text(application.reference, stamp.digest(application), 1, 3)]
        Application.objects.filter(pk=application.pk).update(
            scan_stamps=texts, scan_check="partial"
        )

    def counted():
        admin_client.get(CHANGELIST)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as captured:
            page = text(admin_client.get(CHANGELIST))
        return len(captured), page.count("缺第 2、3 页")

    partial(1)
    one = counted()
    for number in range(2, 7):
        partial(number)
    six = counted()
    assert (one[1], six[1]) == (1, 6)
    assert one[0] == six[0], (one, six)


def test_a_reviewer_writes_only_their_bodys_verdict_and_cannot_decide(client, call, bodies):
    application = create_application(call, 1)[0]
    reviewer = reviewer_for(bodies[1])
    client.force_login(reviewer)
    page = text(client.get(change_url(application)))
    assert application.unit_name in page
    assert "中国质量报刊社的评审意见" in page and 'id="review-form"' in page
    assert "decide/select/" not in page
    review_url = f"{CHANGELIST}{application.pk}/review/"
    first = queries.rubric_criteria(call)[0]
    bad = client.post(review_url, review_post(call, 85, comment="好", **{first.field_name: "13"}))
    assert bad.status_code == 200 and not Review.objects.exists()
    assert bad.context["review_form"].errors == {
        first.field_name: [f"“{first.label}”的得分须为 0 到 10 之间的整数。"]
    }
    done = client.post(review_url, review_post(call, 85, comment="好"))
    assert done.status_code == 302
    review = Review.objects.get()
    assert (review.body, review.reviewer, review.score) == (bodies[1], reviewer, 85)
    assert "已保存中国质量报刊社对" in messages_of(done)[0]
    # No decisions, no applicant data changes, for a reviewer.
    assert client.get(f"{CHANGELIST}{application.pk}/decide/select/").status_code == 403
    listing = client.post(
        CHANGELIST, {"action": "select_applications", "_selected_action": [application.pk]}
    )
    assert listing.status_code in (200, 302)
    client.post(change_url(application), {"unit_name": "改名"})
    application.refresh_from_db()
    assert (application.status, application.unit_name) == (
        "submitted",
        create_application.__defaults__ and application.unit_name,
    )
    assert application.status == "submitted"


def test_the_application_page_reads_like_the_form_with_verdicts_and_timeline(
    selector_client, call, bodies
):
    application = create_application(call, 1)[0]
    recommend(application, bodies[:1], score=91)
    page = text(selector_client.get(change_url(application)))
    for heading in ("一、标准名称", "二、单位信息", "三、推荐起草人", "四、承诺", "五、单位意见"):
        assert heading in page
    assert f"/organiser/files/{application.pk}/seal_scan/" in page
    assert "检测到红色印章" in page
    assert "91 分" in page and "平均分：<strong>91.0</strong>" in page
    assert "推荐 1 家，会签需要 2 家" in page and "未达会签要求" in page
    assert page.count("未评审") == 2
    assert "创建申报" in page and "提交申报" in page and "评审意见" in page
    assert "decide/select/" in page and "decide/waitlist/" in page and "decide/reopen/" not in page


def test_select_button_requires_a_reason_without_quorum(
    selector_client, call, bodies, django_capture_on_commit_callbacks
):
    application = create_application(call, 1)[0]
    url = f"{CHANGELIST}{application.pk}/decide/select/"
    confirm = text(selector_client.get(url))
    assert "会签未达要求：0 家牵头单位推荐，需要 2 家" in confirm
    refused = selector_client.post(url, {"reason": " "})
    assert refused.status_code == 200 and "请填写入选理由" in text(refused)
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        done = selector_client.post(url, {"reason": "填补行业空白"}, follow=True)
    assert "拟入选，待发布" in messages_of(done)[0]
    application.refresh_from_db()
    assert (application.status, application.pending_decision) == ("submitted", "select")
    page = text(selector_client.get(change_url(application)))
    assert "拟入选" in page and "待发布" in page and "decide/reopen/" in page
    assert "decide/waitlist/" not in page  # a pending decision is undone, not stacked
    run_jobs()
    assert len(mail.outbox) == 2  # saved, submitted: nothing of the decision yet

    release = f"{CHANGELIST}release/{call.pk}/"
    preview = text(selector_client.get(release))
    assert "共 1 项待发布的决定" in preview and "1 封结果通知邮件" in preview
    assert f"[{application.reference}] 贵单位已入选团体标准起草单位" in preview  # the preview
    assert application.unit_name in preview
    with django_capture_on_commit_callbacks(execute=True):
        released = selector_client.post(release, follow=True)
    assert messages_of(released) == ["已发布 1 项决定，1 封结果通知邮件已进入发送队列。"]
    application.refresh_from_db()
    assert (application.status, application.selection_override_reason) == (
        "selected",
        "填补行业空白",
    )
    page = text(selector_client.get(change_url(application)))
    assert "未达会签要求的入选理由" in page and "填补行业空白" in page and "decide/reopen/" in page
    assert "没有待发布的决定" in text(selector_client.get(release))
    run_jobs()  # the mails of the application (saved, submitted), then the decision
    assert [m.subject for m in mail.outbox] == [
        f"[{application.reference}] 申报已保存：您的专属链接",
        f"[{application.reference}] 申报已提交",
        f"[{application.reference}] 贵单位已入选团体标准起草单位",
    ]


def test_actions_report_successes_and_refusals_in_one_message(selector_client, call, bodies):
    call.max_selected = 2
    call.save()
    apps = [create_application(call, n)[0] for n in range(1, 5)]
    for application in apps[:3]:
        recommend(application, bodies[:2])
    draft = create_application(call, 9, action="draft")[0]

    def act(action, *chosen):
        response = selector_client.post(
            f"{CHANGELIST}?status__exact=all",  # the list as shown with every status
            {
                "action": f"{action}_applications",
                "_selected_action": [a.pk for a in chosen],
                "confirmed": "yes",  # past the confirmation page
            },
            follow=True,
        )
        [message] = messages_of(response)
        return message, text(response)

    # More ticked than there are places: refused as a whole, with the count.
    message, _page = act("select", *apps, draft)
    assert "勾选了 4 家，但入选名额只剩 2 个" in message and "本次未作任何决定" in message
    assert not Application.objects.exclude(pending_decision="").exists()

    message, page = act("select", apps[0], apps[1], draft)
    assert message == (
        "已拟入选（待发布） 2 家。1 家未能操作："
        f"仍是草稿，申报单位提交后才能作出决定（{draft.reference}）"
    )
    assert "已入选 2 / 2" in page and "含拟入选 2" in page and "待发布的决定 2 →" in page
    message, _page = act("select", apps[2])
    assert "入选名额只剩 0 个" in message

    assert act("reopen", apps[1])[0] == "已撤销决定 1 家。"  # its pending selection
    message, _page = act("select", apps[3])
    assert message.startswith("已拟入选（待发布） 0 家。1 家未能操作：会签未达要求")
    assert apps[3].reference in message

    message, _page = act("waitlist", *apps)
    assert message.startswith(
        "已拟列入候补（待发布） 3 家。1 家未能操作：已有待发布的决定（拟入选）"
    )
    released = selector_client.post(f"{CHANGELIST}release/{call.pk}/", follow=True)
    assert messages_of(released) == ["已发布 4 项决定，4 封结果通知邮件已进入发送队列。"]

    # A released decision is taken back on its page, where the correction mail is written.
    message, _page = act("reopen", apps[0])
    assert message.startswith("已撤销决定 0 家。1 家未能操作：该决定已通知申报单位")
    reopened = selector_client.post(
        f"{CHANGELIST}{apps[0].pk}/decide/reopen/", {"notify": "none"}, follow=True
    )
    assert messages_of(reopened) == [f"{apps[0].reference}：撤销决定。"]
    assert act("reject", apps[1])[0] == "已拟不予入选（待发布） 1 家。"
    selector_client.post(f"{CHANGELIST}release/{call.pk}/", follow=True)
    assert dict(Application.objects.values_list("pk", "status")) == {
        apps[0].pk: "submitted",
        apps[1].pk: "rejected",
        apps[2].pk: "waitlisted",
        apps[3].pk: "waitlisted",
        draft.pk: "draft",
    }


def test_selected_page_reorders_and_promotes_the_next(selector_client, call, bodies):
    call.max_selected = 2
    call.required_recommendations = 0
    call.save()
    boss = selector("boss")
    a, b, c = (create_application(call, n)[0] for n in (1, 2, 3))
    services.decide(decision="select", application=a, actor=boss)
    services.decide(decision="select", application=b, actor=boss)
    recommend(c, bodies[:1], score=77)
    decide_final(c, "waitlist", boss)
    url = f"{CHANGELIST}selected/{call.pk}/"
    page = text(selector_client.get(url))
    assert "已入选 2 / 2" in page and c.unit_name in page and "77.0" in page
    assert "含拟入选 2（待发布）" in page and page.count("拟入选，待发布") == 2
    response = selector_client.post(
        url, {"do": "reorder", f"order_{a.pk}": "2", f"order_{b.pk}": "1"}, follow=True
    )
    assert "名单顺序已保存，2 家的位置有变动" in messages_of(response)[0]
    assert list(
        Application.objects.filter(pending_decision="select")
        .order_by("list_order")
        .values_list("pk", flat=True)
    ) == [b.pk, a.pk]
    full = selector_client.post(url, {"do": "promote"}, follow=True)
    assert "达到上限" in messages_of(full)[0]
    services.application_withdraw(application=a)
    promoted = selector_client.post(url, {"do": "promote"}, follow=True)
    assert messages_of(promoted) == [f"已递补 {c.reference} {c.unit_name}：拟入选，待发布。"]
    c.refresh_from_db()
    assert (c.pending_decision, c.list_order) == ("select", 2)  # after b (1); a withdrew


def test_a_reviewer_may_look_at_the_selected_page_but_not_change_it(client, call, bodies):
    client.force_login(reviewer_for(bodies[0]))
    url = f"{CHANGELIST}selected/{call.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"do": "promote"}).status_code == 403


def test_a_superuser_decides_but_has_no_body_to_review_for(admin_client, call):
    application = create_application(call, 1)[0]
    page = text(admin_client.get(change_url(application)))
    assert "decide/select/" in page and 'id="review-form"' not in page
    response = admin_client.post(
        f"{CHANGELIST}{application.pk}/review/",
        review_post(call, 80),
        follow=True,
    )
    assert messages_of(response) == ["您的账号不属于任何牵头单位的评审组，不能填写评审意见"]
    assert not Review.objects.exists()
    assert admin_client.get(f"{CHANGELIST}{application.pk}/decide/promote/").status_code == 403


@pytest.mark.parametrize("status", Status.values)
def test_the_page_offers_and_the_actions_take_what_the_table_allows(selector_client, call, status):
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    boss = selector("boss")
    offered = [d.name for d in workflow.DECISIONS.values() if status in d.allowed_from]
    for number, decision in enumerate(workflow.DECISIONS.values(), start=1):
        application = application_in_status(call, status, boss, number)
        page = text(selector_client.get(change_url(application)))
        assert re.findall(rf"/{application.pk}/decide/(\w+)/", page) == offered
        response = selector_client.post(
            f"{CHANGELIST}?status__exact=all",
            {
                "action": f"{decision.name}_applications",
                "_selected_action": [application.pk],
                "confirmed": "yes",
            },
        )
        [message] = messages_of(response)
        after = Application.objects.get(pk=application.pk)
        if decision.name in offered and decision.undoes:
            # Taking back a released decision needs its correction mail: on its page.
            assert message.startswith(f"{decision.done_label} 0 家。1 家未能操作：该决定已通知")
            assert after.status == status
        elif decision.name in offered:
            assert message == f"{decision.done_label} 1 家。"
            assert (after.status, after.pending_decision) == (status, decision.name)
        else:
            [reason] = workflow.refusal(decision, status).messages
            assert message == (
                f"{decision.done_label} 0 家。1 家未能操作：{reason}（{application.reference}）"
            )
            assert Application.objects.get(pk=application.pk).status == status


def test_the_selected_page_proposes_the_list_by_score(selector_client, call, bodies):
    call.max_selected = 1
    call.save(update_fields=["max_selected"])
    low, high = create_application(call, 1)[0], create_application(call, 2)[0]
    recommend(low, bodies[:2], score=61)
    recommend(high, bodies[:2], score=93)
    url = f"{CHANGELIST}selected/{call.pk}/"
    assert "按评分拟定名单" in text(selector_client.get(url))
    response = selector_client.post(url, {"do": "propose"}, follow=True)
    assert messages_of(response) == [f"已按评分拟入选 1 家（待发布）：{high.reference}。"]
    assert "拟入选，待发布" in text(response) and high.unit_name in text(response)
    high.refresh_from_db()
    low.refresh_from_db()
    assert (high.pending_decision, low.pending_decision) == ("select", "")
    full = selector_client.post(url, {"do": "propose"}, follow=True)
    assert "达到上限" in messages_of(full)[0]
