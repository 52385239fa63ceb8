"""人口库 search: by name, pinyin initials, last 4 digits, filters; live (htmx) results;
masked numbers; a bounded number of queries however many rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bianmin.core import crypto
from bianmin.registry.services.people import set_life_status, tag_person
from tests import factories
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


def names_in(response) -> set[str]:
    return {p.name for p in response.context["page"]}


def search(client, **params):
    return client.get(reverse("workbench:people"), params)


def test_search_by_name(clerk_client, residents):
    assert names_in(search(clerk_client, q="张伟")) == {"张伟"}
    # 张敏 lives in 江汉区, outside the clerk's street: never listed.
    assert names_in(search(clerk_client, q="张")) == {"张伟"}


def test_search_by_pinyin_initials(clerk_client, residents):
    assert names_in(search(clerk_client, q="lxy")) == {"李秀英"}
    assert names_in(search(clerk_client, q="WF")) == {"王芳"}


def test_search_by_last_four_digits(clerk_client, residents):
    li = residents["li"]
    assert "李秀英" in names_in(search(clerk_client, q=li.id_last4))


def test_filters_by_tag_status_and_type(clerk_client, residents, system_actor):
    # 张伟 was born in 1940: the derived 80+ tag finds him without anyone tagging him.
    assert names_in(search(clerk_client, tag="age-80")) == {"张伟"}
    assert names_in(search(clerk_client, tag="age-0-6")) == {"王芳"}
    set_life_status(
        actor=system_actor,
        person=residents["zhang"],
        status="deceased",
        date=dt.date(2025, 1, 3),
        source="公安户籍注销通知",
    )
    assert names_in(search(clerk_client, life_status="deceased")) == {"张伟"}
    assert names_in(search(clerk_client, life_status="alive")) == {"李秀英", "王芳"}
    assert names_in(search(clerk_client, residence_type="floating")) == set()
    grid = residents["zhang"].grid_id
    assert names_in(search(clerk_client, grid=grid)) == {"张伟"}


def test_list_masks_id_and_phone(clerk_client, residents):
    body = search(clerk_client).content.decode()
    li = residents["li"]
    assert li.id_masked in body and crypto.decrypt(li.id_cipher) not in body
    assert "139****1111" in body and "13900001111" not in body


def test_htmx_request_gets_only_the_results(clerk_client, residents):
    response = clerk_client.get(reverse("workbench:people"), {"q": "李"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="results">') and "李秀英" in body
    assert "HX-Request" in response["Vary"]


def test_export_link_carries_the_current_filters(clerk_client, residents):
    body = search(clerk_client, q="lxy").content.decode()
    assert reverse("workbench:people-export") + "?q=lxy" in body


def test_pagination(clerk_client, residents, system_actor):
    for i in range(35):
        factories.person(community=BAOCHENG, name=f"测试{i:02d}", actor=system_actor)
    first = search(clerk_client, q="测试")
    assert len(first.context["page"]) == 30 and first.context["page"].paginator.count == 35
    second = search(clerk_client, q="测试", page=2)
    assert len(second.context["page"]) == 5


def test_query_count_does_not_grow_with_rows(
    clerk_client, residents, system_actor, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        search(clerk_client)
    for i in range(25):
        person = factories.person(community=BAOCHENG, name=f"多人{i}", actor=system_actor)
        # Stored tags too, so the tag column is exercised.
        tag_person(actor=system_actor, person=person, tag_code="dibao")
    with django_assert_max_num_queries(10):
        response = search(clerk_client)
    assert len(response.context["page"]) == 28
    assert "低保对象" in response.content.decode()


def test_a_full_id_number_typed_in_the_search_box_is_not_echoed(clerk_client, residents):
    number = crypto.decrypt(residents["li"].id_cipher)
    page = search(clerk_client)
    assert 'pattern="(?!.*\\d{11}).*"' in page.content.decode()  # the browser refuses it
    response = search(clerk_client, q=number, life_status="alive")
    body = response.content.decode()
    assert number not in body
    assert "一号查询" in str(response.context["form"].errors["q"])
    assert names_in(response) == set()
    assert "life_status=alive" in body and "q=" + number not in body


def test_a_list_longer_than_the_count_cap_pages_on_without_a_total(
    clerk_client, residents, system_actor, monkeypatch
):
    """Beyond the cap the total is not counted: "超过 N 条", next/previous, no last page."""
    monkeypatch.setattr("bianmin.workbench.views_people.COUNT_CAP", 20)
    for i in range(35):
        factories.person(community=BAOCHENG, name=f"测试{i:02d}", actor=system_actor)
    first = search(clerk_client, q="测试")
    page = first.context["page"]
    body = first.content.decode()
    assert page.paginator.capped and len(page) == 30 and page.has_next()
    assert "超过 20 条" in body and "q=%E6%B5%8B%E8%AF%95&amp;page=2" in body
    second = search(clerk_client, q="测试", page=2)
    assert [p.name for p in second.context["page"]] == [f"测试{i:02d}" for i in range(30, 35)]
    assert not second.context["page"].has_next()
    # Past the end (typed by hand): the last page, counted exactly.
    late = search(clerk_client, q="测试", page=9)
    assert late.context["page"].number == 2 and late.context["page"].paginator.count == 35
    assert names_in(search(clerk_client, q="测试", page="x")) == names_in(first)


def test_the_scope_as_a_range_is_the_scope(clerk_client, admin_client, residents):
    """The list says the scope as a range of codes: the same people as LIKE 'prefix%'."""
    from bianmin.core.scope import Scope
    from bianmin.registry.models import Person

    for prefix in ["420102", "420102001", "4201", "99", ""]:
        scope = Scope(area_prefix=prefix)
        assert set(scope.restrict_as_range(Person.unscoped.all(), "area_code")) == set(
            scope.restrict(Person.unscoped.all(), "area_code")
        )
    assert not Scope(area_prefix=None).restrict_as_range(Person.unscoped.all(), "area_code")
    assert names_in(search(clerk_client)) == {"张伟", "李秀英", "王芳"}
