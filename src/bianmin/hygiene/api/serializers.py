from __future__ import annotations

from rest_framework import serializers

from bianmin.hygiene.models import Inspection, PlaceType, PlannedInspection, PublicPlace


class PlaceSerializer(serializers.ModelSerializer):
    place_type_display = serializers.CharField(source="get_place_type_display", read_only=True)
    credit_code = serializers.CharField(
        source="organisation.credit_code", default="", read_only=True
    )

    class Meta:
        model = PublicPlace
        fields = [
            "id",
            "name",
            "place_type",
            "place_type_display",
            "operator_name",
            "credit_code",
            "licence_no",
            "address",
            "area_code",
            "active",
            "grade",
            "last_inspected_on",
        ]


class PublicPlaceSerializer(serializers.ModelSerializer):
    place_type_display = serializers.CharField(source="get_place_type_display", read_only=True)

    class Meta:
        model = PublicPlace
        fields = [
            "name",
            "place_type",
            "place_type_display",
            "address",
            "licence_no",
            "grade",
            "last_inspected_on",
        ]


class PlaceInSerializer(serializers.Serializer):
    name = serializers.CharField()
    place_type = serializers.ChoiceField(choices=PlaceType.choices)
    area_code = serializers.CharField()
    address = serializers.CharField()
    credit_code = serializers.CharField(required=False, allow_blank=True, default="")
    operator_name = serializers.CharField(required=False, allow_blank=True, default="")
    licence_no = serializers.CharField(required=False, allow_blank=True, default="")


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id",
            "place",
            "inspected_on",
            "inspectors",
            "scores",
            "key_failed",
            "total",
            "grade",
            "notes",
            "rectify_by",
            "rectify_provisional",
        ]


class InspectionInSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    inspectors = serializers.CharField()
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))
    key_failed = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlanSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = PlannedInspection
        fields = ["id", "place", "place_name", "due_on", "reason", "basis_grade", "done"]


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
