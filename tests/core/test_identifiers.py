from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bianmin.core.identifiers import (
    id_check_char,
    make_citizen_id,
    make_credit_code,
    parse_citizen_id,
    parse_credit_code,
)


class TestCitizenId:
    def test_standard_example_from_gb11643(self):
        # The worked example printed in GB 11643-1999.
        cid = parse_citizen_id("11010519491231002X")
        assert cid.birth_date == dt.date(1949, 12, 31)
        assert cid.sex == "F"
        assert cid.region_code == "110105"

    def test_lowercase_x_and_spaces_are_normalised(self):
        assert parse_citizen_id(" 11010519491231002x ").number == "11010519491231002X"

    def test_male_from_odd_sequence(self):
        number = make_citizen_id("420102", dt.date(1990, 2, 28), 15)
        cid = parse_citizen_id(number)
        assert (cid.sex, cid.birth_date) == ("M", dt.date(1990, 2, 28))

    def test_wrong_check_digit(self):
        with pytest.raises(ValidationError) as e:
            parse_citizen_id("110105194912310021")
        assert e.value.code == "id_number_check_digit"

    def test_impossible_birth_date(self):
        first17 = "42010219900230001"  # 30 February
        with pytest.raises(ValidationError) as e:
            parse_citizen_id(first17 + id_check_char(first17))
        assert e.value.code == "id_number_birth_date"

    def test_future_birth_date(self):
        first17 = "42010230000101001"
        with pytest.raises(ValidationError) as e:
            parse_citizen_id(first17 + id_check_char(first17), today=dt.date(2026, 11, 22))
        assert e.value.code == "id_number_birth_date"

    def test_unknown_province(self):
        first17 = "99010219900101001"
        with pytest.raises(ValidationError) as e:
            parse_citizen_id(first17 + id_check_char(first17))
        assert e.value.code == "id_number_region"

    @pytest.mark.parametrize("raw", ["", "4201021990", "42010219900101001Y", "abc"])
    def test_malformed(self, raw):
        with pytest.raises(ValidationError) as e:
            parse_citizen_id(raw)
        assert e.value.code == "id_number_format"

    def test_legacy_15_digit_number_is_upgraded(self):
        # 15-digit: region + YYMMDD + sequence; upgrade inserts "19" and appends the check.
        cid = parse_citizen_id("110105491231002")
        assert cid.number == "11010519491231002X"
        assert cid.upgraded_from == "110105491231002"
        assert cid.sex == "F"


class TestCreditCode:
    @pytest.mark.parametrize(
        "code, category",
        [
            ("91350100M000100Y43", "企业"),  # example used in the GB 32100 explanations
            ("91110000802100433B", "企业"),  # 中国石油化工集团
        ],
    )
    def test_real_codes(self, code, category):
        parsed = parse_credit_code(code)
        assert parsed.org_category == category

    def test_letter_first_codes(self):
        code = make_credit_code("N2", "420102", "MA4K12345")
        assert parse_credit_code(code).registrar == "农业"
        assert (
            parse_credit_code(make_credit_code("Y1", "420102", "MA4K1234X")).org_category == "其他"
        )

    def test_wrong_check_character(self):
        with pytest.raises(ValidationError) as e:
            parse_credit_code("91350100M000100Y44")
        assert e.value.code == "credit_code_check_digit"

    @pytest.mark.parametrize("code", ["91350100M000100YI3", "9135", "91350100M000100Y4"])
    def test_bad_alphabet_or_length(self, code):
        with pytest.raises(ValidationError) as e:
            parse_credit_code(code)
        assert e.value.code == "credit_code_format"

    def test_unknown_category(self):
        code = make_credit_code("94", "420102", "MA4K12345")
        with pytest.raises(ValidationError) as e:
            parse_credit_code(code)
        assert e.value.code == "credit_code_category"


def test_full_width_digits_are_read_as_ascii():
    # Chinese input methods produce full-width digits; they must not make a second spelling.
    assert parse_citizen_id("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    assert parse_credit_code("９１３５０１００Ｍ０００１００Ｙ４３").code == "91350100M000100Y43"


def test_other_unicode_digits_are_refused():
    with pytest.raises(ValidationError):
        parse_citizen_id("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")  # Arabic-Indic digits
