from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bianmin.core.audit import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整未被篡改。 / Audit log: verify the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"审计链完整 audit chain intact: {report.checked} entries")
            return
        raise CommandError(
            f"审计链在第 {report.broken_at} 条处断开（{report.reason}）；"
            f"audit chain broken at entry {report.broken_at}: {report.reason}"
        )
