"""Shapes of the queue API: input forms (types only; rules live in the services) and answers.
Personal numbers go out masked only."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from bianmin.core.masking import mask_phone
from bianmin.queueing.models import Appointment, AppointmentSlot, Hall, Ticket, Window


class HallSerializer(serializers.ModelSerializer):
    centre = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = Hall
        fields = ["id", "name", "org_unit", "centre", "area_code", "no_show_after", "is_active"]


class WindowSerializer(serializers.ModelSerializer):
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Window
        fields = ["id", "hall", "number", "label", "categories", "is_open", "staff", "opened_at"]

    def get_categories(self, window: Window) -> list[str]:
        # Prefetched by the list view.
        return [c.code for c in window.categories.all()]


class TicketSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    window_number = serializers.IntegerField(
        source="window.number", read_only=True, allow_null=True, default=None
    )
    appointment_reference = serializers.CharField(
        source="appointment.reference", read_only=True, allow_null=True, default=None
    )
    person_id = serializers.IntegerField(read_only=True, allow_null=True)
    case_no = serializers.CharField(
        source="case.case_no", read_only=True, allow_null=True, default=None
    )
    priority = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "hall",
            "category",
            "category_code",
            "category_name",
            "day",
            "source",
            "status",
            "status_label",
            "priority",
            "issued_at",
            "called_at",
            "last_called_at",
            "call_count",
            "serving_at",
            "done_at",
            "window",
            "window_number",
            "person_id",
            "applicant_masked",
            "appointment_reference",
            "transferred_from",
            "case_no",
        ]
        read_only_fields = fields

    def get_priority(self, ticket: Ticket) -> bool:
        return ticket.priority_at is not None


class TakeTicketSerializer(serializers.Serializer):
    category = serializers.IntegerField(help_text="业务类别 id")
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        write_only=True,
        help_text="申请人身份证号（可选；只保存索引与掩码）",
    )


class TicketFilterSerializer(serializers.Serializer):
    hall = serializers.IntegerField(required=False)
    day = serializers.DateField(required=False, help_text="默认今天")
    status = serializers.ChoiceField(
        choices=Ticket._meta.get_field("status").choices, required=False
    )


class TransferSerializer(serializers.Serializer):
    category = serializers.IntegerField(help_text="目标业务类别 id（同一大厅）")


class LinkCaseSerializer(serializers.Serializer):
    case_no = serializers.CharField(max_length=40, allow_blank=True)


class StatsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="默认今天")
    end = serializers.DateField(required=False, help_text="默认等于 start")


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


class CategoryDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    category_code = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    issued = serializers.IntegerField()
    transferred_in = serializers.IntegerField()
    served = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    waiting = serializers.IntegerField()
    avg_wait_seconds = serializers.SerializerMethodField()
    p90_wait_seconds = serializers.SerializerMethodField()
    avg_service_seconds = serializers.SerializerMethodField()

    def get_avg_wait_seconds(self, row) -> float | None:
        return _seconds(row.avg_wait)

    def get_p90_wait_seconds(self, row) -> float | None:
        return _seconds(row.p90_wait)

    def get_avg_service_seconds(self, row) -> float | None:
        return _seconds(row.avg_service)


class LiveCategorySerializer(serializers.Serializer):
    category_code = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    accepting = serializers.BooleanField(source="category.accepting")
    waiting = serializers.IntegerField(source="today.waiting")
    open_windows = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField(allow_null=True)


class HallStatsSerializer(serializers.Serializer):
    hall = HallSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    live = LiveCategorySerializer(many=True)
    days = CategoryDaySerializer(many=True)


class SlotSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = AppointmentSlot
        fields = [
            "id",
            "hall",
            "category",
            "category_code",
            "date",
            "start",
            "end",
            "capacity",
            "booked",
            "available",
        ]
        read_only_fields = fields


class SlotFilterSerializer(serializers.Serializer):
    hall = serializers.IntegerField()
    date = serializers.DateField(required=False, help_text="默认今天起")
    category = serializers.IntegerField(required=False)


class AppointmentSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="slot.category.code", read_only=True)
    start = serializers.TimeField(source="slot.start", read_only=True)
    end = serializers.TimeField(source="slot.end", read_only=True)
    phone_masked = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "reference",
            "hall",
            "slot",
            "category_code",
            "date",
            "start",
            "end",
            "name",
            "id_masked",
            "phone_masked",
            "item_code",
            "status",
            "status_label",
            "booked_at",
            "checked_in_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_phone_masked(self, appointment: Appointment) -> str:
        return mask_phone(appointment.phone)


class BookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text="预约时段 id")
    id_number = serializers.CharField(max_length=20, write_only=True, help_text="身份证号")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, write_only=True, help_text="手机号码")
    item_code = serializers.CharField(max_length=40, required=False, allow_blank=True)


class AppointmentFilterSerializer(serializers.Serializer):
    hall = serializers.IntegerField(required=False)
    date = serializers.DateField(required=False)
    status = serializers.ChoiceField(
        choices=Appointment._meta.get_field("status").choices, required=False
    )
