"""A call's own questions, asked after a chosen section of the fixed 申报表."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from applications import form_schema
from applications.models.call import Call


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("单行文字")
    LONG_TEXT = "long_text", _("多行文字")
    SINGLE_CHOICE = "single_choice", _("单选")
    MULTIPLE_CHOICE = "multiple_choice", _("多选")
    YES_NO = "yes_no", _("是/否")
    DATE = "date", _("日期")
    NUMBER = "number", _("整数")
    FILE = "file", _("文件")


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
SECTION_CHOICES = [(section.key, section.title) for section in form_schema.SECTIONS]


class Question(models.Model):
    """One extra question of a call; its answers live in ``Application.extra_answers`` under
    the question's primary key, and its form field and export column are ``q_<pk>``. A file
    question's answer there is the file's original name (what pages, the printed form and
    exports show); the file itself is an ``AnswerFile``."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="questions", verbose_name=_("征集")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=QuestionKind.choices)
    label = models.CharField(_("问题"), max_length=200)
    label_en = models.CharField(_("问题（英文，可选）"), max_length=200, blank=True)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    help_text_en = models.CharField(_("说明（英文，可选）"), max_length=300, blank=True)
    options = models.TextField(_("选项"), blank=True, help_text=_("单选、多选题的选项，每行一个。"))
    required = models.BooleanField(_("提交时必填"), default=False)
    after_section = models.CharField(
        _("位于哪一部分之后"),
        max_length=20,
        choices=SECTION_CHOICES,
        default=SECTION_CHOICES[-2][0],
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    hidden = models.BooleanField(
        _("隐藏"), default=False, help_text=_("隐藏后不再询问，已有的回答仍保留在导出中。")
    )

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("附加问题")
        verbose_name_plural = _("附加问题")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=CHOICE_KINDS) | ~Q(options=""),
                name="question_choices_have_options",
                violation_error_message=_("单选、多选题至少需要一个选项。"),
            )
        ]

    def __str__(self):
        return self.label

    @property
    def key(self) -> str:
        """The form field's name and the export column's key."""
        return f"q_{self.pk}"

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def _in_language(self, chinese: str, english: str) -> str:
        if english and (translation.get_language() or "").startswith("en"):
            return english
        return chinese

    @property
    def localized_label(self) -> str:
        return self._in_language(self.label, self.label_en)

    @property
    def localized_help(self) -> str:
        return self._in_language(self.help_text, self.help_text_en)

    def display(self, value) -> str:
        """An answer as people read it (pages, the printed form, exports)."""
        if value in (None, "", []):
            return ""
        if self.kind == QuestionKind.YES_NO:
            return str(_("是") if value else _("否"))
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)
