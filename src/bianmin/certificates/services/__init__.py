"""Every write of the certificate library (docs/certificates.md)."""

from bianmin.certificates.services.issuing import (
    expire_due,
    issue_certificate,
    issuer_for,
    register_issuer,
    revoke,
)
from bianmin.certificates.services.keys import active_key, revoke_key, rotate_key
from bianmin.certificates.services.verification import Verification, qr_payload, verify_qr

__all__ = [
    "Verification",
    "active_key",
    "expire_due",
    "issue_certificate",
    "issuer_for",
    "qr_payload",
    "register_issuer",
    "revoke",
    "revoke_key",
    "rotate_key",
    "verify_qr",
]
