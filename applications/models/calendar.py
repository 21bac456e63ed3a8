"""The official calendar's exceptions to Monday–Friday: public holidays and 调休 working days."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One day whose working status differs from what the portal would otherwise assume.

    The 公示 period counts working days. The published State Council schedule for the years
    the ``chinese_calendar`` package knows is used as it is; a row here overrides it (a
    correction, a local holiday) and covers the years it does not know yet (the schedule
    for next year is announced each November or December).
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("工作日"),
        help_text=_("勾选：该日上班（如周末调休上班）；不勾选：该日放假（如法定节假日）。"),
    )
    name = models.CharField(
        _("节日或说明"), max_length=50, blank=True, help_text=_("如：国庆节、春节调休")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self):
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.date:%Y-%m-%d} {kind} {self.name}".strip()
