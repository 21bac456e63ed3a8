"""A call's own questions: one of every kind, as a call manager adds them in admin."""

from applications.models import Call, Question, QuestionKind

# kind -> (label, options, required to submit, asked after this section)
EVERY_KIND = {
    QuestionKind.SHORT_TEXT: ("年营业收入区间（万元）", "", True, "unit"),
    QuestionKind.LONG_TEXT: ("近三年参与的标准化工作", "", False, "unit"),
    QuestionKind.SINGLE_CHOICE: ("门店数量", "10 家以下\n10–100 家\n100 家以上", True, "unit"),
    QuestionKind.MULTIPLE_CHOICE: ("经营业态", "超市\n便利店\n餐饮", False, "drafter"),
    QuestionKind.YES_NO: ("是否通过质量管理体系认证", "", True, "drafter"),
    QuestionKind.DATE: ("认证日期", "", False, "drafter"),
    QuestionKind.NUMBER: ("员工人数", "", False, "drafter"),
    QuestionKind.FILE: ("门店经营许可证明", "", False, "drafter"),
}


def ask_every_kind(call: Call) -> dict:
    """One question of each kind on ``call`` (by kind), and a hidden one (``"hidden"``)."""
    made: dict = {}
    for position, (kind, (label, options, required, after)) in enumerate(
        EVERY_KIND.items(), start=1
    ):
        made[kind] = Question.objects.create(
            call=call,
            kind=kind,
            label=label,
            options=options,
            required=required,
            after_section=after,
            position=position,
        )
    made["hidden"] = Question.objects.create(
        call=call, kind=QuestionKind.SHORT_TEXT, label="已停用的问题", hidden=True, position=9
    )
    return made
