"""The health lists (records, referrals, contracts) export to Excel: the list as filtered, cut
to the user's area and the health department, the ID number masked, nothing clinical beyond
the list page, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.health.models import FamilyDoctorTeam
from bianmin.health.services import care
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET
from tests.webclient import signed_in as client_for
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
RECORDS, REFERRALS, CONTRACTS = (
    "/health/records/export/",
    "/health/referrals/export/",
    "/health/contracts/export/",
)


def no_clear_numbers(rows) -> bool:
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    return not re.search(r"\d{17}[\dX]", text) and not re.search(r"1[3-9]\d{9}", text)


@pytest.fixture
def care_data(record, dazhi_centre, city_hospital, system_actor):
    team = FamilyDoctorTeam.objects.create(
        institution=dazhi_centre, name="保成家庭医生一队", area_code=BAOCHENG
    )
    care.sign_contract(
        actor=system_actor,
        record=record,
        team=team,
        signed_on=dt.date(2025, 1, 6),
        package="基础包",
    )
    care.request_referral(
        actor=system_actor,
        record=record,
        from_institution=dazhi_centre,
        to_institution=city_hospital,
        reason="血压控制不佳",
        diagnosis_icd10="I10",
        requested_on=dt.date(2025, 3, 3),
    )
    return record


def test_records_export_is_the_filtered_list_masked_and_audited(dazhi_doctor, record, resident):
    rows = sheet(client_for(dazhi_doctor).get(RECORDS, {"q": "李秀"}))
    note, header, *data = rows
    assert "居民健康档案" in note[0] and "ys_dazhi" in note[0]
    assert header == (
        "档案编号",
        "姓名",
        "身份证号",
        "建档村（社区）",
        "建档日期",
        "电子档案",
        "合格档案",
        "状态",
    )
    assert [(r[0], r[1], r[2]) for r in data] == [
        (record.record_code, "李秀英", resident.id_masked)
    ]
    assert crypto.decrypt(resident.id_cipher) not in str(rows) and no_clear_numbers(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == dazhi_doctor.pk and entry.object_type == "health_record"
    assert entry.changes == {"count": 1, "filters": {"q": "李秀"}}
    assert sheet(client_for(dazhi_doctor).get(RECORDS, {"q": "张"}))[2:] == []


def test_referrals_export_is_the_filtered_list(dazhi_doctor, care_data):
    client = client_for(dazhi_doctor)
    rows = sheet(client.get(REFERRALS, {"status": "requested"}))
    assert rows[1][:4] == ("日期", "居民", "档案编号", "方向")
    assert [r[1:4] + r[6:9] for r in rows[2:]] == [
        ("李秀英", care_data.record_code, "上转", "血压控制不佳", "I10", "已申请")
    ]
    assert sheet(client.get(REFERRALS, {"status": "completed"}))[2:] == []
    assert no_clear_numbers(rows)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("pk").first()
    assert entry.object_type == "referral"
    assert entry.changes == {"count": 1, "filters": {"status": "requested"}}


def test_contracts_export(dazhi_doctor, care_data):
    rows = sheet(client_for(dazhi_doctor).get(CONTRACTS))
    assert rows[1] == ("居民", "档案编号", "签约团队", "服务包", "服务开始", "服务结束", "状态")
    assert [r[:4] + r[6:] for r in rows[2:]] == [
        ("李秀英", care_data.record_code, "保成家庭医生一队", "基础包", "履约中")
    ]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="contract").exists()


@pytest.mark.parametrize("url", [RECORDS, REFERRALS, CONTRACTS])
def test_outside_the_area_or_the_health_department_nothing_is_exported(
    minzujie_doctor, care_data, url
):
    assert sheet(client_for(minzujie_doctor).get(url))[2:] == []
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    assert sheet(client_for(clerk).get(url))[2:] == []


def test_pages_link_to_their_exports(dazhi_doctor, care_data):
    client = client_for(dazhi_doctor)
    assert f'href="{RECORDS}?q=' in client.get("/health/records/", {"q": "李"}).content.decode()
    page = client.get("/health/referrals/", {"status": "requested"}).content.decode()
    assert f'href="{REFERRALS}?status=requested"' in page
    assert f'href="{CONTRACTS}"' in client.get("/health/contracts/").content.decode()
