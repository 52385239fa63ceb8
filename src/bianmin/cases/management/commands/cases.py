from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand

from bianmin.cases.services.deadlines import sweep_deadlines


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text!r}"
        ) from None


class Command(BaseCommand):
    help = (
        "办件：sweep 扫描在办件的承诺办结日期，更新黄灯/红灯预警并通知承办部门（可重复运行）。"
        " / Cases: sweep = store yellow/red warning levels and notify the handling departments"
        " (idempotent; run daily by the worker or cron)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        sweep = actions.add_parser("sweep", help="预警扫描 / warning sweep")
        sweep.add_argument(
            "--date", type=_iso_date, default=None, help="按该日计算（默认今天）/ as of DATE"
        )

    def handle(self, *args, action, **options):
        report = sweep_deadlines(on=options.get("date"))
        changed = ", ".join(f"{level}={n}" for level, n in sorted(report.changed.items()))
        self.stdout.write(
            f"预警扫描完成 sweep done: 检查 checked {report.checked}，变化 changed {changed or '0'}"
        )
