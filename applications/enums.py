"""Enumerations of the application: states, unit kinds and the national code lists.

The code lists are the ones the data dictionary names: GB/T 4754-2017 sections (门类),
GB/T 3304 ethnic groups and GB/T 4762 political status. Stored values are the standards'
codes, so exports can be matched against other systems.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    SELECTED = "selected", _("已入选")
    WAITLISTED = "waitlisted", _("候补")
    REJECTED = "rejected", _("未入选")
    WITHDRAWN = "withdrawn", _("已撤回")


# Which states lead where, and the sets of states built on that: ``applications.workflow``.


class CallStatus(models.TextChoices):
    """A call is a draft (seen by its managers only) until published (public)."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ScanCheck(models.TextChoices):
    """What the version stamps on the seal scan say about it (``applications.stamp``)."""

    MATCHES = "matches", _("与在线内容一致")
    PARTIAL = "partial", _("缺页")
    STALE = "stale", _("与在线内容不一致")
    OTHER = "other", _("其他申报的表")
    UNREADABLE = "unreadable", _("未识别到校验码")


class SealPlace(models.TextChoices):
    """Where on the page the red-seal hint saw the seal: the page cut into a 3 × 3 grid,
    named as one tells someone where to look (``uploads.seal``)."""

    TOP_LEFT = "top_left", _("左上方")
    TOP = "top", _("上方正中")
    TOP_RIGHT = "top_right", _("右上方")
    LEFT = "left", _("左侧中部")
    CENTRE = "centre", _("正中")
    RIGHT = "right", _("右侧中部")
    BOTTOM_LEFT = "bottom_left", _("左下方")
    BOTTOM = "bottom", _("下方正中")
    BOTTOM_RIGHT = "bottom_right", _("右下方")


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", _("推荐")
    NEUTRAL = "neutral", _("待定")
    NOT_RECOMMEND = "not_recommend", _("不推荐")


class UnitType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    ASSOCIATION = "association", _("行业协会商会")
    TRADE_PROMOTION = "trade_promotion", _("贸促机构")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, the 20 sections (门类)."""

    A = "A", _("A 农、林、牧、渔业")
    B = "B", _("B 采矿业")
    C = "C", _("C 制造业")
    D = "D", _("D 电力、热力、燃气及水生产和供应业")
    E = "E", _("E 建筑业")
    F = "F", _("F 批发和零售业")
    G = "G", _("G 交通运输、仓储和邮政业")
    H = "H", _("H 住宿和餐饮业")
    I = "I", _("I 信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("J 金融业")
    K = "K", _("K 房地产业")
    L = "L", _("L 租赁和商务服务业")
    M = "M", _("M 科学研究和技术服务业")
    N = "N", _("N 水利、环境和公共设施管理业")
    O = "O", _("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("P 教育")
    Q = "Q", _("Q 卫生和社会工作")
    R = "R", _("R 文化、体育和娱乐业")
    S = "S", _("S 公共管理、社会保障和社会组织")
    T = "T", _("T 国际组织")


_ETHNIC_GROUPS = [
    _("汉族"),
    _("蒙古族"),
    _("回族"),
    _("藏族"),
    _("维吾尔族"),
    _("苗族"),
    _("彝族"),
    _("壮族"),
    _("布依族"),
    _("朝鲜族"),
    _("满族"),
    _("侗族"),
    _("瑶族"),
    _("白族"),
    _("土家族"),
    _("哈尼族"),
    _("哈萨克族"),
    _("傣族"),
    _("黎族"),
    _("傈僳族"),
    _("佤族"),
    _("畲族"),
    _("高山族"),
    _("拉祜族"),
    _("水族"),
    _("东乡族"),
    _("纳西族"),
    _("景颇族"),
    _("柯尔克孜族"),
    _("土族"),
    _("达斡尔族"),
    _("仫佬族"),
    _("羌族"),
    _("布朗族"),
    _("撒拉族"),
    _("毛南族"),
    _("仡佬族"),
    _("锡伯族"),
    _("阿昌族"),
    _("普米族"),
    _("塔吉克族"),
    _("怒族"),
    _("乌孜别克族"),
    _("俄罗斯族"),
    _("鄂温克族"),
    _("德昂族"),
    _("保安族"),
    _("裕固族"),
    _("京族"),
    _("塔塔尔族"),
    _("独龙族"),
    _("鄂伦春族"),
    _("赫哲族"),
    _("门巴族"),
    _("珞巴族"),
    _("基诺族"),
]
assert len(_ETHNIC_GROUPS) == 56

# GB/T 3304-1991 codes 01–56 in the standard's order, plus 97 其他 (the standard's "other").
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(_ETHNIC_GROUPS, start=1)] + [
    ("97", _("其他"))
]


class PoliticalStatus(models.TextChoices):
    """GB/T 4762-1984 政治面貌代码, the 13 values."""

    CPC_MEMBER = "01", _("中共党员")
    CPC_PROBATIONARY = "02", _("中共预备党员")
    CYL_MEMBER = "03", _("共青团员")
    RCCK = "04", _("民革会员")
    CDL = "05", _("民盟盟员")
    CNDCA = "06", _("民建会员")
    CAPD = "07", _("民进会员")
    CPWDP = "08", _("农工党党员")
    CZGP = "09", _("致公党党员")
    JIUSAN = "10", _("九三学社社员")
    TDSGL = "11", _("台盟盟员")
    NON_PARTY = "12", _("无党派人士")
    MASSES = "13", _("群众")


# Audit actions, as shown to people; the decisions' are in ``workflow.DECISIONS``.
AUDIT_ACTION_LABELS = {
    "application.create": _("创建申报"),
    "application.edit": _("修改申报"),
    "application.submit": _("提交申报"),
    "application.withdraw": _("撤回申报"),
    "application.link_resent": _("重新发送专属链接"),
    "application.links_stopped": _("停用其他专属链接"),
    "application.duplicate_tried": _("有人以本单位或本起草人再次申报，已发送专属链接"),
    "application.seed": _("演示数据"),
    "application.review": _("评审意见"),
    "application.reorder": _("调整名单顺序"),
    "application.export": _("导出"),
    "application.remind": _("截止前提醒"),
    "application.purge": _("删除个人信息"),
    "call.publish": _("发布征集"),
    "call.copy": _("复制为新征集"),
    "application.conflict_declare": _("记录回避"),
    "application.conflict_remove": _("解除回避"),
}
