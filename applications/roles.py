"""The organisers' groups: one reviewer group per organising body, the selectors and the
call managers.

``roles_ensure()`` is idempotent; ``seed_call`` runs it. A superuser then only has to put
each organiser's account (staff) into the right group.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from applications.models import OrganisingBody

# Reviewers read applications, their attachments and the trail, and write their body's
# review (through the admin's review page, which checks the body).
REVIEWER_PERMISSIONS = (
    "view_application",
    "view_review",
    "add_review",
    "change_review",
    "view_auditentry",
    "view_call",
    "view_standard",
    "view_organisingbody",
)
# Selectors decide, order the list and export; they do not review.
SELECTOR_PERMISSIONS = (
    "view_application",
    "decide_application",
    "view_objection",
    "view_review",
    "view_auditentry",
    "view_call",
    "view_standard",
    "view_organisingbody",
)
SELECTOR_GROUP = "遴选组"
# Selectors also see the outbox (what was mailed to whom) and resend a failed mail.
SELECTOR_OUTBOX_PERMISSIONS = ("view_outgoingmail", "change_outgoingmail")
# Call managers create, edit, copy and publish calls, with their standards and the shared
# organising bodies; they see no application (that is the reviewers' and selectors' work).
CALL_MANAGER_PERMISSIONS = (
    "add_call",
    "change_call",
    "delete_call",
    "view_call",
    "publish_call",
    "add_standard",
    "change_standard",
    "delete_standard",
    "view_standard",
    "add_question",
    "change_question",
    "delete_question",
    "view_question",
    "add_criterion",
    "change_criterion",
    "delete_criterion",
    "view_criterion",
    "add_organisingbody",
    "change_organisingbody",
    "view_organisingbody",
    # the holidays and 调休 days the 公示 period counts with
    "add_calendarday",
    "change_calendarday",
    "delete_calendarday",
    "view_calendarday",
)
CALL_MANAGER_GROUP = "征集管理"


def _permissions(codenames, app_label="applications"):
    return list(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


def reviewer_group_name(body: OrganisingBody) -> str:
    return f"评审组·{body.short_name or body.name}"


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create or complete the groups; returns them by name."""
    groups = {}
    reviewer_permissions = _permissions(REVIEWER_PERMISSIONS)
    for body in OrganisingBody.objects.select_for_update():
        if body.reviewer_group is None:
            body.reviewer_group, _created = Group.objects.get_or_create(
                name=reviewer_group_name(body)
            )
            body.save(update_fields=["reviewer_group"])
        body.reviewer_group.permissions.add(*reviewer_permissions)
        groups[body.reviewer_group.name] = body.reviewer_group
    selectors_group, _created = Group.objects.get_or_create(name=SELECTOR_GROUP)
    selectors_group.permissions.add(*_permissions(SELECTOR_PERMISSIONS))
    selectors_group.permissions.add(*_permissions(SELECTOR_OUTBOX_PERMISSIONS, "outbox"))
    groups[SELECTOR_GROUP] = selectors_group
    managers_group, _created = Group.objects.get_or_create(name=CALL_MANAGER_GROUP)
    managers_group.permissions.add(*_permissions(CALL_MANAGER_PERMISSIONS))
    groups[CALL_MANAGER_GROUP] = managers_group
    return groups
