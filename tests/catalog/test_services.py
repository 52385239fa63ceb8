"""Writing the catalogue: versions, validation with clear Chinese errors, audit, bundles."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bianmin.catalog.models import Bundle, ServiceItem
from bianmin.catalog.queries import get_item, item_versions
from bianmin.catalog.services import create_bundle, create_item, revise_bundle, revise_item
from bianmin.core.audit import verify_chain
from bianmin.core.models import AuditEntry
from tests.catalog.conftest import spec

pytestmark = pytest.mark.django_db


def codes_of(error: ValidationError) -> dict[str, list[str]]:
    return {f: [e.code for e in errors] for f, errors in error.error_dict.items()}


def refused(**kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        create_item(**kwargs)
    return caught.value


class TestCreate:
    def test_creates_version_one_with_materials_and_steps_in_order(self, admin_actor):
        item = create_item(actor=admin_actor, code="WJ-T01", **spec())
        assert (item.version, item.is_current, item.created_by_id) == (1, True, admin_actor.user_id)
        # Levels are kept in a fixed order (city first) whatever order they were given in.
        assert item.accept_levels == ["city", "district"]
        assert [m.code for m in item.materials.all()] == ["application", "id-card", "rules"]
        assert [(s.seq, s.parallel_group) for s in item.steps.all()] == [
            (1, 1),
            (2, 2),
            (3, 2),
            (4, 3),
        ]
        entry = AuditEntry.objects.get(object_type="service_item", object_id="WJ-T01")
        assert entry.action == "create" and entry.changes["materials"] == 3

    def test_duplicate_code_is_refused(self, admin_actor):
        create_item(actor=admin_actor, code="WJ-T01", **spec())
        e = refused(actor=admin_actor, code="WJ-T01", **spec())
        assert codes_of(e) == {"code": ["duplicate_item_code"]}
        assert "已存在" in e.message_dict["code"][0]

    @pytest.mark.parametrize("code", ["", "含中文", "A B", "x" * 41])
    def test_bad_codes(self, admin_actor, code):
        e = refused(actor=admin_actor, code=code, **spec())
        assert list(codes_of(e)) == ["code"]

    def test_unknown_field_is_a_programming_error(self, admin_actor):
        with pytest.raises(TypeError, match="promise_days"):
            create_item(actor=admin_actor, code="X-1", **spec(promise_days=3))


class TestValidation:
    """Every problem is reported at once, each with a stable code and a Chinese message."""

    def test_promised_longer_than_statutory(self, admin_actor):
        e = refused(actor=admin_actor, code="X-1", **spec(promised_limit_days=25))
        assert codes_of(e) == {"promised_limit_days": ["promised_exceeds_statutory"]}
        assert e.message_dict["promised_limit_days"] == [
            "承诺办结时限（25 个工作日）不能超过法定办结时限（20 个工作日）。"
        ]

    def test_many_problems_in_one_answer(self, admin_actor):
        materials = [
            {"code": "id-card", "name": "身份证", "form": "original"},
            {"code": "id-card", "name": "身份证复印件", "form": "copy"},
            {"code": "other", "name": "证明", "requirement": "conditional"},
            {"code": "cert", "name": "证照", "shared_source": "passport"},
        ]
        e = refused(
            actor=admin_actor,
            code="X-1",
            **spec(
                department="NOPE",
                accept_levels=["province", "town"],
                materials=materials,
                result_certificate_type="driving_licence",
                eligible_tags=["no-such-tag"],
                fee="15",
            ),
        )
        codes = codes_of(e)
        assert codes["department"] == ["department_unknown"]
        assert codes["accept_levels"] == ["accept_level_unknown"]
        assert codes["materials"] == [
            "duplicate_material_code",
            "condition_required",
            "shared_source_unknown",
        ]
        assert codes["result_certificate_type"] == ["certificate_type_unknown"]
        assert codes["eligible_tags"] == ["tag_unknown"]
        assert codes["fee_basis"] == ["fee_basis_required"]
        # Deficiency allowed, but every remaining material is essential.
        assert codes["allows_deficiency"] == ["deficiency_without_optional_material"]
        assert "未知的实施部门“NOPE”。" in e.message_dict["department"]
        assert "第 2 项材料：材料代码“id-card”重复。" in e.message_dict["materials"]
        assert "第 3 项材料为“情形必要”，请写明在什么情形下需要。" in e.message_dict["materials"]

    def test_licensing_item_needs_materials(self, admin_actor):
        e = refused(actor=admin_actor, code="X-1", **spec(materials=[], allows_deficiency=False))
        assert codes_of(e) == {"materials": ["materials_required"]}
        assert e.message_dict["materials"] == ["行政许可事项必须列明申请材料。"]
        # A public service without materials is fine (e.g. a family-doctor sign-up).
        item = create_item(
            actor=admin_actor,
            code="X-2",
            **spec(item_type="public_service", materials=[], allows_deficiency=False),
        )
        assert item.materials.count() == 0

    def test_step_groups_must_be_contiguous_and_fit_the_promise(self, admin_actor):
        steps = [
            {"name": "受理", "department": "WJ", "parallel_group": 1, "limit_days": 4},
            {"name": "审查", "department": "WJ", "parallel_group": 3, "limit_days": 8},
            {"name": "", "department": "XX", "parallel_group": 3, "kind": "approve"},
        ]
        e = refused(actor=admin_actor, code="X-1", **spec(steps=steps))
        assert codes_of(e) == {
            "steps": [
                "step_name",
                "step_kind",
                "step_department_unknown",
                "empty_step_group",
                "steps_exceed_promised",
            ]
        }
        assert "第 2 组没有办理环节：并联组须从 1 起连续编号。" in e.message_dict["steps"]
        assert (
            "各环节时限合计 12 个工作日（并联环节按最长的计），超过了承诺办结时限 10 个工作日。"
            in e.message_dict["steps"]
        )

    def test_parallel_steps_count_once(self, admin_actor):
        # 1 + max(5, 4) + 2 = 8 ≤ 10, although the four steps add up to 12.
        assert create_item(actor=admin_actor, code="X-1", **spec()).pk

    def test_no_steps_and_no_levels(self, admin_actor):
        e = refused(actor=admin_actor, code="X-1", **spec(steps=[], accept_levels=[]))
        assert codes_of(e) == {
            "accept_levels": ["accept_levels_required"],
            "steps": ["steps_required"],
        }

    def test_zero_visits_needs_online(self, admin_actor):
        e = refused(actor=admin_actor, code="X-1", **spec(max_visits=0, online=False))
        assert codes_of(e) == {"max_visits": ["zero_visits"]}

    def test_database_refuses_promised_over_statutory_too(self, admin_actor):
        item = create_item(actor=admin_actor, code="X-1", **spec())
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceItem.objects.filter(pk=item.pk).update(promised_limit_days=99)


class TestRevise:
    def test_revision_writes_v2_and_keeps_v1_for_old_cases(self, admin_actor):
        v1 = create_item(actor=admin_actor, code="WJ-T01", **spec())
        v2 = revise_item(
            actor=admin_actor,
            code="WJ-T01",
            changes={"promised_limit_days": 8, "name": "公共场所卫生许可"},
            note="承诺时限压缩到 8 个工作日",
        )
        assert (v2.version, v2.is_current, v2.promised_limit_days) == (2, True, 8)
        v1.refresh_from_db()
        # A case filed under v1 still reads v1 exactly as it was.
        assert (v1.is_current, v1.promised_limit_days, v1.name) == (False, 10, SPEC_NAME)
        old = get_item("WJ-T01", version=1)
        assert [m.code for m in old.materials.all()] == ["application", "id-card", "rules"]
        # Materials and steps were copied to v2, not moved.
        assert [m.code for m in v2.materials.all()] == ["application", "id-card", "rules"]
        assert v2.steps.count() == old.steps.count() == 4
        assert ServiceItem.objects.filter(code="WJ-T01", is_current=True).get() == v2
        assert get_item("WJ-T01") == v2
        assert [v.version for v in item_versions("WJ-T01")] == [2, 1]
        entry = AuditEntry.objects.filter(object_type="service_item", action="update").get()
        assert entry.changes["version"] == [1, 2]
        assert entry.changes["fields"]["promised_limit_days"] == [10, 8]
        assert entry.changes["materials_changed"] is False
        assert verify_chain().ok

    def test_replacing_materials_and_steps(self, admin_actor):
        create_item(actor=admin_actor, code="WJ-T01", **spec())
        v2 = revise_item(
            actor=admin_actor,
            code="WJ-T01",
            changes={"allows_deficiency": False},
            materials=[{"code": "application", "name": "申请表", "form": "original"}],
            steps=[{"name": "受理并决定", "department": "WJ", "kind": "decide"}],
            note="精简材料",
        )
        assert [m.name for m in v2.materials.all()] == ["申请表"]
        assert [s.name for s in v2.steps.all()] == ["受理并决定"]
        assert get_item("WJ-T01", version=1).materials.count() == 3

    def test_invalid_revision_writes_nothing(self, admin_actor):
        create_item(actor=admin_actor, code="WJ-T01", **spec())
        with pytest.raises(ValidationError) as caught:
            revise_item(
                actor=admin_actor,
                code="WJ-T01",
                changes={"statutory_limit_days": 5},
                note="误操作",
            )
        assert caught.value.error_dict["promised_limit_days"][0].code == (
            "promised_exceeds_statutory"
        )
        assert list(ServiceItem.objects.values_list("version", "is_current")) == [(1, True)]

    def test_note_required_and_no_empty_revisions(self, admin_actor):
        create_item(actor=admin_actor, code="WJ-T01", **spec())
        with pytest.raises(ValidationError) as caught:
            revise_item(actor=admin_actor, code="WJ-T01", changes={"name": "新名称"}, note=" ")
        assert caught.value.message_dict == {"note": ["请填写修订说明（改了什么、为什么改）。"]}
        with pytest.raises(ValidationError) as caught:
            revise_item(
                actor=admin_actor,
                code="WJ-T01",
                changes={"name": SPEC_NAME, "accept_levels": ["district", "city"]},
                note="没改什么",
            )
        assert caught.value.code == "no_changes"
        assert ServiceItem.objects.count() == 1

    def test_unknown_item(self, admin_actor):
        with pytest.raises(ServiceItem.DoesNotExist):
            revise_item(actor=admin_actor, code="NOPE", changes={"name": "x"}, note="x")

    def test_only_one_current_version_per_code(self, admin_actor):
        create_item(actor=admin_actor, code="WJ-T01", **spec())
        revise_item(actor=admin_actor, code="WJ-T01", changes={"fee_basis": "无"}, note="a")
        # The database itself refuses a second current row (two admins saving at once).
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceItem.objects.filter(code="WJ-T01", version=1).update(is_current=True)


SPEC_NAME = spec()["name"]


class TestBundles:
    @pytest.fixture
    def items(self, admin_actor):
        create_item(actor=admin_actor, code="A-1", **spec())
        create_item(actor=admin_actor, code="B-1", **spec(name="个体工商户设立登记"))

    def test_create_and_revise(self, admin_actor, items):
        bundle = create_bundle(
            actor=admin_actor, code="LB-1", name="我要开店", item_codes=["A-1", "B-1"]
        )
        assert bundle.item_codes == ["A-1", "B-1"]
        revise_bundle(actor=admin_actor, code="LB-1", changes={"is_active": False})
        assert Bundle.objects.get(code="LB-1").is_active is False
        assert AuditEntry.objects.filter(object_type="bundle").count() == 2

    def test_every_item_must_exist_and_be_current(self, admin_actor, items):
        with pytest.raises(ValidationError) as caught:
            create_bundle(actor=admin_actor, code="LB-1", name="", item_codes=["A-1", "C-9"])
        e = caught.value
        assert codes_of(e) == {"name": ["name_required"], "item_codes": ["bundle_item_unknown"]}
        assert e.message_dict["item_codes"] == ["事项“C-9”不存在或没有现行版本。"]
        with pytest.raises(ValidationError) as caught:
            create_bundle(actor=admin_actor, code="LB-1", name="x", item_codes=["A-1", "A-1"])
        assert codes_of(caught.value)["item_codes"] == [
            "bundle_item_duplicate",
            "bundle_too_few_items",
        ]
        assert not Bundle.objects.exists()

    def test_revision_is_validated_too(self, admin_actor, items):
        create_bundle(actor=admin_actor, code="LB-1", name="我要开店", item_codes=["A-1", "B-1"])
        with pytest.raises(ValidationError):
            revise_bundle(actor=admin_actor, code="LB-1", changes={"item_codes": ["A-1"]})
        with pytest.raises(Bundle.DoesNotExist):
            revise_bundle(actor=admin_actor, code="LB-9", changes={"name": "x"})
