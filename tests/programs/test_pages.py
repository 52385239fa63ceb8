"""Staff pages: the due list, the visit form rendered from the schema with the service's
messages beside the fields, a person's follow-ups, program pages and coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from bianmin.programs.models import Enrolment, Visit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_due_page_lists_the_overdue(enrolment, baocheng_worker, wannian_worker):
    Enrolment.unscoped.filter(pk=enrolment.pk).update(
        next_due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    page = signed_in(baocheng_worker).get("/programs/", {"bucket": "overdue"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "李建国" in html and "逾期3天" in html and "随访待办" in html
    assert "李建国" not in signed_in(wannian_worker).get("/programs/").content.decode()


def test_visit_form_shows_field_errors_and_saves_nothing(enrolment, baocheng_worker):
    client = signed_in(baocheng_worker)
    url = f"/programs/enrolments/{enrolment.pk}/visit/"
    form = client.get(url)
    assert form.status_code == 200 and "收缩压" in form.content.decode()
    bad = client.post(
        url,
        {
            "visited_on": str(timezone.localdate()),
            "kind": "clinic",
            "d_sbp": "400",
            "d_dbp": "80",
            "d_control": "good",
            "outcome": "continue",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "400不可能" in html and "随访未保存" in html
    assert not Visit.objects.exists()
    ok = client.post(
        url,
        {
            "visited_on": str(timezone.localdate()),
            "kind": "clinic",
            "d_sbp": "138",
            "d_dbp": "86",
            "d_control": "good",
            "d_smoker": "false",
            "outcome": "continue",
        },
    )
    assert ok.status_code == 302
    visit = Visit.objects.get()
    assert visit.data == {"sbp": 138, "dbp": 86, "control": "good", "smoker": False}
    person_page = client.get(ok["Location"]).content.decode()
    assert "收缩压" in person_page and "138 mmHg" in person_page


def test_future_date_message_beside_the_date(enrolment, baocheng_worker):
    r = signed_in(baocheng_worker).post(
        f"/programs/enrolments/{enrolment.pk}/visit/",
        {
            "visited_on": str(timezone.localdate() + dt.timedelta(days=2)),
            "kind": "clinic",
            "d_sbp": "130",
            "d_dbp": "80",
            "d_control": "good",
            "outcome": "continue",
        },
    )
    assert r.status_code == 400 and "随访日期不能晚于今天" in r.content.decode()


def test_person_page_enrols_and_exits(bp_program, hypertensive, baocheng_worker):
    client = signed_in(baocheng_worker)
    url = f"/programs/people/{hypertensive.pk}/"
    r = client.post(
        url,
        {
            "action": "enrol",
            "program": bp_program.pk,
            "enrolled_on": str(timezone.localdate()),
            "note": "社区筛查",
        },
    )
    assert r.status_code == 302
    e = Enrolment.objects.get()
    r = client.post(
        url,
        {
            "action": "exit",
            "enrolment": e.pk,
            "reason": "other",
            "on": str(timezone.localdate()),
            "note": "",
        },
    )
    assert r.status_code == 400 and "请填写说明" in r.content.decode()
    r = client.post(
        url,
        {"action": "exit", "enrolment": e.pk, "reason": "refused", "on": str(timezone.localdate())},
    )
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "exited"


def test_person_page_of_other_area_is_forbidden(hypertensive, wannian_worker):
    assert signed_in(wannian_worker).get(f"/programs/people/{hypertensive.pk}/").status_code == 403


def test_program_pages_and_coverage(enrolment, baocheng_worker):
    client = signed_in(baocheng_worker)
    assert "高血压随访（测试）" in client.get("/programs/list/").content.decode()
    detail = client.get("/programs/list/test-bp/").content.decode()
    assert "每3个月随访一次" in detail and "年龄35岁及以上" in detail
    cov = client.get("/programs/list/test-bp/coverage/")
    assert cov.status_code == 200 and "管理率" in cov.content.decode()
    assert client.get("/programs/list/test-bp/coverage/", {"area": "420103"}).status_code == 403


def test_visit_form_refused_to_a_role_without_grant(enrolment):
    from tests import factories

    clerk = factories.staff("clerk3", role="clerk", division="420102002003")
    client = signed_in(clerk)
    url = f"/programs/enrolments/{enrolment.pk}/visit/"
    assert client.get(url).status_code == 403
    r = client.post(
        url,
        {
            "visited_on": str(timezone.localdate()),
            "kind": "clinic",
            "d_sbp": "130",
            "d_dbp": "80",
            "d_control": "good",
            "outcome": "continue",
        },
    )
    assert r.status_code == 403 and not Visit.objects.exists()
