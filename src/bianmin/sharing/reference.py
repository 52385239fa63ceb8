"""The shared-data catalogue every installation has (共享数据目录), loaded by migration.

Codes are those of `catalog/sources.py` SHARED_DATA (what a material's `shared_source` names)
plus `health_summary`, which the health app provides. Sensitive items (个人隐私较强：婚姻、
救助、残疾、健康) are shared only with the resident's consent as well as a grant.
"""

from __future__ import annotations

# code, name, owner department, sensitivity, fields, sort
ITEMS = [
    (
        "id_card",
        "居民身份证信息",
        "GA",
        "general",
        ["姓名", "性别", "民族", "出生日期", "公民身份号码", "住址"],
        10,
    ),
    (
        "hukou",
        "户籍信息",
        "GA",
        "general",
        ["户号", "户别", "户主关系", "户籍地址", "同户人数"],
        20,
    ),
    ("death", "死亡信息", "GA", "general", ["人员状态", "死亡日期", "信息来源"], 30),
    ("marriage", "婚姻登记信息", "MZ", "sensitive", ["婚姻状况", "登记日期", "登记机关"], 40),
    ("dibao", "低保、特困对象信息", "MZ", "sensitive", ["救助类别", "认定日期", "认定来源"], 50),
    ("disability", "残疾人信息", "CL", "sensitive", ["残疾状况", "认定日期", "认定来源"], 60),
    (
        "social_insurance",
        "社会保险参保信息",
        "RS",
        "general",
        ["参保险种", "参保状态", "缴费月数"],
        70,
    ),
    ("birth", "出生信息", "WJ", "general", ["出生日期", "出生地点", "出生医学证明编号"], 80),
    ("health_summary", "健康档案摘要", "WJ", "sensitive", ["建档机构", "慢病管理", "最近随访"], 90),
]
