import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from applications import form_schema, validation
from applications.validation import CREDIT_CODE_CHARSET, credit_code_check_char

first17 = st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17)


def code_of(code: str) -> str:
    with pytest.raises(ValidationError) as info:
        validation.normalize_credit_code(code)
    return info.value.code


# --- 统一社会信用代码 ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "real",
    [
        "91350100M000100Y43",  # the example printed in GB 32100-2015
        "91440300708461136T",  # 华为技术有限公司
        "12100000400000624D",  # a public institution (事业单位)
    ],
)
def test_real_credit_codes_pass(real):
    assert validation.normalize_credit_code(real) == real


def test_credit_code_is_normalised():
    assert validation.normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert validation.normalize_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == (
        "91350100M000100Y43"
    )


@given(first17)
def test_a_computed_check_character_always_passes(body):
    code = body + credit_code_check_char(body)
    assert validation.normalize_credit_code(code.lower()) == code


@given(first17, st.integers(min_value=0, max_value=16), st.data())
def test_changing_any_one_character_is_caught(body, position, data):
    code = body + credit_code_check_char(body)
    other = data.draw(st.sampled_from([c for c in CREDIT_CODE_CHARSET if c != code[position]]))
    mutated = code[:position] + other + code[position + 1 :]
    assert code_of(mutated) == "credit_code_checksum"


@given(first17, st.data())
def test_a_wrong_check_character_is_caught(body, data):
    right = credit_code_check_char(body)
    wrong = data.draw(st.sampled_from([c for c in CREDIT_CODE_CHARSET if c != right]))
    assert code_of(body + wrong) == "credit_code_checksum"


@given(
    st.text(alphabet=CREDIT_CODE_CHARSET, min_size=0, max_size=30).filter(lambda s: len(s) != 18)
)
def test_wrong_length_is_caught(code):
    assert code_of(code) == "credit_code_length"


def test_letters_outside_the_charset_are_named():
    with pytest.raises(ValidationError) as info:
        validation.normalize_credit_code("91350100M000100YI3")
    assert info.value.code == "credit_code_chars"
    assert "I" in info.value.messages[0]


def test_checksum_message_says_what_to_do():
    with pytest.raises(ValidationError) as info:
        validation.normalize_credit_code("91350100M000100Y44")
    assert "校验码" in info.value.messages[0] and "营业执照" in info.value.messages[0]
    # Issue 19 item 10: an 18-character code is not told it should have 18 characters; the
    # message names the check character expected and the one typed.
    expected = validation.credit_code_check_char("91350100M000100Y4")
    message = info.value.messages[0]
    assert "应为 18 位" not in message
    assert f"应为“{expected}”，填写的是“4”" in message


# --- phones and postcode ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_mobile_accepted_and_normalised(raw, clean):
    assert validation.normalize_mobile(raw) == clean


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "010-66094072", ""])
def test_mobile_refused(raw):
    with pytest.raises(ValidationError) as info:
        validation.normalize_mobile(raw)
    assert info.value.code == "mobile"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("010-66094072", "010-66094072"),
        ("01066094072", "010-66094072"),
        ("0755-26536114", "0755-26536114"),
        ("075526536114", "0755-26536114"),
        ("010-66094072-123", "010-66094072-123"),
        ("(010) 66094072", "010-66094072"),
        ("17722506919", "17722506919"),
        ("400-810-8888", "400-810-8888"),
    ],
)
def test_landline_accepted_and_normalised(raw, clean):
    assert validation.normalize_landline(raw) == clean


@pytest.mark.parametrize("raw", ["66094072", "1234", "010-123", "abc"])
def test_landline_refused(raw):
    with pytest.raises(ValidationError) as info:
        validation.normalize_landline(raw)
    assert info.value.code == "phone"


def test_fax_refuses_a_mobile_number():
    with pytest.raises(ValidationError):
        validation.normalize_landline("13812345678", allow_mobile=False)


@pytest.mark.parametrize("raw", ["51806", "5180600", "51806a", ""])
def test_postcode_refused(raw):
    with pytest.raises(ValidationError) as info:
        validation.normalize_postcode(raw)
    assert info.value.code == "postcode"


def test_postcode_accepted():
    assert validation.normalize_postcode(" 518060 ") == "518060"


# --- dates --------------------------------------------------------------------------------------
TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        (dt.date(2008, 11, 24), True),  # 18 today
        (dt.date(2008, 11, 25), False),  # 18 tomorrow
        (dt.date(1926, 11, 25), True),  # 99, 100 tomorrow
        (dt.date(1925, 11, 23), False),  # 101
        (dt.date(1980, 2, 29), True),
    ],
)
def test_birth_date_range(birth, ok):
    if ok:
        validation.validate_birth_date(birth, today=TODAY)
    else:
        with pytest.raises(ValidationError) as info:
            validation.validate_birth_date(birth, today=TODAY)
        assert info.value.code == "birth_date_range"


def test_signed_on_not_in_future():
    validation.validate_not_future(TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        validation.validate_not_future(TODAY + dt.timedelta(days=1), today=TODAY)


# --- text ---------------------------------------------------------------------------------------
def test_text_is_trimmed_and_full_width_spaces_folded():
    assert validation.clean_text("\u3000深圳  大学\u3000\u3000汇元楼 ") == "深圳 大学 汇元楼"


def test_multiline_text_keeps_paragraphs_and_their_indents():
    assert (
        validation.clean_text("第一段\r\n\r\n\r\n\r\n  第二段  ", multiline=True)
        == "第一段\n\n  第二段"
    )


def test_text_pasted_from_word_keeps_line_breaks_tabs_and_full_width_spaces():
    """Issue 19 item 7: Word's manual line break (U+000B) is a line break, not an invisible
    control character; a table's tabs and an indent of full-width spaces survive the save."""
    pasted = (
        "\u3000\u3000本单位成立于 2005 年。\u000b主要产品：\r\n名称\t产量\t单位\r\n"
        "钢材\t120\t万吨\u2029完"
    )
    assert validation.clean_text(pasted, multiline=True) == (
        "\u3000\u3000本单位成立于 2005 年。\n主要产品：\n名称\t产量\t单位\n钢材\t120\t万吨\n完"
    )
    assert validation.clean_text("深圳\u000b大学\t汇元楼") == "深圳 大学 汇元楼"


def test_line_breaks_count_as_one_character():
    """Issue 19 item 5: a browser sends "\r\n"; the server counts one character per break."""
    assert validation.normalize_line_breaks("a\r\nb\rc\u000bd") == "a\nb\nc\nd"


@pytest.mark.parametrize("evil", ["单位\u202e名称", "单位\x00名称", "名\x1b称", "a\u2066b"])
def test_control_and_bidi_characters_are_refused(evil):
    with pytest.raises(ValidationError) as info:
        validation.clean_text(evil)
    assert info.value.code == "control_characters"


def test_newlines_refused_in_single_line_text_only():
    with pytest.raises(ValidationError):
        validation.clean_text("a\nb")
    assert validation.clean_text("a\nb", multiline=True) == "a\nb"


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (validation.validate_credit_code_free, "duplicate_unit"),
        (validation.validate_drafter_free, "duplicate_drafter"),
    ],
)
def test_the_duplicate_rules_are_pure_the_caller_says_whether_it_is_taken(rule, code):
    rule(taken=False)  # nothing to refuse, and no database was asked (this test has none)
    with pytest.raises(ValidationError) as refused:
        rule(taken=True)
    assert refused.value.code == code


# --- What a submission needs (from the form's schema) -------------------------------------
def test_an_empty_form_misses_every_field_a_submission_needs_each_told_what_to_do():
    missing = validation.missing_for_submit({})
    assert tuple(missing) == form_schema.REQUIRED_FOR_SUBMIT
    codes = {name: error.code for name, error in missing.items()}
    assert (codes["standards"], codes["seal_scan"]) == ("standards_required", "seal_scan_required")
    assert codes["agrees_to_declaration"] == "declaration_required"
    assert codes["privacy_consent"] == "consent_required"
    assert missing["unit_type"].messages == ["提交前请选择一项。"]
    assert missing["can_attend_meetings"].messages == ["提交前请选择一项。"]
    assert missing["signed_on"].messages == ["提交前请填写日期（年-月-日）。"]
    assert missing["unit_name"].messages == ["提交前请填写此项。"]


def test_no_is_an_answer_an_unticked_box_is_not():
    values = {"can_provide_funding": False, "agrees_to_declaration": False, "standards": []}
    missing = validation.missing_for_submit(values)
    assert "can_provide_funding" not in missing
    assert "agrees_to_declaration" in missing and "standards" in missing
    assert "drafter_fax" not in missing  # optional
