from __future__ import annotations

import argparse
import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from bianmin.core import workdays
from bianmin.core.errors import message_of

# Same status as argparse's usage errors: scripts treat "cannot answer" alike.
EXIT_NOT_COVERED = 2


def _iso_date(text: str) -> dt.date:
    # fromisoformat alone would also take 20240209 and week dates; the CLI promises YYYY-MM-DD.
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text!r}")


def _count(text: str) -> int:
    if not re.fullmatch(r"\d{1,5}", text):
        raise argparse.ArgumentTypeError(
            f"N 应为 0–99999 的整数 / N must be a whole number 0–99999: {text!r}"
        )
    return int(text)


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        raise argparse.ArgumentTypeError(f"年度应为四位数字 / year must be YYYY: {text!r}")
    return int(text)


class Command(BaseCommand):
    help = (
        "工作日历：add 计算某日之后的第 N 个工作日；check 查看某年度是否已有节假日数据。"
        " / Working-day calendar: add = the N-th working day after a date; check = is a year"
        " covered. Exit status 2 when the calendar does not cover the year."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser(
            "add",
            help="第 N 个工作日（起始日不计）/ the N-th working day after DATE (DATE not counted)",
        )
        add.add_argument("start", type=_iso_date, metavar="YYYY-MM-DD")
        add.add_argument("n", type=_count, metavar="N")
        check = actions.add_parser("check", help="年度是否已覆盖 / is YEAR covered, and by what")
        check.add_argument("year", type=_year, metavar="YEAR")

    def handle(self, *args, action: str, **options):
        if action == "add":
            self._add(options["start"], options["n"])
        else:
            self._check(options["year"])

    def _add(self, start: dt.date, n: int) -> None:
        try:
            due = workdays.add_workdays(start, n)
        except workdays.CalendarNotCovered as error:
            with translation.override("zh-hans"):
                reason = message_of(error)
            message = f"{reason}\n{error.english()}"
            raise CommandError(message, returncode=EXIT_NOT_COVERED) from None
        self.stdout.write(due.isoformat())

    def _check(self, year: int) -> None:
        info = workdays.coverage(year)
        local = f"本地调整 {len(info.overrides)} 天 / {len(info.overrides)} local override(s)"
        if info.by_package:
            self.stdout.write(
                f"{year}: 已覆盖 covered — chinesecalendar {workdays.PACKAGE_VERSION} 数据包 "
                f"(package data); {local}"
            )
        if info.published is not None:
            who = info.published.published_by
            at = timezone.localtime(info.published.published_at).date().isoformat()
            self.stdout.write(
                f"{year}: 已覆盖 covered — 管理员发布 published by "
                f"{who.get_username() if who else '—'} {at}；依据 source: "
                f"{info.published.source}; {local}"
            )
        if not info.covered:
            raise CommandError(
                f"{year}: 未覆盖 NOT covered — 数据包覆盖 {workdays.PACKAGE_YEARS.start}–"
                f"{workdays.PACKAGE_YEARS.stop - 1}年，且管理员尚未发布该年度; package covers "
                f"{workdays.PACKAGE_YEARS.start}–{workdays.PACKAGE_YEARS.stop - 1} and the year "
                f"is not published; {local}. 按工作日计算的期限将标为暂定 (provisional).",
                returncode=EXIT_NOT_COVERED,
            )
