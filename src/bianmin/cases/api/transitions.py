"""POST /api/v1/cases/<case_no>/<action>/ — one route per transition, each calling one
service and answering with the case file. A transition the case's state does not allow
answers 409 with its code (invalid_transition, already_decided …); input errors 400."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.cases import queries
from bianmin.cases.api import inputs as i
from bianmin.cases.api import outputs as o
from bianmin.cases.models import Case, Extension, Review
from bianmin.cases.services import acceptance, bundle_acts, deadlines, handling, visits
from bianmin.cases.services.pledges import PledgeInput
from bianmin.core.api import ErrorSerializer, error_responses
from bianmin.core.errors import OutOfScope
from bianmin.registry.models import Staff


def transition(summary: str, request=None, *, created: bool = False):
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            code: o.CaseDetailSerializer,
            **error_responses(400, 403, 404),
            409: OpenApiResponse(
                ErrorSerializer, description="当前状态不允许（invalid_transition 等）"
            ),
        },
    )


def _post(url_path: str | None = None):
    kwargs = {"detail": True, "methods": ["post"]}
    if url_path:
        kwargs["url_path"] = url_path
    return action(**kwargs)


class TransitionActions:
    """Mixed into CaseViewSet (which provides `detail_of` and the error mapping)."""

    def _case(self, case_no: str) -> Case:
        case = Case.objects.filter(case_no=case_no).first()
        if case is None:
            if Case.unscoped.filter(case_no=case_no).exists():
                raise OutOfScope()
            raise Case.DoesNotExist(_("办件不存在。"))
        return case

    def _answer(self, case_no: str, code: int = status.HTTP_200_OK) -> Response:
        case = queries.detail_queryset().get(case_no=case_no)
        return Response(self.detail_of(case), status=code)

    def _form(self, serializer_class, request) -> dict:
        form = serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        return form.validated_data

    # --- acceptance -------------------------------------------------------------------------
    # On a case of a 联办 application not yet accepted, these act on the whole application
    # (`bundle_acts`): every item accepted, returned, refused or resubmitted at once.

    @staticmethod
    def _bundle_no(case: Case) -> str:
        if case.bundle_application_id is None or case.accepted_at is not None:
            return ""
        return case.bundle_application.bundle_no

    @transition("受理（预审通过；可附容缺承诺书；联办事项整体受理）", i.AcceptInput)
    @_post()
    def accept(self, request, case_no: str):
        data = self._form(i.AcceptInput, request)
        pledge = data.get("pledge")
        case = self._case(case_no)
        common = {
            "actor": self.actor_of(request),
            "pledge": PledgeInput(tuple(pledge["materials"]), pledge["due_date"])
            if pledge
            else None,
            "applicable": data["applicable"],
        }
        if bundle_no := self._bundle_no(case):
            bundle_acts.accept_bundle(application=bundle_no, **common)
        else:
            acceptance.accept(case=case, **common)
        return self._answer(case_no)

    @transition("告知补正（一次性告知全部缺少的材料；暂停计时；联办事项整体补正）", i.ReturnInput)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_supplement(self, request, case_no: str):
        data = self._form(i.ReturnInput, request)
        case = self._case(case_no)
        common = {
            "actor": self.actor_of(request),
            "reason": data["reason"],
            "applicable": data["applicable"],
        }
        if bundle_no := self._bundle_no(case):
            bundle_acts.return_bundle(application=bundle_no, **common)
        else:
            acceptance.return_for_supplement(case=case, **common)
        return self._answer(case_no)

    @transition("不予受理（须说明理由；联办事项整体不予受理）", i.ReasonInput)
    @_post()
    def refuse(self, request, case_no: str):
        data = self._form(i.ReasonInput, request)
        case = self._case(case_no)
        actor = self.actor_of(request)
        if bundle_no := self._bundle_no(case):
            bundle_acts.refuse_bundle(actor=actor, application=bundle_no, reason=data["reason"])
        else:
            acceptance.refuse_acceptance(actor=actor, case=case, reason=data["reason"])
        return self._answer(case_no)

    @transition("补正材料（恢复计时，承诺办结日期顺延暂停的工作日）", i.MaterialsInput)
    @_post()
    def resubmit(self, request, case_no: str):
        data = self._form(i.MaterialsInput, request)
        case = self._case(case_no)
        common = {
            "actor": self.actor_of(request),
            "provided": data["materials"],
            "channel": data["channel"],
        }
        if bundle_no := self._bundle_no(case):
            bundle_acts.resubmit_bundle(application=bundle_no, **common)
        else:
            acceptance.resubmit(case=case, **common)
        return self._answer(case_no)

    @transition("补交容缺材料（全部补齐即履行承诺）", i.MaterialsInput)
    @_post()
    def pledge(self, request, case_no: str):
        data = self._form(i.MaterialsInput, request)
        acceptance.fulfil_pledge(
            actor=self.actor_of(request),
            case=self._case(case_no),
            provided=data["materials"],
            channel=data["channel"],
        )
        return self._answer(case_no)

    # --- reviews and decision ---------------------------------------------------------------

    def _review(self, case: Case, review_id: str) -> Review:
        review = Review.objects.filter(case=case, pk=int(review_id)).first()
        if review is None:
            raise Review.DoesNotExist(_("该办件没有这项审查。"))
        return review

    @transition("部门审查：通过 / 退回补正（暂停计时）/ 不通过", i.ReviewDecisionInput)
    @_post(r"reviews/(?P<review_id>\d+)/decide")
    def review_decide(self, request, case_no: str, review_id: str):
        data = self._form(i.ReviewDecisionInput, request)
        case = self._case(case_no)
        handling.act_on_review(
            actor=self.actor_of(request),
            review=self._review(case, review_id),
            decision=data["decision"],
            opinion=data["opinion"],
            missing=data["missing"],
        )
        return self._answer(case_no)

    @transition("指定审查承办人（A岗）", i.AssignInput)
    @_post(r"reviews/(?P<review_id>\d+)/assign")
    def review_assign(self, request, case_no: str, review_id: str):
        data = self._form(i.AssignInput, request)
        case = self._case(case_no)
        assignee = None
        if data["assignee"] is not None:
            assignee = Staff.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise ValidationError(
                    {"assignee": ValidationError(_("工作人员不存在。"), code="unknown_staff")}
                )
        handling.assign_review(
            actor=self.actor_of(request), review=self._review(case, review_id), assignee=assignee
        )
        return self._answer(case_no)

    @transition("作出决定：准予 / 不予（全部审查完成后；只能决定一次）", i.DecideInput)
    @_post()
    def decide(self, request, case_no: str):
        data = self._form(i.DecideInput, request)
        handling.decide(
            actor=self.actor_of(request),
            case=self._case(case_no),
            approve=data["decision"] == "approve",
            reasons=data["reasons"],
            result=data["result"],
        )
        return self._answer(case_no)

    # --- the clock --------------------------------------------------------------------------

    @transition("启动特别程序（听证、勘查、检测、专家评审、公示），暂停计时", i.SuspendInput)
    @_post()
    def suspend(self, request, case_no: str):
        data = self._form(i.SuspendInput, request)
        deadlines.suspend(
            actor=self.actor_of(request),
            case=self._case(case_no),
            kind=data["kind"],
            reason=data["reason"],
            start=data.get("start"),
        )
        return self._answer(case_no)

    @transition("特别程序结束，恢复计时（办结日期顺延其工作日）", i.ResumeInput)
    @_post()
    def resume(self, request, case_no: str):
        data = self._form(i.ResumeInput, request)
        deadlines.resume(
            actor=self.actor_of(request), case=self._case(case_no), end=data.get("end")
        )
        return self._answer(case_no)

    @transition("申请延期（待负责人审批）", i.ExtendInput, created=True)
    @_post()
    def extend(self, request, case_no: str):
        data = self._form(i.ExtendInput, request)
        deadlines.request_extension(
            actor=self.actor_of(request),
            case=self._case(case_no),
            workdays=data["workdays"],
            reason=data["reason"],
        )
        return self._answer(case_no, status.HTTP_201_CREATED)

    @transition("审批延期（负责人，不能是申请人本人）", i.ExtensionDecisionInput)
    @_post(r"extensions/(?P<extension_id>\d+)/decide")
    def extension_decide(self, request, case_no: str, extension_id: str):
        data = self._form(i.ExtensionDecisionInput, request)
        case = self._case(case_no)
        extension = Extension.objects.filter(case=case, pk=int(extension_id)).first()
        if extension is None:
            raise Extension.DoesNotExist(_("该办件没有这项延期申请。"))
        deadlines.decide_extension(
            actor=self.actor_of(request),
            extension=extension,
            approve=data["approve"],
            note=data["note"],
        )
        return self._answer(case_no)

    # --- the end ----------------------------------------------------------------------------

    @transition("送达结果（窗口领取记一次到现场）", i.DeliverInput)
    @_post()
    def deliver(self, request, case_no: str):
        data = self._form(i.DeliverInput, request)
        handling.deliver(
            actor=self.actor_of(request), case=self._case(case_no), method=data["method"]
        )
        return self._answer(case_no)

    @transition("办结")
    @_post()
    def close(self, request, case_no: str):
        handling.close(actor=self.actor_of(request), case=self._case(case_no))
        return self._answer(case_no)

    @transition("终止办理（撤回、申请人死亡等）", i.ReasonInput)
    @_post()
    def terminate(self, request, case_no: str):
        data = self._form(i.ReasonInput, request)
        handling.terminate(
            actor=self.actor_of(request), case=self._case(case_no), reason=data["reason"]
        )
        return self._answer(case_no)

    @transition("登记申请人到现场一次", i.VisitInput, created=True)
    @_post()
    def visits(self, request, case_no: str):
        data = self._form(i.VisitInput, request)
        visits.record_visit(
            actor=self.actor_of(request), case=self._case(case_no), purpose=data["purpose"]
        )
        return self._answer(case_no, status.HTTP_201_CREATED)
