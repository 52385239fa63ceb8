"""Signing keys and signatures (Ed25519, `cryptography`).

What is signed is `canonical_content(certificate)`: UTF-8 JSON with sorted keys, no spaces,
non-ASCII kept as is, of

    {"data": {...}, "holder": {"key": ..., "name": ..., "type": "111"|"001"},
     "id": identifier, "issued_on": "YYYY-MM-DD", "issuer": {"code": ..., "name": ...},
     "kid": key id, "type": type_code (GB/T 36904), "v": 1, "valid_until": "YYYY-MM-DD"|null,
     "version": n}

`holder.key` is the registry's keyed hash of the citizen ID number (never the number) or the
organisation's credit code. Status is not signed: it changes after issue and verification
reads it from the library. A key is rotated (retired: no new signatures, old ones still verify)
or revoked (compromised: every signature it made fails verification).
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils import timezone

from bianmin.certificates.models import Certificate, SigningKey
from bianmin.core import crypto

ALGORITHM = "Ed25519"
CANONICAL_VERSION = 1


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_fields(c: Certificate) -> dict[str, Any]:
    return {
        "v": CANONICAL_VERSION,
        "id": c.identifier,
        "type": c.type.type_code,
        "holder": {"type": c.holder_type_code, "key": c.holder_key, "name": c.holder_name},
        "issuer": {"code": c.issuer_credit_code, "name": c.issuer_name},
        "issued_on": c.issued_on.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "data": c.data,
        "version": c.version,
        "kid": c.signing_key_id,
    }


def canonical_content(c: Certificate) -> bytes:
    return json.dumps(
        canonical_fields(c), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def new_key() -> SigningKey:
    """A fresh key pair (not saved); the private half only ever stored sealed."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    kid = f"k{timezone.localdate():%Y%m%d}{secrets.token_hex(3)}"
    return SigningKey(
        key_id=kid,
        algorithm=ALGORITHM,
        public_key=base64.b64encode(raw_public).decode(),
        private_cipher=crypto.encrypt(b64url(raw_private)),
    )


def sign(key: SigningKey, content: bytes) -> str:
    raw = unb64url(crypto.decrypt(key.private_cipher))
    return b64url(Ed25519PrivateKey.from_private_bytes(raw).sign(content))


def signature_matches(key: SigningKey, content: bytes, signature: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(unb64url(signature), content)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def public_jwk(key: SigningKey) -> dict[str, str]:
    """The public key as a JSON Web Key (RFC 8037), for verifiers that use JOSE libraries."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "kid": key.key_id,
        "x": b64url(base64.b64decode(key.public_key)),
    }
