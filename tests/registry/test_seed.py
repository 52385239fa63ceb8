"""`bianmin seed` builds a demo city whose data agree with themselves and with the standards;
`bianmin demo_logins` tells a newcomer how to get in.

The city is seeded once for the class below (200 people) inside a transaction that is rolled
back when the class is done, so no other test sees it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from bianmin.core import crypto
from bianmin.core.identifiers import normalize_mobile, parse_citizen_id, parse_credit_code
from bianmin.core.masking import mask_id_number
from bianmin.core.models import AuditEntry
from bianmin.core.scope import acting_in
from bianmin.registry.access import scope_for
from bianmin.registry.demo.city import grid_places_in, people_plan, reference_date
from bianmin.registry.demo.staff import DEMO_PASSWORD, demo_accounts
from bianmin.registry.models import (
    Division,
    DivisionLevel,
    Grid,
    Household,
    LifeStatus,
    Organisation,
    OrgUnit,
    Person,
    PersonTag,
    Relationship,
    ResidenceType,
    Role,
    Staff,
    Tag,
)
from bianmin.registry.naming import initials
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, JIANGHAN, TAINING, WANNIAN

PEOPLE = 200
SEED = 7
R = Relationship


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", people=PEOPLE, seed=SEED, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def city(seeded, db):
    return seeded


def _reference() -> dt.date:
    return reference_date(timezone.localdate())


def _age(person: Person) -> int:
    return person.age_on(_reference())


class TestSeededCity:
    def test_seed_reports_what_it_built(self, city):
        assert f"{PEOPLE} 人" in city
        assert "seed 7" in city
        # One audit entry for the whole run, not one per person.
        entries = AuditEntry.objects.filter(object_type="seed")
        assert entries.count() == 1
        assert entries.get().changes["people"] == PEOPLE

    def test_three_level_service_system_covers_the_whole_city(self, city):
        streets = Division.objects.filter(code__startswith="4201", level=DivisionLevel.TOWN).count()
        villages = Division.objects.filter(
            code__startswith="4201", level=DivisionLevel.VILLAGE
        ).count()
        assert (streets, villages) == (193, 3495)
        assert OrgUnit.objects.get(code="ZWZX-420100").name == "武汉市政务服务中心"
        assert OrgUnit.objects.filter(code__startswith="ZWZX-", division__level=3).count() == 13
        assert OrgUnit.objects.filter(code__startswith="BMZX-").count() == streets
        assert OrgUnit.objects.filter(code__startswith="BMS-").count() == villages
        # One community health centre per street (the health demo adds city hospitals above them).
        assert (
            OrgUnit.objects.filter(
                kind="health", department_id="WJ", division__level=DivisionLevel.TOWN
            ).count()
            == streets
        )
        # Department units at city level and in each of the 13 districts.
        assert OrgUnit.objects.filter(kind="dept", department_id="GA").count() == 14
        room = OrgUnit.objects.get(code=f"BMS-{BAOCHENG}")
        assert room.name == "保成社区便民服务室"
        assert room.parent_id == f"BMZX-{DAZHI_STREET}"
        assert room.parent.parent_id == f"ZWZX-{JIANGAN}"
        assert OrgUnit.objects.get(code=f"BMZX-{DAZHI_STREET}").name == "大智街道365便民服务中心"
        grades = Counter(
            OrgUnit.objects.filter(code__startswith="BMS-").values_list("grade", flat=True)
        )
        assert set(grades) == {"model", "standard", "simple"}
        assert grades["standard"] > grades["model"]
        assert not OrgUnit.objects.filter(address="").exists()
        assert not OrgUnit.objects.filter(phone="").exists()

    def test_every_community_of_the_seeded_districts_has_three_to_eight_grids(self, city):
        communities = Division.objects.filter(
            level=DivisionLevel.VILLAGE, parent__parent__code__in=[JIANGAN, JIANGHAN]
        )
        per_community = Counter(Grid.unscoped.values_list("community_id", flat=True))
        assert set(per_community) == set(communities.values_list("code", flat=True))
        assert all(3 <= n <= 8 for n in per_community.values())
        first = Grid.unscoped.get(code=f"{BAOCHENG}01")
        assert first.name == "第一网格"
        assert 200 <= first.households_served <= 600

    def test_every_id_number_is_valid_and_agrees_with_the_person(self, city):
        people = list(Person.unscoped.select_related("registered_division", "household__division"))
        assert len(people) == PEOPLE
        counties = set(
            Division.objects.filter(level=DivisionLevel.COUNTY).values_list("code", flat=True)
        )
        for p in people:
            number = crypto.decrypt(p.id_cipher)
            parsed = parse_citizen_id(number)
            assert (parsed.birth_date, parsed.sex) == (p.birth_date, p.sex)
            assert p.id_hash == crypto.lookup_hash(number)
            assert (p.id_masked, p.id_last4) == (mask_id_number(number), number[-4:])
            assert p.name_initials == initials(p.name) and len(p.name) >= 2
            assert normalize_mobile(p.phone) == p.phone
            assert parsed.region_code in counties
            if p.residence_type == ResidenceType.REGISTERED:
                # Registered here: the number was issued in the district of the household.
                assert p.household is not None
                assert p.registered_division_id == p.household.division_id
                assert parsed.region_code == p.household.division_id[:6]
            else:
                assert p.household is None and p.relationship == ""
                assert p.registered_division_id == parsed.region_code
            # Where the person is managed: the grid (area_code_for's first rule).
            assert p.area_code == p.grid_id
            assert p.grid_id.startswith(p.residence_division_id)

    def test_population_mix_is_like_a_chinese_city(self, city):
        people = list(Person.unscoped.all())
        over_60 = sum(_age(p) >= 60 for p in people) / len(people)
        assert 0.10 <= over_60 <= 0.35
        types = Counter(p.residence_type for p in people)
        assert types[ResidenceType.REGISTERED] / len(people) >= 0.5
        assert types[ResidenceType.RESIDENT] and types[ResidenceType.FLOATING]
        # Only the districts chosen get people, and only in the preferred streets first.
        assert {p.area_code[:6] for p in people} == {JIANGAN, JIANGHAN}
        assert Person.unscoped.filter(grid__community_id__in=[BAOCHENG, TAINING, WANNIAN]).exists()
        for p in Person.unscoped.exclude(life_status=LifeStatus.ALIVE):
            assert p.status_source and p.birth_date <= p.status_date <= timezone.localdate()

    def test_households_have_one_head_and_plausible_ages(self, city):
        members = defaultdict(list)
        for p in Person.unscoped.filter(household__isnull=False):
            members[p.household_id].append(p)
        assert set(members) == set(Household.unscoped.values_list("pk", flat=True))
        for household in Household.unscoped.all():
            people = members[household.pk]
            heads = [p for p in people if p.relationship == R.HEAD]
            assert len(heads) == 1, household.number
            head = heads[0]
            assert _age(head) >= 18
            assert household.area_code == household.grid_id
            assert {p.grid_id for p in people} == {household.grid_id}
            spouses = [p for p in people if p.relationship == R.SPOUSE]
            assert len(spouses) <= 1
            for spouse in spouses:
                assert spouse.sex != head.sex and _age(spouse) >= 20
                assert abs(_age(spouse) - _age(head)) <= 16
            couple = [head, *spouses]
            for p in people:
                if p.relationship in {R.SON, R.DAUGHTER}:
                    assert p.sex == ("M" if p.relationship == R.SON else "F")
                    assert all(_age(parent) - _age(p) >= 18 for parent in couple)
                elif p.relationship == R.PARENT:
                    assert _age(p) - _age(head) >= 18
                elif p.relationship == R.GRANDCHILD:
                    assert _age(head) - _age(p) >= 36

    def test_tags_at_sensible_rates_and_never_derived(self, city):
        links = list(PersonTag.objects.select_related("person"))
        assert links
        derived = set(Tag.objects.filter(derived=True).values_list("code", flat=True))
        assert not {link.tag_id for link in links} & derived
        for link in links:
            assert link.source and link.person.birth_date <= link.since <= timezone.localdate()
            if link.tag_id == "pregnant":
                assert link.person.sex == "F"
            if link.tag_id == "left-behind-child":
                assert _age(link.person) < 16
        hypertension = Counter(link.tag_id for link in links)["hypertension"]
        assert 0 < hypertension < PEOPLE * 0.2

    def test_organisations_have_valid_credit_codes_and_real_legal_reps(self, city):
        orgs = list(Organisation.unscoped.select_related("division", "legal_rep"))
        assert len(orgs) == PEOPLE // 20
        for org in orgs:
            parsed = parse_credit_code(org.credit_code)
            assert (org.registrar, org.org_category) == (parsed.registrar, parsed.org_category)
            assert parsed.region_code == org.division_id[:6]
            assert org.area_code == org.division.prefix
            assert org.legal_rep is not None and 25 <= _age(org.legal_rep) <= 70
            assert org.address.startswith("武汉市")

    def test_staff_at_every_level_with_the_scope_of_their_unit(self, city, client):
        users = {u.username: u for u in get_user_model().objects.select_related("staff__org_unit")}
        for account in demo_accounts():
            user = users[account.username]
            assert user.staff.role == account.role
            assert scope_for(user).area_prefix == user.staff.org_unit.division.prefix
        assert scope_for(users["admin"]).area_prefix == "4201"
        assert scope_for(users["root"]).area_prefix == ""
        assert not users["admin"].is_superuser and users["root"].is_superuser
        reviewer = scope_for(users["mz_jiangan"])
        assert (reviewer.area_prefix, reviewer.department_code) == (JIANGAN, "MZ")
        assert scope_for(users["ck_dazhi"]).area_prefix == DAZHI_STREET[:9]
        doctor = scope_for(users["ys_dazhi"])
        assert (doctor.area_prefix, doctor.department_code) == (DAZHI_STREET[:9], "WJ")
        assert users["ys_dazhi"].staff.org_unit.kind == "health"
        assert users["dby_wuli"].staff.org_unit.division.name.endswith("村委会")
        # A/B posts.
        assert users["chuangkou"].staff.backup.user.username == "chuangkou_b"
        assert users["ck_dazhi"].staff.backup.user.username == "ck_dazhi_b"
        # Grid workers: the named one looks after every grid of 保成社区; every grid with
        # residents has someone.
        baocheng = users["wg_baocheng"]
        assert set(baocheng.grids.values_list("code", flat=True)) == set(
            Grid.unscoped.filter(community_id=BAOCHENG).values_list("code", flat=True)
        )
        lived_in = set(Person.unscoped.values_list("grid_id", flat=True))
        staffed = set(Grid.workers.through.objects.values_list("grid_id", flat=True))
        assert lived_in <= staffed
        assert Staff.objects.filter(role=Role.GRID_WORKER).count() > 3
        # The scope really cuts the register.
        with acting_in(scope_for(baocheng)):
            seen = Person.objects.count()
        assert seen == Person.unscoped.filter(area_code__startswith=BAOCHENG).count() > 0
        assert client.login(username="wg_baocheng", password=DEMO_PASSWORD)

    def test_same_seed_gives_the_same_people(self, city):
        communities = set(
            Person.unscoped.values_list("residence_division_id", flat=True).distinct()
        )
        places = grid_places_in(communities)
        today = timezone.localdate()
        first = people_plan(seed=SEED, people=PEOPLE, places=places, today=today)
        again = people_plan(seed=SEED, people=PEOPLE, places=places, today=today)
        other = people_plan(seed=SEED + 1, people=PEOPLE, places=places, today=today)
        assert first == again
        assert [p.id_number for p in first.people] != [p.id_number for p in other.people]
        # And what the command wrote is exactly that plan.
        assert set(Person.unscoped.values_list("id_hash", flat=True)) == {
            crypto.lookup_hash(p.id_number) for p in first.people
        }
        assert sorted(Person.unscoped.values_list("name", flat=True)) == sorted(
            p.name for p in first.people
        )

    def test_if_empty_leaves_an_existing_city_alone(self, city):
        before = (Person.unscoped.count(), OrgUnit.objects.count(), AuditEntry.objects.count())
        out = StringIO()
        call_command("seed", people=50, if_empty=True, stdout=out)
        assert "未做任何改动" in out.getvalue()
        assert (
            Person.unscoped.count(),
            OrgUnit.objects.count(),
            AuditEntry.objects.count(),
        ) == before
        with pytest.raises(CommandError, match="已有演示城市"):
            call_command("seed", people=50, stdout=StringIO())

    def test_demo_logins_prints_url_api_docs_and_accounts(self, city):
        out = StringIO()
        call_command("demo_logins", url="http://127.0.0.1:8000/", stdout=out)
        text = out.getvalue()
        assert "http://127.0.0.1:8000/" in text
        assert "http://127.0.0.1:8000/api/docs/" in text
        assert DEMO_PASSWORD in text
        for account in demo_accounts():
            assert account.username in text
        assert "保成社区便民服务室" in text and "grid worker" in text


@pytest.mark.django_db
def test_unknown_district_is_refused():
    # An unknown code fails before anything is written (the whole run is one transaction).
    with pytest.raises(CommandError, match="999999"):
        call_command("seed", people=10, districts="999999", stdout=StringIO())
    assert not OrgUnit.objects.filter(code="ZWZX-420100").exists()


@pytest.mark.django_db
def test_demo_logins_before_seeding_says_what_to_do():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "bianmin seed" in out.getvalue()
