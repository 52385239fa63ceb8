"""/api/v1/cases/ — intake, the case file, lists and supervision counts. Transitions are in
`transitions.py` (mixed into the same viewset, so every route is under /cases/<case_no>/)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.cases import queries
from bianmin.cases.api import inputs as i
from bianmin.cases.api import outputs as o
from bianmin.cases.api.transitions import TransitionActions
from bianmin.cases.models import Case
from bianmin.cases.numbering import CASE_NO_PATTERN
from bianmin.cases.results import fields_for as result_fields_for
from bianmin.cases.services import bundles, fetching, idempotency, intake
from bianmin.cases.services.common import access_case, staff_of
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.merged import MergedCheck
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import precheck
from bianmin.core import audit
from bianmin.core.api import ErrorSerializer, ScopedGenericViewSet, error_responses
from bianmin.core.audit import Actor
from bianmin.indicators.library import Period
from bianmin.registry.access import staff_of as staff_of_user

# A request that is well-formed but not possible in the case's current state.
CONFLICT_CODES = frozenset(
    {
        "invalid_transition",
        "already_decided",
        "case_suspended",
        "clock_already_paused",
        "not_suspended",
        "reviews_pending",
        "review_rejected",
        "pledge_open",
        "extension_pending",
        "extension_decided",
        "no_open_pledge",
        "materials_missing",
        "bundle_as_whole",
    }
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "重试安全：同一账号以同一键重复提交同一请求，只创建一次，并原样返回第一次的状态码和内容"
        "（应答头 Idempotent-Replayed: true）；同一键用于内容不同的请求返回 422 "
        "idempotency_key_reused。"
    ),
)

CASE_ERRORS = (
    "错误：输入有误 400；不在管辖范围 403（out_of_scope）；不存在 404；当前状态不允许 409"
    "（code = invalid_transition、already_decided、reviews_pending、case_suspended …）。"
)


def _checks(items) -> list[dict[str, Any]]:
    return [c.as_dict() for c in items]


@extend_schema(tags=["cases"])
class CaseViewSet(TransitionActions, ScopedGenericViewSet):
    """办件：受理、办理、监察。"""

    lookup_field = "case_no"
    lookup_value_regex = CASE_NO_PATTERN
    serializer_class = o.CaseSummarySerializer

    def get_queryset(self):
        return queries.case_list()

    def actor_of(self, request) -> Actor:
        """The request's actor carrying the Staff row token authentication already loaded,
        so services do not fetch it again."""
        staff = staff_of_user(request.user)
        if staff is None:
            return request.actor
        return replace(request.actor, extra={**request.actor.extra, "staff": staff})

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.IdempotencyKeyReused):
            exc = Unprocessable("；".join(exc.messages), code="idempotency_key_reused")
        elif (
            isinstance(exc, DjangoValidationError)
            and not hasattr(exc, "error_dict")
            and getattr(exc, "code", None) in CONFLICT_CODES
        ):
            exc = Conflict("；".join(exc.messages), code=exc.code)
        return super().handle_exception(exc)

    # --- reading ----------------------------------------------------------------------------

    @extend_schema(
        summary="办件列表（限管辖范围）",
        parameters=[i.CaseFilter],
        responses={200: o.CaseSummarySerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = i.CaseFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(queries.filter_cases(**params.validated_data))
        return self.get_paginated_response(o.CaseSummarySerializer(page, many=True).data)

    @extend_schema(
        summary="办件详情：状态、承诺办结日期、预警、材料及来源、审查、计时暂停、延期、办理记录（记入审计日志）",
        responses={200: o.CaseDetailSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, case_no: str):
        case = access_case(actor=request.actor, case_no=case_no)
        return Response(self.detail_of(case))

    def detail_of(self, case: Case) -> dict[str, Any]:
        return o.CaseDetailSerializer(queries.case_file(case, on=timezone.localdate())).data

    @extend_schema(
        summary="决定内容的项目：准予时须（或可）一并填写的结果项目，如首次办理残疾人证的残疾类别",
        responses={200: o.ResultFieldSerializer(many=True), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"], url_path="decision-fields")
    def decision_fields(self, request, case_no: str):
        case = access_case(actor=request.actor, case_no=case_no)
        return Response(o.ResultFieldSerializer(result_fields_for(case), many=True).data)

    @extend_schema(
        summary="电子监察：按部门、按受理中心统计在办（绿/黄/红）、办结与按时办结率（指标库，按月/季/年）",
        parameters=[i.PeriodFilter],
        responses={200: o.SupervisionSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["get"])
    def supervision(self, request):
        params = i.PeriodFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        period = params.validated_data.get("period") or str(Period.of(today))
        report = queries.supervision(period=period, on=today, scope=request.scope)
        return Response(o.SupervisionSerializer(report).data)

    @extend_schema(
        summary="我的待办审查（含A岗缺岗时由我B岗代办的）",
        responses={200: o.MyReviewSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="my-reviews")
    def my_reviews(self, request):
        staff = staff_of(self.actor_of(request))
        if staff is None:
            return Response([])
        reviews = list(queries.my_reviews(staff, on=timezone.localdate()))
        for review in reviews:
            review.standing_in = review.assignee_id not in (None, staff.pk)
        return Response(o.MyReviewSerializer(reviews, many=True).data)

    # --- intake -----------------------------------------------------------------------------

    @extend_schema(
        summary="预审（一次性告知）：列出全部缺少或不符合要求的材料，不创建办件",
        request=i.PrecheckRequest,
        responses={200: o.PrecheckResultSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["post"])
    def precheck(self, request):
        form = i.PrecheckRequest(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        applicant = self._applicant(request, data)
        bundle = None
        if data.get("bundle_code"):
            bundle, items = bundles.resolve_bundle(data["bundle_code"])
            results = bundles.check_bundle(
                bundle=bundle,
                items=items,
                applicant=applicant,
                provided=data["materials"],
                channel=data["channel"],
                applicable=data["applicable"],
            )
        else:
            item = intake.resolve_item(data["item_code"])
            results = [
                precheck(
                    item=item,
                    applicant=applicant,
                    provided=data["materials"],
                    channel=data["channel"],
                    applicable=data["applicable"],
                )
            ]
        if not any(r.problems for r in results):
            # What sharing will not supply (no grant, no consent …) is asked for already; a
            # holder without a record shows up at intake (nothing is read here).
            actor = self.actor_of(request)
            results = [
                fetching.fetch(actor=actor, checked=r, applicant=applicant, preview=True)[0]
                for r in results
            ]
        merged = MergedCheck(tuple(results))
        first = results[0]
        return Response(
            {
                "item_code": data.get("bundle_code") or first.item.code,
                "item_name": bundle.name if bundle else first.item.name,
                "complete": merged.complete,
                "deficiency_possible": merged.deficiency_possible,
                **_materials(merged),
                "problems": merged.problems,
            }
        )

    @extend_schema(
        summary="申请受理（窗口 / 代办 / 网上申报；单事项或多证联办）",
        description=(
            "材料齐全：受理（status=in_review 或 accepted），返回办件编号和承诺办结日期。"
            "只缺非关键材料且事项可容缺、并提交了承诺书（pledge）：容缺受理。"
            "否则办件以“补正中”（status=returned）创建并返回 201，缺少或不符合要求的全部材料"
            "在 missing_materials 中一次性列出（一次性告知）；补齐后调用 resubmit，再 accept。"
            "网上申报（channel=online）创建为 submitted，待窗口预审。"
            "身份证号码只放在请求体中，应答中只有脱敏号码。未知事项 400 unknown_item。"
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=i.IntakeRequest,
        responses={
            201: o.IntakeResultSerializer,
            **error_responses(400, 403),
            422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
        },
    )
    def create(self, request):
        data = _INTAKE_REQUEST.run_validation(request.data)
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            key = idempotency.check_key(key)
            digest = idempotency.fingerprint(method="POST", path=request.path, body=request.data)
            answer = idempotency.replay(user_id=request.user.pk, key=key, digest=digest)
            if answer is not None:
                response = Response(answer.body, status=answer.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
        # The audited look-up is its own transaction, before the intake's: the audit chain's
        # lock (every audited write queues on it) is then held for a read's entry, committed
        # without waiting for the disk (`audit.commits_lazily`), never across the intake's
        # synchronous commit — measured: a third of the lock waits. A failed intake still
        # leaves the read on record.
        applicant = self._applicant(request, data)
        perform = lambda: self._intake(request, data, applicant)  # noqa: E731
        if key is None:
            with transaction.atomic(), audit.appended_last():
                code, body, _case = perform()
            return Response(body, status=code)
        answer = idempotency.run_once(
            user_id=request.user.pk, key=key, digest=digest, perform=perform
        )
        response = Response(answer.body, status=answer.status_code)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _applicant(self, request, data):
        return intake.identify_applicant(
            actor=self.actor_of(request),
            id_number=data.get("applicant_id_number", ""),
            credit_code=data.get("applicant_credit_code", ""),
        )

    def _intake(self, request, data, applicant) -> tuple[int, dict[str, Any], Case | None]:
        consent = data.get("agent_consent")
        pledge = data.get("pledge")
        common = {
            "actor": self.actor_of(request),
            "applicable": data["applicable"],
            "applicant": applicant,
            "provided": data["materials"],
            "channel": data["channel"],
            "agent_consent": AgentConsent(consent["method"], consent["at"]) if consent else None,
            "pledge": PledgeInput(tuple(pledge["materials"]), pledge["due_date"])
            if pledge
            else None,
        }
        if data.get("bundle_code"):
            bundle, items = bundles.resolve_bundle(data["bundle_code"])
            result = bundles.take_in_bundle(bundle=bundle, items=items, **common)
            cases = result.cases
            body = {
                "case_no": result.application.bundle_no,
                "kind": "bundle",
                "status": "accepted" if all(r.accepted for r in result.results) else "returned",
                **_materials(result.merged),
                "due_date": max((c.due_date for c in cases if c.due_date), default=None),
                "due_provisional": any(c.due_provisional for c in cases),
                "cases": cases,
            }
            return 201, _INTAKE_ANSWER.to_representation(body), cases[0]
        item = intake.resolve_item(data["item_code"])
        result = intake.record_intake(item=item, **common)
        case = result.case
        body = {
            "case_no": case.case_no,
            "kind": "case",
            "status": case.status,
            "missing_materials": _checks(result.precheck.missing),
            "shared_materials": _checks(result.precheck.shared),
            "conditional_materials": _checks(result.precheck.conditional),
            "due_date": case.due_date,
            "due_provisional": case.due_provisional,
            "cases": [case],
        }
        return 201, _INTAKE_ANSWER.to_representation(body), case


# One serializer instance for every intake answer: building a serializer deep-copies its
# declared fields (and its nested ones) each time, a fifth of the intake's own CPU time.
# `to_representation` only reads the bound fields, so threads can share it.
_INTAKE_ANSWER = o.IntakeResultSerializer()
# The same for the request: `run_validation` keeps nothing on the instance (is_valid() would
# store the data and errors), and its errors are the ones is_valid() would raise.
_INTAKE_REQUEST = i.IntakeRequest()


def _materials(merged: MergedCheck) -> dict[str, list[dict[str, Any]]]:
    """The three material lists of one application: each material once (多证联办: asked for
    once, and not as conditional or shared when another item asks for it outright)."""
    return {
        "missing_materials": [c.as_dict() for c in merged.missing],
        "shared_materials": [c.as_dict() for c in merged.shared],
        "conditional_materials": [c.as_dict() for c in merged.conditional],
    }
