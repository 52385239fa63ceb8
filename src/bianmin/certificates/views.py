"""Staff pages (电子证照 list, revoke, PDF), the resident's 我的证照, and the public
verification page the QR code opens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.certificates import pdf, queries
from bianmin.certificates.models import Certificate, CertificateStatus, CertificateType
from bianmin.certificates.services import qr_payload, revoke
from bianmin.certificates.services.verification import masked_name, verify_parts
from bianmin.core import audit
from bianmin.core.models import AuditAction
from bianmin.portal.access import resident_required
from bianmin.portal.views_common import page
from bianmin.registry.access import actor_for, client_ip
from bianmin.workbench.common import paginate, query_without_page, staff_required


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _pdf_response(request: HttpRequest, cert: Certificate) -> HttpResponse:
    body = pdf.render(cert, qr_text=qr_payload(cert, base_url=_base_url(request)))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.serial}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    type_code = request.GET.get("type", "")
    status = request.GET.get("status", "")
    found = queries.search(text=text, type_code=type_code, status=status)
    context = {
        "page": paginate(request, found),
        "query": query_without_page(request),
        "q": text,
        "type_code": type_code,
        "status": status,
        "types": CertificateType.objects.all(),
        "statuses": CertificateStatus.choices,
    }
    template = "certificates/partials/results.html" if request.htmx else "certificates/list.html"
    return render(request, template, context)


def _in_scope(pk: int) -> Certificate:
    cert = Certificate.objects.select_related("type").filter(pk=pk).first()
    if cert is None:
        raise Http404
    return cert


@staff_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _in_scope(pk)
    audit.record(
        actor_for(request.user, ip=client_ip(request)),
        AuditAction.READ,
        object_type="certificate",
        object_id=cert.pk,
        object_label=cert.identifier,
    )
    return render(
        request,
        "certificates/detail.html",
        {
            "cert": cert,
            "status": queries.effective_status(cert),
            "labels": {f["name"]: f["label"] for f in cert.type.fields},
            "verify_url": qr_payload(cert, base_url=_base_url(request)),
        },
    )


@staff_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _in_scope(pk)
    try:
        revoke(
            actor=actor_for(request.user, ip=client_ip(request)),
            certificate=cert,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("证照已注销。"))
    return redirect("certificates:detail", pk=cert.pk)


@staff_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _in_scope(pk)
    audit.record(
        actor_for(request.user, ip=client_ip(request)),
        AuditAction.EXPORT,
        object_type="certificate",
        object_id=cert.pk,
        object_label=cert.identifier,
    )
    return _pdf_response(request, cert)


def _own(request: HttpRequest, pk: int) -> Certificate:
    cert = queries.certificates_of(request.person, scoped=False).filter(pk=pk).first()
    if cert is None:
        raise Http404
    return cert


@resident_required
@require_GET
def my_certificates(request: HttpRequest) -> HttpResponse:
    certs = list(queries.certificates_of(request.person, scoped=False))
    for cert in certs:
        cert.shown_status = queries.effective_status(cert)
    return page(request, "certificates/mine.html", {"certificates": certs})


@resident_required
@require_GET
def my_certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(request, _own(request, pk))


@require_GET
def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """Public (no login): what the QR code opens. Tells authentic or not, the status, and no
    more of the holder than a verifier needs."""
    result = verify_parts(identifier, request.GET.get("k", ""), request.GET.get("s", ""))
    cert = result.certificate
    context = {
        "result": result,
        "status": result.status,
        "status_label": CertificateStatus(result.status).label if result.status else "",
        "cert": cert,
        "holder": masked_name(cert.holder_name, organisation=cert.holder_org_id is not None)
        if cert
        else "",
    }
    return render(request, "certificates/verify.html", context, status=200)
