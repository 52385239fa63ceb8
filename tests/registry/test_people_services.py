from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.core import crypto
from bianmin.core.audit import Actor
from bianmin.core.identifiers import id_check_char, make_citizen_id
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.core.scope import acting_in
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.models import Household, Person, Relationship
from bianmin.registry.services import people as svc
from tests import factories
from tests.conftest import BAOCHENG, TAINING, WANNIAN

pytestmark = pytest.mark.django_db
ACTOR = Actor(name="tester")


def codes(excinfo) -> set[str]:
    err = excinfo.value
    if hasattr(err, "error_dict"):
        return {e.code for errs in err.error_dict.values() for e in errs}
    return {e.code for e in err.error_list}


class TestCreatePerson:
    def test_derives_birth_date_and_sex_and_stores_only_cipher(self):
        number = make_citizen_id("420102", dt.date(1958, 3, 9), 123)
        person = svc.create_person(
            actor=ACTOR,
            id_number=number,
            name="刘建国",
            phone="139 0710 1234",
            residence_division=BAOCHENG,
        )
        person.refresh_from_db()
        assert person.birth_date == dt.date(1958, 3, 9) and person.sex == "M"
        assert person.id_masked == "420102********1233"[:14] + number[-4:]
        assert number not in {person.id_cipher, person.id_masked, person.id_hash}
        assert crypto.decrypt(person.id_cipher) == number
        assert person.name_initials == "ljg"
        assert person.phone == "13907101234"
        assert person.area_code == "420102002003"

    def test_grid_sets_area_and_community(self):
        grid = factories.grid(BAOCHENG, 2)
        person = svc.create_person(
            actor=ACTOR,
            id_number=factories.id_number(),
            name="陈静",
            phone="13800000001",
            grid=grid.code,
        )
        assert person.area_code == grid.code and person.residence_division_id == BAOCHENG

    def test_legacy_15_digit_number_is_stored_upgraded(self):
        person = svc.create_person(
            actor=ACTOR,
            id_number="110105491231002",
            name="王芳",
            phone="13800000002",
            residence_division=BAOCHENG,
        )
        assert crypto.decrypt(person.id_cipher) == "11010519491231002X"

    def test_all_errors_reported_at_once_and_nothing_written(self):
        bad = "42010219850615001" + "0"
        if id_check_char(bad[:17]) == "0":
            bad = bad[:17] + "1"
        with pytest.raises(ValidationError) as e:
            svc.create_person(
                actor=ACTOR,
                id_number=bad,
                name="",
                phone="12345",
                residence_division="420102999999",
            )
        assert codes(e) == {
            "id_number_check_digit",
            "name_required",
            "phone_format",
            "unknown_division",
        }
        assert Person.unscoped.count() == 0 and AuditEntry.objects.count() == 0

    def test_impossible_birth_date(self):
        first17 = "42010219850230001"
        with pytest.raises(ValidationError) as e:
            svc.create_person(
                actor=ACTOR,
                id_number=first17 + id_check_char(first17),
                name="张三",
                phone="13800000003",
            )
        assert codes(e) == {"id_number_birth_date"}

    def test_duplicate_is_refused_clearly(self):
        number = factories.id_number()
        svc.create_person(
            actor=ACTOR,
            id_number=number,
            name="张三",
            phone="13800000004",
            residence_division=BAOCHENG,
        )
        with pytest.raises(ValidationError) as e:
            svc.create_person(
                actor=ACTOR,
                id_number=number.lower(),
                name="张三",
                phone="13800000004",
                residence_division=TAINING,
            )
        assert codes(e) == {"duplicate_id_number"}
        assert "已登记" in str(e.value)
        assert Person.unscoped.count() == 1

    def test_residence_must_be_a_village(self):
        with pytest.raises(ValidationError) as e:
            svc.create_person(
                actor=ACTOR,
                id_number=factories.id_number(),
                name="张三",
                phone="13800000005",
                residence_division="420102",
            )
        assert codes(e) == {"division_level"}

    def test_grid_of_another_community_is_refused(self):
        grid = factories.grid(WANNIAN)
        with pytest.raises(ValidationError) as e:
            svc.create_person(
                actor=ACTOR,
                id_number=factories.id_number(),
                name="张三",
                phone="13800000006",
                residence_division=BAOCHENG,
                grid=grid.code,
            )
        assert codes(e) == {"grid_mismatch"}

    def test_creation_is_audited_without_clear_numbers(self):
        number = factories.id_number()
        person = svc.create_person(
            actor=ACTOR,
            id_number=number,
            name="赵敏",
            phone="13812340000",
            residence_division=BAOCHENG,
        )
        entry = AuditEntry.objects.get(object_type="person", object_id=str(person.pk))
        assert entry.action == AuditAction.CREATE
        assert number not in str(entry.changes) + entry.object_label
        assert "13812340000" not in str(entry.changes)


class TestScope:
    def test_worker_cannot_create_outside_area(self, baocheng_worker):
        with acting_in(scope_for(baocheng_worker)), pytest.raises(PermissionDenied):
            svc.create_person(
                actor=actor_for(baocheng_worker),
                id_number=factories.id_number(),
                name="张三",
                phone="13800000007",
                residence_division=WANNIAN,
            )
        assert Person.unscoped.count() == 0

    def test_lists_counts_and_lookups_are_cut_to_area(self, baocheng_worker, wannian_worker):
        mine = factories.person(community=BAOCHENG, name="本社区")
        other_number = factories.id_number(region="420103")
        theirs = factories.person(community=WANNIAN, name="外社区", id_number=other_number)
        with acting_in(scope_for(baocheng_worker)):
            assert list(Person.objects.all()) == [mine]
            assert Person.objects.count() == 1
            assert not Person.objects.filter(pk=theirs.pk).exists()
            with pytest.raises(PermissionDenied):
                svc.access_person(actor=actor_for(baocheng_worker), person_id=theirs.pk)
            with pytest.raises(PermissionDenied):
                svc.lookup_person(actor=actor_for(baocheng_worker), id_number=other_number)
        assert not AuditEntry.objects.filter(action="read", object_id=str(theirs.pk)).exists()

    def test_city_admin_sees_all(self, city_admin):
        factories.person(community=BAOCHENG)
        factories.person(community=WANNIAN, id_number=factories.id_number(region="420103"))
        with acting_in(scope_for(city_admin)):
            assert Person.objects.count() == 2

    def test_anonymous_scope_sees_nothing(self):
        from bianmin.core.scope import DENY_ALL

        factories.person(community=BAOCHENG)
        with acting_in(DENY_ALL):
            assert Person.objects.count() == 0


class TestReadsAndChanges:
    def test_lookup_audits_a_read(self, baocheng_worker):
        number = factories.id_number()
        person = factories.person(community=BAOCHENG, id_number=number)
        with acting_in(scope_for(baocheng_worker)):
            found = svc.lookup_person(actor=actor_for(baocheng_worker), id_number=number)
        assert found == person
        entry = AuditEntry.objects.get(action="read", object_id=str(person.pk))
        assert entry.actor_id == baocheng_worker.pk and entry.purpose == "一号查询"
        assert entry.org_unit_code == baocheng_worker.staff.org_unit_id

    def test_lookup_unknown(self):
        with pytest.raises(Person.DoesNotExist):
            svc.lookup_person(actor=ACTOR, id_number=factories.id_number())

    def test_reveal_needs_purpose_and_is_audited(self):
        number = factories.id_number()
        person = factories.person(community=BAOCHENG, id_number=number)
        with pytest.raises(ValidationError):
            svc.reveal_id_number(actor=ACTOR, person=person, purpose=" ")
        assert svc.reveal_id_number(actor=ACTOR, person=person, purpose="办理低保核对") == number
        entry = AuditEntry.objects.get(action="reveal")
        assert entry.purpose == "办理低保核对"

    def test_update_records_diff_and_refuses_identity_changes(self):
        person = factories.person(community=BAOCHENG, phone="13800000008")
        svc.update_person(actor=ACTOR, person=person, phone="13900000009", name="张伟民")
        person.refresh_from_db()
        assert person.name_initials == "zwm"
        entry = AuditEntry.objects.filter(action="update").get()
        assert entry.changes["phone"] == ["138****0008", "139****0009"]
        with pytest.raises(ValidationError):
            svc.update_person(actor=ACTOR, person=person, birth_date=dt.date(2000, 1, 1))

    def test_move_to_grid_changes_area(self):
        person = factories.person(community=BAOCHENG)
        grid = factories.grid(TAINING)
        svc.update_person(actor=ACTOR, person=person, grid=grid.code)
        person.refresh_from_db()
        assert person.area_code == grid.code and person.residence_division_id == TAINING

    def test_life_status(self):
        person = factories.person(community=BAOCHENG)
        svc.set_life_status(
            actor=ACTOR,
            person=person,
            status="deceased",
            date=dt.date(2026, 10, 3),
            source="公安户籍注销",
        )
        person.refresh_from_db()
        assert person.life_status == "deceased" and person.status_source == "公安户籍注销"
        with pytest.raises(ValidationError):
            svc.set_life_status(
                actor=ACTOR, person=person, status="deceased", date=dt.date(2099, 1, 1), source="x"
            )

    def test_tags_derived_cannot_be_typed(self):
        person = factories.person(community=BAOCHENG, birth=dt.date(1950, 1, 1))
        with pytest.raises(ValidationError):
            svc.tag_person(actor=ACTOR, person=person, tag_code="age-60")
        svc.tag_person(actor=ACTOR, person=person, tag_code="disabled", source="残联")
        svc.tag_person(actor=ACTOR, person=person, tag_code="disabled")  # idempotent
        assert list(person.tags.values_list("code", flat=True)) == ["disabled"]
        svc.untag_person(actor=ACTOR, person=person, tag_code="disabled")
        assert person.tags.count() == 0


class TestHouseholds:
    def test_household_with_one_head(self):
        household = svc.create_household(
            actor=ACTOR, number="4201020020030001", division=BAOCHENG, address="江岸区保成路1号"
        )
        head = factories.person(community=BAOCHENG, name="李强")
        wife = factories.person(community=BAOCHENG, name="王丽", male=False)
        svc.add_member(
            actor=ACTOR, household=household, person=head, relationship=Relationship.HEAD
        )
        svc.add_member(
            actor=ACTOR, household=household, person=wife, relationship=Relationship.SPOUSE
        )
        with pytest.raises(ValidationError) as e:
            svc.add_member(
                actor=ACTOR, household=household, person=wife, relationship=Relationship.HEAD
            )
        assert codes(e) == {"duplicate_head"}
        assert household.members.count() == 2

    def test_duplicate_household_number(self):
        svc.create_household(actor=ACTOR, number="H001", division=BAOCHENG)
        with pytest.raises(ValidationError) as e:
            svc.create_household(actor=ACTOR, number="H001", division=TAINING)
        assert codes(e) == {"duplicate_household"}
        assert Household.unscoped.count() == 1


class TestResidenceChanges:
    def test_clearing_the_grid_keeps_the_community(self):
        grid = factories.grid(BAOCHENG)
        person = svc.create_person(
            actor=ACTOR,
            id_number=factories.id_number(),
            name="吴梅",
            phone="13800000011",
            grid=grid.code,
        )
        svc.update_person(actor=ACTOR, person=person, grid="")
        person.refresh_from_db()
        assert person.grid is None and person.residence_division_id == BAOCHENG
        assert person.area_code == "420102002003"

    def test_moving_community_drops_the_old_grid(self):
        grid = factories.grid(BAOCHENG)
        person = svc.create_person(
            actor=ACTOR,
            id_number=factories.id_number(),
            name="吴梅",
            phone="13800000012",
            grid=grid.code,
        )
        svc.update_person(actor=ACTOR, person=person, residence_division=TAINING)
        person.refresh_from_db()
        assert person.grid is None and person.area_code == "420102002004"

    def test_household_needs_a_village(self):
        with pytest.raises(ValidationError) as e:
            svc.create_household(actor=ACTOR, number="H002", division="")
        assert codes(e) == {"division_level"}
