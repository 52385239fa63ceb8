"""The public pages: the catalogue list and the printable 办事指南, read without signing in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from bianmin.catalog.services import revise_item
from bianmin.core.audit import Actor

pytestmark = pytest.mark.django_db

SECTIONS = [
    "一、基本信息",
    "二、设定依据",
    "三、受理条件",
    "四、申请材料",
    "五、办理流程",
    "六、办结时限",
    "七、收费标准",
    "八、办理地点和时间",
    "九、咨询和投诉电话",
    "十、到现场次数",
    "十一、网上办理",
]


def page(path: str, client: Client | None = None) -> str:
    r = (client or Client()).get(path)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class TestGuide:
    def test_every_section_of_the_guide_for_an_anonymous_reader(self, demo_catalog):
        html = page("/catalog/items/MZ-001/")
        for heading in SECTIONS:
            assert f"<h2>{heading}</h2>" in html, heading
        text = text_of(html)
        assert "最低生活保障申请" in text and "事项编码 MZ-001" in text
        assert "《社会救助暂行办法》（国务院令第649号）第二章" in text
        assert "共同生活的家庭成员人均收入低于当地最低生活保障标准" in text
        # Materials table: name, form, copies, requirement, shared source.
        for header in ["材料名称", "形式", "份数", "必要性", "可共享获取"]:
            assert f"<th>{header}</th>" in html or f'<th class="num">{header}</th>' in html
        assert "家庭经济状况核对授权书" in text
        assert "户籍信息（公安）" in text  # 户口簿 comes from shared data
        assert "常见错误：漏签部分成年家庭成员。" in text
        assert "可容缺" in text  # 容缺受理 item: non-essential materials marked
        # Time limits, place, phones, visits, online.
        assert "法定办结时限 30 个工作日" in text
        assert "承诺办结时限 20 个工作日" in text
        assert "街道（乡镇）便民服务中心综合窗口" in text
        assert "村（社区）便民服务室由代办员代为受理、全程代办" in text
        assert "12345（市民服务热线）" in text
        assert "最多跑一次" in text and "可网上办理" in text
        assert "不收费。" in text

    def test_parallel_steps_are_shown_side_by_side(self, demo_catalog):
        html = page("/catalog/items/CL-001/")
        stages = re.findall(r'<li class="stage( parallel)?">(.*?)</li>', html, flags=re.S)
        assert len(stages) == 4
        parallel = [body for flag, body in stages if flag]
        assert len(parallel) == 1 and "并联办理" in parallel[0]
        assert "残疾评定（指定医疗机构）" in parallel[0] and "户籍和申请资格审核" in parallel[0]
        assert "卫生健康委员会" in parallel[0] and "残疾人联合会" in parallel[0]

    def test_print_stylesheet(self, demo_catalog):
        html = page("/catalog/items/GA-001/")
        assert "/static/catalog/catalog.css" in html and "window.print()" in html
        css = Path(finders.find("catalog/catalog.css")).read_text(encoding="utf-8")
        assert "@media print" in css and "@page" in css
        # Navigation and buttons are not printed.
        assert ".public-head, .no-print" in css

    def test_guide_costs_a_fixed_number_of_queries(
        self, demo_catalog, django_assert_max_num_queries
    ):
        # Item, materials, steps with departments, tags, versions: not one query per row.
        with django_assert_max_num_queries(5):
            assert Client().get("/catalog/items/MZ-001/").status_code == 200

    def test_instant_zero_visit_item(self, demo_catalog):
        text = text_of(page("/catalog/items/WJ-001/"))
        assert "即办件" in text and "零跑动" in text
        assert "全程网上办理" in text

    def test_older_version_stays_readable(self, demo_catalog):
        revise_item(
            actor=Actor(name="pytest"),
            code="GA-001",
            changes={"promised_limit_days": 10, "fee_basis": "不收费"},
            note="承诺时限调整",
        )
        current = text_of(page("/catalog/items/GA-001/"))
        assert "承诺办结时限 10 个工作日" in current and "版本记录" in current
        old = text_of(page("/catalog/items/GA-001/?version=1"))
        assert "承诺办结时限 7 个工作日" in old
        assert "这是第 1 版（历史版本）" in old and "查看现行第 2 版" in old

    @pytest.mark.parametrize(
        "path",
        [
            "/catalog/items/NOPE/",
            "/catalog/items/GA-001/?version=9",
            "/catalog/items/GA-001/?version=x",
        ],
    )
    def test_unknown_item_or_version_is_404(self, demo_catalog, path):
        r = Client().get(path)
        assert r.status_code == 404
        assert "找不到该页面或记录" in r.content.decode()


class TestIndex:
    def test_lists_and_filters_without_signing_in(self, demo_catalog):
        text = text_of(page("/catalog/"))
        assert "政务服务事项清单" in text and "居住证申领" in text
        assert "我要开餐馆" in text and "多证联办" in text
        filtered = text_of(page("/catalog/?department=SCJG&online=1"))
        assert "食品经营许可" in filtered and "居住证申领" not in filtered
        assert "共 2 条" in filtered

    def test_htmx_search_returns_only_the_results(self, demo_catalog):
        r = Client().get("/catalog/?q=残疾", HTTP_HX_REQUEST="true")
        html = r.content.decode()
        assert html.lstrip().startswith('<div id="results"')
        assert "残疾人证新办" in html and "居住证" not in html

    def test_bundle_page(self, demo_catalog):
        text = text_of(page("/catalog/bundles/LB-CHUSHENG/"))
        assert "新生儿出生一件事" in text
        assert "出生医学证明首次签发" in text and "出生登记（新生儿入户）" in text
        assert text.count("新生儿父母居民身份证") == 1  # asked once for the three items
        assert Client().get("/catalog/bundles/NOPE/").status_code == 404

    def test_list_query_count_does_not_grow_with_items(
        self, demo_catalog, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(6):
            Client().get("/catalog/")
