"""The demo halls of `bianmin seed`, the admin pages for a hall's configuration, and the
`bianmin queueing` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from bianmin.queueing import queries, services
from bianmin.queueing.demo import load_demo_queueing
from bianmin.queueing.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Hall,
    Ticket,
    TicketStatus,
)
from bianmin.registry.models import Division, OrgUnit
from tests import factories
from tests.conftest import DAZHI_STREET
from tests.queueing.conftest import MONDAY

pytestmark = pytest.mark.django_db
FRIDAY_BEFORE = dt.date(2026, 6, 12)


@pytest.fixture
def centres(db):
    for code, division, name in (
        ("ZWZX-420100", "420100", "武汉市政务服务中心"),
        (f"BMZX-{DAZHI_STREET}", DAZHI_STREET, "大智街道365便民服务中心"),
    ):
        OrgUnit.objects.create(
            code=code, name=name, kind="centre", division=Division.objects.get(code=division)
        )


def test_demo_builds_two_halls_with_slots_and_a_served_morning(centres):
    lines = []
    totals = load_demo_queueing(today=MONDAY, log=lines.append)
    assert totals["halls"] == 2 and totals["windows"] == 11
    street = Hall.objects.get(org_unit_id=f"BMZX-{DAZHI_STREET}")
    assert street.area_code == "420102002"
    assert list(street.categories.values_list("code", "name")) == [
        ("A", "社会保障"),
        ("B", "民政救助"),
        ("C", "市场准入"),
        ("D", "综合受理"),
    ]
    # Ten working days after Monday 15 June 2026; 端午 (Friday 19 June) is skipped.
    days = sorted(set(AppointmentSlot.objects.filter(hall=street).values_list("date", flat=True)))
    assert len(days) == 10 and dt.date(2026, 6, 19) not in days
    assert (days[0], days[-1]) == (dt.date(2026, 6, 16), dt.date(2026, 6, 30))
    # The morning served is the last working day before, and its figures are real numbers.
    assert set(Ticket.unscoped.values_list("day", flat=True)) == {FRIDAY_BEFORE}
    assert not Ticket.unscoped.exclude(status__in=[TicketStatus.DONE, TicketStatus.NO_SHOW])
    rows = queries.hall_stats(hall=street, start=FRIDAY_BEFORE, end=FRIDAY_BEFORE)
    assert {r.category.code for r in rows} == {"A", "B", "C", "D"}
    assert all(r.avg_wait is not None and r.p90_wait is not None for r in rows)
    assert sum(r.issued for r in rows) == 16 + 10 + 5 + 12
    assert "2 个办事大厅" in lines[0]
    # A second run adds nothing.
    assert load_demo_queueing(today=MONDAY)["halls"] == 0


def test_admin_derives_the_scope_key_from_the_centre(centres, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    r = client.post(
        "/admin/queueing/hall/add/",
        {
            "org_unit": f"BMZX-{DAZHI_STREET}",
            "name": "二楼大厅",
            "no_show_after": 3,
            "is_active": "on",
            "categories-TOTAL_FORMS": 0,
            "categories-INITIAL_FORMS": 0,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Hall.objects.get(name="二楼大厅").area_code == "420102002"
    for url in ("hall", "windowcategory", "window", "appointmentslot"):
        assert client.get(f"/admin/queueing/{url}/").status_code == 200


def test_cli_generates_slots_and_sweeps_no_shows(dazhi, clock, system_actor):
    out = StringIO()
    call_command(
        "queueing",
        "slots",
        "--hall",
        str(dazhi.hall.pk),
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-19",
        "--categories",
        "ab",
        stdout=out,
    )
    # 16–18 June are working days, 19 June is 端午: 3 days × 13 slots × 2 categories.
    assert "78" in out.getvalue() and AppointmentSlot.objects.count() == 78
    with pytest.raises(CommandError, match="2031年"):
        call_command(
            "queueing",
            "slots",
            "--hall",
            str(dazhi.hall.pk),
            "--from",
            "2031-03-03",
            "--to",
            "2031-03-04",
        )
    slot = AppointmentSlot.objects.order_by("date", "start").first()
    booked = services.book_appointment(
        actor=system_actor,
        slot=slot,
        id_number=factories.id_number(),
        name="李四",
        phone="13800002222",
    )
    clock.set(clock.at + dt.timedelta(days=2))  # Wednesday: the sweep covers Tuesday
    call_command("queueing", "sweep", stdout=out)
    assert Appointment.unscoped.get(pk=booked.pk).status == AppointmentStatus.NO_SHOW
