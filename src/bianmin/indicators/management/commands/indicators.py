"""`bianmin indicators list | refresh [--period YYYY-MM] [--root CODE] [--full] [--code …]`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bianmin.core.errors import message_of
from bianmin.indicators import library, services
from bianmin.indicators.library import Period


class Command(BaseCommand):
    help = "指标库：列出指标，或刷新某月的指标值。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出已声明的指标")
        refresh = sub.add_parser("refresh", help="刷新某月的指标值（首次全量，此后增量）")
        refresh.add_argument("--period", default="")
        refresh.add_argument("--root", default="")
        refresh.add_argument("--code", action="append", dest="codes")
        refresh.add_argument("--full", action="store_true")

    def handle(self, *args, action: str, **opts):
        if action == "list":
            for ind in library.all_indicators():
                self.stdout.write(
                    f"{ind.code}\t{ind.kind}\t{ind.name}（{ind.unit}）\t{ind.formula}"
                )
            return
        try:
            period = Period.parse(opts["period"] or str(Period.of(timezone.localdate())))
            run = services.refresh(
                period, codes=opts["codes"], root=opts["root"] or None, full=opts["full"]
            )
        except ValidationError as e:
            raise CommandError(message_of(e)) from e
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{run.period} {run.get_mode_display()}: {run.values_written} values, "
            f"{run.touched_areas} areas touched, {seconds:.1f} s"
        )
