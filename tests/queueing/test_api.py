"""/api/v1/queue/: take, call, transitions, figures, appointments — over HTTP with a token."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core import crypto
from bianmin.queueing import services
from bianmin.queueing.models import Appointment, AppointmentSlot, Ticket
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, WANNIAN
from tests.queueing.conftest import MONDAY, NATIONAL_DAY, local

pytestmark = pytest.mark.django_db
Q = "/api/v1/queue"


@pytest.fixture
def api(clerk):
    return api_as(clerk)


@pytest.fixture
def opened(dazhi, clock, clerk_actor):
    for window in (dazhi.w1, dazhi.w2):
        services.open_window(actor=clerk_actor, window=window)
    return dazhi


class TestTickets:
    def test_take_call_serve_over_http(self, api, opened, clock):
        number = factories.id_number()
        r = api.post(f"{Q}/tickets/", {"category": opened.a.pk, "id_number": number})
        assert r.status_code == 201, r.data
        assert r.data["number"] == "A001" and r.data["status"] == "waiting"
        assert r.data["applicant_masked"] == number[:6] + "********" + number[-4:]
        assert number not in body(r)
        clock.advance(minutes=4)
        called = api.post(f"{Q}/windows/{opened.w1.pk}/call-next/")
        assert called.status_code == 200
        assert (called.data["number"], called.data["window_number"]) == ("A001", 1)
        busy = api.post(f"{Q}/windows/{opened.w1.pk}/call-next/")
        assert busy.status_code == 400 and busy.data["code"] == "window_busy"
        tid = called.data["id"]
        assert api.post(f"{Q}/tickets/{tid}/recall/").data["call_count"] == 2
        assert api.post(f"{Q}/tickets/{tid}/start/").data["status"] == "serving"
        no_show = api.post(f"{Q}/tickets/{tid}/no-show/")
        assert no_show.status_code == 400 and no_show.data["code"] == "invalid_transition"
        assert no_show.data["detail"] == "A001号当前为“办理中”，不能记为过号。"
        done = api.post(f"{Q}/tickets/{tid}/finish/")
        assert done.data["status"] == "done" and done.data["status_label"] == "已办结"
        empty = api.post(f"{Q}/windows/{opened.w1.pk}/call-next/")
        assert empty.status_code == 400 and empty.data["code"] == "no_waiting_ticket"

    def test_transfer_and_list(self, api, opened, clock):
        api.post(f"{Q}/tickets/", {"category": opened.a.pk})
        tid = api.post(f"{Q}/windows/{opened.w1.pk}/call-next/").data["id"]
        moved = api.post(f"{Q}/tickets/{tid}/transfer/", {"category": opened.b.pk})
        assert moved.status_code == 200 and moved.data["number"] == "B001"
        assert moved.data["transferred_from"] == tid
        listed = api.get(f"{Q}/tickets/", {"hall": opened.hall.pk})
        assert [(t["number"], t["status"]) for t in listed.data["results"]] == [
            ("A001", "transferred"),
            ("B001", "waiting"),
        ]
        bad = api.post(f"{Q}/tickets/{tid}/transfer/", {"category": 999999})
        assert bad.status_code == 400 and bad.data["code"] == "unknown_category"

    def test_closed_category_and_unknown_ticket(self, api, opened, clock, clerk_actor):
        services.set_category_accepting(actor=clerk_actor, category=opened.c, accepting=False)
        r = api.post(f"{Q}/tickets/", {"category": opened.c.pk})
        assert r.status_code == 400 and r.data == {
            "detail": "“C 市场准入”暂停取号。",
            "code": "category_closed",
        }
        assert api.get(f"{Q}/tickets/999999/").status_code == 404

    def test_list_is_cut_to_the_area_and_outsiders_cannot_act(self, api, opened, clock):
        api.post(f"{Q}/tickets/", {"category": opened.a.pk})
        outsider = api_as(factories.staff("wannian_clerk", role="clerk", division=WANNIAN))
        assert outsider.get(f"{Q}/tickets/").data["results"] == []
        assert outsider.get(f"{Q}/halls/").data["results"] == []
        r = outsider.post(f"{Q}/windows/{opened.w1.pk}/call-next/")
        assert r.status_code == 403 and r.data["code"] == "out_of_scope"
        r = outsider.post(f"{Q}/tickets/", {"category": opened.a.pk})
        assert r.status_code == 403
        assert Ticket.unscoped.count() == 1

    def test_list_has_no_n_plus_one(self, api, opened, clock, django_assert_max_num_queries):
        for cat in (opened.a, opened.b, opened.a, opened.d, opened.a):
            api.post(f"{Q}/tickets/", {"category": cat.pk})
        api.post(f"{Q}/windows/{opened.w1.pk}/call-next/")
        # Token + staff look-up, the count and one page query, however many tickets.
        with django_assert_max_num_queries(4):
            r = api.get(f"{Q}/tickets/")
        assert r.data["count"] == 5


class TestStats:
    def test_figures_over_http(self, api, opened, clock, clerk_actor):
        clock.set(local(MONDAY, 9, 0))
        api.post(f"{Q}/tickets/", {"category": opened.a.pk})
        clock.set(local(MONDAY, 9, 3))
        api.post(f"{Q}/tickets/", {"category": opened.a.pk})
        clock.set(local(MONDAY, 9, 5))
        first = api.post(f"{Q}/windows/{opened.w1.pk}/call-next/").data
        clock.set(local(MONDAY, 9, 9))
        api.post(f"{Q}/tickets/{first['id']}/finish/")
        second = api.post(f"{Q}/windows/{opened.w2.pk}/call-next/").data
        clock.set(local(MONDAY, 9, 15))
        api.post(f"{Q}/tickets/{second['id']}/finish/")
        r = api.get(f"{Q}/halls/{opened.hall.pk}/stats/")
        assert r.status_code == 200
        [a] = r.data["days"]
        # Waits 5 and 6 minutes, services 4 and 6 minutes.
        assert (a["category_code"], a["issued"], a["served"]) == ("A", 2, 2)
        assert a["avg_wait_seconds"] == 330.0 and a["p90_wait_seconds"] == 354.0
        assert a["avg_service_seconds"] == 300.0
        live = {row["category_code"]: row for row in r.data["live"]}
        assert live["B"]["open_windows"] == 1 and live["C"]["estimated_wait_minutes"] is None
        url = f"{Q}/halls/{opened.hall.pk}/stats/"
        bad = api.get(url, {"start": "2026-01-01", "end": "2026-06-15"})
        assert bad.status_code == 400 and bad.data["code"] == "range_too_long"
        backwards = api.get(url, {"start": "2026-06-15", "end": "2026-06-14"})
        assert backwards.status_code == 400 and backwards.data["code"] == "bad_range"


class TestAppointments:
    @pytest.fixture
    def slot(self, dazhi, clock, clerk_actor):
        return services.create_slot(
            actor=clerk_actor,
            category=dazhi.a,
            date=MONDAY,
            start=dt.time(10),
            end=dt.time(10, 30),
            capacity=1,
        )

    def test_book_list_check_in(self, api, slot, clock):
        person = factories.person(community=BAOCHENG, name="陈静")
        number = crypto.decrypt(person.id_cipher)
        free = api.get(f"{Q}/slots/", {"hall": slot.hall_id, "date": "2026-06-15"})
        assert [(s["start"], s["available"]) for s in free.data["results"]] == [("10:00:00", 1)]
        r = api.post(
            f"{Q}/appointments/",
            {"slot": slot.pk, "id_number": number, "name": "陈静", "phone": "13912345678"},
        )
        assert r.status_code == 201, r.data
        assert r.data["id_masked"] == person.id_masked and r.data["phone_masked"] == "139****5678"
        assert number not in body(r) and "13912345678" not in body(r)
        full = api.post(
            f"{Q}/appointments/",
            {
                "slot": slot.pk,
                "id_number": factories.id_number(),
                "name": "张三",
                "phone": "13800001111",
            },
        )
        assert full.status_code == 400 and full.data["code"] == "slot_full"
        listed = api.get(f"{Q}/appointments/", {"date": "2026-06-15"})
        assert [a["reference"] for a in listed.data["results"]] == [r.data["reference"]]
        clock.set(local(MONDAY, 9, 50))
        ticket = api.post(f"{Q}/appointments/{r.data['id']}/check-in/")
        assert ticket.status_code == 201 and ticket.data["priority"] is True
        assert ticket.data["appointment_reference"] == r.data["reference"]
        again = api.post(f"{Q}/appointments/{r.data['id']}/cancel/")
        assert again.status_code == 400 and again.data["code"] == "invalid_transition"

    def test_cancel_frees_the_place(self, api, slot, clock):
        r = api.post(
            f"{Q}/appointments/",
            {
                "slot": slot.pk,
                "id_number": factories.id_number(),
                "name": "张三",
                "phone": "13800001111",
            },
        )
        cancelled = api.post(f"{Q}/appointments/{r.data['id']}/cancel/")
        assert cancelled.data["status"] == "cancelled"
        assert AppointmentSlot.objects.get(pk=slot.pk).booked == 0

    def test_holidays_and_uncovered_years_are_refused(self, api, dazhi, clock):
        holiday = AppointmentSlot.objects.create(
            hall=dazhi.hall,
            category=dazhi.a,
            date=NATIONAL_DAY,
            start=dt.time(9),
            end=dt.time(9, 30),
            capacity=4,
        )
        uncovered = AppointmentSlot.objects.create(
            hall=dazhi.hall,
            category=dazhi.a,
            date=dt.date(2031, 3, 3),
            start=dt.time(9),
            end=dt.time(9, 30),
            capacity=4,
        )
        form = {"id_number": factories.id_number(), "name": "张三", "phone": "13800001111"}
        r = api.post(f"{Q}/appointments/", {**form, "slot": holiday.pk})
        assert r.status_code == 400 and r.data["code"] == "slot_not_workday"
        assert r.data["errors"] == {
            "date": ["2026-10-01不是工作日（法定节假日或休息日），不能预约。"]
        }
        r = api.post(f"{Q}/appointments/", {**form, "slot": uncovered.pk})
        assert r.status_code == 400 and r.data["code"] == "calendar_not_covered"
        assert "2031年" in r.data["detail"]
        r = api.post(f"{Q}/appointments/", {**form, "slot": 999999})
        assert r.status_code == 400 and r.data["code"] == "unknown_slot"
        assert not Appointment.unscoped.exists()

    def test_bad_id_number_is_not_echoed(self, api, slot, clock):
        good = factories.id_number()
        bad = good[:17] + ("1" if good[17] != "1" else "2")
        r = api.post(
            f"{Q}/appointments/",
            {"slot": slot.pk, "id_number": bad, "name": "张三", "phone": "13800001111"},
        )
        assert r.status_code == 400 and r.data["code"] == "id_number_check_digit"
        assert list(r.data["errors"]) == ["id_number"] and bad not in body(r)
