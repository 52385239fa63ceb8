from bianmin.certificates.models.certificate import (
    Certificate,
    CertificateSource,
    CertificateStatus,
    HolderTypeCode,
    SerialCounter,
)
from bianmin.certificates.models.keys import SigningKey
from bianmin.certificates.models.types import CertificateType, HolderKind, Issuer

__all__ = [
    "Certificate",
    "CertificateSource",
    "CertificateStatus",
    "CertificateType",
    "HolderKind",
    "HolderTypeCode",
    "Issuer",
    "SerialCounter",
    "SigningKey",
]
