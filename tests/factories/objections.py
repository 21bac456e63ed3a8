"""Objections (异议) to a published list, filed through the service as the form would."""

from applications import services


def objection_values(application, **overrides) -> services.ObjectionValues:
    values = {
        "name": "王建国",
        "organisation": "某市质量协会",
        "phone": "13912345678",
        "email": "wang@example.org",
        "reason": "该单位近三年存在行政处罚记录，不符合“依法经营”的条件。",
        "application_pk": application.pk,
        **overrides,
    }
    return services.ObjectionValues(**values)


def file_objection(call, application, *, now=None, **overrides):
    """An objection to ``application`` filed at ``now`` (default: the service's now)."""
    kwargs = {"now": now} if now is not None else {}
    return services.objection_file(
        call=call, values=objection_values(application, **overrides), **kwargs
    )
