"""`bianmin exchange add-client --department GA` (prints the secret once), `bianmin exchange
list`, `bianmin exchange disable <client id>`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bianmin.core.audit import Actor
from bianmin.exchange.models import ExchangeClient
from bianmin.exchange.services import add_client, disable_client


class Command(BaseCommand):
    help = "Department exchange clients (部门数据交换客户端)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-client", help="create a client and print its secret once")
        add.add_argument("--department", required=True, help="department code, e.g. GA, RS")
        add.add_argument("--kinds", default="", help="comma-separated record kinds")
        sub.add_parser("list", help="list clients")
        off = sub.add_parser("disable", help="disable a client")
        off.add_argument("client_id")

    def handle(self, *args, action, **options):
        actor = Actor(name="cli")
        if action == "add-client":
            kinds = [k.strip() for k in options["kinds"].split(",") if k.strip()] or None
            try:
                client, secret = add_client(
                    actor=actor, department=options["department"], kinds=kinds
                )
            except ValidationError as e:
                raise CommandError("; ".join(e.messages)) from None
            self.stdout.write(f"client_id: {client.client_id}")
            self.stdout.write(f"secret:    {secret}")
            self.stdout.write(f"kinds:     {','.join(client.kinds)}")
            self.stderr.write("The secret is shown only now; store it in the department's system.")
        elif action == "list":
            for c in ExchangeClient.objects.select_related("department"):
                state = "active" if c.active else "disabled"
                last = c.last_push_at.isoformat() if c.last_push_at else "-"
                self.stdout.write(
                    f"{c.client_id}\t{c.department_id}\t{','.join(c.kinds)}\t{state}\t{last}"
                )
        else:
            try:
                disable_client(actor=actor, client_id=options["client_id"])
            except ExchangeClient.DoesNotExist:
                raise CommandError(f"unknown client {options['client_id']}") from None
