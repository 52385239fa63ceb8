"""What the QR code carries and how it is verified.

The QR code carries one URL of the public verification page:

    https://<host>/certificates/v/<identifier>/?k=<key id>&s=<signature, base64url>

It is self-verifying: the identifier names the certificate, the key id the public key, and the
signature must verify over the certificate's canonical content as the library holds it now. So
a changed identifier, key id or signature in the code, or a changed record in the library,
fails; so does a key that is unknown or revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bianmin.certificates import signing
from bianmin.certificates.identifiers import parse_identifier
from bianmin.certificates.models import Certificate, SigningKey
from bianmin.certificates.queries import effective_status

REASONS = {
    "ok": _("证照真实有效性核验通过。"),
    "malformed": _("二维码内容无法识别。"),
    "bad_check_character": _("证照标识校验位不正确，二维码内容可能被篡改。"),
    "unknown_key": _("签名密钥不存在。"),
    "key_revoked": _("签名密钥已吊销，该签名不再可信。"),
    "unknown_certificate": _("证照库中没有该证照。"),
    "bad_signature": _("数字签名验证失败，证照内容可能被篡改。"),
}


@dataclass(frozen=True)
class Verification:
    authentic: bool
    reason: str
    certificate: Certificate | None = None

    @property
    def message(self) -> str:
        return str(REASONS[self.reason])

    @property
    def status(self) -> str | None:
        if not self.authentic or self.certificate is None:
            return None
        return effective_status(self.certificate)


def verification_path(certificate: Certificate) -> str:
    path = reverse("certificates:verify-page", args=[certificate.identifier])
    return f"{path}?k={quote(certificate.signing_key_id)}&s={certificate.signature}"


def qr_payload(certificate: Certificate, *, base_url: str) -> str:
    """The text of the certificate's QR code: an absolute URL of the verification page."""
    return base_url.rstrip("/") + verification_path(certificate)


def parse_payload(payload: str) -> tuple[str, str, str] | None:
    """(identifier, key id, signature) from the QR text, or None when it is not ours."""
    try:
        parts = urlsplit((payload or "").strip())
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[-2] != "v":
        return None
    query = parse_qs(parts.query)
    key_id = (query.get("k") or [""])[0]
    signature = (query.get("s") or [""])[0]
    if not key_id or not signature:
        return None
    return segments[-1], key_id, signature


def verify_parts(identifier: str, key_id: str, signature: str) -> Verification:
    try:
        parse_identifier(identifier)
    except ValidationError as e:
        return Verification(False, e.code or "malformed")
    key = SigningKey.objects.filter(pk=key_id).first()
    if key is None:
        return Verification(False, "unknown_key")
    if key.revoked_at is not None:
        return Verification(False, "key_revoked")
    # The public check reads across scopes: anyone holding the code may verify it.
    cert = (
        Certificate.unscoped.select_related("type", "signing_key")
        .filter(identifier=identifier.strip().upper())
        .first()
    )
    if cert is None:
        return Verification(False, "unknown_certificate")
    if cert.signing_key_id != key.key_id:
        return Verification(False, "bad_signature")
    if not signing.signature_matches(key, signing.canonical_content(cert), signature):
        return Verification(False, "bad_signature")
    return Verification(True, "ok", cert)


def verify_qr(payload: str) -> Verification:
    parts = parse_payload(payload)
    if parts is None:
        return Verification(False, "malformed")
    return verify_parts(*parts)


def masked_name(name: str, *, organisation: bool) -> str:
    """What a verifier may see of the holder: an organisation's registered name is public;
    a person's name keeps its first character (and the last of three or more)."""
    if organisation or len(name) < 2:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
