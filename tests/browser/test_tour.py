"""Every workbench page opens in a real browser without a server or script error, with the
stylesheet and htmx loaded from our own server (no CDN). One screenshot per page goes to
/tmp (BIANMIN_SCREENSHOTS) for a human look at the design."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.registry.models import OrgUnit
from bianmin.registry.services.organisations import create_organisation
from bianmin.registry.services.people import (
    add_member,
    create_household,
    set_life_status,
    tag_person,
)
from tests import factories
from tests.browser.conftest import shoot
from tests.conftest import BAOCHENG, TAINING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = Actor(name="pytest")


@pytest.fixture
def street():
    """A street's worth of data: people, a household, tags, an organisation, a grid."""
    admin = factories.staff("city_admin", role="admin", division="420100")
    factories.staff("dazhi_clerk", role="clerk", division="420102002000")
    OrgUnit.objects.filter(division_id="420102002000").update(
        grade="model", address="大智路1号", hours="周一至周五 9:00-17:00"
    )
    grid = factories.grid(BAOCHENG, 1)
    factories.grid(BAOCHENG, 2)
    household = create_household(
        actor=SYSTEM,
        number="4201020031",
        division=BAOCHENG,
        grid=grid.code,
        address="保成路18号2单元301",
    )
    names = [
        ("张建国", dt.date(1941, 2, 3), True),
        ("王桂兰", dt.date(1944, 8, 9), False),
        ("张伟", dt.date(1972, 5, 1), True),
        ("张思琪", dt.date(2019, 3, 7), False),
    ]
    people = []
    for name, birth, male in names:
        people.append(
            factories.person(
                community=BAOCHENG,
                name=name,
                birth=birth,
                male=male,
                grid=grid.code,
                residence_address="保成路18号2单元301",
            )
        )
    for person, rel in zip(people, ["02", "10", "20", "40"], strict=True):
        add_member(actor=SYSTEM, household=household, person=person, relationship=rel)
    tag_person(actor=SYSTEM, person=people[0], tag_code="disabled", source="区残联")
    tag_person(actor=SYSTEM, person=people[1], tag_code="left-behind-elder")
    for i in range(12):
        factories.person(
            community=TAINING,
            name=f"泰宁居民{i:02d}",
            male=i % 2 == 0,
            birth=dt.date(1950 + i * 5, 1 + i % 12, 1 + i),
        )
    set_life_status(
        actor=SYSTEM,
        person=people[0],
        status="deceased",
        date=dt.date(2025, 6, 1),
        source="公安户籍注销通知",
    )
    create_organisation(
        actor=SYSTEM,
        credit_code=make_credit_code("92", "420102", "MA4KXY12B"),
        name="江岸区张记热干面馆",
        division=BAOCHENG,
        legal_rep_id_number=None,
        address="保成路20号",
    )
    return admin, people, household


def visit(page, path: str, name: str, errors: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert page.evaluate("typeof window.htmx") == "object", "htmx not loaded from our server"
    color = page.evaluate("getComputedStyle(document.querySelector('.sidenav')).backgroundColor")
    assert color == "rgb(23, 50, 77)", "stylesheet not loaded"
    page.wait_for_load_state("networkidle")
    shoot(page, name)
    assert not errors, errors


def test_every_page_renders(page, street):
    _admin, people, household = street
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))

    page.goto("/accounts/login/")
    shoot(page, "login")
    page.get_by_label("用户名").fill("city_admin")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    visit(page, "/", "home-admin", errors)
    visit(page, "/people/?q=张", "people", errors)
    visit(page, f"/people/{people[0].pk}/", "profile-deceased", errors)
    visit(page, f"/people/{people[2].pk}/edit/", "person-edit", errors)
    visit(page, "/people/new/", "person-create", errors)
    visit(page, "/households/", "households", errors)
    visit(page, f"/households/{household.pk}/", "household", errors)
    visit(page, "/households/new/", "household-create", errors)
    visit(page, "/organisations/", "organisations", errors)
    visit(page, "/organisations/new/", "organisation-create", errors)
    visit(page, "/divisions/", "divisions-city", errors)
    visit(page, "/divisions/420102002000/", "divisions-street", errors)
    visit(page, f"/divisions/{BAOCHENG}/", "divisions-community", errors)
    visit(page, "/audit/", "audit", errors)
    page.locator("#chain .badge.ok").wait_for()  # chain verified after the page (htmx)
    shoot(page, "audit")

    # A form sent with mistakes shows each error next to its field.
    page.goto("/people/new/")
    page.get_by_label("身份证号码").fill("420102197805201230")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_label("现居住村（社区）代码").fill("420102999999")
    page.get_by_role("button", name="登记").click()
    page.locator("#id_id_number_errors").wait_for()
    shoot(page, "person-create-errors")
    text = page.locator("form.card").inner_text()
    assert "校验位错误" in text and "手机号码应为以1开头的11位数字" in text
    assert "行政区划代码“420102999999”不存在" in text and "请填写姓名" in text
