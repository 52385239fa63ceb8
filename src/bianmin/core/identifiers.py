"""National identifier standards: citizen ID (GB 11643) and unified social credit code (GB 32100).

Pure functions, no Django models: the registry, imports, the API and the demo-data generator all
validate through here, so a number is judged the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _ascii(raw: str | None) -> str:
    """Full-width characters typed with a Chinese input method (４２０１…, ｘ) become ASCII, and
    spaces go: otherwise the same number could be stored twice under two spellings."""
    return unicodedata.normalize("NFKC", raw or "").replace(" ", "").strip()


# --- GB 11643-1999 公民身份号码 -------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15 = re.compile(r"^[0-9]{15}$")
# Province-level codes of GB/T 2260 (plus 71/81/82 used for Taiwan, Hong Kong, Macao residents).
_PROVINCES = frozenset(
    (
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    )
)


@dataclass(frozen=True, slots=True)
class CitizenId:
    number: str  # normalised 18-character form
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str  # first six digits: the county of first registration
    upgraded_from: str | None = None  # the 15-digit legacy number, when given


def id_check_char(first17: str) -> str:
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        # The MOD 11-2 weights are 2^17 … 2^1 mod 11, and 13 ≡ 2 (mod 11): read as a base-13
        # number the digits sum to Σ d·13^(16-i) ≡ Σ d·2^(16-i), so the weighted sum is twice
        # that, mod 11 — one C call (bulk imports check a million numbers).
        total = 2 * int(first17, 13)
    else:
        total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_citizen_id(raw: str, *, today: dt.date | None = None) -> CitizenId:
    """Validate and normalise a citizen ID number; raise ValidationError with a clear reason."""
    number = _ascii(raw).upper()
    legacy = None
    if len(number) == 15 and _ID15.match(number):
        legacy = number
        first17 = number[:6] + "19" + number[6:]
        number = first17 + id_check_char(first17)
    elif len(number) != 18 or not _ID18.match(number):
        raise ValidationError(
            _("身份证号码应为18位（末位可为X）或15位旧号码。"), code="id_number_format"
        )
    if number[:2] not in _PROVINCES:
        raise ValidationError(
            _("身份证号码前两位“%(code)s”不是有效的省级行政区划代码。"),
            code="id_number_region",
            params={"code": number[:2]},
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期“%(date)s”不存在。"),
            code="id_number_birth_date",
            params={"date": number[6:14]},
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise ValidationError(
            _("身份证号码中的出生日期“%(date)s”不可能。"),
            code="id_number_birth_date",
            params={"date": birth.isoformat()},
        )
    if legacy is None and id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位错误，请核对号码。"), code="id_number_check_digit")
    return CitizenId(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
        upgraded_from=legacy,
    )


def make_citizen_id(region_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid 18-character number; `sequence` 0-999 (odd = male, even = female)."""
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# --- GB 32100-2015 统一社会信用代码 -----------------------------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(rf"^[{CREDIT_ALPHABET}]{{18}}$")

# 登记管理部门代码 → (部门, {机构类别代码: 类别})
CREDIT_REGISTRARS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True, slots=True)
class CreditCode:
    code: str
    registrar: str
    org_category: str
    region_code: str


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> CreditCode:
    code = _ascii(raw).upper()
    if not _CREDIT_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和除I、O、Z、S、V以外的大写字母组成。"),
            code="credit_code_format",
        )
    registrar = CREDIT_REGISTRARS.get(code[0])
    if registrar is None or code[1] not in registrar[1]:
        raise ValidationError(
            _("统一社会信用代码的登记管理部门或机构类别代码“%(prefix)s”无效。"),
            code="credit_code_category",
            params={"prefix": code[:2]},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3至8位应为登记管理机关行政区划码。"),
            code="credit_code_region",
        )
    if credit_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误，请核对代码。"), code="credit_code_check_digit"
        )
    return CreditCode(
        code=code, registrar=registrar[0], org_category=registrar[1][code[1]], region_code=code[2:8]
    )


def make_credit_code(prefix2: str, region_code: str, body9: str) -> str:
    first17 = f"{prefix2}{region_code}{body9}"
    return first17 + credit_check_char(first17)


# --- Mobile phone ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_mobile(raw: str) -> str:
    phone = re.sub(r"[\s\-]", "", _ascii(raw))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _MOBILE_RE.match(phone):
        raise ValidationError(_("手机号码应为以1开头的11位数字。"), code="phone_format")
    return phone
