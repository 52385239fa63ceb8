"""A family doctor's day in a real browser: 今日随访 from the sidebar, the hypertension visit
form, an impossible blood pressure refused beside its field with nothing saved, the corrected
visit filed on the record, then the indicators page with the street's communities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.health.models import HealthCheck, Institution, InstitutionLevel
from bianmin.health.programs import ensure_programs
from bianmin.health.services import records
from bianmin.programs.models import Program, Visit
from bianmin.programs.services import enrol
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG, DAZHI_STREET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = Actor(name="pytest")


@pytest.fixture
def hypertensive():
    doctor = factories.staff("ys_dazhi", role="doctor", division=DAZHI_STREET, department="WJ")
    unit = doctor.staff.org_unit
    centre = Institution.objects.create(
        org_unit=unit, level=InstitutionLevel.TOWNSHIP, area_code=unit.division.prefix
    )
    person = factories.person(community=BAOCHENG, name="刘建华", birth=dt.date(1958, 9, 12))
    record = records.open_record(
        actor=SYSTEM, person=person, institution=centre, opened_on=dt.date(2024, 3, 1)
    )
    records.add_condition(
        actor=SYSTEM, record=record, icd10="I10", name="原发性高血压", onset_on=dt.date(2021, 5, 1)
    )
    ensure_programs(actor=SYSTEM)
    enrol(
        actor=SYSTEM,
        program=Program.objects.get(code="health-hypertension"),
        person=person,
        enrolled_on=timezone.localdate() - dt.timedelta(days=45),
    )
    return record


def test_doctor_records_a_follow_up_and_reads_indicators(page, hypertensive):
    sign_in(page, "ys_dazhi")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="今日随访").click()
    page.wait_for_url("**/health/")
    assert "刘建华" in page.content() and "逾期" in page.content()
    page.get_by_role("link", name="登记随访").first.click()
    page.wait_for_url("**/visit/health-hypertension/")
    page.get_by_label("随访方式").select_option("clinic")
    page.get_by_label("收缩压 (mmHg)").fill("400")
    page.get_by_label("舒张压 (mmHg)").fill("95")
    page.get_by_label("此次随访分类").select_option("poor")
    page.get_by_label("转归").select_option("continue")
    page.get_by_role("button", name="保存随访").click()
    page.locator(".has-error").first.wait_for()
    assert "400" in page.locator(".has-error").first.inner_text()
    assert not Visit.objects.exists() and not HealthCheck.objects.exists()
    shoot(page, "health-visit-refused")
    page.get_by_label("收缩压 (mmHg)").fill("152")
    page.get_by_role("button", name="保存随访").click()
    page.wait_for_url(f"**/health/records/{hypertensive.record_code}/")
    assert "随访已登记" in page.content() and "152/95" in page.content()
    assert HealthCheck.objects.get().program_visit_id == Visit.objects.get().pk
    shoot(page, "health-record")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="健康档案指标").click()
    page.wait_for_url("**/health/indicators/")
    assert "建档率" in page.content()
    row = page.get_by_role("row").filter(has_text="保成社区")
    assert row.get_by_role("cell").nth(1).inner_text() == "100.0%"  # 建档率: 1 of 1 resident
    shoot(page, "health-indicators")
