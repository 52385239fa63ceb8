"""What the cases API accepts. Types and shapes only: every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bianmin.cases.models import (
    CaseStatus,
    ConsentMethod,
    DeliveryMethod,
    IntakeChannel,
    PauseKind,
    WarningLevel,
)
from bianmin.cases.services.handling import ReviewDecision
from bianmin.catalog.models import MaterialForm

# --- input ----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "材料代码（按事项要求的形式提交）"},
            {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "form": {"type": "string", "enum": list(MaterialForm.values)},
                },
                "required": ["code"],
            },
        ]
    }
)
class MaterialEntryField(serializers.Field):
    """A material code, or {code, form} when handed in another form than required."""

    default_error_messages = {"invalid": _("材料应为材料代码，或包含 code（及 form）的对象。")}

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if isinstance(data, str) and data.strip():
            return {"code": data.strip()[:40]}
        if isinstance(data, dict) and isinstance(data.get("code"), str) and data["code"].strip():
            form = data.get("form") or ""
            if not isinstance(form, str):
                self.fail("invalid")
            return {"code": data["code"].strip()[:40], "form": form}
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


class MaterialsField(serializers.ListField):
    child = MaterialEntryField()


class AgentConsentInput(serializers.Serializer):
    method = serializers.ChoiceField(ConsentMethod.choices, help_text="书面委托 / 短信确认")
    at = serializers.DateTimeField(help_text="申请人确认委托的时间")


class PledgeInputSerializer(serializers.Serializer):
    materials = serializers.ListField(
        child=serializers.CharField(max_length=40), help_text="承诺补交的材料代码"
    )
    due_date = serializers.DateField(help_text="承诺补交日期")


class IntakeRequest(serializers.Serializer):
    item_code = serializers.CharField(max_length=40, required=False, help_text="事项编码")
    bundle_code = serializers.CharField(
        max_length=40, required=False, help_text="联办事项编码（多证联办，与 item_code 二选一）"
    )
    applicant_id_number = serializers.CharField(
        max_length=18, required=False, write_only=True, help_text="申请人身份证号码（自然人）"
    )
    applicant_credit_code = serializers.CharField(
        max_length=18, required=False, help_text="统一社会信用代码（法人）"
    )
    channel = serializers.ChoiceField(IntakeChannel.choices)
    materials = MaterialsField(required=False, default=list)
    applicable = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="经核实适用其情形的“情形必要”材料代码",
    )
    agent_consent = AgentConsentInput(required=False, help_text="代办时必填")
    pledge = PledgeInputSerializer(required=False, help_text="容缺受理承诺书")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("item_code")) == bool(attrs.get("bundle_code")):
            raise serializers.ValidationError(
                {"item_code": _("请填写事项编码或联办事项编码（二选一）。")}, code="required"
            )
        if bool(attrs.get("applicant_id_number")) == bool(attrs.get("applicant_credit_code")):
            raise serializers.ValidationError(
                {"applicant_id_number": _("请填写申请人身份证号码或统一社会信用代码（二选一）。")},
                code="required",
            )
        return attrs


class PrecheckRequest(IntakeRequest):
    pledge = None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class AcceptInput(serializers.Serializer):
    pledge = PledgeInputSerializer(required=False)
    applicable = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    applicable = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )


class MaterialsInput(serializers.Serializer):
    materials = MaterialsField()
    channel = serializers.ChoiceField(
        IntakeChannel.choices, default=IntakeChannel.WINDOW, help_text="窗口补交记一次到现场"
    )


class ReviewDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        [
            (ReviewDecision.APPROVE, "审查通过"),
            (ReviewDecision.RETURN, "退回申请人补正"),
            (ReviewDecision.REJECT, "审查不通过"),
        ]
    )
    opinion = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    missing = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="退回时需补正的材料代码",
    )


class AssignInput(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, help_text="承办人（Staff id），null 为取消指定"
    )


class DecideInput(serializers.Serializer):
    decision = serializers.ChoiceField([("approve", "准予"), ("deny", "不予")])
    reasons = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    result = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        default=dict,
        help_text="决定内容：准予时本事项要求的结果项目（如首次办理残疾人证的残疾类别、等级），"
        "项目见 GET …/decision-fields/",
    )


class SuspendInput(serializers.Serializer):
    kind = serializers.ChoiceField([(k, k.label) for k in PauseKind if k != PauseKind.SUPPLEMENT])
    reason = serializers.CharField(max_length=1000)
    start = serializers.DateField(required=False, help_text="开始日期（默认今天）")


class ResumeInput(serializers.Serializer):
    end = serializers.DateField(required=False, help_text="结束日期（默认今天）")


class ExtendInput(serializers.Serializer):
    workdays = serializers.IntegerField(min_value=1, max_value=60)
    reason = serializers.CharField(max_length=1000)


class ExtensionDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DeliverInput(serializers.Serializer):
    method = serializers.ChoiceField(DeliveryMethod.choices)


class VisitInput(serializers.Serializer):
    purpose = serializers.CharField(max_length=100)


class CaseFilter(serializers.Serializer):
    status = serializers.ChoiceField(CaseStatus.choices, required=False)
    warning_level = serializers.ChoiceField(WarningLevel.choices, required=False)
    department = serializers.CharField(max_length=16, required=False, help_text="承办部门代码")
    item = serializers.CharField(max_length=40, required=False, help_text="事项编码")
    centre = serializers.CharField(max_length=40, required=False, help_text="受理单位编码")
    channel = serializers.ChoiceField(IntakeChannel.choices, required=False)
    last4 = serializers.RegexField(
        r"^[0-9A-Za-z]{4}$", required=False, help_text="申请人证件号码后四位"
    )
    bundle = serializers.CharField(max_length=20, required=False, help_text="联办编号")


class PeriodFilter(serializers.Serializer):
    period = serializers.CharField(
        required=False, help_text="统计期：月 YYYY-MM、季度 YYYY-Qn 或年度 YYYY（默认本月）"
    )
