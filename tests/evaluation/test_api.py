"""/api/v1/evaluation/ over HTTP with token authentication: rating, the task loop with 409s,
complaints with dedupe, the monthly figures, scope, and what answers must never contain."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.evaluation.models import RectificationTask
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import DAZHI_STREET

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluation/"


@pytest.fixture
def manager(db):
    return factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)


def rate(client, case, resident, level=1, **extra):
    payload = {
        "case_no": case.case_no,
        "level": level,
        "comment": "材料齐全却让我跑了两趟" if level <= 2 else "",
        "channel": "window_device",
        "applicant_id_number": resident.id_number_for_test,
        **extra,
    }
    return client.post(f"{API}ratings/", payload, format="json")


class TestRatings:
    def test_rate_once_with_a_task_for_a_bad_level(self, clock, closed_case, dazhi_clerk, resident):
        clerk = api_as(dazhi_clerk)
        r = rate(clerk, closed_case, resident, staff=[{"staff": dazhi_clerk.staff.pk, "level": 1}])
        assert r.status_code == 201, r.data
        assert (r.data["level"], r.data["level_display"]) == (1, "非常不满意")
        assert r.data["task"] is not None
        assert resident.id_number_for_test not in body(r)
        again = rate(clerk, closed_case, resident, level=5)
        assert again.status_code == 409 and again.data["code"] == "already_rated"

    def test_not_closed_is_409_and_not_the_applicant_403(
        self, clock, cases, dazhi_clerk, resident, jianghan_resident
    ):
        clerk = api_as(dazhi_clerk)
        open_case = cases.accepted(dazhi_clerk, resident)
        r = rate(clerk, open_case, resident, level=5)
        assert r.status_code == 409 and r.data["code"] == "case_not_closed"
        closed = cases.closed(dazhi_clerk, resident)
        r = rate(clerk, closed, jianghan_resident, level=5)
        assert r.status_code == 403 and r.data["code"] == "not_applicant"
        assert r.data["detail"] == "只有申请人本人（或受托的代办员）可以评价该办件。"

    def test_input_errors_are_400(self, clock, closed_case, dazhi_clerk, resident):
        clerk = api_as(dazhi_clerk)
        r = rate(clerk, closed_case, resident, level=2, comment="")
        assert r.status_code == 400 and r.data["code"] == "comment_required"
        r = rate(clerk, closed_case, resident, level=9)
        assert r.status_code == 400 and list(r.data["errors"]) == ["level"]
        r = rate(clerk, closed_case, resident, level=5, channel="fax")
        assert r.status_code == 400 and r.data["code"] == "invalid_channel"

    def test_another_street_cannot_rate_or_list(
        self, clock, closed_case, dazhi_clerk, minzu_clerk, resident
    ):
        r = rate(api_as(minzu_clerk), closed_case, resident, level=5)
        assert r.status_code == 403 and r.data["code"] == "out_of_scope"
        rate(api_as(dazhi_clerk), closed_case, resident, level=5)
        assert api_as(minzu_clerk).get(f"{API}ratings/").data["count"] == 0
        listed = api_as(dazhi_clerk).get(f"{API}ratings/", {"month": "2026-09"}).data
        assert listed["count"] == 1 and listed["results"][0]["case_no"] == closed_case.case_no


class TestRectifications:
    def test_the_loop_over_http(self, clock, closed_case, dazhi_clerk, manager, resident):
        rate(api_as(dazhi_clerk), closed_case, resident)
        api = api_as(manager)
        listed = api.get(f"{API}rectifications/").data
        assert listed["count"] == 1
        row = listed["results"][0]
        assert (row["status"], row["status_display"], row["overdue"]) == ("verify", "待核实", False)
        # Rated Tuesday 09-29: 09-30 (1), 10-08, 10-09, Saturday 10-10 (调休), 10-12 (5).
        assert row["due_date"] == "2026-10-12" and row["verify_due"] == "2026-09-30"
        url = f"{API}rectifications/{row['id']}/"
        r = api.post(f"{url}answer/", {"answer": "已处理"}, format="json")
        assert r.status_code == 409 and r.data["code"] == "invalid_transition"
        r = api.post(f"{url}verify/", {"founded": True, "notes": "回访核实属实"}, format="json")
        assert r.status_code == 200 and r.data["status"] == "act"
        assert [s["action"] for s in r.data["steps"]] == ["opened", "verified"]
        api.post(f"{url}rectify/", {"notes": "窗口人员重新培训"}, format="json")
        r = api.post(f"{url}answer/", {"answer": "已整改"}, format="json")
        assert r.data["status"] == "feedback"
        r = api.post(f"{url}feedback/", {"satisfied": None, "notes": "回访未接通"}, format="json")
        assert r.data["status"] == "closed" and r.data["satisfied"] is None
        # The rated clerk may not handle it; the record says who did.
        assert {s["actor_name"] for s in r.data["steps"][1:]} == {"dazhi_manager"}

    def test_the_rated_clerk_is_refused(self, clock, closed_case, dazhi_clerk, resident):
        rate(api_as(dazhi_clerk), closed_case, resident)
        task = RectificationTask.unscoped.get()
        r = api_as(dazhi_clerk).post(
            f"{API}rectifications/{task.pk}/verify/",
            {"founded": False, "notes": "不属实"},
            format="json",
        )
        assert r.status_code == 403

    def test_overdue_filter_and_scope(self, clock, closed_case, dazhi_clerk, minzu_clerk, resident):
        rate(api_as(dazhi_clerk), closed_case, resident)
        task = RectificationTask.unscoped.get()
        clock.set(dt.date(2026, 10, 12))
        api = api_as(dazhi_clerk)
        assert api.get(f"{API}rectifications/", {"overdue": "true"}).data["count"] == 1
        assert api.get(f"{API}rectifications/", {"overdue": "false"}).data["count"] == 0
        other = api_as(minzu_clerk)
        assert other.get(f"{API}rectifications/").data["count"] == 0
        r = other.get(f"{API}rectifications/{task.pk}/")
        assert r.status_code == 403 and r.data["code"] == "out_of_scope"
        assert api.get(f"{API}rectifications/999999/").status_code == 404


class TestComplaints:
    def test_intake_and_double_submission(self, clock, closed_case, dazhi_clerk, resident):
        api = api_as(dazhi_clerk)
        payload = {
            "channel": "window",
            "complainant_name": "王秀英",
            "complainant_phone": "13912345678",
            "complainant_id_number": resident.id_number_for_test,
            "subject_kind": "case",
            "case_no": closed_case.case_no,
            "content": "窗口让我回家补复印件，跑了两趟",
        }
        r = api.post(f"{API}complaints/", payload, format="json")
        assert r.status_code == 201, r.data
        number = r.data["number"]
        assert number.startswith("TS20260929")
        assert r.data["complainant_phone"] == "139****5678"
        assert r.data["due_date"] == "2026-10-19" and r.data["status"] == "verify"
        for secret in (resident.id_number_for_test, "13912345678"):
            assert secret not in body(r)
        again = api.post(f"{API}complaints/", payload, format="json")
        assert again.status_code == 200 and again.data["id"] == r.data["id"]
        url = f"{API}complaints/{r.data['id']}/"
        r = api.post(
            f"{url}verify/", {"founded": False, "notes": "查看录像，未发现问题"}, format="json"
        )
        assert r.data["status"] == "answer" and r.data["founded"] is False
        r = api.post(f"{url}handle/", {"notes": "处理"}, format="json")
        assert r.status_code == 409 and r.data["code"] == "invalid_transition"
        listed = api.get(f"{API}complaints/", {"q": "两趟"}).data
        assert [c["number"] for c in listed["results"]] == [number]
        assert api.get(f"{API}complaints/", {"q": "饮水机"}).data["count"] == 0

    def test_bad_input(self, clock, dazhi_clerk):
        r = api_as(dazhi_clerk).post(
            f"{API}complaints/",
            {"channel": "window", "complainant_name": "张伟", "subject_kind": "general",
             "content": "大厅没有饮水机"},
            format="json",
        )  # fmt: skip
        assert r.status_code == 400 and r.data["code"] == "contact_required"


class TestStats:
    def test_month_figures(self, clock, cases, dazhi_clerk, resident):
        api = api_as(dazhi_clerk)
        for level in (5, 4, 2):
            rate(api, cases.closed(dazhi_clerk, resident), resident, level=level)
        r = api.get(f"{API}stats/", {"month": "2026-09"})
        assert r.status_code == 200
        totals = r.data["totals"]
        assert (totals["ratings"], totals["levels"], totals["satisfaction_rate"]) == (
            3,
            [1, 1, 0, 1, 0],
            "0.6667",
        )
        (centre,) = r.data["org_units"]
        assert centre["ratings"] == 3 and centre["stars"] is None  # fewer than 5 ratings
        assert [d["key"] for d in r.data["departments"]] == ["MZ"]
        quarter = api.get(f"{API}stats/", {"period": "2026-Q3"}).data
        assert (quarter["period"], quarter["start"], quarter["end"]) == (
            "2026-Q3",
            "2026-07-01",
            "2026-09-30",
        )
        assert quarter["totals"]["ratings"] == 3

    def test_bad_period(self, dazhi_clerk):
        r = api_as(dazhi_clerk).get(f"{API}stats/", {"period": "11/2026"})
        assert r.status_code == 400 and r.data["code"] == "invalid_period"
        r = api_as(dazhi_clerk).get(f"{API}stats/", {"month": "2026-13"})
        assert r.status_code == 400 and r.data["code"] == "invalid_period"
