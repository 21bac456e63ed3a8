"""Issue 19 item 12: several live links per application, listed on the private page with
when each was made and last used, "停用其他链接", and links pasted with punctuation."""

import datetime as dt

from django.core import mail
from django.test import Client
from django.utils import timezone

from applications import services
from applications.models import AuditEntry, PrivateLink
from tests.factories import create_application
from tests.jobs import run_jobs


def _new_link(application):
    services.application_resend_links(email=application.contact_email)
    run_jobs()
    body = mail.outbox[-1].body
    return body.split(f"/a/{application.reference}/")[1].split("/")[0]


def test_a_resent_link_joins_the_old_one_and_both_are_listed(call):
    application, first = create_application(call, 1)
    second = _new_link(application)
    assert "此前的链接仍然有效" in mail.outbox[-1].body
    colleague, me = Client(), Client()
    assert colleague.get(f"/a/{application.reference}/{first}/").status_code == 200
    page = me.get(f"/a/{application.reference}/{second}/").content.decode()
    links = page[page.index('id="links-heading"') :]
    assert links.count("创建于") == 2
    assert links.count("（您正在使用的链接）") == 1
    assert "停用其他链接" in links
    # when each was last used: both were just used
    assert PrivateLink.objects.filter(last_used_at__isnull=False).count() == 2


def test_stopping_the_other_links_keeps_only_the_one_in_use(call):
    application, first = create_application(call, 1)
    second = _new_link(application)
    third = _new_link(application)
    client = Client()
    url = f"/a/{application.reference}/{second}/links/stop-others/"
    assert "另有 2 个有效的专属链接" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "已停用其他 2 个链接" in response.content.decode()
    assert Client().get(f"/a/{application.reference}/{first}/").status_code == 404
    assert Client().get(f"/a/{application.reference}/{third}/").status_code == 404
    assert Client().get(f"/a/{application.reference}/{second}/").status_code == 200
    entry = AuditEntry.objects.get(application=application, action="application.links_stopped")
    assert entry.data == {"count": 2}


def test_the_last_use_is_written_at_most_once_an_hour(call):
    application, token = create_application(call, 1)
    url = f"/a/{application.reference}/{token}/"
    Client().get(url)
    link = PrivateLink.objects.get(application=application)
    first_use = link.last_used_at
    assert first_use is not None
    Client().get(url)
    link.refresh_from_db()
    assert link.last_used_at == first_use
    PrivateLink.objects.filter(pk=link.pk).update(
        last_used_at=timezone.now() - dt.timedelta(hours=2)
    )
    Client().get(url)
    link.refresh_from_db()
    assert link.last_used_at > first_use - dt.timedelta(seconds=1)


def test_a_link_pasted_with_the_sentences_end_still_works(call):
    application, token = create_application(call, 1)
    base = f"/a/{application.reference}/{token}"
    for pasted in (f"{base}/。", f"{base})", f"{base}/)", f"{base}。", f"{base}/%EF%BC%89"):
        response = Client().get(pasted)
        assert response.status_code == 302, pasted
        assert response["Location"] == f"{base}/", pasted
    wrong = Client().get(f"/a/{application.reference}/wrong-token)", follow=True)
    assert wrong.status_code == 404
