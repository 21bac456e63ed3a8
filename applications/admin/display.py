"""How the admin shows verdicts, the timeline, choice labels and summaries of actions."""

import functools

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications import enums, queries
from applications.models import Application, ConflictSource, OrganisingBody

VERDICT_CSS = {
    enums.Recommendation.RECOMMEND: "verdict-recommend",
    enums.Recommendation.NEUTRAL: "verdict-neutral",
    enums.Recommendation.NOT_RECOMMEND: "verdict-not-recommend",
}


def verdict_badge(value):
    if not value:
        return format_html('<span class="verdict verdict-none">{}</span>', _("未评审"))
    label = enums.Recommendation(value).label
    return format_html('<span class="verdict {}">{}</span>', VERDICT_CSS[value], label)


def conflict_badge():
    """In place of a verdict a reviewer whose body stands aside may not read."""
    return format_html(
        '<span class="verdict verdict-conflict" title="{}">{}</span>',
        _("本单位须回避，不显示其他单位的评审意见"),
        _("回避"),
    )


def verdict_column(body: OrganisingBody):
    field = queries.verdict_field(body.pk)

    @admin.display(description=body.short_name or body.name, ordering=field)
    def column(obj):
        if getattr(obj, "viewer_conflicted", False):
            return conflict_badge()
        return verdict_badge(getattr(obj, field, None))

    column.__name__ = field
    return column


DETAIL_LABELS = {
    "score": gettext_lazy("评分"),
    "score_before": gettext_lazy("原评分"),
    "changed": gettext_lazy("修改内容"),
    "status": gettext_lazy("当时状态"),
    "format": gettext_lazy("格式"),
    "document": gettext_lazy("文件"),
    "count": gettext_lazy("条数"),
    "call": gettext_lazy("征集"),
    "source": gettext_lazy("复制自"),
    "conflict_source": gettext_lazy("回避来源"),
    "person": gettext_lazy("人员"),
    "relation": gettext_lazy("关系"),
}


def detail_value(key, value):
    if key == "changed":
        names = []
        for name in value:
            try:
                field = Application._meta.get_field(name)
            except FieldDoesNotExist:  # a field since renamed: show its name
                names.append(name)
                continue
            # A reverse relation (the pages added to the seal scan) is named by its model.
            label = getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name
            names.append(str(label))
        return "、".join(names)
    if key == "conflict_source":
        return ConflictSource(value).label if value in ConflictSource.values else value
    if key == "status":
        return enums.Status(value).label if value in enums.Status.values else value
    return "—" if value is None else value


def timeline(application, *, only_body: OrganisingBody | None = None):
    """The audit entries of ``application`` with readable from → to and details; for a
    reviewer whose body stands aside (``only_body``), without the other bodies' verdicts."""
    entries = application.audit_entries.select_related("actor", "body")
    if only_body is not None:
        entries = entries.exclude(Q(action="application.review") & ~Q(body=only_body))
    labels = {**dict(enums.Status.choices), **dict(enums.Recommendation.choices)}
    rows = []
    for entry in entries:
        data = dict(entry.data)
        was, now = data.pop("from", None), data.pop("to", None)
        details = [
            (DETAIL_LABELS[key], detail_value(key, value))
            for key, value in data.items()
            if key in DETAIL_LABELS
        ]
        rows.append(
            {
                "entry": entry,
                "actor": entry.actor or _("申报单位（专属链接）"),
                "from": labels.get(was, was),
                "to": labels.get(now, now),
                "note": data.get("note", ""),
                "details": details,
            }
        )
    return rows


def summarise(request, verb: str, done: int, refusals: dict[str, list[str]]) -> None:
    """One message: how many succeeded, and each reason of refusal with its references."""
    counted = ngettext("%(verb)s %(n)d 家。", "%(verb)s %(n)d 家。", done)
    parts = [counted % {"verb": verb, "n": done}]
    refused = sum(len(refs) for refs in refusals.values())
    if refused:
        parts.append(ngettext("%(n)d 家未能操作：", "%(n)d 家未能操作：", refused) % {"n": refused})
        parts.append(
            "；".join(f"{reason}（{'、'.join(refs)}）" for reason, refs in refusals.items())
        )
    level = messages.SUCCESS if not refused else messages.WARNING if done else messages.ERROR
    messages.add_message(request, level, "".join(parts))


def refusal_text(exc: ValidationError) -> str:
    return "；".join(str(m).rstrip("。") for m in exc.messages)


@functools.cache
def choice_labels(field_name: str) -> dict:
    """Value → (lazy) label of an Application field's choices, built once. Django's
    ``get_FOO_display`` rebuilds the mapping on every call and hashes (so translates) every
    label to do it, for every cell of the change list (docs/performance.md)."""
    return dict(Application._meta.get_field(field_name).flatchoices)


def flatten(fields):
    for item in fields:
        if isinstance(item, (tuple, list)):
            yield from item
        else:
            yield item
