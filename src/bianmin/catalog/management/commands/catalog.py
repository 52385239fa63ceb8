from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from bianmin.catalog.demo import load_demo_catalog


class Command(BaseCommand):
    help = (
        "事项清单：load-demo 载入演示事项和多证联办（可重复执行，已有的不改动）。"
        " / Service catalogue: load-demo loads the demo items and bundles (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load-demo"])

    def handle(self, *args, action: str, **options) -> None:
        load_demo_catalog(log=self.stdout.write)
