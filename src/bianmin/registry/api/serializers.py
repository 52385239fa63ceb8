"""Shapes of the registry API. Output serializers never expose a full ID number: people carry
`id_number_masked` and a masked phone; only the reveal endpoint answers with the number.

Input serializers check types only. Whether a number, code or division is valid, and every
other rule, is the services' to say, so the API, the pages and imports judge alike.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bianmin.registry.api.common import attach_tags, visible_tag_list
from bianmin.registry.models import (
    Division,
    Grid,
    Household,
    LifeStatus,
    Organisation,
    Person,
    Relationship,
    ResidenceType,
    Sex,
    Tag,
)
from bianmin.registry.models.people import HouseholdType
from bianmin.registry.queries import derived_tags_for

# Loose type checks for codes; whether the code exists is the services' question.
DIVISION_CODE = r"^\d{2,12}$"
GRID_CODE = r"^\d{14}$"

# --- Output ---------------------------------------------------------------------------------


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["code", "name", "category", "derived"]


class DivisionBriefSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind_label", help_text="省级/地级/县级/街道/乡镇/社区/村")

    class Meta:
        model = Division
        fields = ["code", "name", "level", "kind"]


class DivisionSerializer(DivisionBriefSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True)
    children = DivisionBriefSerializer(many=True)

    class Meta(DivisionBriefSerializer.Meta):
        fields = ["code", "prefix", "name", "full_name", "level", "kind", "parent", "children"]


class HouseholdBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number"]


def _label(field: str) -> str:
    return Person._meta.get_field(field).verbose_name


def _tag_dict(tag: Tag) -> dict:
    return {"code": tag.code, "name": tag.name, "category": tag.category, "derived": tag.derived}


class PersonSerializer(serializers.Serializer):
    """A person as every endpoint returns them (masked). Tags are the visible attached tags plus
    the age tags derived from the birth date."""

    # Declared field by field rather than as a ModelSerializer: the look-up must answer in a
    # few milliseconds, and a ModelSerializer re-derives its fields from the model on every use.

    id = serializers.IntegerField()
    id_number_masked = serializers.CharField(source="id_masked", help_text="身份证号（脱敏）")
    name = serializers.CharField(label=_label("name"))
    sex = serializers.ChoiceField(Sex.choices, label=_label("sex"))
    sex_display = serializers.CharField(source="get_sex_display")
    birth_date = serializers.DateField(label=_label("birth_date"))
    age = serializers.IntegerField()
    ethnicity = serializers.CharField(label=_label("ethnicity"))
    phone = serializers.CharField(
        source="phone_masked", help_text="手机号（脱敏）", label=_label("phone")
    )
    registered_division = serializers.CharField(
        source="registered_division_id", allow_null=True, label=_label("registered_division")
    )
    registered_division_name = serializers.CharField(
        source="registered_division.full_name", allow_null=True
    )
    registered_address = serializers.CharField(label=_label("registered_address"))
    residence_division = serializers.CharField(
        source="residence_division_id", allow_null=True, label=_label("residence_division")
    )
    residence_division_name = serializers.CharField(
        source="residence_division.full_name", allow_null=True
    )
    grid = serializers.CharField(source="grid_id", allow_null=True, label=_label("grid"))
    grid_name = serializers.CharField(source="grid.name", allow_null=True)
    residence_address = serializers.CharField(label=_label("residence_address"))
    residence_type = serializers.ChoiceField(ResidenceType.choices, label=_label("residence_type"))
    household = HouseholdBriefSerializer(allow_null=True)
    relationship = serializers.ChoiceField(
        Relationship.choices, allow_blank=True, label=_label("relationship")
    )
    life_status = serializers.ChoiceField(LifeStatus.choices, label=_label("life_status"))
    status_date = serializers.DateField(allow_null=True, label=_label("status_date"))
    status_source = serializers.CharField(label=_label("status_source"))
    area_code = serializers.CharField(
        help_text="管辖区划（网格或村社区代码）", label=_label("area_code")
    )
    tags = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(label=_label("created_at"))
    updated_at = serializers.DateTimeField(label=_label("updated_at"))

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, person: Person) -> list[dict]:
        if getattr(person, "attached_tags", None) is None:
            attach_tags([person])
        derived = [t for t in visible_tag_list() if t.derived]
        return [_tag_dict(t) for t in derived_tags_for(person, derived) + person.attached_tags]


class PersonBriefSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.CharField(source="id_masked")
    age = serializers.IntegerField()

    class Meta:
        model = Person
        fields = ["id", "id_number_masked", "name", "sex", "age", "relationship", "life_status"]
        read_only_fields = fields


class RevealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField(help_text="完整身份证号码（仅此接口返回，已审计）")


class PersonTagSerializer(serializers.Serializer):
    tag = TagSerializer()
    since = serializers.DateField(allow_null=True)
    source = serializers.CharField()


class OrganisationSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", allow_null=True)
    division_name = serializers.CharField(source="division.full_name", allow_null=True)
    legal_rep = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "credit_code",
            "name",
            "registrar",
            "org_category",
            "status",
            "division",
            "division_name",
            "address",
            "phone",
            "established",
            "legal_rep",
            "area_code",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonBriefSerializer(allow_null=True))
    def get_legal_rep(self, org: Organisation) -> dict | None:
        rep = org.legal_rep
        if rep is None:
            return None
        return {"id": rep.pk, "name": rep.name, "id_number_masked": rep.id_masked}


class GridSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = Grid
        fields = ["code", "name", "community", "community_name", "households_served"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    division_name = serializers.CharField(source="division.full_name")
    grid = serializers.CharField(source="grid_id", allow_null=True)
    member_count = serializers.IntegerField(help_text="户内人数")

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "household_type",
            "division",
            "division_name",
            "grid",
            "address",
            "area_code",
            "member_count",
            "created_at",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    members = PersonBriefSerializer(many=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


# --- Input ----------------------------------------------------------------------------------


def _optional(**kw) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, **kw)


def _optional_code(pattern: str, help_text: str) -> serializers.RegexField:
    return serializers.RegexField(
        pattern, required=False, allow_blank=True, allow_null=True, help_text=help_text
    )


class PersonCreateSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=32, help_text="18位身份证号码或15位旧号码（升级为18位保存）"
    )
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, help_text="11位手机号码")
    ethnicity = _optional(max_length=20)
    registered_division = _optional_code(DIVISION_CODE, "户籍地区划代码（任一官方写法）")
    registered_address = _optional(max_length=200)
    residence_division = _optional_code(DIVISION_CODE, "现居住村（社区）12位代码")
    grid = _optional_code(GRID_CODE, "现居住网格14位编码")
    residence_address = _optional(max_length=200)
    residence_type = serializers.ChoiceField(ResidenceType.choices, required=False)


class PersonUpdateSerializer(serializers.Serializer):
    """Fields that may change. Identity fields (ID number, birth date, sex) are refused by the
    service, which is also where an unknown field is reported."""

    name = serializers.CharField(required=False, max_length=50)
    phone = serializers.CharField(required=False, max_length=20)
    ethnicity = _optional(max_length=20)
    registered_address = _optional(max_length=200)
    residence_address = _optional(max_length=200)
    residence_type = serializers.ChoiceField(ResidenceType.choices, required=False)
    relationship = serializers.ChoiceField(Relationship.choices, required=False, allow_blank=True)
    residence_division = _optional_code(DIVISION_CODE, "现居住村（社区）代码")
    grid = _optional_code(GRID_CODE, "现居住网格编码；传空值表示移出网格")


class PersonFilterSerializer(serializers.Serializer):
    """Query parameters of the people list (all optional, combined with AND)."""

    q = _optional(help_text="姓名、拼音首字母、证件号后四位或手机号尾号")
    name = _optional(help_text="姓名（包含）")
    initials = serializers.RegexField(
        r"^[A-Za-z]{1,20}$", required=False, help_text="姓名拼音首字母，如 zw"
    )
    last4 = serializers.RegexField(
        r"^\d{0,3}[\dXx]$", required=False, help_text="身份证号后四位（或其尾部）"
    )
    grid = serializers.RegexField(GRID_CODE, required=False, help_text="网格编码")
    area = serializers.RegexField(r"^\d{2,14}$", required=False, help_text="区划代码前缀")
    tag = serializers.SlugField(required=False, help_text="标签代码，见 /api/v1/tags/")
    life_status = serializers.ChoiceField(LifeStatus.choices, required=False)
    residence_type = serializers.ChoiceField(ResidenceType.choices, required=False)


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32, help_text="完整身份证号码，18位或15位")
    purpose = _optional(max_length=200, help_text="查询事由（记入审计日志）")


class PurposeSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=200, allow_blank=True, help_text="查看事由")


class LifeStatusSerializer(serializers.Serializer):
    life_status = serializers.ChoiceField(LifeStatus.choices)
    date = serializers.DateField()
    source = serializers.CharField(max_length=100, allow_blank=True, help_text="信息来源")


class TagAddSerializer(serializers.Serializer):
    tag = serializers.SlugField(help_text="标签代码")
    since = serializers.DateField(required=False, allow_null=True)
    source = _optional(max_length=100)


class OrganisationCreateSerializer(serializers.Serializer):
    credit_code = serializers.CharField(max_length=32, help_text="18位统一社会信用代码")
    name = serializers.CharField(max_length=200)
    division = _optional_code(DIVISION_CODE, "住所所在区划代码（至少到县级）")
    address = _optional(max_length=200)
    phone = _optional(max_length=20)
    legal_rep_id_number = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="法定代表人身份证号码（须已在人口库；不会在响应中返回）",
    )
    established = serializers.DateField(required=False, allow_null=True)


class OrganisationFilterSerializer(serializers.Serializer):
    name = _optional(help_text="名称（包含）")
    credit_code = _optional(help_text="统一社会信用代码（前缀）")
    org_category = _optional(help_text="机构类别，如 企业、个体工商户")
    area = serializers.RegexField(r"^\d{2,14}$", required=False, help_text="区划代码前缀")


class HouseholdCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, help_text="户号")
    division = serializers.RegexField(DIVISION_CODE, help_text="户籍地村（社区）代码")
    address = _optional(max_length=200)
    grid = _optional_code(GRID_CODE, "所属网格编码")
    household_type = serializers.ChoiceField(HouseholdType.choices, required=False)


class MemberAddSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="人员 id")
    relationship = serializers.ChoiceField(Relationship.choices)


class GridFilterSerializer(serializers.Serializer):
    community = serializers.RegexField(
        DIVISION_CODE, required=False, help_text="村（社区）代码（12位或9+3位写法）"
    )
