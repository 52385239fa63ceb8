"""批量导入 pages: upload a register sheet, watch its progress, fetch the error sheet.

Thin: every step is one call into `bianmin.registry.services.imports`; the job runs on a
thread or in `bianmin worker` (see `bianmin.registry.tasks`).
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bianmin.registry.models import ImportJob
from bianmin.registry.models.imports import ImportMode
from bianmin.registry.services.imports import (
    FINISHED,
    access_import_job,
    can_import,
    create_import_job,
    import_template,
    open_error_file,
    recent_import_jobs,
)
from bianmin.registry.tasks import start_import
from bianmin.workbench.common import apply_errors, staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("登记表文件"),
        help_text=_("Excel（.xlsx）或CSV文件，列名与导入模板一致。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        help_text=_("默认全部正确才导入：任何一行有错误都不导入，便于整体修正后重导。"),
    )


def _importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied(_("您的岗位没有批量导入人员的权限。"))


@staff_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = create_import_job(
                actor=request.actor,
                file=upload,
                file_name=upload.name,
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            apply_errors(
                form,
                exc if hasattr(exc, "error_dict") else ValidationError({"file": exc.error_list}),
            )
        else:
            start_import(job)
            return redirect("workbench:import-detail", job_id=job.pk)
    jobs = recent_import_jobs(actor=request.actor)
    return render(request, "workbench/imports/index.html", {"form": form, "jobs": jobs})


@staff_required
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(import_template(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "人员导入模板.xlsx")
    return response


@staff_required
def detail(request: HttpRequest, job_id) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "workbench/imports/detail.html", _job_context(job))


@staff_required
def progress(request: HttpRequest, job_id) -> HttpResponse:
    """The progress block alone: htmx swaps it in every second until the job has finished."""
    job = _job(request, job_id)
    response = render(request, "workbench/imports/partials/progress.html", _job_context(job))
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def errors(request: HttpRequest, job_id) -> FileResponse:
    job = _job(request, job_id)
    handle = open_error_file(actor=request.actor, job=job)
    stem = PurePath(job.file_name).stem or "import"
    return FileResponse(
        handle, as_attachment=True, filename=f"{stem}_错误明细.xlsx", content_type=XLSX
    )


def _job(request: HttpRequest, job_id) -> ImportJob:
    try:
        return access_import_job(actor=request.actor, job_id=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def _job_context(job) -> dict:
    return {"job": job, "finished": job.status in FINISHED}
