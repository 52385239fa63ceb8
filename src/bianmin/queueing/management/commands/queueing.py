from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from bianmin.core.audit import Actor
from bianmin.core.workdays import CalendarNotCovered
from bianmin.queueing import clock, services
from bianmin.queueing.models import WindowCategory

CLI = Actor(name="bianmin queueing")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text!r}"
        ) from None


class Command(BaseCommand):
    help = (
        "排队叫号与预约：sweep 把未签到的过期预约记为爽约；slots 为某大厅按模板生成预约时段"
        "（只在工作日）。 / Queueing: sweep = mark past bookings never checked in as no-shows;"
        " slots = generate appointment slots for a hall's categories on working days."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        sweep = actions.add_parser("sweep", help="爽约扫描 / no-show sweep")
        sweep.add_argument(
            "--date", type=_iso_date, default=None, help="截至该日（默认昨天）/ up to DATE"
        )
        slots = actions.add_parser("slots", help="生成预约时段 / generate slots")
        slots.add_argument("--hall", type=int, required=True, help="办事大厅 id / hall id")
        slots.add_argument("--from", dest="start", type=_iso_date, required=True)
        slots.add_argument("--to", dest="end", type=_iso_date, required=True)
        slots.add_argument("--categories", default="", help="号段字母，如 ACD（默认全部）")

    def handle(self, *args, action, **options):
        if action == "sweep":
            day = options["date"] or clock.today() - dt.timedelta(days=1)
            count = services.expire_appointments(day=day)
            self.stdout.write(f"爽约扫描完成 sweep done: {count} 个预约记为爽约（截至 {day}）")
            return
        categories = WindowCategory.objects.select_related("hall").filter(hall_id=options["hall"])
        if options["categories"]:
            categories = categories.filter(code__in=list(options["categories"].upper()))
        if not categories:
            raise CommandError("该大厅没有这些业务类别 / no such categories in that hall")
        created = 0
        try:
            for category in categories:
                created += services.generate_slots(
                    actor=CLI,
                    category=category,
                    start_date=options["start"],
                    end_date=options["end"],
                )
        except CalendarNotCovered as e:
            raise CommandError(f"{e.messages[0]} / {e.english()}") from None
        self.stdout.write(f"已生成 {created} 个预约时段 / {created} slots created")
