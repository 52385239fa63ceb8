"""What the evaluation API takes and answers. Shapes only: every rule is in the services.

Choice fields appear only in inputs (one component each); answers carry the stored value as a
string plus its `*_display` label, so no choice set is shared between components."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bianmin.evaluation.models import (
    ComplaintSubject,
    RatingChannel,
)

# --- inputs ---------------------------------------------------------------------------------


class StaffScoreInput(serializers.Serializer):
    staff = serializers.IntegerField(help_text="工作人员ID（受理或送达该办件的窗口人员）")
    level = serializers.IntegerField(min_value=1, max_value=5)


class RatingInput(serializers.Serializer):
    case_no = serializers.CharField(max_length=20)
    level = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text="5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="不满意、非常不满意时必填"
    )
    # A plain string (checked by the service): a choice set under the shared name "channel"
    # would collide with the cases API's enum in the schema.
    channel = serializers.CharField(
        default=RatingChannel.WINDOW_DEVICE,
        help_text="window_device 窗口评价器（缺省）、portal 网上、sms 短信",
    )
    applicant_id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="窗口评价器读取的申请人身份证号码（代办员代为评价时不需要）；不会回显",
    )
    staff = StaffScoreInput(
        many=True, required=False, default=list, help_text="分别评价窗口人员（缺省按总体评价）"
    )


class NotesInput(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, default="")


class VerifyInput(NotesInput):
    founded = serializers.BooleanField(help_text="核实属实（否：不属实，直接答复说明）")


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, help_text="答复内容，以短信发送给申请人")


class FeedbackInput(NotesInput):
    satisfied = serializers.BooleanField(
        allow_null=True,
        help_text="回访结果：true 满意、false 不满意（再次整改或提级）、null 未表态",
    )


class ListFilter(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True, default="")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)


class ComplaintFilter(ListFilter):
    q = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintInput(serializers.Serializer):
    channel = serializers.CharField(help_text="portal 网上投诉、phone 电话投诉、window 窗口投诉")
    complainant_name = serializers.CharField(max_length=100)
    complainant_phone = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="用于答复；只以脱敏形式回显"
    )
    complainant_id_number = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True
    )
    subject_kind = serializers.ChoiceField(ComplaintSubject.choices)
    case_no = serializers.CharField(required=False, allow_blank=True, default="")
    staff = serializers.IntegerField(required=False, allow_null=True, default=None)
    org_unit = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField()


class MonthQuery(serializers.Serializer):
    month = serializers.CharField(required=False, help_text="YYYY-MM，缺省为本月")


class PeriodQuery(serializers.Serializer):
    period = serializers.CharField(
        required=False, help_text="统计期：月 YYYY-MM、季度 YYYY-Qn 或年度 YYYY，缺省为本月"
    )
    month = serializers.CharField(required=False, help_text="旧参数，同 period（YYYY-MM）")


# --- outputs --------------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_no = serializers.CharField(source="case.case_no")
    level = serializers.IntegerField()
    level_display = serializers.CharField(source="get_level_display")
    comment = serializers.CharField()
    channel = serializers.CharField(help_text="window_device / portal / sms")
    channel_display = serializers.CharField(source="get_channel_display")
    rater_name = serializers.CharField()
    on_behalf_by = serializers.CharField(source="agent.display_name", default=None)
    org_unit = serializers.CharField(source="org_unit_id", allow_null=True)
    department = serializers.CharField(source="department_id", allow_null=True)
    rated_at = serializers.DateTimeField()
    task = serializers.SerializerMethodField(help_text="差评整改任务ID（差评时）")

    @extend_schema_field(OpenApiTypes.INT)
    def get_task(self, rating) -> int | None:
        task = getattr(rating, "task", None)
        return task.pk if task is not None else None


class LoopStepSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    action = serializers.CharField()
    action_display = serializers.CharField(source="get_action_display")
    at = serializers.DateTimeField()
    actor_name = serializers.CharField()
    notes = serializers.CharField()
    late = serializers.BooleanField()


class _LoopFields(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    round = serializers.IntegerField()
    founded = serializers.BooleanField(allow_null=True)
    satisfied = serializers.BooleanField(allow_null=True)
    org_unit = serializers.CharField(source="org_unit_id", allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", default=None)
    department = serializers.CharField(source="department_id", allow_null=True)
    opened_at = serializers.DateTimeField()
    verify_due = serializers.DateField()
    due_date = serializers.DateField()
    due_provisional = serializers.BooleanField()
    overdue = serializers.BooleanField(help_text="超期（有环节超期完成，或已过期限仍未答复）")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class RectificationTaskSerializer(_LoopFields):
    case_no = serializers.CharField(source="case.case_no")
    item_name = serializers.CharField(source="case.item.name")
    applicant_name = serializers.CharField(source="case.applicant_name")
    rating_level = serializers.IntegerField(source="rating.level")
    rating_comment = serializers.CharField(source="rating.comment")


class RectificationTaskDetailSerializer(RectificationTaskSerializer):
    steps = LoopStepSerializer(source="steps_list", many=True, help_text="办理记录")


class ComplaintSerializer(_LoopFields):
    channel = serializers.CharField(help_text="portal / phone / window")
    channel_display = serializers.CharField(source="get_channel_display")
    complainant_name = serializers.CharField()
    complainant_phone = serializers.CharField(source="phone_masked", help_text="脱敏手机号码")
    subject_kind = serializers.CharField(help_text="case / staff / org_unit / general")
    subject_display = serializers.CharField(source="get_subject_kind_display")
    case_no = serializers.CharField(source="case.case_no", default=None)
    staff_name = serializers.CharField(source="staff.display_name", default=None)
    content = serializers.CharField()


class ComplaintDetailSerializer(ComplaintSerializer):
    steps = LoopStepSerializer(source="steps_list", many=True, help_text="办理记录")


class FiguresSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="单位编码、部门代码；null = 未指定")
    name = serializers.CharField()
    unit = serializers.CharField()
    ratings = serializers.IntegerField()
    levels = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="按等级计数：[非常满意, 满意, 基本满意, 不满意, 非常不满意]",
    )
    satisfied = serializers.IntegerField(help_text="满意合计（非常满意+满意+基本满意）")
    satisfaction_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="（非常满意+满意+基本满意）/全部"
    )
    bad = serializers.IntegerField(help_text="差评（不满意+非常不满意）")
    tasks = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="按时整改率"
    )
    complaints = serializers.IntegerField()
    complaints_founded = serializers.IntegerField()
    complaints_overdue = serializers.IntegerField()
    stars = serializers.IntegerField(
        allow_null=True, help_text="星级（乡镇街道、村社区便民服务中心；样本不足为 null）"
    )


class EvaluationStatsSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="统计期（与 period 相同，保留旧字段名）")
    period = serializers.CharField(help_text="统计期：YYYY-MM、YYYY-Qn 或 YYYY")
    start = serializers.DateField()
    end = serializers.DateField()
    on = serializers.DateField(help_text="超期按该日计算")
    totals = FiguresSerializer()
    org_units = FiguresSerializer(many=True)
    staff = FiguresSerializer(many=True)
    departments = FiguresSerializer(many=True)
