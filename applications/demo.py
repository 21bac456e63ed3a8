"""Fake but valid applications with small real files, for demos, tests and benchmarks."""

import datetime as dt
import io
import random
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from applications import enums, rubric, validation
from applications.models import (
    Application,
    AuditEntry,
    Call,
    Criterion,
    OrganisingBody,
    Review,
    ReviewScore,
    Standard,
)
from applications.queries import token_hash
from applications.services.calls import call_criteria_ensure
from applications.services.locking import lock_call
from applications.storage import private_storage, private_upload_to

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力宁健斌波宇浩凯晨"
    "鑫琳欣怡佳瑶雪梅晶晶昊天博文子涵思远志强海燕春雨"
)
CITIES = [
    ("深圳", "广东省深圳市", "518000", "0755"),
    ("北京", "北京市", "100000", "010"),
    ("上海", "上海市", "200000", "021"),
    ("杭州", "浙江省杭州市", "310000", "0571"),
    ("成都", "四川省成都市", "610000", "028"),
    ("武汉", "湖北省武汉市", "430000", "027"),
    ("青岛", "山东省青岛市", "266000", "0532"),
    ("苏州", "江苏省苏州市", "215000", "0512"),
]
KINDS = [
    ("质量技术", enums.UnitType.ENTERPRISE, "C"),
    ("检验检测", enums.UnitType.ENTERPRISE, "M"),
    ("质量管理协会", enums.UnitType.ASSOCIATION, "S"),
    ("质量发展研究院", enums.UnitType.PUBLIC_INSTITUTION, "M"),
    ("国际贸易促进会", enums.UnitType.TRADE_PROMOTION, "S"),
    ("智能制造", enums.UnitType.ENTERPRISE, "C"),
    ("食品", enums.UnitType.ENTERPRISE, "C"),
    ("建设工程", enums.UnitType.ENTERPRISE, "E"),
]
TITLES = ["高级工程师", "正高级工程师", "教授", "研究员", "副教授", "高级经济师"]
POSITIONS = ["首席质量官", "质量总监", "副总经理", "院长", "秘书长", "质量部部长"]


def credit_code(number: int, *, region: str = "440300") -> str:
    """A valid unified social credit code, distinct for each ``number``."""
    body = f"91{region}{number % 10**9:09d}"
    return body + validation.credit_code_check_char(body)


def seal_scan_png() -> bytes:
    """A small white page with black "text" and a red round seal, as a phone would show."""
    img = Image.new("RGB", (420, 594), "white")
    draw = ImageDraw.Draw(img)
    for y in range(40, 500, 22):
        draw.line((40, y, 380, y), fill=(30, 30, 30), width=3)
    draw.ellipse((250, 420, 390, 560), outline=(210, 20, 30), width=8)
    draw.regular_polygon((320, 490, 22), 5, fill=(210, 20, 30))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def profile_pdf() -> bytes:
    img = Image.new("RGB", (200, 280), "white")
    ImageDraw.Draw(img).rectangle((20, 20, 180, 60), fill=(40, 40, 40))
    out = io.BytesIO()
    img.save(out, "PDF")
    return out.getvalue()


def application_values(rng: random.Random, number: int, *, today: dt.date) -> dict:
    city, province, postcode, area = CITIES[number % len(CITIES)]
    kind, unit_type, industry = KINDS[number % len(KINDS)]
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    mobile = f"139{number % 10**8:08d}"
    return {
        "unit_name": f"{city}{kind}示范单位{number:05d}",
        "credit_code": credit_code(number),
        "unit_type": unit_type,
        "main_business": "质量管理咨询、检验检测与首席质量官培训",
        "industry": industry,
        "address": f"{province}示范路 {number % 900 + 1} 号",
        "postcode": postcode,
        "unit_profile": "本单位长期从事质量管理与标准化工作，"
        "推行首席质量官制度多年，培养质量管理人才数百名。",
        "related_bodies": [],  # no relation declared to an organising body
        "body_relation": "",
        "drafter_name": name,
        "drafter_gender": rng.choice(enums.Gender.values),
        "drafter_birth_date": today - dt.timedelta(days=365 * rng.randrange(28, 60)),
        "drafter_ethnicity": "01",
        "drafter_native_place": rng.choice(CITIES)[1],
        "drafter_political_status": rng.choice(enums.PoliticalStatus.values),
        "drafter_title": rng.choice(TITLES),
        "drafter_position": rng.choice(POSITIONS),
        "drafter_mobile": mobile,
        "drafter_phone": f"{area}-{rng.randrange(10**7, 10**8)}",
        "drafter_fax": "",
        "drafter_email": f"drafter{number}@example.com",
        "drafter_resume": "从事质量管理工作二十年，主持多项国家标准和团体标准的起草。",
        "can_attend_meetings": True,
        "can_provide_funding": rng.random() < 0.8,
        "can_provide_technical_support": True,
        "agrees_to_declaration": True,
        "responsible_person": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "signed_on": today,
        "privacy_consent": True,
        # Most drafters agree to be named in the 公示; some do not (shown without the name).
        "drafter_name_public_consent": number % 7 != 0,
        "contact_email": f"unit{number}@example.com",
    }


def create_demo_applications(call: Call, count: int, *, seed: int = 2021, batch: int = 500) -> int:
    """Create ``count`` submitted applications in bulk, each with its own seal scan and profile PDF.

    References continue the call's gap-free counter (its row is locked while they are taken).
    Returns how many were created.
    """
    rng = random.Random(seed)
    seal, pdf = seal_scan_png(), profile_pdf()
    standards = list(call.standards.all())
    now = timezone.now()
    today = timezone.localdate()
    created = 0
    while created < count:
        size = min(batch, count - created)
        written: list[str] = []
        try:
            with transaction.atomic():
                locked = lock_call(call)
                first = locked.last_reference_number + 1
                objects = []
                for number in range(first, first + size):
                    app = Application(
                        call=locked,
                        reference=locked.format_reference(number),
                        access_token_hash=token_hash(secrets.token_urlsafe(32)),
                        status=enums.Status.SUBMITTED,
                        submitted_at=now,
                        created_at=now,
                        email_confirmed_at=now,
                        privacy_consent_at=now,
                        seal_detected=True,
                        seal_scan_name="申报表盖章扫描件.png",
                        unit_profile_file_name="单位简介.pdf",
                        **application_values(rng, number + seed, today=today),
                    )
                    app.seal_scan.name = private_storage().save(
                        private_upload_to(app, "x.png"), ContentFile(seal)
                    )
                    app.unit_profile_file.name = private_storage().save(
                        private_upload_to(app, "x.pdf"), ContentFile(pdf)
                    )
                    written += [app.seal_scan.name, app.unit_profile_file.name]
                    objects.append(app)
                Application.objects.bulk_create(objects)
                objects = list(
                    Application.objects.filter(
                        call=locked,
                        reference__in=[a.reference for a in objects],
                    ).only("pk")
                )
                through = Application.standards.through
                through.objects.bulk_create(
                    through(application_id=a.pk, standard_id=s.pk)
                    for i, a in enumerate(objects)
                    for s in standards[: 1 + (a.pk + i) % len(standards)]
                )
                AuditEntry.objects.bulk_create(
                    AuditEntry(
                        application_id=a.pk, action="application.seed", data={"to": "submitted"}
                    )
                    for a in objects
                )
                locked.last_reference_number = first + size - 1
                locked.save(update_fields=["last_reference_number"])
        except BaseException:
            for name in written:
                private_storage().delete(name)
            raise
        created += size
    return created


DEMO_COMMENTS = ("材料齐全，行业代表性强。", "起草人经验丰富。", "建议补充质量管理实践材料。", "")


@transaction.atomic
def create_demo_reviews(call: Call, reviewers: dict, *, share: float = 0.7, seed: int = 2021):
    """In bulk, a verdict of each body (``reviewers``: body → user) on about ``share`` of the
    call's submitted applications that it has not reviewed yet, each with its audit entry.
    Returns how many reviews were created."""
    rng = random.Random(seed)
    weights = (0.6, 0.25, 0.15)  # 推荐, 待定, 不推荐
    choices = list(enums.Recommendation.values)
    submitted = list(
        Application.objects.filter(call=call, status=enums.Status.SUBMITTED).values_list(
            "pk", flat=True
        )
    )
    criteria = list(Criterion.objects.filter(call=call, legacy=False).order_by("position"))
    # The scores' spread draws from its own sequence, so that ``rng`` gives the verdicts of
    # before the rubric (the README's count of applications reaching the sign-off holds).
    score_rng = random.Random(seed + 1)
    reviews, entries, values = [], [], []
    for body, user in reviewers.items():
        done = set(Review.objects.filter(body=body).values_list("application_id", flat=True))
        for pk in submitted:
            if pk in done or rng.random() > share:
                continue
            recommendation = rng.choices(choices, weights)[0]
            # About 75–95 for 推荐, 60–80 for 待定, 40–60 for 不推荐, as before the rubric:
            # each criterion near that share of its scale.
            aim = {"recommend": 75, "neutral": 60, "not_recommend": 40}[recommendation]
            aim += rng.randint(0, 20)
            scored = [
                max(0, min(c.scale_max, round(c.scale_max * aim / 100 + score_rng.uniform(-1, 1))))
                for c in criteria
            ]
            score = rubric.weighted_total(
                rubric.Scored(c.weight, c.scale_max, v)
                for c, v in zip(criteria, scored, strict=True)
            )
            values.append(scored)
            reviews.append(
                Review(
                    application_id=pk,
                    body=body,
                    reviewer=user,
                    recommendation=recommendation,
                    score=score,
                    comment=rng.choice(DEMO_COMMENTS),
                )
            )
            entries.append(
                AuditEntry(
                    application_id=pk,
                    actor=user,
                    body=body,
                    action="application.review",
                    data={"from": "", "to": recommendation, "score": score, "demo": True},
                )
            )
    Review.objects.bulk_create(reviews, batch_size=1000)
    ReviewScore.objects.bulk_create(
        (
            ReviewScore(review=review, criterion=c, value=v)
            for review, scored in zip(reviews, values, strict=True)
            for c, v in zip(criteria, scored, strict=True)
        ),
        batch_size=1000,
    )
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(reviews)


# A second call for the demo, unlike the seeded one in everything an applicant reads: its
# own notice, series, standards, two bodies of its own beside one shared with the first call,
# and a quota of 10. Its texts say it is a demonstration.
DEMO_CALL = {
    "code": "svc-2026",
    "title": "关于公开征集商业服务质量系列团体标准起草单位的通知（演示）",
    "series": "商业服务质量系列团体标准",
    "series_en": "Commercial service quality group standards",
    "document_number": "演示〔2026〕1号",
    "issuer": "商业服务质量标准化示范中心",
    "max_selected": 10,
    "drafters_per_unit": 1,
    "required_recommendations": 2,
}
DEMO_CALL_NOTICE = """各有关单位：

为提升零售与餐饮服务质量，现公开征集以下团体标准的起草单位。**本征集仅用于演示。**

## 一、申报条件

1. 在中国境内依法注册的零售、餐饮企业或相关行业协会；
2. 具有三年以上服务质量管理实践；
3. 能够派出熟悉服务质量管理的人员参加起草工作。

## 二、名额

选取 **10 家**以内起草单位，每单位列名起草人 1 人。

## 三、申报方式

请在线填写申报表，打印后加盖单位公章，上传盖章扫描件。
"""
DEMO_CALL_STANDARDS = [
    ("《零售门店服务质量评价规范》", "DEMO-SVC-2026-01"),
    ("《餐饮服务顾客满意度测评指南》", "DEMO-SVC-2026-02"),
]
DEMO_CALL_BODIES = [
    {
        "name": "商业服务质量标准化示范中心",
        "short_name": "示范中心",
        "address": "上海市黄浦区示范路 100 号",
        "phone": "021-61234567",
        "email": "svc-demo@example.com",
        "contact_person": "周明",
    },
    {
        "name": "零售服务质量示范研究院",
        "short_name": "示范研究院",
        "address": "杭州市西湖区示范大道 8 号",
        "phone": "0571-87654321",
        "email": "retail-demo@example.com",
        "contact_person": "林悦",
    },
]
# The demo call's rubric, from its notice's 申报条件 (each 0–10).
DEMO_CALL_CRITERIA = [
    (
        "依法注册、行业代表性",
        "在中国境内依法注册的零售、餐饮企业或相关行业协会，在行业内有代表性。",
        30,
    ),
    ("服务质量管理实践", "具有三年以上服务质量管理实践，成效可查。", 40),
    ("起草人熟悉服务质量管理", "能够派出熟悉服务质量管理的人员参加起草工作。", 30),
]
DEMO_CALL_SHARED_BODY = "中国国际贸易促进委员会商业行业委员会"  # also leads the seeded call


@transaction.atomic
def demo_call_ensure(*, days_open: int = 45) -> tuple[Call, bool]:
    """The second demo call, published and open for ``days_open`` days; (call, created)."""
    call = Call.objects.filter(code=DEMO_CALL["code"]).first()
    if call is not None:
        return call, False
    now = timezone.now().replace(second=0, microsecond=0)
    call = Call(
        **DEMO_CALL,
        notice=DEMO_CALL_NOTICE,
        issued_on=timezone.localdate(),
        opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=days_open),
        status=enums.CallStatus.PUBLISHED,
        published_at=now,
    )
    call.full_clean()
    call.save()
    for position, (title, plan_number) in enumerate(DEMO_CALL_STANDARDS, start=1):
        Standard.objects.create(call=call, title=title, plan_number=plan_number, position=position)
    bodies = [
        OrganisingBody.objects.get_or_create(
            name=data["name"], defaults={**data, "position": 10 + i}
        )[0]
        for i, data in enumerate(DEMO_CALL_BODIES)
    ]
    bodies += list(OrganisingBody.objects.filter(name=DEMO_CALL_SHARED_BODY))
    call.organising_bodies.set(bodies)
    call_criteria_ensure(call=call, criteria=DEMO_CALL_CRITERIA)
    return call, True
