"""`bianmin certificates rotate-key | revoke-key KEY_ID --reason … | keys | expire`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.certificates.models import SigningKey
from bianmin.certificates.services import expire_due, revoke_key, rotate_key
from bianmin.core.audit import Actor

ACTOR = Actor(name="bianmin certificates (CLI)")


class Command(BaseCommand):
    help = "电子证照签名密钥轮换与吊销 / certificate signing keys: rotate, revoke, list; expire due"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate-key", help="retire the active key and start a new one")
        revoke = sub.add_parser("revoke-key", help="revoke a compromised key")
        revoke.add_argument("key_id")
        revoke.add_argument("--reason", required=True)
        sub.add_parser("keys", help="list the keys and their state")
        sub.add_parser("expire", help="mark certificates past their validity expired now")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "rotate-key":
                key = rotate_key(actor=ACTOR)
                self.stdout.write(f"新密钥 new key: {key.key_id} ({key.algorithm})")
            elif action == "revoke-key":
                key = revoke_key(actor=ACTOR, key_id=options["key_id"], reason=options["reason"])
                self.stdout.write(f"已吊销 revoked: {key.key_id}")
            elif action == "keys":
                for key in SigningKey.objects.order_by("created_at"):
                    self.stdout.write(
                        f"{key.key_id}\t{key.algorithm}\t{key.state}\t{key.created_at:%Y-%m-%d}"
                    )
            elif action == "expire":
                self.stdout.write(f"已过期 expired: {expire_due(actor=ACTOR)}")
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
