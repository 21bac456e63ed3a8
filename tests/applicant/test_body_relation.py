"""The applicant's own word on a relation to the call's organising bodies (回避, issue 16):
an optional question of the 申报表, recorded as the bodies' conflicts on submission."""

import pytest
from django.urls import reverse

from applications import queries, services
from applications.models import Application, Conflict
from tests.factories import (
    confirm_by_mail,
    create_application,
    form_data,
    seal_file,
    seal_upload,
    values,
)

pytestmark = pytest.mark.django_db


def post_apply(client, data, **files):
    return client.post(reverse("applications:apply", args=["cqo-2021"]), {**data, **files})


def declared(application):
    return sorted(
        (c.body_id, c.reason)
        for c in queries.standing_conflicts().filter(application=application, source="applicant")
    )


def test_the_form_asks_which_bodies_the_unit_relates_to(client, call):
    page = client.get(reverse("applications:apply", args=["cqo-2021"])).content.decode()
    assert "与牵头组织单位的关系" in page and "关系说明" in page
    for body in call.organising_bodies.all():
        assert f'name="related_bodies" value="{body.pk}"' in page


def test_a_ticked_body_becomes_its_conflict_on_submission(client, call):
    bodies = list(call.organising_bodies.all())
    data = form_data(
        call,
        action="submit",
        related_bodies=[str(bodies[2].pk)],
        body_relation="本单位为该委员会会员单位",
    )
    response = post_apply(client, data, seal_scan=seal_upload())
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.related_bodies == [bodies[2].pk]
    # Submitted (and so declared) once the address is confirmed, from the mailed link.
    assert declared(application) == []
    assert confirm_by_mail(client).status_code == 303
    application.refresh_from_db()
    assert application.status == "submitted"
    assert declared(application) == [(bodies[2].pk, "本单位为该委员会会员单位")]
    entry = application.audit_entries.get(action="application.conflict_declare")
    assert (entry.actor, entry.body, entry.data["conflict_source"]) == (
        None,
        bodies[2],
        "applicant",
    )


def test_a_body_not_of_the_call_is_refused_next_to_the_question(client, call):
    data = form_data(call, action="submit", related_bodies=["99999"])
    response = post_apply(client, data, seal_scan=seal_upload())
    assert response.status_code == 200
    page = response.content.decode()
    assert '<p id="error_1_id_related_bodies"><strong>所选的项目不在列表中' in page
    assert not Application.objects.exists()


def test_a_draft_declares_nothing_until_it_is_submitted_and_untick_removes(call):
    bodies = list(call.organising_bodies.all())
    application, token = create_application(
        call, 1, action="draft", related_bodies=[bodies[0].pk], body_relation=""
    )
    assert declared(application) == []
    application = services.application_update(
        application=application,
        values=values(1, related_bodies=[bodies[0].pk], body_relation=""),
        standards=list(call.standards.all()[:1]),
        files={"seal_scan": seal_file()},
        action="submit",
        token=token,
    )
    assert declared(application) == [(bodies[0].pk, "申报单位在申报表中声明与该单位有关联")]
    application = services.application_update(
        application=application,
        values=values(1, related_bodies=[], body_relation=""),
        standards=list(call.standards.all()[:1]),
        files={},
        action="submit",
        token=token,
    )
    assert declared(application) == []
    removed = Conflict.objects.get()
    assert removed.removal_reason == "申报单位在申报表中取消了该声明"
