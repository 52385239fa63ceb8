"""A 公安 and a 人社 exchange client, and a helper that signs a push like a department's system."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from bianmin.exchange.services import add_client
from bianmin.exchange.signing import signed_headers
from tests.exchange.helpers import ACTOR


@dataclass
class Pusher:
    client_id: str
    secret: str
    http: Client

    def headers(self, path: str, body: bytes, **overrides) -> dict[str, str]:
        headers = signed_headers(self.client_id, self.secret, "POST", path, body)
        headers.update(overrides)
        return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}

    def push(self, path: str, payload, *, raw: bytes | None = None, **overrides):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        return self.http.post(
            path,
            data=body,
            content_type="application/json",
            **self.headers(path, body, **overrides),
        )


@pytest.fixture
def ga(db) -> Pusher:
    client, secret = add_client(actor=ACTOR, department="GA")
    return Pusher(client.client_id, secret, Client())


@pytest.fixture
def rs(db) -> Pusher:
    client, secret = add_client(actor=ACTOR, department="RS")
    return Pusher(client.client_id, secret, Client())
