"""Case numbers: BM + day + 6 digits, from a sequence (PostgreSQL) or a counter row (SQLite)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection

from bianmin.cases.numbering import CASE_NO_PATTERN, next_number

pytestmark = pytest.mark.django_db


def test_numbers_are_readable_and_increasing():
    day = dt.date(2026, 9, 29)
    numbers = [next_number(day) for _ in range(5)]
    assert all(re.fullmatch(r"BM20260929\d{6}", n) for n in numbers)
    assert all(re.fullmatch(CASE_NO_PATTERN, n) for n in numbers)
    tails = [int(n[-6:]) for n in numbers]
    assert tails == list(range(tails[0], tails[0] + 5))
    assert next_number(day, prefix="LB").startswith("LB20260929")


def test_the_number_comes_from_the_sequence_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite uses the counter row")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM cases_case_no_seq")
        last, called = cursor.fetchone()
    number = next_number(dt.date(2026, 9, 29))
    assert int(number[-6:]) == (last + 1 if called else last) % 1_000_000
