"""Field encryption at rest and keyed look-up hashes.

AES-256-GCM (authenticated) for the stored value, HMAC-SHA256 for the look-up hash, both with
sub-keys derived by HKDF from the one configured field key, so a leaked database alone reveals
neither the numbers nor a way to test guesses against the hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"


@cache
def _keys(master_b64: str) -> tuple[AESGCM, bytes]:
    master = base64.urlsafe_b64decode(master_b64)

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return AESGCM(derive(b"bianmin field encryption")), derive(b"bianmin lookup hash")


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.FIELD_ENCRYPTION_KEY)


def encrypt(value: str) -> str:
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, value.encode(), None)
    return f"{_VERSION}:" + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError(f"unknown field-encryption version {version!r}")
    raw = base64.b64decode(payload)
    aead, _ = _current()
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def lookup_hash(value: str) -> str:
    _, key = _current()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
