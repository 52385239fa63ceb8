"""Pages through the client: the clerk's calling panel (htmx), the public board and kiosk, and
the supervisors' figures with the Excel export."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from openpyxl import load_workbook

from bianmin.core import crypto
from bianmin.core.models import AuditEntry
from bianmin.queueing import kiosk_device, services
from bianmin.queueing.models import Ticket, TicketStatus
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.queueing.conftest import MONDAY, local
from tests.webclient import signed_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(clerk) -> Client:
    return signed_in(clerk)


def page(response) -> str:
    return response.content.decode()


class TestWindowPanel:
    def test_a_morning_at_window_one(self, web, dazhi, clock, clerk_actor):
        url = f"/queue/window/{dazhi.w1.pk}/"
        first = web.get(url)
        assert first.status_code == 200
        assert "1号窗口" in page(first) and "开窗（签到上岗）" in page(first)
        assert "<html" in page(first)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        services.take_ticket(actor=clerk_actor, category=dazhi.d)

        opened = web.post(url + "open/", **HX)
        assert "<html" not in page(opened) and "开放中" in page(opened)
        called = web.post(url + "call-next/", **HX)
        text = page(called)
        assert 'class="queue-number">A001<' in text and "再次呼叫" in text
        assert "D001" in text  # next in line
        too_soon = web.post(url + "no-show/", **HX)
        assert "呼叫满3次仍未到窗口方可记为过号" in page(too_soon)
        web.post(url + "recall/", **HX)
        web.post(url + "start/", **HX)
        transferred = web.post(url + "transfer/", {"category": dazhi.b.pk}, **HX)
        assert "窗口空闲" in page(transferred)
        assert Ticket.unscoped.get(number="B001").transferred_from.number == "A001"
        web.post(url + "call-next/", **HX)
        done = web.post(url + "finish/", **HX)
        assert "为刚办结的 D001 号关联办件" in page(done)
        unknown = web.post(url + "link-case/", {"case_no": "BM00000000000000"}, **HX)
        assert "办件编号“BM00000000000000”不存在。" in page(unknown)
        assert Ticket.unscoped.get(number="D001").status == TicketStatus.DONE

    def test_without_htmx_the_action_redirects_with_the_message(self, web, dazhi, clock):
        url = f"/queue/window/{dazhi.w1.pk}/"
        r = web.post(url + "call-next/")
        assert r.status_code == 302 and r["Location"] == url
        assert "1号窗口未开放，请先开窗。" in page(web.get(url))

    def test_unknown_action_and_other_areas(self, web, dazhi, clock):
        assert web.post(f"/queue/window/{dazhi.w1.pk}/explode/").status_code == 404
        assert web.get("/queue/window/999999/").status_code == 404
        outsider = signed_in(factories.staff("wannian_clerk", role="clerk", division=WANNIAN))
        assert outsider.get(f"/queue/window/{dazhi.w1.pk}/").status_code == 403
        assert outsider.post(f"/queue/window/{dazhi.w1.pk}/open/").status_code == 403
        anonymous = Client().get(f"/queue/window/{dazhi.w1.pk}/")
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    def test_index_lists_the_halls_of_the_area(self, web, dazhi):
        r = web.get("/queue/")
        assert r.status_code == 200 and "一楼办事大厅" in page(r) and "进入叫号" in page(r)
        outsider = signed_in(factories.staff("wannian_clerk", role="clerk", division=WANNIAN))
        assert "一楼办事大厅" not in page(outsider.get("/queue/"))


class TestBoard:
    def test_public_board_shows_the_latest_call(self, dazhi, clock, clerk_actor):
        resident = factories.person(community=BAOCHENG)
        services.open_window(actor=clerk_actor, window=dazhi.w3)
        ticket = services.take_ticket(
            actor=clerk_actor, category=dazhi.d, id_number=crypto.decrypt(resident.id_cipher)
        )
        board = Client().get(f"/queue/hall/{dazhi.hall.pk}/board/")
        assert board.status_code == 200 and "欢迎办事" in page(board)
        assert 'hx-trigger="every 3s"' in page(board)
        services.call_next(actor=clerk_actor, window=dazhi.w3)
        live = Client().get(f"/queue/hall/{dazhi.hall.pk}/board/", **HX)
        text = page(live)
        assert "<html" not in text
        assert "请 <strong>D001</strong> 号到 <strong>3</strong> 号窗口" in text
        assert 'data-say="请 D001 号到 3 号窗口办理"' in text
        # Numbers only: nothing about the person who holds the ticket.
        assert ticket.applicant_masked not in text and resident.name not in text

    def test_inactive_or_unknown_hall_is_404(self, dazhi):
        dazhi.hall.is_active = False
        dazhi.hall.save()
        assert Client().get(f"/queue/hall/{dazhi.hall.pk}/board/").status_code == 404
        assert Client().get("/queue/hall/999999/kiosk/").status_code == 404


def kiosk_client(hall, clerk) -> Client:
    """A browser the hall's clerk has enrolled as its kiosk (the cookie is all it keeps)."""
    staff = signed_in(clerk)
    r = staff.post(f"/queue/hall/{hall.pk}/kiosk/enrol/")
    assert r.status_code == 302
    device = Client()
    device.cookies[kiosk_device.COOKIE] = r.cookies[kiosk_device.COOKIE].value
    return device


class TestKioskDevice:
    def test_an_unenrolled_browser_can_neither_take_nor_check_in(self, dazhi, clock):
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        home = Client().get(kiosk)
        assert home.status_code == 403 and "尚未登记为该大厅的自助终端" in page(home)
        assert "将本设备登记为自助终端" not in page(home)
        assert Client().post(kiosk, {"category": dazhi.a.pk}).status_code == 403
        number = factories.id_number()
        r = Client().post(kiosk, {"action": "check-in", "id_number": number})
        # The page answers the same whether or not the number has a booking: nothing to probe.
        assert r.status_code == 403 and "未找到" not in page(r)
        assert not Ticket.unscoped.exists()

    def test_staff_of_the_hall_enrol_a_device_and_it_is_audited(self, dazhi, clerk, clock):
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        staff = signed_in(clerk)
        offer = staff.get(kiosk)
        assert offer.status_code == 403 and "将本设备登记为自助终端" in page(offer)
        device = kiosk_client(dazhi.hall, clerk)
        assert device.get(kiosk).status_code == 200
        entry = AuditEntry.objects.filter(object_type="queue_kiosk").latest("pk")
        assert entry.actor_id == clerk.pk and entry.action == "create"

    def test_staff_of_another_area_cannot_enrol(self, dazhi, clock):
        outsider = factories.staff("kiosk_outsider", role="clerk", division=WANNIAN)
        r = signed_in(outsider).post(f"/queue/hall/{dazhi.hall.pk}/kiosk/enrol/")
        assert r.status_code in (403, 404) and kiosk_device.COOKIE not in r.cookies

    def test_a_forged_or_other_halls_cookie_is_refused(self, dazhi, clerk, clock):
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        forged = Client()
        forged.cookies[kiosk_device.COOKIE] = f'{{"hall": {dazhi.hall.pk}}}'
        assert forged.get(kiosk).status_code == 403
        elsewhere = Client()
        response = HttpResponse()
        kiosk_device.enrol(response, hall_id=dazhi.hall.pk + 1000, device="x")
        elsewhere.cookies[kiosk_device.COOKIE] = response.cookies[kiosk_device.COOKIE].value
        assert elsewhere.get(kiosk).status_code == 403

    def test_failed_check_ins_are_braked(self, dazhi, clerk, clock, settings):
        settings.BIANMIN = {**settings.BIANMIN, "RATE_LIMITS": {"kiosk_checkin": (3, 600)}}
        cache.clear()
        device = kiosk_client(dazhi.hall, clerk)
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        for _ in range(3):
            r = device.post(kiosk, {"action": "check-in", "id_number": factories.id_number()})
            assert "未找到该证件号码今天在本大厅的有效预约。" in page(r)
        r = device.post(kiosk, {"action": "check-in", "id_number": factories.id_number()})
        assert r.status_code == 400 and "签到失败次数过多" in page(r)
        # Taking a plain number still works: the brake is on probing bookings only.
        assert "A001" in page(device.post(kiosk, {"category": dazhi.a.pk}))
        cache.clear()


class TestKiosk:
    def test_take_a_number_without_and_with_id(self, dazhi, clock, clerk):
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        device = kiosk_client(dazhi.hall, clerk)
        home = device.get(kiosk)
        assert home.status_code == 200 and "社会保障" in page(home) and "预约签到" in page(home)
        slip = device.post(kiosk, {"category": dazhi.a.pk})
        assert slip.status_code == 200 and 'class="queue-slip-number">A001<' in page(slip)
        assert "您前面还有 0 人等候" in page(slip)
        resident = factories.person(community=BAOCHENG)
        number = crypto.decrypt(resident.id_cipher)
        slip = device.post(kiosk, {"category": dazhi.a.pk, "id_number": number})
        assert "A002" in page(slip) and "您前面还有 1 人等候" in page(slip)
        assert number not in page(slip)
        assert Ticket.unscoped.get(number="A002").person == resident
        entry = AuditEntry.objects.filter(object_type="queue_ticket").latest("pk")
        assert entry.actor_name == "自助取号机（一楼办事大厅）" and number not in entry.object_label

    def test_errors_are_shown_and_the_number_is_not_echoed(self, dazhi, clock, system_actor, clerk):
        kiosk = f"/queue/hall/{dazhi.hall.pk}/kiosk/"
        device = kiosk_client(dazhi.hall, clerk)
        good = factories.id_number()
        bad = good[:17] + ("1" if good[17] != "1" else "2")
        r = device.post(kiosk, {"category": dazhi.a.pk, "id_number": bad})
        assert r.status_code == 400 and "身份证号码校验位错误" in page(r) and bad not in page(r)
        services.set_category_accepting(actor=system_actor, category=dazhi.c, accepting=False)
        r = device.post(kiosk, {"category": dazhi.c.pk})
        assert "“C 市场准入”暂停取号。" in page(r)
        r = device.post(kiosk, {"action": "check-in", "id_number": good})
        assert "未找到该证件号码今天在本大厅的有效预约。" in page(r) and good not in page(r)
        assert not Ticket.unscoped.exists()

    def test_check_in_an_appointment(self, dazhi, clock, system_actor, clerk):
        import datetime as dt

        slot = services.create_slot(
            actor=system_actor,
            category=dazhi.b,
            date=MONDAY,
            start=dt.time(9),
            end=dt.time(9, 30),
            capacity=2,
        )
        number = factories.id_number()
        services.book_appointment(
            actor=system_actor, slot=slot, id_number=number, name="刘洋", phone="13700001234"
        )
        clock.set(local(MONDAY, 8, 50))
        device = kiosk_client(dazhi.hall, clerk)
        r = device.post(
            f"/queue/hall/{dazhi.hall.pk}/kiosk/", {"action": "check-in", "id_number": number}
        )
        assert r.status_code == 200 and "B001" in page(r) and "预约号：09:00 起优先叫号" in page(r)


class TestStatsPage:
    @pytest.fixture
    def served(self, dazhi, clock, clerk_actor):
        services.open_window(actor=clerk_actor, window=dazhi.w1)
        clock.set(local(MONDAY, 9, 0))
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        clock.set(local(MONDAY, 9, 6))
        ticket = services.call_next(actor=clerk_actor, window=dazhi.w1)
        clock.set(local(MONDAY, 9, 16))
        services.finish(actor=clerk_actor, ticket=ticket)
        return dazhi

    def test_figures_and_excel(self, web, served, clock):
        url = f"/queue/hall/{served.hall.pk}/stats/"
        r = web.get(url)
        assert r.status_code == 200
        text = page(r)
        assert "2026-06-15" in text and "6分00秒" in text and "10分00秒" in text
        export = web.get(url + "export/", {"start": "2026-06-15", "end": "2026-06-15"})
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][:4] == ("日期", "号段", "业务类别", "取号数")
        assert rows[2][1:] == ("A", "社会保障", 1, 0, 1, 0, 0, 6.0, 6.0, 10.0)
        entry = AuditEntry.objects.filter(object_type="queue_stats").get()
        assert entry.action == "export" and entry.changes["count"] == 1

    def test_bad_range_is_explained(self, web, served):
        r = web.get(
            f"/queue/hall/{served.hall.pk}/stats/", {"start": "2026-06-15", "end": "2026-06-01"}
        )
        assert r.status_code == 200 and "结束日期不能早于开始日期。" in page(r)

    def test_other_areas_cannot_see_the_figures(self, served):
        outsider = signed_in(factories.staff("wannian_clerk", role="clerk", division=WANNIAN))
        assert outsider.get(f"/queue/hall/{served.hall.pk}/stats/").status_code == 403
        assert outsider.get(f"/queue/hall/{served.hall.pk}/stats/export/").status_code == 403
