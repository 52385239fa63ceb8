from __future__ import annotations

from rest_framework import serializers

from bianmin.ratings.models import Inspection, MonthlyRating, SelfAssessment, YearNotice


class MonthlyRatingSerializer(serializers.ModelSerializer):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = MonthlyRating
        fields = [
            "id",
            "centre",
            "centre_name",
            "area_code",
            "month",
            "scores",
            "sources",
            "total",
            "stars",
            "computed_at",
            "published_at",
            "locked",
        ]


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField()


class SelfAssessmentInSerializer(serializers.Serializer):
    centre = serializers.CharField()
    month = serializers.CharField()
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))
    notes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class SelfAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfAssessment
        fields = ["id", "centre", "month", "scores", "notes", "submitted_by", "submitted_at"]


class CentreInspectionInSerializer(serializers.Serializer):
    centre = serializers.CharField()
    inspected_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=Inspection.Mode.choices)
    supervisor = serializers.CharField()
    findings = serializers.CharField()
    deductions = serializers.DictField(child=serializers.CharField(allow_blank=True))


class CentreInspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id",
            "centre",
            "inspected_on",
            "mode",
            "supervisor",
            "findings",
            "deductions",
            "recorded_at",
        ]


class YearRowSerializer(serializers.Serializer):
    centre_id = serializers.CharField()
    centre_name = serializers.CharField()
    area_code = serializers.CharField()
    months = serializers.IntegerField()
    five_star = serializers.IntegerField()
    below_five = serializers.IntegerField()


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = YearNotice
        fields = [
            "id",
            "centre",
            "year",
            "kind",
            "months",
            "issued_on",
            "deadline",
            "deadline_provisional",
            "status",
            "follow_up",
            "closed_on",
        ]


class FollowUpSerializer(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
