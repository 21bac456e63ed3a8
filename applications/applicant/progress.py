"""Where an application stands on the applicant's path, for the private page's step indicator.

填写 → 打印盖章 → 上传盖章扫描件 → 提交 → 评审结果. The step is read from the application
(status, completeness, seal scan and what its version stamps say); nothing is stored.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from applications import enums, form_schema, validation, workflow

FILL, PRINT, UPLOAD, SUBMIT, RESULT = range(5)
STEP_LABELS = (
    _("填写"),
    _("打印盖章"),
    _("上传盖章扫描件"),
    _("提交"),
    _("评审结果"),
)


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "current" or "todo"
    detail: str = ""  # e.g. the decision on the last step


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    current: int | None  # index of the current step; None once withdrawn
    next_action: str  # what the applicant does next, in one sentence
    withdrawn: bool = False


def _form_complete(application) -> bool:
    """Every field a submission needs is filled (the uploads aside: the seal scan comes
    after printing)."""
    values = validation.submission_values(application, standards=application.standards.count())
    missing = validation.missing_for_submit(values)
    return all(form_schema.BY_NAME[name].kind is form_schema.Kind.FILE for name in missing)


def application_progress(application, *, can_edit: bool = True) -> Progress:
    """The steps and the next action; ``can_edit`` is false once the call has closed."""
    status = application.status
    if status == enums.Status.WITHDRAWN:
        return Progress(
            # Said once, under the steps (and in the page's status badge): not on a step too.
            steps=[Step(label, "todo") for label in STEP_LABELS],
            current=None,
            next_action=_("本申报已撤回，不再参加评审。如需再次申报，请重新填写申报表。"),
            withdrawn=True,
        )
    if status == enums.Status.DRAFT:
        if application.seal_scan:
            current = SUBMIT
            action = _("盖章扫描件已上传。请核对内容后点击“继续填写 / 提交”，再点“提交申报”。")
        elif _form_complete(application):
            current = PRINT
            action = _(
                "申报表已填写完整。请点击“打印申报表”，打印后由负责人签字并加盖单位公章，"
                "再扫描或用手机拍照，通过“继续填写 / 提交”上传。"
            )
        else:
            current = FILL
            action = _("请点击“继续填写 / 提交”，把带 * 的项目填写完整。")
        if not can_edit:
            action = _("征集已截止，草稿未能提交，不再参加评审。")
    elif status == enums.Status.SUBMITTED:
        current = RESULT
        action = _("申报已提交，正在等待评审，无需其他操作。评审结果将通过邮件通知。")
    else:  # decided: the result is known
        current = RESULT
        action = _("评审结果：%(result)s。") % {"result": application.get_status_display()}
    if status in (enums.Status.DRAFT, enums.Status.SUBMITTED) and can_edit:
        # The stamped paper does not certify the current data (applications.stamp).
        if application.scan_check == enums.ScanCheck.STALE:
            current = PRINT
            action = _(
                "盖章表与在线填写内容不一致：请打印最新的申报表（PDF），由负责人签字、"
                "加盖单位公章后，通过“修改申报”重新上传。"
            )
        elif application.scan_check == enums.ScanCheck.PARTIAL:
            current = UPLOAD
            action = _("盖章表缺页：请在上方“盖章表校验”中逐页追加缺少的页面的照片。")
        elif application.scan_check == enums.ScanCheck.OTHER:
            current = UPLOAD
            action = _(
                "盖章表不完整或不是本申报的表：请通过“修改申报”重新上传本申报盖章表的全部页面。"
            )
    decided = status in workflow.DECIDED_STATUSES
    steps = []
    for index, label in enumerate(STEP_LABELS):
        if index < current or (index == current and decided):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        detail = ""
        if index == RESULT and status == enums.Status.SUBMITTED:
            detail = _("等待评审")
        elif index == RESULT and decided:
            detail = application.get_status_display()
        steps.append(Step(label, state, detail))
    return Progress(steps=steps, current=current, next_action=action)
