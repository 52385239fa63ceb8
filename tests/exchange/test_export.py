"""The administrators' exchange lists export to Excel: the list as filtered, administrators
only, masked numbers only, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.services import lifeevents
from tests.exchange.helpers import ACTOR, family
from tests.webclient import signed_in as client_for
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
YESTERDAY_CELL = dt.datetime.combine(YESTERDAY, dt.time())  # openpyxl reads dates as datetimes
LIFE_EVENTS = "/exchange/life-events/export/"


def no_clear_numbers(rows) -> bool:
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    return not re.search(r"\d{17}[\dX]", text) and not re.search(r"1[3-9]\d{9}", text)


@pytest.fixture
def events():
    fam = family()
    lifeevents.record_death(
        actor=ACTOR, person=fam.head, died_on=YESTERDAY, source="公安推送", reference="SW001"
    )
    lifeevents.record_move(
        actor=ACTOR, person=fam.child, moved_on=YESTERDAY, source="网格员", address="保成路9号"
    )
    return fam


def test_life_events_export_is_the_filtered_list_masked_and_audited(city_admin, events):
    rows = sheet(client_for(city_admin).get(LIFE_EVENTS, {"kind": "death"}))
    note, header, *data = rows
    assert "人员变动事件" in note[0] and "city_admin" in note[0]
    assert header[:6] == ("登记时间", "事件", "人员", "身份证号", "发生日期", "信息来源")
    assert len(data) == 1
    head = events.head
    assert data[0][1:6] == ("死亡", "刘建华", head.id_masked, YESTERDAY_CELL, "公安推送")
    assert "registry.household" in data[0][7]
    assert data[0][8] == "陈桂兰"  # the spouse was told
    assert crypto.decrypt(head.id_cipher) not in str(rows)
    assert no_clear_numbers(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == city_admin.pk and entry.object_type == "life_event"
    assert entry.changes == {"count": 1, "filters": {"kind": "death"}}


def test_life_events_export_unfiltered_has_both(city_admin, events):
    rows = sheet(client_for(city_admin).get(LIFE_EVENTS))
    assert sorted(r[1] for r in rows[2:]) == ["居住地变更", "死亡"]
    assert no_clear_numbers(rows)


def test_life_events_export_for_administrators_only(baocheng_worker, events):
    assert client_for(baocheng_worker).get(LIFE_EVENTS).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_life_events_page_links_to_the_export_with_its_filter(city_admin, events):
    page = client_for(city_admin).get("/exchange/life-events/", {"kind": "move"}).content.decode()
    assert f'href="{LIFE_EVENTS}?kind=move"' in page


DEAD_LETTERS = "/exchange/dead-letters/export/"
PUSHES = "/exchange/pushes/export/"
DEATHS = "/api/v1/exchange/deaths/"


@pytest.fixture
def letters(ga):
    """Two refused deaths pushed by 公安: one with an unknown ID number, one with a bad date;
    the second is then discarded."""
    from bianmin.exchange.models import DeadLetter
    from bianmin.exchange.services import discard_dead_letter
    from tests import factories
    from tests.conftest import BAOCHENG

    number = factories.id_number(birth=dt.date(1945, 4, 4))
    person = factories.person(community=BAOCHENG, birth=dt.date(1945, 4, 4), id_number=number)
    unknown = factories.id_number(birth=dt.date(1950, 1, 1))
    ga.push(DEATHS, {"record_id": "L1", "id_number": number, "died_on": "2026-02-31"})
    ga.push(DEATHS, {"record_id": "L2", "id_number": unknown, "died_on": YESTERDAY.isoformat()})
    discard_dead_letter(
        actor=ACTOR, letter=DeadLetter.objects.get(record_id="L1"), reason="公安已撤回"
    )
    ga.push(DEATHS, {"record_id": "L3"}, **{"X-Bianmin-Signature": "forged"})
    return person, number, unknown


def test_dead_letters_export_is_the_filtered_list_masked_and_audited(city_admin, letters):
    _person, number, unknown = letters
    client = client_for(city_admin)
    rows = sheet(client.get(DEAD_LETTERS))  # unfiltered: the page's default, open letters
    note, header, *data = rows
    assert "交换待处理记录" in note[0]
    assert header[:6] == ("时间", "部门", "客户端标识", "种类", "部门记录号", "身份证号码")
    assert [r[4] for r in data] == ["L2"]
    assert data[0][5] and "*" in data[0][5] and data[0][8] == "待处理"
    everything = sheet(client.get(DEAD_LETTERS, {"status": ""}))
    assert sorted(r[4] for r in everything[2:]) == ["L1", "L2"]
    assert number not in str(everything) and unknown not in str(everything)
    assert no_clear_numbers(rows) and no_clear_numbers(everything)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("pk").first()
    assert entry.actor_id == city_admin.pk and entry.object_type == "dead_letter"
    assert entry.changes == {"count": 1, "filters": {"status": "open"}}


def test_pushes_export_is_the_filtered_log(city_admin, letters):
    rows = sheet(client_for(city_admin).get(PUSHES, {"outcome": "accepted"}))
    note, header, *data = rows
    assert "推送日志" in note[0]
    assert header[:5] == ("时间", "部门", "客户端标识", "接口", "结果")
    assert (
        len(data) == 2 and {r[3] for r in data} == {DEATHS} and {r[4] for r in data} == {"已接收"}
    )
    everything = sheet(client_for(city_admin).get(PUSHES))
    assert len(everything) - 2 == 3 and "认证失败" in {r[4] for r in everything[2:]}
    assert no_clear_numbers(everything)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("pk").first()
    assert entry.object_type == "push_log"
    assert entry.changes == {"count": 2, "filters": {"outcome": "accepted"}}


@pytest.mark.parametrize("url", [DEAD_LETTERS, PUSHES])
def test_exchange_exports_for_administrators_only(baocheng_worker, url):
    assert client_for(baocheng_worker).get(url).status_code == 403


def test_exchange_pages_link_to_their_exports(city_admin, letters):
    client = client_for(city_admin)
    page = client.get("/exchange/dead-letters/", {"kind": "death"}).content.decode()
    assert f'href="{DEAD_LETTERS}?kind=death"' in page
    page = client.get("/exchange/pushes/", {"outcome": "accepted"}).content.decode()
    assert f'href="{PUSHES}?outcome=accepted"' in page
