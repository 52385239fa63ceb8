"""The scoring sheets (量化评分表), one per type of public place, loaded as reference data by
migration 0002. Items follow 《公共场所卫生管理条例》及其实施细则 and GB 37487/37488/37489
(公共场所卫生管理规范、卫生指标及限值、设计卫生规范); ※ marks a key item, any one of which
failed makes the place 差 whatever its score (seed 004 篇7).

Each item: (category, content, max points, weight, key).
"""

from __future__ import annotations

from decimal import Decimal

Item = tuple[str, str, int, str, bool]

# What every public place is checked on.
COMMON: tuple[Item, ...] = (
    ("证照管理", "持有效卫生许可证，并在显著位置公示", 10, "1.0", True),
    ("从业人员", "直接为顾客服务的从业人员持有效健康合格证明", 10, "1.0", True),
    ("从业人员", "从业人员经卫生知识培训合格，个人卫生良好", 5, "1.0", False),
    ("卫生管理", "建立卫生管理制度和卫生管理档案，配备专（兼）职卫生管理人员", 5, "1.0", False),
    ("卫生管理", "室内全面禁止吸烟，设置醒目的禁烟标志", 5, "1.0", False),
    ("卫生管理", "按规定开展卫生检测并在醒目位置如实公示检测结果", 5, "1.0", False),
    ("卫生设施", "防鼠、防蚊蝇、防蟑螂设施完好有效", 5, "1.0", False),
    ("卫生设施", "集中空调通风系统按规定开展卫生学评价、清洗和消毒", 5, "1.0", False),
)

SPECIFIC: dict[str, tuple[str, tuple[Item, ...]]] = {
    "hotel": (
        "宾馆、旅店卫生监督量化评分表",
        (
            ("公共用品用具", "公共用品用具一客一换一消毒，设专用清洗消毒间", 15, "1.5", True),
            ("客房", "床上用品清洁、无污渍毛发，按规定更换", 10, "1.0", False),
            ("客房", "卫生间洁具清洁，口杯、拖鞋消毒后保洁存放", 10, "1.0", False),
            ("客房", "客房通风良好，室内空气质量符合GB 37488", 10, "1.0", False),
            ("布草间", "布草分类存放，洁污分开，有防潮措施", 5, "1.0", False),
        ),
    ),
    "salon": (
        "美容美发场所卫生监督量化评分表",
        (
            ("美容用品", "化妆品、美容用品有合法批准文号，不使用过期产品", 10, "1.0", True),
            ("公共用品用具", "理发、美容工具一客一用一消毒", 15, "1.5", True),
            ("公共用品用具", "毛巾、围布清洗消毒后分类存放", 10, "1.0", False),
            ("卫生设施", "设置皮肤病患者专用工具并有明显标识", 5, "1.0", False),
            ("卫生设施", "烫发、染发区单独设置，有机械通风设施", 10, "1.0", False),
        ),
    ),
    "bath": (
        "公共浴室卫生监督量化评分表",
        (
            ("水质", "浴池水循环过滤消毒并每日补充新水，池水浊度符合GB 37488", 15, "1.5", True),
            ("禁浴标志", "设置禁止性病和传染性皮肤病患者就浴的明显标志", 5, "1.0", True),
            ("公共用品用具", "拖鞋、浴巾、浴衣一客一换一消毒", 10, "1.0", False),
            ("卫生设施", "地面防滑、排水通畅，浴区通风良好", 10, "1.0", False),
            ("卫生设施", "更衣室、休息室清洁，衣柜定期消毒", 10, "1.0", False),
        ),
    ),
    "pool": (
        "游泳场所卫生监督量化评分表",
        (
            (
                "水质",
                "池水循环净化消毒设施正常运转，余氯、pH、浑浊度每日检测并公示",
                15,
                "1.5",
                True,
            ),
            ("卫生设施", "设置强制通过式浸脚消毒池，池水余氯浓度符合要求", 10, "1.0", True),
            (
                "卫生管理",
                "入口设置禁止肝炎、心脏病、皮肤癣疹等患者和酗酒者进入的标志",
                5,
                "1.0",
                False,
            ),
            ("卫生设施", "更衣室、淋浴室清洁通风，地面防滑", 10, "1.0", False),
            ("卫生管理", "配备水质检测和卫生管理人员", 5, "1.0", False),
        ),
    ),
    "mall": (
        "商场（店）、超市卫生监督量化评分表",
        (
            ("空气质量", "室内空气质量（二氧化碳、甲醛等）符合GB 37488", 10, "1.0", True),
            ("卫生设施", "通风换气设施正常运转，新风量充足", 10, "1.0", False),
            ("卫生设施", "卫生间清洁、无异味，设置洗手设施", 10, "1.0", False),
            ("环境卫生", "垃圾分类收集、日产日清", 10, "1.0", False),
            ("环境卫生", "照明、噪声符合卫生要求", 5, "1.0", False),
        ),
    ),
    "cinema": (
        "影剧院卫生监督量化评分表",
        (
            ("空气质量", "场次间通风换气不少于30分钟，室内空气质量符合GB 37488", 10, "1.0", True),
            ("环境卫生", "座椅、地面清洁，定期消毒", 10, "1.0", False),
            ("公共用品用具", "3D眼镜等公共用品一客一消毒", 10, "1.0", False),
            ("卫生设施", "卫生间清洁、无异味，设置洗手设施", 10, "1.0", False),
            ("卫生设施", "空调、通风设施正常运转", 5, "1.0", False),
        ),
    ),
    "waiting": (
        "候车（机、船）室卫生监督量化评分表",
        (
            ("空气质量", "室内空气质量符合GB 37488，通风良好", 10, "1.0", True),
            ("环境卫生", "座椅、地面清洁", 10, "1.0", False),
            ("卫生设施", "饮水设施卫生，定期清洗消毒", 10, "1.0", False),
            ("卫生设施", "卫生间清洁、无异味，设置洗手设施", 10, "1.0", False),
            ("环境卫生", "垃圾容器加盖，及时清运", 5, "1.0", False),
        ),
    ),
}


def sheets() -> dict[str, tuple[str, list[tuple[str, str, Decimal, Decimal, bool]]]]:
    result = {}
    for place_type, (title, items) in SPECIFIC.items():
        result[place_type] = (
            title,
            [(c, t, Decimal(m), Decimal(w), k) for c, t, m, w, k in (*COMMON, *items)],
        )
    return result


def load(apps) -> None:
    """Create or bring up to date every sheet and its items (used by the data migration)."""
    sheet_model = apps.get_model("hygiene", "ScoringSheet")
    item_model = apps.get_model("hygiene", "SheetItem")
    for place_type, (title, items) in sheets().items():
        sheet, _ = sheet_model.objects.update_or_create(
            place_type=place_type, defaults={"title": title}
        )
        for seq, (category, content, maximum, weight, key) in enumerate(items, start=1):
            item_model.objects.update_or_create(
                sheet=sheet,
                seq=seq,
                defaults={
                    "category": category,
                    "content": content,
                    "max_points": maximum,
                    "weight": weight,
                    "key": key,
                },
            )
