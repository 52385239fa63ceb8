"""Template tags: a certificate's status badge, and the holder's certificates in the 一号 view
(`{% holder_certificates applicant %}` in the counter's applicant panel)."""

from __future__ import annotations

from django import template

from bianmin.certificates import queries
from bianmin.certificates.models import CertificateStatus

register = template.Library()

_CSS = {"valid": "ok", "expired": "warn", "revoked": "bad"}


@register.inclusion_tag("certificates/partials/status.html")
def certificate_status(certificate):
    status = queries.effective_status(certificate)
    return {"css": _CSS[status], "label": CertificateStatus(status).label}


@register.inclusion_tag("certificates/partials/holder_certificates.html")
def holder_certificates(applicant):
    """`applicant` has `.person` or `.organisation` (counter.applicant). All of the holder's
    certificates, wherever issued: the clerk has the holder in hand through the audited 一号
    look-up, and a certificate from another district spares a paper copy all the same."""
    holder = getattr(applicant, "person", None) or getattr(applicant, "organisation", None)
    certs = list(queries.certificates_of(holder, scoped=False)[:50]) if holder is not None else []
    return {"certificates": certs}


@register.filter
def get_label(labels: dict, key: str) -> str:
    return labels.get(key, key)
