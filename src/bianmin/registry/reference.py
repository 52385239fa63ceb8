"""Reference data every installation has: line departments and key-population tags.

Loaded by migration 0002 and by `bianmin seed`; kept here so both use one list.
"""

from __future__ import annotations

DEPARTMENTS = [
    # code, name, short name
    ("GA", "公安局", "公安"),
    ("RS", "人力资源和社会保障局", "人社"),
    ("MZ", "民政局", "民政"),
    ("WJ", "卫生健康委员会", "卫健"),
    ("SCJG", "市场监督管理局", "市场监管"),
    ("CL", "残疾人联合会", "残联"),
    ("YB", "医疗保障局", "医保"),
    ("ZJ", "住房和城乡建设局", "住建"),
    ("XC", "乡村振兴局", "乡村振兴"),
    ("TYJR", "退役军人事务局", "退役军人"),
    ("ZW", "政务服务和大数据管理局", "政务服务"),
]

# code, name, category, min_age, max_age, restricted_to, sort
TAGS = [
    ("age-0-6", "0-6岁儿童", "age", 0, 7, None, 10),
    ("age-60", "60岁以上老年人", "age", 60, None, None, 20),
    ("age-65", "65岁以上老年人", "age", 65, None, None, 21),
    ("age-80", "80岁以上高龄老人", "age", 80, None, None, 22),
    ("disabled", "残疾人", "disability", None, None, None, 30),
    ("dibao", "低保对象", "assistance", None, None, None, 40),
    ("tekun", "特困供养人员", "assistance", None, None, None, 41),
    ("poverty", "建档立卡贫困户", "poverty", None, None, None, 50),
    ("left-behind-child", "留守儿童", "child", None, None, None, 60),
    ("left-behind-elder", "空巢（留守）老人", "service", None, None, None, 61),
    ("hypertension", "高血压患者", "health", None, None, "WJ", 70),
    ("diabetes", "2型糖尿病患者", "health", None, None, "WJ", 71),
    ("severe-mental", "严重精神障碍患者", "health", None, None, "WJ", 72),
    ("pregnant", "孕产妇", "health", None, None, "WJ", 73),
    ("veteran", "退役军人", "service", None, None, None, 80),
    ("unemployed", "登记失业人员", "service", None, None, None, 90),
]
