"""Certificate identifiers after GB/T 36904-2018 (电子证照 标识规范).

    1.2.156.3005.2 . <证照类型代码> . <颁发机构代码> . <流水号> . <版本号> . <校验位>

The root is the e-certificate OID arc; the issuer is its 18-character unified social credit
code; the check character is ISO/IEC 7064 MOD 37,36 (GB/T 17710), computed over every
character before it with the separating dots left out (the dots carry no information, and the
MOD 37,36 alphabet is 0-9A-Z only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_M = len(ALPHABET)  # 36: the hybrid system's modulus M, arithmetic also mod M + 1 = 37
_PART = re.compile(r"^[0-9A-Z]+$")


def mod37_36_check(payload: str) -> str:
    """The check character of ISO/IEC 7064 MOD 37,36 (hybrid system) for `payload`.

    Start with P = M; for each character of value a: S = (P + a) mod M, taken as M when 0,
    then P = 2·S mod (M + 1). The check character c makes (P + c) mod M = 1."""
    p = _M
    for ch in payload:
        a = ALPHABET.index(ch)
        s = (p + a) % _M or _M
        p = (2 * s) % (_M + 1)
    return ALPHABET[(1 - p) % _M]


def mod37_36_valid(payload_with_check: str) -> bool:
    if len(payload_with_check) < 2 or any(c not in ALPHABET for c in payload_with_check):
        return False
    return mod37_36_check(payload_with_check[:-1]) == payload_with_check[-1]


def _body(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    return f"{ROOT}.{type_code}.{issuer_code}.{serial}.{version:03d}"


def _checked_chars(body: str) -> str:
    return body.replace(".", "")


def build_identifier(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    for part in (type_code, issuer_code, serial):
        if not _PART.match(part):
            raise ValueError(f"identifier part {part!r} is not 0-9A-Z")
    if not 1 <= version <= 999:
        raise ValueError("version is 1 to 999")
    body = _body(type_code, issuer_code, serial, version)
    return f"{body}.{mod37_36_check(_checked_chars(body))}"


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        return f"{_body(self.type_code, self.issuer_code, self.serial, self.version)}.{self.check}"


MALFORMED = _("证照标识格式不正确。")
BAD_CHECK = _("证照标识校验位不正确。")


def parse_identifier(raw: str) -> Identifier:
    """The parts of an identifier, or ValidationError (`malformed` / `bad_check_character`)."""
    text = (raw or "").strip().upper()
    if not text.startswith(ROOT + "."):
        raise ValidationError(MALFORMED, code="malformed")
    parts = text[len(ROOT) + 1 :].split(".")
    if len(parts) != 5 or not all(_PART.match(p) for p in parts):
        raise ValidationError(MALFORMED, code="malformed")
    type_code, issuer_code, serial, version, check = parts
    if len(check) != 1 or len(issuer_code) != 18 or not version.isdigit() or len(version) != 3:
        raise ValidationError(MALFORMED, code="malformed")
    if not mod37_36_valid(_checked_chars(text)):
        raise ValidationError(BAD_CHECK, code="bad_check_character")
    return Identifier(type_code, issuer_code, serial, int(version), check)
