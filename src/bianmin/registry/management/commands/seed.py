from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bianmin.cases.demo import load_demo_cases
from bianmin.catalog.demo import load_demo_catalog
from bianmin.core import demo
from bianmin.evaluation.demo import load_demo_evaluation
from bianmin.portal.demo import load_demo_portal
from bianmin.queueing.demo import load_demo_queueing
from bianmin.registry.demo.city import build_demo_city, demo_city_exists
from bianmin.registry.demo.places import DEFAULT_DISTRICTS, UnknownDistrict


class Command(BaseCommand):
    help = (
        "建立演示城市（武汉市）：三级便民服务中心、部门、网格、工作人员、人口库、法人库。"
        " / Build the demo city: service centres, departments, grids, staff, people, organisations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=3000, help="number of residents")
        parser.add_argument("--seed", type=int, default=42, help="same seed, same city")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and say so) when the demo city already exists",
        )
        parser.add_argument(
            "--districts",
            default=",".join(DEFAULT_DISTRICTS),
            help="comma-separated district codes whose communities get grids and people",
        )

    def handle(self, *args, people: int, seed: int, if_empty: bool, districts: str, **options):
        if people < 0:
            raise CommandError("--people 不能为负数 / must not be negative")
        if demo_city_exists():
            if if_empty:
                self.stdout.write(
                    "数据库中已有演示城市（或人口数据），未做任何改动。"
                    " / The demo city (or other people data) already exists; nothing done."
                )
                return
            raise CommandError(
                "数据库中已有演示城市或人口数据；请用空数据库，或加 --if-empty。"
                " / The database already holds the demo city or people: use an empty database,"
                " or --if-empty."
            )
        codes = [c.strip() for c in districts.split(",") if c.strip()]
        started = time.perf_counter()
        try:
            counts = build_demo_city(
                people=people,
                seed=seed,
                districts=codes,
                today=timezone.localdate(),
                log=lambda line: self.stdout.write(f"  {line}"),
            )
        except UnknownDistrict as e:
            raise CommandError(f"未知的区（县）代码 unknown district code: {e}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已建立 demo city built: {counts['people']} 人, "
                f"{counts['households']} 户, "
                f"{counts['organisations']} 个法人单位, {counts['staff']} 个账号 "
                f"（seed {seed}, {time.perf_counter() - started:.1f}s）"
            )
        )
        # What the cases' own steps rely on (issuing authorities …), before the cases.
        demo.run_all(seed=seed, log=lambda line: self.stdout.write(f"  {line}"), stage=demo.CITY)
        load_demo_catalog(log=lambda line: self.stdout.write(f"  {line}"))
        load_demo_queueing(log=lambda line: self.stdout.write(f"  {line}"))
        load_demo_cases(seed=seed, log=lambda line: self.stdout.write(f"  {line}"))
        load_demo_evaluation(log=lambda line: self.stdout.write(f"  {line}"))
        load_demo_portal(log=lambda line: self.stdout.write(f"  {line}"))
        # Apps built on the ones above add theirs through bianmin.core.demo.register().
        demo.run_all(seed=seed, log=lambda line: self.stdout.write(f"  {line}"))
