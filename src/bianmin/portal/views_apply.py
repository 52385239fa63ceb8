"""办事服务: the online catalogue, the application with its uploads, 补正 on the portal, and the
owner-checked download of an uploaded file."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.cases.models import Case, IntakeChannel
from bianmin.cases.services.precheck import Applicant, precheck
from bianmin.catalog.models import ApplicantKind, MaterialRequirement
from bianmin.portal.access import (
    own_case,
    own_organisations,
    own_upload,
    resident_of,
    resident_required,
)
from bianmin.portal.forms import ApplyForm, UploadsForm, applies_field, material_field
from bianmin.portal.models import Upload
from bianmin.portal.progress import supplement_request
from bianmin.portal.queries import online_item, online_items
from bianmin.portal.services.applications import apply_online, preview, resubmit_online
from bianmin.portal.services.uploads import access_upload
from bianmin.portal.views_common import page, put_errors
from bianmin.workbench.common import staff_required


@require_GET
def services(request: HttpRequest) -> HttpResponse:
    """Open to everyone; a signed-in resident sees the items they are likely eligible for
    first (a suggestion, never a refusal)."""
    q = (request.GET.get("q") or "").strip()[:50]
    account = resident_of(request.user)
    if account is not None:
        request.resident = account
        rows = online_items(account.person, q=q, represents=own_organisations(request).exists())
    else:
        rows = online_items(None, q=q, represents=True)
    return page(request, "portal/services.html", {"rows": rows, "q": q})


def _applicants(request: HttpRequest, item) -> tuple[list[tuple[str, str]], dict[str, Applicant]]:
    person = request.person
    choices, by_key = [], {}
    if item.applicant_kind in (ApplicantKind.PERSON, ApplicantKind.BOTH):
        choices.append(("self", _("%(name)s（本人）") % {"name": person.name}))
        by_key["self"] = Applicant(person=person)
    if item.applicant_kind in (ApplicantKind.ORGANISATION, ApplicantKind.BOTH):
        for org in own_organisations(request):
            key = f"org-{org.pk}"
            choices.append((key, _("%(name)s（法定代表人办理）") % {"name": org.name}))
            by_key[key] = Applicant(organisation=org)
    return choices, by_key


def _unfetchable(request: HttpRequest, item, applicants: dict[str, Applicant]) -> dict[str, str]:
    """Material code → why sharing cannot supply it for one of the resident's possible
    applicants (no consent, no grant …): those are asked for like any other. The gate is
    asked without reading anyone's data."""
    reasons: dict[str, str] = {}
    for applicant in applicants.values():
        checked = preview(actor=request.actor, item=item, applicant=applicant)
        for c in checked.missing:
            reasons.setdefault(c.code, c.reason)
    shared = {m.code for m in item.materials.all() if m.shared_source}
    return {code: reason for code, reason in reasons.items() if code in shared}


def _checklist(materials, form: UploadsForm, unfetchable: dict[str, str]) -> list[dict]:
    """Each material with what the resident has to do about it, and its form fields."""
    rows = []
    for m in materials:
        if m.code in unfetchable:
            need, tone = unfetchable[m.code], "warn"
        elif m.shared_source:
            need, tone = _("将通过数据共享获取，无需提交"), "ok"
        elif m.requirement == MaterialRequirement.MANDATORY:
            need, tone = _("必须上传"), "info"
        elif m.requirement == MaterialRequirement.CONDITIONAL:
            need, tone = _("如属于“%(c)s”情形须上传") % {"c": m.condition}, "warn"
        else:
            need, tone = _("可选"), "muted"
        rows.append(
            {
                "material": m,
                "need": need,
                "tone": tone,
                "upload": form[material_field(m)] if material_field(m) in form.fields else None,
                "applies": form[applies_field(m)] if applies_field(m) in form.fields else None,
            }
        )
    return rows


@resident_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    item = online_item(code)
    if item is None:
        raise Http404
    choices, applicants = _applicants(request, item)
    if not choices:
        return page(request, "portal/apply_unavailable.html", {"item": item}, status=403)
    materials = sorted(item.materials.all(), key=lambda m: m.seq)
    unfetchable = _unfetchable(request, item, applicants)
    form = ApplyForm(
        request.POST or None,
        request.FILES or None,
        materials=materials,
        applicants=choices,
        ask=frozenset(unfetchable),
        initial={"token": secrets.token_urlsafe(18)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            applied = apply_online(
                actor=request.actor,
                item=item,
                applicant=applicants[form.cleaned_data["applicant"]],
                files=form.files_by_code(),
                token=form.cleaned_data["token"],
                applicable=form.applicable(),
            )
        except ValidationError as e:
            put_errors(form, e, prefix="m_")
        else:
            if not applied.replayed:
                messages.success(
                    request,
                    _("申请已提交，申报编号%(no)s。窗口工作人员预审后会通知您。")
                    % {"no": applied.case.case_no},
                )
            return redirect("portal:case", case_no=applied.case.case_no)
    problems = []
    if "self" in applicants:
        problems = precheck(
            item=item, applicant=applicants["self"], provided=[], channel=IntakeChannel.ONLINE
        ).problems
    context = {
        "item": item,
        "form": form,
        "checklist": _checklist(materials, form, unfetchable),
        "problems": problems,
    }
    return page(request, "portal/apply.html", context)


@resident_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, case_no: str) -> HttpResponse:
    case = own_case(request, case_no)
    needed = supplement_request(case, list(case.events.order_by("at", "id")))
    if needed is None:
        messages.info(request, _("该办件当前无需补正材料。"))
        return redirect("portal:case", case_no=case.case_no)
    materials = sorted(case.item.materials.all(), key=lambda m: m.seq)
    asked = {n.code for n in needed.materials if n.code}
    form = UploadsForm(
        request.POST or None,
        request.FILES or None,
        materials=materials,
        conditions=False,
        ask=frozenset(asked),  # a shared material that could not be fetched is asked for
    )
    if request.method == "POST" and form.is_valid():
        try:
            resubmit_online(
                actor=request.actor,
                person=request.person,
                case=case,
                request=needed,
                files=form.files_by_code(),
            )
        except Case.DoesNotExist:
            raise Http404 from None
        except ValidationError as e:
            put_errors(form, e, prefix="m_")
        else:
            messages.success(request, _("补正材料已提交，办理时限恢复计算。"))
            return redirect("portal:case", case_no=case.case_no)
    rows = [
        {"material": m, "upload": form[material_field(m)], "asked": m.code in asked}
        for m in materials
        if not m.shared_source or m.code in asked
    ]
    rows.sort(key=lambda r: not r["asked"])
    context = {"case": case, "needed": needed, "form": form, "rows": rows}
    return page(request, "portal/supplement.html", context)


@resident_required
@require_GET
def upload_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    """The resident's own uploaded file; never a static URL."""
    return _file_response(own_upload(request, upload_id))


@staff_required
@require_GET
def staff_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    """An uploaded file for the clerk's precheck: within the case's scope, audited."""
    try:
        upload = access_upload(actor=request.actor, upload_id=upload_id)
    except Upload.DoesNotExist:
        raise Http404 from None
    return _file_response(upload)


def _file_response(upload: Upload) -> HttpResponse:
    """PDFs download rather than open inline, so a crafted PDF does not run in the site's
    origin; images are shown in a sandbox."""
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=upload.content_type,
        as_attachment=upload.content_type == "application/pdf",
        filename=upload.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
