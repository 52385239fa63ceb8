"""GB/T 36904 identifiers and the ISO/IEC 7064 MOD 37,36 check character."""

from __future__ import annotations

import random
import string

import pytest
from django.core.exceptions import ValidationError

from bianmin.certificates.identifiers import (
    ROOT,
    build_identifier,
    mod37_36_check,
    mod37_36_valid,
    parse_identifier,
)

ALNUM = string.digits + string.ascii_uppercase


def reference_hybrid(payload: str, alphabet: str) -> str:
    """A second, independent reading of ISO/IEC 7064's hybrid system (MOD M+1, M): find the
    check character by trying each candidate and keeping the one whose final product leaves
    the remainder 1 — the standard's acceptance condition, not its closed formula."""
    m = len(alphabet)

    def final_remainder(chars: str) -> int:
        product = m
        remainder = 0
        for ch in chars:
            remainder = (product + alphabet.index(ch)) % m
            if remainder == 0:
                remainder = m
            product = (remainder * 2) % (m + 1)
        return remainder

    matches = [c for c in alphabet if final_remainder(payload + c) == 1]
    assert len(matches) == 1
    return matches[0]


def test_known_vectors():
    # Published examples of the hybrid system (python-stdnum's iso7064 documentation).
    assert mod37_36_check("A12425GABC1234002") == "M"
    assert reference_hybrid("A12425GABC1234002", ALNUM) == "M"
    assert reference_hybrid("00200667308", string.digits) == "5"  # MOD 11,10


def test_agrees_with_the_reference_on_random_input():
    rng = random.Random(7064)
    for _ in range(300):
        payload = "".join(rng.choice(ALNUM) for _ in range(rng.randint(1, 60)))
        assert mod37_36_check(payload) == reference_hybrid(payload, ALNUM)


def make() -> str:
    return build_identifier(
        type_code="CL4201001", issuer_code="11420102011111118X"[:18], serial="2026000001", version=1
    )


def test_identifier_shape_and_round_trip():
    ident = make()
    assert ident.startswith(ROOT + ".CL4201001.")
    parts = ident.split(".")
    assert parts[-2] == "001" and len(parts[-1]) == 1
    parsed = parse_identifier(ident)
    assert (parsed.type_code, parsed.serial, parsed.version) == ("CL4201001", "2026000001", 1)
    assert str(parsed) == ident
    assert mod37_36_valid(ident.replace(".", ""))


def test_every_single_character_change_is_detected():
    ident = make()
    start = len(ROOT) + 1  # the root is fixed; everything after it is checked
    for i in range(start, len(ident)):
        if ident[i] == ".":
            continue
        for ch in ALNUM:
            if ch == ident[i]:
                continue
            changed = ident[:i] + ch + ident[i + 1 :]
            with pytest.raises(ValidationError):
                parse_identifier(changed)


def test_transpositions_are_detected():
    """ISO/IEC 7064 promises hybrid systems catch every single substitution but only nearly
    every adjacent transposition: here, all of those in the serial and version of a real
    identifier, and at least 99.5 % of random ones (about 0.15 % slip through)."""
    ident = make()
    serial_start = ident.rindex(".2026000001.") + 1
    for i in range(serial_start, len(ident) - 1):
        a, b = ident[i], ident[i + 1]
        if a == b or "." in (a, b):
            continue
        swapped = ident[:i] + b + a + ident[i + 2 :]
        with pytest.raises(ValidationError):
            parse_identifier(swapped)

    rng = random.Random(36)
    tried = missed = 0
    for _ in range(5000):
        payload = "".join(rng.choice(ALNUM) for _ in range(40))
        full = payload + mod37_36_check(payload)
        i = rng.randrange(len(full) - 1)
        if full[i] == full[i + 1]:
            continue
        tried += 1
        missed += mod37_36_valid(full[:i] + full[i + 1] + full[i] + full[i + 2 :])
    assert missed / tried < 0.005


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "malformed"),
        ("1.2.156.3005.2.CL4201001", "malformed"),
        ("2.16.156.3005.2.A.11420102011111118X.1.001.Z", "malformed"),
        ("1.2.156.3005.2.CL4201001.SHORT.2026000001.001.A", "malformed"),
    ],
)
def test_malformed_identifiers(raw, code):
    with pytest.raises(ValidationError) as e:
        parse_identifier(raw)
    assert e.value.code == code


def test_wrong_check_character():
    ident = make()
    wrong = ident[:-1] + next(c for c in ALNUM if c != ident[-1])
    with pytest.raises(ValidationError) as e:
        parse_identifier(wrong)
    assert e.value.code == "bad_check_character"
