"""Demo items for starting a small business: registration and the permits that go with it."""

from __future__ import annotations

from bianmin.catalog.demo.common import id_card, item, material, proxy, step


def _business_licence() -> dict:
    return material(
        "business-licence",
        "营业执照",
        form="copy",
        shared_source="business_license",
        source_note="市场监管部门（电子营业执照）",
    )


ITEMS = {
    "SCJG-001": item(
        name="个体工商户设立登记",
        item_type="licensing",
        department="SCJG",
        legal_basis=(
            "《促进个体工商户发展条例》（国务院令第755号）；"
            "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第十九条。"
        ),
        conditions="有经营能力的公民，经依法登记为个体工商户；经营场所应当真实、合法。",
        accept_levels=["district", "town"],
        statutory_limit_days=3,
        promised_limit_days=1,
        online=True,
        max_visits=0,
        result_name="个体工商户营业执照（含电子营业执照）",
        result_certificate_type="business_license",
        materials=[
            material(
                "application",
                "个体工商户登记（备案）申请书",
                form="original",
                sample="经营范围按《经营范围登记规范表述目录》选择。",
                common_mistakes="自拟经营范围表述；字号与已登记名称重复。",
            ),
            id_card("经营者居民身份证"),
            material(
                "premises",
                "经营场所使用证明（不动产权证书、租赁合同等）",
                form="copy",
                essential=False,
                source_note="可先行书面承诺场所真实合法，限期补交",
                common_mistakes="租赁合同出租人与产权人不一致且无转租同意书。",
            ),
            proxy(),
        ],
        steps=[
            step("受理审查", "SCJG", 1, 0, "accept"),
            step("核准登记并发照", "SCJG", 2, 1, "decide"),
        ],
        allows_deficiency=True,
    ),
    "SCJG-002": item(
        name="食品经营许可",
        item_type="licensing",
        applicant_kind="both",
        department="SCJG",
        legal_basis=(
            "《中华人民共和国食品安全法》第三十五条；"
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）。"
        ),
        conditions="从事食品销售和餐饮服务的经营者，取得营业执照后申请；仅销售预包装食品的实行备案。",
        accept_levels=["district", "town"],
        statutory_limit_days=10,
        promised_limit_days=5,
        online=True,
        max_visits=1,
        allows_deficiency=True,
        result_name="食品经营许可证",
        result_certificate_type="food_license",
        materials=[
            material("application", "食品经营许可申请书", form="original"),
            _business_licence(),
            id_card("法定代表人（负责人）居民身份证"),
            material(
                "layout",
                "与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
                form="original",
                common_mistakes="平面图未标明粗加工、烹饪、餐用具清洗消毒等功能区。",
            ),
            material(
                "rules",
                "食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度",
                form="original",
                essential=False,
            ),
            proxy(),
        ],
        steps=[
            step("受理", "SCJG", 1, 1, "accept"),
            step("材料审查", "SCJG", 2, 2),
            step("现场核查", "SCJG", 2, 2),
            step("作出许可决定", "SCJG", 3, 1, "decide"),
            step("制证送达", "SCJG", 4, 1, "deliver"),
        ],
    ),
    "WJ-004": item(
        name="公共场所卫生许可",
        item_type="licensing",
        applicant_kind="both",
        department="WJ",
        legal_basis=(
            "《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》（卫生部令第80号）。"
        ),
        conditions="经营住宿、沐浴、美容美发等公共场所的单位和个体工商户，取得营业执照后申请。",
        accept_levels=["city", "district"],
        statutory_limit_days=20,
        promised_limit_days=10,
        online=True,
        max_visits=1,
        allows_deficiency=True,
        result_name="公共场所卫生许可证",
        result_certificate_type="hygiene_license",
        materials=[
            material("application", "公共场所卫生许可申请表", form="original"),
            _business_licence(),
            id_card("法定代表人（负责人）居民身份证"),
            material(
                "plans",
                "公共场所地址方位示意图、平面图和卫生设施平面布局图",
                form="original",
            ),
            material(
                "test-report",
                "公共场所卫生检测或者评价报告",
                form="original",
                common_mistakes="检测报告超过有效期；检测项目不全。",
            ),
            material("rules", "公共场所卫生管理制度", form="original", essential=False),
            material(
                "health-certs",
                "从业人员健康合格证明",
                form="copy",
                essential=False,
                source_note="可在开业前补交",
            ),
        ],
        steps=[
            step("受理", "WJ", 1, 1, "accept"),
            step("资料审查", "WJ", 2, 5),
            step("现场审核", "WJ", 2, 5),
            step("作出许可决定", "WJ", 3, 2, "decide"),
            step("制证送达", "WJ", 4, 1, "deliver"),
        ],
    ),
}
