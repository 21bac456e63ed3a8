"""The calendar's exceptions (节假日与调休) that the 公示 period counts with, kept by the
call managers: the official schedule is known to the portal up to the year its calendar
package covers; a later year (announced each winter) or a local holiday is entered here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from applications import working_days
from applications.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_working_day", "name", "official")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    @admin.display(description=gettext_lazy("官方日历"))
    def official(self, obj: CalendarDay) -> str:
        """What the published schedule says of the day, to compare with the entry."""
        known = working_days.official_status(obj.date)
        if known is None:
            return str(gettext_lazy("未收录"))
        return str(gettext_lazy("工作日") if known else gettext_lazy("休息日"))


__all__ = ["CalendarDayAdmin"]
