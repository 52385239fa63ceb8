"""/exchange/ — administrators' pages: the dead-letter list (review, correct and retry, or
discard with a reason), the push log, and the life events recorded."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.exchange import exports, services
from bianmin.exchange.models import (
    DeadLetter,
    DeadLetterStatus,
    HeadVacancy,
    LifeEventRecord,
    PushLog,
    RecordKind,
)
from bianmin.exchange.records import FIELDS
from bianmin.workbench.common import (
    admin_required,
    apply_errors,
    paginate,
    query_without_page,
    staff_required,
)


class DeadLetterFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), *DeadLetterStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("种类"), choices=[("", _("全部")), *RecordKind.choices], required=False
    )


FIELD_LABELS = {
    "died_on": _("死亡日期"),
    "moved_on": _("变更日期"),
    "grid": _("网格编码"),
    "address": _("现居住地址"),
    "reason": _("死亡原因"),
    "reference": _("来源文书号"),
    "destination": _("迁往地"),
    "registered_on": _("登记日期"),
    "employer": _("用人单位"),
    "certificate_no": _("就业创业证编号"),
    "certificate_type": _("证照类型"),
    "number": _("证照编号"),
    "issued_on": _("发证日期"),
    "valid_until": _("有效期至"),
}


PAYLOAD_LABELS = {
    "record_id": _("部门记录号"),
    "id_number": _("身份证号码"),
    "name": _("姓名"),
    "data": _("照面信息"),
}


class RetryForm(forms.Form):
    """Corrections: only the fields filled in replace the pushed values."""

    id_number = forms.CharField(label=_("更正身份证号码"), max_length=32, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (_required, max_len) in FIELDS.get(kind, {}).items():
            self.fields[name] = forms.CharField(
                label=FIELD_LABELS.get(name, name), max_length=max_len, required=False
            )


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("作废理由"), max_length=300)


def _dead_letters(request: HttpRequest):
    form = DeadLetterFilter(request.GET or {"status": DeadLetterStatus.OPEN})
    rows = DeadLetter.objects.select_related("client__department")
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {k: form.cleaned_data[k] for k in ("status", "kind")}
        if filters["status"]:
            rows = rows.filter(status=filters["status"])
        if filters["kind"]:
            rows = rows.filter(kind=filters["kind"])
    return form, rows, filters


@admin_required
@require_GET
def dead_letters(request: HttpRequest) -> HttpResponse:
    form, rows, _filters = _dead_letters(request)
    context = {"form": form, "page": paginate(request, rows), "query": query_without_page(request)}
    return render(request, "exchange/dead_letters.html", context)


@admin_required
@require_GET
def dead_letters_export(request: HttpRequest) -> HttpResponse:
    _form, rows, filters = _dead_letters(request)
    response, _count = xlsx_response(
        export_filename("交换待处理记录"),
        lambda target: exports.export_dead_letters(
            actor=request.actor, letters=rows, filters=filters, target=target
        ),
    )
    return response


@admin_required
@require_http_methods(["GET", "POST"])
def dead_letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(DeadLetter.objects.select_related("client__department"), pk=pk)
    retry_form = RetryForm(kind=letter.kind)
    discard_form = DiscardForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "retry":
                retry_form = RetryForm(request.POST, kind=letter.kind)
                if retry_form.is_valid():
                    result = services.retry_dead_letter(
                        actor=request.actor, letter=letter, corrections=retry_form.cleaned_data
                    )
                    if result["status"] == "applied":
                        messages.success(request, _("已更正并重新应用。"))
                        return redirect("exchange:dead-letters")
                    messages.error(request, result["detail"])
                    return redirect("exchange:dead-letter", pk=pk)
            elif action == "discard":
                discard_form = DiscardForm(request.POST)
                if discard_form.is_valid():
                    services.discard_dead_letter(
                        actor=request.actor,
                        letter=letter,
                        reason=discard_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("已作废。"))
                    return redirect("exchange:dead-letters")
        except ValidationError as e:
            messages.error(request, message_of(e))
    context = {
        "letter": letter,
        "retry_form": retry_form,
        "discard_form": discard_form,
        "payload": [
            (PAYLOAD_LABELS.get(key, FIELD_LABELS.get(key, key)), value)
            for key, value in sorted(letter.payload_masked.items())
        ],
    }
    return render(request, "exchange/dead_letter.html", context)


def _pushes(request: HttpRequest):
    rows = PushLog.objects.select_related("client__department")
    outcome = request.GET.get("outcome", "")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows, {"outcome": outcome}


@admin_required
@require_GET
def pushes(request: HttpRequest) -> HttpResponse:
    rows, _filters = _pushes(request)
    context = {"page": paginate(request, rows), "query": query_without_page(request)}
    return render(request, "exchange/pushes.html", context)


@admin_required
@require_GET
def pushes_export(request: HttpRequest) -> HttpResponse:
    rows, filters = _pushes(request)
    response, _count = xlsx_response(
        export_filename("推送日志"),
        lambda target: exports.export_pushes(
            actor=request.actor, pushes=rows, filters=filters, target=target
        ),
    )
    return response


def _life_events(request: HttpRequest):
    rows = LifeEventRecord.objects.select_related("person", "family_notified")
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    return rows, {"kind": kind}


@admin_required
@require_GET
def life_events(request: HttpRequest) -> HttpResponse:
    rows, _filters = _life_events(request)
    context = {"page": paginate(request, rows), "query": query_without_page(request)}
    return render(request, "exchange/life_events.html", context)


@admin_required
@require_GET
def life_events_export(request: HttpRequest) -> HttpResponse:
    rows, filters = _life_events(request)
    response, _count = xlsx_response(
        export_filename("人员变动事件"),
        lambda target: exports.export_life_events(
            actor=request.actor, events=rows, filters=filters, target=target
        ),
    )
    return response


class AppointHeadForm(forms.Form):
    person = forms.ChoiceField(label=_("新户主"))
    on = forms.DateField(label=_("变更日期"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.name}（{p.id_masked}）") for p in members]


@staff_required
@require_http_methods(["GET", "POST"])
def head_vacancies(request: HttpRequest) -> HttpResponse:
    """户主空缺 in the user's area (the household's scope decides), each with its living
    members to choose the new head from (户主变更)."""
    from bianmin.registry.models import Household, LifeStatus, Person
    from bianmin.registry.services.lifeevents import appoint_head

    visible = Household.objects.values("pk")
    vacancies = list(
        HeadVacancy.objects.filter(filled_by__isnull=True, household__in=visible)
        .select_related("household", "former_head")
        .order_by("since", "pk")
    )
    members: dict[int, list] = {}
    for p in Person.unscoped.filter(
        household_id__in=[v.household_id for v in vacancies], life_status=LifeStatus.ALIVE
    ).order_by("birth_date"):
        members.setdefault(p.household_id, []).append(p)
    forms_by_id = {
        v.pk: AppointHeadForm(members=members.get(v.household_id, []), prefix=f"v{v.pk}")
        for v in vacancies
    }
    if request.method == "POST":
        vacancy = next((v for v in vacancies if str(v.pk) == request.POST.get("vacancy")), None)
        if vacancy is not None:
            form = AppointHeadForm(
                request.POST, members=members.get(vacancy.household_id, []), prefix=f"v{vacancy.pk}"
            )
            forms_by_id[vacancy.pk] = form
            if form.is_valid():
                try:
                    appoint_head(
                        actor=request.actor,
                        household=vacancy.household,
                        person=Person(pk=int(form.cleaned_data["person"])),
                        on=form.cleaned_data["on"],
                    )
                except ValidationError as e:
                    apply_errors(form, e)
                else:
                    messages.success(request, _("已登记新户主。"))
                    return redirect("exchange:head-vacancies")
    rows = [(v, forms_by_id[v.pk]) for v in vacancies]
    return render(request, "exchange/head_vacancies.html", {"rows": rows})
