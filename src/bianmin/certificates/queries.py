"""Read models of the certificate library, shared by pages, API and other apps."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from bianmin.certificates.models import Certificate, CertificateStatus
from bianmin.registry.models import Organisation, Person


def holder_filter(holder: Person | Organisation) -> Q:
    if isinstance(holder, Person):
        return Q(holder_person_id=holder.pk)
    if isinstance(holder, Organisation):
        return Q(holder_org_id=holder.pk)
    raise TypeError(f"a certificate holder is a Person or an Organisation, not {holder!r}")


def in_force() -> Q:
    """Valid and not past its validity today (the expiry job may not have run yet)."""
    today = timezone.localdate()
    return Q(status=CertificateStatus.VALID) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def current_certificate(*, holder: Person | Organisation, type_code: str) -> Certificate | None:
    """The holder's valid, unexpired certificate of that type (the newest if several), or
    None. Reads across scopes on purpose: a certificate satisfies a case's material wherever
    it was issued (the caller already has the holder in hand)."""
    return (
        Certificate.unscoped.select_related("type", "issuer")
        .filter(holder_filter(holder), in_force(), type_id=type_code)
        .order_by("-issued_on", "-version", "-id")
        .first()
    )


def certificates_of(holder: Person | Organisation, *, scoped: bool = True) -> QuerySet[Certificate]:
    """All certificates of one person or organisation, newest first (一号 view, portal)."""
    manager = Certificate.objects if scoped else Certificate.unscoped
    return (
        manager.select_related("type")
        .filter(holder_filter(holder))
        .order_by("status", "-issued_on", "-id")
    )


def effective_status(certificate: Certificate, *, today: dt.date | None = None) -> str:
    """The status a reader should be told: a valid certificate past its date is expired even
    before the nightly job marks it."""
    today = today or timezone.localdate()
    if (
        certificate.status == CertificateStatus.VALID
        and certificate.valid_until is not None
        and certificate.valid_until < today
    ):
        return CertificateStatus.EXPIRED
    return certificate.status


def search(*, text: str = "", type_code: str = "", status: str = "") -> QuerySet[Certificate]:
    """Staff list: certificates in the user's scope by identifier, holder name or last four
    characters of the holder's number, type and status."""
    qs = Certificate.objects.select_related("type")
    text = (text or "").strip()
    if text:
        if text.startswith("1.2.156."):
            qs = qs.filter(identifier=text)
        elif len(text) == 4 and text.isalnum():
            qs = qs.filter(holder_id_masked__endswith=text.upper())
        else:
            qs = qs.filter(holder_name__contains=text)
    if type_code:
        qs = qs.filter(type_id=type_code)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_on", "-id")
