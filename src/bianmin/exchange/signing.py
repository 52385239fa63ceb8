"""How a department's system authenticates a push (docs/exchange.md).

Headers: `X-Bianmin-Client` (client id), `X-Bianmin-Timestamp` (Unix seconds),
`X-Bianmin-Nonce` (16–64 characters, never reused), `X-Bianmin-Signature` (lowercase hex of
HMAC-SHA256 with the client's secret over

    timestamp + "\\n" + nonce + "\\n" + METHOD + "\\n" + path + "\\n" + body

). The timestamp must be within ±WINDOW seconds of our clock; a nonce is remembered for that
window (and a little longer), so a captured request cannot be sent again. Method and path are
signed too, so a signed death notice cannot be replayed against another endpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from bianmin.core import crypto
from bianmin.exchange.models import ExchangeClient, UsedNonce

WINDOW_SECONDS = 300
_NONCE = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")


class AuthFailure(Exception):
    def __init__(self, code: str, client: ExchangeClient | None = None, **params):
        super().__init__(code)
        self.code, self.client, self.params = code, client, params


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def string_to_sign(timestamp: str, nonce: str, method: str, path: str, body: bytes) -> bytes:
    head = f"{timestamp}\n{nonce}\n{method.upper()}\n{path}\n".encode()
    return head + body


def sign(secret: str, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> str:
    message = string_to_sign(timestamp, nonce, method, path, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    client_id: str, secret: str, method: str, path: str, body: bytes, *, at: float | None = None
) -> dict[str, str]:
    """The headers a department's system sends (used by tests, the demo and docs)."""
    timestamp = str(int(at if at is not None else timezone.now().timestamp()))
    nonce = secrets.token_hex(16)
    return {
        "X-Bianmin-Client": client_id,
        "X-Bianmin-Timestamp": timestamp,
        "X-Bianmin-Nonce": nonce,
        "X-Bianmin-Signature": sign(secret, timestamp, nonce, method, path, body),
    }


def authenticate(*, headers, method: str, path: str, body: bytes) -> ExchangeClient:
    """The pushing client, or AuthFailure(code). The nonce is spent only once the signature
    holds, so nobody can burn a client's nonces by sending garbage under its name."""
    client_id = headers.get("X-Bianmin-Client", "")
    timestamp = headers.get("X-Bianmin-Timestamp", "")
    nonce = headers.get("X-Bianmin-Nonce", "")
    signature = headers.get("X-Bianmin-Signature", "")
    if not (client_id and timestamp and nonce and signature):
        raise AuthFailure("missing_headers")
    client = (
        ExchangeClient.objects.select_related("department")
        .filter(client_id=client_id[:40], active=True)
        .first()
    )
    if client is None:
        raise AuthFailure("unknown_client")
    if not timestamp.isdigit() or not _NONCE.match(nonce):
        raise AuthFailure("bad_signature", client)
    expected = sign(crypto.decrypt(client.secret_cipher), timestamp, nonce, method, path, body)
    if not hmac.compare_digest(expected, signature.lower()):
        raise AuthFailure("bad_signature", client)
    now = timezone.now()
    if abs(now.timestamp() - int(timestamp)) > WINDOW_SECONDS:
        raise AuthFailure("stale_timestamp", client, seconds=WINDOW_SECONDS)
    try:
        with transaction.atomic():
            UsedNonce.objects.create(client=client, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise AuthFailure("replayed_nonce", client) from None
    return client


def forget_old_nonces() -> int:
    """Periodic job: a nonce older than twice the window can no longer pass the timestamp
    check, so it need not be remembered."""
    cutoff = timezone.now() - dt.timedelta(seconds=2 * WINDOW_SECONDS)
    deleted, _ = UsedNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
