"""Pure validation functions shared by the form (early feedback) and the services (final word).

Each raises ``ValidationError`` with a Chinese message that says what to do, and a stable code;
normalising functions return the cleaned value.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from applications import form_schema

# --- 统一社会信用代码, GB 32100-2015 -------------------------------------------------------
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code, computed from the first 17."""
    total = sum(
        CREDIT_CODE_CHARSET.index(ch) * w
        for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper-case, drop spaces and dashes, then verify length, characters and check character."""
    code = re.sub(r"[\s\-\u3000]", "", unicodedata.normalize("NFKC", value or "")).upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位（当前 %(n)d 位），请对照营业执照或登记证书核对。"),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _(
                "统一社会信用代码里不会出现 %(chars)s：代码只由数字和除 I、O、S、V、Z 以外的"
                "大写字母组成。请对照营业执照重新填写。"
            ),
            code="credit_code_chars",
            params={"chars": "、".join(bad)},
        )
    expected = credit_code_check_char(code[:17])
    if expected != code[17]:
        # 18 characters, all possible: what is wrong is that they do not agree. Say so, and
        # which character disagrees, rather than repeat the length.
        raise ValidationError(
            _(
                "统一社会信用代码的 18 位与校验规则不符：按前 17 位，最后一位（校验码）应为"
                "“%(expected)s”，填写的是“%(given)s”。多半是前 17 位中有输错或前后颠倒的字符，"
                "请对照营业执照逐位核对。"
            ),
            code="credit_code_checksum",
            params={"expected": expected, "given": code[17]},
        )
    return code


# --- Telephone numbers and postcode -------------------------------------------------------
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
SERVICE_NUMBER_RE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")


def _strip_phone(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    value = re.sub(r"[\s()（）]", "", value)
    return re.sub(r"^(\+|00)86-?", "", value)


def normalize_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits; +86, spaces and dashes are accepted."""
    digits = _strip_phone(value).replace("-", "")
    if not MOBILE_RE.match(digits):
        raise ValidationError(
            _("请填写 11 位中国大陆手机号码，如 13812345678（可带 +86）。"), code="mobile"
        )
    return digits


def normalize_landline(value: str, *, allow_mobile: bool = True) -> str:
    """A landline with area code as ``010-66094072`` (extension allowed), or a mobile number."""
    value = _strip_phone(value)
    plain = value.replace("-", "")
    if allow_mobile and MOBILE_RE.match(plain):
        return plain
    if SERVICE_NUMBER_RE.match(value):
        return f"{plain[:3]}-{plain[3:6]}-{plain[6:]}"
    if LANDLINE_RE.match(value):
        return value
    # Without a dash: split a leading area code (3 digits for 010/02x, otherwise 4).
    if re.fullmatch(r"0\d{9,11}", plain):
        split = 3 if plain[1] in "12" else 4
        candidate = f"{plain[:split]}-{plain[split:]}"
        if LANDLINE_RE.match(candidate):
            return candidate
    raise ValidationError(
        _("请填写带区号的固定电话，如 010-66094072（分机号用“-”连接）或手机号码。"),
        code="phone",
    )


def normalize_postcode(value: str) -> str:
    code = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError(
            _("请填写 6 位数字的邮政编码，如 518060（通讯地址所在地的邮编）。"), code="postcode"
        )
    return code


# --- Dates ---------------------------------------------------------------------------------
DRAFTER_MIN_AGE = 18
DRAFTER_MAX_AGE = 100


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_birth_date(birth_date: dt.date, *, today: dt.date) -> None:
    age = age_on(birth_date, today)
    if age < DRAFTER_MIN_AGE or age > DRAFTER_MAX_AGE:
        raise ValidationError(
            _(
                "推荐起草人年龄应在 %(min)d 至 %(max)d 岁之间，"
                "请核对出生日期（年-月-日，如 1980-05-20）。"
            ),
            code="birth_date_range",
            params={"min": DRAFTER_MIN_AGE, "max": DRAFTER_MAX_AGE},
        )


def validate_not_future(day: dt.date, *, today: dt.date) -> None:
    if day > today:
        raise ValidationError(
            _("日期不能晚于今天，请填写负责人签字盖章的日期（今天或之前）。"), code="future_date"
        )


# --- Text ------------------------------------------------------------------------------------
# Bidirectional overrides and isolates can disguise a name ("RTL override" attacks).
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


# Word's manual line break (U+000B), its page break (U+000C) and the Unicode line and
# paragraph separators: a pasted text means a new line by each of them.
LINE_BREAKS = re.compile("\r\n|[\r\u000b\u000c\u0085\u2028\u2029]")


def normalize_line_breaks(value: str) -> str:
    """Every way of breaking a line as one "\n": a browser sends "\r\n", which would count
    as two characters against a length limit the browser counted as one."""
    return LINE_BREAKS.sub("\n", value or "")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Trim, refuse control and bidi-override characters. A single line folds full-width and
    repeated spaces into one; a text keeps its tabs, full-width spaces and indents (tables
    and indented paragraphs pasted from Word), dropping only spaces at the ends of lines."""
    if multiline:
        value = normalize_line_breaks(value)
        allowed_controls = {"\n", "\t"}
    else:  # a line cannot hold a line break; Word's manual one, pasted, is a space here
        value = re.sub("[\u000b\u000c]", " ", value or "")
        allowed_controls = {"\t"}
    for ch in value:
        if ch in BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in allowed_controls):
            raise ValidationError(
                _("内容含有不可见的控制字符，请删除后重新输入（可先粘贴到记事本再复制）。"),
                code="control_characters",
            )
    if multiline:
        lines = [line.rstrip(" \t\u3000") for line in value.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").rstrip()
    return re.sub(r"[\s\u3000]+", " ", value).strip()


def validate_email_characters(value: str) -> None:
    """No control or format character in an e-mail address: a quoted local part may hold
    them for the e-mail validator, but no mail server accepts them (nor any person types
    them): a vertical tab or a zero-width space is a paste gone wrong, or a probe."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value or ""):
        raise ValidationError(
            _("电子邮箱中含有控制字符或不可见的格式字符，请删除后重新输入。"),
            code="email_control_characters",
        )


def normalize_email(value: str) -> str:
    """One spelling of an address for limits and lookups: trimmed, in lower case."""
    return (value or "").strip().lower()


# --- Rules across rows and time --------------------------------------------------------------
def _missing(field: form_schema.Field, value) -> bool:
    if field.kind is form_schema.Kind.YES_NO:
        return value is None  # 否 is an answer
    if field.kind in (
        form_schema.Kind.TICK,
        form_schema.Kind.STANDARDS,
        form_schema.Kind.FILE,
        form_schema.Kind.BODIES,
    ):
        return not value
    return value in (None, "")


def _missing_error(field: form_schema.Field) -> ValidationError:
    if field.missing is not None:
        return ValidationError(field.missing.message, code=field.missing.code)
    if field.kind in (form_schema.Kind.CHOICE, form_schema.Kind.CODE, form_schema.Kind.YES_NO):
        message = _("提交前请选择一项。")
    elif field.kind is form_schema.Kind.DATE:
        message = _("提交前请填写日期（年-月-日）。")
    else:
        message = _("提交前请填写此项。")
    return ValidationError(message, code="required")


def missing_for_submit(values: Mapping[str, object]) -> dict[str, ValidationError]:
    """The errors that keep an application from being submitted, by field name, in the
    form's order. ``values`` has every field of the 申报表 (``form_schema``) by name; for
    the standards and the files, anything whose truth says whether there is one."""
    return {
        field.name: _missing_error(field)
        for field in form_schema.FIELDS
        if field.submit and _missing(field, values.get(field.name))
    }


def missing_answers(*, required: list[int], answers: dict) -> dict[str, ValidationError]:
    """The call's required questions (their primary keys) that ``answers`` leaves empty, by
    the form field's name ``q_<pk>``."""
    return {
        f"q_{pk}": ValidationError(_("提交前请回答此问题。"), code="required")
        for pk in required
        if answers.get(str(pk)) in (None, "", [])
    }


def submission_values(application, *, standards) -> dict[str, object]:
    """What ``missing_for_submit`` reads, from an application as it stands (``standards``:
    the chosen ones, or their number)."""
    return {
        field.name: standards
        if field.kind is form_schema.Kind.STANDARDS
        else getattr(application, field.name)
        for field in form_schema.FIELDS
    }


def ensure_call_open(call, *, now) -> None:
    if not call.is_published:
        raise ValidationError(_("本次征集尚未发布，暂不接受申报。"), code="call_not_published")
    if call.has_not_opened(now):
        raise ValidationError(_("本次征集尚未开始，暂不接受申报。"), code="call_not_open")
    if not call.is_open(now):
        raise ValidationError(
            _("本次征集已于截止时间关闭，不再接受申报或修改。"), code="call_closed"
        )


def validate_credit_code_free(*, taken: bool) -> None:
    """One application per unit and call; ``taken``: another active application has the code."""
    if taken:
        raise ValidationError(
            # Said the same way whoever types it: the existing application's contact, not
            # the person at the keyboard, gets its link (as on the link page).
            _(
                "不能用此统一社会信用代码申报：每个单位在本次征集中只能申报一次。"
                "如该单位已申报，专属链接已发送到其联系邮箱；请向本单位负责申报的同事索取，"
                "或联系通知中的联系人。"
            ),
            code="duplicate_unit",
        )


def validate_drafter_free(*, taken: bool) -> None:
    """One unit per drafter and call; ``taken``: another active application names the same
    drafter (name and mobile)."""
    if taken:
        raise ValidationError(
            _(
                "不能推荐此起草人（按姓名与手机号）：同一人在本次征集中只能被一家单位推荐。"
                "如该起草人已被推荐，专属链接已发送到推荐单位的联系邮箱；"
                "请推荐本单位的其他人员，或联系通知中的联系人。"
            ),
            code="duplicate_drafter",
        )


# --- Calls ---------------------------------------------------------------------------------
def call_publish_problems(
    *, standards: int, bodies: int, criteria: int, opens_at, deadline
) -> list[str]:
    """What keeps a call from being published (empty when it is complete): ``standards``,
    ``bodies`` and ``criteria`` (of its rubric) are how many it has. Without criteria its
    reviewers could not score (a verdict needs every criterion)."""
    problems = []
    if standards < 1:
        problems.append(_("至少需要一项征集起草单位的标准"))
    if bodies < 1:
        problems.append(_("至少需要一个牵头组织单位"))
    if criteria < 1:
        problems.append(_("至少需要一项评分标准"))
    if opens_at is None or deadline is None:
        problems.append(_("需要填写开始时间和截止时间"))
    elif deadline <= opens_at:
        problems.append(_("截止时间必须晚于开始时间"))
    return [str(p) for p in problems]


def validate_call_publishable(**counts) -> None:
    """Refuse to publish an incomplete call, naming everything that is missing."""
    problems = call_publish_problems(**counts)
    if problems:
        raise ValidationError(
            _("征集尚不完整，不能发布：%(problems)s。"),
            code="call_incomplete",
            params={"problems": "；".join(problems)},
        )


# --- Decisions ------------------------------------------------------------------------------
def validate_may_decide(*, allowed: bool) -> None:
    """Only the call's selectors decide on its applications (every selector if it lists
    none); ``allowed``: the actor is one of them."""
    if not allowed:
        raise ValidationError(
            _("您不是本征集的遴选人，不能对其申报作出决定或调整名单。"), code="not_selector"
        )


def validate_selection_capacity(*, selected_count: int, max_selected: int) -> None:
    """The cap of a call; the service calls it with the call's row locked."""
    if selected_count >= max_selected:
        raise ValidationError(
            _("已入选 %(n)d 家，达到上限 %(max)d 家，不能再入选；如需替换，请先撤销一家的入选决定"),
            code="cap_reached",
            params={"n": selected_count, "max": max_selected},
        )


def validate_quorum(*, recommendations: int, required: int, override_reason: str) -> None:
    """Joint sign-off (会签): enough bodies recommend, or the selector writes why not."""
    if recommendations < required and not override_reason:
        raise ValidationError(
            _(
                "会签未达要求：%(n)d 个牵头单位推荐，需要 %(required)d 个；"
                "如仍要入选，请在该申报的页面点击“入选”并填写理由"
            ),
            code="quorum_missing",
            params={"n": recommendations, "required": required},
        )


# --- Conflicts of interest (回避) ------------------------------------------------------------
# Brackets of every width and shape read as one pair: 深圳大学（研究院）= 深圳大学(研究院).
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})


def normalize_unit_name(value: str) -> str:
    """A unit's name as compared for conflicts: full-width characters as half-width (NFKC),
    no spaces of any width, brackets of one kind, case folded."""
    text = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    return re.sub(r"\s+", "", text).casefold()


def conflict_match(
    *,
    credit_code: str,
    unit_name: str,
    candidates: list[tuple[str, str, str]],
) -> str:
    """Why an application of ``credit_code`` / ``unit_name`` conflicts with a body, or "".

    ``candidates`` are (what, name, credit code) of the body itself and of each of its
    related units, ``what`` being how the reason names it (e.g. "深圳大学", "关联单位 …").
    The credit code decides where both sides have one; the normalised name otherwise."""
    name = normalize_unit_name(unit_name)
    for what, _other_name, other_code in candidates:
        if credit_code and other_code and credit_code == other_code:
            return _("统一社会信用代码与%(what)s相同（%(code)s）") % {
                "what": what,
                "code": credit_code,
            }
    for what, other_name, other_code in candidates:
        if credit_code and other_code:
            continue  # both codes known and different: the same name is another unit
        if name and normalize_unit_name(other_name) == name:
            return _("单位名称与%(what)s相同（%(name)s）") % {"what": what, "name": other_name}
    return ""
