"""What the cases API answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bianmin.cases.models import (
    ApplicantType,
    Case,
    CaseEvent,
    CaseStatus,
    ClockPause,
    Extension,
    IntakeChannel,
    Review,
    WarningLevel,
)

# --- output ---------------------------------------------------------------------------------


class MaterialCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    reason = serializers.CharField(help_text="一次性告知的说明")
    outcome = serializers.CharField(help_text="missing / wrong_form / shared / conditional")
    essential = serializers.BooleanField()


class CaseSummarySerializer(serializers.Serializer):
    """A list row. Declared field by field: a ModelSerializer rebuilds its fields from the
    model on every instantiation, which the intake answer cannot afford."""

    case_no = serializers.CharField()
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    item_version = serializers.IntegerField(source="item.version")
    department = serializers.CharField(source="item.department_id")
    department_name = serializers.CharField(source="item.department.name")
    status = serializers.ChoiceField(CaseStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    warning_level = serializers.ChoiceField(WarningLevel.choices)
    channel = serializers.ChoiceField(IntakeChannel.choices)
    applicant_type = serializers.ChoiceField(ApplicantType.choices)
    applicant_name = serializers.CharField()
    applicant_id_masked = serializers.CharField(help_text="脱敏证件号码（法人为信用代码）")
    org_unit = serializers.CharField(source="org_unit_id", allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", default=None)
    submitted_at = serializers.DateTimeField()
    accepted_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    clock_paused = serializers.BooleanField()
    visit_count = serializers.IntegerField()


class IntakeResultSerializer(serializers.Serializer):
    case_no = serializers.CharField(help_text="办件编号；多证联办时为联办编号（LB…）")
    kind = serializers.ChoiceField([("case", "单事项"), ("bundle", "多证联办")])
    status = serializers.CharField(
        help_text="accepted / in_review（已受理）、returned（补正）、submitted（网上申报待预审）"
    )
    missing_materials = MaterialCheckSerializer(
        many=True,
        help_text="一次性告知：缺少或不符合要求的全部材料（未能共享获取的，reason 写明原因）",
    )
    shared_materials = MaterialCheckSerializer(
        many=True, help_text="通过数据共享获取，无需提交（reason 为来源）"
    )
    conditional_materials = MaterialCheckSerializer(many=True)
    due_date = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    cases = CaseSummarySerializer(many=True, help_text="多证联办时各事项的办件")


class PrecheckResultSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    complete = serializers.BooleanField()
    deficiency_possible = serializers.BooleanField(help_text="可容缺受理")
    missing_materials = MaterialCheckSerializer(many=True)
    shared_materials = MaterialCheckSerializer(many=True)
    conditional_materials = MaterialCheckSerializer(many=True)
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="申请人不符合的受理条件"
    )


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "at",
            "action",
            "action_display",
            "from_status",
            "to_status",
            "actor_name",
            "org_unit_code",
            "reason",
            "data",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")
    assignee_name = serializers.CharField(source="assignee.display_name", default=None)
    acted_by_name = serializers.CharField(source="acted_by.display_name", default=None)

    class Meta:
        model = Review
        fields = [
            "id",
            "name",
            "department",
            "department_name",
            "parallel_group",
            "status",
            "assignee",
            "assignee_name",
            "opened_at",
            "acted_by_name",
            "acted_at",
            "opinion",
        ]
        read_only_fields = fields


class PauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClockPause
        fields = ["id", "kind", "reason", "started_on", "ended_on", "workdays", "counts"]
        read_only_fields = fields


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by_name = serializers.CharField(source="requested_by.display_name")
    approver_name = serializers.CharField(source="approver.display_name", default=None)

    class Meta:
        model = Extension
        fields = [
            "id",
            "workdays",
            "reason",
            "status",
            "requested_by_name",
            "requested_at",
            "approver_name",
            "decided_at",
            "note",
            "due_before",
            "due_after",
        ]
        read_only_fields = fields


class MaterialStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    requirement = serializers.CharField()
    form = serializers.CharField()
    source = serializers.CharField(
        help_text="submitted 已提交 / shared 数据共享获取 / pledged 容缺待补 / missing 缺少 / "
        "conditional 情形必要 / optional 非必要 / wrong_form 形式不符"
    )
    received_at = serializers.DateTimeField(allow_null=True)


class PledgeSerializer(serializers.Serializer):
    materials = serializers.ListField(child=serializers.DictField())
    due_date = serializers.DateField()
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class CaseDetailSerializer(CaseSummarySerializer):
    bundle_no = serializers.CharField(source="bundle_application.bundle_no", default=None)
    agent_name = serializers.CharField(source="agent.display_name", default=None)
    consent_method = serializers.CharField(help_text="代办委托方式（written / sms）")
    consent_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    promised_days = serializers.IntegerField(help_text="承诺办结时限（工作日）")
    paused_workdays = serializers.IntegerField(help_text="暂停计时累计工作日")
    extended_workdays = serializers.IntegerField(help_text="批准延期累计工作日")
    decision = serializers.CharField(help_text="approved / denied；未决定为空")
    decision_reasons = serializers.CharField()
    decision_result = serializers.DictField(
        child=serializers.CharField(), help_text="决定内容（如残疾类别、等级）；无则为空对象"
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    delivery_method = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    max_visits = serializers.IntegerField(source="item.max_visits")
    materials = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, source="reviews_list")
    pauses = PauseSerializer(many=True, source="pauses_list")
    extensions = ExtensionSerializer(many=True, source="extensions_list")
    pledge = serializers.SerializerMethodField()
    history = EventSerializer(many=True, source="history_list")

    @extend_schema_field(MaterialStatusSerializer(many=True))
    def get_materials(self, case: Case) -> list[dict[str, Any]]:
        return MaterialStatusSerializer(case.materials_list, many=True).data

    @extend_schema_field(PledgeSerializer(allow_null=True))
    def get_pledge(self, case: Case) -> dict[str, Any] | None:
        return case.pledge_data


class SupervisionRowSerializer(serializers.Serializer):
    running = serializers.IntegerField(help_text="在办（已受理未办结）")
    green = serializers.IntegerField()
    yellow = serializers.IntegerField(help_text="黄灯预警")
    red = serializers.IntegerField(help_text="红灯超期")
    closed = serializers.IntegerField(help_text="期间内办结")
    closed_on_time = serializers.IntegerField(help_text="期间内按时办结")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按时办结率")


class DepartmentRowSerializer(SupervisionRowSerializer):
    department = serializers.CharField()
    department_name = serializers.CharField()


class CentreRowSerializer(SupervisionRowSerializer):
    centre = serializers.CharField(allow_null=True)
    centre_name = serializers.CharField(allow_null=True)


class SupervisionSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="统计期：YYYY-MM、YYYY-Qn 或 YYYY")
    start = serializers.DateField()
    end = serializers.DateField()
    by_department = DepartmentRowSerializer(many=True)
    by_centre = CentreRowSerializer(many=True)
    on_time = serializers.DictField(child=serializers.FloatField(allow_null=True))
    over_max_visits = serializers.IntegerField(help_text="到现场次数超过事项上限的办件")
    pledges_overdue = serializers.IntegerField(help_text="逾期未补交的容缺承诺")
    awaiting_precheck = serializers.IntegerField(help_text="待预审（网上申报、补正后待受理）")


class MyReviewSerializer(serializers.ModelSerializer):
    case_no = serializers.CharField(source="case.case_no")
    item_name = serializers.CharField(source="case.item.name")
    applicant_name = serializers.CharField(source="case.applicant_name")
    due_date = serializers.DateField(source="case.due_date")
    warning_level = serializers.CharField(source="case.warning_level")
    department_name = serializers.CharField(source="department.name")
    assignee_name = serializers.CharField(source="assignee.display_name", default=None)
    standing_in = serializers.BooleanField(help_text="B岗代办（A岗缺岗）")

    class Meta:
        model = Review
        fields = [
            "id",
            "case_no",
            "item_name",
            "applicant_name",
            "name",
            "department",
            "department_name",
            "assignee_name",
            "standing_in",
            "due_date",
            "warning_level",
        ]
        read_only_fields = fields


class ResultFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(["text", "date", "choice"])
    choices = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    initial = serializers.CharField(help_text="登记信息中的建议值（如换领时上次证照所载）")
