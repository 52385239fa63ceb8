"""`bianmin consistency`: every register row that contradicts a life event (an open case of a
deceased applicant, a follow-up due for a person who moved out…). Exit 0 when there is none,
1 with the list otherwise — so it can gate a deployment or a nightly job."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bianmin.core import lifecycle


class Command(BaseCommand):
    help = "List register entries that contradict a recorded life event (exit 1 if any)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", default=[], help="run only this check (repeatable)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--list", action="store_true", help="list the registered checks")

    def handle(self, *args, only, format, list, **options):
        if list:
            for name in lifecycle.checks():
                self.stdout.write(name)
            return
        unknown = sorted(set(only) - set(lifecycle.checks()))
        if unknown:
            raise CommandError(f"unknown check(s): {', '.join(unknown)}")
        found = lifecycle.run_checks(only or None)
        if format == "json":
            rows = [
                {
                    "check": c.check,
                    "model": c.model,
                    "pk": c.pk,
                    "person_id": c.person_id,
                    "message": c.message,
                }
                for c in found
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        else:
            for c in found:
                person = f" person={c.person_id}" if c.person_id is not None else ""
                self.stdout.write(f"{c.check}\t{c.model}#{c.pk}{person}\t{c.message}")
            ran = len(only) if only else len(lifecycle.checks())
            self.stderr.write(f"{len(found)} contradiction(s), {ran} check(s) run")
        if found:
            raise SystemExit(1)
