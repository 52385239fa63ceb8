"""A grid worker's follow-up round in a real browser: the 随访待办 list from the sidebar, the
visit form built from the program's schema, an impossible value refused beside its field with
nothing saved, then the corrected visit saved and the person leaving the overdue list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.programs.models import Visit
from bianmin.programs.services import define_program, enrol
from bianmin.registry.services.people import tag_person
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = Actor(name="pytest")


@pytest.fixture
def overdue_elder():
    factories.staff("baocheng_grid", role="grid", division=BAOCHENG)
    program = define_program(
        actor=SYSTEM,
        code="elderly-alone-visit",
        name="独居老人关爱走访",
        sector="elderly",
        eligibility={"min_age": 70, "tags_all": ["left-behind-elder"]},
        schedule_kind="every_n_months",
        interval_months=1,
        form_schema=[
            {"key": "safe_home", "label": "居家安全", "type": "bool", "required": True},
            {"key": "sbp", "label": "收缩压", "type": "int", "unit": "mmHg", "min": 60, "max": 260},
            {"key": "needs", "label": "服务需求", "type": "text"},
        ],
        responsible_role="grid",
    )
    elder = factories.person(
        community=BAOCHENG, name="王桂兰", male=False, birth=dt.date(1944, 5, 6)
    )
    tag_person(actor=SYSTEM, person=elder, tag_code="left-behind-elder")
    enrol(
        actor=SYSTEM,
        program=program,
        person=elder,
        enrolled_on=timezone.localdate() - dt.timedelta(days=45),
    )
    return elder


def test_worker_records_a_visit_from_the_due_list(page, overdue_elder):
    sign_in(page, "baocheng_grid")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="随访待办").click()
    page.wait_for_url("**/programs/")
    assert "王桂兰" in page.content() and "逾期" in page.content()
    page.get_by_role("link", name="登记随访").first.click()
    page.wait_for_url("**/visit/")
    form = page.get_by_test_id("visit-form")
    form.get_by_label("随访方式").select_option("home")
    form.get_by_label("居家安全").select_option("true")
    form.get_by_label("收缩压").fill("400")
    form.get_by_role("button", name="保存随访").click()
    page.get_by_text("收缩压应在60至260mmHg之间，400不可能").wait_for()
    assert not Visit.objects.exists()
    shoot(page, "programs-visit-refused")
    page.get_by_test_id("visit-form").get_by_label("收缩压").fill("142")
    page.get_by_test_id("visit-form").get_by_label("服务需求").fill("希望提供助餐服务")
    page.get_by_test_id("visit-form").get_by_role("button", name="保存随访").click()
    page.wait_for_url(f"**/programs/people/{overdue_elder.pk}/")
    assert "已登记王桂兰的随访" in page.content() and "142 mmHg" in page.content()
    visit = Visit.objects.get()
    assert visit.data == {"safe_home": True, "sbp": 142, "needs": "希望提供助餐服务"}
    page.goto("/programs/?bucket=overdue")
    assert "王桂兰" not in page.content()
