"""Create the call of notice 商贸促字〔2021〕163号 with its standards and organising bodies."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications import enums, rubric, services
from applications.data import supplement_cqo_2021
from applications.models import Call, OrganisingBody, Standard
from applications.roles import roles_ensure

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE_FILE = Path(__file__).resolve().parents[2] / "data" / "notice_cqo_2021.md"

CALL = {
    "code": "cqo-2021",
    "title": "关于公开征集首席质量官系列团体标准起草单位和起草人的通知",
    "series": "首席质量官系列团体标准",
    "series_en": "Chief Quality Officer group standards",
    "document_number": "商贸促字〔2021〕163号",
    "issuer": "中国国际贸易促进委员会商业行业委员会",
    "issued_on": dt.date(2021, 7, 15),
    "opens_at": dt.datetime(2021, 7, 15, 0, 0, tzinfo=SHANGHAI),
    "max_selected": 30,
    "drafters_per_unit": 1,
    "supplement": supplement_cqo_2021.SUPPLEMENT,
    "before_you_start": supplement_cqo_2021.BEFORE_YOU_START,
}
DEFAULT_DEADLINE = dt.date(2021, 8, 20)

STANDARDS = [
    ("《首席质量官 术语与原则》", "CCPIT-CSC-JH2021164"),
    ("《首席质量官培育指南》", "CCPIT-CSC-JH2021165"),
    ("《首席质量官评价指南》", "CCPIT-CSC-JH2021166"),
]

BODIES = [
    {
        "name": "深圳大学",
        "short_name": "深圳大学",
        "address": "深圳市南山区南海大道 3688 号深圳大学汇元楼 450",
        "phone": "17722506919",
        "email": "iqed@szu.edu.cn",
        "contact_person": "刘伟丽",
    },
    {
        "name": "中国质量报刊社",
        "short_name": "中国质量报刊社",
        "address": "北京市育慧南路三号",
        "phone": "13366735535",
        "email": "719795803@qq.com",
        "contact_person": "杜吟",
    },
    {
        "name": "中国国际贸易促进委员会商业行业委员会",
        "short_name": "中国贸促会商业行业委员会",
        "address": "北京市西城区复兴门内大街 45 号 (100801)",
        "phone": "010-66094072",
        "email": "ccpitning@163.com",
        "contact_person": "崔宁",
    },
]


def deadline_for(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=SHANGHAI)


class Command(BaseCommand):
    help = "Create the call 商贸促字〔2021〕163号 (idempotent). --deadline sets or extends it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--deadline",
            help="Last day to apply, YYYY-MM-DD (Asia/Shanghai, until 23:59). "
            "Default on creation: 2021-08-20, as in the notice.",
        )

    @transaction.atomic
    def handle(self, *args, deadline=None, **options):
        if deadline:
            try:
                deadline_at = deadline_for(dt.date.fromisoformat(deadline))
            except ValueError as exc:
                raise CommandError(f"--deadline must be YYYY-MM-DD, got {deadline!r}") from exc
        else:
            deadline_at = None

        call = Call.objects.filter(code=CALL["code"]).first()
        if call is None:
            call = Call(
                **CALL,
                notice=NOTICE_FILE.read_text(encoding="utf-8"),
                deadline=deadline_at or deadline_for(DEFAULT_DEADLINE),
                status=enums.CallStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            call.full_clean()
            call.save()
            self.stdout.write(f"Created call {call.code}: {call.document_number}")
        elif deadline_at and call.deadline != deadline_at:
            call.deadline = deadline_at
            call.full_clean()
            call.save(update_fields=["deadline"])
            self.stdout.write(f"Deadline of {call.code} set to {deadline_at:%Y-%m-%d %H:%M %Z}")
        else:
            self.stdout.write(f"Call {call.code} already exists; nothing changed.")

        for position, (title, plan_number) in enumerate(STANDARDS, start=1):
            Standard.objects.get_or_create(
                plan_number=plan_number,
                defaults={"call": call, "title": title, "position": position},
            )
        for position, data in enumerate(BODIES, start=1):
            body, _created = OrganisingBody.objects.get_or_create(
                name=data["name"], defaults={**data, "position": position}
            )
            call.organising_bodies.add(body)
        if services.call_criteria_ensure(call=call, criteria=rubric.NOTICE_2021_CRITERIA):
            self.stdout.write(f"Gave {call.code} the notice's scoring criteria.")
        roles_ensure()
        state = "open" if call.is_open() else "closed"
        deadline_local = timezone.localtime(call.deadline)
        self.stdout.write(
            f"Call {call.code} is {state}; deadline {deadline_local:%Y-%m-%d %H:%M %z}."
        )
